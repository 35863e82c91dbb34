/**
 * SQL/JSON functions over JSON text: JSON_VALUE, JSON_QUERY, JSON_EXISTS, IS JSON, JSON_STRING, JSON_QUOTE,
 * JSON_UNQUOTE. Defaults are Flink's: NULL ON EMPTY and NULL ON ERROR for JSON_VALUE/JSON_QUERY, FALSE ON ERROR for
 * JSON_EXISTS; invalid JSON text or an invalid path is an error handled by those defaults.
 * Calling convention from the binder: JSON_VALUE(json, path) returns STRING (RETURNING is a TRY_CAST around it);
 * JSON_QUERY(json, path, wrapper) with wrapper 'WITHOUT' | 'CONDITIONAL' | 'UNCONDITIONAL';
 * JSON_EXISTS(json, path); IS_JSON(text, 'VALUE' | 'SCALAR' | 'ARRAY' | 'OBJECT').
 */
import type { SqlType } from '../common/types.js';
import { T } from '../common/types.js';
import { F, defineFunction } from './registry.js';
import { JsonFloat, isScalarJson, parseJson, scalarText, writeJson, type Json } from './json-value.js';
import { compileJsonPath, evalJsonPath } from './json-path.js';
import { formatDecimal, formatDouble, formatFloat } from './java-number-format.js';
import { formatValue } from './format-value.js';
import { toBase64 } from './string-functions.js';

const STRING = T.string();

/** Items selected by a path; a wildcard path yields its matches as one array. Throws on invalid JSON/path. */
function select(json: string, path: string): Json[] {
  const p = compileJsonPath(path);
  const items = evalJsonPath(p, parseJson(json));
  return p.wildcard ? [items] : items;
}

export function jsonValue(json: string, path: string): string | null {
  try {
    const items = select(json, path);
    if (items.length !== 1) return null; // empty -> NULL ON EMPTY; several -> error -> NULL ON ERROR
    const v = items[0]!;
    return isScalarJson(v) ? scalarText(v) : null;
  } catch {
    return null;
  }
}

export function jsonQuery(json: string, path: string, wrapper = 'WITHOUT'): string | null {
  try {
    const items = select(json, path);
    if (items.length === 0) return null;
    if (items.length > 1) return null;
    const v = items[0]!;
    switch (wrapper.toUpperCase()) {
      case 'UNCONDITIONAL': return writeJson([v]);
      case 'CONDITIONAL': return Array.isArray(v) ? writeJson(v) : writeJson([v]);
      default: return isScalarJson(v) ? null : writeJson(v);
    }
  } catch {
    return null;
  }
}

export function jsonExists(json: string, path: string): boolean {
  try {
    const p = compileJsonPath(path);
    return evalJsonPath(p, parseJson(json)).length > 0;
  } catch {
    return false;
  }
}

defineFunction({ name: 'JSON_VALUE', params: [F.string, F.string], result: STRING, nullable: 'always', impl: jsonValue });
defineFunction({ name: 'JSON_QUERY', params: [F.string, F.string, F.string], min: 2, result: STRING, nullable: 'always', impl: jsonQuery });
defineFunction({ name: 'JSON_EXISTS', params: [F.string, F.string], result: T.boolean(), impl: jsonExists });

defineFunction({
  name: 'IS_JSON', params: [F.string, F.string], min: 1, strict: false, result: T.boolean(false), nullable: 'never',
  impl: (s: string | null, kind: string | null = 'VALUE') => {
    if (s === null) return false;
    let v: Json;
    try { v = parseJson(s); } catch { return false; }
    switch ((kind ?? 'VALUE').toUpperCase()) {
      case 'SCALAR': return isScalarJson(v);
      case 'ARRAY': return Array.isArray(v);
      case 'OBJECT': return v instanceof Map;
      default: return true;
    }
  },
});

/** JSON text of a SQL value of type `t` (JSON_STRING). */
export function toJsonText(v: unknown, t: SqlType): string {
  if (v === null || v === undefined) return 'null';
  switch (t.kind) {
    case 'BOOLEAN': return v ? 'true' : 'false';
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': return String(v);
    case 'FLOAT': return formatFloat(v as number);
    case 'DOUBLE': return Number.isFinite(v as number) ? formatDouble(v as number) : JSON.stringify(formatDouble(v as number));
    case 'DECIMAL': return formatDecimal(v as number, t.scale ?? 0);
    case 'CHAR': case 'VARCHAR': return JSON.stringify(v);
    case 'BYTES': return JSON.stringify(toBase64(v as Uint8Array));
    case 'ARRAY': return '[' + (v as unknown[]).map((x) => toJsonText(x, t.element!)).join(',') + ']';
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>) parts.push(JSON.stringify(formatValue(k, t.element!)) + ':' + toJsonText(x, t.value!));
      return '{' + parts.join(',') + '}';
    }
    case 'ROW': {
      const fs = t.fields ?? [];
      return '{' + fs.map((f, i) => JSON.stringify(f.name) + ':' + toJsonText((v as unknown[])[i], f.type)).join(',') + '}';
    }
    default: return JSON.stringify(formatValue(v, t));
  }
}

defineFunction({
  name: 'JSON_STRING', params: [F.any], result: STRING,
  impl: (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' ? String(v) : JSON.stringify(v)),
  specialize: (args) => { const t = args[0]!; return (v: unknown) => toJsonText(v, t); },
});

defineFunction({
  name: 'JSON_QUOTE', params: [F.string], result: STRING,
  impl: (s: string) => JSON.stringify(s).replace(/\//g, '\\/'),
});
defineFunction({
  name: 'JSON_UNQUOTE', params: [F.string], result: STRING,
  impl: (s: string) => {
    if (s.length < 2 || s[0] !== '"' || s[s.length - 1] !== '"') return s;
    try { const v = JSON.parse(s.replace(/\\\//g, '/')); return typeof v === 'string' ? v : s; } catch { return s; }
  },
});

export { JsonFloat };
