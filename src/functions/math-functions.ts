/**
 * Flink's numeric functions. ROUND/TRUNCATE round half-up (BigDecimal semantics) and keep the argument's type
 * (DECIMAL results follow LogicalTypeMerging.findRoundDecimalType); FLOOR/CEIL keep the type (DECIMAL(p, s) becomes
 * DECIMAL(p, 0)); transcendental functions return DOUBLE with Java's Math semantics (NaN / ±Infinity, no errors).
 * FLOOR/CEIL with a time unit (FLOOR(ts TO DAY)) are here too: the binder passes the unit as a string literal second
 * argument. They need the session time zone for TIMESTAMP_LTZ, hence needsContext.
 */
import type { SqlType } from '../common/types.js';
import { T, isIntegral, isNumeric, typeToString } from '../common/types.js';
import { MS_PER_DAY } from '../common/time.js';
import type { EvalContext } from './function-def.js';
import { ExprError } from './expr-error.js';
import { F, defineFunction } from './registry.js';
import { roundDecimalType, roundHalfUp, toDecimal, truncateScale } from './decimal.js';
import { arithmeticType, makeArithmetic } from './arithmetic.js';
import { isInferError } from './function-def.js';
import { ceilDate, ceilTimestamp, floorDate, floorTimestamp, isTimeUnit, type TimeUnit } from './timestamp-math.js';
import { localToUtc, utcToLocal } from './time-zone.js';

const DOUBLE = T.double();
const argType = (args: SqlType[]): SqlType => (args[0]!.kind === 'NULL' ? DOUBLE : args[0]!);

function wrapIntegral(kind: string): (v: number) => number {
  switch (kind) {
    case 'TINYINT': return (v) => (v << 24) >> 24;
    case 'SMALLINT': return (v) => (v << 16) >> 16;
    case 'INT': return (v) => v | 0;
    default: return (v) => v;
  }
}

defineFunction({
  name: 'ABS', params: [F.numeric], result: argType,
  impl: (x: number) => Math.abs(x),
  specialize: (args) => {
    const w = wrapIntegral(args[0]!.kind);
    return isIntegral(args[0]!) && args[0]!.kind !== 'BIGINT' ? (x: number) => w(Math.abs(x)) : undefined;
  },
});

defineFunction({
  name: 'MOD', params: [F.numeric, F.numeric],
  result: (args) => arithmeticType('%', argType(args), args[1]!.kind === 'NULL' ? argType(args) : args[1]!),
  impl: (x: number, y: number) => { if (y === 0) throw new ExprError('DIVIDE_BY_ZERO', 'division by zero'); return x % y; },
  specialize: (args) => {
    const a = argType(args), b = args[1]!.kind === 'NULL' ? a : args[1]!;
    const r = arithmeticType('%', a, b);
    return isInferError(r) ? undefined : makeArithmetic('%', a, b, r);
  },
});

// --- rounding ------------------------------------------------------------------------------------------------------

function roundResult(args: SqlType[], literals: unknown[]): SqlType {
  const t = argType(args);
  if (t.kind === 'DECIMAL') {
    const r = typeof literals[1] === 'number' ? literals[1] : 0;
    return roundDecimalType(t.precision ?? 10, t.scale ?? 0, r);
  }
  return t;
}

function makeRounder(t: SqlType, resultT: SqlType, fn: (x: number, d: number) => number): (x: number, d?: number) => unknown {
  if (t.kind === 'DECIMAL') {
    const p = resultT.precision ?? 38, s = resultT.scale ?? 0;
    return (x, d = 0) => toDecimal(fn(x, d), p, Math.max(s, 0));
  }
  if (isIntegral(t)) {
    const w = wrapIntegral(t.kind);
    return (x, d = 0) => (d >= 0 ? x : w(fn(x, d)));
  }
  if (t.kind === 'FLOAT') return (x, d = 0) => Math.fround(fn(x, d));
  return (x, d = 0) => fn(x, d);
}

for (const [name, fn] of [['ROUND', roundHalfUp], ['TRUNCATE', truncateScale]] as const) {
  defineFunction({
    name, params: [F.numeric, F.integral], min: 1, result: (a, l) => roundResult(a, l as unknown[]),
    impl: (x: number, d = 0) => fn(x, d),
    specialize: (args, lits) => makeRounder(argType(args), roundResult(args, lits as unknown[]), fn),
  });
}

// --- FLOOR / CEIL (numeric and temporal) ---------------------------------------------------------------------------

function floorCeilResult(args: SqlType[]): SqlType | { error: string; hint?: string } {
  const t = argType(args);
  if (args.length === 2) {
    if (!(t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'DATE' || t.kind === 'TIME')) {
      return { error: `FLOOR/CEIL ... TO unit needs a DATE, TIME or TIMESTAMP, not ${typeToString(t, false)}` };
    }
    return t;
  }
  if (!isNumeric(t)) return { error: `FLOOR/CEIL needs a numeric argument, not ${typeToString(t, false)}`, hint: 'use FLOOR(ts TO unit) for timestamps' };
  if (t.kind === 'DECIMAL') return T.decimal(t.precision ?? 10, 0, t.nullable);
  return t;
}

function temporalFloorCeil(t: SqlType, unit: TimeUnit, ceil: boolean): (ctx: EvalContext, v: number) => number {
  const tsFn = ceil ? ceilTimestamp : floorTimestamp;
  switch (t.kind) {
    case 'DATE': { const f = ceil ? ceilDate : floorDate; return (_c, v) => f(v, unit); }
    case 'TIME': return (_c, v) => { const r = tsFn(v, unit); return ((r % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY; };
    case 'TIMESTAMP_LTZ': return (c, v) => localToUtc(c.timeZone, tsFn(utcToLocal(c.timeZone, v), unit));
    default: return (_c, v) => tsFn(v, unit);
  }
}

for (const [name, ceil, aliases] of [['FLOOR', false, []], ['CEIL', true, ['CEILING']]] as const) {
  defineFunction({
    name, aliases: [...aliases], params: [F.numericOrTemporal, F.string], min: 1, needsContext: true,
    result: (a) => floorCeilResult(a),
    check: (args, lits) => {
      if (args.length === 2 && !(typeof lits[1] === 'string' && isTimeUnit(lits[1].toUpperCase()))) {
        return { error: `${name} ... TO needs a time unit such as DAY or HOUR` };
      }
      return undefined;
    },
    impl: (_ctx: EvalContext, x: number) => (ceil ? Math.ceil(x) : Math.floor(x)),
    specialize: (args, lits) => {
      const t = argType(args);
      if (args.length === 2) return temporalFloorCeil(t, (lits[1] as string).toUpperCase() as TimeUnit, ceil);
      if (isIntegral(t)) return (_c: EvalContext, x: number) => x;
      const f = ceil ? Math.ceil : Math.floor;
      if (t.kind === 'DECIMAL') return (_c: EvalContext, x: number) => f(Number(x.toPrecision(15))) + 0;
      if (t.kind === 'FLOAT') return (_c: EvalContext, x: number) => Math.fround(f(x));
      return undefined;
    },
  });
}

// --- powers, logs, trigonometry ------------------------------------------------------------------------------------

const unaryDouble: [string, (x: number) => number][] = [
  ['SQRT', Math.sqrt], ['EXP', Math.exp], ['LN', Math.log], ['LOG10', Math.log10], ['LOG2', (x) => Math.log(x) / Math.LN2],
  ['SIN', Math.sin], ['COS', Math.cos], ['TAN', Math.tan], ['COT', (x) => 1 / Math.tan(x)], ['ASIN', Math.asin],
  ['ACOS', Math.acos], ['ATAN', Math.atan], ['SINH', Math.sinh], ['COSH', Math.cosh], ['TANH', Math.tanh],
  ['DEGREES', (x) => (x * 180) / Math.PI], ['RADIANS', (x) => (x / 180) * Math.PI],
];
for (const [name, fn] of unaryDouble) defineFunction({ name, params: [F.numeric], result: DOUBLE, impl: fn });

defineFunction({ name: 'POWER', aliases: ['POW'], params: [F.numeric, F.numeric], result: DOUBLE, impl: Math.pow });
defineFunction({ name: 'ATAN2', params: [F.numeric, F.numeric], result: DOUBLE, impl: Math.atan2 });
defineFunction({
  name: 'LOG', params: [F.numeric, F.numeric], min: 1, result: DOUBLE,
  impl: (a: number, b?: number) => (b === undefined ? Math.log(a) : Math.log(b) / Math.log(a)),
});
defineFunction({
  name: 'SIGN', params: [F.numeric], result: argType,
  impl: (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x),
});
defineFunction({ name: 'PI', params: [], result: T.double(false), nullable: 'never', impl: () => Math.PI });
defineFunction({ name: 'E', params: [], result: T.double(false), nullable: 'never', impl: () => Math.E });

// --- random (java.util.Random, so seeded sequences equal Flink's) --------------------------------------------------

/** java.util.Random's 48-bit LCG. */
export class JavaRandom {
  private seed: bigint;
  constructor(seed: number) {
    this.seed = (BigInt(Math.trunc(seed)) ^ 0x5deece66dn) & ((1n << 48n) - 1n);
  }
  private next(bits: number): number {
    this.seed = (this.seed * 0x5deece66dn + 0xbn) & ((1n << 48n) - 1n);
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }
  nextDouble(): number {
    return (this.next(26) * 134217728 + (this.next(27) >>> 0)) / 9007199254740992;
  }
  nextInt(bound: number): number {
    if (bound <= 0) throw new ExprError('FUNCTION_ARGUMENT', 'bound must be positive');
    if ((bound & -bound) === bound) return Number((BigInt(bound) * BigInt(this.next(31))) >> 31n);
    let bits: number, val: number;
    do { bits = this.next(31); val = bits % bound; } while (bits - val + (bound - 1) < 0 || bits - val + (bound - 1) > 2147483647);
    return val;
  }
}

defineFunction({
  name: 'RAND', params: [F.integral], min: 0, result: T.double(false), nullable: 'asIs', deterministic: false, strict: false,
  impl: () => Math.random(),
  specialize: (args, lits) => {
    if (args.length === 0) return undefined;
    if (typeof lits[0] !== 'number') return undefined;
    const r = new JavaRandom(lits[0]);
    return () => r.nextDouble();
  },
});
defineFunction({
  name: 'RAND_INTEGER', params: [F.integral, F.integral], min: 1, result: T.int(false), nullable: 'asIs', deterministic: false, strict: false,
  impl: (a: number | null, b?: number | null) => {
    const bound = b === undefined ? a : b;
    if (bound === null) return null;
    if (bound <= 0) throw new ExprError('FUNCTION_ARGUMENT', 'RAND_INTEGER bound must be positive');
    return Math.floor(Math.random() * bound);
  },
  specialize: (args, lits) => {
    if (args.length !== 2 || typeof lits[0] !== 'number') return undefined;
    const r = new JavaRandom(lits[0]);
    return (_s: number, bound: number | null) => (bound === null ? null : r.nextInt(bound));
  },
});

// --- BIN / HEX / UNHEX ---------------------------------------------------------------------------------------------

const toUnsigned64 = (x: number): bigint => BigInt.asUintN(64, BigInt(Math.trunc(x)));
defineFunction({ name: 'BIN', params: [F.integral], result: T.string(), impl: (x: number) => toUnsigned64(x).toString(2) });
defineFunction({
  name: 'HEX', params: [F.numericOrString], result: T.string(),
  impl: (x: number | string) => {
    if (typeof x === 'number') return toUnsigned64(x).toString(16).toUpperCase();
    let s = '';
    const b = new TextEncoder().encode(x);
    for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
    return s.toUpperCase();
  },
});
defineFunction({
  name: 'UNHEX', params: [F.string], result: T.bytes(), nullable: 'always',
  impl: (s: string) => {
    const h = s.length % 2 === 1 ? '0' + s : s;
    if (!/^[0-9a-fA-F]*$/.test(h)) return null;
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
    return out;
  },
});
