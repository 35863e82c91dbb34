/**
 * Flink's temporal functions. Functions that read the session time zone (`table.local-time-zone`) or the clock take
 * the EvalContext first (needsContext). TIMESTAMP values are wall-clock millis; TIMESTAMP_LTZ are instants and are
 * converted to the session zone's wall clock before calendar fields are read.
 *
 * Unit arguments (EXTRACT, TIMESTAMPADD, TIMESTAMPDIFF) arrive as string literals from the binder.
 */
import type { SqlType } from '../common/types.js';
import { T, typeToString, withoutTimeAttr } from '../common/types.js';
import { MS_PER_DAY } from '../common/time.js';
import type { Value } from '../common/row.js';
import type { EvalContext, InferResult } from './function-def.js';
import { ExprError } from './expr-error.js';
import { F, defineFunction } from './registry.js';
import { compileDatePattern, type CompiledPattern, type PatternFlavor } from './date-pattern.js';
import { localToUtc, utcToLocal, zoneOffsetMillis } from './time-zone.js';
import {
  EXTRACT_UNITS, extractField, isTimeUnit, subtractMonths, timestampAdd, timestampDiff, type ExtractUnit, type TimeUnit,
} from './timestamp-math.js';
import { parseDateFlink } from './cast.js';
import { parseTimestampText } from '../common/time.js';

const BIGINT = T.bigint();
const STRING = T.string();

/** Wall-clock millis of a temporal value for field extraction. */
function wallOf(t: SqlType): (ctx: EvalContext, v: number) => number {
  switch (t.kind) {
    case 'TIMESTAMP_LTZ': return (c, v) => utcToLocal(c.timeZone, v);
    case 'DATE': return (_c, v) => v * MS_PER_DAY;
    default: return (_c, v) => v;
  }
}

function pattern(p: string, flavor: PatternFlavor): CompiledPattern {
  const c = compileDatePattern(p, flavor);
  if ('error' in c) throw new ExprError('FUNCTION_ARGUMENT', c.error);
  return c;
}

// --- EXTRACT and the field shorthands -------------------------------------------------------------------------------

function extractCheck(unit: unknown, t: SqlType): InferResult | undefined {
  if (typeof unit !== 'string' || !EXTRACT_UNITS.includes(unit.toUpperCase() as ExtractUnit)) return { error: `unknown time unit ${String(unit)}` };
  if (t.kind === 'NULL') return undefined;
  const probe = extractField(unit.toUpperCase() as ExtractUnit, 0, t.kind === 'TIMESTAMP_LTZ' ? T.timestamp() : t);
  if (probe === undefined) return { error: `cannot extract ${unit} from ${typeToString(t, false)}` };
  return undefined;
}

function makeExtract(unit: ExtractUnit, t: SqlType): (ctx: EvalContext, v: number) => number {
  if (t.kind === 'TIMESTAMP_LTZ') {
    const ts = T.timestamp();
    return (c, v) => extractField(unit, utcToLocal(c.timeZone, v), ts)!;
  }
  return (_c, v) => extractField(unit, v, t)!;
}

defineFunction({
  name: 'EXTRACT', params: [F.string, F.any], result: BIGINT, needsContext: true,
  check: (args, lits) => extractCheck(lits[0], args[1]!),
  impl: (c: EvalContext, unit: string, v: number) => makeExtract(unit.toUpperCase() as ExtractUnit, T.timestamp())(c, v),
  specialize: (args, lits) => {
    if (typeof lits[0] !== 'string') return undefined;
    const f = makeExtract(lits[0].toUpperCase() as ExtractUnit, args[1]!);
    return (c: EvalContext, _u: string, v: number) => f(c, v);
  },
});

const SHORTHANDS: [string, ExtractUnit, (typeof F)[keyof typeof F]][] = [
  ['YEAR', 'YEAR', F.datetime], ['QUARTER', 'QUARTER', F.datetime], ['MONTH', 'MONTH', F.datetime], ['WEEK', 'WEEK', F.datetime],
  ['DAYOFYEAR', 'DOY', F.datetime], ['DAYOFMONTH', 'DAY', F.datetime], ['DAYOFWEEK', 'DOW', F.datetime],
  ['HOUR', 'HOUR', F.timeOrTimestamp], ['MINUTE', 'MINUTE', F.timeOrTimestamp], ['SECOND', 'SECOND', F.timeOrTimestamp],
];
for (const [name, unit, fam] of SHORTHANDS) {
  defineFunction({
    name, params: [fam], result: BIGINT, needsContext: true,
    impl: (c: EvalContext, v: number) => makeExtract(unit, T.timestamp())(c, v),
    specialize: (args) => makeExtract(unit, args[0]!.kind === 'NULL' ? T.timestamp() : args[0]!),
  });
}

// --- DATE_FORMAT ---------------------------------------------------------------------------------------------------

function dateFormatFor(t: SqlType, fmt: CompiledPattern | undefined): (c: EvalContext, v: number | string, f: string) => string | null {
  const get = (f: string): CompiledPattern => fmt ?? pattern(f, t.kind === 'VARCHAR' || t.kind === 'CHAR' ? 'simple' : 'java.time');
  switch (t.kind) {
    case 'TIMESTAMP_LTZ':
      return (c, v, f) => { const off = zoneOffsetMillis(c.timeZone, v as number); return get(f).format((v as number) + off, off, c.timeZone); };
    case 'DATE':
      return (_c, v, f) => get(f).format((v as number) * MS_PER_DAY, 0, 'UTC');
    case 'CHAR': case 'VARCHAR': {
      // Flink parses the string with 'yyyy-MM-dd HH:mm:ss' (SimpleDateFormat) and formats it; failure gives NULL.
      const src = pattern('yyyy-MM-dd HH:mm:ss', 'simple');
      return (_c, v, f) => { const p = src.parse(v as string); return p ? get(f).format(p.wall, 0, 'UTC') : null; };
    }
    default:
      return (_c, v, f) => get(f).format(v as number, 0, 'UTC');
  }
}

defineFunction({
  name: 'DATE_FORMAT', params: [fam2(), F.string], result: STRING, nullable: 'always', needsContext: true,
  check: (_a, lits) => {
    if (typeof lits[1] === 'string') { const c = compileDatePattern(lits[1], 'java.time'); if ('error' in c) return { error: c.error }; }
    return undefined;
  },
  impl: (c: EvalContext, v: number | string, f: string) => dateFormatFor(typeof v === 'string' ? STRING : T.timestamp(), undefined)(c, v, f),
  specialize: (args, lits) => {
    const t = args[0]!.kind === 'NULL' ? T.timestamp() : args[0]!;
    const flavor: PatternFlavor = t.kind === 'VARCHAR' || t.kind === 'CHAR' ? 'simple' : 'java.time';
    const pre = typeof lits[1] === 'string' ? pattern(lits[1], flavor) : undefined;
    return dateFormatFor(t, pre);
  },
});
function fam2() { return { name: 'TIMESTAMP/STRING', test: (t: SqlType) => t.kind === 'NULL' || F.datetime.test(t) || F.string.test(t) }; }

// --- parsing: TO_TIMESTAMP, TO_TIMESTAMP_LTZ, TO_DATE, UNIX_TIMESTAMP ------------------------------------------------

/** Flink's parseTimestampData(str, format): java.time pattern, falling back to the lenient SQL forms; null if invalid. */
function parseWithFallback(s: string, p: CompiledPattern | undefined): number | null {
  if (p) {
    const r = p.parse(s);
    if (r) return r.wall; // java.time parses into a LocalDateTime: a zone in the text is ignored
  }
  const t = parseTimestampText(s);
  if (t && !t.hadZone) return t.millis;
  const d = parseDateFlink(s);
  return d === undefined || /:/.test(s) ? null : d * MS_PER_DAY;
}

defineFunction({
  name: 'TO_TIMESTAMP', params: [F.string, F.string], min: 1, result: T.timestamp(3), nullable: 'always',
  impl: (s: string, f?: string) => parseWithFallback(s, f === undefined ? undefined : pattern(f, 'java.time')),
  specialize: (args, lits) => {
    if (args.length === 1) return (s: string) => parseWithFallback(s, undefined);
    if (typeof lits[1] !== 'string') return undefined;
    const p = pattern(lits[1], 'java.time');
    return (s: string) => parseWithFallback(s, p);
  },
});

const MIN_EPOCH_MS = -62167219200000, MAX_EPOCH_MS = 253402300799999;

defineFunction({
  name: 'TO_TIMESTAMP_LTZ', params: [F.numericOrString, F.any, F.string], min: 1, result: T.timestampLtz(3), nullable: 'always',
  needsContext: true,
  check: (args) => {
    const a = args[0]!;
    if (F.numeric.test(a) && a.kind !== 'NULL') {
      if (args.length > 2 || (args.length === 2 && !F.integral.test(args[1]!))) return { error: 'TO_TIMESTAMP_LTZ(numeric, precision) takes an integer precision (0 or 3)' };
    } else if (args.slice(1).some((t) => !F.string.test(t))) {
      return { error: 'TO_TIMESTAMP_LTZ(string[, format[, zone]]) takes string arguments' };
    }
    return undefined;
  },
  impl: (c: EvalContext, v: number | string, p?: number | string, zone?: string) => {
    if (typeof v === 'number') {
      const prec = (p as number | undefined) ?? 3;
      let ms: number;
      if (prec === 0) ms = Math.trunc(v * 1000);
      else if (prec === 3) ms = Math.trunc(v);
      else throw new ExprError('FUNCTION_ARGUMENT', `the precision value '${prec}' for TO_TIMESTAMP_LTZ(numeric, precision) is unsupported; use 0 (seconds) or 3 (milliseconds)`);
      return ms < MIN_EPOCH_MS || ms > MAX_EPOCH_MS ? null : ms;
    }
    const pat = pattern((p as string | undefined) ?? 'yyyy-MM-dd HH:mm:ss.SSS', 'java.time');
    const r = pat.parse(v);
    if (!r) return null;
    if (r.offset !== undefined) return r.wall - r.offset;
    return localToUtc(zone ?? c.timeZone, r.wall);
  },
});

defineFunction({
  name: 'TO_DATE', params: [F.string, F.string], min: 1, result: T.date(), nullable: 'always',
  impl: (s: string, f?: string) => {
    if (f === undefined) return parseDateFlink(s) ?? null;
    const r = pattern(f, 'simple').parse(s);
    return r ? Math.floor((r.offset !== undefined ? r.wall - r.offset : r.wall) / MS_PER_DAY) : null;
  },
});

const LONG_MIN = -9223372036854775808;

defineFunction({
  name: 'UNIX_TIMESTAMP', params: [F.string, F.string], min: 0, result: T.bigint(), needsContext: true,
  deterministic: false, // UNIX_TIMESTAMP() reads the clock; the string forms are deterministic but share the name
  impl: (c: EvalContext, s?: string, f?: string) => {
    if (s === undefined) return Math.floor(c.now() / 1000);
    const r = pattern(f ?? 'yyyy-MM-dd HH:mm:ss', 'simple').parse(s);
    if (!r) return LONG_MIN;
    const instant = r.offset !== undefined ? r.wall - r.offset : localToUtc(c.timeZone, r.wall);
    return Math.trunc(instant / 1000) + 0;
  },
});

defineFunction({
  name: 'FROM_UNIXTIME', params: [F.numeric, F.string], min: 1, result: STRING, needsContext: true,
  impl: (c: EvalContext, sec: number, f?: string) => {
    const ms = Math.trunc(sec) * 1000;
    const off = zoneOffsetMillis(c.timeZone, ms);
    return pattern(f ?? 'yyyy-MM-dd HH:mm:ss', 'simple').format(ms + off, off, c.timeZone);
  },
});

defineFunction({
  name: 'CONVERT_TZ', params: [F.string, F.string, F.string], result: STRING, nullable: 'always',
  impl: (s: string, from: string, to: string) => {
    const r = pattern('yyyy-MM-dd HH:mm:ss', 'simple').parse(s);
    if (!r) return null;
    const instant = localToUtc(from, r.wall);
    const off = zoneOffsetMillis(to, instant);
    return pattern('yyyy-MM-dd HH:mm:ss', 'simple').format(instant + off, off, to);
  },
});

// --- TIMESTAMPADD / TIMESTAMPDIFF ----------------------------------------------------------------------------------

const SUB_DAY = new Set(['HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND']);

defineFunction({
  name: 'TIMESTAMPADD', params: [F.string, F.integral, F.temporal], result: (args, lits) => {
    const t = args[2]!;
    if (t.kind === 'DATE' && typeof lits[0] === 'string' && SUB_DAY.has(lits[0].toUpperCase())) return T.timestamp(3);
    return t.kind === 'NULL' ? T.timestamp(3) : withoutTimeAttr(t);
  },
  needsContext: true,
  check: (_a, lits) => (typeof lits[0] === 'string' && isTimeUnit(lits[0].toUpperCase()) ? undefined : { error: `TIMESTAMPADD needs a time unit, not ${String(lits[0])}` }),
  impl: (_c: EvalContext, unit: string, n: number, ts: number) => timestampAdd(unit.toUpperCase() as TimeUnit, n, ts),
  specialize: (args, lits) => {
    if (typeof lits[0] !== 'string') return undefined;
    const unit = lits[0].toUpperCase() as TimeUnit;
    const t = args[2]!;
    if (t.kind === 'DATE') {
      if (SUB_DAY.has(unit)) return (_c: EvalContext, _u: string, n: number, d: number) => timestampAdd(unit, n, d * MS_PER_DAY);
      return (_c: EvalContext, _u: string, n: number, d: number) => Math.floor(timestampAdd(unit, n, d * MS_PER_DAY) / MS_PER_DAY);
    }
    if (t.kind === 'TIME') return (_c: EvalContext, _u: string, n: number, v: number) => ((timestampAdd(unit, n, v) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
    if (t.kind === 'TIMESTAMP_LTZ') {
      return (c: EvalContext, _u: string, n: number, v: number) => localToUtc(c.timeZone, timestampAdd(unit, n, utcToLocal(c.timeZone, v)));
    }
    return (_c: EvalContext, _u: string, n: number, v: number) => timestampAdd(unit, n, v);
  },
});

defineFunction({
  name: 'TIMESTAMPDIFF', params: [F.string, F.datetime, F.datetime], result: T.int(), needsContext: true,
  check: (_a, lits) => (typeof lits[0] === 'string' && isTimeUnit(lits[0].toUpperCase()) ? undefined : { error: `TIMESTAMPDIFF needs a time unit, not ${String(lits[0])}` }),
  impl: (_c: EvalContext, unit: string, a: number, b: number) => timestampDiff(unit.toUpperCase() as TimeUnit, a, b) | 0,
  specialize: (args, lits) => {
    if (typeof lits[0] !== 'string') return undefined;
    const unit = lits[0].toUpperCase() as TimeUnit;
    const wa = wallOf(args[1]!), wb = wallOf(args[2]!);
    return (c: EvalContext, _u: string, a: number, b: number) => timestampDiff(unit, wa(c, a), wb(c, b)) | 0;
  },
});

// --- clock ---------------------------------------------------------------------------------------------------------

const clockFns: [string, SqlType, (c: EvalContext) => Value][] = [
  ['CURRENT_TIMESTAMP', T.timestampLtz(3, false), (c) => c.now()],
  ['NOW', T.timestampLtz(3, false), (c) => c.now()],
  ['CURRENT_ROW_TIMESTAMP', T.timestampLtz(3, false), (c) => c.now()],
  ['LOCALTIMESTAMP', T.timestamp(3, false), (c) => utcToLocal(c.timeZone, c.now())],
  ['CURRENT_DATE', T.date(false), (c) => Math.floor(utcToLocal(c.timeZone, c.now()) / MS_PER_DAY)],
  ['CURRENT_TIME', { kind: 'TIME', precision: 0, nullable: false }, (c) => { const w = utcToLocal(c.timeZone, c.now()); return Math.floor((((w % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 1000) * 1000; }],
  ['LOCALTIME', { kind: 'TIME', precision: 0, nullable: false }, (c) => { const w = utcToLocal(c.timeZone, c.now()); return Math.floor((((w % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 1000) * 1000; }],
  ['PROCTIME', { ...T.timestampLtz(3, false), timeAttr: 'proctime' }, (c) => c.now()],
];
for (const [name, type, fn] of clockFns) {
  defineFunction({ name, params: [], result: type, nullable: 'asIs', deterministic: false, needsContext: true, impl: fn });
}

export { subtractMonths };
