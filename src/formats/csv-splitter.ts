/**
 * Splits one CSV record into its values the way Jackson's CSV parser (used by Flink's `csv` format) does: a value is
 * quoted only when it starts with the quote character; inside quotes a doubled quote is a literal quote and
 * delimiters and line breaks are data; the escape character (off by default) makes the next character literal, with
 * `\n`, `\r`, `\t`, `\0` read as control characters. Whitespace is kept.
 */
import { DecodeError } from './decode-error.js';

export interface CsvDialect {
  delimiter: string;
  /** Null when quoting is disabled. */
  quote: string | null;
  /** Null when no escape character is set. */
  escape: string | null;
}

function unescapeChar(c: string): string {
  switch (c) {
    case '0': return '\0';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return c;
  }
}

export class CsvSplitter {
  private readonly delim: number;
  private readonly quote: number;
  private readonly esc: number;

  constructor(dialect: CsvDialect) {
    this.delim = dialect.delimiter.charCodeAt(0);
    this.quote = dialect.quote === null ? -1 : dialect.quote.charCodeAt(0);
    this.esc = dialect.escape === null ? -1 : dialect.escape.charCodeAt(0);
  }

  /**
   * Writes the record's values into `out` (reused between records) and returns how many there are. A record of n
   * delimiters has n + 1 values. Throws DecodeError for an unterminated quote or text after a closing quote.
   */
  split(line: string, out: string[]): number {
    const len = line.length;
    const { delim, quote, esc } = this;
    let i = 0;
    let n = 0;
    while (true) {
      if (i < len && line.charCodeAt(i) === quote) {
        i++;
        let buf = '';
        let seg = i;
        while (true) {
          if (i >= len) throw new DecodeError(`unterminated quoted value in column ${n + 1}`);
          const c = line.charCodeAt(i);
          if (c === quote) {
            if (i + 1 < len && line.charCodeAt(i + 1) === quote) {
              buf += line.slice(seg, i + 1);
              i += 2;
              seg = i;
              continue;
            }
            buf += line.slice(seg, i);
            i++;
            break;
          }
          if (c === esc) {
            if (i + 1 >= len) throw new DecodeError(`unterminated quoted value in column ${n + 1}`);
            buf += line.slice(seg, i) + unescapeChar(line[i + 1]!);
            i += 2;
            seg = i;
            continue;
          }
          i++;
        }
        out[n++] = buf;
        if (i >= len) return n;
        if (line.charCodeAt(i) !== delim) {
          throw new DecodeError(`unexpected character '${line[i]}' after the closing quote of column ${n}`);
        }
        i++;
      } else {
        let buf = '';
        let seg = i;
        while (i < len) {
          const c = line.charCodeAt(i);
          if (c === delim) break;
          if (c === esc && i + 1 < len) {
            buf += line.slice(seg, i) + unescapeChar(line[i + 1]!);
            i += 2;
            seg = i;
            continue;
          }
          i++;
        }
        out[n++] = seg === 0 && buf === '' && i === len ? line : buf + line.slice(seg, i);
        if (i >= len) return n;
        i++; // the delimiter; a record ending in one has a last, empty value
      }
    }
  }

  /** True when `text` ends inside an open quoted value, so the record continues on the next line. */
  endsInsideQuotes(text: string): boolean {
    const { delim, quote, esc } = this;
    if (quote === -1) return false;
    const len = text.length;
    let atStart = true;
    let inQuotes = false;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === esc) { i++; continue; }
        if (c === quote) {
          if (i + 1 < len && text.charCodeAt(i + 1) === quote) { i++; continue; }
          inQuotes = false;
        }
      } else if (atStart && c === quote) {
        inQuotes = true;
        atStart = false;
      } else if (c === esc) {
        i++;
        atStart = false;
      } else {
        atStart = c === delim;
      }
    }
    return inQuotes;
  }
}
