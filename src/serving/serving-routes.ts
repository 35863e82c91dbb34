/**
 * The feature-serving HTTP API as a Fastify plugin (mounted by the platform server):
 *   GET  /api/features/:table?key=K[&key=K2...][&at=T]   one or more keys
 *   POST /api/features/:table   {"keys": ["K", ...], "at": T}  batch
 * `at` is epoch milliseconds or an ISO-8601 instant; absent = now (server clock). The answer is a FeatureAnswer
 * (read-features.ts) rendered as JSON: TIMESTAMP values as epoch ms, BYTES as base64, MAP as [[k, v], ...], and
 * non-finite numbers as the strings "NaN" / "Infinity" / "-Infinity".
 * Errors: `{ error: { code, message, field?, hint? } }`: 400 bad request (SERVE002), 404 unknown table (SERVE001).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { FreshetError, type Diagnostic } from '../common/diagnostics.js';
import type { KvStore } from '../engine/kv-store-api.js';
import { readFeatures, ServingErrors, type FeatureAnswer, type ReadOptions } from './read-features.js';

export interface ServingRoutesOptions extends Pick<ReadOptions, 'staleAfterMs' | 'layoutTtlMs'> {
  /** Most keys per request (default 1000). */
  maxKeys?: number;
  /** Clock for a missing `at` (tests). */
  now?: () => number;
}

/** Fastify plugin serving the tiled feature tables of `store`. */
export function servingRoutes(store: KvStore, opts: ServingRoutesOptions = {}): FastifyPluginAsync {
  const read = featureReader(store, opts);
  const answer = async (reply: FastifyReply, table: string, keys: unknown, at: unknown): Promise<FastifyReply> => {
    try {
      const a = await read(table, keys, at);
      return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(renderAnswer(a));
    } catch (e) {
      if (e instanceof FreshetError) {
        const code = e.diagnostics[0]?.code;
        const status = code === ServingErrors.UnknownTable ? 404 : e.origin === 'user' ? 400 : e.origin === 'external' ? 503 : 500;
        return reply.code(status).send(errorBody(e.diagnostics[0]!));
      }
      throw e;
    }
  };

  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { table: string }; Querystring: Record<string, string | string[] | undefined> }>('/api/features/:table', async (req, reply) => {
      return answer(reply, req.params.table, req.query['key'], req.query['at']);
    });
    app.post<{ Params: { table: string }; Body: unknown }>('/api/features/:table', async (req, reply) => {
      const body = req.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        return reply.code(400).send(errorBody({ code: ServingErrors.BadRequest, severity: 'error', message: 'the body must be a JSON object {"keys": [...], "at": ...}', source: 'body' }));
      }
      const b = body as Record<string, unknown>;
      return answer(reply, req.params.table, b['keys'], b['at']);
    });
  };
}

/**
 * Answers one request's raw `keys` and `at` parameters (as the query string or body gave them) with readFeatures;
 * bad parameters are user errors (SERVE002). Shared by this plugin and the bare node:http server (serving-server.ts).
 */
export function featureReader(store: KvStore, opts: ServingRoutesOptions): (table: string, keys: unknown, at: unknown) => Promise<FeatureAnswer> {
  const maxKeys = opts.maxKeys ?? 1000;
  const now = opts.now ?? Date.now;
  const readOpts: ReadOptions = {};
  if (opts.staleAfterMs !== undefined) readOpts.staleAfterMs = opts.staleAfterMs;
  if (opts.layoutTtlMs !== undefined) readOpts.layoutTtlMs = opts.layoutTtlMs;
  return (table, keys, at) => readFeatures(store, table, parseKeys(keys, maxKeys), parseAt(at, now), readOpts);
}

function bad(field: string, message: string, hint?: string): FreshetError {
  const d: Diagnostic = hint
    ? { code: ServingErrors.BadRequest, severity: 'error', message, source: field, hint }
    : { code: ServingErrors.BadRequest, severity: 'error', message, source: field };
  return new FreshetError(d);
}

/** The keys of a request (a string or an array of strings, numbers, booleans); a user error when none or too many. */
export function parseKeys(v: unknown, max: number): string[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (list.length === 0) throw bad('keys', 'at least one key is required', 'GET ...?key=user42 or POST {"keys": ["user42"]}');
  if (list.length > max) throw bad('keys', `at most ${max} keys per request, got ${list.length}`);
  return list.map((k) => {
    if (typeof k === 'string') return k;
    if (typeof k === 'number' || typeof k === 'boolean') return String(k);
    throw bad('keys', 'keys must be strings (the store key: the PRIMARY KEY values joined with |)');
  });
}

/** The read time of a request: epoch ms, an ISO-8601 instant, or now when absent. */
export function parseAt(v: unknown, now: () => number): number {
  if (v === undefined || v === null || v === '') return now();
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v);
  if (typeof v === 'string') {
    if (/^-?\d+$/.test(v.trim())) return Number(v.trim());
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  throw bad('at', `cannot read '${String(v)}' as a time`, 'use epoch milliseconds or an ISO-8601 instant such as 2024-05-01T12:00:00Z');
}

/** The error body of a diagnostic: `{error: {code, message, field?, hint?}}`. */
export function errorBody(d: Diagnostic): { error: Record<string, unknown> } {
  return { error: { code: d.code, message: d.message, ...(d.source ? { field: d.source } : {}), ...(d.hint ? { hint: d.hint } : {}) } };
}

/** The JSON text of an answer (values rendered as described in the header). */
export function renderAnswer(a: FeatureAnswer): string {
  // Most answers hold only strings, finite numbers, booleans and nulls: stringify them without a replacer (a replacer
  // call per value costs as much as the read itself).
  return plain(a) ? JSON.stringify(a) : JSON.stringify(a, (_k, v: unknown) => jsonValue(v));
}

function plain(a: FeatureAnswer): boolean {
  for (const r of a.results) {
    for (const k in r.values) {
      const v = r.values[k];
      if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
    }
    if (r.lastEventTime !== null && !Number.isFinite(r.lastEventTime)) return false;
  }
  return true;
}

function jsonValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Map) return [...v.entries()];
  return v;
}
