/**
 * Lexer for Flink SQL. Turns script text into tokens with exact offsets and 1-based line/column. Comments are
 * dropped, except `/*+ ... *\/` hints, which become a `hintStart` token, the hint's own tokens, and `hintEnd`, so the
 * parser can attach hints where Flink allows them (and reject them elsewhere, as Flink does).
 *
 * The lexer never stops at an error: it records a Diagnostic, produces a best-effort token and goes on, so the parser
 * still sees the structure of the rest of the script (the editor underlines as you type).
 */

import type { Diagnostic, Span } from '../common/diagnostics.js';
import { sqlDiag } from './sql-error-codes.js';

export type TokenKind =
  | 'word' // identifier or keyword, unquoted
  | 'quoted' // `backtick quoted` identifier
  | 'string' // 'character string'
  | 'binary' // X'0AFF'
  | 'number'
  | 'op' // punctuation and operators
  | 'hintStart' // /*+
  | 'hintEnd' // */ closing a hint
  | 'eof';

export type NumberKind = 'integer' | 'decimal' | 'approx';

export interface Token {
  readonly kind: TokenKind;
  /**
   * word: upper-cased text (for keyword matching; the original is `text`); quoted: the unescaped name;
   * string: the unescaped content; binary: the hex digits; number/op: the text.
   */
  readonly value: string;
  /** The exact source text of the token. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  readonly numberKind?: NumberKind;
}

export interface LexResult {
  readonly tokens: Token[];
  readonly diagnostics: Diagnostic[];
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c > 127 && /\p{L}/u.test(String.fromCharCode(c)));
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c) || c === 36 /* $ */;
const isHex = (c: string): boolean => /^[0-9A-Fa-f]$/.test(c);

// Longest operators first; all are ASCII.
const OPS3: readonly string[] = [];
const OPS2 = ['<>', '!=', '<=', '>=', '=>', '||', '::'];
const OPS1 = '()[],;.+-*/%=<>?:{}';

/** Tokenizes `text`. The token list always ends with one `eof` token. */
export function lex(text: string): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let inHint = false;

  const span = (start: number, end: number, l = line, ls = lineStart): Span => ({ start, end, line: l, column: start - ls + 1 });
  const push = (kind: TokenKind, value: string, start: number, end: number, l: number, ls: number, numberKind?: NumberKind): void => {
    const t: Token = numberKind
      ? { kind, value, text: text.slice(start, end), start, end, line: l, column: start - ls + 1, numberKind }
      : { kind, value, text: text.slice(start, end), start, end, line: l, column: start - ls + 1 };
    tokens.push(t);
  };
  /** Advances over text[from, to) counting newlines. */
  const countLines = (from: number, to: number): void => {
    for (let k = from; k < to; k++) {
      if (text.charCodeAt(k) === 10) { line++; lineStart = k + 1; }
    }
  };
  /** End of the line containing `pos` (exclusive), for spans of unterminated constructs. */
  const lineEnd = (pos: number): number => {
    const e = text.indexOf('\n', pos);
    return e < 0 ? n : e;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 13 || c === 12) { i++; continue; }
    if (c === 10) { i++; line++; lineStart = i; continue; }
    // -- line comment
    if (c === 45 && text.charCodeAt(i + 1) === 45) {
      const e = text.indexOf('\n', i);
      i = e < 0 ? n : e;
      continue;
    }
    // */ closing a hint
    if (inHint && c === 42 && text.charCodeAt(i + 1) === 47) {
      push('hintEnd', '*/', i, i + 2, line, lineStart);
      i += 2;
      inHint = false;
      continue;
    }
    // /* comment */ or /*+ hint
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      if (text.charCodeAt(i + 2) === 43 && !inHint) {
        if (text.indexOf('*/', i + 3) < 0) {
          diagnostics.push(sqlDiag('SQL103', { what: 'hint' }, span(i, i + 3)));
        }
        push('hintStart', '/*+', i, i + 3, line, lineStart);
        i += 3;
        inHint = true;
        continue;
      }
      const e = text.indexOf('*/', i + 2);
      if (e < 0) {
        diagnostics.push(sqlDiag('SQL103', { what: 'block comment' }, span(i, lineEnd(i))));
        countLines(i, n);
        i = n;
      } else {
        countLines(i, e + 2);
        i = e + 2;
      }
      continue;
    }
    const start = i;
    const l0 = line;
    const ls0 = lineStart;
    // 'string'
    if (c === 39) {
      const r = scanQuoted(text, i + 1, "'");
      if (!r.closed) diagnostics.push(sqlDiag('SQL102', {}, span(start, lineEnd(start))));
      countLines(start, r.end);
      push('string', r.value, start, r.end, l0, ls0);
      i = r.end;
      continue;
    }
    // `quoted identifier`
    if (c === 96) {
      const r = scanQuoted(text, i + 1, '`');
      if (!r.closed) diagnostics.push(sqlDiag('SQL105', {}, span(start, lineEnd(start))));
      else if (r.value.length === 0) diagnostics.push(sqlDiag('SQL107', { detail: 'empty quoted identifier' }, span(start, r.end)));
      countLines(start, r.end);
      push('quoted', r.value, start, r.end, l0, ls0);
      i = r.end;
      continue;
    }
    // "double quoted": not an identifier quote in Flink; report and treat as one so parsing continues.
    if (c === 34) {
      const r = scanQuoted(text, i + 1, '"');
      diagnostics.push(sqlDiag('SQL107', { detail: 'double quotes are not valid in Flink SQL' }, span(start, r.closed ? r.end : lineEnd(start))));
      countLines(start, r.end);
      push('quoted', r.value, start, r.end, l0, ls0);
      i = r.end;
      continue;
    }
    // X'0AFF' binary string
    if ((c === 88 || c === 120) && text.charCodeAt(i + 1) === 39) {
      const r = scanQuoted(text, i + 2, "'");
      if (!r.closed) diagnostics.push(sqlDiag('SQL102', {}, span(start, lineEnd(start))));
      else if (r.value.length % 2 !== 0 || ![...r.value].every(isHex)) {
        diagnostics.push(sqlDiag('SQL108', { text: r.value }, span(start, r.end)));
      }
      countLines(start, r.end);
      push('binary', r.value, start, r.end, l0, ls0);
      i = r.end;
      continue;
    }
    // number
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let kind: NumberKind = 'integer';
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46 && !(text.charCodeAt(i + 1) === 46)) {
        kind = 'decimal';
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      let bad = false;
      const e = text.charCodeAt(i);
      if (e === 69 || e === 101) {
        kind = 'approx';
        i++;
        if (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45) i++;
        if (!isDigit(text.charCodeAt(i))) bad = true;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      if (i < n && isIdentPart(text.charCodeAt(i))) {
        bad = true;
        while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      }
      if (bad) diagnostics.push(sqlDiag('SQL104', { text: text.slice(start, i) }, span(start, i)));
      push('number', text.slice(start, i), start, i, l0, ls0, kind);
      continue;
    }
    // word
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const w = text.slice(start, i);
      push('word', w.toUpperCase(), start, i, l0, ls0);
      continue;
    }
    // operators
    const two = text.slice(i, i + 2);
    const three = text.slice(i, i + 3);
    if (OPS3.includes(three)) { push('op', three, i, i + 3, l0, ls0); i += 3; continue; }
    if (OPS2.includes(two)) { push('op', two, i, i + 2, l0, ls0); i += 2; continue; }
    const ch = text[i]!;
    if (OPS1.includes(ch)) { push('op', ch, i, i + 1, l0, ls0); i++; continue; }
    // anything else: report and skip one code point
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    diagnostics.push(sqlDiag('SQL106', { char: String.fromCodePoint(cp) }, span(i, i + len)));
    i += len;
  }
  tokens.push({ kind: 'eof', value: '', text: '', start: n, end: n, line, column: n - lineStart + 1 });
  return { tokens, diagnostics };
}

/** Scans a quoted run starting after the opening quote; a doubled quote stands for one quote character. */
function scanQuoted(text: string, from: number, q: string): { value: string; end: number; closed: boolean } {
  let value = '';
  let i = from;
  for (;;) {
    const e = text.indexOf(q, i);
    if (e < 0) return { value: value + text.slice(i), end: text.length, closed: false };
    value += text.slice(i, e);
    if (text[e + 1] === q) {
      value += q;
      i = e + 2;
      continue;
    }
    return { value, end: e + 1, closed: true };
  }
}
