/**
 * Flink's `csv` format, reading side: values by position in declared column order, converted as Flink's
 * CsvToRowDataConverters do. Notable Flink rules kept here:
 * - an empty value is the empty string for STRING columns and a parse error for other types (Flink has no
 *   empty-as-NULL; set `'csv.null-literal' = ''` for that);
 * - BOOLEAN never fails: only `true` (any case) is true;
 * - ARRAY values and nested ROW fields are split by `csv.array-element-delimiter`; an empty ARRAY value is an
 *   empty array, an empty ROW value is NULL;
 * - a record with a different number of values than columns is an error; with `csv.ignore-parse-errors` missing
 *   trailing values are NULL (extra values still reject the record);
 * - TIMESTAMP is `yyyy-MM-dd HH:mm:ss[.f]`, TIMESTAMP_LTZ the same with a trailing `Z`, DATE is `java.sql.Date`
 *   lenient `yyyy-M-d`, TIME is `HH:mm[:ss[.f]]` cut to the column's precision.
 * With `csv.ignore-parse-errors`, a value that cannot be converted becomes NULL and is reported through
 * `onFieldError`; a malformed record is rejected (the caller skips and reports it).
 */
import type { Row, Value } from '../common/row.js';
import type { RowField, SqlType } from '../common/types.js';
import { decodeBase64 } from './base64.js';
import { CsvSplitter, type CsvDialect } from './csv-splitter.js';
import { DecodeError, toDecodeError } from './decode-error.js';
import { parseBooleanOption, unescapeJava } from './format-options.js';
import { decimalFromText, parseDoubleText, parseIntegralText } from './java-number-text.js';
import { parseIsoTime, parseLenientDate, parseTimestamp } from './temporal-text.js';

type Converter = (text: string) => Value;

interface Settings {
  readonly ignore: boolean;
  readonly nullLiteral: string | undefined;
  readonly arrayDelimiter: string;
  readonly report: (e: DecodeError) => void;
}

export interface CsvDecodeHooks {
  onFieldError?: (error: DecodeError) => void;
}

/** Reads the dialect options shared by the CSV decoder and encoder. */
export function csvDialect(options: Record<string, string>): CsvDialect {
  const noQuote = parseBooleanOption(options['csv.disable-quote-character'], false);
  const q = options['csv.quote-character'];
  const e = options['csv.escape-character'];
  return {
    delimiter: unescapeJava(options['csv.field-delimiter'] ?? ','),
    quote: noQuote ? null : q === undefined ? '"' : unescapeJava(q),
    escape: e === undefined ? null : unescapeJava(e),
  };
}

export interface CsvRecordDecoder {
  (text: string): Row | null;
  /** True when the record ends inside a quoted value and continues on the next line. */
  endsInsideQuotes(text: string): boolean;
}

export function createCsvDecoder(
  fields: readonly RowField[],
  options: Record<string, string>,
  hooks: CsvDecodeHooks = {},
): CsvRecordDecoder {
  const s: Settings = {
    ignore: parseBooleanOption(options['csv.ignore-parse-errors'], false),
    nullLiteral: options['csv.null-literal'],
    arrayDelimiter: options['csv.array-element-delimiter'] ?? ';',
    report: hooks.onFieldError ?? (() => {}),
  };
  const allowComments = parseBooleanOption(options['csv.allow-comments'], false);
  const splitter = new CsvSplitter(csvDialect(options));
  const arity = fields.length;
  const names = fields.map((f) => f.name);
  const converters = fields.map((f) => compileTop(f.type, s));
  const notNull = fields.map((f) => !f.type.nullable);
  const values: string[] = [];

  const decode = (text: string): Row | null => {
    if (text.length === 0) return null;
    if (allowComments && text.charCodeAt(0) === 35 /* # */) return null;
    const n = splitter.split(text, values);
    if (n > arity || (n < arity && !s.ignore)) {
      throw new DecodeError(`row length mismatch: ${arity} fields expected but was ${n}`);
    }
    const row: Value[] = new Array(arity);
    for (let i = 0; i < arity; i++) {
      if (i >= n) {
        if (notNull[i]) throw new DecodeError('value missing for a NOT NULL column', names[i]);
        row[i] = null;
        continue;
      }
      const v = values[i]!;
      if (v === s.nullLiteral) {
        if (notNull[i]) throw new DecodeError('NULL value for a NOT NULL column', names[i]);
        row[i] = null;
        continue;
      }
      try {
        row[i] = converters[i]!(v);
      } catch (e) {
        const d = toDecodeError(e).prefix(names[i]!);
        if (!s.ignore || notNull[i]) throw d;
        s.report(d);
        row[i] = null;
      }
    }
    return row;
  };
  return Object.assign(decode, { endsInsideQuotes: (text: string) => splitter.endsInsideQuotes(text) });
}

/** Converters of top-level columns: ARRAY and ROW split their value into elements. */
function compileTop(t: SqlType, s: Settings): Converter {
  if (t.kind === 'ARRAY') {
    const el = compileScalar(t.element!);
    const elNotNull = !t.element!.nullable;
    return (text) => {
      if (text.trim().length === 0) return [];
      const parts = text.split(s.arrayDelimiter);
      const out: Value[] = new Array(parts.length);
      for (let i = 0; i < parts.length; i++) out[i] = element(el, parts[i]!, `[${i}]`, elNotNull, s);
      return out;
    };
  }
  if (t.kind === 'ROW') {
    const fs = t.fields ?? [];
    const convs = fs.map((f) => compileScalar(f.type));
    return (text) => {
      if (text.trim().length === 0) return null;
      const parts = text.split(s.arrayDelimiter);
      if (parts.length !== fs.length && !s.ignore) {
        throw new DecodeError(`row length mismatch: ${fs.length} fields expected but was ${parts.length}`);
      }
      const out: Value[] = new Array(fs.length);
      for (let i = 0; i < fs.length; i++) {
        out[i] = i < parts.length ? element(convs[i]!, parts[i]!, fs[i]!.name, !fs[i]!.type.nullable, s) : null;
      }
      return out;
    };
  }
  return compileScalar(t);
}

function element(conv: Converter, text: string, segment: string, notNull: boolean, s: Settings): Value {
  if (text === s.nullLiteral) {
    if (notNull) throw new DecodeError('NULL value for a NOT NULL element', segment);
    return null;
  }
  try {
    return conv(text);
  } catch (e) {
    const d = toDecodeError(e).prefix(segment);
    if (!s.ignore || notNull) throw d;
    s.report(d);
    return null;
  }
}

const shown = (text: string): string => JSON.stringify(text.length > 40 ? text.slice(0, 37) + '...' : text);

function compileScalar(t: SqlType): Converter {
  switch (t.kind) {
    case 'NULL':
      return () => null;
    case 'BOOLEAN':
      return (text) => text.trim().toLowerCase() === 'true';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'INTERVAL_YEAR_MONTH':
    case 'INTERVAL_DAY_TIME': {
      const kind = t.kind;
      return (text) => parseIntegralText(text.trim(), kind);
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const kind = t.kind;
      return (text) => parseDoubleText(text, kind);
    }
    case 'DECIMAL': {
      const p = t.precision ?? 10;
      const sc = t.scale ?? 0;
      return (text) => decimalFromText(text, p, sc);
    }
    case 'CHAR':
    case 'VARCHAR':
      return (text) => text;
    case 'BYTES':
      return (text) => {
        const b = decodeBase64(text);
        if (b === undefined) throw new DecodeError(`${shown(text)} is not valid base64`);
        return b;
      };
    case 'DATE':
      return (text) => {
        const d = parseLenientDate(text);
        if (d === undefined) throw new DecodeError(`${shown(text)} is not a valid DATE (expected 'yyyy-MM-dd')`);
        return d;
      };
    case 'TIME': {
      const unit = [1000, 100, 10, 1][Math.min(3, t.precision ?? 0)]!;
      return (text) => {
        const ms = parseIsoTime(text);
        if (ms === undefined) throw new DecodeError(`${shown(text)} is not a valid TIME (expected 'HH:mm:ss[.SSS]')`);
        return ms - (ms % unit);
      };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const zone = t.kind === 'TIMESTAMP_LTZ';
      const shape = zone ? 'yyyy-MM-dd HH:mm:ss[.SSS]Z' : 'yyyy-MM-dd HH:mm:ss[.SSS]';
      return (text) => {
        const ms = parseTimestamp(text.trim(), 'SQL', zone);
        if (ms === undefined) throw new DecodeError(`${shown(text)} is not a valid ${t.kind} (expected '${shape}')`);
        return ms;
      };
    }
    default:
      return () => { throw new DecodeError(`type ${t.kind} is not supported by the csv format here`); };
  }
}
