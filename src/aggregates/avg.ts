/**
 * AVG, as Flink's AvgAggFunction computes it: sum / count with
 *   - TINYINT/SMALLINT/INT/BIGINT: the sum kept as BIGINT, integer division truncating toward zero, the quotient
 *     cast back to the argument type (AVG of INT is INT);
 *   - FLOAT: the sum kept as DOUBLE, the quotient rounded to FLOAT; DOUBLE: plain;
 *   - DECIMAL(p, s): the sum kept exact in DECIMAL(38, s), divided HALF_UP into DECIMAL(38, max(6, s)).
 * NULL when no non-null value remains.
 *
 * Accumulator: [sum, count] (mutated in place); for DECIMAL the sum is an integer scaled by 10^s.
 */
import type { Value } from '../common/row.js';
import type { SqlType, TypeKind } from '../common/types.js';
import type { AggFunction } from './agg-function.js';
import { divideHalfUp, pow10, toScaled, wrapIntegral } from './numeric.js';

export type AvgAcc = [sum: number, count: number];

abstract class AvgBase implements AggFunction<AvgAcc> {
  readonly name = 'AVG';
  readonly retractable = true;
  constructor(readonly resultType: SqlType) {}
  create(): AvgAcc { return [0, 0]; }
  protected toAcc(v: number): number { return v; }
  add(acc: AvgAcc, v: Value): AvgAcc {
    if (v === null) return acc;
    acc[0] += this.toAcc(v as number);
    acc[1]++;
    return acc;
  }
  retract(acc: AvgAcc, v: Value): AvgAcc {
    if (v === null) return acc;
    acc[0] -= this.toAcc(v as number);
    acc[1]--;
    return acc;
  }
  merge(acc: AvgAcc, other: AvgAcc): AvgAcc {
    acc[0] += other[0];
    acc[1] += other[1];
    return acc;
  }
  result(acc: AvgAcc): Value {
    return acc[1] === 0 ? null : this.quotient(acc[0], acc[1]);
  }
  protected abstract quotient(sum: number, count: number): number;
}

export class IntegralAvg extends AvgBase {
  private readonly kind: TypeKind;
  constructor(resultType: SqlType) { super(resultType); this.kind = resultType.kind; }
  protected quotient(sum: number, count: number): number { return wrapIntegral(this.kind, truncDiv(sum, count)); }
}

export class FloatAvg extends AvgBase {
  protected quotient(sum: number, count: number): number { return Math.fround(sum / count); }
}

export class DoubleAvg extends AvgBase {
  protected quotient(sum: number, count: number): number { return sum / count; }
}

export class DecimalAvg extends AvgBase {
  private readonly upScale: number;
  private readonly resultFactor: number;
  /** `argScale` s of the argument; the result type is DECIMAL(38, resultScale) with resultScale >= s. */
  constructor(resultType: SqlType, private readonly argScale: number) {
    super(resultType);
    const resultScale = resultType.scale ?? 0;
    this.upScale = pow10(resultScale - argScale);
    this.resultFactor = pow10(resultScale);
  }
  protected override toAcc(v: number): number { return toScaled(v, this.argScale); }
  protected quotient(sum: number, count: number): number {
    return divideHalfUp(sum * this.upScale, count) / this.resultFactor;
  }
}

/** Java long division: truncates toward zero; exact for safe integers. */
export function truncDiv(a: number, b: number): number {
  const q = Math.trunc(a / b);
  if (Math.abs(a) > Number.MAX_SAFE_INTEGER) return q;
  const r = a - q * b;
  // Correct a quotient that floating-point division rounded across an integer boundary.
  if (r !== 0 && Math.sign(r) !== Math.sign(a)) return q - Math.sign(a) * Math.sign(b);
  if (Math.abs(r) >= Math.abs(b)) return q + Math.sign(a) * Math.sign(b);
  return q;
}
