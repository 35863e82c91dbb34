/**
 * Value identity and order for aggregates: a canonical Map key per SQL value (DISTINCT, retraction bookkeeping) and
 * the comparison MIN/MAX use.
 *
 * Key invariant: keyOf(a) === keyOf(b) (SameValueZero, as Map compares keys) iff a and b are the same SQL value.
 * Numbers, booleans and null are their own key; strings are their own key unless they start with U+0000; every
 * other value (bytes, arrays, rows, maps) and those few strings get a string key starting with U+0000 followed by a
 * self-delimiting serialisation, so no two kinds of value can collide. Keys of primitive values cost no allocation.
 */
import type { Value } from '../common/row.js';

export type ValueKey = string | number | boolean | null;

export function keyOf(v: Value): ValueKey {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number': return v;
    case 'boolean': return v;
    case 'string': return v.length > 0 && v.charCodeAt(0) === 0 ? '\u0000' + serialise(v) : v;
    default: return '\u0000' + serialise(v);
  }
}

/** True when keyOf(v) is not v itself, i.e. the value cannot be recovered from its key. */
export function keyIsNotValue(v: Value): boolean {
  return v !== null && typeof v === 'object' || (typeof v === 'string' && v.length > 0 && v.charCodeAt(0) === 0);
}

function serialise(v: Value): string {
  if (v === null || v === undefined) return 'N';
  switch (typeof v) {
    case 'number': return 'n' + String(v) + ';';
    case 'boolean': return v ? 'T' : 'F';
    case 'string': return 's' + v.length + ':' + v;
    case 'bigint': return 'i' + String(v) + ';';
  }
  if (v instanceof Uint8Array) return 'b' + v.length + ':' + bytesToLatin1(v);
  if (Array.isArray(v)) {
    let s = '[' + v.length + ':';
    for (let i = 0; i < v.length; i++) s += serialise(v[i]);
    return s;
  }
  if (v instanceof Map) {
    let s = '{' + v.size + ':';
    for (const [k, x] of v) s += serialise(k) + serialise(x);
    return s;
  }
  return 'o' + JSON.stringify(v) + ';';
}

/** Bytes as a string of char codes 0-255: comparing two such strings with `<` is unsigned lexicographic byte order. */
export function bytesToLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  return s;
}

export function latin1ToBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/**
 * Order of MIN/MAX keys (numbers, strings, booleans, bytes as latin1 strings): JS `<`, which is numeric order for
 * numbers, UTF-16 code-unit order for strings, false < true, and unsigned byte order for latin1 strings.
 * NaN is treated as greater than every number, as Java's Double.compareTo does.
 */
export function lessThan(a: ValueKey, b: ValueKey): boolean {
  if (typeof a === 'number' && (a !== a || b !== b)) return a === a && b !== b;
  return (a as number) < (b as number);
}
