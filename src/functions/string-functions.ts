/**
 * Flink's string functions. Lengths and positions count Unicode code points (Flink's BinaryStringData counts
 * characters, not UTF-16 units); strings without surrogate pairs take the fast UTF-16 path.
 */
import type { SqlType } from '../common/types.js';
import { STRING_MAX, T, isString } from '../common/types.js';
import { ExprError } from './expr-error.js';
import { F, defineFunction } from './registry.js';
import { compileJavaRegex, javaReplacement } from './java-regex.js';
import { decodeUtf8, encodeUtf8, bytesToHex } from './format-value.js';
import { md5, sha1, sha224, sha256 } from './hash.js';

const SURROGATE = /[\uD800-\uDFFF]/;
const hasSurrogates = (s: string): boolean => SURROGATE.test(s);

export function codePointLength(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Substring by code point indexes [start, end). */
function cpSlice(s: string, start: number, end?: number): string {
  if (!hasSurrogates(s)) return s.slice(start, end);
  return Array.from(s).slice(start, end).join('');
}

function cpIndexOf(hay: string, needle: string, fromCp = 0): number {
  if (!hasSurrogates(hay)) return hay.indexOf(needle, fromCp);
  const cps = Array.from(hay);
  const utf16From = cps.slice(0, fromCp).join('').length;
  const i = hay.indexOf(needle, utf16From);
  return i < 0 ? -1 : codePointLength(hay.slice(0, i));
}

const STRING = T.string();
const strLen = (t: SqlType): number => (isString(t) ? t.precision ?? STRING_MAX : STRING_MAX);
const sameString = (args: SqlType[]): SqlType => (args[0]!.kind === 'NULL' ? STRING : args[0]!);

// --- case, length ------------------------------------------------------------------------------------------------

defineFunction({ name: 'UPPER', params: [F.string], result: sameString, impl: (s: string) => s.toUpperCase() });
defineFunction({ name: 'LOWER', params: [F.string], result: sameString, impl: (s: string) => s.toLowerCase() });
defineFunction({
  name: 'CHAR_LENGTH', aliases: ['CHARACTER_LENGTH'], params: [F.string], result: T.int(), impl: codePointLength,
});

defineFunction({
  name: 'INITCAP', params: [F.string], result: sameString,
  impl: (s: string) => {
    // Words are runs of [A-Za-z0-9]; the first letter is upper-cased and the rest lower-cased (Flink/Calcite).
    let out = '';
    let start = true;
    for (let i = 0; i < s.length; i++) {
      let ch = s[i]!;
      const c = ch.charCodeAt(0);
      const digit = c > 47 && c < 58, upper = c > 64 && c < 91, lower = c > 96 && c < 123;
      if (start) {
        if (digit || upper) start = false;
        else if (lower) { start = false; ch = String.fromCharCode(c - 32); }
      } else if (upper) ch = String.fromCharCode(c + 32);
      else if (!digit && !lower) start = true;
      out += ch;
    }
    return out;
  },
});

// --- concatenation -------------------------------------------------------------------------------------------------

defineFunction({
  name: 'CONCAT', aliases: ['||'], params: [F.stringOrBytes], variadic: true, min: 1,
  result: (args) => {
    if (args.every((a) => a.kind === 'BYTES' || a.kind === 'NULL') && args.some((a) => a.kind === 'BYTES')) return T.bytes();
    if (args.some((a) => a.kind === 'BYTES')) return { error: 'CONCAT cannot mix STRING and BYTES arguments', hint: 'CAST one side' };
    const total = args.reduce((n, a) => Math.min(STRING_MAX, n + (a.kind === 'NULL' ? 0 : strLen(a))), 0);
    if (args.every((a) => a.kind === 'CHAR')) return T.char(total);
    return T.varchar(total);
  },
  impl: (...xs: (string | Uint8Array)[]) => {
    if (typeof xs[0] === 'string') {
      let s = '';
      for (let i = 0; i < xs.length; i++) s += xs[i] as string;
      return s;
    }
    let n = 0;
    for (const x of xs) n += (x as Uint8Array).length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const x of xs) { out.set(x as Uint8Array, o); o += (x as Uint8Array).length; }
    return out;
  },
});

const concatWs = defineFunction({
  name: 'CONCAT_WS', params: [F.string, F.string], variadic: true, min: 1, strict: false,
  result: T.string(), nullable: 'asIs',
  impl: (sep: string | null, ...xs: (string | null)[]) => {
    if (sep === null) return null;
    let s = '';
    let first = true;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (x === null || x === undefined) continue;
      s += first ? x : sep + x;
      first = false;
    }
    return s;
  },
});
// CONCAT_WS is NULL only when the separator is.
{
  const base = concatWs.inferType.bind(concatWs);
  concatWs.inferType = (args, lits) => {
    const r = base(args, lits);
    return 'error' in r ? r : { ...r, nullable: args[0]!.nullable };
  };
}

// --- substrings ----------------------------------------------------------------------------------------------------

/** Flink's SUBSTRING: 1-based; 0 acts as 1; negative counts from the end; negative length gives NULL. */
export function substring(s: string, pos: number, len?: number): string | null {
  if (len !== undefined && len < 0) return null;
  if (s.length === 0) return '';
  const n = codePointLength(s);
  let start: number;
  if (pos > 0) { start = pos - 1; if (start >= n) return ''; } else if (pos < 0) { start = n + pos; if (start < 0) return ''; } else start = 0;
  const end = len === undefined || n - start < len ? n : start + len;
  return cpSlice(s, start, end);
}

defineFunction({
  name: 'SUBSTRING', aliases: ['SUBSTR'], params: [F.string, F.integral, F.integral], min: 2,
  result: (args) => (args[0]!.kind === 'NULL' ? STRING : T.varchar(strLen(args[0]!))), nullable: 'always',
  impl: substring,
});

defineFunction({
  name: 'LEFT', params: [F.string, F.integral], result: STRING,
  impl: (s: string, n: number) => (n <= 0 ? '' : cpSlice(s, 0, n)),
});
defineFunction({
  name: 'RIGHT', params: [F.string, F.integral], result: STRING,
  impl: (s: string, n: number) => {
    if (n <= 0) return '';
    const len = codePointLength(s);
    return n >= len ? s : cpSlice(s, len - n);
  },
});

defineFunction({
  name: 'OVERLAY', params: [F.string, F.string, F.integral, F.integral], min: 3, result: STRING,
  impl: (s: string, placing: string, start: number, len?: number) => {
    const n = codePointLength(s);
    const l = len ?? codePointLength(placing);
    const a = Math.max(0, Math.min(n, start - 1));
    const b = Math.max(a, Math.min(n, start - 1 + l));
    return cpSlice(s, 0, a) + placing + cpSlice(s, b);
  },
});

// --- trimming ------------------------------------------------------------------------------------------------------

function trimChars(s: string, chars: string, leading: boolean, trailing: boolean): string {
  let a = 0, b = s.length;
  if (chars.length === 1) {
    const c = chars;
    if (leading) while (a < b && s[a] === c) a++;
    if (trailing) while (b > a && s[b - 1] === c) b--;
  } else {
    if (leading) while (a < b && chars.includes(s[a]!)) a++;
    if (trailing) while (b > a && chars.includes(s[b - 1]!)) b--;
  }
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

defineFunction({
  name: 'TRIM', params: [F.string, F.string, F.string], result: (a) => (a[2]!.kind === 'NULL' ? STRING : T.varchar(strLen(a[2]!))),
  check: (_a, lits) => (typeof lits[0] === 'string' && ['BOTH', 'LEADING', 'TRAILING'].includes(lits[0].toUpperCase())
    ? undefined : { error: 'TRIM mode must be BOTH, LEADING or TRAILING' }),
  impl: (mode: string, chars: string, s: string) => {
    const m = mode.toUpperCase();
    return trimChars(s, chars, m !== 'TRAILING', m !== 'LEADING');
  },
  specialize: (_a, lits) => {
    const m = typeof lits[0] === 'string' ? lits[0].toUpperCase() : undefined;
    if (!m) return undefined;
    const lead = m !== 'TRAILING', trail = m !== 'LEADING';
    return (_mode: string, chars: string, s: string) => trimChars(s, chars, lead, trail);
  },
});
defineFunction({ name: 'LTRIM', params: [F.string, F.string], min: 1, result: STRING, impl: (s: string, c = ' ') => trimChars(s, c, true, false) });
defineFunction({ name: 'RTRIM', params: [F.string, F.string], min: 1, result: STRING, impl: (s: string, c = ' ') => trimChars(s, c, false, true) });
defineFunction({ name: 'BTRIM', params: [F.string, F.string], min: 1, result: STRING, impl: (s: string, c = ' ') => trimChars(s, c, true, true) });

// --- search --------------------------------------------------------------------------------------------------------

defineFunction({
  name: 'POSITION', params: [F.string, F.string, F.integral], min: 2, result: T.int(),
  impl: (needle: string, hay: string, from = 1) => {
    const start = Math.max(0, from - 1);
    return cpIndexOf(hay, needle, start) + 1;
  },
});
defineFunction({
  name: 'LOCATE', params: [F.string, F.string, F.integral], min: 2, result: T.int(),
  impl: (needle: string, hay: string, from = 1) => (from < 1 ? 0 : cpIndexOf(hay, needle, from - 1) + 1),
});
defineFunction({
  name: 'INSTR', params: [F.string, F.string, F.integral, F.integral], min: 2, result: T.int(),
  impl: (s: string, sub: string, start = 1, nth = 1) => {
    if (start === 0 || nth <= 0) return 0;
    if (start > 0) {
      let pos = start - 1;
      for (let k = 0; k < nth; k++) {
        const i = cpIndexOf(s, sub, pos);
        if (i < 0) return 0;
        if (k === nth - 1) return i + 1;
        pos = i + 1;
      }
      return 0;
    }
    // Negative start searches backwards from that position from the end.
    const cps = Array.from(s), subLen = codePointLength(sub);
    let pos = cps.length + start;
    for (let k = 0; pos >= 0; pos--) {
      if (cps.slice(pos, pos + subLen).join('') === sub && ++k === nth) return pos + 1;
    }
    return 0;
  },
});
defineFunction({ name: 'STARTSWITH', params: [F.stringOrBytes, F.stringOrBytes], result: T.boolean(), impl: (s: string | Uint8Array, p: string | Uint8Array) => (typeof s === 'string' ? s.startsWith(p as string) : bytesStartWith(s, p as Uint8Array)) });
defineFunction({ name: 'ENDSWITH', params: [F.stringOrBytes, F.stringOrBytes], result: T.boolean(), impl: (s: string | Uint8Array, p: string | Uint8Array) => (typeof s === 'string' ? s.endsWith(p as string) : bytesStartWith(s.slice(s.length - (p as Uint8Array).length), p as Uint8Array) && s.length >= (p as Uint8Array).length) });

function bytesStartWith(a: Uint8Array, b: Uint8Array): boolean {
  if (b.length > a.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// --- replace, repeat, reverse, pad ---------------------------------------------------------------------------------

defineFunction({
  name: 'REPLACE', params: [F.string, F.string, F.string], result: STRING,
  impl: (s: string, search: string, repl: string) => s.replaceAll(search, () => repl),
});
defineFunction({ name: 'REPEAT', params: [F.string, F.integral], result: STRING, impl: (s: string, n: number) => (n <= 0 ? '' : s.repeat(n)) });
defineFunction({ name: 'REVERSE', params: [F.string], result: STRING, impl: (s: string) => (hasSurrogates(s) ? Array.from(s).reverse().join('') : s.split('').reverse().join('')) });

/** Flink's LPAD/RPAD: NULL for a negative length or empty pad; truncates when the string is longer. */
function pad(s: string, len: number, p: string, left: boolean): string | null {
  if (len < 0 || p === '') return null;
  if (len === 0) return '';
  if (s.length >= len) return s.slice(0, len);
  const need = len - s.length;
  let fill = p.repeat(Math.ceil(need / p.length));
  fill = fill.slice(0, need);
  return left ? fill + s : s + fill;
}
defineFunction({ name: 'LPAD', params: [F.string, F.integral, F.string], result: STRING, nullable: 'always', impl: (s: string, n: number, p: string) => pad(s, n, p, true) });
defineFunction({ name: 'RPAD', params: [F.string, F.integral, F.string], result: STRING, nullable: 'always', impl: (s: string, n: number, p: string) => pad(s, n, p, false) });

defineFunction({
  name: 'TRANSLATE', params: [F.string, F.string, F.string], result: STRING,
  impl: (s: string, from: string, to: string) => {
    let out = '';
    for (const ch of s) {
      const i = from.indexOf(ch);
      if (i < 0) out += ch; else if (i < to.length) out += to[i];
    }
    return out;
  },
});

// --- characters and encodings --------------------------------------------------------------------------------------

defineFunction({ name: 'ASCII', params: [F.string], result: T.int(), impl: (s: string) => (s.length === 0 ? 0 : s.charCodeAt(0)) });
defineFunction({
  name: 'CHR', params: [F.integral], result: STRING,
  impl: (n: number) => (n < 0 ? '' : String.fromCharCode(n & 0xff)),
});

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export function toBase64(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8);
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + '=';
  }
  return s;
}
export function fromBase64(s: string): Uint8Array | null {
  const clean = s.replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return null;
  const body = clean.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let o = 0, acc = 0, bits = 0;
  for (let i = 0; i < body.length; i++) {
    acc = (acc << 6) | B64.indexOf(body[i]!);
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 0xff; }
  }
  return out.subarray(0, o);
}

defineFunction({
  name: 'TO_BASE64', params: [F.stringOrBytes], result: STRING,
  impl: (v: string | Uint8Array) => toBase64(typeof v === 'string' ? encodeUtf8(v) : v),
});
defineFunction({
  name: 'FROM_BASE64', params: [F.stringOrBytes], result: STRING, nullable: 'always',
  impl: (v: string | Uint8Array) => {
    const b = fromBase64(typeof v === 'string' ? v : decodeUtf8(v));
    return b === null ? null : decodeUtf8(b);
  },
});

const CHARSETS = new Set(['US-ASCII', 'ISO-8859-1', 'UTF-8', 'UTF-16BE', 'UTF-16LE', 'UTF-16']);
defineFunction({
  name: 'ENCODE', params: [F.string, F.string], result: T.bytes(),
  impl: (s: string, cs: string) => encodeCharset(s, cs.toUpperCase()),
});
defineFunction({
  name: 'DECODE', params: [F.bytes, F.string], result: STRING,
  impl: (b: Uint8Array, cs: string) => {
    const c = cs.toUpperCase();
    if (!CHARSETS.has(c)) throw new ExprError('FUNCTION_ARGUMENT', `unsupported charset '${cs}'`);
    if (c === 'US-ASCII' || c === 'ISO-8859-1') { let s = ''; for (const x of b) s += String.fromCharCode(c === 'US-ASCII' && x > 127 ? 0xfffd : x); return s; }
    return new TextDecoder(c === 'UTF-16' ? 'utf-16be' : c.toLowerCase()).decode(b);
  },
});
function encodeCharset(s: string, cs: string): Uint8Array {
  if (!CHARSETS.has(cs)) throw new ExprError('FUNCTION_ARGUMENT', `unsupported charset '${cs}'`);
  if (cs === 'UTF-8') return encodeUtf8(s);
  if (cs === 'US-ASCII' || cs === 'ISO-8859-1') {
    const lim = cs === 'US-ASCII' ? 127 : 255;
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); out[i] = c > lim ? 63 : c; }
    return out;
  }
  const bom = cs === 'UTF-16';
  const le = cs === 'UTF-16LE';
  const out = new Uint8Array(s.length * 2 + (bom ? 2 : 0));
  let o = 0;
  if (bom) { out[o++] = 0xfe; out[o++] = 0xff; }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (le) { out[o++] = c & 0xff; out[o++] = c >> 8; } else { out[o++] = c >> 8; out[o++] = c & 0xff; }
  }
  return out;
}

// --- hashes --------------------------------------------------------------------------------------------------------

const hashInput = (v: string | Uint8Array): Uint8Array => (typeof v === 'string' ? encodeUtf8(v) : v);
defineFunction({ name: 'MD5', params: [F.stringOrBytes], result: T.char(32), impl: (v: string | Uint8Array) => bytesToHex(md5(hashInput(v))) });
defineFunction({ name: 'SHA1', params: [F.stringOrBytes], result: T.char(40), impl: (v: string | Uint8Array) => bytesToHex(sha1(hashInput(v))) });
defineFunction({ name: 'SHA224', params: [F.stringOrBytes], result: T.char(56), impl: (v: string | Uint8Array) => bytesToHex(sha224(hashInput(v))) });
defineFunction({ name: 'SHA256', params: [F.stringOrBytes], result: T.char(64), impl: (v: string | Uint8Array) => bytesToHex(sha256(hashInput(v))) });
defineFunction({
  name: 'SHA2', params: [F.stringOrBytes, F.integral], result: STRING, nullable: 'always',
  impl: (v: string | Uint8Array, bits: number) => {
    if (bits === 224) return bytesToHex(sha224(hashInput(v)));
    if (bits === 256 || bits === 0) return bytesToHex(sha256(hashInput(v)));
    return null; // SHA-384/512 are not implemented (see report); other lengths are NULL in Flink too
  },
});

// --- regular expressions (Java syntax, see ./java-regex.ts) ---------------------------------------------------------

/** Invalid patterns make these functions return NULL, as Flink does. */
function regexOrNull(re: string, flags = ''): RegExp | null {
  try { return compileJavaRegex(re, flags); } catch (e) { if (e instanceof ExprError) return null; throw e; }
}

defineFunction({
  name: 'REGEXP', params: [F.string, F.string], result: T.boolean(), nullable: 'always',
  impl: (s: string, re: string) => { const r = regexOrNull(re); return r === null ? null : r.test(s); },
});

defineFunction({
  name: 'REGEXP_EXTRACT', params: [F.string, F.string, F.integral], min: 2, result: STRING, nullable: 'always',
  impl: (s: string, re: string, idx = 1) => {
    const r = regexOrNull(re);
    if (r === null || idx < 0) return null;
    const m = r.exec(s);
    if (!m || idx >= m.length) return null;
    return m[idx] ?? null;
  },
});

defineFunction({
  name: 'REGEXP_EXTRACT_ALL', params: [F.string, F.string, F.integral], min: 2, result: T.array(T.string()), nullable: 'always',
  impl: (s: string, re: string, idx = 1) => {
    const r = regexOrNull(re, 'g');
    if (r === null || idx < 0) return null;
    r.lastIndex = 0;
    const out: (string | null)[] = [];
    for (const m of s.matchAll(r)) {
      if (idx >= m.length) return null;
      out.push(m[idx] ?? null);
    }
    return out;
  },
});

defineFunction({
  name: 'REGEXP_REPLACE', params: [F.string, F.string, F.string], result: STRING, nullable: 'always',
  impl: (s: string, re: string, repl: string) => {
    const r = regexOrNull(re, 'g');
    if (r === null) return null;
    try { return s.replace(r, javaReplacement(repl)); } catch (e) { if (e instanceof ExprError) return null; throw e; }
  },
});

defineFunction({
  name: 'REGEXP_COUNT', params: [F.string, F.string], result: T.int(), nullable: 'always',
  impl: (s: string, re: string) => { const r = regexOrNull(re, 'g'); if (r === null) return null; let n = 0; for (const _ of s.matchAll(r)) n++; return n; },
});
defineFunction({
  name: 'REGEXP_INSTR', params: [F.string, F.string], result: T.int(), nullable: 'always',
  impl: (s: string, re: string) => { const r = regexOrNull(re); if (r === null) return null; const m = r.exec(s); return m ? codePointLength(s.slice(0, m.index)) + 1 : 0; },
});
defineFunction({
  name: 'REGEXP_SUBSTR', params: [F.string, F.string], result: STRING, nullable: 'always',
  impl: (s: string, re: string) => { const r = regexOrNull(re); if (r === null) return null; const m = r.exec(s); return m ? m[0] : null; },
});

// --- splitting -----------------------------------------------------------------------------------------------------

/** Java String.split(regex): trailing empty strings removed; a leading empty match at 0 only when non-zero-width. */
export function javaSplit(s: string, re: RegExp): string[] {
  if (s === '') return [''];
  const parts = s.split(re);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

defineFunction({
  name: 'SPLIT_INDEX', params: [F.string, F.numericOrString, F.integral], result: STRING, nullable: 'always',
  impl: (s: string, sep: string | number, idx: number) => {
    if (idx < 0 || s === '') return null;
    const d = typeof sep === 'number' ? String.fromCharCode(sep) : sep;
    const parts = d === '' ? s.trim().split(/\s+/) : s.split(d);
    return idx < parts.length ? parts[idx]! : null;
  },
});

defineFunction({
  name: 'SPLIT', params: [F.string, F.string], result: T.array(T.string()),
  impl: (s: string, d: string) => (s === '' ? [] : s.split(d)),
});

defineFunction({
  name: 'STR_TO_MAP', params: [F.string, F.string, F.string], min: 1, result: T.map(T.string(), T.string()),
  impl: (s: string, pairDelim = ',', kvDelim = '=') => {
    const out = new Map<string, string | null>();
    const pr = compileJavaRegex(pairDelim);
    const kr = compileJavaRegex(kvDelim);
    for (const kv of javaSplit(s, pr)) {
      const m = kr.exec(kv);
      if (m) out.set(kv.slice(0, m.index), kv.slice(m.index + m[0].length));
      else out.set(kv, null);
    }
    return out;
  },
});

// --- predicates on text --------------------------------------------------------------------------------------------

defineFunction({ name: 'IS_ALPHA', params: [F.string], result: T.boolean(false), strict: false, nullable: 'never', impl: (s: string | null) => s !== null && s.length > 0 && /^\p{L}+$/u.test(s) });
defineFunction({ name: 'IS_DIGIT', params: [F.string], result: T.boolean(false), strict: false, nullable: 'never', impl: (s: string | null) => s !== null && s.length > 0 && /^\p{Nd}+$/u.test(s) });
defineFunction({ name: 'IS_DECIMAL', params: [F.string], result: T.boolean(false), strict: false, nullable: 'never', impl: (s: string | null) => s !== null && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()) });

// --- URLs, UUID, misc ----------------------------------------------------------------------------------------------

/** java.net.URLEncoder (UTF-8): letters, digits and . - * _ unchanged, space as '+'. */
defineFunction({
  name: 'URL_ENCODE', params: [F.string], result: STRING, nullable: 'always',
  impl: (s: string) => encodeURIComponent(s).replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, '+'),
});
defineFunction({
  name: 'URL_DECODE', params: [F.string], result: STRING, nullable: 'always',
  impl: (s: string) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return null; } },
});

function randomUuid(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const h = '0123456789abcdef';
  let s = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) s += '-';
    else if (i === 14) s += '4';
    else if (i === 19) s += h[8 + Math.floor(Math.random() * 4)];
    else s += h[Math.floor(Math.random() * 16)];
  }
  return s;
}
defineFunction({ name: 'UUID', params: [], result: T.char(36, false), nullable: 'never', deterministic: false, impl: randomUuid });

defineFunction({
  name: 'ELT', params: [F.integral, F.stringOrBytes], variadic: true, min: 2, strict: false, nullable: 'always',
  result: (args) => (args.slice(1).find((a) => a.kind !== 'NULL') ?? STRING),
  impl: (i: number | null, ...xs: unknown[]) => (i === null || i < 1 || i > xs.length ? null : xs[i - 1] ?? null),
});

