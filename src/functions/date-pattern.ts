/**
 * Java date-time patterns compiled once (cached per pattern) into a formatter and a parser.
 *
 * Two flavours, because Flink uses both Java APIs:
 *  - 'java.time' (DateTimeFormatter): DATE_FORMAT on TIMESTAMP values, TO_TIMESTAMP. Strict widths ('MM' = 2
 *    digits), the whole text must match, 'u' is the year, 'S..S' is the fraction of the second, 'Q' the quarter.
 *  - 'simple' (SimpleDateFormat): FROM_UNIXTIME, UNIX_TIMESTAMP, DATE_FORMAT on strings, TO_DATE, CONVERT_TZ.
 *    Lenient: numbers may have fewer digits unless the next field abuts, out-of-range fields roll over
 *    ('2024-02-30' is March 1), trailing text is ignored, 'u' is the ISO day number of the week (1 = Monday),
 *    'S' is a count of milliseconds.
 * Supported letters: G y u Y M L d D E a H k K h m s S n A Q q w W F z Z X x O VV, 'quoted text', '' and [ ] optional
 * sections (java.time). Week-based fields use the US convention (weeks start on Sunday, week 1 contains January 1),
 * which is what the Java default locale of a Flink cluster gives in practice.
 */
import { civilFromDays, daysFromCivil, daysInMonth, MS_PER_DAY } from '../common/time.js';
import { formatOffset, zoneDisplayName, zoneOffsetMillis } from './time-zone.js';

export type PatternFlavor = 'java.time' | 'simple';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Token { letter: string; count: number; text?: string; optional?: number }

function tokenize(pattern: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  let depth = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") { out.push({ letter: '', count: 0, text: "'" }); i += 2; continue; }
      let j = i + 1, text = '';
      for (;;) {
        if (j >= pattern.length) return `unterminated quote in date pattern '${pattern}'`;
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") { text += "'"; j += 2; continue; }
          break;
        }
        text += pattern[j]; j++;
      }
      out.push({ letter: '', count: 0, text });
      i = j + 1;
      continue;
    }
    if (c === '[') { depth++; out.push({ letter: '[', count: 0 }); i++; continue; }
    if (c === ']') { depth--; out.push({ letter: ']', count: 0 }); i++; continue; }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      let j = i;
      while (pattern[j] === c) j++;
      if (!'GyuYMLdDEeacHkKhmsSnAQqwWFzZXxOV'.includes(c)) return `unknown pattern letter '${c}' in '${pattern}'`;
      out.push({ letter: c, count: j - i });
      i = j;
      continue;
    }
    out.push({ letter: '', count: 0, text: c });
    i++;
  }
  void depth;
  return out;
}

/** Calendar fields of a wall-clock instant, computed once per formatted value. */
interface Fields { y: number; M: number; d: number; H: number; m: number; s: number; ms: number; dow: number; doy: number; days: number }

function fieldsOf(wall: number): Fields {
  const days = Math.floor(wall / MS_PER_DAY);
  const tod = wall - days * MS_PER_DAY;
  const [y, M, d] = civilFromDays(days);
  return {
    y, M, d, days,
    H: Math.floor(tod / 3_600_000), m: Math.floor(tod / 60_000) % 60, s: Math.floor(tod / 1000) % 60, ms: tod % 1000,
    dow: ((days + 4) % 7 + 7) % 7, // 0 = Sunday
    doy: days - daysFromCivil(y, 1, 1) + 1,
  };
}

const pad = (n: number, w: number): string => {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= w ? s : '0'.repeat(w - s.length) + s);
};

/** US week of year: weeks start on Sunday and week 1 contains January 1. */
function usWeekOfYear(f: Fields): number {
  const weekStart = f.days - f.dow;
  if (weekStart + 6 >= daysFromCivil(f.y + 1, 1, 1)) return 1;
  const jan1Dow = ((f.dow - (f.doy - 1)) % 7 + 7) % 7;
  return Math.floor((f.doy - 1 + jan1Dow) / 7) + 1;
}

type Piece = (f: Fields, offset: number, zone: string) => string;

function formatPiece(t: Token, flavor: PatternFlavor): Piece | string {
  const n = t.count;
  switch (t.letter) {
    case '': { const s = t.text!; return () => s; }
    case '[': case ']': return () => '';
    case 'G': return (f) => (f.y > 0 ? 'AD' : 'BC');
    case 'u': case 'y': case 'Y':
      // SimpleDateFormat's 'u' is the ISO day number of the week; java.time's is the proleptic year.
      if (t.letter === 'u' && flavor === 'simple') return (f) => pad(f.dow === 0 ? 7 : f.dow, n);
      if (n === 2) return (f) => pad(((f.y % 100) + 100) % 100, 2);
      return (f) => pad(t.letter === 'y' && f.y <= 0 ? 1 - f.y : f.y, n);
    case 'M': case 'L':
      if (n >= 4) return (f) => MONTHS[f.M - 1]!;
      if (n === 3) return (f) => MONTHS[f.M - 1]!.slice(0, 3);
      return (f) => pad(f.M, n);
    case 'd': return (f) => pad(f.d, n);
    case 'D': return (f) => pad(f.doy, n);
    case 'E': return n >= 4 ? (f) => DAYS[f.dow]! : (f) => DAYS[f.dow]!.slice(0, 3);
    case 'e': case 'c': return (f) => pad(f.dow + 1, n);
    case 'a': return (f) => (f.H < 12 ? 'AM' : 'PM');
    case 'H': return (f) => pad(f.H, n);
    case 'k': return (f) => pad(f.H === 0 ? 24 : f.H, n);
    case 'K': return (f) => pad(f.H % 12, n);
    case 'h': return (f) => pad(f.H % 12 === 0 ? 12 : f.H % 12, n);
    case 'm': return (f) => pad(f.m, n);
    case 's': return (f) => pad(f.s, n);
    case 'S':
      if (flavor === 'simple') return (f) => pad(f.ms, n);
      return (f) => { const s = pad(f.ms, 3); return n <= 3 ? s.slice(0, n) : s + '0'.repeat(n - 3); };
    case 'n': return (f) => pad(f.ms * 1_000_000, n);
    case 'A': return (f) => pad(((f.H * 60 + f.m) * 60 + f.s) * 1000 + f.ms, n);
    case 'Q': case 'q':
      if (n === 3) return (f) => 'Q' + Math.ceil(f.M / 3);
      if (n >= 4) return (f) => ['1st', '2nd', '3rd', '4th'][Math.ceil(f.M / 3) - 1] + ' quarter';
      return (f) => pad(Math.ceil(f.M / 3), n);
    case 'w': return (f) => pad(usWeekOfYear(f), n);
    case 'W': return (f) => { const firstDow = ((f.dow - (f.d - 1)) % 7 + 7) % 7; return pad(Math.floor((f.d - 1 + firstDow) / 7) + 1, n); };
    case 'F': return (f) => pad(Math.floor((f.d - 1) / 7) + 1, n);
    case 'z': case 'V': return (_f, off, zone) => zoneDisplayName(zone, off);
    case 'O': return (_f, off) => (off === 0 ? 'GMT' : 'GMT' + formatOffset(off, true, n >= 4).replace(/^([+-])0(\d)/, n >= 4 ? '$10$2' : '$1$2'));
    case 'Z':
      if (flavor === 'java.time' && n === 4) return (_f, off) => (off === 0 ? 'GMT' : 'GMT' + formatOffset(off, true));
      if (flavor === 'java.time' && n >= 5) return (_f, off) => (off === 0 ? 'Z' : formatOffset(off, true));
      return (_f, off) => formatOffset(off, false);
    case 'X': case 'x': {
      const z = t.letter === 'X';
      return (_f, off) => (z && off === 0 ? 'Z' : n === 1 ? formatOffset(off, false, false) : formatOffset(off, n >= 3));
    }
    default: return `unsupported pattern letter '${t.letter}'`;
  }
}

export interface DateFormatter {
  /** Formats wall-clock millis; `offsetMs` and `zone` feed the zone letters (z, Z, X). */
  (wallMs: number, offsetMs?: number, zone?: string): string;
}

export interface ParsedDateTime {
  /** Wall-clock millis read as UTC. */
  wall: number;
  /** Offset given in the text (X, Z, z letters), if any. */
  offset?: number;
}

export interface DateParser { (text: string): ParsedDateTime | undefined }

export interface CompiledPattern { format: DateFormatter; parse: DateParser }

const cache = new Map<string, CompiledPattern | { error: string }>();

/** Compiles (cached) a Java date-time pattern, or returns an error for an invalid pattern. */
export function compileDatePattern(pattern: string, flavor: PatternFlavor): CompiledPattern | { error: string } {
  const key = flavor + '\u0000' + pattern;
  let c = cache.get(key);
  if (c) return c;
  c = build(pattern, flavor);
  if (cache.size > 1000) cache.clear();
  cache.set(key, c);
  return c;
}

function build(pattern: string, flavor: PatternFlavor): CompiledPattern | { error: string } {
  const toks = tokenize(pattern);
  if (typeof toks === 'string') return { error: toks };
  const pieces: Piece[] = [];
  for (const t of toks) {
    const p = formatPiece(t, flavor);
    if (typeof p === 'string') return { error: p };
    pieces.push(p);
  }
  const format: DateFormatter = (wall, offset = 0, zone = 'UTC') => {
    const f = fieldsOf(wall);
    let s = '';
    for (let i = 0; i < pieces.length; i++) s += pieces[i]!(f, offset, zone);
    return s;
  };
  const parse = buildParser(toks, flavor);
  return { format, parse };
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

interface Acc { zone?: string; y?: number; M?: number; d?: number; doy?: number; H?: number; h?: number; pm?: boolean; m?: number; s?: number; ms?: number; offset?: number; bc?: boolean }
type Setter = (acc: Acc, text: string) => boolean;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isNumericLetter = (l: string, n: number, flavor: PatternFlavor): boolean =>
  'yuYdDHkKhmsSnAwWFe'.includes(l) || ((l === 'M' || l === 'L') && n <= 2) || ((l === 'Q' || l === 'q') && n <= 2)
  || (l === 'u' && flavor === 'simple');

function monthFromName(s: string): number {
  const l = s.toLowerCase();
  for (let i = 0; i < 12; i++) if (MONTHS[i]!.toLowerCase().startsWith(l.slice(0, 3)) && (l.length === 3 || MONTHS[i]!.toLowerCase() === l)) return i + 1;
  return 0;
}

function parseOffsetText(s: string): number | undefined {
  if (s === 'Z' || s === 'z') return 0;
  const m = /^(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?$/.exec(s);
  if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3_600_000 + (m[3] ? Number(m[3]) : 0) * 60_000);
  if (s === 'GMT' || s === 'UTC') return 0;
  return undefined;
}

function buildParser(toks: Token[], flavor: PatternFlavor): DateParser {
  let re = '^';
  const setters: Setter[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const n = t.count;
    const next = toks[i + 1];
    const abuts = next !== undefined && next.letter !== '' && next.letter !== '[' && next.letter !== ']'
      && isNumericLetter(next.letter, next.count, flavor);
    const num = (strictWidth: boolean): string => {
      if (flavor === 'java.time') return strictWidth ? `(\\d{${n}})` : n >= 2 ? `(\\d{${n}})` : '(\\d{1,9})';
      return abuts ? `(\\d{${n}})` : '(\\d{1,9})';
    };
    switch (t.letter) {
      case '': re += escapeRe(t.text!); continue;
      case '[': re += '(?:'; continue;
      case ']': re += ')?'; continue;
      case 'G': re += '(AD|BC)'; setters.push((a, s) => { a.bc = s.toUpperCase() === 'BC'; return true; }); continue;
      case 'y': case 'Y': case 'u':
        if (t.letter === 'u' && flavor === 'simple') { re += num(false); setters.push(() => true); continue; }
        if (n === 2) {
          re += '(\\d{2})';
          setters.push((a, s) => { a.y = 2000 + Number(s); if (flavor === 'simple' && a.y > new Date().getUTCFullYear() + 20) a.y -= 100; return true; });
        } else {
          re += flavor === 'java.time' ? (abuts ? `([+-]?\\d{${Math.max(n, 4)}})` : `([+-]?\\d{${Math.max(n, 4)},9})`) : (abuts ? `(\\d{${n}})` : '(\\d{1,9})');
          setters.push((a, s) => { a.y = Number(s); return true; });
        }
        continue;
      case 'M': case 'L':
        if (n >= 3) {
          re += n === 3 ? '([A-Za-z]{3})' : '([A-Za-z]+)';
          setters.push((a, s) => { const m = monthFromName(s); if (!m) return false; a.M = m; return true; });
        } else { re += num(false); setters.push((a, s) => { a.M = Number(s); return true; }); }
        continue;
      case 'd': re += num(false); setters.push((a, s) => { a.d = Number(s); return true; }); continue;
      case 'D': re += flavor === 'java.time' ? `(\\d{${n},3})` : num(false); setters.push((a, s) => { a.doy = Number(s); return true; }); continue;
      case 'E': re += '([A-Za-z]+)'; setters.push(() => true); continue;
      case 'e': case 'c': case 'w': case 'W': case 'F': re += num(false); setters.push(() => true); continue;
      case 'a': re += '([AaPp][Mm])'; setters.push((a, s) => { a.pm = s.toUpperCase() === 'PM'; return true; }); continue;
      case 'H': re += num(false); setters.push((a, s) => { a.H = Number(s); return true; }); continue;
      case 'k': re += num(false); setters.push((a, s) => { a.H = Number(s) % 24; return true; }); continue;
      case 'K': case 'h': re += num(false); setters.push((a, s) => { a.h = Number(s) % 12; return true; }); continue;
      case 'm': re += num(false); setters.push((a, s) => { a.m = Number(s); return true; }); continue;
      case 's': re += num(false); setters.push((a, s) => { a.s = Number(s); return true; }); continue;
      case 'S':
        if (flavor === 'simple') { re += num(false); setters.push((a, s) => { a.ms = Number(s); return true; }); } else {
          re += `(\\d{${n}})`;
          setters.push((a, s) => { a.ms = Number((s + '00').slice(0, 3)); return true; });
        }
        continue;
      case 'n': re += '(\\d{1,9})'; setters.push((a, s) => { a.ms = Math.floor(Number(s) / 1_000_000); return true; }); continue;
      case 'A': re += '(\\d{1,8})'; setters.push((a, s) => { const v = Number(s); a.H = Math.floor(v / 3_600_000); a.m = Math.floor(v / 60_000) % 60; a.s = Math.floor(v / 1000) % 60; a.ms = v % 1000; return true; }); continue;
      case 'Q': case 'q': re += n <= 2 ? '(\\d{1,2})' : '(Q\\d|\\w+ quarter)'; setters.push(() => true); continue;
      case 'X': case 'x': case 'Z': case 'O':
        re += '(Z|z|(?:GMT|UTC)?[+-]\\d{1,2}(?::?\\d{2})?|GMT|UTC)';
        setters.push((a, s) => { const o = parseOffsetText(s); if (o === undefined) return false; a.offset = o; return true; });
        continue;
      case 'z': case 'V':
        re += '([A-Za-z][A-Za-z0-9_/+:-]*)';
        setters.push((a, s) => {
          const o = parseOffsetText(s);
          if (o !== undefined) a.offset = o; else a.zone = s;
          return true;
        });
        continue;
      default: continue;
    }
  }
  if (flavor === 'java.time') re += '$';
  const rx = new RegExp(re, 'i');
  return (text: string) => {
    const m = rx.exec(text);
    if (!m) return undefined;
    const a: Acc = {};
    for (let i = 0; i < setters.length; i++) {
      const g = m[i + 1];
      if (g === undefined) continue;
      if (!setters[i]!(a, g)) return undefined;
    }
    let y = a.y ?? 1970;
    if (a.bc) y = 1 - y;
    let H = a.H ?? 0;
    if (a.h !== undefined) H = a.h + (a.pm ? 12 : 0);
    else if (a.pm && H < 12) H += 12;
    const mi = a.m ?? 0, s = a.s ?? 0, ms = a.ms ?? 0;
    let days: number;
    if (a.doy !== undefined && a.M === undefined && a.d === undefined) {
      days = daysFromCivil(y, 1, 1) + a.doy - 1;
    } else {
      const M = a.M ?? 1, d = a.d ?? 1;
      if (flavor === 'java.time') {
        if (M < 1 || M > 12 || d < 1 || d > 31 || H > 23 || mi > 59 || s > 59) return undefined;
        // SMART resolver: day 29-31 beyond the month's end is clamped to the last day.
        days = daysFromCivil(y, M, Math.min(d, daysInMonth(y, M)));
      } else {
        // SimpleDateFormat is lenient: fields roll over into the next unit.
        const total = y * 12 + (M - 1);
        const yy = Math.floor(total / 12);
        days = daysFromCivil(yy, total - yy * 12 + 1, 1) + d - 1;
      }
    }
    const wall = days * MS_PER_DAY + H * 3_600_000 + mi * 60_000 + s * 1000 + ms;
    let offset = a.offset;
    if (a.zone !== undefined) {
      // Offset looked up at the wall time read as UTC: exact except within hours of a transition.
      try { offset = zoneOffsetMillis(a.zone, wall); } catch { return undefined; }
    }
    return offset === undefined ? { wall } : { wall, offset };
  };
}
