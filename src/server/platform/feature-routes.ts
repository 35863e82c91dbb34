/**
 * The platform's feature API over the online stores:
 *   GET  /api/features                                  published feature tables: schema, store (secrets masked),
 *                                                       producing job and lineage (sources → feature → consumers)
 *   GET  /api/features/{table}?key=K[&key=K2...][&at=T] values by entity key
 *   POST /api/features/{table}  {"keys": [...], "at": T}
 *   GET  /api/stores                                    online stores outputs can write (embedded default + connections in use)
 * Each table is read from the store its job writes (feature-stores.ts); a table no job publishes is read from the
 * embedded default store (tables written by scripts). A tiled table (sliding windows) answers fresh-at-read values
 * as serving/read-features.ts defines them; a plain upsert table answers each key's stored row:
 *   { table, asOf, tiled: false, windowEnd: null, watermark: null, lagMs: null, stale: false, incomplete: [],
 *     results: [{ key, found, values ({} when not found), lastEventTime: null, version, writtenAt }] }
 * Keys are the store keys: the primary key values in table column order, joined with `|` (docs/stores.md).
 */
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FreshetError, diag } from '../../common/diagnostics.js';
import type { KvStore } from '../../engine/kv-store-api.js';
import { META_LAYOUT } from '../../engine/operators/tile-sink-operator.js';
import { readFeatures, ServingErrors } from '../../serving/read-features.js';
import { FusedStore } from '../../serving/fused-store.js';
import { renderAnswer } from '../../serving/serving-routes.js';
import { JobErrors, type JobManager } from './job-manager.js';
import type { FeatureStores } from './feature-stores.js';
import { connectionKey, maskedConnection, type FeatureTable } from './feature-tables.js';
import { sendPlatformError } from './platform-routes.js';
import { errorResponses, schemaRef } from './api-schemas.js';

const MAX_KEYS = 1000;

const bad = (field: string, message: string, hint?: string): FreshetError =>
  new FreshetError({ ...diag(ServingErrors.BadRequest, message, undefined, hint), source: field });

function parseKeys(v: unknown): string[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (list.length === 0) throw bad('keys', 'at least one key is required', 'GET ...?key=user42 or POST {"keys": ["user42"]}');
  if (list.length > MAX_KEYS) throw bad('keys', `at most ${MAX_KEYS} keys per request, got ${list.length}`);
  return list.map((k: unknown) => {
    if (typeof k === 'string') return k;
    if (typeof k === 'number' || typeof k === 'boolean') return String(k);
    throw bad('keys', 'keys must be strings (the store key: the PRIMARY KEY values joined with |)');
  });
}

function parseAt(v: unknown): number {
  if (v === undefined || v === null || v === '') return Date.now();
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v);
  if (typeof v === 'string') {
    if (/^-?\d+$/.test(v.trim())) return Number(v.trim());
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  throw bad('at', `cannot read '${String(v)}' as a time`, 'use epoch milliseconds or an ISO-8601 instant such as 2024-05-01T12:00:00Z');
}

/** One feature table as `GET /api/features` lists it. */
function describe(f: FeatureTable, all: { name: string; sources: string[]; sql: string }[], state: string | undefined): Record<string, unknown> {
  const word = new RegExp(`(^|[^A-Za-z0-9_])${f.table}([^A-Za-z0-9_]|$)`, 'i');
  const consumers = all.filter((j) => j.name !== f.job && (j.sources.includes(f.table) || word.test(j.sql))).map((j) => j.name);
  return {
    table: f.table, store: f.store, connection: maskedConnection(f), entityKey: f.entityKey, columns: f.columns,
    job: f.job, version: f.version, ...(state ? { state } : {}),
    lineage: { sources: f.sources, feature: f.table, consumers },
  };
}

/** One fusion view per store (it caches the tables' fusion records): served values merge offline backfills. */
const fusedViews = new WeakMap<KvStore, FusedStore>();
function fused(store: KvStore): FusedStore {
  let f = fusedViews.get(store);
  if (f === undefined) { f = new FusedStore(store); fusedViews.set(store, f); }
  return f;
}

export function registerFeatureRoutes(app: FastifyInstance, jobs: JobManager, stores: FeatureStores): void {
  const find = async (table: string): Promise<FeatureTable | undefined> => (await jobs.features()).find((f) => f.table === table);

  const answer = async (reply: FastifyReply, table: string, keysIn: unknown, atIn: unknown): Promise<FastifyReply> => {
    try {
      const keys = parseKeys(keysIn);
      const at = parseAt(atIn);
      const f = await find(table);
      let store: KvStore;
      try {
        store = await stores.storeFor(f);
      } catch (e) {
        throw new FreshetError(diag(JobErrors.StoreUnreachable, `the ${f?.store ?? 'embedded'} store of '${table}' is not reachable: ${(e as Error).message}`), 'external');
      }
      if ((await store.getMeta(table, META_LAYOUT)) !== null) {
        const a = await readFeatures(fused(store), table, keys, at, { staleAfterMs: 60_000 });
        return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(renderAnswer(a));
      }
      if (!f && (await store.getMeta(table, 'schema')) === null) {
        throw new FreshetError(diag(ServingErrors.UnknownTable, `no feature table '${table}'`, undefined, 'list the published feature tables with GET /api/features'));
      }
      const rows = await store.multiGet(table, keys);
      // The tiled answer's shape (freshness fields empty: a plain table holds each key's latest row, not windows).
      return reply.code(200).send({
        table, asOf: at, tiled: false, windowEnd: null, watermark: null, lagMs: null, stale: false, incomplete: [],
        results: keys.map((key, i) => {
          const r = rows[i];
          return r
            ? { key, found: true, values: JSON.parse(r.value) as unknown, lastEventTime: null, version: r.version, writtenAt: r.writtenAt ?? null }
            : { key, found: false, values: {}, lastEventTime: null };
        }),
      });
    } catch (e) {
      if (e instanceof FreshetError && e.diagnostics[0]?.code === ServingErrors.UnknownTable) {
        const d = e.diagnostics[0];
        return reply.code(404).send({ error: { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) } });
      }
      return sendPlatformError(reply, e);
    }
  };

  const errors = errorResponses(400, 401, 403, 404, 503);
  const params = { type: 'object', required: ['table'], properties: { table: { type: 'string', minLength: 1, maxLength: 256 } } } as const;

  app.get('/api/features', { schema: { tags: ['features'], summary: 'Published feature tables with schema, store and lineage', response: { 200: { type: 'object', required: ['features'], properties: { features: { type: 'array', items: schemaRef('FeatureTable') } } }, ...errors } } }, async (_req, reply) => {
    try {
      const list = await jobs.list();
      const all = list.map((j) => ({ name: j.spec.name, sources: j.spec.sources, sql: j.spec.sql }));
      const state = new Map(list.map((j) => [j.spec.name, j.status.state]));
      return { features: (await jobs.features()).map((f) => describe(f, all, state.get(f.job))) };
    } catch (e) { return sendPlatformError(reply, e); }
  });

  // The online stores a job output can write: the platform's embedded store (always) and every other connection a
  // published feature table uses (a Redis server...), secrets masked — the editor's outputs step offers these.
  app.get('/api/stores', {
    schema: {
      tags: ['features'], summary: 'Online stores: the embedded default and the connections published feature tables use',
      response: { 200: { type: 'object', required: ['stores'], properties: { stores: { type: 'array', items: schemaRef('OnlineStore') } } }, ...errors },
    },
  }, async (_req, reply) => {
    try {
      const out = new Map<string, { store: string; default: boolean; connection: Record<string, string>; tables: string[] }>();
      out.set('default', { store: 'embedded-kv', default: true, connection: { path: stores.embeddedPath }, tables: [] });
      for (const f of await jobs.features()) {
        const isDefault = f.store === 'embedded-kv' && path.resolve(f.options['path'] ?? stores.embeddedPath) === path.resolve(stores.embeddedPath);
        const key = isDefault ? 'default' : connectionKey(f);
        const e = out.get(key) ?? { store: f.store, default: false, connection: maskedConnection(f), tables: [] };
        e.tables.push(f.table);
        out.set(key, e);
      }
      return { stores: [...out.values()] };
    } catch (e) { return sendPlatformError(reply, e); }
  });

  app.get<{ Params: { table: string }; Querystring: Record<string, string | string[] | undefined> }>('/api/features/:table', {
    schema: { tags: ['features'], summary: 'Feature values by entity key (?key=K&key=K2&at=T)', params,
      querystring: { type: 'object', properties: { key: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, at: { type: 'string', description: 'Read time: epoch ms or ISO-8601 (default now)' } } },
      response: { 200: schemaRef('FeatureAnswer'), ...errors } },
  }, async (req, reply) => answer(reply, req.params.table, req.query['key'], req.query['at']));

  app.post<{ Params: { table: string }; Body: { keys?: unknown; at?: unknown } }>('/api/features/:table', {
    schema: { tags: ['features'], summary: 'Feature values of a batch of keys', params,
      body: { type: 'object', properties: { keys: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] }, description: 'Store keys (PRIMARY KEY values joined with |)' }, at: { description: 'Read time: epoch ms or ISO-8601 (default now)' } } },
      response: { 200: schemaRef('FeatureAnswer'), ...errors } },
  }, async (req, reply) => answer(reply, req.params.table, req.body?.keys, req.body?.at));
}
