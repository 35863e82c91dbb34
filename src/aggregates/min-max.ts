/**
 * MIN and MAX over comparable types (numbers, DECIMAL, temporal values, strings, booleans, bytes).
 *
 * Two variants, chosen like Flink chooses MaxAggFunction vs MaxWithRetractAggFunction:
 *   - append-only (insert-only input): accumulator [extreme]; add and merge are O(1); cannot retract.
 *   - with retraction: accumulator [extreme, counts] where counts is a Map value-key -> multiplicity. add/merge are
 *     O(1) per key; retract is O(1) unless it removes the last copy of the current extreme, which rescans the keys
 *     (as Flink's MaxWithRetract does). Counts may go negative on unmatched retractions (Flink keeps them too);
 *     only keys with a positive count are candidates.
 * Values are held as their order keys (bytes as latin1 strings, see ./value-key.ts) and converted back in result().
 */
import type { Value } from '../common/row.js';
import type { SqlType } from '../common/types.js';
import type { AggFunction } from './agg-function.js';
import { bytesToLatin1, latin1ToBytes, lessThan, type ValueKey } from './value-key.js';

type Key = Exclude<ValueKey, null>;

export type MinMaxAppendAcc = [extreme: Key | null];
export type MinMaxRetractAcc = [extreme: Key | null, counts: Map<Key, number>];

/** Whether `a` should replace `b` as the extreme. */
function better(isMax: boolean, a: Key, b: Key): boolean {
  return isMax ? lessThan(b, a) : lessThan(a, b);
}

export class MinMaxAppend implements AggFunction<MinMaxAppendAcc> {
  readonly retractable = false;
  readonly name: string;
  constructor(private readonly isMax: boolean, readonly resultType: SqlType, private readonly bytes: boolean) {
    this.name = isMax ? 'MAX' : 'MIN';
  }
  create(): MinMaxAppendAcc { return [null]; }
  add(acc: MinMaxAppendAcc, v: Value): MinMaxAppendAcc {
    if (v === null) return acc;
    const k = this.bytes ? bytesToLatin1(v as Uint8Array) : (v as Key);
    if (acc[0] === null || better(this.isMax, k, acc[0])) acc[0] = k;
    return acc;
  }
  retract(_acc: MinMaxAppendAcc, _v: Value): MinMaxAppendAcc {
    throw new Error(`internal: ${this.name} was planned for insert-only input but received a retraction`);
  }
  merge(acc: MinMaxAppendAcc, other: MinMaxAppendAcc): MinMaxAppendAcc {
    const o = other[0];
    if (o !== null && (acc[0] === null || better(this.isMax, o, acc[0]))) acc[0] = o;
    return acc;
  }
  result(acc: MinMaxAppendAcc): Value {
    const e = acc[0];
    return e === null ? null : this.bytes ? latin1ToBytes(e as string) : e;
  }
}

export class MinMaxRetract implements AggFunction<MinMaxRetractAcc> {
  readonly retractable = true;
  readonly name: string;
  constructor(private readonly isMax: boolean, readonly resultType: SqlType, private readonly bytes: boolean) {
    this.name = isMax ? 'MAX' : 'MIN';
  }
  create(): MinMaxRetractAcc { return [null, new Map()]; }
  add(acc: MinMaxRetractAcc, v: Value): MinMaxRetractAcc {
    if (v === null) return acc;
    const k = this.bytes ? bytesToLatin1(v as Uint8Array) : (v as Key);
    const counts = acc[1];
    const n = (counts.get(k) ?? 0) + 1;
    if (n === 0) counts.delete(k);
    else counts.set(k, n);
    if (n > 0 && (acc[0] === null || better(this.isMax, k, acc[0]))) acc[0] = k;
    return acc;
  }
  retract(acc: MinMaxRetractAcc, v: Value): MinMaxRetractAcc {
    if (v === null) return acc;
    const k = this.bytes ? bytesToLatin1(v as Uint8Array) : (v as Key);
    const counts = acc[1];
    const n = (counts.get(k) ?? 0) - 1;
    if (n === 0) counts.delete(k);
    else counts.set(k, n);
    // Only removing the last copy of the extreme changes it (SameValueZero, as the Map compares keys).
    if (n <= 0 && acc[0] !== null && sameKey(k, acc[0])) acc[0] = this.rescan(counts);
    return acc;
  }
  merge(acc: MinMaxRetractAcc, other: MinMaxRetractAcc): MinMaxRetractAcc {
    const counts = acc[1];
    for (const [k, c] of other[1]) {
      const n = (counts.get(k) ?? 0) + c;
      if (n === 0) counts.delete(k);
      else counts.set(k, n);
    }
    const a = acc[0], o = other[0];
    const aLive = a !== null && (counts.get(a) ?? 0) > 0;
    const oLive = o !== null && (counts.get(o) ?? 0) > 0;
    // A key is positive after the merge only if it was positive on one side, so unless an extreme was cancelled by
    // negative counts, the merged extreme is the better of the two.
    if ((a !== null && !aLive) || (o !== null && !oLive)) acc[0] = this.rescan(counts);
    else if (oLive && (a === null || better(this.isMax, o!, a))) acc[0] = o;
    return acc;
  }
  result(acc: MinMaxRetractAcc): Value {
    const e = acc[0];
    return e === null ? null : this.bytes ? latin1ToBytes(e as string) : e;
  }
  private rescan(counts: Map<Key, number>): Key | null {
    let e: Key | null = null;
    for (const [k, c] of counts) if (c > 0 && (e === null || better(this.isMax, k, e))) e = k;
    return e;
  }
}

function sameKey(a: Key, b: Key): boolean {
  return a === b || (a !== a && b !== b);
}
