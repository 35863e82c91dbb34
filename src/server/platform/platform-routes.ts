/**
 * The platform's REST API (jobs, SQL, catalog, admin), each route with a JSON schema that validates the request
 * (Fastify/Ajv) and documents it in OpenAPI:
 *   GET  /api/whoami                       the caller's role
 *   GET  /api/catalog/tables               every dictionary table with columns (schema browser, completion)
 *   POST /api/sql/validate                 {sql} → positioned diagnostics and result columns (full compiler)
 *   POST /api/sql/preview                  {sql, limit?, timeoutMs?} → result table over the sources' current data
 *   GET  /api/jobs                         specs with status
 *   POST /api/jobs[?start=false]           create (validated completely first) and start → 201
 *   GET  /api/jobs/{name}                  spec + status;  PUT: new version;  DELETE: remove (admin)
 *   GET  /api/jobs/{name}/versions         every version
 *   POST /api/jobs/{name}/start|stop|restart
 *   GET  /api/jobs/{name}/results          latest row per entity key and recent changes
 *   GET  /api/jobs/{name}/metrics          throughput/watermark series and checkpoints
 *   GET  /api/admin/tokens                 configured tokens (names and roles; values masked)
 * (features: feature-routes.ts; SQL compiles against the dictionary plus the published feature tables)
 * Errors: `{ error: { code, message, field?, hint?, details? } }` — 400 invalid (naming the field), 401/403 auth,
 * 404 unknown, 409 conflicts.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FreshetError, type Diagnostic } from '../../common/diagnostics.js';
import type { Dictionary } from '../../catalog/dictionary/dictionary.js';
import { JobErrors, onJobEvent, type JobManager } from './job-manager.js';
import { jobSpecInputSchema, type JobSpecInput } from './job-spec.js';
import { maskedTokens, type TokenConfig } from './auth.js';
import { catalogTables, previewSql, validateSql } from './sql-service.js';
import { errorResponses, schemaRef } from './api-schemas.js';
import { JobHistory } from './job-history.js';
import { checkUpgrade, upgradeJob } from './job-upgrade.js';
import path from 'node:path';

export interface PlatformRoutesOptions {
  dictionary: Dictionary;
  /** Where job histories are kept (default `<jobs root>/history`). */
  historyDir?: string;
  jobs: JobManager;
  logDir: string;
  baseDir: string;
  tokens: TokenConfig;
}

const STATUS: Record<string, number> = { [JobErrors.UnknownJob]: 404, [JobErrors.Exists]: 409, [JobErrors.VersionConflict]: 409, [JobErrors.FeatureTaken]: 409 };

const diagJson = (d: Diagnostic): Record<string, unknown> => ({
  code: d.code, message: d.message, ...(d.source ? { field: d.source } : {}), ...(d.hint ? { hint: d.hint } : {}), ...(d.span ? { span: d.span } : {}),
});

/** Sends a FreshetError as the API's error body; anything else is rethrown (a 500 from the error handler). */
export function sendPlatformError(reply: FastifyReply, e: unknown): FastifyReply {
  if (!(e instanceof FreshetError)) throw e;
  const ds = e.diagnostics;
  const first = ds[0]!;
  const status = STATUS[first.code] ?? (e.origin === 'user' ? 400 : e.origin === 'external' ? 503 : 500);
  return reply.code(status).send({
    error: {
      ...diagJson(first),
      message: ds.length === 1 ? first.message : ds.map((d) => d.message).join('; '),
      ...(ds.length > 1 || first.span ? { details: ds.map(diagJson) } : {}),
    },
  });
}

const errors = errorResponses(400, 401, 403, 404, 409, 503);
const arrayOf = (name: Parameters<typeof schemaRef>[0]) => ({ type: 'array', items: schemaRef(name) });
const obj = (properties: Record<string, unknown>) => ({ type: 'object', required: Object.keys(properties), properties });
const statusAnswer = { 200: obj({ status: schemaRef('JobStatus') }), ...errors };
const jobAnswer = obj({ job: schemaRef('JobSpec') });
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 128 } } } as const;
const sqlBody = {
  type: 'object', required: ['sql'], additionalProperties: false,
  properties: {
    sql: { type: 'string', minLength: 1, maxLength: 100_000 },
    limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 60_000, default: 5000 },
  },
} as const;
const limitQuery = { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[0-9]{1,5}$' } } } as const;

type NameReq = { Params: { name: string } };

export function registerPlatformRoutes(app: FastifyInstance, o: PlatformRoutesOptions): void {
  const J = o.jobs;
  const history = new JobHistory(o.historyDir ?? path.join(J.o.root, 'history'));
  // Best effort: a history that cannot be written must not fail the operation that already happened.
  const record = async (name: string, kind: Parameters<JobHistory['record']>[1]['kind'], version: number, extra: { restoredFrom?: string; note?: string } = {}): Promise<void> => {
    await history.record(name, { kind, version, ...extra }).catch(() => undefined);
  };
  // What the supervisor does on its own (this instance's jobs only) goes into the history too.
  const unsubscribe = onJobEvent((ev) => {
    if (ev.instance !== J.instanceId) return;
    const version = ev.version ?? 0;
    if (ev.kind === 'failed') void record(ev.job, 'failed', version, ev.error ? { note: ev.error } : {});
    else if (ev.kind === 'restarting') void record(ev.job, ev.reason === 'failover' ? 'failover' : 'auto-restart', version, { note: `attempt ${ev.attempt ?? '?'}${ev.error ? `: ${ev.error}` : ''}` });
  });
  app.addHook('onClose', async () => { unsubscribe(); });
  const wrap = <R>(fn: (req: R, reply: FastifyReply) => Promise<unknown>) => async (req: R, reply: FastifyReply) => {
    try { return await fn(req, reply); } catch (e) { return sendPlatformError(reply, e); }
  };
  const limitOf = (q: { limit?: string }, dflt: number): number => Math.min(10_000, Math.max(1, q.limit === undefined ? dflt : Number(q.limit)));

  app.get('/api/whoami', { schema: { tags: ['platform'], summary: "The caller's role", response: { 200: { type: 'object', required: ['role'], properties: { role: { type: 'string', enum: ['viewer', 'editor', 'admin'] }, token: { type: 'string', description: 'Name of the token' } } }, ...errors } } },
    async (req) => ({ role: req.role, token: req.tokenName }));

  app.get('/api/admin/tokens', { schema: { tags: ['platform'], summary: 'Configured API tokens (values masked; admin)', response: { 200: obj({ tokens: { type: 'array', items: obj({ name: { type: 'string' }, role: { type: 'string', enum: ['viewer', 'editor', 'admin'] }, token: { type: 'string' } }) } }), ...errors } } },
    async () => ({ tokens: maskedTokens(o.tokens) }));

  app.get('/api/catalog/tables', { schema: { tags: ['sql'], summary: 'Dictionary tables and columns', response: { 200: obj({ tables: arrayOf('CatalogTable') }), ...errors } } },
    wrap(async () => ({ tables: await catalogTables(o.dictionary) })));

  app.post<{ Body: { sql: string } }>('/api/sql/validate', { schema: { tags: ['sql'], summary: 'Compile SQL over the dictionary; positioned diagnostics', body: sqlBody, response: { 200: schemaRef('ValidateResult'), ...errors } } },
    wrap(async (req: { body: { sql: string } }) => validateSql(o.dictionary, o.logDir, req.body.sql, o.baseDir, await J.features())));

  app.post<{ Body: { sql: string; limit: number; timeoutMs: number } }>('/api/sql/preview', { schema: { tags: ['sql'], summary: "Run SQL over the sources' current data (bounded)", body: sqlBody, response: { 200: schemaRef('PreviewResult'), ...errors } } },
    wrap(async (req: { body: { sql: string; limit: number; timeoutMs: number } }) => previewSql(o.dictionary, o.logDir, req.body.sql, o.baseDir, req.body.limit, req.body.timeoutMs, await J.features())));

  app.get('/api/jobs', { schema: { tags: ['jobs'], summary: 'Jobs with status', response: { 200: obj({ jobs: arrayOf('JobWithStatus') }), ...errors } } },
    wrap(async () => ({ jobs: await J.list() })));

  app.post<{ Body: JobSpecInput; Querystring: { start?: string } }>('/api/jobs', {
    schema: {
      tags: ['jobs'], summary: 'Create a job (validated completely first) and start it', body: jobSpecInputSchema,
      querystring: { type: 'object', additionalProperties: false, properties: { start: { type: 'string', enum: ['true', 'false'] } } },
      response: { 201: jobAnswer, ...errors },
    },
  }, wrap(async (req: { body: JobSpecInput; query: { start?: string } }, reply) => {
    // Saved first, then started: the history lists creation before anything the first run does.
    const job = await J.create(req.body, false);
    await record(job.name, 'created', job.version);
    if (req.query.start !== 'false') {
      await record(job.name, 'start', job.version);
      await J.start(job.name);
    }
    return reply.code(201).send({ job });
  }));

  app.post<{ Body: JobSpecInput }>('/api/jobs/check', { schema: { tags: ['jobs'], summary: 'Validate a job spec without saving it', body: jobSpecInputSchema, response: { 200: obj({ ok: { type: 'boolean' }, columns: arrayOf('Column') }), ...errors } } },
    wrap(async (req: { body: JobSpecInput }) => ({ ok: true, ...(await J.check(req.body)) })));

  app.get<NameReq>('/api/jobs/:name', { schema: { tags: ['jobs'], summary: 'A job: spec and status', params: nameParams, response: { 200: obj({ job: schemaRef('JobSpec'), status: schemaRef('JobStatus') }), ...errors } } },
    wrap(async (req: { params: { name: string } }) => ({ job: await J.mustGet(req.params.name).then(() => J.get(req.params.name)), status: await J.status(req.params.name) })));

  app.put<{ Params: { name: string }; Body: JobSpecInput; Querystring: { expectedVersion?: string; mode?: 'fresh' | 'keep-state' } }>('/api/jobs/:name', {
    schema: {
      tags: ['jobs'],
      summary: 'Save a new version (a running job restarts on it): mode=fresh starts it from scratch (default); mode=keep-state resumes from the newest checkpoint and is refused (409, with the reasons) unless the new version compiles to the same program',
      params: nameParams, body: jobSpecInputSchema,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { expectedVersion: { type: 'string', pattern: '^[0-9]{1,9}$' }, mode: { type: 'string', enum: ['fresh', 'keep-state'] } },
      },
      response: { 200: obj({ job: schemaRef('JobSpec'), upgrade: schemaRef('UpgradeCheck') }), ...errors },
    },
  }, wrap(async (req: { params: { name: string }; body: JobSpecInput; query: { expectedVersion?: string; mode?: 'fresh' | 'keep-state' } }) => {
    const mode = req.query.mode ?? 'fresh';
    const expected = req.query.expectedVersion === undefined ? undefined : Number(req.query.expectedVersion);
    const { job, check } = await upgradeJob(J, req.params.name, req.body, mode, expected);
    const st = await J.status(job.name);
    await record(job.name, mode === 'keep-state' ? 'upgrade' : 'version', job.version, {
      ...(mode === 'keep-state' && st.restoredFrom ? { restoredFrom: st.restoredFrom } : {}),
      note: mode === 'keep-state' ? `state of v${check.from} kept` : `v${check.from} → v${check.to}, started fresh`,
    });
    return { job, upgrade: check };
  }));

  app.post<{ Params: { name: string }; Body: JobSpecInput }>('/api/jobs/:name/upgrade-check', {
    schema: {
      tags: ['jobs'], summary: 'Whether saving this spec as the next version can keep the job state (resume from its checkpoint), and why not',
      params: nameParams, body: jobSpecInputSchema, response: { 200: schemaRef('UpgradeCheck'), ...errors },
    },
  }, wrap(async (req: { params: { name: string }; body: JobSpecInput }) => checkUpgrade(J, req.params.name, req.body)));

  app.get<NameReq>('/api/jobs/:name/history', {
    schema: { tags: ['jobs'], summary: 'Job history: every version, and the runs, restores and upgrades between them', params: nameParams, response: { 200: obj({ versions: arrayOf('JobSpec'), events: arrayOf('JobEvent') }), ...errors } },
  }, wrap(async (req: { params: { name: string } }) => ({ versions: await J.history(req.params.name), events: await history.events(req.params.name) })));

  app.delete<NameReq>('/api/jobs/:name', { schema: { tags: ['jobs'], summary: 'Stop and remove a job (admin)', params: nameParams, response: { 204: { type: 'null', description: 'Removed' }, ...errors } } },
    wrap(async (req: { params: { name: string } }, reply) => { await J.delete(req.params.name); await history.delete(req.params.name); return reply.code(204).send(); }));

  app.get<NameReq>('/api/jobs/:name/versions', { schema: { tags: ['jobs'], summary: 'Every version of a job', params: nameParams, response: { 200: obj({ versions: arrayOf('JobSpec') }), ...errors } } },
    wrap(async (req: { params: { name: string } }) => ({ versions: await J.history(req.params.name) })));

  for (const action of ['start', 'stop', 'restart'] as const) {
    app.post<NameReq>(`/api/jobs/:name/${action}`, {
      schema: { tags: ['jobs'], summary: `${action[0]!.toUpperCase()}${action.slice(1)} a job${action === 'stop' ? '' : ' (restoring from the newest checkpoint)'}`, params: nameParams, response: statusAnswer },
    }, wrap(async (req: { params: { name: string } }) => {
      const status = await J[action](req.params.name);
      await record(req.params.name, action, status.version, status.restoredFrom && action !== 'stop' ? { restoredFrom: status.restoredFrom } : {});
      return { status };
    }));
  }

  app.get<{ Params: { name: string }; Querystring: { limit?: string } }>('/api/jobs/:name/results', {
    schema: { tags: ['jobs'], summary: 'Latest row per entity key and recent changes', params: nameParams, querystring: limitQuery, response: { 200: schemaRef('JobResults'), ...errors } },
  }, wrap(async (req: { params: { name: string }; query: { limit?: string } }) => J.results(req.params.name, limitOf(req.query, 100))));

  app.get<NameReq>('/api/jobs/:name/metrics', { schema: { tags: ['jobs'], summary: 'Throughput and watermark series; checkpoints', params: nameParams, response: { 200: schemaRef('JobMetrics'), ...errors } } },
    wrap(async (req: { params: { name: string } }) => J.metrics(req.params.name)));
}
