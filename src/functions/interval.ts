/**
 * Interval literals: INTERVAL '<text>' <start unit> [TO <end unit>].
 *
 * Day-time intervals become milliseconds, year-month intervals months (see ../common/types.ts). Text forms follow
 * Calcite/Flink: 'd hh:mm:ss.fff' for DAY TO SECOND, 'y-m' for YEAR TO MONTH, an optional leading sign inside the
 * text. As in Flink, the leading field is limited to its precision (default 2 digits: INTERVAL '100' DAY is an error,
 * INTERVAL '100' DAY(3) is fine) and trailing fields to their natural range (hour < 24, minute < 60, second < 60).
 */
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../common/time.js';

export type IntervalUnit = 'YEAR' | 'QUARTER' | 'MONTH' | 'WEEK' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND';

export type IntervalLiteral =
  | { kind: 'INTERVAL_DAY_TIME'; millis: number }
  | { kind: 'INTERVAL_YEAR_MONTH'; months: number }
  | { error: string; hint?: string };

const ORDER: Record<IntervalUnit, number> = { YEAR: 0, QUARTER: 1, MONTH: 2, WEEK: 3, DAY: 4, HOUR: 5, MINUTE: 6, SECOND: 7 };

/** Regex per (start, end) with named parts; `f` is the optional fraction of seconds. */
const FORMS: Record<string, { re: RegExp; example: string }> = {
  'YEAR': { re: /^(\d+)$/, example: "'2'" },
  'QUARTER': { re: /^(\d+)$/, example: "'2'" },
  'MONTH': { re: /^(\d+)$/, example: "'10'" },
  'WEEK': { re: /^(\d+)$/, example: "'2'" },
  'YEAR-MONTH': { re: /^(\d+)-(\d+)$/, example: "'2-10'" },
  'DAY': { re: /^(\d+)$/, example: "'10'" },
  'DAY-HOUR': { re: /^(\d+) +(\d+)$/, example: "'10 23'" },
  'DAY-MINUTE': { re: /^(\d+) +(\d+):(\d+)$/, example: "'10 23:59'" },
  'DAY-SECOND': { re: /^(\d+) +(\d+):(\d+):(\d+)(?:\.(\d*))?$/, example: "'10 23:59:59.999'" },
  'HOUR': { re: /^(\d+)$/, example: "'23'" },
  'HOUR-MINUTE': { re: /^(\d+):(\d+)$/, example: "'23:59'" },
  'HOUR-SECOND': { re: /^(\d+):(\d+):(\d+)(?:\.(\d*))?$/, example: "'23:59:59.999'" },
  'MINUTE': { re: /^(\d+)$/, example: "'59'" },
  'MINUTE-SECOND': { re: /^(\d+):(\d+)(?:\.(\d*))?$/, example: "'59:59.999'" },
  'SECOND': { re: /^(\d+)(?:\.(\d*))?$/, example: "'59.999'" },
};

const UNIT_MS: Record<string, number> = {
  WEEK: 7 * MS_PER_DAY, DAY: MS_PER_DAY, HOUR: MS_PER_HOUR, MINUTE: MS_PER_MINUTE, SECOND: 1000,
};
const LIMIT: Record<string, number> = { MONTH: 12, HOUR: 24, MINUTE: 60, SECOND: 60 };

export interface IntervalOptions {
  /** Leading field precision, e.g. 3 for DAY(3). Default 2 as in Flink. */
  leadingPrecision?: number;
}

/** Parses an interval literal. `negative` is a sign written before the literal (INTERVAL -'1' DAY). */
export function parseIntervalLiteral(
  text: string, startUnit: string, endUnit?: string, negative = false, options: IntervalOptions = {},
): IntervalLiteral {
  const start = startUnit.toUpperCase() as IntervalUnit;
  const end = (endUnit?.toUpperCase() ?? undefined) as IntervalUnit | undefined;
  if (!(start in ORDER)) return { error: `unknown interval unit ${startUnit}` };
  if (end !== undefined && (!(end in ORDER) || ORDER[end] <= ORDER[start])) {
    return { error: `invalid interval qualifier ${startUnit} TO ${endUnit}` };
  }
  const key = end ? `${start}-${end}` : start;
  const form = FORMS[key];
  if (!form) return { error: `invalid interval qualifier ${startUnit}${endUnit ? ' TO ' + endUnit : ''}` };
  let body = text.trim();
  let sign = negative ? -1 : 1;
  if (body.startsWith('-')) { sign = -sign; body = body.slice(1).trim(); } else if (body.startsWith('+')) body = body.slice(1).trim();
  const m = form.re.exec(body);
  const qualifier = `${start}${end ? ' TO ' + end : ''}`;
  if (!m) {
    return { error: `illegal interval literal '${text}' for ${qualifier}`, hint: `expected a value like ${form.example}` };
  }
  const lead = m[1]!;
  const leadingPrecision = options.leadingPrecision ?? 2;
  if (lead.replace(/^0+(?=\d)/, '').length > leadingPrecision) {
    return {
      error: `interval field value ${lead} exceeds precision of ${start}(${leadingPrecision}) field`,
      hint: `write ${start}(${Math.min(10, lead.length)}) to allow more digits`,
    };
  }
  if (start === 'YEAR' || start === 'MONTH' || start === 'QUARTER') {
    let months = Number(lead) * (start === 'YEAR' ? 12 : start === 'QUARTER' ? 3 : 1);
    if (end === 'MONTH') {
      const mo = Number(m[2]);
      if (mo >= 12) return { error: `illegal interval literal '${text}': month ${mo} out of range 0-11` };
      months += mo;
    }
    return { kind: 'INTERVAL_YEAR_MONTH', months: sign * months };
  }
  // Day-time: fields from start to end, the seconds field may have a fraction.
  const units: IntervalUnit[] = [];
  for (const u of ['WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND'] as IntervalUnit[]) {
    if (ORDER[u] >= ORDER[start] && ORDER[u] <= ORDER[end ?? start]) units.push(u);
  }
  let millis = 0;
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    const v = Number(m[i + 1]);
    if (i > 0 && v >= LIMIT[u]!) {
      return { error: `illegal interval literal '${text}': ${u.toLowerCase()} ${v} out of range 0-${LIMIT[u]! - 1}` };
    }
    millis += v * UNIT_MS[u]!;
  }
  const frac = m[units.length + 1];
  if (frac) millis += Math.round(Number('0.' + frac) * 1000);
  return { kind: 'INTERVAL_DAY_TIME', millis: sign * millis };
}
