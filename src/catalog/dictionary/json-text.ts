/**
 * A small JSON reader for schema inference that keeps what JSON.parse throws away: the text of every number (so
 * `12.50` has scale 2 and `9007199254740993` stays exact) and the order of object keys (so inferred columns follow
 * the message). Objects become Maps, numbers JsonNumber; everything else is the usual JavaScript value.
 */

export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

export class JsonTextError extends Error {
  constructor(message: string, readonly offset: number) { super(message); }
}

/** Parses one JSON document; throws JsonTextError (with the offset) on malformed text. */
export function parseJsonText(text: string): JsonValue {
  let i = 0;
  const n = text.length;
  const ws = (): void => { while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++; };
  const fail = (what: string): never => { throw new JsonTextError(`${what} at offset ${i}`, i); };
  const value = (depth: number): JsonValue => {
    if (depth > 256) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map<string, JsonValue>();
      ws();
      if (text[i] === '}') { i++; return m; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a string key');
        const k = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        m.set(k, value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return m; }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const a: JsonValue[] = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (!r) return fail('unexpected character');
    i += r[0].length;
    return new JsonNumber(r[0]);
  };
  const str = (): string => {
    // i at the opening quote; JSON.parse of the exact slice handles every escape correctly.
    let j = i + 1;
    while (j < n && text[j] !== '"') {
      const ch = text.charCodeAt(j);
      if (ch < 0x20) { i = j; fail('control character in string'); }
      j += text[j] === '\\' ? 2 : 1;
    }
    if (j >= n) fail('unterminated string');
    const s = JSON.parse(text.slice(i, j + 1)) as string;
    i = j + 1;
    return s;
  };
  const v = value(0);
  ws();
  if (i < n) fail('unexpected text after the JSON value');
  return v;
}

/** Converts an already-parsed JavaScript value (samples given as objects) to the same representation. */
export function fromJsValue(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? new JsonNumber(String(v)) : null;
  if (typeof v === 'bigint') return new JsonNumber(v.toString());
  if (Array.isArray(v)) return v.map(fromJsValue);
  if (typeof v === 'object') {
    const m = new Map<string, JsonValue>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(k, fromJsValue(x));
    return m;
  }
  return String(v);
}

/** A short text of a value for messages: strings quoted, objects/arrays abbreviated. */
export function previewJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'string') return JSON.stringify(v.length > 30 ? v.slice(0, 27) + '...' : v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[...${v.length} element${v.length === 1 ? '' : 's'}]`;
  return '{...}';
}
