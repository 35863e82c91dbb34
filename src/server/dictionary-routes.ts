/**
 * The data dictionary's REST API (Fastify):
 *   GET    /api/sources                      list (secrets masked)
 *   POST   /api/sources                      create (schema inferred from `samples` when not given) → 201
 *   POST   /api/sources/infer                samples (or a live Kafka topic, read with keys and headers) → schema(s)
 *                                            + DDL + warnings (nothing saved); `headers` per sample feed a
 *                                            `header:<name>` discriminator
 *   GET    /api/sources/:name                definition + SQL tables + DDL + lineage
 *   PUT    /api/sources/:name                edit → new version (`version` in the body or ?expectedVersion guards)
 *   DELETE /api/sources/:name                204
 *   GET    /api/sources/:name/history        every version
 *   POST   /api/sources/:name/events         JSON lines or a JSON array → appended to the embedded log
 *   GET    /api/sources/:name/samples        newest messages from the log (?limit=10)
 *   GET    /api/sources/:name/stats          live statistics;  POST adds a delta (the runtime reports here)
 *   GET    /api/sources/:name/dead-letters   dead-letter count and newest samples
 *   GET    /api/sources/:name/lineage        features reading the source;  PUT {features: [...]} replaces them
 * Errors: `{ error: { code, message, field?, hint?, details? } }`; invalid input is 400 naming the field, unknown
 * sources 404, version conflicts 409; 500 only for faults of Freshet itself.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FreshetError, type Diagnostic } from '../common/diagnostics.js';
import type { Dictionary } from '../catalog/dictionary/dictionary.js';
import { unknownSource } from '../catalog/dictionary/dictionary.js';
import { DictionaryErrors as E } from '../catalog/dictionary/dictionary-error-codes.js';
import { inferSchema, type InferOptions } from '../catalog/dictionary/infer-schema.js';
import { sourceTablesDdl } from '../catalog/dictionary/source-ddl.js';
import { tableNamesOf, topicOf, type SourceDefinition, type StatsDelta } from '../catalog/dictionary/source-model.js';
import { COLUMN_NAME, fieldError } from '../catalog/dictionary/source-validation.js';
import type { EmbeddedLog } from '../connectors/embedded-log/embedded-log.js';
import { tailTopic } from '../connectors/embedded-log/log-tail.js';
import { ingestEvents, splitMessages, type IncomingMessage } from './ingest.js';
import { sampleKafkaTopic, type TopicSample } from '../connectors/kafka/sample-topic.js';
import { addApiSchemas, errorResponses, schemaRef as ref } from './platform/api-schemas.js';

export interface DictionaryApiOptions {
  dictionary: Dictionary;
  /** Root directory of the embedded log. */
  logDir: string;
  /** Opens the log for appending (lazily, on the first event). */
  openLog: () => Promise<EmbeddedLog>;
  /** Largest request body in bytes (default 16 MiB). */
  bodyLimit?: number;
}

/** Marks a request body that is JSON lines rather than one JSON document. */
export class JsonLinesBody { constructor(readonly text: string) {} }

const STATUS: Record<string, number> = {
  [E.UnknownSource]: 404, [E.VersionConflict]: 409, [E.SourceExists]: 409,
};

function errorBody(ds: readonly Diagnostic[]): { error: Record<string, unknown> } {
  const first = ds[0]!;
  return {
    error: {
      code: first.code, message: ds.length === 1 ? first.message : ds.map((d) => d.message).join('; '),
      ...(first.source ? { field: first.source } : {}), ...(first.hint ? { hint: first.hint } : {}),
      ...(ds.length > 1 ? { details: ds.map((d) => ({ code: d.code, message: d.message, ...(d.source ? { field: d.source } : {}) })) } : {}),
    },
  };
}

function sendError(reply: FastifyReply, e: unknown): FastifyReply {
  if (e instanceof FreshetError) {
    const status = STATUS[e.diagnostics[0]?.code ?? ''] ?? (e.origin === 'user' ? 400 : e.origin === 'external' ? 503 : 500);
    return reply.code(status).send(errorBody(e.diagnostics));
  }
  throw e;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function bad(field: string, message: string): FreshetError {
  return new FreshetError(fieldError(field, message));
}

function intParam(v: unknown, field: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(field, `must be an integer from ${min} to ${max}`);
  return n;
}

type Req = FastifyRequest<{ Params: { name: string }; Querystring: Record<string, string | undefined>; Body: unknown }>;

// Response schemas (OpenAPI and the generated UI client). Bodies are validated by the dictionary itself (its
// messages name the field), so only answers are described here; see api-schemas.ts for the shapes.
const errs = errorResponses(400, 401, 403, 404, 409, 503);
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: 'object', required, properties });
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
/** Query parameters are documented as strings; the handlers check their values (messages name the parameter). */
const query = (props: Record<string, string>) => ({ type: 'object', properties: Object.fromEntries(Object.entries(props).map(([k, d]) => [k, { type: 'string', description: d }])) });
const doc = (summary: string, response: Record<number, unknown>, params = true, querystring?: Record<string, string>) => ({
  schema: { tags: ['sources'], summary, ...(params ? { params: nameParams } : {}), ...(querystring ? { querystring: query(querystring) } : {}), response: { ...response, ...errs } },
});
const sourcesList = { type: 'array', items: ref('SourceDefinition') };

export function registerDictionaryRoutes(app: FastifyInstance, o: DictionaryApiOptions): void {
  const d = o.dictionary;
  addApiSchemas(app);
  const mustGet = async (name: string): Promise<SourceDefinition> => {
    const s = await d.get(name);
    if (!s) throw unknownSource(name);
    return s;
  };
  const wrap = (fn: (req: Req, reply: FastifyReply) => Promise<unknown>) => async (req: Req, reply: FastifyReply) => {
    try {
      return await fn(req, reply);
    } catch (e) {
      return sendError(reply, e);
    }
  };

  app.get('/api/sources', doc('Registered sources (secrets masked)', { 200: obj({ sources: sourcesList }) }, false), wrap(async () => ({ sources: await d.list() })));

  app.post('/api/sources', doc('Register a source (schema inferred from samples when not given)', { 201: ref('SaveSourceResult') }, false), wrap(async (req, reply) => {
    const r = await d.create(req.body);
    return reply.code(201).send({ ...r, tables: tableNamesOf(r.source) });
  }));

  app.post('/api/sources/infer', doc('Infer schema(s) from sample messages or a live Kafka topic (nothing saved)', { 200: ref('InferResult') }, false), wrap(async (req) => {
    const b = req.body;
    let samples: unknown[];
    let opts: InferOptions = {};
    // Per-sample headers (for a `header:<name>` discriminator) and, for a live topic, the messages read.
    let headers: InferOptions['headers'];
    let sampled: TopicSample[] | undefined;
    if (b instanceof JsonLinesBody) samples = splitMessages(b.text).map((m) => m.value);
    else if (Array.isArray(b)) samples = b;
    else if (isObj(b)) {
      const s = b['samples'];
      const k = b['kafka'];
      if (typeof s === 'string') samples = splitMessages(s).map((m) => m.value);
      else if (Array.isArray(s)) samples = s;
      else if (isObj(k)) {
        // Sample the live topic: {"kafka": {"bootstrapServers": "...", "topic": "...", "count": 100, "properties": {...}}}
        if (typeof k['bootstrapServers'] !== 'string' || k['bootstrapServers'] === '') throw bad('kafka.bootstrapServers', 'must be host:port[,host:port]');
        if (typeof k['topic'] !== 'string' || k['topic'] === '') throw bad('kafka.topic', 'must be a topic name');
        const count = k['count'] === undefined ? 100 : k['count'];
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 10_000) throw bad('kafka.count', 'must be an integer from 1 to 10000');
        const props = k['properties'];
        if (props !== undefined && (!isObj(props) || Object.values(props).some((v) => typeof v !== 'string'))) throw bad('kafka.properties', 'must map names to strings');
        sampled = await sampleKafkaTopic({ bootstrapServers: k['bootstrapServers'], topic: k['topic'], count, ...(props ? { properties: props as Record<string, string> } : {}) });
        samples = sampled.map((m) => m.value);
        headers = sampled.map((m) => m.headers);
      }
      else throw bad('samples', 'must be an array of JSON messages (objects or JSON texts) or a JSON-lines text (or give "kafka" to sample a live topic)');
      if (b['options'] !== undefined) {
        if (!isObj(b['options'])) throw bad('options', 'must be an object');
        opts = validateInferOptions(b['options']);
      }
      if (b['headers'] !== undefined && !sampled) headers = validateSampleHeaders(b['headers'], samples.length);
    } else throw bad('body', 'must be {"samples": [...], "options": {...}}');
    if (samples.length === 0) throw sampled ? bad('kafka.topic', 'has no messages to sample') : bad('samples', 'give at least one sample message');
    const r = inferSchema(samples, headers ? { ...opts, headers } : opts);
    const errors = r.warnings.filter((w) => w.severity === 'error');
    if (errors.length > 0) throw new FreshetError(errors.map((x) => ({ ...x, source: x.code === E.BadDiscriminator ? 'options.discriminator' : x.source ? `options.${x.source}` : 'samples' })));
    return sampled ? { ...r, samples: sampled } : r;
  }));

  app.get('/api/sources/:name', doc('A source: definition, SQL tables, DDL, lineage', { 200: obj({ source: ref('SourceDefinition'), tables: { type: 'array', items: { type: 'string' } }, ddl: { type: 'string' }, lineage: { type: 'array', items: { type: 'string' } } }) }), wrap(async (req) => {
    const s = await mustGet(req.params.name);
    const runtime = (await d.getForRuntime(req.params.name))!;
    return {
      source: s,
      tables: tableNamesOf(s),
      ddl: sourceTablesDdl(runtime, { logDir: o.logDir, redactSecrets: true }).map((t) => t.ddl).join(';\n\n') + ';',
      lineage: await d.lineage(req.params.name),
    };
  }));

  app.put('/api/sources/:name', doc('Edit a source: saves a new version', { 200: ref('SaveSourceResult') }, true, { expectedVersion: 'Refuse the edit (409) unless the source is at this version' }), wrap(async (req) => {
    const q = req.query.expectedVersion;
    const expected = q === undefined ? undefined : intParam(q, 'expectedVersion', 0, 1, Number.MAX_SAFE_INTEGER);
    return d.update(req.params.name, req.body, expected);
  }));

  app.delete('/api/sources/:name', doc('Remove a source', { 204: { type: 'null', description: 'Removed' } }), wrap(async (req, reply) => {
    if (!(await d.delete(req.params.name))) throw unknownSource(req.params.name);
    return reply.code(204).send();
  }));

  app.get('/api/sources/:name/history', doc('Every version of a source', { 200: obj({ versions: sourcesList }) }), wrap(async (req) => {
    await mustGet(req.params.name);
    return { versions: await d.history(req.params.name) };
  }));

  app.post('/api/sources/:name/events', doc('Append events (JSON lines, a JSON array or one object) to the embedded log', {
    200: { $ref: 'IngestResult#' }, 207: { $ref: 'IngestResult#' },
  }, true, { key: 'Take each message key from this top-level field' }), wrap(async (req, reply) => {
    const s = await d.getForRuntime(req.params.name);
    if (!s) throw unknownSource(req.params.name);
    const b = req.body;
    let msgs: IncomingMessage[];
    if (b instanceof JsonLinesBody || typeof b === 'string') msgs = splitMessages(b instanceof JsonLinesBody ? b.text : b);
    else if (Array.isArray(b)) msgs = b.map((value) => ({ value }));
    else if (isObj(b)) msgs = [{ value: b }];
    else throw bad('body', 'must be JSON lines (one event per line), a JSON array of events, or one JSON object');
    if (msgs.length === 0) throw bad('body', 'holds no events');
    const keyField = req.query.key;
    const r = await ingestEvents(d, await o.openLog(), s, msgs, keyField ? { keyField } : {});
    if (r.appended === 0) {
      return reply.code(400).send({ error: { code: 'DICT204', message: `no event appended: ${r.rejected[0]?.reason ?? 'empty'}`, field: 'body', details: r.rejected } });
    }
    return reply.code(r.rejected.length > 0 ? 207 : 200).send(r);
  }));

  app.get('/api/sources/:name/samples', doc('Newest messages (?limit=10): live from the log, else the stored samples', { 200: obj({ live: { type: 'boolean' }, samples: { type: 'array', items: ref('LogSample') } }) }, true, { limit: 'How many (1 to 1000, default 10)' }), wrap(async (req) => {
    const s = await mustGet(req.params.name);
    const limit = intParam(req.query.limit, 'limit', 10, 1, 1000);
    if (s.kind !== 'embedded-log') return { live: false, samples: s.samples.slice(0, limit).map((value) => ({ value })) };
    const recs = await tailTopic(o.logDir, topicOf(s), limit);
    return { live: true, samples: recs };
  }));

  app.get('/api/sources/:name/stats', doc('Live statistics: messages, rate, parse errors, dead letters, schema drift', { 200: ref('SourceStats') }), wrap(async (req) => {
    await mustGet(req.params.name);
    return d.stats(req.params.name);
  }));

  app.post('/api/sources/:name/stats', doc('Add a statistics delta (reported by the runtime)', { 200: ref('SourceStats') }), wrap(async (req) => {
    await mustGet(req.params.name);
    return d.recordStats(req.params.name, validateStatsDelta(req.body));
  }));

  app.get('/api/sources/:name/dead-letters', doc('Dead-letter count and newest samples', { 200: obj({ count: { type: 'integer' }, samples: { type: 'array', items: ref('DeadLetter') } }) }), wrap(async (req) => {
    await mustGet(req.params.name);
    const st = await d.stats(req.params.name);
    return { count: st.deadLetters, samples: st.deadLetterSamples };
  }));

  app.get('/api/sources/:name/lineage', doc('Features reading the source', { 200: obj({ features: { type: 'array', items: { type: 'string' } } }) }), wrap(async (req) => {
    await mustGet(req.params.name);
    return { features: await d.lineage(req.params.name) };
  }));

  app.put('/api/sources/:name/lineage', doc('Replace the features reading the source', { 200: obj({ features: { type: 'array', items: { type: 'string' } } }) }), wrap(async (req) => {
    const b = req.body;
    if (!isObj(b) || !Array.isArray(b['features']) || b['features'].some((f) => typeof f !== 'string')) throw bad('features', 'must be an array of feature names');
    await d.setLineage(req.params.name, b['features'] as string[]);
    return { features: await d.lineage(req.params.name) };
  }));
}

function validateInferOptions(o: Record<string, unknown>): InferOptions {
  const out: InferOptions = {};
  const dec = o['decimals'];
  if (dec !== undefined) {
    if (dec !== 'double' && dec !== 'exact' && dec !== 'auto') throw bad('options.decimals', "must be 'double', 'exact' or 'auto'");
    out.decimals = dec;
  }
  if (o['notNullWhenObserved'] !== undefined) {
    if (typeof o['notNullWhenObserved'] !== 'boolean') throw bad('options.notNullWhenObserved', 'must be true or false');
    out.notNullWhenObserved = o['notNullWhenObserved'];
  }
  for (const k of ['discriminator', 'name'] as const) {
    if (o[k] !== undefined) {
      if (typeof o[k] !== 'string') throw bad(`options.${k}`, 'must be a string');
      out[k] = o[k];
    }
  }
  if (o['watermarkDelayMs'] !== undefined) out.watermarkDelayMs = intParam(o['watermarkDelayMs'], 'options.watermarkDelayMs', 0, 0, 365 * 86_400_000);
  const pt = o['procTimeColumn'];
  if (pt !== undefined) {
    if (pt !== null && pt !== false && (typeof pt !== 'string' || !COLUMN_NAME.test(pt))) {
      throw bad('options.procTimeColumn', 'must be a column name (a letter or _, then letters, digits and _), or false for no processing-time column');
    }
    out.procTimeColumn = pt;
  }
  return out;
}

/** `headers` of an infer request: one name → text map (or null) per sample, in the samples' order. */
function validateSampleHeaders(h: unknown, count: number): NonNullable<InferOptions['headers']> {
  if (!Array.isArray(h) || h.some((x) => x !== null && (!isObj(x) || Object.values(x).some((v) => typeof v !== 'string')))) {
    throw bad('headers', 'must be an array with, per sample, an object mapping header names to strings (or null)');
  }
  if (h.length !== count) throw bad('headers', `has ${h.length} entries for ${count} samples: give one per sample, in order`);
  return h as NonNullable<InferOptions['headers']>;
}

function validateStatsDelta(b: unknown): StatsDelta {
  if (!isObj(b)) throw bad('body', 'must be a statistics delta object');
  const out: StatsDelta = {};
  for (const k of ['messages', 'parseErrors'] as const) {
    if (b[k] !== undefined) out[k] = intParam(b[k], k, 0, 0, Number.MAX_SAFE_INTEGER);
  }
  if (b['messageRate'] !== undefined) {
    if (typeof b['messageRate'] !== 'number' || !(b['messageRate'] >= 0)) throw bad('messageRate', 'must be a non-negative number');
    out.messageRate = b['messageRate'];
  }
  for (const k of ['unknownFields', 'unknownTypes'] as const) {
    const v = b[k];
    if (v === undefined) continue;
    if (!isObj(v) || Object.values(v).some((x) => !Number.isInteger(x) || (x as number) < 0)) throw bad(k, 'must map names to non-negative integer counts');
    out[k] = v as Record<string, number>;
  }
  const dl = b['deadLetters'];
  if (dl !== undefined) {
    if (!Array.isArray(dl) || dl.some((x) => !isObj(x) || typeof x['reason'] !== 'string' || typeof x['raw'] !== 'string')) {
      throw bad('deadLetters', 'must be an array of {reason, raw, where?}');
    }
    out.deadLetters = dl as NonNullable<StatsDelta['deadLetters']>;
  }
  return out;
}
