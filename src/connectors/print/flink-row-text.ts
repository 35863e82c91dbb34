/**
 * Rows as Flink's `print` connector shows them: `+I[1, abc, 2024-01-01T10:00]`. Flink converts each row to its
 * Java external types and prints `Row.toString()`, so values follow Java's toString: TIMESTAMP is LocalDateTime
 * (`2024-01-01T10:00`, seconds only when non-zero), TIMESTAMP_LTZ is Instant (`2024-01-01T10:00:00Z`), TIME is
 * LocalTime, DOUBLE `1.0`, DECIMAL BigDecimal, BYTES `[1, -2]` (signed), ARRAY `[a, b]`, MAP `{k=v}`, nested ROW
 * `+I[...]`, intervals Duration `PT1H30M` / Period `P1Y2M`, NULL `null`.
 *
 * Deviation: Flink prints a MAP in Java HashMap order; Freshet prints entries in insertion order.
 */
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, formatDate } from '../../common/time.js';
import { ROW_KIND_SHORT, type RowKind, type Row, type Value } from '../../common/row.js';
import type { RowField, SqlType } from '../../common/types.js';
import { javaDecimalToString, javaDoubleToString, javaFloatToString } from '../../formats/java-number-text.js';

type Show = (v: Value) => string;

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** java.time.LocalTime#toString: `HH:mm`, `HH:mm:ss` when seconds are set, `HH:mm:ss.SSS` when millis are set. */
export function javaLocalTime(msOfDay: number): string {
  const h = Math.floor(msOfDay / MS_PER_HOUR);
  const mi = Math.floor((msOfDay % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = Math.floor((msOfDay % MS_PER_MINUTE) / 1000);
  const ms = msOfDay % 1000;
  let out = `${pad2(h)}:${pad2(mi)}`;
  if (s > 0 || ms > 0) out += `:${pad2(s)}`;
  if (ms > 0) out += '.' + String(ms).padStart(3, '0');
  return out;
}

function split(ms: number): [number, number] {
  const days = Math.floor(ms / MS_PER_DAY);
  return [days, ms - days * MS_PER_DAY];
}

/** java.time.LocalDateTime#toString. */
export function javaLocalDateTime(ms: number): string {
  const [d, t] = split(ms);
  return `${formatDate(d)}T${javaLocalTime(t)}`;
}

/** java.time.Instant#toString (ISO_INSTANT): seconds always shown, fraction in groups of three digits. */
export function javaInstant(ms: number): string {
  const [d, t] = split(ms);
  const h = Math.floor(t / MS_PER_HOUR);
  const mi = Math.floor((t % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = Math.floor((t % MS_PER_MINUTE) / 1000);
  const frac = t % 1000;
  return `${formatDate(d)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}${frac > 0 ? '.' + String(frac).padStart(3, '0') : ''}Z`;
}

/** java.time.Duration#toString of a millisecond interval: `PT0S`, `PT1H30M`, `PT0.5S`, `PT-1H-30M`. */
export function javaDuration(ms: number): string {
  if (ms === 0) return 'PT0S';
  const neg = ms < 0;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / MS_PER_HOUR);
  const m = Math.floor((abs % MS_PER_HOUR) / MS_PER_MINUTE);
  const sMs = abs % MS_PER_MINUTE;
  const sign = neg ? '-' : '';
  let out = 'PT';
  if (h > 0) out += `${sign}${h}H`;
  if (m > 0) out += `${sign}${m}M`;
  if (sMs > 0) {
    const secs = Math.floor(sMs / 1000);
    const frac = sMs % 1000;
    let fracText = frac > 0 ? '.' + String(frac).padStart(3, '0') : '';
    while (fracText.endsWith('0')) fracText = fracText.slice(0, -1);
    out += `${sign}${secs}${fracText}S`;
  }
  return out;
}

/** java.time.Period#toString of a month interval, normalised to years and months: `P1Y2M`, `P0D`. */
export function javaPeriod(months: number): string {
  if (months === 0) return 'P0D';
  const y = Math.trunc(months / 12);
  const m = months % 12;
  return `P${y !== 0 ? `${y}Y` : ''}${m !== 0 ? `${m}M` : ''}`;
}

function compile(t: SqlType): Show {
  switch (t.kind) {
    case 'BOOLEAN': return (v) => (v ? 'true' : 'false');
    case 'FLOAT': return (v) => javaFloatToString(v as number);
    case 'DOUBLE': return (v) => javaDoubleToString(v as number);
    case 'DECIMAL': {
      const scale = t.scale ?? 0;
      return (v) => javaDecimalToString(v as number, scale);
    }
    case 'BYTES': return (v) => `[${Array.from(v as Uint8Array, (b) => (b > 127 ? b - 256 : b)).join(', ')}]`;
    case 'DATE': return (v) => formatDate(v as number);
    case 'TIME': return (v) => javaLocalTime(v as number);
    case 'TIMESTAMP': return (v) => javaLocalDateTime(v as number);
    case 'TIMESTAMP_LTZ': return (v) => javaInstant(v as number);
    case 'INTERVAL_DAY_TIME': return (v) => javaDuration(v as number);
    case 'INTERVAL_YEAR_MONTH': return (v) => javaPeriod(v as number);
    case 'ARRAY': {
      const el = compile(t.element!);
      return (v) => `[${(v as Value[]).map((x) => (x === null || x === undefined ? 'null' : el(x))).join(', ')}]`;
    }
    case 'MAP': {
      const k = compile(t.element!);
      const val = compile(t.value!);
      return (v) => {
        const parts: string[] = [];
        for (const [a, b] of v as Map<Value, Value>) {
          parts.push(`${a === null || a === undefined ? 'null' : k(a)}=${b === null || b === undefined ? 'null' : val(b)}`);
        }
        return `{${parts.join(', ')}}`;
      };
    }
    case 'ROW': {
      const inner = compileFields(t.fields ?? []);
      return (v) => `+I[${inner(v as Row)}]`;
    }
    default: return (v) => String(v);
  }
}

function compileFields(fields: readonly RowField[]): (row: Row) => string {
  const shows = fields.map((f) => compile(f.type));
  const n = shows.length;
  return (row) => {
    let out = '';
    for (let i = 0; i < n; i++) {
      if (i > 0) out += ', ';
      const x = row[i];
      out += x === null || x === undefined ? 'null' : shows[i]!(x);
    }
    return out;
  };
}

/** Compiles the printer of rows with these columns: `(row, kind) => '+I[...]'`. */
export function createRowPrinter(fields: readonly RowField[]): (row: Row, kind: RowKind) => string {
  const inner = compileFields(fields);
  return (row, kind) => `${ROW_KIND_SHORT[kind]}[${inner(row)}]`;
}
