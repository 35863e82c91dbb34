/**
 * Schema inference from sample messages: JSON objects → a TypeSchema (fields with Flink SQL types, nullability
 * observations, timestamp formats, a suggested event-time column) plus warnings and the CREATE TABLE text it implies.
 *
 * Rules (across all samples of one type):
 *  - objects → ROW, arrays → ARRAY (element types merged across every element of every sample);
 *  - integers → INT when all fit 32 bits, else BIGINT (beyond 64 bits: DECIMAL(p, 0) in exact mode, else DOUBLE);
 *  - numbers with a fraction → DOUBLE; `decimals: 'exact'` → DECIMAL(p, s) covering every value; `'auto'` →
 *    DECIMAL when every value has the same (non-zero) scale;
 *  - text in Flink's SQL or ISO-8601 timestamp shapes → TIMESTAMP(3) / TIMESTAMP_LTZ(3) (trailing Z), ISO text
 *    with an offset → STRING plus a computed TIMESTAMP_LTZ(3) column, `yyyy-MM-dd` → DATE;
 *  - integers under a time-like name (ts, time, timestamp, event_time, *_at, *_time, *_ts) in the epoch-seconds or
 *    epoch-millis range → BIGINT plus a computed TIMESTAMP_LTZ(3) column;
 *  - a field missing or null in some sample is nullable; present and non-null everywhere is recorded as
 *    `observedNonNull` (NOT NULL only with `notNullWhenObserved`);
 *  - conflicting kinds (a number in one sample, text in another; an object and a scalar) → STRING, which Flink's
 *    JSON format reads from any JSON value as its text, with a DICT101 warning naming the field and the samples;
 *  - every schema gets a processing-time column `proc_time AS PROCTIME()` (suffixed `_1`, `_2`, ... when a column
 *    has that name; renamed or left out with `procTimeColumn`), the probe-side time of lookup joins.
 */
import { diag, type Diagnostic } from '../../common/diagnostics.js';
import { T, typeToString, type SqlType, type RowField } from '../../common/types.js';
import { parseJsonText, fromJsValue, JsonNumber, previewJson, type JsonValue, JsonTextError } from './json-text.js';
import { parseDiscriminator, discriminatorValue } from './discriminator.js';
import { DEFAULT_PROC_TIME_COLUMN, DEFAULT_WATERMARK_DELAY_MS, type FieldSpec, type TimestampFormat, type TypeSchema, type Discriminator } from './source-model.js';
import { DictionaryErrors as E } from './dictionary-error-codes.js';
import { typeSchemaDdl } from './source-ddl.js';
import { COLUMN_NAME } from './source-validation.js';

export interface InferOptions {
  /** How numbers with a fraction are typed (default 'double'). */
  decimals?: 'double' | 'exact' | 'auto';
  /** Make fields present and non-null in every sample NOT NULL (default false: nullable, `observedNonNull` set). */
  notNullWhenObserved?: boolean;
  /**
   * Multi-type topic: a JSON path such as `$.type`, or `header:<name>` (needs `headers`); samples are grouped by its
   * value, one schema per value.
   */
  discriminator?: string;
  /**
   * Each sample's message headers, by position (parallel to the samples; null/undefined = none). Read only by a
   * `header:<name>` discriminator.
   */
  headers?: readonly (Readonly<Record<string, string>> | null | undefined)[];
  /** Table name used in the DDL (default 'inferred'). */
  name?: string;
  /** Watermark delay of the suggested event-time column (default 5000 ms). */
  watermarkDelayMs?: number;
  /** Connector options of the generated DDL (default: the embedded log, topic = name). */
  withOptions?: Record<string, string>;
  /**
   * The processing-time column of each schema (`<name> AS PROCTIME()`). Undefined: `proc_time`, suffixed `_1`,
   * `_2`, ... when a field or computed column already has that name; a name: exactly that name (a clash is an
   * error); false or null: no processing-time column.
   */
  procTimeColumn?: string | false | null;
}

export interface InferResult {
  /** Single-type result (no discriminator). */
  schema?: TypeSchema;
  /** Multi-type result: type value → schema. */
  types?: Record<string, TypeSchema>;
  discriminator?: Discriminator;
  warnings: Diagnostic[];
  /** CREATE TABLE statements implied by the result, separated by blank lines. */
  ddl: string;
  /** Samples that were read (valid JSON objects). */
  samplesRead: number;
}

type Kind = 'bool' | 'int' | 'dec' | 'str' | 'obj' | 'arr';
type StrCat = 'sql' | 'sql-z' | 'iso' | 'iso-z' | 'iso-offset' | 'date' | 'plain';

interface Example { sample: number; text: string }

/** What was seen at one path. */
class Obs {
  present = 0; // non-null occurrences
  nulls = 0;
  readonly kinds = new Map<Kind, Example>();
  intMin: bigint | undefined;
  intMax: bigint | undefined;
  maxScale = 0;
  minScale = Number.POSITIVE_INFINITY;
  maxIntDigits = 1;
  maxDouble = 0;
  readonly strCats = new Map<StrCat, Example>();
  /** Fraction digit counts seen in timestamp text (0 = no fraction); whether seconds were present. */
  readonly fracDigits = new Set<number>();
  readonly offsetShapes = new Set<string>();
  /** Objects: occurrences as an object, and the fields in first-seen order. */
  objects = 0;
  readonly fields = new Map<string, Obs>();
  /** Arrays: the merged element observation. */
  element: Obs | undefined;
}

const SQL_TS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z?)$/;
const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(\.\d{1,9})?)?(Z?)$/;
const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?([+-]\d{2}(:?)\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Names that make an integer an epoch timestamp candidate. */
export const TIME_LIKE_NAME = /^(ts|time|timestamp|event_?time|event_?ts|eventtime|eventts)$|(_at|_time|_ts|_timestamp|Time|At|Ts|Timestamp)$/i;

const INT_MIN = -(2n ** 31n), INT_MAX = 2n ** 31n - 1n;
const BIGINT_MIN = -(2n ** 63n), BIGINT_MAX = 2n ** 63n - 1n;

function classifyString(s: string, o: Obs): StrCat {
  let m = SQL_TS.exec(s);
  if (m) { o.fracDigits.add(m[1] ? m[1].length - 1 : 0); return m[2] ? 'sql-z' : 'sql'; }
  m = ISO_TS.exec(s);
  if (m) { o.fracDigits.add(m[1] ? m[1].length - 1 : 0); return m[2] ? 'iso-z' : 'iso'; }
  m = ISO_OFFSET.exec(s);
  if (m) { o.fracDigits.add(m[1] ? m[1].length - 1 : 0); o.offsetShapes.add(m[3] ? 'colon' : 'plain'); return 'iso-offset'; }
  if (DATE.test(s)) return 'date';
  return 'plain';
}

function observe(o: Obs, v: JsonValue, sample: number): void {
  if (v === null) { o.nulls++; return; }
  o.present++;
  const note = (k: Kind): void => { if (!o.kinds.has(k)) o.kinds.set(k, { sample, text: previewJson(v) }); };
  if (typeof v === 'boolean') { note('bool'); return; }
  if (typeof v === 'string') {
    note('str');
    const c = classifyString(v, o);
    if (!o.strCats.has(c)) o.strCats.set(c, { sample, text: previewJson(v) });
    return;
  }
  if (v instanceof JsonNumber) {
    const t = v.text;
    const intLike = /^-?\d+$/.test(t);
    if (intLike) {
      note('int');
      const b = BigInt(t);
      if (o.intMin === undefined || b < o.intMin) o.intMin = b;
      if (o.intMax === undefined || b > o.intMax) o.intMax = b;
      o.maxIntDigits = Math.max(o.maxIntDigits, t.replace('-', '').length);
      o.minScale = Math.min(o.minScale, 0);
    } else {
      note('dec');
      const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(t)!;
      const intDigits = m[1]!.replace(/^0+(?=\d)/, '');
      let scale = m[2]?.length ?? 0;
      let digits = intDigits === '0' ? 1 : intDigits.length;
      if (m[3] !== undefined) { // scientific: scale shifts by the exponent
        const e = Number(m[3]);
        scale = Math.max(0, scale - e);
        digits = Math.max(1, digits + e);
      }
      o.maxScale = Math.max(o.maxScale, scale);
      o.minScale = Math.min(o.minScale, scale);
      o.maxIntDigits = Math.max(o.maxIntDigits, digits);
    }
    o.maxDouble = Math.max(o.maxDouble, Math.abs(Number(t)));
    return;
  }
  if (Array.isArray(v)) {
    note('arr');
    o.element ??= new Obs();
    for (const x of v) observe(o.element, x, sample);
    return;
  }
  note('obj');
  o.objects++;
  for (const [k, x] of v) {
    let f = o.fields.get(k);
    if (!f) { f = new Obs(); o.fields.set(k, f); }
    observe(f, x, sample);
  }
}

interface Ctx {
  opts: InferOptions;
  warnings: Diagnostic[];
  standard: 'SQL' | 'ISO-8601';
}

interface Resolved { type: SqlType; format?: TimestampFormat; pattern?: string }

function kindName(k: Kind): string {
  return { bool: 'BOOLEAN', int: 'integer', dec: 'decimal number', str: 'STRING', obj: 'object', arr: 'array' }[k];
}

/** java.time pattern for ISO text with an offset, covering the fraction lengths seen. */
function offsetPattern(o: Obs): string {
  const fr = [...o.fracDigits].sort((a, b) => b - a);
  const frac = fr.length === 1 ? (fr[0] === 0 ? '' : '.' + 'S'.repeat(fr[0]!)) : fr.map((d) => (d === 0 ? '' : `[.${'S'.repeat(d)}]`)).join('');
  const off = o.offsetShapes.has('plain') && !o.offsetShapes.has('colon') ? 'XX' : 'XXX';
  return `yyyy-MM-dd'T'HH:mm:ss${frac}${off}`;
}

function textPattern(cat: 'sql' | 'sql-z' | 'iso' | 'iso-z', o: Obs): string {
  const fr = [...o.fracDigits].sort((a, b) => b - a);
  const frac = fr.length === 1 ? (fr[0] === 0 ? '' : '.' + 'S'.repeat(fr[0]!)) : fr.map((d) => (d === 0 ? '' : `[.${'S'.repeat(d)}]`)).join('');
  const sep = cat.startsWith('sql') ? ' ' : "'T'";
  return `yyyy-MM-dd${sep}HH:mm:ss${frac}${cat.endsWith('-z') ? 'X' : ''}`;
}

function resolve(o: Obs, path: string, name: string, top: boolean, ctx: Ctx): Resolved {
  const kinds = [...o.kinds.keys()];
  const nonNum = kinds.filter((k) => k !== 'int' && k !== 'dec');
  const hasNum = kinds.length !== nonNum.length;
  if (kinds.length === 0) {
    ctx.warnings.push(diag(E.OnlyNulls, `field '${path}' is null or missing in every sample; typed STRING`, undefined,
      'set its type once real values are known', 'warning'));
    return { type: T.string() };
  }
  if (nonNum.length + (hasNum ? 1 : 0) > 1) {
    const seen = kinds.map((k) => { const ex = o.kinds.get(k)!; return `${kindName(k)} (sample ${ex.sample + 1}: ${ex.text})`; });
    ctx.warnings.push(diag(E.ConflictingTypes, `field '${path}' has conflicting types across samples: ${seen.join(', ')}; typed STRING`, undefined,
      "Flink's JSON format reads any JSON value into a STRING column as its text; pick a narrower type if the other shapes are errors", 'warning'));
    return { type: T.string() };
  }
  const k = kinds[0]!;
  if (k === 'bool') return { type: T.boolean() };
  if (hasNum) return resolveNumber(o, path, name, top, ctx);
  if (k === 'str') return resolveString(o, path, top, ctx);
  if (k === 'arr') {
    const el = o.element;
    if (!el || el.kinds.size === 0) {
      ctx.warnings.push(diag(E.OnlyNulls, `array field '${path}' is empty (or holds only nulls) in every sample; typed ARRAY<STRING>`, undefined, undefined, 'warning'));
      return { type: T.array(T.string()) };
    }
    return { type: T.array(resolve(el, `${path}[*]`, name, false, ctx).type) };
  }
  // object
  if (o.fields.size === 0) {
    ctx.warnings.push(diag(E.OnlyNulls, `object field '${path}' is empty in every sample; typed STRING (its JSON text)`, undefined, undefined, 'warning'));
    return { type: T.string() };
  }
  const fields: RowField[] = [];
  for (const [fname, fo] of o.fields) {
    const r = resolve(fo, `${path}.${fname}`, fname, false, ctx);
    const nonNull = fo.present === o.objects && fo.nulls === 0;
    fields.push({ name: fname, type: ctx.opts.notNullWhenObserved && nonNull ? { ...r.type, nullable: false } : r.type });
  }
  return { type: T.row(fields) };
}

function resolveNumber(o: Obs, path: string, name: string, top: boolean, ctx: Ctx): Resolved {
  const onlyInt = !o.kinds.has('dec');
  if (onlyInt) {
    const min = o.intMin!, max = o.intMax!;
    if (min < BIGINT_MIN || max > BIGINT_MAX) {
      ctx.warnings.push(diag(E.NumberRange, `field '${path}' holds integers beyond BIGINT (e.g. ${o.kinds.get('int')!.text}); typed ${ctx.opts.decimals === 'exact' ? 'DECIMAL' : 'DOUBLE'}`, undefined, undefined, 'warning'));
      return { type: ctx.opts.decimals === 'exact' ? T.decimal(Math.min(38, o.maxIntDigits), 0) : T.double() };
    }
    if (top && TIME_LIKE_NAME.test(name)) {
      if (min >= 100_000_000n && max < 100_000_000_000n) return { type: T.bigint(), format: 'epoch-seconds' };
      if (min >= 100_000_000_000n && max < 100_000_000_000_000n) return { type: T.bigint(), format: 'epoch-millis' };
    }
    return { type: min >= INT_MIN && max <= INT_MAX ? T.int() : T.bigint() };
  }
  if (top && TIME_LIKE_NAME.test(name) && o.maxDouble < 1e11 && o.intMin === undefined) {
    // Fractional epoch seconds (1700000000.123): DOUBLE seconds, converted like whole seconds.
    const minOk = o.maxDouble >= 1e8;
    if (minOk) return { type: T.double(), format: 'epoch-seconds' };
  }
  const mode = ctx.opts.decimals ?? 'double';
  const sameScale = o.minScale === o.maxScale && o.maxScale > 0;
  if (mode === 'exact' || (mode === 'auto' && sameScale)) {
    const s = Math.min(o.maxScale, 18);
    const p = Math.min(38, Math.max(o.maxIntDigits + s, s + 1));
    return { type: T.decimal(p, s) };
  }
  return { type: T.double() };
}

function resolveString(o: Obs, path: string, top: boolean, ctx: Ctx): Resolved {
  const cats = [...o.strCats.keys()];
  if (cats.length !== 1 || cats[0] === 'plain') {
    const ts = cats.filter((c) => c !== 'plain');
    if (ts.length > 0) {
      const ex = cats.map((c) => `${c === 'plain' ? 'text' : c} (sample ${o.strCats.get(c)!.sample + 1}: ${o.strCats.get(c)!.text})`);
      ctx.warnings.push(diag(E.MixedTimestampFormats, `field '${path}' mixes timestamp formats or text: ${ex.join(', ')}; typed STRING`, undefined,
        'convert it in SQL with TO_TIMESTAMP(text, pattern) if the shapes are all timestamps', 'warning'));
    }
    return { type: T.string() };
  }
  const c = cats[0]!;
  if (c === 'date') return { type: T.date() };
  if (c === 'iso-offset') {
    if (!top) {
      ctx.warnings.push(diag(E.NestedTimestamp, `nested field '${path}' holds ISO-8601 timestamps with a UTC offset; typed STRING`, undefined,
        'convert it in SQL with TO_TIMESTAMP_LTZ(text, pattern)', 'warning'));
      return { type: T.string() };
    }
    return { type: T.string(), format: 'iso-offset', pattern: offsetPattern(o) };
  }
  const native = (c === 'sql' || c === 'sql-z') === (ctx.standard === 'SQL');
  const type = c.endsWith('-z') ? T.timestampLtz(3) : T.timestamp(3);
  if (native) return { type, format: c };
  if (!top) {
    ctx.warnings.push(diag(E.NestedTimestamp, `nested field '${path}' uses ${c.startsWith('sql') ? 'SQL' : 'ISO-8601'} timestamp text while the table reads ${ctx.standard}; typed STRING`, undefined,
      'convert it in SQL with TO_TIMESTAMP(text, pattern)', 'warning'));
    return { type: T.string() };
  }
  // A top-level timestamp in the other standard: physical STRING, computed column parses it by pattern.
  return { type: T.string(), format: c, pattern: textPattern(c, o) };
}

/** Counts timestamp-text categories in the tree to choose the table's json.timestamp-format.standard. */
function countStandards(o: Obs, acc: { sql: number; iso: number }): void {
  if (o.kinds.size === 1 && o.kinds.has('str') && o.strCats.size === 1) {
    const c = [...o.strCats.keys()][0]!;
    if (c === 'sql' || c === 'sql-z') acc.sql++;
    if (c === 'iso' || c === 'iso-z') acc.iso++;
  }
  for (const f of o.fields.values()) countStandards(f, acc);
  if (o.element) countStandards(o.element, acc);
}

const EVENT_TIME_RANK: [RegExp, number][] = [
  [/^(event_?time|event_?ts|eventtime)$/i, 0],
  [/^(timestamp|ts|time)$/i, 1],
  [/(_time|_ts|Time|Ts|_timestamp|Timestamp)$/, 2],
  [/(_at|At)$/, 3],
];

function typeSchemaOf(root: Obs, ctx: Ctx, uniqueNames: Set<string>): TypeSchema {
  const acc = { sql: 0, iso: 0 };
  countStandards(root, acc);
  ctx.standard = acc.iso > acc.sql ? 'ISO-8601' : 'SQL';
  const fields: FieldSpec[] = [];
  for (const [name, fo] of root.fields) {
    const r = resolve(fo, `$.${name}`, name, true, ctx);
    const nonNull = fo.present === root.objects && fo.nulls === 0;
    const f: FieldSpec = { name, type: typeToString({ ...r.type, nullable: true }), nullable: !(ctx.opts.notNullWhenObserved && nonNull), observedNonNull: nonNull };
    if (r.format) f.timestampFormat = r.format;
    if (r.pattern) f.timestampPattern = r.pattern;
    if (r.format && (r.format.startsWith('epoch') || r.pattern)) {
      let tc = `${name}_ltz`;
      for (let k = 2; uniqueNames.has(tc) || root.fields.has(tc); k++) tc = `${name}_ltz${k}`;
      uniqueNames.add(tc);
      f.timeColumn = tc;
    }
    fields.push(f);
  }
  const schema: TypeSchema = { fields };
  if (ctx.standard === 'ISO-8601') schema.timestampStandard = 'ISO-8601';
  const taken = (n: string): boolean => root.fields.has(n) || uniqueNames.has(n);
  const pt = procTimeName(ctx.opts.procTimeColumn, taken);
  if (pt !== undefined) {
    schema.procTimeColumn = pt;
    if (typeof ctx.opts.procTimeColumn === 'string' && taken(pt)) {
      ctx.warnings.push({ ...diag(E.InvalidSource, `procTimeColumn: '${pt}' clashes with a column of the same name`, undefined,
        `choose another name, e.g. '${pt}_1'`, 'error'), source: 'procTimeColumn' });
    }
  }
  // Suggested event time: the best-named timestamp field, non-null ones first.
  let best: { col: string; rank: number; nonNull: boolean; idx: number } | undefined;
  fields.forEach((f, idx) => {
    if (!f.timestampFormat) return;
    const rank = EVENT_TIME_RANK.find(([re]) => re.test(f.name))?.[1] ?? 4;
    const cand = { col: f.timeColumn ?? f.name, rank, nonNull: f.observedNonNull === true, idx };
    if (!best || (cand.nonNull && !best.nonNull) || (cand.nonNull === best.nonNull && cand.rank < best.rank)) best = cand;
  });
  if (best) {
    schema.eventTimeColumn = best.col;
    schema.watermarkDelayMs = ctx.opts.watermarkDelayMs ?? DEFAULT_WATERMARK_DELAY_MS;
  }
  return schema;
}

/**
 * The processing-time column to propose: the default name made unique against `taken` (fields and computed
 * columns), or the requested name as given (validation reports a clash), or none.
 */
function procTimeName(opt: InferOptions['procTimeColumn'], taken: (name: string) => boolean): string | undefined {
  if (opt === false || opt === null) return undefined;
  if (typeof opt === 'string') return opt;
  let name = DEFAULT_PROC_TIME_COLUMN;
  for (let k = 1; taken(name); k++) name = `${DEFAULT_PROC_TIME_COLUMN}_${k}`;
  return name;
}

/** Infers a schema (or one schema per type) from sample messages given as JSON text or as parsed values. */
export function inferSchema(samples: readonly (string | unknown)[], options: InferOptions = {}): InferResult {
  const warnings: Diagnostic[] = [];
  const pt: unknown = options.procTimeColumn;
  if (pt !== undefined && pt !== null && pt !== false && (typeof pt !== 'string' || !COLUMN_NAME.test(pt))) {
    return {
      warnings: [{ ...diag(E.InvalidSource, `procTimeColumn: must be a column name (a letter or _, then letters, digits and _), or false for none; got ${JSON.stringify(pt)}`, undefined, undefined, 'error'), source: 'procTimeColumn' }],
      ddl: '', samplesRead: 0,
    };
  }
  const disc = options.discriminator !== undefined ? parseDiscriminator(options.discriminator) : undefined;
  if (typeof disc === 'string') {
    return { warnings: [diag(E.BadDiscriminator, disc, undefined, undefined, 'error')], ddl: '', samplesRead: 0 };
  }
  if (disc && disc.kind === 'header' && options.headers === undefined) {
    return {
      warnings: [diag(E.BadDiscriminator, `cannot infer types by header '${disc.name}' from message bodies alone: the samples' headers are needed`, undefined,
        'sample the live topic (its headers are read), give each sample\'s headers, or use a JSON path discriminator such as $.type', 'error')],
      ddl: '', samplesRead: 0,
    };
  }
  const groups = new Map<string | undefined, Obs>();
  let read = 0;
  samples.forEach((s, idx) => {
    let v: JsonValue;
    if (typeof s === 'string') {
      try {
        v = parseJsonText(s);
      } catch (e) {
        const why = e instanceof JsonTextError ? e.message : String(e);
        warnings.push(diag(E.BadSample, `sample ${idx + 1} is not valid JSON (${why}); skipped`, undefined, undefined, 'warning'));
        return;
      }
    } else {
      v = fromJsValue(s);
    }
    if (!(v instanceof Map)) {
      warnings.push(diag(E.BadSample, `sample ${idx + 1} is ${v === null ? 'null' : Array.isArray(v) ? 'an array' : 'a scalar'}, not a JSON object; skipped`, undefined, undefined, 'warning'));
      return;
    }
    let key: string | undefined;
    if (disc) {
      key = discriminatorValue(v, disc, options.headers?.[idx] ?? null);
      if (key === undefined) {
        const what = disc.kind === 'header' ? `no header '${disc.name}'` : `no value at discriminator '${options.discriminator}'`;
        warnings.push(diag(E.MissingDiscriminator, `sample ${idx + 1} has ${what}; skipped`, undefined, undefined, 'warning'));
        return;
      }
    }
    let o = groups.get(key);
    if (!o) { o = new Obs(); groups.set(key, o); }
    observe(o, v, idx);
    read++;
  });
  const name = options.name ?? 'inferred';
  const ctx: Ctx = { opts: options, warnings, standard: 'SQL' };
  if (read === 0) warnings.push(diag(E.NoSamples, 'no sample is a JSON object; nothing to infer from', undefined, 'give one or more JSON messages', 'error'));
  const withOptions = options.withOptions ?? { connector: 'embedded-log', topic: name, format: 'json' };
  if (!disc) {
    const root = groups.get(undefined) ?? new Obs();
    const schema = typeSchemaOf(root, ctx, new Set());
    const ddl = read > 0 ? typeSchemaDdl([name], schema, withOptions) : '';
    return { schema, warnings, ddl, samplesRead: read };
  }
  const types: Record<string, TypeSchema> = {};
  const ddls: string[] = [];
  for (const [k, o] of groups) {
    const schema = typeSchemaOf(o, ctx, new Set());
    types[k!] = schema;
    ddls.push(typeSchemaDdl([name, k!], schema, { ...withOptions, 'freshet.discriminator': options.discriminator!, 'freshet.discriminator.value': k! }));
  }
  return { types, discriminator: { path: options.discriminator! }, warnings, ddl: ddls.join('\n\n'), samplesRead: read };
}
