/**
 * VAR_POP, VAR_SAMP (VARIANCE), STDDEV_POP, STDDEV_SAMP (STDDEV).
 *
 * Flink has no runtime implementation of these: its planner rewrites them (AggregateReduceFunctionsRule) into
 * simpler aggregates and scalar arithmetic in the argument's types, so the result type R is the AVG type (the
 * argument type, or DECIMAL(38, max(6, s)) for DECIMAL(p, s)) and the arithmetic is Java's. Two rewrites exist:
 *
 *   'sum-of-squares' (Calcite's rule, used by Flink up to at least 2.1):
 *       var = (SUM(x*x) - SUM(x)*SUM(x) / COUNT(x)) / d          d = COUNT(x), or CASE COUNT(x) WHEN 1 THEN NULL
 *       stddev = POWER(var, 0.5)                                      ELSE COUNT(x) - 1 END for the _SAMP forms
 *     with every step typed as Calcite types it: x*x and SUM(x)*SUM(x) in R (INT wraps, FLOAT rounds), the divisions
 *     by COUNT in BIGINT (integer division truncates), DECIMAL steps rounded HALF_UP to Flink's derived scales, and
 *     the result CAST to R (so VAR_POP of INT is an INT, STDDEV of INT truncates the DOUBLE square root).
 *   'welford' (Flink's later rewrite to an internal WELFORD_M2 aggregate):
 *       var = M2(x) / d in DOUBLE, M2 by Welford's online algorithm, NULL when M2 < 0; then CAST to R.
 *
 * Which one a given Flink release uses is recorded in VARIANCE_ALGORITHM (not yet checked against a Flink 2.2 run); both are kept so
 * that results can match either.
 *
 * Accumulators: sum-of-squares [count, sum, sumOfSquares] (sum exact as sum*10^s for DECIMAL);
 * welford [n, mean, m2] (Flink's WelfordM2Accumulator, including its handling of negative n).
 */
import type { Value } from '../common/row.js';
import type { SqlType, TypeKind } from '../common/types.js';
import type { AggFunction } from './agg-function.js';
import {
  BIGINT_AS_DECIMAL, additionDecimal, divisionDecimal, doubleToIntegral, mulIntegral, multiplicationDecimal, pow10,
  roundHalfUp, toScaled, wrapIntegral, type DecimalPS,
} from './numeric.js';

export type VarianceKind = 'VAR_POP' | 'VAR_SAMP' | 'STDDEV_POP' | 'STDDEV_SAMP';
export type VarianceAlgorithm = 'sum-of-squares' | 'welford';

/** The rewrite Freshet reproduces by default. */
export const VARIANCE_ALGORITHM: VarianceAlgorithm = 'sum-of-squares';

export type SumSquaresAcc = [count: number, sum: number, sumSq: number];
export type WelfordAcc = [n: number, mean: number, m2: number];

type NumClass = 'integral' | 'float' | 'double' | 'decimal';

function numClass(t: SqlType): NumClass {
  switch (t.kind) {
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': return 'integral';
    case 'FLOAT': return 'float';
    case 'DECIMAL': return 'decimal';
    default: return 'double';
  }
}

/** Casts a DOUBLE to the result type R, as Flink's CAST does. */
function castDouble(cls: NumClass, kind: TypeKind, scale: number, d: number): number {
  switch (cls) {
    case 'integral': return doubleToIntegral(kind, d);
    case 'float': return Math.fround(d);
    case 'decimal': return roundHalfUp(d, scale);
    default: return d;
  }
}

export class SumSquaresVariance implements AggFunction<SumSquaresAcc> {
  readonly retractable = true;
  private readonly cls: NumClass;
  private readonly kind: TypeKind;
  private readonly biased: boolean;
  private readonly sqrt: boolean;
  // DECIMAL only: argument scale s, result scale S = max(6, s), and the scales Flink derives for each step.
  private readonly argScale: number;
  private readonly resScale: number;
  private readonly sqScale: number;
  private readonly avgScale: number;
  private readonly diffScale: number;
  private readonly varScale: number;

  constructor(readonly name: VarianceKind, readonly resultType: SqlType, argType: SqlType) {
    this.cls = numClass(resultType);
    this.kind = resultType.kind;
    this.biased = name === 'VAR_POP' || name === 'STDDEV_POP';
    this.sqrt = name === 'STDDEV_POP' || name === 'STDDEV_SAMP';
    this.argScale = argType.scale ?? 0;
    this.resScale = resultType.scale ?? 0;
    const r: DecimalPS = { precision: resultType.precision ?? 38, scale: this.resScale };
    const sq = multiplicationDecimal(r, r);                       // x*x and SUM(x)*SUM(x); SUM keeps the scale
    const avg = divisionDecimal({ precision: 38, scale: sq.scale }, BIGINT_AS_DECIMAL);
    const diff = additionDecimal({ precision: 38, scale: sq.scale }, avg);
    const v = divisionDecimal(diff, BIGINT_AS_DECIMAL);
    this.sqScale = sq.scale;
    this.avgScale = avg.scale;
    this.diffScale = diff.scale;
    this.varScale = v.scale;
  }

  create(): SumSquaresAcc { return [0, 0, 0]; }

  /** x*x in R. */
  private square(x: number): number {
    switch (this.cls) {
      case 'integral': return mulIntegral(this.kind, x, x);
      case 'float': return Math.fround(x * x);
      case 'decimal': return roundHalfUp(x * x, this.sqScale);
      default: return x * x;
    }
  }
  /** a + b (or a - b) in the SUM's type. */
  private plus(a: number, b: number): number {
    switch (this.cls) {
      case 'integral': return wrapIntegral(this.kind, a + b);
      case 'float': return Math.fround(a + b);
      case 'decimal': return roundHalfUp(a + b, this.sqScale);
      default: return a + b;
    }
  }
  /** SUM(x) keeps the argument type: for DECIMAL an exact integer scaled by 10^s. */
  private sumPlus(a: number, x: number): number {
    switch (this.cls) {
      case 'integral': return wrapIntegral(this.kind, a + x);
      case 'float': return Math.fround(a + x);
      case 'decimal': return a + x;
      default: return a + x;
    }
  }
  private toSum(x: number): number { return this.cls === 'decimal' ? toScaled(x, this.argScale) : x; }

  add(acc: SumSquaresAcc, v: Value): SumSquaresAcc {
    if (v === null) return acc;
    const x = v as number;
    acc[0]++;
    acc[1] = this.sumPlus(acc[1], this.toSum(x));
    acc[2] = this.plus(acc[2], this.square(x));
    return acc;
  }
  retract(acc: SumSquaresAcc, v: Value): SumSquaresAcc {
    if (v === null) return acc;
    const x = v as number;
    acc[0]--;
    acc[1] = this.sumPlus(acc[1], -this.toSum(x));
    acc[2] = this.plus(acc[2], -this.square(x));
    return acc;
  }
  merge(acc: SumSquaresAcc, other: SumSquaresAcc): SumSquaresAcc {
    acc[0] += other[0];
    acc[1] = this.sumPlus(acc[1], other[1]);
    acc[2] = this.plus(acc[2], other[2]);
    return acc;
  }

  result(acc: SumSquaresAcc): Value {
    const n = acc[0];
    if (n === 0) return null; // SUM(x) is NULL
    const den = this.biased ? n : n === 1 ? null : n - 1;
    if (den === null) return null;
    switch (this.cls) {
      case 'integral': {
        const s = acc[1];
        const avg = Math.trunc(mulIntegral(this.kind, s, s) / n);      // R / BIGINT -> BIGINT
        const q = Math.trunc((acc[2] - avg) / den);                      // BIGINT arithmetic
        return this.sqrt ? doubleToIntegral(this.kind, Math.pow(q, 0.5)) : wrapIntegral(this.kind, q);
      }
      case 'float': {
        const f = Math.fround;
        const s = acc[1];
        const avg = f(f(s * s) / f(n));                                  // FLOAT / BIGINT -> FLOAT
        const q = f(f(acc[2] - avg) / f(den));
        return this.sqrt ? f(Math.pow(q, 0.5)) : q;
      }
      case 'decimal': {
        const s = acc[1] / pow10(this.argScale);                         // SUM(x) cast to DECIMAL(38, S): exact
        const ss = roundHalfUp(s * s, this.sqScale);
        const avg = roundHalfUp(ss / n, this.avgScale);
        const diff = roundHalfUp(acc[2] - avg, this.diffScale);
        const q = roundHalfUp(diff / den, this.varScale);
        return roundHalfUp(this.sqrt ? Math.pow(q, 0.5) : q, this.resScale);
      }
      default: {
        const s = acc[1];
        const q = (acc[2] - s * s / n) / den;
        return this.sqrt ? Math.pow(q, 0.5) : q;
      }
    }
  }
}

export class WelfordVariance implements AggFunction<WelfordAcc> {
  readonly retractable = true;
  private readonly cls: NumClass;
  private readonly kind: TypeKind;
  private readonly biased: boolean;
  private readonly sqrt: boolean;
  private readonly resScale: number;

  constructor(readonly name: VarianceKind, readonly resultType: SqlType) {
    this.cls = numClass(resultType);
    this.kind = resultType.kind;
    this.biased = name === 'VAR_POP' || name === 'STDDEV_POP';
    this.sqrt = name === 'STDDEV_POP' || name === 'STDDEV_SAMP';
    this.resScale = resultType.scale ?? 0;
  }
  create(): WelfordAcc { return [0, 0, 0]; }
  add(acc: WelfordAcc, v: Value): WelfordAcc {
    if (v === null) return acc;
    acc[0] += 1;
    if (acc[0] <= 0) return acc; // keep counting, in step with the COUNT(x) beside it
    const x = v as number;
    const delta = x - acc[1];
    acc[1] += delta / acc[0];
    acc[2] += delta * (x - acc[1]);
    return acc;
  }
  retract(acc: WelfordAcc, v: Value): WelfordAcc {
    if (v === null) return acc;
    acc[0] -= 1;
    if (acc[0] <= 0) {
      if (acc[0] === 0) { acc[1] = 0; acc[2] = 0; }
      return acc;
    }
    const x = v as number;
    const delta2 = x - acc[1];
    acc[1] -= delta2 / acc[0];
    acc[2] -= (x - acc[1]) * delta2;
    return acc;
  }
  merge(acc: WelfordAcc, other: WelfordAcc): WelfordAcc {
    // Flink's WelfordM2AggFunction.merge for one `other`: an invalid (non-positive) count only adds to the count.
    if (other[0] <= 0) {
      acc[0] += other[0];
      if (acc[0] <= 0) { acc[1] = 0; acc[2] = 0; }
    } else if (acc[0] === 0) {
      acc[0] = other[0]; acc[1] = other[1]; acc[2] = other[2];
    } else {
      const n = acc[0] + other[0];
      const dMean = other[1] - acc[1];
      const mean = acc[1] + other[0] / n * dMean;
      acc[2] = acc[2] + other[2] + acc[0] * other[0] / n * dMean * dMean;
      acc[1] = mean;
      acc[0] = n;
      if (n <= 0) { acc[1] = 0; acc[2] = 0; }
    }
    return acc;
  }
  result(acc: WelfordAcc): Value {
    const n = acc[0];
    if (n <= 0 || acc[2] < 0) return null;
    const den = this.biased ? n : n === 1 ? null : n - 1;
    if (den === null) return null;
    const q = acc[2] / den;
    return castDouble(this.cls, this.kind, this.resScale, this.sqrt ? Math.pow(q, 0.5) : q);
  }
}
