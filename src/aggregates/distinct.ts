/**
 * f(DISTINCT x) for any aggregate f: a multiset of the distinct values wrapped around f's accumulator, forwarding
 * only a value's first occurrence (add) and the removal of its last copy (retract) to f. As Flink's distinct
 * aggregation, which keeps a MapView value -> count beside the aggregate's accumulator.
 *
 * Accumulator: [inner, counts, values]
 *   inner   f's accumulator, holding exactly the values whose count is positive;
 *   counts  Map value-key -> multiplicity (keys from ./value-key.ts, so arrays/rows/bytes compare by value; may go
 *           negative on unmatched retractions, in which case the value is not in inner);
 *   values  Map value-key -> value for values that cannot be recovered from their key (composite values), or null.
 * Merge adds the counts and forwards to f the values that become present (in other's insertion order after acc's,
 * which is the order of first occurrence) and retracts from f those that cancel out; this needs no f.merge, so it is
 * correct for every f. When f cannot retract (an insert-only variant), f's accumulator is rebuilt from the map.
 */
import type { Value } from '../common/row.js';
import type { SqlType } from '../common/types.js';
import type { AggFunction } from './agg-function.js';
import { keyIsNotValue, keyOf, type ValueKey } from './value-key.js';

export type DistinctAcc<A = unknown> = [inner: A, counts: Map<ValueKey, number>, values: Map<ValueKey, Value> | null];

export class DistinctAgg<A> implements AggFunction<DistinctAcc<A>> {
  readonly name: string;
  readonly resultType: SqlType;
  readonly retractable = true;
  constructor(readonly inner: AggFunction<A>) {
    this.name = inner.name;
    this.resultType = inner.resultType;
  }
  create(): DistinctAcc<A> { return [this.inner.create(), new Map(), null]; }

  add(acc: DistinctAcc<A>, v: Value): DistinctAcc<A> {
    const k = keyOf(v);
    const counts = acc[1];
    const n = (counts.get(k) ?? 0) + 1;
    if (n === 0) { counts.delete(k); return acc; }
    counts.set(k, n);
    if (n === 1) {
      if (keyIsNotValue(v)) (acc[2] ??= new Map()).set(k, v);
      acc[0] = this.inner.add(acc[0], v);
    }
    return acc;
  }

  retract(acc: DistinctAcc<A>, v: Value): DistinctAcc<A> {
    const k = keyOf(v);
    const counts = acc[1];
    const n = (counts.get(k) ?? 0) - 1;
    if (n !== 0) { counts.set(k, n); return acc; }
    counts.delete(k);
    const stored = acc[2]?.get(k);
    if (stored !== undefined) acc[2]!.delete(k);
    if (this.inner.retractable) acc[0] = this.inner.retract(acc[0], stored !== undefined ? stored : v);
    else this.rebuild(acc);
    return acc;
  }

  merge(acc: DistinctAcc<A>, other: DistinctAcc<A>): DistinctAcc<A> {
    const counts = acc[1];
    let needRebuild = false;
    for (const [k, c] of other[1]) {
      const before = counts.get(k) ?? 0;
      const n = before + c;
      if (n === 0) counts.delete(k);
      else counts.set(k, n);
      const value = other[2]?.get(k) ?? acc[2]?.get(k) ?? (k as Value);
      if (before <= 0 && n > 0) {
        if (keyIsNotValue(value)) (acc[2] ??= new Map()).set(k, value);
        acc[0] = this.inner.add(acc[0], value);
      } else if (before > 0 && n <= 0) {
        if (this.inner.retractable) acc[0] = this.inner.retract(acc[0], value);
        else needRebuild = true;
        if (n === 0) acc[2]?.delete(k);
      } else if (n > 0 && keyIsNotValue(value) && !(acc[2]?.has(k))) {
        (acc[2] ??= new Map()).set(k, value);
      }
    }
    if (needRebuild) this.rebuild(acc);
    return acc;
  }

  result(acc: DistinctAcc<A>): Value { return this.inner.result(acc[0]); }

  /** Re-derives the inner accumulator from the distinct values, in the map's (first-occurrence) order. */
  private rebuild(acc: DistinctAcc<A>): void {
    let inner = this.inner.create();
    for (const [k, c] of acc[1]) {
      if (c <= 0) continue;
      const stored = acc[2]?.get(k);
      inner = this.inner.add(inner, stored !== undefined ? stored : (k as Value));
    }
    acc[0] = inner;
  }
}
