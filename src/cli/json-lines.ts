/**
 * JSON-lines rendering of result rows for the CLI: one object per row, keys as the SELECT names its columns.
 * TIMESTAMP as `yyyy-MM-dd HH:mm:ss.SSS`, TIMESTAMP_LTZ in the session time zone, DATE `yyyy-MM-dd`, TIME
 * `HH:mm:ss`, DECIMAL as a JSON number keeping its scale (`1.50`), ROW as an object, MAP as an object (non-string
 * keys as their JSON text), BYTES as base64, non-finite doubles as strings.
 */
import type { RowField, SqlType } from '../common/types.js';
import type { Row } from '../common/row.js';
import { formatDate, formatTime, formatTimestamp } from '../common/time.js';
import { formatDecimal, utcToLocal } from '../functions/index.js';

export function valueToJson(v: unknown, t: SqlType, timeZone: string): string {
  if (v === null || v === undefined) return 'null';
  switch (t.kind) {
    case 'TIMESTAMP': return JSON.stringify(formatTimestamp(v as number, 3));
    case 'TIMESTAMP_LTZ': return JSON.stringify(formatTimestamp(utcToLocal(timeZone, v as number), 3));
    case 'DATE': return JSON.stringify(formatDate(v as number));
    case 'TIME': return JSON.stringify(formatTime(v as number, 0));
    case 'DECIMAL': return Number.isFinite(v as number) ? formatDecimal(v as number, t.scale ?? 0) : JSON.stringify(String(v));
    case 'FLOAT': case 'DOUBLE': return Number.isFinite(v as number) ? JSON.stringify(v) : JSON.stringify(String(v));
    case 'BYTES': return JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
    case 'ARRAY': return `[${(v as unknown[]).map((x) => valueToJson(x, t.element!, timeZone)).join(',')}]`;
    case 'ROW': return rowToJson(v as Row, t.fields ?? [], timeZone);
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>) {
        const key = typeof k === 'string' ? k : valueToJson(k, t.element!, timeZone);
        parts.push(`${JSON.stringify(key)}:${valueToJson(x, t.value!, timeZone)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default: return JSON.stringify(v);
  }
}

export function rowToJson(row: Row, fields: readonly RowField[], timeZone: string): string {
  const parts = new Array<string>(fields.length);
  for (let i = 0; i < fields.length; i++) parts[i] = `${JSON.stringify(fields[i]!.name)}:${valueToJson(row[i], fields[i]!.type, timeZone)}`;
  return `{${parts.join(',')}}`;
}
