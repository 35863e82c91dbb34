/**
 * Helpers of the high-availability tests: a platform instance as a child process of `freshet start` (its own data
 * directory, port chosen by the OS, an admin token), JSON calls to its API, waiting for conditions, and a webhook
 * receiver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const TOKEN = 'ha-test-admin-token';

export interface Instance {
  name: string;
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** Resolves with the exit code and signal once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `freshet start` with `args` and `env` (over the test's environment); resolves once it listens. */
export async function startInstance(name: string, dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'start', '--port', '0', '--no-build', ...args], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FRESHET_DATA_DIR: dataDir, FRESHET_API_TOKEN: TOKEN, ...env },
  });
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s: ${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /platform ready at (http:\/\/\S+)/.exec(err);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    void exited.then((x) => { clearTimeout(timer); reject(new Error(`${name} exited (${x.code ?? x.signal}) before listening: ${err}`)); });
  });
  return { name, child, url, stderr: () => err, exited };
}

/** Calls the instance's API; returns status and parsed body (text when not JSON). */
export async function api(i: Instance, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${i.url}${p}`, {
    method, headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed };
}

/** Polls `fn` every `stepMs` until it returns a value other than undefined; throws after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000, stepMs = 50): Promise<T> {
  const t0 = Date.now();
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) { lastErr = e; }
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Kills the instance if still running (test clean-up). */
export async function killInstance(i: Instance | undefined): Promise<void> {
  if (!i || i.child.exitCode !== null || i.child.signalCode !== null) return;
  i.child.kill('SIGKILL');
  await i.exited;
}

/** A local HTTP server recording the JSON bodies posted to it (alert webhooks). */
export interface Receiver { url: string; received: { at: number; body: Record<string, unknown> }[]; close(): Promise<void> }

export async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try { received.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }); } catch { /* not JSON: ignored */ }
      res.statusCode = 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`, received,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
