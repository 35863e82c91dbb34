/**
 * Accumulators to and from JSON-safe data, so that partial aggregates can be stored as tiles in a key-value store
 * and read back by serving (and by other processes) without structured clone.
 *
 * Encoding (self-describing, independent of the function; `fn` is taken so a function can later get its own compact
 * codec without changing callers):
 *   null, booleans, strings, finite numbers other than -0   as themselves
 *   NaN, Infinity, -Infinity, -0                            {"$n": "NaN" | "Infinity" | "-Infinity" | "-0"}
 *   arrays                                                  arrays of encoded elements
 *   Map                                                     {"$m": [[key, value], ...]} in insertion order
 *   Uint8Array                                              {"$b": base64}
 *   bigint                                                  {"$i": decimal text}
 *   other plain objects                                     {"$o": {field: value, ...}}
 *   undefined                                               {"$u": 1}
 * Invariant: decodeAcc(fn, JSON.parse(JSON.stringify(encodeAcc(fn, acc)))) is equal to acc (Map order included).
 */
import type { AggFunction } from './agg-function.js';

export function encodeAcc(_fn: AggFunction, acc: unknown): unknown {
  return enc(acc);
}

export function decodeAcc(_fn: AggFunction, data: unknown): unknown {
  return dec(data);
}

function enc(v: unknown): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case 'boolean': case 'string': return v;
    case 'number':
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      return { $n: Object.is(v, -0) ? '-0' : String(v) };
    case 'bigint': return { $i: v.toString() };
    case 'undefined': return { $u: 1 };
  }
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = enc(v[i]);
    return out;
  }
  if (v instanceof Map) {
    const pairs: unknown[] = [];
    for (const [k, x] of v) pairs.push([enc(k), enc(x)]);
    return { $m: pairs };
  }
  if (v instanceof Uint8Array) return { $b: toBase64(v) };
  if (typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = enc(x);
    return { $o: o };
  }
  throw new Error(`internal: cannot encode accumulator value of type ${typeof v}`);
}

function dec(d: unknown): unknown {
  if (d === null || typeof d !== 'object') return d;
  if (Array.isArray(d)) {
    const out = new Array<unknown>(d.length);
    for (let i = 0; i < d.length; i++) out[i] = dec(d[i]);
    return out;
  }
  const o = d as Record<string, unknown>;
  if ('$n' in o) return o.$n === '-0' ? -0 : Number(o.$n);
  if ('$m' in o) {
    const m = new Map<unknown, unknown>();
    for (const p of o.$m as [unknown, unknown][]) m.set(dec(p[0]), dec(p[1]));
    return m;
  }
  if ('$b' in o) return fromBase64(o.$b as string);
  if ('$i' in o) return BigInt(o.$i as string);
  if ('$u' in o) return undefined;
  if ('$o' in o) {
    const r: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o.$o as Record<string, unknown>)) r[k] = dec(x);
    return r;
  }
  throw new Error(`internal: malformed encoded accumulator: ${JSON.stringify(d).slice(0, 80)}`);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 without Node's Buffer (this layer also runs in the browser). */
function toBase64(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((i + 1 < b.length ? b[i + 1]! : 0) << 8);
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + '=';
  }
  return s;
}

function fromBase64(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const a = B64.indexOf(clean[i]!), b = B64.indexOf(clean[i + 1] ?? 'A');
    const c = i + 2 < clean.length ? B64.indexOf(clean[i + 2]!) : 0;
    const d = i + 3 < clean.length ? B64.indexOf(clean[i + 3]!) : 0;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    if (i + 2 < clean.length) out[o++] = (n >> 8) & 255;
    if (i + 3 < clean.length) out[o++] = n & 255;
  }
  return out;
}
