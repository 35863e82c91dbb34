/**
 * `freshet start`: the platform with the embedded defaults (embedded log, engine and dictionary in the data
 * directory; nothing else to run) on port 7070 (`--port`, `FRESHET_PORT`), serving the web UI and `/api/...`.
 * Builds the UI first when `web/dist` is missing and the build tooling is installed. `--demo` adds generated
 * streams and example features (demo.ts). Prints the URL and, when no token is configured, a generated admin token.
 * High availability (docs/high-availability.md): `--catalog postgres://...` (or FRESHET_CATALOG_URL) keeps the
 * dictionary, job specs and desired states in PostgreSQL and elects one leader per job among the instances sharing
 * it; `--checkpoint-dir` (FRESHET_CHECKPOINT_DIR) must then be a directory every instance reads and writes.
 * `--flink <url>` (FRESHET_FLINK_URL; FRESHET_FLINK_WEB_URL for the browser address) lists that Flink cluster's jobs too.
 * SIGTERM/SIGINT: stop accepting requests, stop the jobs with a final checkpoint, release leadership, exit 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Dictionary } from '../../catalog/dictionary/dictionary.js';
import { dataDir, logDirOf } from '../../catalog/dictionary/data-dir.js';
import { openDictionaryStore } from '../../catalog/dictionary/open-store.js';
import { loadTokenConfig } from './auth.js';
import { startDemo } from './demo.js';
import { createPlatformServer } from './platform-server.js';
import { packageRoot } from './static-ui.js';
import { EmbeddedKvStore } from '../../connectors/stores/embedded-kv-store.js';
import { SERVING_CACHE_ENTRIES } from '../../serving/read-features.js';
import { hostname } from 'node:os';
import { LeaderElection } from './leader-election.js';
import { PostgresJobStore } from './postgres-job-store.js';
import { restartPolicyFromEnv } from './supervisor.js';

export interface StartOptions {
  port?: number; host?: string; demo?: boolean; build?: boolean; logger?: boolean;
  /** A postgres:// URL shared by several instances (default $FRESHET_CATALOG_URL; none = embedded, one instance). */
  catalog?: string;
  /** Checkpoint root (default $FRESHET_CHECKPOINT_DIR, else <data>/platform/checkpoints); shared for HA. */
  checkpointDir?: string;
  /** Name of this instance (default $FRESHET_INSTANCE_ID, else host:pid). */
  instanceId?: string;
  /** REST URL of an Apache Flink cluster whose jobs the jobs page lists (default $FRESHET_FLINK_URL; none = off). */
  flink?: string;
}

/** Builds web/dist when missing (and possible); returns a note for the console. */
export function ensureUiBuilt(root = packageRoot()): string {
  const dist = path.join(root, 'web', 'dist', 'index.html');
  if (existsSync(dist)) return 'web UI: web/dist';
  const script = path.join(root, 'web', 'build.mjs');
  if (!existsSync(script)) return 'web UI: not available in this installation (API only)';
  const r = spawnSync(process.execPath, [script], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status === 0 && existsSync(dist) ? 'web UI: built web/dist' : 'web UI: build failed; run `npm run build:web` (the API still works)';
}

export async function startPlatform(o: StartOptions = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const data = dataDir();
  const catalogUrl = o.catalog ?? process.env['FRESHET_CATALOG_URL'] ?? '';
  const store = openDictionaryStore({ ...process.env, FRESHET_CATALOG_URL: catalogUrl });
  const shared = catalogUrl !== '';
  const instanceId = o.instanceId ?? (process.env['FRESHET_INSTANCE_ID'] || `${hostname()}:${process.pid}`);
  const ckEnv = process.env['FRESHET_CHECKPOINT_DIR'];
  const checkpointRoot = o.checkpointDir ?? (ckEnv !== undefined && ckEnv !== '' ? ckEnv : undefined);
  const jobStore = shared ? new PostgresJobStore({ url: catalogUrl }) : undefined;
  const sessionTimeout = Number(process.env['FRESHET_LEADER_SESSION_TIMEOUT_MS'] ?? '');
  const leader = shared ? new LeaderElection({ url: catalogUrl, instanceId, ...(Number.isFinite(sessionTimeout) && sessionTimeout > 0 ? { sessionTimeoutMs: sessionTimeout } : {}) }) : undefined;
  const dictionary = new Dictionary(store);
  const tokens = loadTokenConfig(data);
  const flinkUrl = o.flink ?? process.env['FRESHET_FLINK_URL'] ?? '';
  const uiNote = o.build === false ? 'web UI: not built (--no-build)' : ensureUiBuilt();
  const srv = await createPlatformServer({
    dictionary, logDir: logDirOf(data), platformDir: path.join(data, 'platform'), tokens,
    uiDir: path.join(packageRoot(), 'web', 'dist'), logger: o.logger ?? false,
    // Feature tables written with 'connector' = 'embedded-kv' (default path) are served at /api/features/{table}.
    servingStore: new EmbeddedKvStore({ tileReadCache: SERVING_CACHE_ENTRIES }),
    restartPolicy: restartPolicyFromEnv(), instanceId,
    ...(jobStore ? { jobStore } : {}), ...(leader ? { leader } : {}),
    ...(checkpointRoot !== undefined ? { checkpointRoot: path.resolve(checkpointRoot) } : {}),
    ...(flinkUrl ? { flink: { url: flinkUrl, ...(process.env['FRESHET_FLINK_WEB_URL'] ? { webUrl: process.env['FRESHET_FLINK_WEB_URL'] } : {}) } } : {}),
  });
  const demo = o.demo ? await startDemo(dictionary, srv.openLog, srv.jobs) : undefined;
  const port = o.port ?? (Number(process.env['FRESHET_PORT'] ?? '') || 7070);
  const address = await srv.app.listen({ port, host: o.host ?? '127.0.0.1' });
  const url = address.replace('[::1]', 'localhost');
  process.stderr.write(`freshet: platform ready at ${url} (data: ${data}; ${uiNote})\n`);
  process.stderr.write(`freshet: API docs at ${url}/api/docs; health at ${url}/healthz, ${url}/livez, ${url}/readyz\n`);
  if (flinkUrl) process.stderr.write(`freshet: listing the jobs of the Flink cluster at ${flinkUrl}\n`);
  if (shared) process.stderr.write(`freshet: shared catalog (PostgreSQL), instance ${instanceId}, checkpoints in ${checkpointRoot !== undefined ? path.resolve(checkpointRoot) : path.join(data, 'platform', 'checkpoints')}\n`);
  if (tokens.generated) {
    const t = tokens.tokens[0]!.token;
    process.stderr.write(`freshet: generated admin API token: ${t}\nfreshet: open ${url}/#token=${t}\n`);
  } else {
    process.stderr.write(`freshet: ${tokens.tokens.length} API token(s) configured\n`);
  }
  if (demo) process.stderr.write('freshet: demo streams orders, clicks, app_events and 3 example features are running\n');
  return {
    url,
    close: async () => {
      demo?.stop();
      await srv.app.close(); // stops the jobs (final checkpoints), then releases leadership
      await store.close();
      await jobStore?.close();
    },
  };
}

/** Adds `freshet start` to the CLI. */
export function registerStartCommand(program: Command): void {
  program.command('start')
    .description('start the Freshet platform (web UI and REST API) with the embedded log, engine and dictionary')
    .option('-p, --port <port>', 'port (default $FRESHET_PORT or 7070)', (v) => Number(v))
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--demo', 'register generated e-commerce streams and example features')
    .option('--no-build', 'do not build the web UI when it is missing')
    .option('--catalog <url>', 'postgres:// URL of a catalog shared by several instances (default $FRESHET_CATALOG_URL)')
    .option('--checkpoint-dir <dir>', 'checkpoint root, shared by all instances with --catalog (default $FRESHET_CHECKPOINT_DIR or <data>/platform/checkpoints)')
    .option('--instance-id <id>', 'name of this instance in job status and events (default $FRESHET_INSTANCE_ID or host:pid)')
    .option('--flink <url>', 'REST URL of an Apache Flink cluster whose jobs the jobs page lists (default $FRESHET_FLINK_URL)')
    .action(async (o: { port?: number; host: string; demo?: boolean; build: boolean; catalog?: string; checkpointDir?: string; instanceId?: string; flink?: string }) => {
      const p = await startPlatform({
        ...(o.port !== undefined ? { port: o.port } : {}), host: o.host, demo: o.demo === true, build: o.build,
        ...(o.catalog !== undefined ? { catalog: o.catalog } : {}), ...(o.checkpointDir !== undefined ? { checkpointDir: o.checkpointDir } : {}),
        ...(o.instanceId !== undefined ? { instanceId: o.instanceId } : {}),
        ...(o.flink !== undefined ? { flink: o.flink } : {}),
      });
      let closing = false;
      const shutdown = (): void => {
        if (closing) return;
        closing = true;
        process.stderr.write('freshet: stopping (jobs checkpoint on the way out)\n');
        void p.close().then(() => process.exit(0), (e: unknown) => { process.stderr.write(`freshet: ${String(e)}\n`); process.exit(1); });
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
