/**
 * Calendar arithmetic on the runtime representation (TIMESTAMP = wall-clock epoch millis read as UTC, DATE = epoch
 * days, TIME = millis of day), following Flink's DateTimeUtils:
 *  - addMonths clamps the day to the last day of the target month (Jan 31 + 1 month = Feb 28/29);
 *  - FLOOR/CEIL TO WEEK use weeks starting on Sunday (as Flink/Calcite's julianDateFloor does);
 *  - EXTRACT(WEEK) is the ISO-8601 week number, DOW is 1 = Sunday .. 7 = Saturday, ISODOW 1 = Monday;
 *  - EXTRACT(MILLISECOND) is the millisecond within the second (0-999), EPOCH is seconds since 1970.
 * TIMESTAMP_LTZ callers convert to wall-clock first with the session zone (see ./time-zone.ts).
 */
import { civilFromDays, daysFromCivil, daysInMonth, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../common/time.js';
import type { SqlType } from '../common/types.js';

export type TimeUnit =
  | 'MILLISECOND' | 'MICROSECOND' | 'NANOSECOND' | 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER'
  | 'YEAR' | 'DECADE' | 'CENTURY' | 'MILLENNIUM';

export type ExtractUnit = TimeUnit | 'DOW' | 'ISODOW' | 'DOY' | 'ISOYEAR' | 'EPOCH';

export const EXTRACT_UNITS: readonly ExtractUnit[] = [
  'MILLISECOND', 'MICROSECOND', 'NANOSECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR',
  'DECADE', 'CENTURY', 'MILLENNIUM', 'DOW', 'ISODOW', 'DOY', 'ISOYEAR', 'EPOCH',
];

const floorDiv = (a: number, b: number): number => Math.floor(a / b);
const floorMod = (a: number, b: number): number => a - Math.floor(a / b) * b;

/** Adds months to epoch days, clamping the day of month. */
export function addMonthsToDate(days: number, months: number): number {
  const [y0, m0, d0] = civilFromDays(days);
  const total = y0 * 12 + (m0 - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  const last = daysInMonth(y, m);
  return daysFromCivil(y, m, d0 > last ? last : d0);
}

/** Adds months to a timestamp (wall-clock millis), keeping the time of day. */
export function addMonths(tsMillis: number, months: number): number {
  const ms = floorMod(tsMillis, MS_PER_DAY);
  return addMonthsToDate((tsMillis - ms) / MS_PER_DAY, months) * MS_PER_DAY + ms;
}

/** Whole months from date1 to date0 (days), as Flink's subtractMonths (negative when date0 < date1). */
export function subtractMonthsDates(date0: number, date1: number): number {
  if (date0 < date1) return -subtractMonthsDates(date1, date0);
  let m = Math.floor((date0 - date1) / 31);
  for (;;) {
    if (addMonthsToDate(date1, m) >= date0) return m;
    if (addMonthsToDate(date1, m + 1) > date0) return m;
    m++;
  }
}

/** Whole months between two timestamps (t0 - t1), as Flink's subtractMonths(long, long). */
export function subtractMonths(t0: number, t1: number): number {
  const ms0 = floorMod(t0, MS_PER_DAY), ms1 = floorMod(t1, MS_PER_DAY);
  const d0 = (t0 - ms0) / MS_PER_DAY, d1 = (t1 - ms1) / MS_PER_DAY;
  let x = subtractMonthsDates(d0, d1);
  const d2 = addMonthsToDate(d1, x);
  if (d2 === d0 && ms0 < ms1) x--;
  return x;
}

const FIXED_UNIT_MS: Partial<Record<TimeUnit, number>> = {
  MILLISECOND: 1, SECOND: 1000, MINUTE: MS_PER_MINUTE, HOUR: MS_PER_HOUR, DAY: MS_PER_DAY,
};

function floorDateTo(unit: TimeUnit, days: number, floor: boolean): number {
  const [y, m, d] = civilFromDays(days);
  switch (unit) {
    case 'DAY': return floor ? days : days + 1;
    case 'WEEK': {
      let off = floorMod(days + 4, 7); // 0 = Sunday (1970-01-01 was a Thursday)
      if (!floor && off > 0) off -= 7;
      return days - off;
    }
    case 'MONTH': {
      const start = daysFromCivil(y, m, 1);
      return floor || start === days ? start : addMonthsToDate(start, 1);
    }
    case 'QUARTER': {
      const start = daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1);
      return floor || start === days ? start : addMonthsToDate(start, 3);
    }
    case 'YEAR': {
      const start = daysFromCivil(y, 1, 1);
      return floor || start === days ? start : daysFromCivil(y + 1, 1, 1);
    }
    case 'DECADE': {
      const base = Math.floor(y / 10) * 10;
      const start = daysFromCivil(base, 1, 1);
      return floor || start === days ? start : daysFromCivil(base + 10, 1, 1);
    }
    case 'CENTURY': {
      const base = Math.floor((y - 1) / 100) * 100 + 1; // centuries start in year xx01
      const start = daysFromCivil(base, 1, 1);
      return floor || start === days ? start : daysFromCivil(base + 100, 1, 1);
    }
    case 'MILLENNIUM': {
      const base = Math.floor((y - 1) / 1000) * 1000 + 1;
      const start = daysFromCivil(base, 1, 1);
      return floor || start === days ? start : daysFromCivil(base + 1000, 1, 1);
    }
    default:
      void d;
      return days;
  }
}

/** FLOOR(ts TO unit) on wall-clock millis. */
export function floorTimestamp(ms: number, unit: TimeUnit): number {
  const fixed = FIXED_UNIT_MS[unit];
  if (fixed !== undefined) return Math.floor(ms / fixed) * fixed;
  if (unit === 'MICROSECOND' || unit === 'NANOSECOND') return ms;
  const days = Math.floor(ms / MS_PER_DAY);
  return floorDateTo(unit, days, true) * MS_PER_DAY;
}

/** CEIL(ts TO unit) on wall-clock millis (a value already on a boundary is unchanged). */
export function ceilTimestamp(ms: number, unit: TimeUnit): number {
  const fixed = FIXED_UNIT_MS[unit];
  if (fixed !== undefined) return Math.ceil(ms / fixed) * fixed;
  if (unit === 'MICROSECOND' || unit === 'NANOSECOND') return ms;
  const days = Math.floor(ms / MS_PER_DAY);
  if (days * MS_PER_DAY === ms) return floorDateTo(unit, days, false) * MS_PER_DAY;
  // Not at midnight: the ceiling is the next boundary strictly after the day's start.
  return floorDateTo(unit, days + 1, false) * MS_PER_DAY;
}

/** FLOOR/CEIL for DATE values (epoch days). */
export function floorDate(days: number, unit: TimeUnit): number {
  return unit === 'DAY' || FIXED_UNIT_MS[unit] !== undefined ? days : floorDateTo(unit, days, true);
}
export function ceilDate(days: number, unit: TimeUnit): number {
  return unit === 'DAY' || FIXED_UNIT_MS[unit] !== undefined ? days : floorDateTo(unit, days, false);
}

/** ISO-8601 week number of epoch days. */
export function isoWeek(days: number): number {
  const isoDow = floorMod(days + 3, 7) + 1; // 1 = Monday
  const thursday = days - isoDow + 4;
  const [ty] = civilFromDays(thursday);
  const jan1 = daysFromCivil(ty, 1, 1);
  return Math.floor((thursday - jan1) / 7) + 1;
}

function isoYear(days: number): number {
  const isoDow = floorMod(days + 3, 7) + 1;
  return civilFromDays(days - isoDow + 4)[0];
}

function extractFromDays(unit: ExtractUnit, days: number): number {
  switch (unit) {
    case 'YEAR': return civilFromDays(days)[0];
    case 'MONTH': return civilFromDays(days)[1];
    case 'DAY': return civilFromDays(days)[2];
    case 'QUARTER': return Math.floor((civilFromDays(days)[1] + 2) / 3);
    case 'WEEK': return isoWeek(days);
    case 'DOY': { const y = civilFromDays(days)[0]; return days - daysFromCivil(y, 1, 1) + 1; }
    case 'DOW': return floorMod(days + 4, 7) + 1;
    case 'ISODOW': return floorMod(days + 3, 7) + 1;
    case 'ISOYEAR': return isoYear(days);
    case 'DECADE': return Math.trunc(civilFromDays(days)[0] / 10);
    case 'CENTURY': { const y = civilFromDays(days)[0]; return y > 0 ? Math.trunc((y + 99) / 100) : Math.trunc((y - 99) / 100); }
    case 'MILLENNIUM': { const y = civilFromDays(days)[0]; return y > 0 ? Math.trunc((y + 999) / 1000) : Math.trunc((y - 999) / 1000); }
    case 'EPOCH': return days * 86400;
    default: return 0;
  }
}

/**
 * EXTRACT(unit FROM v). `type` is the value's type: DATE (days), TIME (ms of day), TIMESTAMP (wall-clock millis),
 * or an interval (ms / months). TIMESTAMP_LTZ must be converted to wall-clock millis by the caller first.
 * Returns undefined when the unit does not apply to the type (the binder reports it).
 */
export function extractField(unit: ExtractUnit, v: number, type: SqlType): number | undefined {
  switch (type.kind) {
    case 'DATE':
      if (unit === 'HOUR' || unit === 'MINUTE' || unit === 'SECOND' || unit === 'MILLISECOND' || unit === 'MICROSECOND'
        || unit === 'NANOSECOND') return 0;
      return extractFromDays(unit, v);
    case 'TIME':
      switch (unit) {
        case 'HOUR': return Math.floor(v / MS_PER_HOUR);
        case 'MINUTE': return Math.floor(v / MS_PER_MINUTE) % 60;
        case 'SECOND': return Math.floor(v / 1000) % 60;
        case 'MILLISECOND': return v % 1000;
        case 'MICROSECOND': return (v % 1000) * 1000;
        case 'NANOSECOND': return (v % 1000) * 1_000_000;
        case 'EPOCH': return Math.floor(v / 1000);
        default: return undefined;
      }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const days = Math.floor(v / MS_PER_DAY);
      const tod = v - days * MS_PER_DAY;
      switch (unit) {
        case 'HOUR': return Math.floor(tod / MS_PER_HOUR);
        case 'MINUTE': return Math.floor(tod / MS_PER_MINUTE) % 60;
        case 'SECOND': return Math.floor(tod / 1000) % 60;
        case 'MILLISECOND': return tod % 1000;
        case 'MICROSECOND': return (tod % 1000) * 1000;
        case 'NANOSECOND': return (tod % 1000) * 1_000_000;
        case 'EPOCH': return Math.trunc(v / 1000);
        default: return extractFromDays(unit, days);
      }
    }
    case 'INTERVAL_YEAR_MONTH':
      switch (unit) {
        case 'YEAR': return Math.trunc(v / 12);
        case 'MONTH': return v % 12;
        case 'QUARTER': return Math.trunc((v % 12) / 3) + 1;
        default: return undefined;
      }
    case 'INTERVAL_DAY_TIME':
      switch (unit) {
        case 'DAY': return Math.trunc(v / MS_PER_DAY);
        case 'HOUR': return Math.trunc(v / MS_PER_HOUR) % 24;
        case 'MINUTE': return Math.trunc(v / MS_PER_MINUTE) % 60;
        case 'SECOND': return Math.trunc(v / 1000) % 60;
        case 'MILLISECOND': return v % 1000;
        case 'EPOCH': return Math.trunc(v / 1000);
        default: return undefined;
      }
    default:
      return undefined;
  }
}

/** Milliseconds per unit for day-time units (WEEK = 7 days), undefined for month-based units. */
export function unitMillis(unit: TimeUnit): number | undefined {
  switch (unit) {
    case 'MILLISECOND': return 1;
    case 'SECOND': return 1000;
    case 'MINUTE': return MS_PER_MINUTE;
    case 'HOUR': return MS_PER_HOUR;
    case 'DAY': return MS_PER_DAY;
    case 'WEEK': return 7 * MS_PER_DAY;
    default: return undefined;
  }
}

/** Months per month-based unit. */
export function unitMonths(unit: TimeUnit): number | undefined {
  switch (unit) {
    case 'MONTH': return 1;
    case 'QUARTER': return 3;
    case 'YEAR': return 12;
    case 'DECADE': return 120;
    case 'CENTURY': return 1200;
    case 'MILLENNIUM': return 12000;
    default: return undefined;
  }
}

/** TIMESTAMPADD(unit, n, ts) on wall-clock millis. */
export function timestampAdd(unit: TimeUnit, n: number, ts: number): number {
  const ms = unitMillis(unit);
  if (ms !== undefined) return ts + n * ms;
  const months = unitMonths(unit);
  if (months !== undefined) return addMonths(ts, n * months);
  return ts; // MICRO/NANOSECOND below millisecond resolution
}

/** TIMESTAMPDIFF(unit, t1, t2): whole units from t1 to t2 (truncated toward zero), as Flink. */
export function timestampDiff(unit: TimeUnit, t1: number, t2: number): number {
  const ms = unitMillis(unit);
  if (ms !== undefined) return Math.trunc((t2 - t1) / ms);
  const months = unitMonths(unit);
  if (months !== undefined) return Math.trunc(subtractMonths(t2, t1) / months);
  if (unit === 'MICROSECOND') return (t2 - t1) * 1000;
  if (unit === 'NANOSECOND') return (t2 - t1) * 1_000_000;
  return 0;
}

export const isTimeUnit = (s: string): s is TimeUnit =>
  s === 'MILLISECOND' || s === 'MICROSECOND' || s === 'NANOSECOND' || s === 'SECOND' || s === 'MINUTE' || s === 'HOUR'
  || s === 'DAY' || s === 'WEEK' || s === 'MONTH' || s === 'QUARTER' || s === 'YEAR' || s === 'DECADE' || s === 'CENTURY'
  || s === 'MILLENNIUM';

export { floorDiv, floorMod };
