/**
 * SUM and $SUM0 (Calcite's internal "sum, zero when empty", produced by Flink's planner rewrites).
 *
 * Flink semantics: the sum is kept in the result type, so TINYINT/SMALLINT/INT sums wrap around like Java
 * arithmetic, FLOAT sums round to float after each step, and DECIMAL(p, s) sums are exact in DECIMAL(38, s).
 * SUM is NULL when no non-null value remains (Flink's SumWithRetract tracks a count for this); $SUM0 is 0.
 *
 * Accumulator: [sum, count] (mutated in place). For DECIMAL the sum is an integer scaled by 10^s, exact while it is a
 * safe integer, so that adding and retracting decimals never drifts.
 */
import type { Value } from '../common/row.js';
import type { SqlType, TypeKind } from '../common/types.js';
import type { AggFunction } from './agg-function.js';
import { pow10, toScaled, wrapIntegral } from './numeric.js';

export type SumAcc = [sum: number, count: number];

abstract class SumBase implements AggFunction<SumAcc> {
  abstract readonly name: string;
  readonly retractable = true;
  constructor(readonly resultType: SqlType, protected readonly zeroWhenEmpty: boolean) {}
  create(): SumAcc { return [0, 0]; }
  protected abstract plus(a: number, b: number): number;
  protected abstract minus(a: number, b: number): number;
  protected abstract toAcc(v: number): number;
  protected abstract fromAcc(sum: number): number;
  add(acc: SumAcc, v: Value): SumAcc {
    if (v === null) return acc;
    acc[0] = this.plus(acc[0], this.toAcc(v as number));
    acc[1]++;
    return acc;
  }
  retract(acc: SumAcc, v: Value): SumAcc {
    if (v === null) return acc;
    acc[0] = this.minus(acc[0], this.toAcc(v as number));
    acc[1]--;
    return acc;
  }
  merge(acc: SumAcc, other: SumAcc): SumAcc {
    acc[0] = this.plus(acc[0], other[0]);
    acc[1] += other[1];
    return acc;
  }
  result(acc: SumAcc): Value {
    if (acc[1] === 0) return this.zeroWhenEmpty ? 0 : null;
    return this.fromAcc(acc[0]);
  }
}

/** TINYINT/SMALLINT/INT/BIGINT: wraps in the type's width. */
export class IntegralSum extends SumBase {
  private readonly kind: TypeKind;
  constructor(readonly name: string, resultType: SqlType, zeroWhenEmpty: boolean) {
    super(resultType, zeroWhenEmpty);
    this.kind = resultType.kind;
  }
  protected plus(a: number, b: number): number { return wrapIntegral(this.kind, a + b); }
  protected minus(a: number, b: number): number { return wrapIntegral(this.kind, a - b); }
  protected toAcc(v: number): number { return v; }
  protected fromAcc(sum: number): number { return sum; }
}

/** FLOAT: every step rounded to single precision, as Java float arithmetic does. */
export class FloatSum extends SumBase {
  constructor(readonly name: string, resultType: SqlType, zeroWhenEmpty: boolean) { super(resultType, zeroWhenEmpty); }
  protected plus(a: number, b: number): number { return Math.fround(a + b); }
  protected minus(a: number, b: number): number { return Math.fround(a - b); }
  protected toAcc(v: number): number { return v; }
  protected fromAcc(sum: number): number { return sum; }
}

/** DOUBLE. */
export class DoubleSum extends SumBase {
  constructor(readonly name: string, resultType: SqlType, zeroWhenEmpty: boolean) { super(resultType, zeroWhenEmpty); }
  protected plus(a: number, b: number): number { return a + b; }
  protected minus(a: number, b: number): number { return a - b; }
  protected toAcc(v: number): number { return v; }
  protected fromAcc(sum: number): number { return sum; }
}

/** DECIMAL(p, s) -> DECIMAL(38, s); the accumulator holds sum * 10^s as an integer. */
export class DecimalSum extends SumBase {
  private readonly factor: number;
  constructor(readonly name: string, resultType: SqlType, zeroWhenEmpty: boolean, private readonly scale: number) {
    super(resultType, zeroWhenEmpty);
    this.factor = pow10(scale);
  }
  protected plus(a: number, b: number): number { return a + b; }
  protected minus(a: number, b: number): number { return a - b; }
  protected toAcc(v: number): number { return toScaled(v, this.scale); }
  protected fromAcc(sum: number): number { return sum / this.factor; }
}
