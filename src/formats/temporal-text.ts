/**
 * Temporal text exactly as Flink's formats accept and produce it. Flink parses with java.time formatters that are
 * strict about shape (two-digit fields, `T` versus space, a literal `Z`), so these parsers are strict too: a value
 * Flink rejects is rejected here, and the same text reads to the same value.
 *
 * Values follow src/common/types.ts: DATE = epoch days, TIME = millis of day, TIMESTAMP/TIMESTAMP_LTZ = epoch millis.
 * Fractions finer than milliseconds are truncated (the runtime keeps milliseconds).
 */
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, daysFromCivil, daysInMonth, formatDate } from '../common/time.js';

/** `ISO_LOCAL_DATE`: `yyyy-MM-dd`; years beyond four digits need a sign; invalid calendar dates are rejected. */
const ISO_DATE = '(\\d{4}|[+-]\\d{4,9})-(\\d{2})-(\\d{2})';
/** `HH:mm:ss` with an optional fraction of 1-9 digits (Flink's SQL_TIME_FORMAT). */
const SQL_TIME = '(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?';
/** `ISO_LOCAL_TIME`: `HH:mm`, optional `:ss`, optional fraction. */
const ISO_TIME = '(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?';

const ISO_DATE_RE = new RegExp(`^${ISO_DATE}$`);
const SQL_TIME_RE = new RegExp(`^${SQL_TIME}$`);
const ISO_TIME_RE = new RegExp(`^${ISO_TIME}$`);
const SQL_TS_RE = new RegExp(`^${ISO_DATE} ${SQL_TIME}$`);
const SQL_TS_Z_RE = new RegExp(`^${ISO_DATE} ${SQL_TIME}Z$`);
const ISO_TS_RE = new RegExp(`^${ISO_DATE}T${ISO_TIME}$`);
const ISO_TS_Z_RE = new RegExp(`^${ISO_DATE}T${ISO_TIME}Z$`);
/** `java.sql.Date.valueOf`: four-digit year, one- or two-digit month and day (used by Flink's CSV format). */
const LENIENT_DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

export type TimestampStandard = 'SQL' | 'ISO-8601';

function dateFrom(y: string, mo: string, d: string): number | undefined {
  const year = Number(y), month = Number(mo), day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

function timeFrom(h: string, mi: string, s: string | undefined, frac: string | undefined): number | undefined {
  const hour = Number(h), minute = Number(mi), second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = frac === undefined ? 0 : Number((frac + '00').slice(0, 3));
  return hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * 1000 + ms;
}

/** `yyyy-MM-dd` (Flink JSON's DATE) to epoch days, or undefined. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE_RE.exec(text);
  return m ? dateFrom(m[1]!, m[2]!, m[3]!) : undefined;
}

/**
 * `java.sql.Date.valueOf` as Flink's CSV format uses it: `yyyy-M-d` with one- or two-digit month and day. Like
 * Java it is lenient about the day of month (`2023-02-30` rolls over to March 2).
 */
export function parseLenientDate(text: string): number | undefined {
  const m = LENIENT_DATE_RE.exec(text);
  if (!m) return undefined;
  const month = Number(m[2]), day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return daysFromCivil(Number(m[1]), month, day);
}

/** `HH:mm:ss[.fffffffff]` (Flink JSON's TIME) to millis of day, or undefined. */
export function parseSqlTime(text: string): number | undefined {
  const m = SQL_TIME_RE.exec(text);
  return m ? timeFrom(m[1]!, m[2]!, m[3], m[4]) : undefined;
}

/** `HH:mm[:ss[.fffffffff]]` (`LocalTime.parse`, Flink CSV's TIME) to millis of day, or undefined. */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO_TIME_RE.exec(text);
  return m ? timeFrom(m[1]!, m[2]!, m[3], m[4]) : undefined;
}

/**
 * A TIMESTAMP (withZone = false) or TIMESTAMP_LTZ (withZone = true, a literal trailing `Z`) in the given standard:
 * SQL `yyyy-MM-dd HH:mm:ss[.f]`, ISO-8601 `yyyy-MM-ddTHH:mm[:ss[.f]]`. Returns epoch millis or undefined.
 */
export function parseTimestamp(text: string, standard: TimestampStandard, withZone: boolean): number | undefined {
  const re = standard === 'SQL' ? (withZone ? SQL_TS_Z_RE : SQL_TS_RE) : (withZone ? ISO_TS_Z_RE : ISO_TS_RE);
  const m = re.exec(text);
  if (!m) return undefined;
  const days = dateFrom(m[1]!, m[2]!, m[3]!);
  const ms = timeFrom(m[4]!, m[5]!, m[6], m[7]);
  if (days === undefined || ms === undefined) return undefined;
  return days * MS_PER_DAY + ms;
}

/** The shape a standard expects, for error messages. */
export function timestampShape(standard: TimestampStandard, withZone: boolean): string {
  const base = standard === 'SQL' ? 'yyyy-MM-dd HH:mm:ss[.SSS]' : "yyyy-MM-dd'T'HH:mm[:ss[.SSS]]";
  return withZone ? `${base}Z` : base;
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** `.5`, `.12`, `.123` or nothing: java.time's minimal fraction (trailing zeros dropped). */
function fraction(ms: number): string {
  if (ms === 0) return '';
  let s = String(ms).padStart(3, '0');
  while (s.endsWith('0')) s = s.slice(0, -1);
  return '.' + s;
}

/** `HH:mm:ss` plus a minimal fraction (java.time's ISO_LOCAL_TIME / Flink's SQL_TIME_FORMAT when formatting). */
export function formatTimeText(msOfDay: number, withFraction = true): string {
  const h = Math.floor(msOfDay / MS_PER_HOUR);
  const mi = Math.floor((msOfDay % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = Math.floor((msOfDay % MS_PER_MINUTE) / 1000);
  return `${pad2(h)}:${pad2(mi)}:${pad2(s)}${withFraction ? fraction(msOfDay % 1000) : ''}`;
}

/** A timestamp as Flink's formats write it: `2024-01-02 03:04:05.5` (SQL) or `2024-01-02T03:04:05.5` (ISO-8601), `Z` appended for LTZ. */
export function formatTimestampText(ms: number, standard: TimestampStandard, withZone: boolean): string {
  const days = Math.floor(ms / MS_PER_DAY);
  const msOfDay = ms - days * MS_PER_DAY;
  return `${formatDate(days)}${standard === 'SQL' ? ' ' : 'T'}${formatTimeText(msOfDay)}${withZone ? 'Z' : ''}`;
}

export { formatDate };
