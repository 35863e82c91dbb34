/**
 * Grouping keys. A key is a Map key: the value itself for a single primitive column, otherwise a string that is
 * injective over the key columns' values (JSON of the tuple, with non-JSON values tagged). Invariant: two rows have
 * equal keys iff their key columns are equal under SQL GROUP BY semantics (NULLs group together).
 */
import type { Row } from '../common/row.js';
import type { RowField } from '../common/types.js';

export type KeyFn = (row: Row) => unknown;

function encodeValue(v: unknown): unknown {
  if (v instanceof Map) return { m: [...v.entries()].map(([k, x]) => [encodeValue(k), encodeValue(x)]) };
  if (v instanceof Uint8Array) return { b: Array.from(v) };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (typeof v === 'number' && !Number.isFinite(v)) return { n: String(v) };
  return v;
}

export function makeKeyFn(indices: readonly number[], fields: readonly RowField[]): KeyFn {
  if (indices.length === 0) return () => '';
  if (indices.length === 1) {
    const i = indices[0]!;
    const k = fields[i]?.type.kind;
    const primitive = k !== 'ARRAY' && k !== 'MAP' && k !== 'ROW' && k !== 'BYTES';
    // -0 and 0 are the same Map key in JS (SameValueZero), as SQL wants; NaN groups with NaN.
    if (primitive) return (row) => row[i];
    return (row) => JSON.stringify(encodeValue(row[i]));
  }
  const allNumeric = indices.every((i) => {
    const k = fields[i]?.type.kind;
    return k === 'INT' || k === 'BIGINT' || k === 'SMALLINT' || k === 'TINYINT' || k === 'TIMESTAMP' || k === 'TIMESTAMP_LTZ' || k === 'DATE';
  });
  if (allNumeric && indices.length === 2) {
    const [a, b] = indices as [number, number];
    return (row) => `${row[a]}|${row[b]}`;
  }
  return (row) => {
    const parts = new Array<unknown>(indices.length);
    for (let j = 0; j < indices.length; j++) parts[j] = encodeValue(row[indices[j]!]);
    return JSON.stringify(parts);
  };
}

export function project(row: Row, indices: readonly number[]): Row {
  const out = new Array<unknown>(indices.length);
  for (let j = 0; j < indices.length; j++) out[j] = row[indices[j]!];
  return out;
}
