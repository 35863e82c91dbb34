/**
 * Test support for the aggregation algebra: a seeded PRNG, value generators per SQL type, naive oracles written
 * independently of the implementations (BigInt for DECIMAL, plain folds for the rest), and drivers that apply
 * random add/retract interleavings while keeping the naive state (the remaining values in arrival order, a retraction
 * removing the earliest equal value) in step.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Value } from '../../src/common/row.js';
import type { AggFunction } from '../../src/aggregates/agg-function.js';

import { mulberry32 } from '../support/random-events.js';
export { mulberry32 };

export class Rng {
  readonly next: () => number;
  constructor(seed: number) { this.next = mulberry32(seed); }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
}

export type Gen = (r: Rng) => Value;

export const STRINGS = ['', 'a', 'b', 'ab', 'ba', 'Z', 'é', '\u{1F600}', '\uFFFF', '\u0000x', 'a,b'];

export const gens = {
  tinyint: (r: Rng) => r.int(-128, 127),
  smallint: (r: Rng) => (r.chance(0.5) ? r.int(-40, 40) : r.int(-32768, 32767)),
  int: (r: Rng) => (r.chance(0.7) ? r.int(-50, 50) : r.int(-2147483648, 2147483647)),
  smallInt: (r: Rng) => r.int(-20, 20),
  bigint: (r: Rng) => r.int(-1_000_000, 1_000_000),
  /** Multiples of 1/4: sums stay exact in FLOAT and DOUBLE, so retraction and merge laws hold exactly. */
  dyadic: (r: Rng) => r.int(-400, 400) / 4,
  decimal2: (r: Rng) => r.int(-99999, 99999) / 100,
  decimal3: (r: Rng) => r.int(-9999, 9999) / 1000,
  string: (r: Rng) => r.pick(STRINGS),
  boolean: (r: Rng) => r.chance(0.5),
  date: (r: Rng) => r.int(-1000, 30000),
  timestamp: (r: Rng) => r.int(0, 2_000_000_000) * 1000,
  bytes: (r: Rng) => Uint8Array.from({ length: r.int(0, 3) }, () => r.pick([0, 1, 127, 128, 255])),
  row: (r: Rng) => [r.int(0, 3), r.pick(['x', 'y'])],
};

/** Wraps a generator so that a share of its values are NULL. */
export function withNulls(g: Gen, p = 0.15): Gen {
  return (r) => (r.chance(p) ? null : g(r));
}

export function build<A>(fn: AggFunction<A>, xs: readonly Value[]): A {
  let acc = fn.create();
  for (const x of xs) acc = fn.add(acc, x);
  return acc;
}

export function valEq(a: Value, b: Value): boolean {
  return isDeepStrictEqual(a, b);
}

/** Removes the earliest value equal to v from the list (the naive model of a retraction). */
export function removeEarliest(list: Value[], v: Value): void {
  const i = list.findIndex((x) => valEq(x, v));
  if (i < 0) throw new Error('test bug: retracting a value that is not present');
  list.splice(i, 1);
}

export interface Run<A> { acc: A; remaining: Value[] }

/**
 * Random interleaving of adds and retractions (a retraction always names a present value). Calls `check` after
 * every step with the accumulator and the remaining values in arrival order. With `drain`, ends by retracting
 * every remaining value in random order.
 */
export function randomRun<A>(
  fn: AggFunction<A>, gen: Gen, r: Rng, steps: number, drain: boolean,
  check?: (acc: A, remaining: Value[]) => void,
): Run<A> {
  let acc = fn.create();
  const remaining: Value[] = [];
  for (let i = 0; i < steps; i++) {
    if (remaining.length > 0 && r.chance(0.4)) {
      const v = r.pick(remaining);
      acc = fn.retract(acc, v);
      removeEarliest(remaining, v);
    } else {
      const v = remaining.length > 0 && r.chance(0.3) ? r.pick(remaining) : gen(r);
      acc = fn.add(acc, v);
      remaining.push(v);
    }
    check?.(acc, remaining);
  }
  if (drain) {
    while (remaining.length > 0) {
      const v = r.pick(remaining);
      acc = fn.retract(acc, v);
      removeEarliest(remaining, v);
      check?.(acc, remaining);
    }
  }
  return { acc, remaining };
}

// ---------------------------------------------------------------------------------------------------------------
// Naive oracles
// ---------------------------------------------------------------------------------------------------------------

const nonNull = (xs: readonly Value[]): Value[] => xs.filter((x) => x !== null);

export function naiveCount(xs: readonly Value[]): number { return nonNull(xs).length; }

/** Two's-complement wrap by BigInt, independent of the implementation's bit tricks. */
function wrapBig(v: bigint, bits: number): number {
  return Number(BigInt.asIntN(bits, v));
}

const BITS: Record<string, number> = { TINYINT: 8, SMALLINT: 16, INT: 32 };

export function naiveSum(kind: string, xs: readonly Value[], scale = 0): Value {
  const v = nonNull(xs) as number[];
  if (v.length === 0) return null;
  if (kind in BITS) return wrapBig(v.reduce((s, x) => s + BigInt(x), 0n), BITS[kind]!);
  if (kind === 'DECIMAL') return Number(v.reduce((s, x) => s + scaled(x, scale), 0n)) / 10 ** scale;
  if (kind === 'FLOAT') return v.reduce((s, x) => Math.fround(s + x), 0);
  return v.reduce((s, x) => s + x, 0);
}

export function scaled(x: number, scale: number): bigint {
  return BigInt(Math.round(x * 10 ** scale));
}

/** round-half-up(n / d) on BigInts, d > 0. */
export function bigDivHalfUp(n: bigint, d: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let q = a / d;
  if ((a % d) * 2n >= d) q += 1n;
  return neg ? -q : q;
}

export function naiveAvg(kind: string, xs: readonly Value[], scale = 0, resultScale = 0): Value {
  const v = nonNull(xs) as number[];
  if (v.length === 0) return null;
  const n = v.length;
  if (kind in BITS || kind === 'BIGINT') {
    const s = v.reduce((a, x) => a + BigInt(x), 0n);
    return Number(s / BigInt(n)); // BigInt division truncates toward zero, like Java's
  }
  if (kind === 'DECIMAL') {
    const s = v.reduce((a, x) => a + scaled(x, scale), 0n) * 10n ** BigInt(resultScale - scale);
    return Number(bigDivHalfUp(s, BigInt(n))) / 10 ** resultScale;
  }
  const s = v.reduce((a, x) => a + x, 0);
  return kind === 'FLOAT' ? Math.fround(s / n) : s / n;
}

export function naiveMinMax(isMax: boolean, xs: readonly Value[], cmp: (a: Value, b: Value) => number): Value {
  const v = nonNull(xs);
  if (v.length === 0) return null;
  return v.reduce((best, x) => ((isMax ? cmp(x, best) > 0 : cmp(x, best) < 0) ? x : best));
}

export function cmpDefault(a: Value, b: Value): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/**
 * Sum-of-squares variance as Calcite's rewrite types it, for INT-like kinds (BigInt wrap-around) and for DOUBLE
 * values whose sums are exact.
 */
export function naiveVarianceSumSquares(kind: string, which: string, xs: readonly Value[]): Value {
  const v = nonNull(xs) as number[];
  const n = v.length;
  if (n === 0) return null;
  const biased = which.endsWith('_POP');
  const den = biased ? n : n - 1;
  if (den === 0) return null;
  const sqrt = which.startsWith('STDDEV');
  if (kind in BITS || kind === 'BIGINT') {
    const bits = BITS[kind] ?? 64;
    const w = (x: bigint) => BigInt.asIntN(bits, x);
    const sumSq = v.reduce((a, x) => w(a + w(BigInt(x) * BigInt(x))), 0n);
    const sum = v.reduce((a, x) => w(a + BigInt(x)), 0n);
    const avg = w(sum * sum) / BigInt(n);
    const q = (sumSq - avg) / BigInt(den);
    if (!sqrt) return wrapBig(q, bits);
    const d = Math.pow(Number(q), 0.5);
    if (Number.isNaN(d)) return 0;
    return wrapBig(BigInt(Math.trunc(Math.max(-2147483648, Math.min(2147483647, d)))), bits);
  }
  const sumSq = v.reduce((a, x) => a + x * x, 0);
  const sum = v.reduce((a, x) => a + x, 0);
  const q = (sumSq - sum * sum / n) / den;
  return sqrt ? Math.pow(q, 0.5) : q;
}

/** DECIMAL(p, s <= 3) variance by Calcite's rewrite; every intermediate scale is 6 then, computed exactly in BigInt. */
export function naiveDecimalVariance(which: string, xs: readonly Value[], scale: number): Value {
  const v = nonNull(xs) as number[];
  const n = BigInt(v.length);
  if (n === 0n) return null;
  const biased = which.endsWith('_POP');
  const den = biased ? n : n - 1n;
  if (den === 0n) return null;
  const up = (x: bigint, from: number) => x * 10n ** BigInt(6 - from); // exact rescale to scale 6
  const X = v.map((x) => scaled(x, scale));
  const sumSq = X.reduce((a, x) => a + up(x * x, 2 * scale), 0n);
  const sum = X.reduce((a, x) => a + x, 0n);
  const ss = up(sum * sum, 2 * scale);
  const avg = bigDivHalfUp(ss, n);
  const q = bigDivHalfUp(sumSq - avg, den);
  const qv = Number(q) / 1e6;
  if (!which.startsWith('STDDEV')) return qv;
  const d = Math.pow(qv, 0.5);
  return Number.isNaN(d) ? d : Math.round(d * 1e6) / 1e6;
}

/** Welford's M2 over the values in order, then Flink's rewrite in DOUBLE. */
export function naiveWelford(which: string, xs: readonly Value[]): Value {
  const v = nonNull(xs) as number[];
  const n = v.length;
  if (n === 0) return null;
  const den = which.endsWith('_POP') ? n : n - 1;
  if (den === 0) return null;
  let mean = 0, m2 = 0;
  v.forEach((x, i) => { const d = x - mean; mean += d / (i + 1); m2 += d * (x - mean); });
  if (m2 < 0) return null;
  const q = m2 / den;
  return which.startsWith('STDDEV') ? Math.pow(q, 0.5) : q;
}

export function approxEq(a: Value, b: Value, rel = 1e-9): boolean {
  if (a === null || b === null) return a === b;
  const x = a as number, y = b as number;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  return Math.abs(x - y) <= rel * Math.max(1, Math.abs(x), Math.abs(y));
}

/** FNV-1a of a label: a stable seed per test case. */
export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** JSON text of a value for assertion messages (bytes and non-finite numbers readable). */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `bytes[${[...x].join(',')}]` : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}
