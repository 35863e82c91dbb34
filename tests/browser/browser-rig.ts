// What the browser tests share: where Chromium and the screenshots are, a `freshet start` child process on a free
// port with an API token (and how to call its API and stop it), the web build, a headless Chromium through
// playwright-core, and polling until a condition holds.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = path.join(ROOT, 'docs', 'screenshots');
/** The skip reason when Chromium is missing, false when it is there or FRESHET_REQUIRE_BROWSER=1 (then it fails). */
export const browserSkip = !existsSync(CHROMIUM) && process.env['FRESHET_REQUIRE_BROWSER'] !== '1'
  ? `${CHROMIUM} is missing (install it with scripts/chromium.sh)` : false;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

/** Polls `fn` every `everyMs` until it gives a value other than undefined and false; a timeout names the last error. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < timeoutMs) {
    try { const v = await fn(); if (v !== undefined && v !== false) return v; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Builds web/dist when it has not been built yet. */
export function ensureWebBuild(): void {
  if (existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) return;
  const b = spawnSync(process.execPath, [path.join(ROOT, 'web', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(b.status, 0, `web build failed: ${b.stderr}`);
}

/** A `freshet start` child process serving the API and the UI at `url`. */
export interface PlatformProcess {
  readonly url: string;
  /** An API call with the token; a non-2xx answer throws with its body; an empty body is undefined. */
  call<T = unknown>(method: string, p: string, body?: unknown): Promise<T>;
  /** SIGTERM, then SIGKILL when it has not exited after 5 s. */
  stop(): Promise<void>;
}

/**
 * Starts the platform with its data in `dir`/data and `token` as its API token, and waits for GET /healthz (a
 * failure to come up throws with the server's stderr and stops it).
 */
export async function startPlatform(dir: string, token: string): Promise<PlatformProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'start', '--port', String(port), '--no-build'], {
    cwd: ROOT, env: { ...process.env, FRESHET_DATA_DIR: path.join(dir, 'data'), FRESHET_API_TOKEN: token }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const stop = async (): Promise<void> => {
    if (server.exitCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  };
  try {
    await waitFor('GET /healthz', async () => (await fetch(`${url}/healthz`)).status === 200, 60_000).catch((e: unknown) => { throw new Error(`${String(e)}\n${stderr}`); });
  } catch (e) {
    await stop();
    throw e;
  }
  const call = async <T = unknown>(method: string, p: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const t = await r.text();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${t}`);
    return (t ? JSON.parse(t) : undefined) as T;
  };
  return { url, call, stop };
}

/** Headless Chromium with a profile in `dir`/profile, pages of the given size. */
export async function launchBrowser(dir: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM, headless: true, viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
