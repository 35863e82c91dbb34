/**
 * Java regular expressions (what Flink's REGEXP_* functions and STR_TO_MAP take) on JavaScript's RegExp.
 *
 * Translated: POSIX classes \p{Alpha} \p{Digit} \p{Alnum} \p{Upper} \p{Lower} \p{Punct} \p{Space} \p{XDigit}
 * \p{Blank} \p{Cntrl} \p{Print} \p{Graph} \p{ASCII} (and \P{..} negations) to explicit ranges; \p{L}, \p{IsAlphabetic}
 * style Unicode properties by switching to the 'u' flag; \Q...\E quoting; \A and \z anchors; atomic groups (?>...)
 * become plain groups and possessive quantifiers (*+ ++ ?+) greedy ones (same matches in the common cases, without
 * the no-backtracking guarantee); leading inline flags (?i) (?s) (?m) become RegExp flags.
 * Not supported (compile error, the function returns NULL as Flink does for an invalid regex): (?x) comments mode,
 * inline flags in the middle of a pattern, \G, \R, \h \v classes, nested classes and intersections [a-z&&[^e]].
 * Java replacement strings ($1, ${name}, \$) are converted by javaReplacement.
 */
import { ExprError } from './expr-error.js';

const POSIX: Record<string, string> = {
  Lower: 'a-z', Upper: 'A-Z', ASCII: '\\x00-\\x7F', Alpha: 'A-Za-z', Digit: '0-9', Alnum: 'A-Za-z0-9',
  Punct: '!-\\/:-@\\[-`{-~', Graph: '!-~', Print: ' -~', Blank: ' \\t', Cntrl: '\\x00-\\x1F\\x7F', XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r', javaLowerCase: 'a-z', javaUpperCase: 'A-Z', javaWhitespace: ' \\t\\n\\x0B\\f\\r',
};
const UNICODE_ALIASES: Record<string, string> = {
  IsAlphabetic: 'Alphabetic', IsLetter: 'L', IsDigit: 'Nd', IsUppercase: 'Uppercase', IsLowercase: 'Lowercase',
  IsWhite_Space: 'White_Space', IsPunctuation: 'P', L: 'L', Lu: 'Lu', Ll: 'Ll', N: 'N', Nd: 'Nd', P: 'P', S: 'S', Z: 'Z',
  IsLatin: 'Script=Latin', IsHan: 'Script=Han', IsCyrillic: 'Script=Cyrillic', IsGreek: 'Script=Greek',
};

export interface TranslatedRegex { source: string; flags: string }

/** Translates Java regex syntax to a JS RegExp source and flags; throws ExprError when unsupported or invalid. */
export function translateJavaRegex(pattern: string): TranslatedRegex {
  let flags = '';
  let src = pattern;
  for (;;) {
    const m = /^\(\?([imsux]+)\)/.exec(src);
    if (!m) break;
    for (const f of m[1]!) {
      if (f === 'x') throw new ExprError('REGEX_INVALID', 'regex comments mode (?x) is not supported');
      if (f === 'u') continue;
      if (!flags.includes(f)) flags += f;
    }
    src = src.slice(m[0].length);
  }
  let out = '';
  let inClass = 0;
  let unicode = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new ExprError('REGEX_INVALID', `unexpected end of regex '${pattern}'`);
      if (n === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        out += lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (n === 'p' || n === 'P') {
        const m = /^\{(\w+)\}/.exec(src.slice(i + 2));
        const name = m ? m[1]! : src[i + 2] ?? '';
        const len = m ? m[0].length : 1;
        const posix = POSIX[name.replace(/^Is/, '')] ?? POSIX[name];
        if (posix !== undefined) {
          if (inClass) {
            if (n === 'P') throw new ExprError('REGEX_INVALID', 'negated POSIX class inside [...] is not supported');
            out += posix;
          } else out += n === 'p' ? `[${posix}]` : `[^${posix}]`;
        } else {
          const u = UNICODE_ALIASES[name];
          if (!u) throw new ExprError('REGEX_INVALID', `unsupported regex property \\${n}{${name}}`);
          unicode = true;
          out += `\\${n}{${u}}`;
        }
        i += 1 + len;
        continue;
      }
      if (n === 'A') { out += '^'; i++; continue; }
      if (n === 'z') { out += '$(?![\\s\\S])'; i++; continue; }
      if (n === 'Z') { out += '(?=\\n?$(?![\\s\\S]))'; i++; continue; }
      if (n === 'G' || n === 'R' || n === 'h' || n === 'H' || n === 'v' || n === 'V') {
        throw new ExprError('REGEX_INVALID', `regex escape \\${n} is not supported`);
      }
      out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[') throw new ExprError('REGEX_INVALID', 'nested character classes [a[b]] are not supported');
      if (c === ']') { inClass = 0; out += c; continue; }
      if (c === '&' && src[i + 1] === '&') throw new ExprError('REGEX_INVALID', 'character class intersection && is not supported');
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = 1;
      out += c;
      if (src[i + 1] === '^') { out += '^'; i++; }
      if (src[i + 1] === ']') { out += '\\]'; i++; } // Java allows a leading ] as a literal
      continue;
    }
    if (c === '(' && src.startsWith('(?>', i)) { out += '(?:'; i += 2; continue; }
    if (c === '(' && /^\(\?[imsux-]+[:)]/.test(src.slice(i))) {
      throw new ExprError('REGEX_INVALID', 'inline regex flags inside a pattern are not supported');
    }
    if ((c === '+') && i > 0 && /[*+?}]/.test(src[i - 1]!) && src[i - 2] !== '\\') continue; // possessive -> greedy
    out += c;
  }
  if (inClass) throw new ExprError('REGEX_INVALID', `unclosed character class in regex '${pattern}'`);
  if (unicode) flags += 'u';
  return { source: out, flags };
}

const cache = new Map<string, RegExp | ExprError>();

/**
 * Compiles (cached) a Java regex to a RegExp with the extra `flags` (e.g. 'g'). Throws ExprError(REGEX_INVALID).
 * Callers using the 'g' or 'y' flag must reset lastIndex (the instance is shared).
 */
export function compileJavaRegex(pattern: string, extraFlags = ''): RegExp {
  const key = extraFlags + '\u0000' + pattern;
  let r = cache.get(key);
  if (r === undefined) {
    try {
      const t = translateJavaRegex(pattern);
      r = new RegExp(t.source, t.flags + extraFlags);
    } catch (e) {
      r = e instanceof ExprError ? e : new ExprError('REGEX_INVALID', `invalid regex '${pattern}': ${(e as Error).message}`);
    }
    if (cache.size > 2000) cache.clear();
    cache.set(key, r);
  }
  if (r instanceof ExprError) throw r;
  return r;
}

/** Converts a Java Matcher replacement string to a JS String.replace one. */
export function javaReplacement(repl: string): string {
  if (repl.indexOf('$') < 0 && repl.indexOf('\\') < 0) return repl;
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c === '\\') {
      const n = repl[i + 1];
      if (n === undefined) throw new ExprError('REGEX_INVALID', 'character to be escaped is missing in replacement');
      out += n === '$' ? '$$' : n;
      i++;
    } else if (c === '$') {
      const m = /^\$(\d+|\{(\w+)\})/.exec(repl.slice(i));
      if (!m) throw new ExprError('REGEX_INVALID', `illegal group reference in replacement '${repl}'`);
      out += m[2] ? `$<${m[2]}>` : `$${m[1]}`;
      i += m[0].length - 1;
    } else out += c;
  }
  return out;
}
