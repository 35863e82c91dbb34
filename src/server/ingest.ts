/**
 * Event ingestion into a dictionary source backed by the embedded log (REST `POST /api/sources/{name}/events` and
 * `freshet produce`). Each message must be a JSON object; messages that are not are rejected (counted as parse
 * errors and kept as dead letters) while the valid ones are appended. The source's live statistics record the
 * messages, unknown fields (schema drift, checked through nested ROW fields) and, for multi-type sources, type
 * values with no registered schema (still appended: a new type can be registered later and read from the start).
 */
import { FreshetError, diag } from '../common/diagnostics.js';
import type { SqlType } from '../common/types.js';
import type { Dictionary } from '../catalog/dictionary/dictionary.js';
import { DictionaryErrors as E } from '../catalog/dictionary/dictionary-error-codes.js';
import { discriminatorValue, parseDiscriminator } from '../catalog/dictionary/discriminator.js';
import { topicOf, type SourceDefinition, type StatsDelta, type TypeSchema } from '../catalog/dictionary/source-model.js';
import { parseSqlType } from '../catalog/dictionary/source-validation.js';
import type { AppendMessage, AppendResult, EmbeddedLog } from '../connectors/embedded-log/embedded-log.js';

export interface IncomingMessage { value: unknown; key?: string | null; headers?: Record<string, string> }

export interface IngestResult {
  appended: number;
  offsets: AppendResult[];
  /** Messages not appended, by position in the request (0-based), with the reason. */
  rejected: { index: number; reason: string }[];
  unknownTypes: Record<string, number>;
  unknownFields: Record<string, number>;
}

export interface IngestOptions {
  /** Take each message's key from this top-level field (default: no key, round-robin partitions). */
  keyField?: string;
}

/** Field-name trees of a schema for drift checks: name → nested tree (ROW) or null (leaf). */
type Shape = Map<string, Shape | null>;

function shapeOfType(t: SqlType): Shape | null {
  if (t.kind !== 'ROW' || !t.fields) return null;
  return new Map(t.fields.map((f) => [f.name, shapeOfType(f.type)]));
}

const shapeCache = new WeakMap<TypeSchema, Shape>();
function shapeOf(s: TypeSchema): Shape {
  let sh = shapeCache.get(s);
  if (!sh) {
    sh = new Map();
    for (const f of s.fields) {
      const t = parseSqlType(f.type);
      sh.set(f.name, typeof t === 'string' ? null : shapeOfType(t));
    }
    shapeCache.set(s, sh);
  }
  return sh;
}

function drift(obj: Record<string, unknown>, shape: Shape, prefix: string, out: Record<string, number>): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!shape.has(k)) { const p = `${prefix}.${k}`; out[p] = (out[p] ?? 0) + 1; continue; }
    const sub = shape.get(k);
    if (sub && v !== null && typeof v === 'object' && !Array.isArray(v)) drift(v as Record<string, unknown>, sub, `${prefix}.${k}`, out);
  }
}

export async function ingestEvents(
  dictionary: Dictionary, log: EmbeddedLog, source: SourceDefinition, messages: readonly IncomingMessage[], opts: IngestOptions = {},
): Promise<IngestResult> {
  if (source.kind !== 'embedded-log') {
    throw new FreshetError(diag(E.InvalidSource, `source '${source.name}' is a ${source.kind} topic; produce its events to ${source.kind}`, undefined,
      'events can be posted only to embedded-log sources'));
  }
  const disc = source.discriminator ? parseDiscriminator(source.discriminator.path) : undefined;
  const rejected: IngestResult['rejected'] = [];
  const unknownTypes: Record<string, number> = {};
  const unknownFields: Record<string, number> = {};
  const deadLetters: NonNullable<StatsDelta['deadLetters']> = [];
  const accepted: AppendMessage[] = [];
  messages.forEach((m, index) => {
    let obj: unknown = m.value;
    const raw = typeof m.value === 'string' ? m.value : JSON.stringify(m.value) ?? 'undefined';
    if (typeof m.value === 'string') {
      try { obj = JSON.parse(m.value); } catch (e) {
        const reason = `message ${index + 1} is not valid JSON: ${(e as Error).message}`;
        rejected.push({ index, reason });
        deadLetters.push({ reason, raw, where: 'ingest' });
        return;
      }
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      const reason = `message ${index + 1} is not a JSON object`;
      rejected.push({ index, reason });
      deadLetters.push({ reason, raw, where: 'ingest' });
      return;
    }
    let schema: TypeSchema | undefined = source.schema;
    if (disc && typeof disc !== 'string') {
      const t = discriminatorValue(obj, disc, m.headers ?? null);
      schema = t === undefined ? undefined : source.types?.[t];
      if (!schema) { const k = t ?? '(missing)'; unknownTypes[k] = (unknownTypes[k] ?? 0) + 1; }
    }
    if (schema) drift(obj as Record<string, unknown>, shapeOf(schema), '$', unknownFields);
    let key = m.key ?? null;
    if (key === null && opts.keyField !== undefined) {
      const v = (obj as Record<string, unknown>)[opts.keyField];
      if (v !== undefined && v !== null) key = typeof v === 'string' ? v : JSON.stringify(v);
    }
    accepted.push({ value: typeof m.value === 'string' ? m.value : obj, key, ...(m.headers ? { headers: m.headers } : {}) });
  });
  let offsets: AppendResult[] = [];
  if (accepted.length > 0) {
    const topic = topicOf(source);
    await log.ensureTopic(topic, source.connection.partitions ?? 1);
    offsets = await log.append(topic, accepted);
  }
  await dictionary.recordStats(source.name, {
    messages: accepted.length, parseErrors: rejected.length, unknownFields, unknownTypes, deadLetters,
  });
  return { appended: accepted.length, offsets, rejected, unknownTypes, unknownFields };
}

/** Splits a JSON-lines text (or a JSON array text) into messages; blank lines are skipped. */
export function splitMessages(text: string): IncomingMessage[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr)) return arr.map((value) => ({ value }));
    } catch { /* not one array: read as lines */ }
  }
  return text.split(/\r?\n/).filter((l) => l.trim() !== '').map((value) => ({ value }));
}
