/**
 * FIRST_VALUE(x) and LAST_VALUE(x): the earliest / latest value in arrival order. Nulls are ignored by default, as
 * in Flink (its accumulate(acc, value) skips nulls; RESPECT NULLS keeps them).
 *
 * Append-only variant (insert-only input): accumulator [set, value], O(1).
 *
 * With retraction, Flink's First/LastValueWithRetract keep every value with its arrival order; retracting a value
 * removes its earliest remaining occurrence and the result becomes the earliest / latest remaining value. Here the
 * accumulator is [values, live, head, dead, index]:
 *   values/live  arrival-ordered values and 1/0 liveness flags (tombstones for retracted entries);
 *   head         index of the first entry that may be live (entries before it are all dead);
 *   dead         number of tombstones between head and the end (the tail is trimmed eagerly, so the last entry is
 *                always live and the first live entry is at head);
 *   index        Map value-key -> ascending positions of that value's live entries.
 * add is O(1); retract is O(1) amortised (tombstones are compacted once they are half of the entries).
 *
 * Merge (window slices, tiles): `acc` is the earlier slice, so FIRST keeps acc's value when it has one and LAST takes
 * other's when it has one; the retract variant appends other's live entries after acc's.
 */
import type { Value } from '../common/row.js';
import type { SqlType } from '../common/types.js';
import type { AggFunction } from './agg-function.js';
import { keyOf, type ValueKey } from './value-key.js';

export type FirstLastAppendAcc = [set: 0 | 1, value: Value];
export type FirstLastRetractAcc = [values: Value[], live: number[], head: number, dead: number, index: Map<ValueKey, number[]>];

export class FirstValueAppend implements AggFunction<FirstLastAppendAcc> {
  readonly name = 'FIRST_VALUE';
  readonly retractable = false;
  constructor(readonly resultType: SqlType, private readonly ignoreNulls: boolean) {}
  create(): FirstLastAppendAcc { return [0, null]; }
  add(acc: FirstLastAppendAcc, v: Value): FirstLastAppendAcc {
    if (acc[0] === 0 && (v !== null || !this.ignoreNulls)) { acc[0] = 1; acc[1] = v; }
    return acc;
  }
  retract(_acc: FirstLastAppendAcc, _v: Value): FirstLastAppendAcc {
    throw new Error('internal: FIRST_VALUE was planned for insert-only input but received a retraction');
  }
  merge(acc: FirstLastAppendAcc, other: FirstLastAppendAcc): FirstLastAppendAcc {
    if (acc[0] === 0 && other[0] === 1) { acc[0] = 1; acc[1] = other[1]; }
    return acc;
  }
  result(acc: FirstLastAppendAcc): Value { return acc[1]; }
}

export class LastValueAppend implements AggFunction<FirstLastAppendAcc> {
  readonly name = 'LAST_VALUE';
  readonly retractable = false;
  constructor(readonly resultType: SqlType, private readonly ignoreNulls: boolean) {}
  create(): FirstLastAppendAcc { return [0, null]; }
  add(acc: FirstLastAppendAcc, v: Value): FirstLastAppendAcc {
    if (v !== null || !this.ignoreNulls) { acc[0] = 1; acc[1] = v; }
    return acc;
  }
  retract(_acc: FirstLastAppendAcc, _v: Value): FirstLastAppendAcc {
    throw new Error('internal: LAST_VALUE was planned for insert-only input but received a retraction');
  }
  merge(acc: FirstLastAppendAcc, other: FirstLastAppendAcc): FirstLastAppendAcc {
    if (other[0] === 1) { acc[0] = 1; acc[1] = other[1]; }
    return acc;
  }
  result(acc: FirstLastAppendAcc): Value { return acc[1]; }
}

/** Below this many dead slots (before head or tombstoned) the arrays are never compacted. */
const COMPACT_MIN = 32;

export class FirstLastValueRetract implements AggFunction<FirstLastRetractAcc> {
  readonly retractable = true;
  readonly name: string;
  constructor(private readonly last: boolean, readonly resultType: SqlType, private readonly ignoreNulls: boolean) {
    this.name = last ? 'LAST_VALUE' : 'FIRST_VALUE';
  }
  create(): FirstLastRetractAcc { return [[], [], 0, 0, new Map()]; }
  add(acc: FirstLastRetractAcc, v: Value): FirstLastRetractAcc {
    if (v === null && this.ignoreNulls) return acc;
    const values = acc[0];
    const pos = values.length;
    values.push(v);
    acc[1].push(1);
    const k = keyOf(v);
    const list = acc[4].get(k);
    if (list === undefined) acc[4].set(k, [pos]);
    else list.push(pos);
    return acc;
  }
  retract(acc: FirstLastRetractAcc, v: Value): FirstLastRetractAcc {
    if (v === null && this.ignoreNulls) return acc;
    const k = keyOf(v);
    const index = acc[4];
    const list = index.get(k);
    if (list === undefined) return acc; // unmatched retraction: ignored, as in Flink
    const pos = list.shift()!;
    if (list.length === 0) index.delete(k);
    const values = acc[0], live = acc[1];
    live[pos] = 0;
    values[pos] = null; // release the value
    acc[3]++;
    // Keep the invariants: the last entry is live, the entry at head is live.
    while (values.length > acc[2] && live[values.length - 1] === 0) { values.pop(); live.pop(); acc[3]--; }
    while (acc[2] < values.length && live[acc[2]] === 0) { acc[2]++; acc[3]--; }
    if (acc[2] === values.length) { values.length = 0; live.length = 0; acc[2] = 0; acc[3] = 0; return acc; }
    const waste = acc[2] + acc[3];
    if (waste > COMPACT_MIN && waste * 2 > values.length) compact(acc);
    return acc;
  }
  merge(acc: FirstLastRetractAcc, other: FirstLastRetractAcc): FirstLastRetractAcc {
    const values = other[0], live = other[1];
    for (let i = other[2]; i < values.length; i++) if (live[i] === 1) this.add(acc, values[i]);
    return acc;
  }
  result(acc: FirstLastRetractAcc): Value {
    const values = acc[0];
    if (values.length === acc[2]) return null;
    return this.last ? values[values.length - 1] : values[acc[2]];
  }
}

/** Drops dead entries and renumbers the index; order of live entries (and of each key's positions) is kept. */
function compact(acc: FirstLastRetractAcc): void {
  const values = acc[0], live = acc[1];
  const nv: Value[] = [];
  const index = new Map<ValueKey, number[]>();
  for (let i = acc[2]; i < values.length; i++) {
    if (live[i] !== 1) continue;
    const v = values[i];
    const k = keyOf(v);
    const list = index.get(k);
    if (list === undefined) index.set(k, [nv.length]);
    else list.push(nv.length);
    nv.push(v);
  }
  acc[0] = nv;
  acc[1] = new Array<number>(nv.length).fill(1);
  acc[2] = 0;
  acc[3] = 0;
  acc[4] = index;
}
