/**
 * Flink's `json` format, writing side (RowDataToJsonConverters): one JSON object per row, keys in column order.
 * Numbers are written as Java writes them (DOUBLE `1.0`, `1.0E10`; non-finite as the strings "NaN"/"Infinity";
 * DECIMAL via BigDecimal.toString), DATE `yyyy-MM-dd`, TIME `HH:mm:ss` (Flink's JSON TIME drops the fraction),
 * TIMESTAMP in the configured standard with a minimal fraction, TIMESTAMP_LTZ the same with `Z`, BYTES as base64.
 */
import { FreshetError, diag } from '../common/diagnostics.js';
import type { Row, Value } from '../common/row.js';
import type { RowField, SqlType } from '../common/types.js';
import { encodeBase64 } from './base64.js';
import { parseBooleanOption } from './format-options.js';
import { javaDecimalToString, javaDoubleToString, javaFloatToString } from './java-number-text.js';
import { formatDate, formatTimeText, formatTimestampText, type TimestampStandard } from './temporal-text.js';

type Writer = (v: Value) => string;

interface Settings {
  standard: TimestampStandard;
  plainDecimals: boolean;
  ignoreNullFields: boolean;
  nullKeyMode: 'FAIL' | 'DROP' | 'LITERAL';
  nullKeyLiteral: string;
}

export function createJsonEncoder(fields: readonly RowField[], options: Record<string, string>): (row: Row) => string {
  const mode = (options['json.map-null-key.mode'] ?? 'FAIL').toUpperCase();
  const s: Settings = {
    standard: options['json.timestamp-format.standard'] === 'ISO-8601' ? 'ISO-8601' : 'SQL',
    plainDecimals: parseBooleanOption(options['json.encode.decimal-as-plain-number'], false),
    ignoreNullFields: parseBooleanOption(options['json.encode.ignore-null-fields'], false),
    nullKeyMode: mode === 'DROP' ? 'DROP' : mode === 'LITERAL' ? 'LITERAL' : 'FAIL',
    nullKeyLiteral: options['json.map-null-key.literal'] ?? 'null',
  };
  return compileRow(fields, s) as (row: Row) => string;
}

function compileRow(fields: readonly RowField[], s: Settings): Writer {
  const keys = fields.map((f) => JSON.stringify(f.name) + ':');
  const writers = fields.map((f) => compile(f.type, s));
  const n = fields.length;
  return (v: Value): string => {
    const row = v as Row;
    let out = '{';
    let first = true;
    for (let i = 0; i < n; i++) {
      const x = row[i];
      if (x === null || x === undefined) {
        if (s.ignoreNullFields) continue;
        out += (first ? '' : ',') + keys[i] + 'null';
      } else {
        out += (first ? '' : ',') + keys[i] + writers[i]!(x);
      }
      first = false;
    }
    return out + '}';
  };
}

const nonFinite = (d: number): string => JSON.stringify(javaDoubleToString(d));

function compile(t: SqlType, s: Settings): Writer {
  switch (t.kind) {
    case 'NULL': return () => 'null';
    case 'BOOLEAN': return (v) => (v ? 'true' : 'false');
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT':
    case 'INTERVAL_YEAR_MONTH': case 'INTERVAL_DAY_TIME':
      return (v) => String(v);
    case 'FLOAT':
      return (v) => (Number.isFinite(v) ? javaFloatToString(v as number) : nonFinite(v as number));
    case 'DOUBLE':
      return (v) => (Number.isFinite(v) ? javaDoubleToString(v as number) : nonFinite(v as number));
    case 'DECIMAL': {
      const scale = t.scale ?? 0;
      return (v) => javaDecimalToString(v as number, scale, s.plainDecimals);
    }
    case 'CHAR': case 'VARCHAR': return (v) => JSON.stringify(v);
    case 'BYTES': return (v) => JSON.stringify(encodeBase64(v as Uint8Array));
    case 'DATE': return (v) => `"${formatDate(v as number)}"`;
    case 'TIME': return (v) => `"${formatTimeText(v as number, false)}"`;
    case 'TIMESTAMP': return (v) => JSON.stringify(formatTimestampText(v as number, s.standard, false));
    case 'TIMESTAMP_LTZ': return (v) => JSON.stringify(formatTimestampText(v as number, s.standard, true));
    case 'ARRAY': {
      const el = compile(t.element!, s);
      return (v) => {
        const a = v as Value[];
        let out = '[';
        for (let i = 0; i < a.length; i++) {
          const x = a[i];
          out += (i > 0 ? ',' : '') + (x === null || x === undefined ? 'null' : el(x));
        }
        return out + ']';
      };
    }
    case 'MAP': {
      const val = compile(t.value!, s);
      return (v) => {
        let out = '{';
        let first = true;
        for (const [k, x] of v as Map<Value, Value>) {
          let key: string;
          if (k === null || k === undefined) {
            if (s.nullKeyMode === 'DROP') continue;
            if (s.nullKeyMode === 'FAIL') {
              throw new FreshetError(diag('CONN210', "cannot write a MAP with a NULL key as JSON ('json.map-null-key.mode' is FAIL)",
                undefined, "set 'json.map-null-key.mode' to 'DROP' or 'LITERAL'"));
            }
            key = s.nullKeyLiteral;
          } else {
            key = String(k);
          }
          out += (first ? '' : ',') + JSON.stringify(key) + ':' + (x === null || x === undefined ? 'null' : val(x));
          first = false;
        }
        return out + '}';
      };
    }
    case 'ROW': return compileRow(t.fields ?? [], s);
    default: return (v) => JSON.stringify(String(v));
  }
}
