/**
 * Text form of runtime values by SQL type, following Flink's CAST(x AS STRING) rules (which the SQL client also uses
 * to print results):
 *   BOOLEAN 'TRUE'/'FALSE'; DOUBLE/FLOAT as Java prints them ('1.0', '1.0E20'); DECIMAL with exactly `scale` digits;
 *   DATE 'yyyy-MM-dd'; TIME 'HH:mm:ss[.f]' (fraction up to the precision, trailing zeros dropped, as Flink);
 *   TIMESTAMP(p) 'yyyy-MM-dd HH:mm:ss' plus exactly p fractional digits; TIMESTAMP_LTZ the same in the session zone;
 *   INTERVAL '+10 00:00:00.000' / '+1-02'; ARRAY '[1, 2]'; MAP '{a=1, b=2}'; ROW '(1, abc)'; nested NULL as 'NULL';
 *   BYTES: CAST decodes UTF-8, printing (`printing` true) shows x'0a1b' as the SQL client does.
 */
import type { SqlType } from '../common/types.js';
import { formatDate, MS_PER_DAY } from '../common/time.js';
import { formatDecimal, formatDouble, formatFloat, formatIntegral } from './java-number-format.js';
import { utcToLocal } from './time-zone.js';

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** TIME text as Flink prints it: fraction digits up to `precision`, stopping at trailing zeros. */
export function formatTimeValue(msOfDay: number, precision = 0): string {
  let t = msOfDay % MS_PER_DAY;
  if (t < 0) t += MS_PER_DAY;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = Math.floor((t % 60_000) / 1000);
  let ms = t % 1000;
  let out = pad2(h) + ':' + pad2(m) + ':' + pad2(s);
  if (precision > 0 && ms > 0) {
    out += '.';
    let p = precision;
    while (p > 0 && ms > 0) {
      out += String(Math.floor(ms / 100));
      ms = (ms % 100) * 10;
      p--;
    }
  }
  return out;
}

/** TIMESTAMP text with exactly `precision` fractional digits (0 = none); sub-millisecond digits are zeros. */
export function formatTimestampValue(ms: number, precision = 3): string {
  const days = Math.floor(ms / MS_PER_DAY);
  const tod = ms - days * MS_PER_DAY;
  const h = Math.floor(tod / 3_600_000);
  const mi = Math.floor((tod % 3_600_000) / 60_000);
  const s = Math.floor((tod % 60_000) / 1000);
  let out = formatDate(days) + ' ' + pad2(h) + ':' + pad2(mi) + ':' + pad2(s);
  if (precision > 0) {
    const frac = String(tod % 1000).padStart(3, '0');
    out += '.' + (precision <= 3 ? frac.slice(0, precision) : frac + '0'.repeat(precision - 3));
  }
  return out;
}

export function formatIntervalDayTime(v: number): string {
  const sign = v < 0 ? '-' : '+';
  let a = Math.abs(v);
  const ms = a % 1000; a = Math.floor(a / 1000);
  const s = a % 60; a = Math.floor(a / 60);
  const m = a % 60; a = Math.floor(a / 60);
  const h = a % 24; const d = Math.floor(a / 24);
  return `${sign}${d} ${pad2(h)}:${pad2(m)}:${pad2(s)}.${String(ms).padStart(3, '0')}`;
}

export function formatIntervalYearMonth(v: number): string {
  const sign = v < 0 ? '-' : '+';
  const a = Math.abs(v);
  return `${sign}${Math.floor(a / 12)}-${pad2(a % 12)}`;
}

const HEX = '0123456789abcdef';
export function bytesToHex(b: Uint8Array, upper = false): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return upper ? s.toUpperCase() : s;
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();
export const decodeUtf8 = (b: Uint8Array): string => utf8Decoder.decode(b);
export const encodeUtf8 = (s: string): Uint8Array => utf8Encoder.encode(s);

/**
 * Flink's text form of a non-null or null value of `type`. `timeZone` is the session zone (for TIMESTAMP_LTZ).
 * `printing` selects the SQL client's form for BYTES (x'..') instead of CAST's UTF-8 decoding.
 */
export function formatValue(v: unknown, type: SqlType, timeZone = 'UTC', printing = false): string {
  if (v === null || v === undefined) return 'NULL';
  switch (type.kind) {
    case 'BOOLEAN': return v ? 'TRUE' : 'FALSE';
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': return formatIntegral(v as number);
    case 'FLOAT': return formatFloat(v as number);
    case 'DOUBLE': return formatDouble(v as number);
    case 'DECIMAL': return formatDecimal(v as number, type.scale ?? 0);
    case 'CHAR': case 'VARCHAR': return v as string;
    case 'BYTES': return printing ? `x'${bytesToHex(v as Uint8Array)}'` : decodeUtf8(v as Uint8Array);
    case 'DATE': return formatDate(v as number);
    case 'TIME': return formatTimeValue(v as number, type.precision ?? 0);
    case 'TIMESTAMP': return formatTimestampValue(v as number, type.precision ?? 3);
    case 'TIMESTAMP_LTZ': return formatTimestampValue(utcToLocal(timeZone, v as number), type.precision ?? 3);
    case 'INTERVAL_DAY_TIME': return formatIntervalDayTime(v as number);
    case 'INTERVAL_YEAR_MONTH': return formatIntervalYearMonth(v as number);
    case 'ARRAY': {
      const a = v as unknown[];
      const el = type.element!;
      let s = '[';
      for (let i = 0; i < a.length; i++) s += (i ? ', ' : '') + formatValue(a[i], el, timeZone, printing);
      return s + ']';
    }
    case 'MAP': {
      const m = v as Map<unknown, unknown>;
      let s = '{';
      let first = true;
      for (const [k, val] of m) {
        s += (first ? '' : ', ') + formatValue(k, type.element!, timeZone, printing) + '='
          + formatValue(val, type.value!, timeZone, printing);
        first = false;
      }
      return s + '}';
    }
    case 'ROW': {
      const r = v as unknown[];
      const fs = type.fields ?? [];
      let s = '(';
      for (let i = 0; i < fs.length; i++) s += (i ? ', ' : '') + formatValue(r[i], fs[i]!.type, timeZone, printing);
      return s + ')';
    }
    case 'NULL': return 'NULL';
    default: return String(v);
  }
}
