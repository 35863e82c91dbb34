/**
 * JSON-safe rendering of engine values for the platform API and UI: TIMESTAMP as `yyyy-MM-dd HH:mm:ss.SSS`,
 * TIMESTAMP_LTZ in UTC with a trailing Z, DATE/TIME as text, ROW as an object, MAP as an object, BYTES as hex,
 * non-finite doubles as strings. Values are converted once per row shown, never on the engine's hot path.
 */
import type { Row } from '../../common/row.js';
import type { RowField, SqlType } from '../../common/types.js';
import { formatDate, formatTime, formatTimestamp } from '../../common/time.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export function valueToJson(v: unknown, t: SqlType): JsonValue {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'TIMESTAMP': return formatTimestamp(v as number, 3);
    case 'TIMESTAMP_LTZ': return `${formatTimestamp(v as number, 3, 'T')}Z`;
    case 'DATE': return formatDate(v as number);
    case 'TIME': return formatTime(v as number, 0);
    case 'FLOAT': case 'DOUBLE': case 'DECIMAL': return Number.isFinite(v as number) ? (v as number) : String(v);
    case 'BYTES': return Array.from(v as Uint8Array, (b) => b.toString(16).padStart(2, '0')).join('');
    case 'ARRAY': return (v as unknown[]).map((x) => valueToJson(x, t.element!));
    case 'ROW': return rowToObject(v as Row, t.fields ?? []);
    case 'MAP': {
      const o: Record<string, JsonValue> = {};
      for (const [k, x] of v as Map<unknown, unknown>) o[typeof k === 'string' ? k : JSON.stringify(valueToJson(k, t.element!))] = valueToJson(x, t.value!);
      return o;
    }
    default: return typeof v === 'bigint' ? String(v) : (v as JsonValue);
  }
}

/** A row as an array of JSON values in column order (the API's table shape). */
export function rowToJsonArray(row: Row, fields: readonly RowField[]): JsonValue[] {
  const out = new Array<JsonValue>(fields.length);
  for (let i = 0; i < fields.length; i++) out[i] = valueToJson(row[i], fields[i]!.type);
  return out;
}

export function rowToObject(row: Row, fields: readonly RowField[]): Record<string, JsonValue> {
  const o: Record<string, JsonValue> = {};
  for (let i = 0; i < fields.length; i++) o[fields[i]!.name] = valueToJson(row[i], fields[i]!.type);
  return o;
}
