/**
 * Serving over HTTP under concurrent load (not a test: nothing is asserted).
 *   npm run bench -- serving-http [--store embedded|redis|all] [--keys 10000] [--duration 10] [--connections 4,8,32] [--workers 1,2]
 *                                 [--data DIR] [--client wrk|autocannon] [--rate 5000,10000] [--open-connections 16]
 * A 50-feature table over 1 h, 24 h and 7 d windows (tiles of 1 min / 1 h / 1 d, written by the TileSinkOperator from
 * random events over 8 days) is served by `freshet serve` (worker processes; src/cli/serve-command.ts) from the embedded
 * LMDB store and from Redis;
 * a load generator in another process (wrk when installed, else autocannon; `--client`) sends GET requests for one random key each (and POST batches of
 * 100 keys) at read times within an hour after the data. Prints QPS and latency percentiles as measured by the client
 * (so they include HTTP and the event loop's queueing).
 * Those runs are closed-loop: each connection sends its next request when the last answer came, so they measure the
 * most the server answers and the latency at that saturation. `--rate` adds open-loop runs at fixed request rates
 * (bench/openloop/openloop.c, built with the system's C compiler): requests are sent on schedule whatever the server
 * does and latency counts from the scheduled time, i.e. the latency a client sees at that rate.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KvStore } from '../src/engine/kv-store-api.js';
import { TileSinkOperator } from '../src/engine/operators/tile-sink-operator.js';
import { DAY, HOUR, INPUT, MIN, ctx, load, rng, spec } from './serving-data.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const KEYS = Number(arg('keys', '10000'));
const DURATION = Number(arg('duration', '10'));
/** Closed-loop runs per connection count (`--connections ''`: open-loop runs only). */
const CONNECTIONS = arg('connections', '4,8,32').split(',').filter((x) => x !== '').map(Number);
const WORKERS = arg('workers', '1,2').split(',').map(Number);
const DATA = arg('data', '');
const STORES = arg('store', 'all');
const RATES = arg('rate', '').split(',').filter((x) => x !== '').map(Number);
const OPEN_CONNECTIONS = Number(arg('open-connections', '16'));
const END = Date.UTC(2024, 4, 8, 12);

interface LoadResult { rps: number; p50: number; p90: number; p99: number; p999: number; max: number; errors: number; timeouts: number; non2xx: number }

/** wrk (C, Debian package `wrk`) loads the server with less CPU than a Node client; autocannon when it is absent. */
const CLIENT = arg('client', spawnSync('wrk', ['--version']).error === undefined ? 'wrk' : 'autocannon');

/** Runs the load generator in a child process (asynchronously: the server under test shares this event loop). */
function runClient(url: string, method: 'GET' | 'POST', paths: string[], bodies: string[] | undefined, duration: number, connections = 8): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'freshet-load-'));
  let cmd: string, args: string[];
  if (CLIENT === 'wrk') {
    const lua = path.join(dir, 'requests.lua');
    const list = (xs: string[]): string => `{${xs.map((x) => JSON.stringify(x)).join(',')}}`;
    writeFileSync(lua, [
      `local paths = ${list(paths)}`,
      `local bodies = ${bodies ? list(bodies) : 'nil'}`,
      'local i = 0',
      'request = function()',
      '  i = i + 1',
      `  if bodies then return wrk.format("POST", paths[1], {["Content-Type"] = "application/json"}, bodies[(i % #bodies) + 1]) end`,
      '  return wrk.format("GET", paths[(i % #paths) + 1])',
      'end',
      'done = function(s, l)',
      '  local e = s.errors.connect + s.errors.read + s.errors.write + s.errors.status + s.errors.timeout',
      '  io.write(string.format(\'{"rps":%f,"p50":%f,"p90":%f,"p99":%f,"p999":%f,"max":%f,"errors":%d,"timeouts":0,"non2xx":0}\\n\',',
      '    s.requests / (s.duration / 1e6), l:percentile(50) / 1000, l:percentile(90) / 1000, l:percentile(99) / 1000, l:percentile(99.9) / 1000, l.max / 1000, e))',
      'end',
    ].join('\n'));
    cmd = 'wrk';
    args = ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '-s', lua, url];
  } else {
    const cfg = path.join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify({ url, method, paths, bodies, connections, duration }));
    cmd = process.execPath;
    args = ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'serving-load-client.ts'), cfg];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (code !== 0 || line === undefined) reject(new Error(`load client failed (${code}): ${err}${out}`));
      else resolve(JSON.parse(line) as LoadResult);
    });
  });
}

/** The open-loop client, compiled once per source version into the temp directory. */
function openLoopBinary(): string {
  const src = path.join(path.dirname(fileURLToPath(import.meta.url)), 'openloop', 'openloop.c');
  const bin = path.join(tmpdir(), `freshet-openloop-${statSync(src).mtimeMs.toFixed(0)}`);
  if (!existsSync(bin)) {
    const r = spawnSync('cc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot build ${src} (a C compiler is needed for --rate): ${r.stderr ?? r.error?.message ?? ''}`);
  }
  return bin;
}

/** One open-loop run at `rate` requests/s (see the module comment). */
function runOpenLoop(url: string, paths: string[], rate: number, duration: number, connections: number): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'freshet-load-'));
  const file = path.join(dir, 'paths.txt');
  writeFileSync(file, paths.join('\n') + '\n');
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const child = spawn(openLoopBinary(), [u.hostname, u.port, String(rate), String(duration), String(connections), file, '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      const f = Object.fromEntries(out.trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]).map(([k, v]) => [k, Number(v)]));
      if (code !== 0 || f['requests'] === undefined) { reject(new Error(`open-loop client failed (${code}): ${err}${out}`)); return; }
      const us = (k: string): number => f[k]! / 1000;
      resolve({ rps: f['rate']!, p50: us('p50_us'), p90: us('p90_us'), p99: us('p99_us'), p999: us('p999_us'), max: us('max_us'), errors: f['errors']!, timeouts: 0, non2xx: 0 });
    });
  });
}

/** Starts `freshet serve` (`workers` processes) over the store; resolves with its URL and a stop function. */
async function startServer(args: string[], workers: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = 17000 + Math.floor(Math.random() * 2000);
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', ...args, '--port', String(port), '--workers', String(workers)],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`freshet serve exited: ${err}`);
    if (/workers\)|1 process\)/.test(err)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}

/** Loads the tiles into `store` (then closed; `loaded`: it holds them already), serves them with `freshet serve <serveArgs>` and measures. */
async function measure(store: KvStore, label: string, serveArgs: string[], rows: string[][], loaded = false): Promise<void> {
  if (!loaded) {
    const op = new TileSinkOperator(spec([HOUR, DAY, 7 * DAY], [MIN, HOUR, DAY], 50), ctx, undefined, INPUT, store);
    await load(op, KEYS, 40, 8 * DAY, END);
    await store.flush?.();
  }
  await store.close();
  const r = rng(3);
  const paths: string[] = [];
  for (let i = 0; i < 5000; i++) paths.push(`/api/features/bench?key=u${Math.floor(r() * KEYS)}&at=${END + Math.floor(r() * HOUR)}`);
  const bodies: string[] = [];
  for (let i = 0; i < 500; i++) {
    const keys: string[] = [];
    for (let k = 0; k < 100; k++) keys.push(`u${Math.floor(r() * KEYS)}`);
    bodies.push(JSON.stringify({ keys, at: END + Math.floor(r() * HOUR) }));
  }
  for (const workers of WORKERS) {
    const server = await startServer(serveArgs, workers);
    const { url } = server;
    try {
      // Warm-up (layout and parse caches, JIT), then the measured runs.
      await runClient(url, 'GET', paths, undefined, 5);
      for (const c of CONNECTIONS) {
        const load1 = loadavg()[0]!.toFixed(2);
        const one = await runClient(url, 'GET', paths, undefined, DURATION, c);
        rows.push([label, String(workers), 'GET, 1 key', String(c), one.rps.toFixed(0), one.rps.toFixed(0), ms(one.p50), ms(one.p99), ms(one.p999), String(one.errors + one.non2xx), load1]);
      }
      for (const rate of RATES) {
        const load1 = loadavg()[0]!.toFixed(2);
        const o = await runOpenLoop(url, paths, rate, DURATION, OPEN_CONNECTIONS);
        rows.push([label, String(workers), `GET, 1 key, ${rate}/s open loop`, String(OPEN_CONNECTIONS), o.rps.toFixed(0), o.rps.toFixed(0), ms(o.p50), ms(o.p99), ms(o.p999), String(o.errors), load1]);
      }
      const c = CONNECTIONS[0];
      if (c === undefined) continue;
      const load1 = loadavg()[0]!.toFixed(2);
      const batch = await runClient(url, 'POST', ['/api/features/bench'], bodies, DURATION, c);
      rows.push([label, String(workers), 'POST, 100 keys', String(c), batch.rps.toFixed(0), (batch.rps * 100).toFixed(0), ms(batch.p50), ms(batch.p99), ms(batch.p999), String(batch.errors + batch.non2xx), load1]);
    } finally {
      await server.stop();
    }
  }
}

const ms = (x: number): string => x.toFixed(2);

async function main(): Promise<void> {
  const rows: string[][] = [];
  if (STORES === 'embedded' || STORES === 'all') {
    const dir = DATA !== '' ? DATA : mkdtempSync(path.join(tmpdir(), 'freshet-serving-http-'));
    const loaded = DATA !== '' && existsSync(path.join(dir, 'data.mdb'));
    const { EmbeddedKvStore } = await import('../src/connectors/stores/embedded-kv-store.js');
    const store = new EmbeddedKvStore({ path: dir });
    await store.open();
    try {
      await measure(store, 'embedded (LMDB)', ['--store', 'embedded-kv', '--path', dir], rows, loaded);
    } finally {
      if (DATA === '') rmSync(dir, { recursive: true, force: true });
    }
  }
  if (STORES === 'redis' || STORES === 'all') {
    const { RedisKvStore } = await import('../src/connectors/stores/redis-kv-store.js');
    const port = Number(process.env['FRESHET_REDIS_PORT'] ?? 16379);
    const store = new RedisKvStore({ port, database: 13 });
    try {
      await store.open();
      // With --data the Redis database 13 is reused too when it holds the table (a previous run loaded it).
      const loaded = DATA !== '' && (await store.getMeta('bench', 'tiles')) !== null;
      await measure(store, 'redis', ['--store', 'redis', '--redis-port', String(port), '--redis-database', '13'], rows, loaded);
    } catch (e) {
      process.stdout.write(`redis: ${(e as Error).message} (start it with scripts/redis.sh start)\n`);
    }
  }
  const head = ['store', 'workers', 'request', 'connections', 'requests/s', 'keys/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'load avg'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i >= 3 || i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  process.stdout.write(`${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(`50 features over 1 h / 24 h / 7 d windows, ${KEYS} keys, ${DURATION} s per run; freshet serve with ${WORKERS.join(' / ')} worker(s); ` +
    `client ${CLIENT} (1 thread; open-loop runs: bench/openloop, ${OPEN_CONNECTIONS} connections) on the same machine (${availableParallelism()} cores); latency measured by the client; ` +
    `load avg = the machine's 1-minute load average before the run\n`);
}

await main();
