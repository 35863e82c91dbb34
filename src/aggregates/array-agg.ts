/**
 * ARRAY_AGG(x [RESPECT NULLS | IGNORE NULLS]): the values of x in arrival order as an ARRAY, NULL (not an empty
 * array) when there are none. Nulls are kept unless IGNORE NULLS (Flink passes Calcite's ignoreNulls flag, false by
 * default). Retraction removes the first equal element; merge concatenates (acc first). As Flink's ArrayAggFunction.
 *
 * Accumulator: [list, pending] (see ./list-acc.ts). result() returns a fresh array, never the accumulator's.
 */
import type { Value } from '../common/row.js';
import type { SqlType } from '../common/types.js';
import type { AggFunction } from './agg-function.js';
import { createListAcc, listMerge, listRetract, type ListAcc } from './list-acc.js';

export class ArrayAgg implements AggFunction<ListAcc> {
  readonly name = 'ARRAY_AGG';
  readonly retractable = true;
  constructor(readonly resultType: SqlType, private readonly ignoreNulls: boolean) {}
  create(): ListAcc { return createListAcc(); }
  add(acc: ListAcc, v: Value): ListAcc {
    if (v !== null || !this.ignoreNulls) acc[0].push(v);
    return acc;
  }
  retract(acc: ListAcc, v: Value): ListAcc {
    if (v !== null || !this.ignoreNulls) listRetract(acc, v);
    return acc;
  }
  merge(acc: ListAcc, other: ListAcc): ListAcc {
    listMerge(acc, other);
    return acc;
  }
  result(acc: ListAcc): Value {
    return acc[0].length === 0 ? null : acc[0].slice();
  }
}
