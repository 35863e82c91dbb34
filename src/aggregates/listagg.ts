/**
 * LISTAGG(x [, separator]): the non-null values of x in arrival order joined by the separator (default ','),
 * NULL when there are none. Flink requires the separator to be a character literal, so it is fixed per call.
 * Retraction removes the first equal value (Flink's ListAggWithRetract); merge concatenates (acc first).
 *
 * Values: x itself, or the argument array [x, separator] for LISTAGG(x, separator) (a bare string is accepted there
 * too: the separator is the call's literal either way).
 * Accumulator: [list, pending] (see ./list-acc.ts).
 */
import type { Value } from '../common/row.js';
import type { SqlType } from '../common/types.js';
import type { AggFunction } from './agg-function.js';
import { createListAcc, listMerge, listRetract, type ListAcc } from './list-acc.js';

export const LISTAGG_DEFAULT_SEPARATOR = ',';

export class ListAgg implements AggFunction<ListAcc> {
  readonly name = 'LISTAGG';
  readonly retractable = true;
  constructor(readonly resultType: SqlType, private readonly separator: string, private readonly withSeparatorArg: boolean) {}
  create(): ListAcc { return createListAcc(); }
  add(acc: ListAcc, v: Value): ListAcc {
    const s = this.withSeparatorArg && Array.isArray(v) ? v[0] : v;
    if (s !== null) acc[0].push(s);
    return acc;
  }
  retract(acc: ListAcc, v: Value): ListAcc {
    const s = this.withSeparatorArg && Array.isArray(v) ? v[0] : v;
    if (s !== null) listRetract(acc, s);
    return acc;
  }
  merge(acc: ListAcc, other: ListAcc): ListAcc {
    listMerge(acc, other);
    return acc;
  }
  result(acc: ListAcc): Value {
    return acc[0].length === 0 ? null : acc[0].join(this.separator);
  }
}
