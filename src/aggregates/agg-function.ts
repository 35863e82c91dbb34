/**
 * The aggregation algebra shared by the streaming engine, batch (backfill/checking), serving (tile merge) and the
 * Flink template job. One definition per aggregate so that online and offline results cannot diverge.
 *
 * Algebra (Chronon / Flink AggregateFunction style):
 *   create()            -> empty accumulator
 *   add(acc, v)         -> acc after accumulating one input value (v is the argument value; [a, b] for 2-arg aggs)
 *   retract(acc, v)     -> acc after removing one previously added value (only when `retractable`)
 *   merge(acc, other)   -> acc combining two partial accumulators (slices/tiles); `other` is not modified
 *   result(acc)         -> final SQL value (null for "no rows" where SQL says so)
 *
 * Accumulators are plain data (numbers, arrays, plain objects, Maps) so that checkpoints can serialise them with
 * structured clone, and they may be mutated in place: callers always store the returned value.
 * Laws (tested against a naive oracle): result(add*(create(), xs)) == naive(xs);
 *   result(merge(add*(create(), a), add*(create(), b))) == naive(a ++ b);
 *   retract undoes add: result(retract(add(add*(create(), xs), y), y)) == naive(xs).
 */
import type { SqlType } from '../common/types.js';
import type { Value } from '../common/row.js';

export interface AggFunction<A = any> {
  readonly name: string;
  readonly resultType: SqlType;
  /** Group aggregates can retract; monoid-only aggregates (e.g. some sketches) cannot. */
  readonly retractable: boolean;
  create(): A;
  add(acc: A, v: Value): A;
  retract(acc: A, v: Value): A;
  merge(acc: A, other: A): A;
  result(acc: A): Value;
}

/** What the binder asks the registry. `argTypes` empty for COUNT(*). */
export interface AggCall {
  name: string;          // upper-case SQL name, e.g. 'COUNT', 'SUM', 'LISTAGG'
  argTypes: SqlType[];
  distinct: boolean;
  /** Literal values of constant arguments when known (e.g. LISTAGG's separator), else undefined. */
  literalArgs?: (Value | undefined)[];
  /**
   * Whether the aggregate may see retractions (Flink's `needRetraction`). Default true. When false (insert-only
   * input) MIN/MAX/FIRST_VALUE/LAST_VALUE resolve to O(1) append-only variants whose `retractable` is false.
   */
  needRetraction?: boolean;
  /**
   * True when the aggregate has grouping keys (GROUP BY keys or a window), so an empty group is never emitted.
   * Calcite/Flink make SUM/AVG/MIN/MAX/... results nullable when it is false or when a FILTER clause is present.
   * Default false (the conservative, nullable answer).
   */
  grouped?: boolean;
  /** True when the call has a FILTER (WHERE ...) clause. */
  hasFilter?: boolean;
  /** IGNORE NULLS (true) / RESPECT NULLS (false) when written; undefined uses the function's Flink default. */
  ignoreNulls?: boolean;
}

export type AggResolution =
  | { ok: true; resultType: SqlType; create: () => AggFunction }
  | { ok: false; message: string; hint?: string };
