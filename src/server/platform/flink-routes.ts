/**
 * REST routes of the platform's Apache Flink cluster (flink-jobs.ts), beside the embedded jobs:
 *   GET  /api/flink/jobs[?limit=n]        the cluster's jobs, newest first ({configured: false, jobs: []} without one)
 *   GET  /api/flink/jobs/{id}             one job: state, counters per operator chain, checkpoints, restore, exception
 *   POST /api/flink/jobs/{id}/stop        stop with a savepoint ({drain?, targetDirectory?}) → {savepoint, state} (editor)
 *   POST /api/flink/jobs/{id}/cancel      cancel without a savepoint → {state} (editor)
 * The routes exist whether or not a cluster is configured (the OpenAPI document is the same); without one, all but
 * the listing answer 404 FLINK_NOT_CONFIGURED. An unreachable cluster is a 503 whose message names its address.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FreshetError } from '../../common/diagnostics.js';
import { FlinkErrors } from '../../flink/flink-error-codes.js';
import { errorResponses, schemaRef } from './api-schemas.js';
import { isFlinkNotFound, type FlinkJobs } from './flink-jobs.js';
import { sendPlatformError } from './platform-routes.js';

const str = { type: 'string' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' } } } as const;
const errors = errorResponses(400, 401, 403, 404, 503);
const limitQuery = { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' } } } as const;
const stopBody = {
  type: 'object', additionalProperties: false,
  properties: {
    drain: { type: 'boolean', description: 'End the input first so event-time windows fire (the job is not meant to be resumed)' },
    targetDirectory: { type: 'string', minLength: 1, maxLength: 4096, description: "Where to write the savepoint (default: the cluster's savepoint directory)" },
  },
} as const;

type IdReq = { Params: { id: string } };

export function registerFlinkRoutes(app: FastifyInstance, flink: FlinkJobs | undefined): void {
  const fail = (reply: FastifyReply, e: unknown): FastifyReply => {
    if (isFlinkNotFound(e)) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: (e as FreshetError).diagnostics[0]!.message } });
    const d = e instanceof FreshetError ? e.diagnostics[0] : undefined;
    if (d?.code === FlinkErrors.ClusterUnreachable) {
      return reply.code(503).send({ error: { code: d.code, message: d.message, hint: 'start the Flink cluster (scripts/flink.sh start for the local one) or change freshet start --flink / FRESHET_FLINK_URL' } });
    }
    return sendPlatformError(reply, e);
  };
  const notConfigured = (reply: FastifyReply): FastifyReply =>
    reply.code(404).send({ error: { code: 'FLINK_NOT_CONFIGURED', message: 'the platform has no Flink cluster', hint: 'start it with freshet start --flink <REST URL> or FRESHET_FLINK_URL' } });
  /** Runs a handler against the configured cluster, turning its failures into API errors. */
  const withFlink = <R extends { params?: unknown }>(fn: (f: FlinkJobs, req: R, reply: FastifyReply) => Promise<unknown>) => async (req: R, reply: FastifyReply) => {
    if (!flink) return notConfigured(reply);
    try { return await fn(flink, req, reply); } catch (e) { return fail(reply, e); }
  };

  app.get<{ Querystring: { limit?: string } }>('/api/flink/jobs', {
    schema: { tags: ['jobs'], summary: "Jobs of the platform's Apache Flink cluster, newest first", querystring: limitQuery, response: { 200: schemaRef('FlinkJobList'), ...errors } },
  }, async (req, reply) => {
    if (!flink) return { configured: false, jobs: [] };
    try {
      const limit = Math.max(1, Math.min(1000, Number(req.query.limit ?? '100')));
      return { configured: true, url: flink.url, webUrl: flink.webUrl, jobs: await flink.list(limit) };
    } catch (e) { return fail(reply, e); }
  });

  app.get<IdReq>('/api/flink/jobs/:id', {
    schema: { tags: ['jobs'], summary: 'A Flink job: state, counters per operator chain, checkpoints, restore, newest exception', params: idParams, response: { 200: { type: 'object', required: ['job'], properties: { job: schemaRef('FlinkJobDetail') } }, ...errors } },
  }, withFlink(async (f, req: { params: { id: string } }) => ({ job: await f.get(req.params.id.toLowerCase()) })));

  app.post<{ Params: { id: string }; Body: { drain?: boolean; targetDirectory?: string } | undefined }>('/api/flink/jobs/:id/stop', {
    schema: {
      tags: ['jobs'], summary: 'Stop a Flink job with a savepoint (resume it with freshet flink deploy --from-savepoint)', params: idParams, body: stopBody,
      response: { 200: { type: 'object', required: ['savepoint', 'state'], properties: { savepoint: str, state: str } }, ...errors },
    },
  }, withFlink(async (f, req: { params: { id: string }; body?: { drain?: boolean; targetDirectory?: string } | undefined }) => {
    const id = req.params.id.toLowerCase();
    const savepoint = await f.stopWithSavepoint(id, { drain: req.body?.drain === true, ...(req.body?.targetDirectory ? { targetDirectory: req.body.targetDirectory } : {}) });
    return { savepoint, state: (await f.rest.job(id)).state };
  }));

  app.post<IdReq>('/api/flink/jobs/:id/cancel', {
    schema: { tags: ['jobs'], summary: 'Cancel a Flink job without a savepoint', params: idParams, response: { 200: { type: 'object', required: ['state'], properties: { state: str } }, ...errors } },
  }, withFlink(async (f, req: { params: { id: string } }) => {
    const id = req.params.id.toLowerCase();
    await f.cancel(id);
    return { state: (await f.rest.job(id)).state };
  }));
}
