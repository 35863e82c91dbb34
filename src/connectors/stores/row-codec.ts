/**
 * The JSON text of a feature-table row as the online stores hold it (StoredValue.value), and its decoding back into
 * runtime values. One object per row, column name → value, readable by any client of the store (the serving layer,
 * the Flink template job, a user's own service):
 *
 *   BOOLEAN, integral types, intervals (ms / months), DECIMAL   JSON numbers
 *   FLOAT, DOUBLE        JSON numbers; NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity"
 *   CHAR, VARCHAR        strings;   BYTES  standard padded base64
 *   DATE                 "yyyy-MM-dd";   TIME  "HH:mm:ss[.SSS]"
 *   TIMESTAMP            "yyyy-MM-ddTHH:mm:ss[.SSS]";   TIMESTAMP_LTZ  the same with a trailing "Z" (UTC)
 *   ARRAY                JSON arrays;   ROW  objects by field name
 *   MAP                  an object when the key type is a string type and no key is NULL, else an array of
 *                        [key, value] pairs (the decoder accepts both)
 *
 * Decoding is by column name, so a lookup table may declare a subset of the written columns (missing ones read as
 * NULL). Every value the encoder writes decodes to an equal runtime value (tested in tests/stores/row-codec.test.ts).
 */
import type { Row, Value } from '../../common/row.js';
import { isString, type RowField, type SqlType } from '../../common/types.js';
import { decodeBase64, encodeBase64 } from '../../formats/base64.js';
import { formatDate, formatTimeText, formatTimestampText, parseIsoDate, parseSqlTime, parseTimestamp } from '../../formats/temporal-text.js';

type Writer = (v: Value) => string;
type Reader = (j: unknown) => Value;

export interface RowCodec {
  /** JSON text of a row (positional values of `fields`). */
  encode(row: Row): string;
  /** A row from JSON text written by `encode` for a table with (at least) these column names; throws on malformed text. */
  decode(text: string): Row;
}

export function createRowCodec(fields: readonly RowField[]): RowCodec {
  const names = fields.map((f) => JSON.stringify(f.name) + ':');
  const writers = fields.map((f) => writer(f.type));
  const readers = fields.map((f) => reader(f.type));
  const keys = fields.map((f) => f.name);
  const n = fields.length;
  return {
    encode(row: Row): string {
      let out = '{';
      for (let i = 0; i < n; i++) {
        const x = row[i];
        out += (i === 0 ? '' : ',') + names[i] + (x === null || x === undefined ? 'null' : writers[i]!(x));
      }
      return out + '}';
    },
    decode(text: string): Row {
      const o = JSON.parse(text) as Record<string, unknown>;
      const row: Row = new Array(n);
      for (let i = 0; i < n; i++) {
        const j = Object.prototype.hasOwnProperty.call(o, keys[i]!) ? o[keys[i]!] : null;
        row[i] = j === null || j === undefined ? null : readers[i]!(j);
      }
      return row;
    },
  };
}

const num = (v: Value): string => (Number.isFinite(v) ? String(v) : JSON.stringify(String(v)));

function writer(t: SqlType): Writer {
  switch (t.kind) {
    case 'NULL': return () => 'null';
    case 'BOOLEAN': return (v) => (v ? 'true' : 'false');
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'DECIMAL':
    case 'INTERVAL_DAY_TIME': case 'INTERVAL_YEAR_MONTH': case 'FLOAT': case 'DOUBLE':
      return num;
    case 'CHAR': case 'VARCHAR': return (v) => JSON.stringify(v);
    case 'BYTES': return (v) => JSON.stringify(encodeBase64(v as Uint8Array));
    case 'DATE': return (v) => `"${formatDate(v as number)}"`;
    case 'TIME': return (v) => `"${formatTimeText(v as number)}"`;
    case 'TIMESTAMP': return (v) => `"${formatTimestampText(v as number, 'ISO-8601', false)}"`;
    case 'TIMESTAMP_LTZ': return (v) => `"${formatTimestampText(v as number, 'ISO-8601', true)}"`;
    case 'ARRAY': {
      const w = writer(t.element!);
      return (v) => '[' + (v as Value[]).map((x) => (x === null || x === undefined ? 'null' : w(x))).join(',') + ']';
    }
    case 'MAP': {
      const kw = writer(t.element!), vw = writer(t.value!);
      const stringKeys = isString(t.element!);
      const val = (x: Value): string => (x === null || x === undefined ? 'null' : vw(x));
      return (v) => {
        const m = v as Map<Value, Value>;
        if (stringKeys && !m.has(null)) {
          let out = '{';
          for (const [k, x] of m) out += (out.length === 1 ? '' : ',') + JSON.stringify(k) + ':' + val(x);
          return out + '}';
        }
        const parts: string[] = [];
        for (const [k, x] of m) parts.push('[' + (k === null || k === undefined ? 'null' : kw(k)) + ',' + val(x) + ']');
        return '[' + parts.join(',') + ']';
      };
    }
    case 'ROW': {
      const inner = createRowCodec(t.fields ?? []);
      return (v) => inner.encode(v as Row);
    }
  }
}

function bad(t: SqlType, j: unknown): never {
  throw new Error(`stored value ${JSON.stringify(j)} is not a valid ${t.kind}`);
}

function reader(t: SqlType): Reader {
  switch (t.kind) {
    case 'NULL': return () => null;
    case 'BOOLEAN': return (j) => (typeof j === 'boolean' ? j : bad(t, j));
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'DECIMAL':
    case 'INTERVAL_DAY_TIME': case 'INTERVAL_YEAR_MONTH':
      return (j) => (typeof j === 'number' ? j : bad(t, j));
    case 'FLOAT': case 'DOUBLE':
      return (j) => (typeof j === 'number' ? j : j === 'NaN' || j === 'Infinity' || j === '-Infinity' ? Number(j) : bad(t, j));
    case 'CHAR': case 'VARCHAR': return (j) => (typeof j === 'string' ? j : bad(t, j));
    case 'BYTES': return (j) => (typeof j === 'string' ? decodeBase64(j) ?? bad(t, j) : bad(t, j));
    case 'DATE': return (j) => (typeof j === 'string' ? parseIsoDate(j) ?? bad(t, j) : bad(t, j));
    case 'TIME': return (j) => (typeof j === 'string' ? parseSqlTime(j) ?? bad(t, j) : bad(t, j));
    case 'TIMESTAMP': return (j) => (typeof j === 'string' ? parseTimestamp(j, 'ISO-8601', false) ?? bad(t, j) : bad(t, j));
    case 'TIMESTAMP_LTZ': return (j) => (typeof j === 'string' ? parseTimestamp(j, 'ISO-8601', true) ?? bad(t, j) : bad(t, j));
    case 'ARRAY': {
      const r = reader(t.element!);
      return (j) => (Array.isArray(j) ? j.map((x) => (x === null ? null : r(x))) : bad(t, j));
    }
    case 'MAP': {
      const kr = reader(t.element!), vr = reader(t.value!);
      return (j) => {
        const m = new Map<Value, Value>();
        if (Array.isArray(j)) {
          for (const p of j) {
            if (!Array.isArray(p) || p.length !== 2) bad(t, j);
            m.set(p[0] === null ? null : kr(p[0]), p[1] === null ? null : vr(p[1]));
          }
        } else if (j !== null && typeof j === 'object') {
          for (const [k, x] of Object.entries(j)) m.set(kr(k), x === null ? null : vr(x));
        } else bad(t, j);
        return m;
      };
    }
    case 'ROW': {
      const fields = t.fields ?? [];
      const readers = fields.map((f) => reader(f.type));
      return (j) => {
        if (j === null || typeof j !== 'object' || Array.isArray(j)) bad(t, j);
        const o = j as Record<string, unknown>;
        return fields.map((f, i) => {
          const x = Object.prototype.hasOwnProperty.call(o, f.name) ? o[f.name] : null;
          return x === null || x === undefined ? null : readers[i]!(x);
        });
      };
    }
  }
}
