/**
 * Validation of source definitions arriving from the REST API, the CLI or a file. Every problem is a Diagnostic
 * whose `source` is the path of the offending field (`schema.fields[2].type`) and whose message names it, so the
 * API can answer 400 with the field. Validation never throws.
 */
import { diag, type Diagnostic } from '../../common/diagnostics.js';
import { isNumeric, type SqlType } from '../../common/types.js';
import { parseDataType, typeNodeToSqlType } from '../../sql/index.js';
import { DictionaryErrors as E } from './dictionary-error-codes.js';
import { parseDiscriminator } from './discriminator.js';
import { SOURCE_KINDS, TIMESTAMP_FORMATS, type FieldSpec, type SourceDefinition, type TypeSchema } from './source-model.js';

export const SOURCE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** A generated column's name (the processing-time column): an identifier that needs no quoting in user SQL. */
export const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Column names Freshet declares itself in generated DDL (e.g. `__freshet_headers`, the Kafka headers metadata column). */
const RESERVED_COLUMN = /^__freshet/i;
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/** Parses Flink SQL type text to a SqlType, or returns the error message. */
export function parseSqlType(text: string): SqlType | string {
  const r = parseDataType(text);
  if (!r.value || r.diagnostics.some((d) => d.severity === 'error')) return r.diagnostics[0]?.message ?? `cannot parse type '${text}'`;
  const t = typeNodeToSqlType(r.value);
  return t.ok ? t.type : t.message;
}

export function fieldError(field: string, message: string, hint?: string): Diagnostic {
  return { ...diag(E.InvalidSource, `${field}: ${message}`, undefined, hint), source: field };
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function stringRecord(v: unknown, field: string, out: Diagnostic[]): void {
  if (v === undefined) return;
  if (!isObj(v)) { out.push(fieldError(field, 'must be an object of string values')); return; }
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') out.push(fieldError(`${field}.${k}`, 'must be a string'));
}

function optString(o: Record<string, unknown>, key: string, field: string, out: Diagnostic[]): void {
  if (o[key] !== undefined && typeof o[key] !== 'string') out.push(fieldError(field, 'must be a string'));
}

/** Validates one type's schema; `at` is its path (`schema` or `types.order`). */
export function validateTypeSchema(s: unknown, at: string, out: Diagnostic[]): void {
  if (!isObj(s)) { out.push(fieldError(at, 'must be an object with a fields array')); return; }
  const fields = s['fields'];
  if (!Array.isArray(fields) || fields.length === 0) { out.push(fieldError(`${at}.fields`, 'must be a non-empty array of fields')); return; }
  const names = new Set<string>();
  const timeCols = new Map<string, string>(); // computed column → its field's type text
  const types = new Map<string, SqlType>();
  fields.forEach((f: unknown, i: number) => {
    const fp = `${at}.fields[${i}]`;
    if (!isObj(f)) { out.push(fieldError(fp, 'must be an object with name and type')); return; }
    const name = f['name'];
    if (typeof name !== 'string' || name.length === 0 || name.includes('`')) { out.push(fieldError(`${fp}.name`, 'must be a non-empty string without backquotes')); return; }
    if (names.has(name)) out.push(fieldError(`${fp}.name`, `duplicate field name '${name}'`));
    names.add(name);
    const type = f['type'];
    let parsed: SqlType | undefined;
    if (typeof type !== 'string') out.push(fieldError(`${fp}.type`, 'must be a Flink SQL type such as BIGINT or ROW<`a` INT>'));
    else {
      const t = parseSqlType(type);
      if (typeof t === 'string') out.push({ ...fieldError(`${fp}.type`, `invalid type '${type}' of field '${name}': ${t}`), code: E.BadType });
      else if (!t.nullable) out.push(fieldError(`${fp}.type`, `write nullability with "nullable": false, not NOT NULL in the type`));
      else { parsed = t; types.set(name, t); }
    }
    if (f['nullable'] !== undefined && typeof f['nullable'] !== 'boolean') out.push(fieldError(`${fp}.nullable`, 'must be true or false'));
    optString(f, 'description', `${fp}.description`, out);
    optString(f, 'timestampPattern', `${fp}.timestampPattern`, out);
    const tf = f['timestampFormat'];
    if (tf !== undefined && !(TIMESTAMP_FORMATS as readonly unknown[]).includes(tf)) {
      out.push(fieldError(`${fp}.timestampFormat`, `must be one of ${TIMESTAMP_FORMATS.join(', ')}`));
    } else if (tf !== undefined && parsed) {
      const epoch = tf === 'epoch-millis' || tf === 'epoch-seconds';
      const byPattern = typeof f['timestampPattern'] === 'string';
      if (epoch && !isNumeric(parsed)) out.push(fieldError(`${fp}.timestampFormat`, `'${tf}' needs a numeric type (BIGINT), field '${name}' is ${type as string}`));
      if (tf === 'iso-offset' && !byPattern) out.push(fieldError(`${fp}.timestampPattern`, `'iso-offset' needs a java.time pattern such as yyyy-MM-dd'T'HH:mm:ssXXX`));
      if (epoch || byPattern) {
        const tc = f['timeColumn'] ?? `${name}_ltz`;
        if (typeof tc !== 'string' || tc.length === 0 || tc.includes('`')) out.push(fieldError(`${fp}.timeColumn`, 'must be a non-empty column name'));
        else timeCols.set(tc, fp);
      }
    }
  });
  for (const [tc, fp] of timeCols) if (names.has(tc)) out.push(fieldError(`${fp}.timeColumn`, `computed column '${tc}' clashes with a field of the same name`));
  const pt = s['procTimeColumn'];
  if (pt !== undefined) {
    if (typeof pt !== 'string' || !COLUMN_NAME.test(pt)) {
      out.push(fieldError(`${at}.procTimeColumn`, 'must be a column name: a letter or _, then letters, digits and _ (at most 128)', 'remove it for a source without a processing-time column'));
    } else if (RESERVED_COLUMN.test(pt)) {
      out.push(fieldError(`${at}.procTimeColumn`, `'${pt}' is reserved: names starting with __freshet name the columns Freshet declares itself (e.g. the Kafka headers metadata column)`));
    } else if (names.has(pt)) {
      out.push(fieldError(`${at}.procTimeColumn`, `processing-time column '${pt}' clashes with a field of the same name`, `rename it, e.g. '${pt}_1'`));
    } else if (timeCols.has(pt)) {
      out.push(fieldError(`${at}.procTimeColumn`, `processing-time column '${pt}' clashes with the computed time column of ${timeCols.get(pt)!}`, `rename it, e.g. '${pt}_1'`));
    }
  }
  const et = s['eventTimeColumn'];
  if (et !== undefined) {
    if (typeof et !== 'string') out.push(fieldError(`${at}.eventTimeColumn`, 'must be a column name'));
    else if (et === pt && !names.has(et) && !timeCols.has(et)) {
      out.push(fieldError(`${at}.eventTimeColumn`, `'${et}' is the processing-time column; the event-time column must be a TIMESTAMP(3) or TIMESTAMP_LTZ(3) field or a computed time column`));
    } else if (!timeCols.has(et)) {
      const t = types.get(et);
      if (!names.has(et)) {
        out.push(fieldError(`${at}.eventTimeColumn`, `no column '${et}'`, `timestamp columns: ${[...[...types].filter(([, x]) => x.kind === 'TIMESTAMP' || x.kind === 'TIMESTAMP_LTZ').map(([n]) => n), ...timeCols.keys()].join(', ') || 'none'}`));
      } else if (t && !((t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') && (t.precision ?? 3) <= 3)) {
        out.push(fieldError(`${at}.eventTimeColumn`, `column '${et}' is ${type(t)}; the event-time column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3)`,
          'for epoch numbers set the field\'s timestampFormat to epoch-millis or epoch-seconds and use its computed column'));
      }
    }
  }
  const wd = s['watermarkDelayMs'];
  if (wd !== undefined && (typeof wd !== 'number' || !Number.isInteger(wd) || wd < 0)) out.push(fieldError(`${at}.watermarkDelayMs`, 'must be a non-negative integer number of milliseconds'));
  const ts = s['timestampStandard'];
  if (ts !== undefined && ts !== 'SQL' && ts !== 'ISO-8601') out.push(fieldError(`${at}.timestampStandard`, "must be 'SQL' or 'ISO-8601'"));
  optString(s, 'description', `${at}.description`, out);
}

function type(t: SqlType): string {
  return t.kind;
}

/**
 * Validates a complete definition candidate (after defaults are applied). `name`, `kind`, `connection`, `format`,
 * schema/types, discriminator, owner/description/tags/samples.
 */
export function validateSource(d: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!isObj(d)) return [fieldError('body', 'must be a JSON object')];
  const name = d['name'];
  if (typeof name !== 'string' || !SOURCE_NAME.test(name)) {
    out.push(fieldError('name', 'must start with a letter or _ and hold only letters, digits and _ (at most 128)'));
  }
  if (!(SOURCE_KINDS as readonly unknown[]).includes(d['kind'])) out.push(fieldError('kind', `must be one of ${SOURCE_KINDS.join(', ')}`));
  const c = d['connection'];
  if (!isObj(c)) out.push(fieldError('connection', 'must be an object'));
  else {
    if (d['kind'] === 'kafka' && (typeof c['bootstrapServers'] !== 'string' || c['bootstrapServers'].trim() === '')) {
      out.push(fieldError('connection.bootstrapServers', "is required for kafka sources, e.g. 'localhost:9092'"));
    } else optString(c, 'bootstrapServers', 'connection.bootstrapServers', out);
    if (c['topic'] !== undefined && (typeof c['topic'] !== 'string' || !TOPIC_NAME.test(c['topic']))) out.push(fieldError('connection.topic', 'must be a topic name (letters, digits, ., _, -)'));
    const p = c['partitions'];
    if (p !== undefined && (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 1024)) out.push(fieldError('connection.partitions', 'must be an integer from 1 to 1024'));
    stringRecord(c['properties'], 'connection.properties', out);
    stringRecord(c['secrets'], 'connection.secrets', out);
    const sm = c['startupMode'];
    if (sm !== undefined && sm !== 'earliest-offset' && sm !== 'latest-offset') out.push(fieldError('connection.startupMode', "must be 'earliest-offset' or 'latest-offset'"));
  }
  const f = d['format'];
  if (!isObj(f) || f['kind'] !== 'json') out.push(fieldError('format.kind', "must be 'json'"));
  else if (f['ignoreParseErrors'] !== undefined && typeof f['ignoreParseErrors'] !== 'boolean') out.push(fieldError('format.ignoreParseErrors', 'must be true or false'));
  const hasSchema = d['schema'] !== undefined, hasTypes = d['types'] !== undefined;
  if (hasSchema === hasTypes) out.push(fieldError(hasSchema ? 'types' : 'schema', 'give either schema (one message type) or types with a discriminator (several), or samples to infer it from'));
  if (hasSchema) validateTypeSchema(d['schema'], 'schema', out);
  if (hasTypes) {
    const types = d['types'];
    if (!isObj(types) || Object.keys(types).length === 0) out.push(fieldError('types', 'must map each type value to its schema'));
    else for (const [k, s] of Object.entries(types)) {
      if (k.length === 0 || k.includes('`')) out.push(fieldError(`types.${k}`, 'type values must be non-empty and hold no backquotes'));
      validateTypeSchema(s, `types.${k}`, out);
    }
    const disc = d['discriminator'];
    if (!isObj(disc) || typeof disc['path'] !== 'string') out.push(fieldError('discriminator.path', "is required with types: a JSON path such as '$.type' or 'header:<name>'"));
    else {
      const p = parseDiscriminator(disc['path']);
      if (typeof p === 'string') out.push(fieldError('discriminator.path', p));
    }
  } else if (d['discriminator'] !== undefined) out.push(fieldError('discriminator', 'only multi-type sources (with types) have a discriminator'));
  optString(d, 'owner', 'owner', out);
  optString(d, 'description', 'description', out);
  const tags = d['tags'];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) out.push(fieldError('tags', 'must be an array of strings'));
  const samples = d['samples'];
  if (!Array.isArray(samples) || samples.some((t) => typeof t !== 'string')) out.push(fieldError('samples', 'must be an array of JSON texts'));
  if (d['offline'] !== undefined) validateOfflineTwin(d['offline'], out);
  return out;
}

const OFFLINE_FORMATS = ['parquet', 'csv', 'json', 'duckdb', 'postgres'];

/** The offline twin (source-model.ts OfflineTwin): a format, and a path or a table as the format needs. */
function validateOfflineTwin(o: unknown, out: Diagnostic[]): void {
  if (!isObj(o)) { out.push(fieldError('offline', 'must be an object')); return; }
  const f = o['format'];
  if (typeof f !== 'string' || !OFFLINE_FORMATS.includes(f)) { out.push(fieldError('offline.format', `must be one of ${OFFLINE_FORMATS.join(', ')}`)); return; }
  for (const k of ['path', 'table', 'url', 'timeColumn', 'partitionColumn']) optString(o, k, `offline.${k}`, out);
  const has = (k: string): boolean => typeof o[k] === 'string' && (o[k] as string).trim() !== '';
  if ((f === 'parquet' || f === 'csv' || f === 'json' || f === 'duckdb') && !has('path')) out.push(fieldError('offline.path', `is required for ${f} twins`));
  if ((f === 'duckdb' || f === 'postgres') && !has('table')) out.push(fieldError('offline.table', `is required for ${f} twins`));
  if (f === 'postgres' && !has('url')) out.push(fieldError('offline.url', 'is required for postgres twins, e.g. postgres://user@host:5432/db'));
}

/** Field specs with defaults applied (nullable true). */
export function normalizeFields(s: TypeSchema): TypeSchema {
  return { ...s, fields: s.fields.map((f: FieldSpec) => ({ ...f, nullable: f.nullable ?? true })) };
}

export type { SourceDefinition };
