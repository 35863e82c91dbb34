/**
 * `freshet serve`: a serving tier apart from the platform. Worker processes (node:cluster, sharing one port) answer
 * `GET/POST /api/features/{table}` (src/serving/serving-server.ts, the API of serving-routes.ts) from an online store — the embedded LMDB store
 * (read by several processes at once while the platform's jobs write it) or Redis — with offline fusion applied
 * (FusedStore). Reads are CPU-bound (merging tiles), so one worker per core multiplies throughput; the platform's own
 * `/api/features` stays available for the UI.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { KvStore } from '../engine/kv-store-api.js';
import { EmbeddedKvStore, defaultKvPath } from '../connectors/stores/embedded-kv-store.js';
import { RedisKvStore } from '../connectors/stores/redis-kv-store.js';
import { FusedStore } from '../serving/fused-store.js';
import { createServingServer } from '../serving/serving-server.js';
import { SERVING_CACHE_ENTRIES } from '../serving/read-features.js';

/** Young-generation semi-space of serving workers, in MB (V8's default is 16 on 64-bit machines). */
const WORKER_SEMI_SPACE_MB = 64;

export interface ServeOptions {
  store: 'embedded-kv' | 'redis';
  /** embedded-kv: the LMDB directory. */
  path?: string;
  /** redis: server. */
  redisHost?: string;
  redisPort?: number;
  redisDatabase?: number;
  host: string;
  port: number;
  workers: number;
}

/** Opens the store and serves it in this process until it is closed; resolves with the listening URL. */
export async function serveFeatures(o: ServeOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const store: KvStore = o.store === 'redis'
    ? new RedisKvStore({ host: o.redisHost ?? '127.0.0.1', port: o.redisPort ?? 6379, database: o.redisDatabase ?? 0 })
    : new EmbeddedKvStore({ path: o.path ?? defaultKvPath(), tileReadCache: SERVING_CACHE_ENTRIES });
  await store.open();
  // A bare node:http server (serving-server.ts): the framework's per-request work was a large share of a read's cost.
  const server = createServingServer(new FusedStore(store));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : o.port;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  const close = async (): Promise<void> => {
    await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeIdleConnections(); });
    await store.close();
  };
  return { url, close };
}

export function registerServeCommand(program: Command): void {
  program.command('serve')
    .description('serve feature tables from an online store over HTTP with several worker processes (a serving tier)')
    .option('--store <store>', "'embedded-kv' or 'redis'", 'embedded-kv')
    .option('--path <dir>', 'embedded-kv: LMDB directory (default $FRESHET_DATA_DIR/kv)')
    .option('--redis-host <host>', 'redis: host', '127.0.0.1')
    .option('--redis-port <port>', 'redis: port', (v) => Number(v), 6379)
    .option('--redis-database <n>', 'redis: database number', (v) => Number(v), 0)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port', (v) => Number(v), 7071)
    .option('-w, --workers <n>', 'worker processes (default: one per core)', (v) => Number(v))
    .action(async (o: { store: string; path?: string; redisHost: string; redisPort: number; redisDatabase: number; host: string; port: number; workers?: number }) => {
      if (o.store !== 'embedded-kv' && o.store !== 'redis') { process.stderr.write(`unknown store '${o.store}' (embedded-kv or redis)\n`); process.exitCode = 2; return; }
      const workers = Math.max(1, o.workers ?? availableParallelism());
      const opts: ServeOptions = {
        store: o.store, redisHost: o.redisHost, redisPort: o.redisPort, redisDatabase: o.redisDatabase, host: o.host, port: o.port, workers,
        ...(o.path !== undefined ? { path: o.path } : {}),
      };
      if (workers === 1 || !cluster.isPrimary) {
        const s = await serveFeatures(opts);
        if (cluster.isPrimary) process.stderr.write(`freshet serve: ${s.url} (${o.store}, 1 process)\n`);
        const stop = (): void => { void s.close().then(() => process.exit(0)); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        return;
      }
      // The primary only supervises: a worker that dies is replaced. Workers get a larger young generation unless the
      // user chose one: a read allocates the tile texts it compares with its cache (~10 KB for 50 features), and with
      // V8's default semi-space the scavenges ran often enough to double p99 (docs/serving.md, "Performance").
      const chosen = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some((a) => a.includes('semi-space'));
      if (!chosen) cluster.setupPrimary({ execArgv: [...process.execArgv, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`] });
      for (let i = 0; i < workers; i++) cluster.fork();
      let stopping = false;
      cluster.on('exit', (w, code) => {
        if (stopping) return;
        process.stderr.write(`freshet serve: worker ${w.process.pid} exited (${code}); starting another\n`);
        cluster.fork();
      });
      let ready = 0;
      cluster.on('listening', () => { if (++ready === workers) process.stderr.write(`freshet serve: http://${o.host}:${o.port} (${o.store}, ${workers} workers)\n`); });
      const stop = (): void => {
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
        setTimeout(() => process.exit(0), 2000).unref();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
