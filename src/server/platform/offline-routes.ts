/**
 * REST routes of the offline path (docs/offline.md), over the store each published feature table lives in:
 *   GET  /api/features/{table}/checks              check results (newest last), the newest as `last` with the alert
 *                                                  threshold, the check policy, the fusion record and the audit.
 *   POST /api/offline/features/{table}/backfill    start a backfill (202 + task; 409 while the table has a task)
 *   POST /api/offline/features/{table}/check       start a check (then the policy's correction, if due)
 *   POST /api/offline/features/{table}/correct     start a correction (a check at T, then the boundary moves)
 *   PUT  /api/offline/features/{table}/policy      set the check policy (threshold, autoCorrect)
 *   GET  /api/offline/features/{table}/tasks       the table's tasks, newest first
 *   GET  /api/offline/tasks/{id}                   one task: state, phase, progress, result or error
 * Writes need the editor role (auth.ts: POST/PUT outside /api/features/ are editor routes).
 *
 * The offline inputs come from the platform, never from the caller: the feature job's script as it runs (jobScript
 * of its stored spec), compiled against the data dictionary's catalog, and the offline twins registered on the
 * dictionary sources (`offline` of each source definition). A source the feature reads without a twin is OFF004.
 */
import type { FastifyInstance } from 'fastify';
import { FreshetError, diag } from '../../common/diagnostics.js';
import { defaultKvPath } from '../../connectors/stores/embedded-kv-store.js';
import type { KvStore } from '../../engine/kv-store-api.js';
import { backfill } from '../../batch/backfill.js';
import { BatchErrors } from '../../batch/batch-error-codes.js';
import { getCheckPolicy, lastCheck, listChecks, runCheck, setCheckPolicy, type CheckPolicy } from '../../batch/check.js';
import { correct, listAudit } from '../../batch/correct.js';
import { readFusion, readProgress } from '../../batch/fusion-record.js';
import { OfflineTasks, type OfflineTaskKind, type TaskControl } from '../../batch/offline-tasks.js';
import { twinsOfSources } from '../../batch/dictionary-twins.js';
import { checkWithPolicy } from '../../batch/policy.js';
import type { FeatureReaders } from '../../batch/readers.js';
import { featureSpec, type FeatureSource } from '../../batch/tile-build.js';
import type { OfflineTwin } from '../../catalog/dictionary/source-model.js';
import { FusedStore } from '../../serving/fused-store.js';
import { ServingErrors, readFeatures } from '../../serving/read-features.js';
import type { JobManager } from './job-manager.js';
import type { FeatureStores } from './feature-stores.js';
import { jobScript, type FeatureTable } from './feature-tables.js';
import { sendPlatformError } from './platform-routes.js';
import { dictionaryCatalog } from './sql-service.js';
import { errorResponses, schemaRef } from './api-schemas.js';

/** The offline twins registered in the data dictionary, by SQL table name. */
export async function dictionaryTwins(jobs: JobManager): Promise<Record<string, OfflineTwin>> {
  return twinsOfSources(await jobs.o.dictionary.store.list());
}

/** A published feature table's offline inputs: its job's script, the dictionary catalog and the twins. */
export async function platformFeatureSource(jobs: JobManager, f: FeatureTable): Promise<FeatureSource> {
  const spec = await jobs.get(f.job);
  if (spec === undefined || spec.columns === undefined) {
    throw new FreshetError(diag(BatchErrors.NoOfflineSetup, `the job '${f.job}' publishing '${f.table}' has no stored, validated spec`));
  }
  const output = spec.outputs.find((o) => o.kind === 'store' && o.table === f.table);
  if (output === undefined) throw new FreshetError(diag(BatchErrors.NoOfflineSetup, `job '${f.job}' does not publish '${f.table}' any more`));
  const baseDir = jobs.o.baseDir ?? process.cwd();
  const script = jobScript({ sql: spec.sql, entityKey: spec.entityKey, outputs: [output] }, spec.columns, jobs.o.kvPath ?? defaultKvPath(), baseDir);
  const others = await jobs.features(f.job);
  const { catalog } = await dictionaryCatalog(jobs.o.dictionary, jobs.o.logDir, false, others, baseDir);
  return { script, feature: f.table, twins: await dictionaryTwins(jobs), baseDir, catalog };
}

/** Serving's read code over a platform store: the offline path's readers. */
export function platformReaders(store: KvStore): FeatureReaders {
  const fused = new FusedStore(store, { metaTtlMs: 0 });
  return {
    tiles: (s, table, keys, t, spec) => readFeatures(s, table, keys, t, { spec }),
    served: (table, keys, t) => readFeatures(fused, table, keys, t),
  };
}

const tableParams = { type: 'object', required: ['table'], properties: { table: { type: 'string', minLength: 1, maxLength: 256 } } } as const;

export function registerOfflineRoutes(app: FastifyInstance, jobs: JobManager, stores: FeatureStores): OfflineTasks {
  const tasks = new OfflineTasks();
  // Server shutdown aborts running builds (the stores close after this hook) and waits for them to settle.
  const shutdown = new AbortController();
  app.addHook('onClose', async () => {
    shutdown.abort();
    await Promise.race([tasks.idle(), new Promise((r) => setTimeout(r, 10_000).unref())]);
  });

  const featureOf = async (table: string): Promise<FeatureTable> => {
    const f = (await jobs.features()).find((x) => x.table === table);
    if (f === undefined) {
      throw new FreshetError(diag(ServingErrors.UnknownTable, `no feature table '${table}'`, undefined, 'list the published feature tables with GET /api/features'));
    }
    return f;
  };
  const fail = (reply: Parameters<typeof sendPlatformError>[0], e: unknown): ReturnType<typeof sendPlatformError> => {
    const d = e instanceof FreshetError ? e.diagnostics[0] : undefined;
    const status = d?.code === ServingErrors.UnknownTable ? 404 : d?.code === BatchErrors.TaskBusy ? 409 : undefined;
    if (d !== undefined && status !== undefined) {
      return reply.code(status).send({ error: { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) } });
    }
    return sendPlatformError(reply, e);
  };

  app.get<{ Params: { table: string } }>('/api/features/:table/checks', {
    schema: {
      tags: ['features'], summary: 'Offline checks of a feature table: results, alert threshold, fusion boundary, correction audit', params: tableParams,
      response: { 200: schemaRef('FeatureChecks'), ...errorResponses(401, 403, 404, 503) },
    },
  }, async (req, reply) => {
    try {
      const table = req.params.table;
      const store = await stores.storeFor(await featureOf(table));
      const [checks, last, policy, fusion, audit] = await Promise.all([
        listChecks(store, table), lastCheck(store, table), getCheckPolicy(store, table), readFusion(store, table), listAudit(store, table),
      ]);
      return reply.code(200).send({ table, last, policy, fusion, checks, audit });
    } catch (e) {
      return fail(reply, e);
    }
  });

  /** Starts `work` as the table's task, with its inputs resolved first (so a missing twin or job is a 4xx, not a failed task). */
  const startTask = async (table: string, kind: OfflineTaskKind, by: string,
    work: (src: FeatureSource, store: KvStore, c: TaskControl) => Promise<unknown>): Promise<ReturnType<OfflineTasks['start']>> => {
    const held = tasks.reserve(table);
    try {
      const f = await featureOf(table);
      const [src, store] = await Promise.all([platformFeatureSource(jobs, f), stores.storeFor(f)]);
      featureSpec(src); // plans the offline build: a source without a twin (OFF004) or an untiled table (OFF003) is a 400 now
      return tasks.start(table, kind, by, (c) => work(src, store, c), held);
    } catch (e) {
      held.release();
      throw e;
    }
  };
  const who = (req: { tokenName?: string; role?: string }): string => req.tokenName ?? req.role ?? 'api';
  const taskAnswer = { 202: schemaRef('OfflineTask'), ...errorResponses(400, 401, 403, 404, 409, 503) };

  app.post<{ Params: { table: string }; Body: { from?: number; to?: number; streamFrom?: number } }>('/api/offline/features/:table/backfill', {
    schema: {
      tags: ['offline'], summary: "Start a backfill of a feature table from its sources' offline twins (background task)", params: tableParams,
      body: schemaRef('OfflineBackfillRequest'), response: taskAnswer,
    },
  }, async (req, reply) => {
    try {
      const b = req.body ?? {};
      const task = await startTask(req.params.table, 'backfill', who(req), async (src, store, c) => {
        c.phase('reading offline data');
        const r = await backfill({
          ...src, store, onProgress: c.progress, signal: shutdown.signal, reason: 'backfill',
          ...(b.from !== undefined ? { from: b.from } : {}), ...(b.to !== undefined ? { boundary: b.to } : {}),
          ...(b.streamFrom !== undefined ? { streamFrom: b.streamFrom } : {}),
        });
        return r.fusion;
      });
      return reply.code(202).send(task);
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post<{ Params: { table: string }; Body: { at?: number } }>('/api/offline/features/:table/check', {
    schema: {
      tags: ['offline'], summary: 'Start a check of a feature table against its offline truth; the policy may correct after it (background task)',
      params: tableParams, body: schemaRef('OfflineCheckRequest'), response: taskAnswer,
    },
  }, async (req, reply) => {
    try {
      const by = who(req);
      const task = await startTask(req.params.table, 'check', by, async (src, store, c) => {
        const at = req.body?.at ?? await streamTime(store, req.params.table);
        c.phase('recomputing from offline data');
        const r = await checkWithPolicy({
          ...src, store, readers: platformReaders(store), at, by: `policy (check by ${by})`,
          onCorrectProgress: (read, total) => { if (read === 0) c.phase('correcting (policy)'); c.progress(read, total); },
        });
        return { check: r.check, correction: r.correction?.audit ?? null, correctionError: r.correctionError === null ? null : { code: r.correctionError.code, message: r.correctionError.message } };
      });
      return reply.code(202).send(task);
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.post<{ Params: { table: string }; Body: { at?: number; reason?: string } }>('/api/offline/features/:table/correct', {
    schema: {
      tags: ['offline'], summary: 'Start a correction: serve the offline truth up to T by moving the fusion boundary (audited; background task)',
      params: tableParams, body: schemaRef('OfflineCorrectRequest'), response: taskAnswer,
    },
  }, async (req, reply) => {
    try {
      const by = who(req);
      const task = await startTask(req.params.table, 'correct', by, async (src, store, c) => {
        const table = req.params.table;
        const at = req.body?.at ?? (await lastCheck(store, table))?.at ?? await streamTime(store, table);
        const readers = platformReaders(store);
        c.phase('checking at T');
        const check = await runCheck({ ...src, store, readers, at, save: false });
        c.phase('rebuilding the offline layer');
        const r = await correct({ ...src, store, readers, check, reason: req.body?.reason ?? 'on demand', by, trigger: 'manual', onProgress: c.progress, signal: shutdown.signal });
        return r.audit;
      });
      return reply.code(202).send(task);
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.put<{ Params: { table: string }; Body: Partial<CheckPolicy> }>('/api/offline/features/:table/policy', {
    schema: {
      tags: ['offline'], summary: 'Set the check policy of a feature table (alert threshold, automatic correction)', params: tableParams,
      body: schemaRef('CheckPolicyUpdate'), response: { 200: schemaRef('CheckPolicy'), ...errorResponses(400, 401, 403, 404, 503) },
    },
  }, async (req, reply) => {
    try {
      const store = await stores.storeFor(await featureOf(req.params.table));
      const b = req.body ?? {};
      const policy = await setCheckPolicy(store, req.params.table, {
        ...(b.threshold !== undefined ? { threshold: b.threshold } : {}), ...(b.autoCorrect !== undefined ? { autoCorrect: b.autoCorrect } : {}),
      });
      return reply.code(200).send(policy);
    } catch (e) {
      return fail(reply, e);
    }
  });

  app.get<{ Params: { table: string } }>('/api/offline/features/:table/tasks', {
    schema: {
      tags: ['offline'], summary: "A feature table's offline tasks, newest first (kept in memory: the newest 100)", params: tableParams,
      response: { 200: { type: 'array', items: schemaRef('OfflineTask') }, ...errorResponses(401, 403, 404) },
    },
  }, async (req, reply) => reply.code(200).send(tasks.list(req.params.table)));

  app.get<{ Params: { id: string } }>('/api/offline/tasks/:id', {
    schema: {
      tags: ['offline'], summary: 'An offline task: state, phase, progress, result or error',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 512 } } },
      response: { 200: schemaRef('OfflineTask'), ...errorResponses(401, 403, 404) },
    },
  }, async (req, reply) => {
    const t = tasks.get(req.params.id);
    if (t === undefined) return reply.code(404).send({ error: { code: BatchErrors.BadRequest, message: `no offline task '${req.params.id}'` } });
    return reply.code(200).send(t);
  });
  return tasks;
}

/** The default time of a check: the stream's watermark (every position before it is closed). */
async function streamTime(store: KvStore, table: string): Promise<number> {
  const p = await readProgress(store, table);
  if (p?.watermark === null || p?.watermark === undefined) {
    throw new FreshetError(diag(BatchErrors.BadRequest, `feature table '${table}' has no stream progress yet: give the time (at)`));
  }
  return p.watermark;
}
