/**
 * Calendar arithmetic and the canonical text forms of temporal values. Pure functions, no time-zone database:
 * TIMESTAMP values are wall-clock values stored as epoch millis read as UTC (see ./types.ts).
 */

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian civil date (Howard Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil: [year, month 1-12, day 1-31]. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [y + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const pad3 = (n: number): string => (n < 10 ? '00' + n : n < 100 ? '0' + n : String(n));
function padYear(y: number): string {
  if (y >= 0 && y < 10000) return String(y).padStart(4, '0');
  return (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(4, '0');
}

export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${padYear(y)}-${pad2(m)}-${pad2(d)}`;
}

/** `HH:mm:ss` plus `.SSS` when precision > 0. */
export function formatTime(msOfDay: number, precision = 0): string {
  const h = Math.floor(msOfDay / MS_PER_HOUR);
  const mi = Math.floor((msOfDay % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = Math.floor((msOfDay % MS_PER_MINUTE) / 1000);
  const ms = msOfDay % 1000;
  const base = `${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  return precision > 0 ? `${base}.${pad3(ms).slice(0, Math.min(3, precision))}` : base;
}

/** `yyyy-MM-dd HH:mm:ss.SSS` (the output form the CLI prints); `sep` 'T' gives ISO-8601 local form. */
export function formatTimestamp(ms: number, precision = 3, sep = ' '): string {
  const days = Math.floor(ms / MS_PER_DAY);
  const msOfDay = ms - days * MS_PER_DAY;
  return `${formatDate(days)}${sep}${formatTime(msOfDay, precision)}`;
}

const TS_RE = /^\s*([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})(?:(?:[ T])(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/i;

export interface ParsedTimestamp {
  /** Epoch millis of the wall-clock value read as UTC, minus the offset when one was given. */
  millis: number;
  /** True when the text carried a zone designator (Z or ±hh:mm). */
  hadZone: boolean;
}

/**
 * Parses SQL (`2024-01-02 03:04:05.678`) and ISO-8601 (`2024-01-02T03:04:05.678Z`, `+01:00`) timestamps, with an
 * optional time part. Returns undefined for anything else (including out-of-range fields).
 */
export function parseTimestampText(text: string): ParsedTimestamp | undefined {
  const m = TS_RE.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const h = m[4] ? Number(m[4]) : 0, mi = m[5] ? Number(m[5]) : 0, s = m[6] ? Number(m[6]) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const frac = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
  let millis = daysFromCivil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * 1000 + frac;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    millis -= sign * (Number(digits.slice(0, 2)) * MS_PER_HOUR + Number(digits.slice(2, 4)) * MS_PER_MINUTE);
  }
  return { millis, hadZone: zone !== undefined };
}

/** Parses `yyyy-MM-dd` to epoch days. */
export function parseDateText(text: string): number | undefined {
  const m = /^\s*([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})\s*$/.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return daysFromCivil(y, mo, d);
}

/** Parses `HH:mm[:ss[.fff]]` to millis of day. */
export function parseTimeText(text: string): number | undefined {
  const m = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?\s*$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]), mi = Number(m[2]), s = m[3] ? Number(m[3]) : 0;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const frac = m[4] ? Number((m[4] + '00').slice(0, 3)) : 0;
  return h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * 1000 + frac;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Truncates a timestamp's millis to the given precision (0-3 are meaningful for millisecond storage). */
export function truncateToPrecision(ms: number, precision: number): number {
  if (precision >= 3) return ms;
  const unit = precision === 2 ? 10 : precision === 1 ? 100 : 1000;
  return Math.floor(ms / unit) * unit;
}
