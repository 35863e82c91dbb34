/**
 * SQL LIKE and SIMILAR TO patterns compiled to anchored RegExps (cached; patterns are usually literals).
 *
 * LIKE: '%' any sequence, '_' any one character, everything else literal; with ESCAPE c, 'c%', 'c_' and 'cc' are
 * literals and an escape before any other character (or at the end) is an error, as in Flink/Calcite.
 * SIMILAR TO: LIKE's wildcards plus regex operators | * + ? {m,n} ( ) [...]; other regex metacharacters ('.', '^',
 * '$', '\') are literals (Calcite's sqlToRegexSimilar). Both match the whole string, '.' matches newlines ('s' flag).
 */
import { ExprError } from './expr-error.js';

const likeCache = new Map<string, RegExp>();
const similarCache = new Map<string, RegExp>();
const META = /[.*+?^${}()|[\]\\/]/g;

function checkEscape(escape: string | null | undefined): string | undefined {
  if (escape === null || escape === undefined) return undefined;
  if (escape.length !== 1) throw new ExprError('FUNCTION_ARGUMENT', `invalid escape character '${escape}': must be one character`);
  return escape;
}

/** Compiles a LIKE pattern. Throws ExprError for a malformed escape sequence. */
export function compileLike(pattern: string, escape?: string | null): RegExp {
  const key = (escape ?? '') + '\u0000' + pattern;
  const hit = likeCache.get(key);
  if (hit) return hit;
  const esc = checkEscape(escape);
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (esc !== undefined && c === esc) {
      const n = pattern[i + 1];
      if (n === '%' || n === '_' || n === esc) { re += n.replace(META, '\\$&'); i++; continue; }
      throw new ExprError('FUNCTION_ARGUMENT', `invalid escape sequence in LIKE pattern '${pattern}'`);
    }
    if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(META, '\\$&');
  }
  const rx = new RegExp(re + '$', 's');
  if (likeCache.size > 5000) likeCache.clear();
  likeCache.set(key, rx);
  return rx;
}

/** Compiles a SIMILAR TO pattern. */
export function compileSimilar(pattern: string, escape?: string | null): RegExp {
  const key = (escape ?? '') + '\u0000' + pattern;
  const hit = similarCache.get(key);
  if (hit) return hit;
  const esc = checkEscape(escape);
  let re = '^(?:';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (esc !== undefined && c === esc) {
      const n = pattern[i + 1];
      if (n === undefined) throw new ExprError('FUNCTION_ARGUMENT', `invalid escape sequence in SIMILAR TO pattern '${pattern}'`);
      re += n.replace(META, '\\$&');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      re += c === '\\' ? '\\\\' : c;
      continue;
    }
    switch (c) {
      case '%': re += '.*'; break;
      case '_': re += '.'; break;
      case '[': inClass = true; re += c; break;
      case '|': case '*': case '+': case '?': case '(': case ')': case '{': case '}': re += c; break;
      default: re += c.replace(META, '\\$&');
    }
  }
  let rx: RegExp;
  try {
    rx = new RegExp(re + ')$', 's');
  } catch (e) {
    throw new ExprError('FUNCTION_ARGUMENT', `invalid SIMILAR TO pattern '${pattern}': ${(e as Error).message}`);
  }
  if (similarCache.size > 5000) similarCache.clear();
  similarCache.set(key, rx);
  return rx;
}
