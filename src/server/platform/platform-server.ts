/**
 * Freshet's platform server: one Fastify app with the data dictionary API (dictionary-routes.ts), the jobs/SQL API
 * (platform-routes.ts), OpenAPI 3 at `/api/openapi.json` with browsable docs at `/api/docs`, bearer-token auth with
 * roles (auth.ts), `GET /healthz`, and the web UI. Every route with a body or parameters validates them with its
 * JSON schema before any handler runs: invalid input is a 400 naming the field and changes nothing.
 * `createPlatformServer` returns the app without listening (tests use `inject`).
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Dictionary } from '../../catalog/dictionary/dictionary.js';
import { EmbeddedLog } from '../../connectors/embedded-log/embedded-log.js';
import { registerDictionaryRoutes } from '../dictionary-routes.js';
import { installAuth, type TokenConfig } from './auth.js';
import { JobManager } from './job-manager.js';
import { registerPlatformRoutes } from './platform-routes.js';
import { registerStaticUi } from './static-ui.js';
import type { KvStore } from '../../engine/kv-store-api.js';
import { EmbeddedKvStore, defaultKvPath } from '../../connectors/stores/embedded-kv-store.js';
import { SERVING_CACHE_ENTRIES } from '../../serving/read-features.js';
import { FeatureStores } from './feature-stores.js';
import { registerFeatureRoutes } from './feature-routes.js';
import { registerOfflineRoutes } from './offline-routes.js';
import { registerFlinkRoutes } from './flink-routes.js';
import { FlinkJobs } from './flink-jobs.js';
import { installBodyParsers, lazyLog } from '../body-parsers.js';
import { installMonitoring, type Monitoring, type MonitoringOptions } from '../monitoring/monitoring.js';
import { featureCheckProvider } from '../monitoring/feature-check-provider.js';
import { registerHealthRoutes } from './health-routes.js';
import type { JobSpecStore } from './job-spec-store.js';
import type { LeaderElection } from './leader-election.js';
import type { RestartPolicy } from './supervisor.js';
import { addApiSchemas } from './api-schemas.js';

export interface PlatformServerOptions {
  dictionary: Dictionary;
  /** Root of the embedded log. */
  logDir: string;
  /** Root of the platform's own state (job specs, checkpoints). */
  platformDir: string;
  tokens: TokenConfig;
  /** Built UI directory (default web/dist of the package); missing → a page saying how to build it. */
  uiDir?: string;
  /** Directory relative paths in SQL resolve against. */
  baseDir?: string;
  logger?: boolean;
  bodyLimit?: number;
  /** Start jobs whose desired state is running (default true). */
  resumeJobs?: boolean;
  /**
   * The default online store (default: the embedded store at `<data>/kv`, opened on first use): `embedded-kv`
   * job outputs without a path write there, and `GET/POST /api/features/{table}` serve tables no job publishes
   * from it. Tables published to other stores (Redis) are served from a store per connection.
   */
  servingStore?: KvStore;
  /** Directory of an embedded default store (when `servingStore` is not an EmbeddedKvStore with its own path). */
  kvPath?: string;
  /** Monitoring settings (docs/monitoring.md): collection interval, webhook retries, public URL for links. */
  monitoring?: Pick<MonitoringOptions, 'intervalMs' | 'retry' | 'publicUrl' | 'autoStart'>;
  /** High availability (docs/high-availability.md): job specs in a shared store, shared checkpoints, leader election. */
  jobStore?: JobSpecStore;
  checkpointRoot?: string;
  leader?: LeaderElection;
  restartPolicy?: RestartPolicy;
  instanceId?: string;
  /** An Apache Flink session cluster whose jobs the platform lists beside its own (none: the feature is off). */
  flink?: { url: string; webUrl?: string };
}

export interface PlatformServer {
  app: FastifyInstance;
  jobs: JobManager;
  /** Metrics (`/metrics`, `/api/metrics/...`) and alerting (`/api/alerts/...`) of this instance. */
  monitoring: Monitoring;
  /** Opens (once) the embedded log for appending. */
  openLog: () => Promise<EmbeddedLog>;
}

/** Field path of an Ajv error: `/outputs/0/table` → `outputs[0].table`, plus the missing/extra property. */
function fieldOf(v: { instancePath?: string; params?: Record<string, unknown> }, context: string | undefined): string {
  let p = (v.instancePath ?? '').split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '');
  const extra = v.params?.['missingProperty'] ?? v.params?.['additionalProperty'];
  if (typeof extra === 'string') p = p ? `${p}.${extra}` : extra;
  return p || (context ?? 'body');
}

export async function createPlatformServer(o: PlatformServerOptions): Promise<PlatformServer> {
  const app = Fastify({
    logger: o.logger ?? false,
    bodyLimit: o.bodyLimit ?? 16 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
  });
  const logs = lazyLog(o.logDir);
  const openLog = logs.open;
  installBodyParsers(app);
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0]!;
      const field = fieldOf(v as never, err.validationContext);
      const where = err.validationContext && err.validationContext !== 'body' ? `${err.validationContext} ` : '';
      return reply.code(400).send({ error: { code: 'VALIDATION', message: `${where}${field}: ${v.message ?? 'is invalid'}`, field } });
    }
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) app.log.error(err);
    return reply.code(status).send({ error: { code: err.code ?? (status === 500 ? 'INTERNAL' : 'BAD_REQUEST'), message: status === 500 ? `internal error: ${err.message}` : err.message } });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Freshet platform API', version: '0.1.0', description: 'Data dictionary, feature jobs, SQL validation and preview. Send `Authorization: Bearer <token>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      tags: [{ name: 'sources' }, { name: 'jobs' }, { name: 'features' }, { name: 'sql' }, { name: 'platform' }],
    },
    // Shared schemas (api-schemas.ts) become components named after their $id (the generated client's types).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  });
  addApiSchemas(app);
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // The dictionary routes carry no schemas of their own: tag and document them here.
  app.addHook('onRoute', (r) => {
    if (!r.url.startsWith('/api/sources')) return;
    const schema = (r.schema ?? {}) as Record<string, unknown>;
    schema['tags'] ??= ['sources'];
    schema['summary'] ??= `${String(r.method)} ${r.url}`;
    if (r.url.includes(':name')) schema['params'] ??= { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    r.schema = schema;
  });

  installAuth(app, o.tokens);
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  registerDictionaryRoutes(app, { dictionary: o.dictionary, logDir: o.logDir, openLog });
  const defaultStore = o.servingStore ?? new EmbeddedKvStore({ ...(o.kvPath ? { path: o.kvPath } : {}), tileReadCache: SERVING_CACHE_ENTRIES });
  const kvPath = defaultStore instanceof EmbeddedKvStore ? defaultStore.path : (o.kvPath ?? defaultKvPath());
  const jobs = new JobManager({
    dictionary: o.dictionary, logDir: o.logDir, root: o.platformDir, kvPath, ...(o.baseDir ? { baseDir: o.baseDir } : {}),
    ...(o.jobStore ? { store: o.jobStore } : {}), ...(o.checkpointRoot ? { checkpointRoot: o.checkpointRoot } : {}),
    ...(o.leader ? { leader: o.leader } : {}), ...(o.restartPolicy ? { restartPolicy: o.restartPolicy } : {}),
    ...(o.instanceId ? { instanceId: o.instanceId } : {}),
  });
  registerPlatformRoutes(app, { dictionary: o.dictionary, jobs, logDir: o.logDir, baseDir: o.baseDir ?? process.cwd(), tokens: o.tokens });
  const stores = new FeatureStores(defaultStore, kvPath, o.baseDir ?? '.');
  registerFeatureRoutes(app, jobs, stores);
  registerOfflineRoutes(app, jobs, stores);
  registerFlinkRoutes(app, o.flink ? new FlinkJobs(o.flink) : undefined);
  const monitoring = installMonitoring(app, { ...(o.monitoring ?? {}), jobs, platformDir: o.platformDir, instance: jobs.instanceId });
  monitoring.addCheckProvider(featureCheckProvider(() => jobs.features(), (f) => stores.storeFor(f)));
  registerHealthRoutes(app, {
    checks: {
      catalog: async () => { await o.dictionary.list(); await jobs.store.ping?.(); },
      // One round trip per online store a published feature table lives in (and the default store).
      stores: async () => {
        const seen = new Set<unknown>();
        for (const f of [undefined, ...await jobs.features()]) {
          const s = await stores.storeFor(f);
          if (seen.has(s)) continue;
          seen.add(s);
          await s.getMeta(f?.table ?? '__freshet', 'readyz');
        }
      },
      jobs: () => {
        if (!jobs.resumed) throw new Error('jobs are still being restored');
        if (jobs.reconcileError !== undefined) throw new Error(`leader loop: ${jobs.reconcileError}`);
      },
    },
  });
  if (o.uiDir !== undefined) registerStaticUi(app, o.uiDir);
  app.addHook('onClose', async () => {
    await jobs.close();
    await stores.close();
    const log = logs.opened();
    if (log) await (await log.catch(() => undefined))?.close();
  });
  if (o.resumeJobs ?? true) await jobs.resume();
  return { app, jobs, monitoring, openLog };
}
