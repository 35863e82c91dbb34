/**
 * Comparison typing and total orders over runtime values.
 *
 * comparisonType: both sides of =, <>, <, <=, >, >=, BETWEEN, IN are converted to this type first. Numbers widen
 * (leastRestrictive), strings compare as strings, DATE with TIMESTAMP compares as TIMESTAMP, TIMESTAMP with
 * TIMESTAMP_LTZ as TIMESTAMP_LTZ (the TIMESTAMP read in the session zone). Flink (type coercion disabled in its
 * validator) rejects a string compared with a number, date or timestamp: so do we, with a CAST hint.
 *
 * compareValues: -1/0/1 for ORDER BY, MIN/MAX, GREATEST/LEAST: numbers numerically (NaN greatest, as Java's
 * Double.compare), strings by UTF-16 code units (Java String.compareTo), booleans FALSE < TRUE, bytes as unsigned
 * lexicographic, arrays and rows lexicographically (shorter prefix first, NULL elements first), maps by size then
 * entries in iteration order. Both arguments must be non-null and of the same representation.
 */
import type { SqlType } from '../common/types.js';
import { isString, typeToString } from '../common/types.js';
import type { InferResult } from './function-def.js';
import { isInferError } from './function-def.js';
import { leastRestrictive } from './least-restrictive.js';

const isStr = (t: SqlType): boolean => isString(t);
const isNumOrTemporal = (t: SqlType): boolean =>
  ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ',
    'BOOLEAN', 'INTERVAL_DAY_TIME', 'INTERVAL_YEAR_MONTH'].includes(t.kind);

/** Common type for comparing a with b, or an error naming both types. */
export function comparisonType(a: SqlType, b: SqlType, op = '='): InferResult {
  if ((isStr(a) && isNumOrTemporal(b)) || (isStr(b) && isNumOrTemporal(a))) {
    const other = isStr(a) ? b : a;
    return {
      error: `cannot apply '${op}' to arguments of type '<${typeToString(a, false)}> ${op} <${typeToString(b, false)}>'`,
      hint: `Flink does not compare strings with ${typeToString(other, false)} implicitly; use CAST(... AS ${typeToString({ ...other, nullable: true }, false)}) or a typed literal`,
    };
  }
  const r = leastRestrictive([a, b]);
  if (isInferError(r)) {
    return {
      error: `cannot apply '${op}' to arguments of type '<${typeToString(a, false)}> ${op} <${typeToString(b, false)}>'`,
      hint: 'compare values of the same type family, or add a CAST',
    };
  }
  return r;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareSeq(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i], y = b[i];
    if (x === null || x === undefined) {
      if (y === null || y === undefined) continue;
      return -1;
    }
    if (y === null || y === undefined) return 1;
    const c = compareValues(x, y);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Total order over non-null values of the same type: -1, 0 or 1. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number') {
    const y = b as number;
    if (a < y) return -1;
    if (a > y) return 1;
    if (a === y) return 0;
    // At least one NaN: NaN is greater than everything, equal to itself.
    const an = a !== a, bn = y !== y;
    return an && bn ? 0 : an ? 1 : -1;
  }
  if (typeof a === 'string') {
    const y = b as string;
    return a < y ? -1 : a > y ? 1 : 0;
  }
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array) return compareBytes(a, b as Uint8Array);
  if (Array.isArray(a)) return compareSeq(a, b as unknown[]);
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    if (a.size !== m.size) return a.size < m.size ? -1 : 1;
    return compareSeq([...a.entries()].flat(), [...m.entries()].flat());
  }
  if (typeof a === 'bigint') { const y = b as bigint; return a < y ? -1 : a > y ? 1 : 0; }
  return 0;
}

/** SQL `=` on non-null values, including arrays, rows, maps and bytes (NaN is not equal to itself, as in Java). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && compareBytes(a, b) === 0;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i], y = b[i];
      if (x === null || y === null) { if (x !== y) return false; continue; }
      if (!valuesEqual(x, y)) return false;
    }
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      let found = false;
      if (b.has(k)) {
        const w = b.get(k);
        found = v === null ? w === null : w !== null && valuesEqual(v, w);
      } else if (typeof k === 'object' && k !== null) {
        for (const [k2, w] of b) {
          if (valuesEqual(k, k2)) { found = v === null ? w === null : w !== null && valuesEqual(v, w); break; }
        }
      }
      if (!found) return false;
    }
    return true;
  }
  return false;
}

/** Hash-friendly key for a value (for DISTINCT in arrays etc.): primitives as-is, complex values as canonical text. */
export function valueKey(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return 'b:' + Array.from(v).join(',');
  if (Array.isArray(v)) return 'a:' + JSON.stringify(v.map(valueKey));
  if (v instanceof Map) return 'm:' + JSON.stringify([...v].map(([k, x]) => [valueKey(k), valueKey(x)]));
  return v;
}
