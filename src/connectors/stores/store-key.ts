/**
 * The entity key string of a feature-table row in the online stores: the primary key values, canonically encoded,
 * so that every writer (the embedded engine, the Flink template job) and every reader (lookup joins, serving) derive
 * the same string from the same values.
 *
 * Encoding (docs/stores.md): the primary key columns are taken in table column order (not the order of the
 * PRIMARY KEY clause, so a lookup that binds the same columns in any order finds the row). Each value becomes text:
 * strings as they are; integral, DECIMAL and interval values as decimal numbers (`String(n)`); FLOAT/DOUBLE as
 * `String(n)`; BOOLEAN `true`/`false`; DATE `yyyy-MM-dd`; TIME `HH:mm:ss[.SSS]`; TIMESTAMP `yyyy-MM-ddTHH:mm:ss[.SSS]`
 * (LTZ with `Z`); BYTES base64; ARRAY/MAP/ROW their stored JSON (row-codec.ts). A one-column key is that text
 * unchanged (key `user42` for `user_id = 'user42'`). With several columns each text has `\` and `|` escaped as
 * `\\` and `\|` and the texts are joined with `|` (`us|42` for ('us', 42); `a\|b|1` for ('a|b', 1)).
 * A NULL key value has no encoding (Flink primary key columns are NOT NULL): the encoder returns undefined.
 */
import type { Row, Value } from '../../common/row.js';
import type { RowField, SqlType } from '../../common/types.js';
import { encodeBase64 } from '../../formats/base64.js';
import { formatDate, formatTimeText, formatTimestampText } from '../../formats/temporal-text.js';
import { createRowCodec } from './row-codec.js';

/** Encodes the key of a row; undefined when a key column is NULL. */
export type StoreKeyFn = (row: Row) => string | undefined;

/**
 * The key function for `columns` (indices into the row) whose types are `fields[columns[i]]`. Pass the columns in
 * table column order (see sortedKeyColumns).
 */
export function storeKeyFn(columns: readonly number[], fields: readonly RowField[]): StoreKeyFn {
  const parts = columns.map((c) => keyPart(fields[c]!.type));
  if (columns.length === 1) {
    const c = columns[0]!, p = parts[0]!;
    return (row) => {
      const v = row[c];
      return v === null || v === undefined ? undefined : p(v);
    };
  }
  const n = columns.length;
  return (row) => {
    let out = '';
    for (let i = 0; i < n; i++) {
      const v = row[columns[i]!];
      if (v === null || v === undefined) return undefined;
      const s = parts[i]!(v);
      out += (i === 0 ? '' : '|') + (s.includes('\\') || s.includes('|') ? s.replace(/[\\|]/g, '\\$&') : s);
    }
    return out;
  };
}

/** Key columns in table column order (the canonical order of the encoding). */
export function sortedKeyColumns(columns: readonly number[]): number[] {
  return [...columns].sort((a, b) => a - b);
}

function keyPart(t: SqlType): (v: Value) => string {
  switch (t.kind) {
    case 'CHAR': case 'VARCHAR': return (v) => v as string;
    case 'BOOLEAN': return (v) => (v ? 'true' : 'false');
    case 'BYTES': return (v) => encodeBase64(v as Uint8Array);
    case 'DATE': return (v) => formatDate(v as number);
    case 'TIME': return (v) => formatTimeText(v as number);
    case 'TIMESTAMP': return (v) => formatTimestampText(v as number, 'ISO-8601', false);
    case 'TIMESTAMP_LTZ': return (v) => formatTimestampText(v as number, 'ISO-8601', true);
    case 'ARRAY': case 'MAP': case 'ROW': {
      const codec = createRowCodec([{ name: 'k', type: t }]);
      // The one-field object's value text: drop the `{"k":` prefix and the closing brace.
      return (v) => codec.encode([v]).slice(5, -1);
    }
    default: return (v) => String(v);
  }
}
