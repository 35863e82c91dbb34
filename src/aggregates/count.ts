/**
 * COUNT(*), COUNT(x) and COUNT(x, y, ...): the number of rows (for COUNT(*)) or of rows whose arguments are all
 * non-null. Result BIGINT NOT NULL; 0 for no rows. Accumulator: a plain number (can go negative on unmatched
 * retractions, as Flink's does).
 */
import type { Value } from '../common/row.js';
import { T, type SqlType } from '../common/types.js';
import type { AggFunction } from './agg-function.js';

/** COUNT(*): counts every row, whatever the (absent) argument. */
export class CountStar implements AggFunction<number> {
  readonly name = 'COUNT';
  readonly resultType: SqlType = T.bigint(false);
  readonly retractable = true;
  create(): number { return 0; }
  add(acc: number, _v: Value): number { return acc + 1; }
  retract(acc: number, _v: Value): number { return acc - 1; }
  merge(acc: number, other: number): number { return acc + other; }
  result(acc: number): Value { return acc; }
}

/** COUNT(x): counts non-null values. */
export class Count implements AggFunction<number> {
  readonly name = 'COUNT';
  readonly resultType: SqlType = T.bigint(false);
  readonly retractable = true;
  create(): number { return 0; }
  add(acc: number, v: Value): number { return v === null ? acc : acc + 1; }
  retract(acc: number, v: Value): number { return v === null ? acc : acc - 1; }
  merge(acc: number, other: number): number { return acc + other; }
  result(acc: number): Value { return acc; }
}

/** COUNT(x, y, ...): the value is the argument array; counts rows where no argument is null. */
export class CountMulti implements AggFunction<number> {
  readonly name = 'COUNT';
  readonly resultType: SqlType = T.bigint(false);
  readonly retractable = true;
  create(): number { return 0; }
  add(acc: number, v: Value): number { return allNonNull(v) ? acc + 1 : acc; }
  retract(acc: number, v: Value): number { return allNonNull(v) ? acc - 1 : acc; }
  merge(acc: number, other: number): number { return acc + other; }
  result(acc: number): Value { return acc; }
}

function allNonNull(v: Value): boolean {
  if (v === null) return false;
  const a = v as Value[];
  for (let i = 0; i < a.length; i++) if (a[i] === null) return false;
  return true;
}
