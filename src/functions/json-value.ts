/**
 * A small JSON reader/writer for the JSON functions. Unlike JSON.parse it keeps whether a number was written as an
 * integer or a floating-point value, because Flink (Jackson) prints them differently: JSON_VALUE('{"a":1.0}', '$.a')
 * is '1.0' and 1e2 is '100.0' (Java Double.toString), while integers print as written.
 * Objects are Maps (insertion order kept), arrays are arrays, null is null.
 */
import { formatDouble } from './java-number-format.js';

export class JsonFloat {
  constructor(readonly value: number) {}
}
export type Json = null | boolean | number | JsonFloat | string | Json[] | Map<string, Json>;

export class JsonSyntaxError extends Error {}

export function parseJson(text: string): Json {
  let i = 0;
  const n = text.length;
  const ws = (): void => { while (i < n && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++; };
  const fail = (): never => { throw new JsonSyntaxError(`invalid JSON at offset ${i}`); };
  const value = (): Json => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map<string, Json>();
      ws();
      if (text[i] === '}') { i++; return m; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        m.set(k, value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return m; }
        fail();
      }
    }
    if (c === '[') {
      i++;
      const a: Json[] = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        fail();
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail();
    i += m[0].length;
    const v = Number(m[0]);
    return m[1] !== undefined || m[2] !== undefined ? new JsonFloat(v) : v;
  };
  const str = (): string => {
    const start = i;
    i++;
    let simple = true;
    while (i < n && text[i] !== '"') {
      if (text[i] === '\\') { simple = false; i += 2; } else i++;
    }
    if (i >= n) fail();
    i++;
    const raw = text.slice(start, i);
    if (simple) return raw.slice(1, -1);
    try { return JSON.parse(raw) as string; } catch { return fail(); }
  };
  const v = value();
  ws();
  if (i !== n) fail();
  return v;
}

export const isScalarJson = (v: Json): boolean => !(Array.isArray(v) || v instanceof Map);

/** Text of a scalar as JSON_VALUE returns it (strings unquoted). */
export function scalarText(v: Json): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (v instanceof JsonFloat) return formatDouble(v.value);
  return String(v);
}

/** Compact JSON text (Jackson's default writer). */
export function writeJson(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof JsonFloat) return formatDouble(v.value);
  if (Array.isArray(v)) return '[' + v.map(writeJson).join(',') + ']';
  let s = '{';
  let first = true;
  for (const [k, x] of v) { s += (first ? '' : ',') + JSON.stringify(k) + ':' + writeJson(x); first = false; }
  return s + '}';
}
