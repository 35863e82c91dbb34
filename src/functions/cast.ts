/**
 * CAST / TRY_CAST: which casts Flink allows (LogicalTypeCasts) and what they compute (its cast rules).
 *
 *  - DOUBLE/FLOAT -> integral truncates toward zero and saturates as Java's (int)/(long) of a double (NaN -> 0);
 *    integral/DECIMAL -> narrower integral wraps as Java's (int)(long) narrowing.
 *  - string -> integral trims, accepts a sign and ignores a fractional part ('1.9' -> 1, as Flink's BinaryStringData
 *    parser), out-of-range or malformed text throws ExprError(CAST_INVALID); string -> DOUBLE as Double.parseDouble.
 *  - -> DECIMAL(p, s) rounds half-up; a value that does not fit the precision becomes NULL (Flink's behaviour).
 *  - numeric <-> BOOLEAN (non-zero is TRUE); string -> BOOLEAN accepts true/false/t/f/yes/no/y/n/1/0 ignoring case.
 *  - -> string uses ./format-value.ts (Java number forms, DECIMAL with its scale, TIMESTAMP with its precision),
 *    then CHAR(n) pads with spaces and VARCHAR(n) truncates, as Flink does.
 *  - TIMESTAMP <-> TIMESTAMP_LTZ, DATE -> TIMESTAMP_LTZ, TIMESTAMP_LTZ -> DATE/TIME use the session time zone.
 *  - Numeric <-> TIMESTAMP/TIMESTAMP_LTZ is rejected as in Flink (use TO_TIMESTAMP_LTZ / UNIX_TIMESTAMP).
 *  - ARRAY, MAP and ROW cast element-wise (ROW needs the same arity).
 */
import type { SqlType } from '../common/types.js';
import { STRING_MAX, isIntegral, isNumeric, isString, typeToString } from '../common/types.js';
import { daysFromCivil, daysInMonth, MS_PER_DAY, parseTimeText, parseTimestampText, truncateToPrecision } from '../common/time.js';
import { ExprError } from './expr-error.js';
import type { EvalContext } from './function-def.js';
import { toDecimal } from './decimal.js';
import { encodeUtf8, formatValue } from './format-value.js';
import { localToUtc, utcToLocal } from './time-zone.js';

/** `true` when the cast is allowed, else an error with an optional hint (the binder's InferError shape). */
export type CastValidity = true | { error: string; hint?: string };

const OK: CastValidity = true;
const isTs = (t: SqlType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
const isDatetime = (t: SqlType): boolean => isTs(t) || t.kind === 'DATE' || t.kind === 'TIME';

function refuse(from: SqlType, to: SqlType, hint?: string): CastValidity {
  const r: { error: string; hint?: string } = {
    error: `cannot cast ${typeToString(from, false)} to ${typeToString(to, false)}`,
  };
  if (hint) r.hint = hint;
  return r;
}

/** Whether Flink allows CAST(from AS to). */
export function castValidity(from: SqlType, to: SqlType): CastValidity {
  if (from.kind === 'NULL') return OK;
  if (isString(to)) {
    if (from.kind === 'ARRAY') return castValidity(from.element!, to) === true ? OK : refuse(from, to);
    if (from.kind === 'MAP') return castValidity(from.element!, to) === true && castValidity(from.value!, to) === true ? OK : refuse(from, to);
    if (from.kind === 'ROW') return (from.fields ?? []).every((f) => castValidity(f.type, to) === true) ? OK : refuse(from, to);
    return OK;
  }
  switch (to.kind) {
    case 'BOOLEAN':
      return from.kind === 'BOOLEAN' || isString(from) || isNumeric(from) ? OK : refuse(from, to);
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT': case 'DOUBLE': case 'DECIMAL':
      if (isNumeric(from) || isString(from) || from.kind === 'BOOLEAN') return OK;
      if (isTs(from) || from.kind === 'DATE') {
        return refuse(from, to, 'Flink does not cast timestamps to numbers; use UNIX_TIMESTAMP(CAST(ts AS STRING)) or EXTRACT');
      }
      return refuse(from, to);
    case 'BYTES':
      return from.kind === 'BYTES' || isString(from) ? OK : refuse(from, to);
    case 'DATE':
      return from.kind === 'DATE' || isTs(from) || isString(from) ? OK : refuse(from, to);
    case 'TIME':
      return from.kind === 'TIME' || isTs(from) || isString(from) ? OK : refuse(from, to);
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ':
      if (isDatetime(from) || isString(from)) return OK;
      if (isNumeric(from)) {
        return refuse(from, to, 'Flink does not cast numbers to timestamps; use TO_TIMESTAMP_LTZ(epoch, 0|3) or FROM_UNIXTIME');
      }
      return refuse(from, to);
    case 'INTERVAL_DAY_TIME': case 'INTERVAL_YEAR_MONTH':
      return from.kind === to.kind ? OK : refuse(from, to);
    case 'ARRAY':
      return from.kind === 'ARRAY' && castValidity(from.element!, to.element!) === true ? OK : refuse(from, to);
    case 'MAP':
      return from.kind === 'MAP' && castValidity(from.element!, to.element!) === true && castValidity(from.value!, to.value!) === true
        ? OK : refuse(from, to);
    case 'ROW': {
      const a = from.fields ?? [], b = to.fields ?? [];
      if (from.kind !== 'ROW' || a.length !== b.length) return refuse(from, to);
      return a.every((f, i) => castValidity(f.type, b[i]!.type) === true) ? OK : refuse(from, to);
    }
    default:
      return refuse(from, to);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Numeric conversions (Java semantics)

/** Java (int) of a double: truncate, saturate, NaN -> 0. */
export function doubleToInt(d: number): number {
  if (d !== d) return 0;
  if (d >= 2147483647) return 2147483647;
  if (d <= -2147483648) return -2147483648;
  return Math.trunc(d) | 0;
}

const LONG_LIMIT = 2 ** 63;

/** Java (long) of a double: truncate, saturate, NaN -> 0 (as a double, see ADR 0004). */
export function doubleToLong(d: number): number {
  if (d !== d) return 0;
  if (d >= LONG_LIMIT) return LONG_LIMIT; // Long.MAX_VALUE as the nearest double, 2^63
  if (d <= -LONG_LIMIT) return -LONG_LIMIT;
  return Math.trunc(d) + 0; // + 0 turns -0 into 0
}

/** Java narrowing of an integral value (given as a number) to the bit width of `kind`. */
export function narrowIntegral(v: number, kind: string): number {
  switch (kind) {
    case 'TINYINT': return (toInt32(v) << 24) >> 24;
    case 'SMALLINT': return (toInt32(v) << 16) >> 16;
    case 'INT': return toInt32(v);
    default: return v;
  }
}

function toInt32(v: number): number {
  // ToInt32 takes the value modulo 2^32 exactly, matching Java's (int) of a long that a double represents exactly.
  return v | 0;
}

const INT_RANGE: Record<string, [number, number]> = {
  TINYINT: [-128, 127], SMALLINT: [-32768, 32767], INT: [-2147483648, 2147483647],
};

const INTEGRAL_TEXT = /^([+-]?)(\d+)(?:\.\d*)?$|^([+-]?)\.\d+$/;

/** Parses text to an integral of `kind` as Flink does (trim, sign, fraction ignored, overflow is an error). */
export function parseIntegral(text: string, kind: string): number {
  const s = text.trim();
  const m = INTEGRAL_TEXT.exec(s);
  if (!m) throw new ExprError('CAST_INVALID', `cannot cast '${text}' to ${kind}: not a number`);
  if (m[2] === undefined) return 0;
  const digits = m[2];
  const neg = m[1] === '-';
  if (kind === 'BIGINT') {
    if (digits.length > 15) {
      const b = BigInt((neg ? '-' : '') + digits);
      if (b > 9223372036854775807n || b < -9223372036854775808n) {
        throw new ExprError('CAST_INVALID', `cannot cast '${text}' to BIGINT: out of range`);
      }
      return Number(b);
    }
    const v = Number(digits);
    return neg ? -v : v;
  }
  const v = neg ? -Number(digits) : Number(digits);
  const r = INT_RANGE[kind]!;
  if (v < r[0] || v > r[1]) throw new ExprError('CAST_INVALID', `cannot cast '${text}' to ${kind}: out of range`);
  return v;
}

const DOUBLE_TEXT = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;

/** Java Double.parseDouble after trimming. */
export function parseDouble(text: string): number {
  const s = text.trim();
  if (!DOUBLE_TEXT.test(s)) throw new ExprError('CAST_INVALID', `cannot cast '${text}' to DOUBLE: not a number`);
  const last = s.charCodeAt(s.length - 1);
  const body = last === 102 || last === 70 || last === 100 || last === 68 ? s.slice(0, -1) : s; // f F d D suffix
  return Number(body);
}

const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseDecimal(text: string, precision: number, scale: number): number | null {
  const s = text.trim();
  if (!DECIMAL_TEXT.test(s)) throw new ExprError('CAST_INVALID', `cannot cast '${text}' to DECIMAL(${precision}, ${scale}): not a number`);
  return toDecimal(Number(s), precision, scale);
}

const TRUE_TEXT = new Set(['t', 'true', 'y', 'yes', '1']);
const FALSE_TEXT = new Set(['f', 'false', 'n', 'no', '0']);

export function parseBoolean(text: string): boolean {
  const s = text.trim().toLowerCase();
  if (TRUE_TEXT.has(s)) return true;
  if (FALSE_TEXT.has(s)) return false;
  throw new ExprError('CAST_INVALID', `cannot cast '${text}' to BOOLEAN`);
}

// ---------------------------------------------------------------------------------------------------------------
// Temporal text (Flink's lenient DateTimeUtils.parseDate / parseTime)

const isDigits = (s: string): boolean => s.length > 0 && /^\d+$/.test(s);

/** Flink's parseDate: 'yyyy-M-d' (fields trimmed), also 'yyyy' / 'yyyy-M', time part after a space ignored. */
export function parseDateFlink(text: string): number | undefined {
  let s = text.trim();
  const sp = s.indexOf(' ');
  if (sp > 0) s = s.slice(0, sp);
  const tpos = s.indexOf('T');
  if (tpos > 0) s = s.slice(0, tpos);
  const parts = s.split('-');
  if (parts.length > 3) return undefined;
  const [ys, ms = '1', ds = '1'] = parts.map((p) => p.trim());
  if (!isDigits(ys!) || !isDigits(ms) || !isDigits(ds)) return undefined;
  const y = Number(ys), m = Number(ms), d = Number(ds);
  if (y > 9999 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return daysFromCivil(y, m, d);
}

export function parseTimeFlink(text: string): number | undefined {
  const t = parseTimeText(text);
  if (t !== undefined) return t;
  const s = text.trim();
  if (/^\d{1,2}$/.test(s) && Number(s) < 24) return Number(s) * 3_600_000;
  return undefined;
}

function parseTimestampOrThrow(text: string, kind: string): { millis: number; hadZone: boolean } {
  const p = parseTimestampText(text);
  if (p) return p;
  const d = parseDateFlink(text);
  if (d !== undefined && !/:/.test(text)) return { millis: d * MS_PER_DAY, hadZone: false };
  throw new ExprError('CAST_INVALID', `cannot cast '${text}' to ${kind}`);
}

// ---------------------------------------------------------------------------------------------------------------
// makeCast

export type CastFn = (v: any) => unknown;
const identity: CastFn = (v) => v;

function charFit(to: SqlType): ((s: string) => string) | undefined {
  const n = to.precision ?? (to.kind === 'CHAR' ? 1 : STRING_MAX);
  if (to.kind === 'CHAR') return (s) => (s.length > n ? s.slice(0, n) : s.length < n ? s.padEnd(n, ' ') : s);
  if (n < STRING_MAX) return (s) => (s.length > n ? s.slice(0, n) : s);
  return undefined;
}

function precisionOf(t: SqlType): number {
  return t.precision ?? (t.kind === 'TIME' ? 0 : 3);
}

/**
 * A function casting a non-null value of `from` to `to` with Flink's semantics (call castValidity first).
 * Throws ExprError for malformed input; returns null where Flink yields NULL (DECIMAL overflow).
 */
export function makeCast(from: SqlType, to: SqlType, ctx?: EvalContext): CastFn {
  const zone = ctx?.timeZone ?? 'UTC';
  if (from.kind === 'NULL') return () => null;

  if (isString(to)) {
    const fit = charFit(to);
    let base: CastFn;
    if (isString(from)) base = identity;
    else if (from.kind === 'INT' || from.kind === 'SMALLINT' || from.kind === 'TINYINT') base = (v) => String(v);
    else base = (v) => formatValue(v, from, zone);
    if (!fit) return base;
    return base === identity ? (v) => fit(v) : (v) => fit(base(v) as string);
  }

  switch (to.kind) {
    case 'BOOLEAN':
      if (from.kind === 'BOOLEAN') return identity;
      if (isString(from)) return (v) => parseBoolean(v);
      return (v) => v !== 0;

    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': {
      const k = to.kind;
      if (from.kind === 'BOOLEAN') return (v) => (v ? 1 : 0);
      if (isString(from)) return (v) => parseIntegral(v, k);
      if (isIntegral(from)) {
        if (rankOf(from.kind) <= rankOf(k)) return identity;
        return (v) => narrowIntegral(v, k);
      }
      if (from.kind === 'DECIMAL') {
        return k === 'BIGINT' ? (v) => Math.trunc(v) + 0 : (v) => narrowIntegral(Math.trunc(v), k);
      }
      // FLOAT / DOUBLE: Java (int)d / (long)d then narrowing for TINYINT/SMALLINT.
      if (k === 'BIGINT') return doubleToLong;
      if (k === 'INT') return doubleToInt;
      return (v) => narrowIntegral(doubleToInt(v), k);
    }

    case 'FLOAT':
      if (from.kind === 'BOOLEAN') return (v) => (v ? 1 : 0);
      if (isString(from)) return (v) => Math.fround(parseDouble(v));
      return from.kind === 'FLOAT' ? identity : (v) => Math.fround(v);

    case 'DOUBLE':
      if (from.kind === 'BOOLEAN') return (v) => (v ? 1 : 0);
      if (isString(from)) return (v) => parseDouble(v);
      return identity;

    case 'DECIMAL': {
      const p = to.precision ?? 10, s = to.scale ?? 0;
      if (from.kind === 'BOOLEAN') return (v) => toDecimal(v ? 1 : 0, p, s);
      if (isString(from)) return (v) => parseDecimal(v, p, s);
      if (from.kind === 'DECIMAL' && (from.scale ?? 0) <= s && (from.precision ?? 10) - (from.scale ?? 0) <= p - s) return identity;
      if (from.kind === 'FLOAT' || from.kind === 'DOUBLE') {
        return (v) => {
          // BigDecimal cannot hold NaN or infinities: Flink fails the cast.
          if (!Number.isFinite(v)) throw new ExprError('CAST_INVALID', `cannot cast ${v} to DECIMAL(${p}, ${s})`);
          return toDecimal(v, p, s);
        };
      }
      return (v) => toDecimal(v, p, s);
    }

    case 'BYTES':
      if (isString(from)) return (v) => encodeUtf8(v);
      return identity;

    case 'DATE':
      if (from.kind === 'DATE') return identity;
      if (from.kind === 'TIMESTAMP') return (v) => Math.floor(v / MS_PER_DAY);
      if (from.kind === 'TIMESTAMP_LTZ') return (v) => Math.floor(utcToLocal(zone, v) / MS_PER_DAY);
      return (v) => {
        const d = parseDateFlink(v);
        if (d === undefined) throw new ExprError('CAST_INVALID', `cannot cast '${v}' to DATE`);
        return d;
      };

    case 'TIME': {
      const tp = precisionOf(to);
      const trunc = (ms: number): number => truncateToPrecision(ms, tp);
      if (from.kind === 'TIME') return tp >= precisionOf(from) ? identity : (v) => trunc(v);
      if (from.kind === 'TIMESTAMP') return (v) => trunc(mod(v, MS_PER_DAY));
      if (from.kind === 'TIMESTAMP_LTZ') return (v) => trunc(mod(utcToLocal(zone, v), MS_PER_DAY));
      return (v) => {
        const t = parseTimeFlink(v);
        if (t === undefined) throw new ExprError('CAST_INVALID', `cannot cast '${v}' to TIME`);
        return trunc(t);
      };
    }

    case 'TIMESTAMP': {
      const tp = precisionOf(to);
      const trunc = tp >= 3 ? identity : (v: number) => truncateToPrecision(v, tp);
      if (from.kind === 'TIMESTAMP') return precisionOf(from) <= tp ? identity : trunc;
      if (from.kind === 'TIMESTAMP_LTZ') return (v) => trunc(utcToLocal(zone, v));
      if (from.kind === 'DATE') return (v) => v * MS_PER_DAY;
      if (from.kind === 'TIME') return trunc;
      return (v) => {
        const p = parseTimestampOrThrow(v, typeToString(to, false));
        // A zone designator in the text is honoured by converting to the session zone's wall clock.
        return trunc(p.hadZone ? utcToLocal(zone, p.millis) : p.millis);
      };
    }

    case 'TIMESTAMP_LTZ': {
      const tp = precisionOf(to);
      const trunc = tp >= 3 ? identity : (v: number) => truncateToPrecision(v, tp);
      if (from.kind === 'TIMESTAMP_LTZ') return precisionOf(from) <= tp ? identity : trunc;
      if (from.kind === 'TIMESTAMP') return (v) => trunc(localToUtc(zone, v));
      if (from.kind === 'DATE') return (v) => localToUtc(zone, v * MS_PER_DAY);
      if (from.kind === 'TIME') return (v) => trunc(localToUtc(zone, v));
      return (v) => {
        const p = parseTimestampOrThrow(v, typeToString(to, false));
        return trunc(p.hadZone ? p.millis : localToUtc(zone, p.millis));
      };
    }

    case 'INTERVAL_DAY_TIME': case 'INTERVAL_YEAR_MONTH':
      return identity;

    case 'ARRAY': {
      const el = makeNullSafe(makeCast(from.element!, to.element!, ctx));
      if (el === identity) return identity;
      return (v: unknown[]) => {
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) out[i] = el(v[i]);
        return out;
      };
    }
    case 'MAP': {
      const k = makeNullSafe(makeCast(from.element!, to.element!, ctx));
      const val = makeNullSafe(makeCast(from.value!, to.value!, ctx));
      if (k === identity && val === identity) return identity;
      return (v: Map<unknown, unknown>) => {
        const out = new Map();
        for (const [a, b] of v) out.set(k(a), val(b));
        return out;
      };
    }
    case 'ROW': {
      const fs = (from.fields ?? []).map((f, i) => makeNullSafe(makeCast(f.type, to.fields![i]!.type, ctx)));
      if (fs.every((f) => f === identity)) return identity;
      return (v: unknown[]) => {
        const out = new Array(fs.length);
        for (let i = 0; i < fs.length; i++) out[i] = fs[i]!(v[i]);
        return out;
      };
    }
    default:
      return identity;
  }
}

function makeNullSafe(f: CastFn): CastFn {
  if (f === identity) return identity;
  return (v) => (v === null || v === undefined ? null : f(v));
}

const mod = (a: number, b: number): number => { const r = a % b; return r < 0 ? r + b : r; };
const RANKS: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };
const rankOf = (k: string): number => RANKS[k] ?? 5;

/** TRY_CAST: like makeCast but any cast failure yields NULL. */
export function makeTryCast(from: SqlType, to: SqlType, ctx?: EvalContext): CastFn {
  const f = makeCast(from, to, ctx);
  if (f === identity) return f;
  return (v) => {
    try {
      return f(v);
    } catch (e) {
      if (e instanceof ExprError) return null;
      throw e;
    }
  };
}

/** True when the cast does not change the runtime value (the code generator can drop it). */
export function isIdentityCast(from: SqlType, to: SqlType): boolean {
  return makeCast(from, to) === identity;
}

/**
 * An inline JavaScript expression casting the non-null expression `x` from `from` to `to`, or undefined when the
 * caller should call makeCast's function.
 */
export function makeCastSource(from: SqlType, to: SqlType, x: string): string | undefined {
  if (isIdentityCast(from, to)) return `(${x})`;
  if (isIntegral(from) && isIntegral(to)) {
    if (to.kind === 'INT') return `((${x}) | 0)`;
    if (to.kind === 'SMALLINT') return `(((${x}) << 16) >> 16)`;
    if (to.kind === 'TINYINT') return `(((${x}) << 24) >> 24)`;
  }
  if (from.kind === 'BOOLEAN' && isString(to) && !charFit(to)) return `((${x}) ? 'TRUE' : 'FALSE')`;
  if ((from.kind === 'INT' || from.kind === 'SMALLINT' || from.kind === 'TINYINT') && isString(to) && !charFit(to)) return `String(${x})`;
  if (isNumeric(from) && to.kind === 'BOOLEAN') return `((${x}) !== 0)`;
  if (from.kind === 'TIMESTAMP' && to.kind === 'DATE') return `Math.floor((${x}) / 86400000)`;
  if (from.kind === 'DATE' && to.kind === 'TIMESTAMP') return `((${x}) * 86400000)`;
  if (to.kind === 'FLOAT' && isNumeric(from)) return `Math.fround(${x})`;
  return undefined;
}
