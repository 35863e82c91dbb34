/**
 * REST routes of the offline path (docs/offline.md), over the store each published feature table lives in:
 *   GET /api/features/{table}/checks   check results (newest last), the newest as `last` with the alert threshold,
 *                                      the check policy, the fusion record (boundary) and the correction audit.
 * Checks, backfills and corrections themselves run from the CLI or a schedule (they read offline data for minutes).
 */
import type { FastifyInstance } from 'fastify';
import { FreshetError, diag } from '../../common/diagnostics.js';
import { getCheckPolicy, lastCheck, listChecks } from '../../batch/check.js';
import { listAudit } from '../../batch/correct.js';
import { readFusion } from '../../batch/fusion-record.js';
import { ServingErrors } from '../../serving/read-features.js';
import type { JobManager } from './job-manager.js';
import type { FeatureStores } from './feature-stores.js';
import { sendPlatformError } from './platform-routes.js';
import { errorResponses, schemaRef } from './api-schemas.js';

export function registerOfflineRoutes(app: FastifyInstance, jobs: JobManager, stores: FeatureStores): void {
  const params = { type: 'object', required: ['table'], properties: { table: { type: 'string', minLength: 1, maxLength: 256 } } } as const;
  app.get<{ Params: { table: string } }>('/api/features/:table/checks', {
    schema: {
      tags: ['features'], summary: 'Offline checks of a feature table: results, alert threshold, fusion boundary, correction audit', params,
      response: { 200: schemaRef('FeatureChecks'), ...errorResponses(401, 403, 404, 503) },
    },
  }, async (req, reply) => {
    try {
      const table = req.params.table;
      const f = (await jobs.features()).find((x) => x.table === table);
      if (f === undefined) {
        throw new FreshetError(diag(ServingErrors.UnknownTable, `no feature table '${table}'`, undefined, 'list the published feature tables with GET /api/features'));
      }
      const store = await stores.storeFor(f);
      const [checks, last, policy, fusion, audit] = await Promise.all([
        listChecks(store, table), lastCheck(store, table), getCheckPolicy(store, table), readFusion(store, table), listAudit(store, table),
      ]);
      return reply.code(200).send({ table, last, policy, fusion, checks, audit });
    } catch (e) {
      if (e instanceof FreshetError && e.diagnostics[0]?.code === ServingErrors.UnknownTable) {
        const d = e.diagnostics[0];
        return reply.code(404).send({ error: { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) } });
      }
      return sendPlatformError(reply, e);
    }
  });
}
