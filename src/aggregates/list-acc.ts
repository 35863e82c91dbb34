/**
 * The list-with-pending-retractions accumulator shared by LISTAGG and ARRAY_AGG, after Flink's
 * ListAggWithRetractAggFunction / ArrayAggFunction: [list, pending] where list holds the values in arrival order
 * and pending holds retractions that found no equal value yet (they cancel a later-merged equal value).
 *
 * Retraction removes the first equal element (Java's List.remove(Object)), which is O(n) as in Flink.
 * Merge appends other's list after acc's, then applies all pending retractions.
 */
import type { Value } from '../common/row.js';
import { keyOf } from './value-key.js';

export type ListAcc = [list: Value[], pending: Value[]];

export function createListAcc(): ListAcc { return [[], []]; }

/** Removes the first element equal to v; returns false when there is none. */
export function removeFirstEqual(list: Value[], v: Value): boolean {
  let i = -1;
  if (v === null || typeof v !== 'object') {
    if (v !== v) { // NaN: equal to itself as a key
      for (let j = 0; j < list.length; j++) { const x = list[j]; if (x !== x) { i = j; break; } }
    } else {
      i = list.indexOf(v);
    }
  } else {
    const k = keyOf(v);
    for (let j = 0; j < list.length; j++) {
      const x = list[j];
      if (x !== null && typeof x === 'object' && keyOf(x) === k) { i = j; break; }
    }
  }
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

export function listRetract(acc: ListAcc, v: Value): void {
  if (!removeFirstEqual(acc[0], v)) acc[1].push(v);
}

export function listMerge(acc: ListAcc, other: ListAcc): void {
  const list = acc[0];
  for (const v of other[0]) list.push(v);
  if (acc[1].length === 0 && other[1].length === 0) return;
  const pending = acc[1].concat(other[1]);
  const still: Value[] = [];
  for (const v of pending) if (!removeFirstEqual(list, v)) still.push(v);
  acc[1] = still;
}
