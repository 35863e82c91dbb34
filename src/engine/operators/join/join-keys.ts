/**
 * Equi-join keys. Both sides must encode equal key values to the same Map key, so the right side's key function is
 * built with the left side's key column types (makeKeyFn picks its encoding from the types). Join keys are
 * null-rejecting: a row with a NULL in any key column never matches (SQL `=`), so callers test `hasNullKey` first.
 */
import type { Row } from '../../../common/row.js';
import type { RowField } from '../../../common/types.js';
import { makeKeyFn, type KeyFn } from '../../keys.js';

/** Key functions for [left, right]; equal key values on both sides give equal Map keys. */
export function makeJoinKeyFns(leftKeys: readonly number[], rightKeys: readonly number[],
  leftFields: readonly RowField[], rightFields: readonly RowField[]): [KeyFn, KeyFn] {
  if (leftKeys.length !== rightKeys.length) throw new Error('internal: join key lists differ in length');
  const aligned: RowField[] = rightFields.slice();
  for (let j = 0; j < rightKeys.length; j++) {
    const lf = leftFields[leftKeys[j]!];
    if (lf !== undefined) aligned[rightKeys[j]!] = lf;
  }
  return [makeKeyFn(leftKeys, leftFields), makeKeyFn(rightKeys, aligned)];
}

/** True when any key column of the row is NULL (the row can never satisfy the equi-join condition). */
export function hasNullKey(row: Row, keys: readonly number[]): boolean {
  for (let j = 0; j < keys.length; j++) if (row[keys[j]!] === null) return true;
  return false;
}
