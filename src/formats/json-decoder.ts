/**
 * Flink's `json` format, reading side: one JSON object per record, fields matched by name (case-sensitive), unknown
 * fields ignored, absent fields NULL (or an error with `json.fail-on-missing-field`). Conversions follow Flink's
 * JsonParserToRowDataConverters: numbers may come as JSON strings, BOOLEAN reads any text (only `true` is true),
 * STRING takes numbers, booleans and nested JSON as their text, temporal values must match the configured standard
 * exactly, BYTES is base64.
 *
 * With `json.ignore-parse-errors`, a record that is not a JSON object is rejected (the caller skips and reports it)
 * and a value that cannot be converted becomes NULL, reported through `onFieldError`, as in Flink.
 *
 * Performance: one JSON.parse per record, then a per-column converter array compiled once; nothing is allocated per
 * record beyond the row and the values themselves.
 *
 * Deviation: JSON.parse keeps no number text, so a JSON number read into a STRING column is JavaScript's shortest
 * text (`1.0` becomes `1`), and TINYINT/SMALLINT accept `1.0`.
 */
import type { Row, Value } from '../common/row.js';
import type { RowField, SqlType } from '../common/types.js';
import { decodeBase64 } from './base64.js';
import { DecodeError, toDecodeError } from './decode-error.js';
import { parseBooleanOption } from './format-options.js';
import { decimalFromText, integralFromNumber, parseDoubleText, parseIntegralText } from './java-number-text.js';
import { parseIsoDate, parseSqlTime, parseTimestamp, timestampShape, type TimestampStandard } from './temporal-text.js';

type Converter = (v: unknown) => Value;

interface Settings {
  readonly failOnMissing: boolean;
  readonly ignore: boolean;
  readonly standard: TimestampStandard;
  readonly report: (e: DecodeError) => void;
}

export interface JsonDecodeHooks {
  /** Called for each value set to NULL because it could not be converted (ignore-parse-errors only). */
  onFieldError?: (error: DecodeError) => void;
}

const noReport = (): void => {};

/**
 * Compiles a decoder for one record's text. Returns null for an empty record (Flink emits no row for an empty
 * message); throws DecodeError otherwise when the record cannot be read.
 */
export function createJsonDecoder(
  fields: readonly RowField[],
  options: Record<string, string>,
  hooks: JsonDecodeHooks = {},
): (text: string) => Row | null {
  const settings: Settings = {
    failOnMissing: parseBooleanOption(options['json.fail-on-missing-field'], false),
    ignore: parseBooleanOption(options['json.ignore-parse-errors'], false),
    standard: options['json.timestamp-format.standard'] === 'ISO-8601' ? 'ISO-8601' : 'SQL',
    report: hooks.onFieldError ?? noReport,
  };
  const rowConverter = compileRow(fields, settings);
  return (text: string): Row | null => {
    if (text.length === 0) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new DecodeError(`invalid JSON: ${(e as Error).message}`);
    }
    return rowConverter(parsed) as Row;
  };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a JSON array';
  switch (typeof v) {
    case 'object': return 'a JSON object';
    case 'string': return `${JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v)}`;
    default: return String(v);
  }
}

/** Jackson's getText() of a scalar token, used where Flink falls back to parsing text. */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? '[' : '{';
}

/** Converts a failure inside a container: NULL and report when ignoring errors (unless NOT NULL), else rethrow. */
function childFailure(e: unknown, segment: string, notNull: boolean, s: Settings): null {
  const d = toDecodeError(e).prefix(segment);
  if (!s.ignore || notNull) throw d;
  s.report(d);
  return null;
}

function compileRow(fields: readonly RowField[], s: Settings): Converter {
  const n = fields.length;
  const names = fields.map((f) => f.name);
  const converters = fields.map((f) => compile(f.type, s));
  const notNull = fields.map((f) => !f.type.nullable);
  // Names an object inherits (`constructor`, `toString`...) need an own-property check; others need not.
  const inherited = names.map((name) => name in Object.prototype);
  return (v: unknown): Value => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new DecodeError(`expected a JSON object, found ${describe(v)}`);
    }
    const o = v as Record<string, unknown>;
    const row: Value[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = names[i]!;
      const x = inherited[i] && !Object.prototype.hasOwnProperty.call(o, name) ? undefined : o[name];
      if (x === undefined) {
        if (s.failOnMissing) throw new DecodeError("field is missing ('json.fail-on-missing-field' is true)", name);
        row[i] = notNull[i] ? childFailure(new DecodeError('field is missing for a NOT NULL column'), name, true, s) : null;
        continue;
      }
      if (x === null) {
        row[i] = notNull[i] ? childFailure(new DecodeError('NULL value for a NOT NULL column'), name, true, s) : null;
        continue;
      }
      try {
        row[i] = converters[i]!(x);
      } catch (e) {
        row[i] = childFailure(e, name, notNull[i]!, s);
      }
    }
    return row;
  };
}

function compileArray(t: SqlType, s: Settings): Converter {
  const el = compile(t.element!, s);
  const elNotNull = !t.element!.nullable;
  return (v: unknown): Value => {
    if (!Array.isArray(v)) throw new DecodeError(`expected a JSON array, found ${describe(v)}`);
    const out: Value[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === null) {
        out[i] = elNotNull ? childFailure(new DecodeError('NULL element in an ARRAY of NOT NULL elements'), `[${i}]`, true, s) : null;
        continue;
      }
      try {
        out[i] = el(x);
      } catch (e) {
        out[i] = childFailure(e, `[${i}]`, elNotNull, s);
      }
    }
    return out;
  };
}

function compileMap(t: SqlType, s: Settings): Converter {
  const val = compile(t.value!, s);
  const valNotNull = !t.value!.nullable;
  return (v: unknown): Value => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new DecodeError(`expected a JSON object for a MAP, found ${describe(v)}`);
    }
    const out = new Map<Value, Value>();
    for (const key of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[key];
      if (x === null) {
        out.set(key, valNotNull ? childFailure(nullValueError(), key, true, s) : null);
        continue;
      }
      try {
        out.set(key, val(x));
      } catch (e) {
        out.set(key, childFailure(e, key, valNotNull, s));
      }
    }
    return out;
  };
}

const nullValueError = (): DecodeError => new DecodeError('NULL value for NOT NULL MAP values');

function toBoolean(v: unknown): Value {
  if (typeof v === 'boolean') return v;
  // Java's Boolean.parseBoolean: only (case-insensitive) "true" is true, anything else is false, never an error.
  return textOf(v).trim().toLowerCase() === 'true';
}

function compile(t: SqlType, s: Settings): Converter {
  switch (t.kind) {
    case 'NULL':
      return () => null;
    case 'BOOLEAN':
      return toBoolean;
    case 'TINYINT':
    case 'SMALLINT': {
      const kind = t.kind;
      return (v) => {
        if (typeof v === 'number') {
          if (!Number.isInteger(v)) throw new DecodeError(`${v} is not a valid ${kind}`);
          return integralFromNumber(v, kind);
        }
        if (typeof v === 'string') return parseIntegralText(v.trim(), kind);
        throw new DecodeError(`${describe(v)} is not a valid ${kind}`);
      };
    }
    case 'INT':
    case 'BIGINT':
    case 'INTERVAL_YEAR_MONTH':
    case 'INTERVAL_DAY_TIME': {
      const kind = t.kind;
      return (v) => {
        if (typeof v === 'number') return integralFromNumber(v, kind);
        if (typeof v === 'string') return parseIntegralText(v.trim(), kind);
        throw new DecodeError(`${describe(v)} is not a valid ${kind}`);
      };
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const kind = t.kind;
      return (v) => {
        if (typeof v === 'number') return kind === 'FLOAT' ? Math.fround(v) : v;
        if (typeof v === 'string') return parseDoubleText(v, kind);
        throw new DecodeError(`${describe(v)} is not a valid ${kind}`);
      };
    }
    case 'DECIMAL': {
      const p = t.precision ?? 10;
      const sc = t.scale ?? 0;
      return (v) => {
        if (typeof v === 'number') return decimalFromText(String(v), p, sc);
        if (typeof v === 'string') return decimalFromText(v.trim(), p, sc);
        throw new DecodeError(`${describe(v)} is not a valid DECIMAL`);
      };
    }
    case 'CHAR':
    case 'VARCHAR':
      return (v) => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    case 'BYTES':
      return (v) => {
        if (typeof v !== 'string') throw new DecodeError(`cannot read ${describe(v)} as BYTES (expected base64 text)`);
        const bytes = decodeBase64(v);
        if (bytes === undefined) throw new DecodeError(`${describe(v)} is not valid base64`);
        return bytes;
      };
    case 'DATE':
      return (v) => {
        const d = parseIsoDate(textOf(v));
        if (d === undefined) throw new DecodeError(`${describe(v)} is not a valid DATE (expected 'yyyy-MM-dd')`);
        return d;
      };
    case 'TIME':
      return (v) => {
        const ms = parseSqlTime(textOf(v));
        if (ms === undefined) throw new DecodeError(`${describe(v)} is not a valid TIME (expected 'HH:mm:ss[.SSS]')`);
        return ms;
      };
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const zone = t.kind === 'TIMESTAMP_LTZ';
      const standard = s.standard;
      const shape = timestampShape(standard, zone);
      return (v) => {
        const ms = typeof v === 'string' ? parseTimestamp(v, standard, zone) : undefined;
        if (ms === undefined) throw new DecodeError(`${describe(v)} is not a valid ${t.kind} (expected '${shape}')`);
        return ms;
      };
    }
    case 'ARRAY':
      return compileArray(t, s);
    case 'MAP':
      return compileMap(t, s);
    case 'ROW':
      return compileRow(t.fields ?? [], s);
    default:
      return (v) => { throw new DecodeError(`type ${t.kind} is not supported by the json format (value ${describe(v)})`); };
  }
}
