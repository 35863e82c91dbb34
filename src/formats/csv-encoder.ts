/**
 * Flink's `csv` format, writing side: one line per row (without the line separator), values in column order.
 * Quoting follows Jackson's default (the library Flink writes CSV with): a text value is quoted when it contains a
 * character below '-' (space, quote, comma, '#', '+', control characters...), the delimiter, the quote or the escape
 * character; numbers and booleans are never quoted. NULL is written as `csv.null-literal` unquoted (default: nothing).
 * ARRAY elements and nested ROW fields are joined by `csv.array-element-delimiter`.
 */
import type { Row, Value } from '../common/row.js';
import type { RowField, SqlType } from '../common/types.js';
import { encodeBase64 } from './base64.js';
import { csvDialect } from './csv-decoder.js';
import { parseBooleanOption } from './format-options.js';
import { javaDecimalToString, javaDoubleToString, javaFloatToString } from './java-number-text.js';
import { formatDate, formatTimeText, formatTimestampText } from './temporal-text.js';

type Writer = (v: Value) => string;

export function createCsvEncoder(fields: readonly RowField[], options: Record<string, string>): (row: Row) => string {
  const dialect = csvDialect(options);
  const nullText = options['csv.null-literal'] ?? '';
  const arrayDelimiter = options['csv.array-element-delimiter'] ?? ';';
  const plainDecimals = !parseBooleanOption(options['csv.write-bigdecimal-in-scientific-notation'], true);
  const quote = dialect.quote;
  const escapeFor = dialect.escape ?? quote;
  const special = new Set<string>([dialect.delimiter]);
  if (quote !== null) special.add(quote);
  if (dialect.escape !== null) special.add(dialect.escape);

  /** Jackson's loose check: quote when any character is below '-' or is the delimiter, quote or escape character. */
  const needsQuotes = (text: string): boolean => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x2d || special.has(text[i]!)) return true;
    }
    return false;
  };
  const quoteText = (text: string): string => {
    if (quote === null || !needsQuotes(text)) return text;
    let out = quote;
    for (const ch of text) {
      if (ch === quote || (dialect.escape !== null && ch === dialect.escape)) out += escapeFor + ch;
      else out += ch;
    }
    return out + quote;
  };

  const scalar = (t: SqlType): { write: Writer; text: boolean } => {
    switch (t.kind) {
      case 'BOOLEAN': return { write: (v) => (v ? 'true' : 'false'), text: false };
      case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT':
      case 'INTERVAL_YEAR_MONTH': case 'INTERVAL_DAY_TIME':
        return { write: (v) => String(v), text: false };
      case 'FLOAT': return { write: (v) => javaFloatToString(v as number), text: false };
      case 'DOUBLE': return { write: (v) => javaDoubleToString(v as number), text: false };
      case 'DECIMAL': {
        const scale = t.scale ?? 0;
        return { write: (v) => javaDecimalToString(v as number, scale, plainDecimals), text: false };
      }
      case 'BYTES': return { write: (v) => encodeBase64(v as Uint8Array), text: true };
      case 'DATE': return { write: (v) => formatDate(v as number), text: true };
      case 'TIME': return { write: (v) => formatTimeText(v as number), text: true };
      case 'TIMESTAMP': return { write: (v) => formatTimestampText(v as number, 'SQL', false), text: true };
      case 'TIMESTAMP_LTZ': return { write: (v) => formatTimestampText(v as number, 'SQL', true), text: true };
      default: return { write: (v) => String(v), text: true };
    }
  };

  const column = (t: SqlType): Writer => {
    if (t.kind === 'ARRAY' || t.kind === 'ROW') {
      const parts = t.kind === 'ARRAY' ? null : (t.fields ?? []).map((f) => scalar(f.type).write);
      const el = t.kind === 'ARRAY' ? scalar(t.element!).write : null;
      return (v) => {
        const a = v as Value[];
        let out = '';
        for (let i = 0; i < a.length; i++) {
          const x = a[i];
          if (i > 0) out += arrayDelimiter;
          out += x === null || x === undefined ? nullText : (el ?? parts![i]!)(x);
        }
        return quoteText(out);
      };
    }
    const { write, text } = scalar(t);
    return text ? (v) => quoteText(write(v)) : write;
  };

  const writers = fields.map((f) => column(f.type));
  const n = fields.length;
  const delimiter = dialect.delimiter;
  return (row: Row): string => {
    let out = '';
    for (let i = 0; i < n; i++) {
      if (i > 0) out += delimiter;
      const x = row[i];
      out += x === null || x === undefined ? nullText : writers[i]!(x);
    }
    return out;
  };
}
