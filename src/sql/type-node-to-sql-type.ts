/**
 * Converts a parsed data type (TypeNode) to the shared SqlType, applying Flink's defaults: INTEGER→INT,
 * STRING→VARCHAR(2147483647), VARCHAR/CHAR without length = length 1, DECIMAL = DECIMAL(10, 0), TIME = TIME(0),
 * TIMESTAMP and TIMESTAMP_LTZ = precision 6, FLOAT/REAL→FLOAT, BINARY/VARBINARY/BYTES→BYTES.
 * Unsupported or invalid types come back as `{ ok: false, message }` for the caller to turn into a diagnostic
 * (code SQL120 / SQL114) at the node's span.
 */

import { STRING_MAX, T, type RowField, type SqlType } from '../common/types.js';
import type { TypeNode } from './ast.js';

export type TypeConversion =
  | { readonly ok: true; readonly type: SqlType }
  | { readonly ok: false; readonly message: string; readonly node: TypeNode };

const MAX_DECIMAL_PRECISION = 38;
const MAX_TIME_PRECISION = 9;

export function typeNodeToSqlType(node: TypeNode): TypeConversion {
  const nn = node.nullable !== false;
  const bad = (message: string): TypeConversion => ({ ok: false, message, node });
  const ok = (type: SqlType): TypeConversion => ({ ok: true, type });
  switch (node.kind) {
    case 'ScalarType': {
      const p = node.precision;
      switch (node.name) {
        case 'BOOLEAN': return ok(T.boolean(nn));
        case 'TINYINT': return ok(T.tinyint(nn));
        case 'SMALLINT': return ok(T.smallint(nn));
        case 'INT':
        case 'INTEGER': return ok(T.int(nn));
        case 'BIGINT': return ok(T.bigint(nn));
        case 'FLOAT':
        case 'REAL': return ok(T.float(nn));
        case 'DOUBLE': return ok(T.double(nn));
        case 'DECIMAL':
        case 'DEC':
        case 'NUMERIC': {
          const prec = p ?? 10;
          const scale = node.scale ?? 0;
          if (prec < 1 || prec > MAX_DECIMAL_PRECISION) {
            return bad(`DECIMAL precision must be between 1 and ${MAX_DECIMAL_PRECISION} (inclusive), found ${prec}`);
          }
          if (scale > prec) return bad(`DECIMAL scale must be between 0 and the precision ${prec} (inclusive), found ${scale}`);
          return ok(T.decimal(prec, scale, nn));
        }
        case 'CHAR':
        case 'VARCHAR': {
          const len = p ?? 1;
          if (len < 1 || len > STRING_MAX) return bad(`${node.name} length must be between 1 and ${STRING_MAX} (inclusive), found ${len}`);
          return ok(node.name === 'CHAR' ? T.char(len, nn) : T.varchar(len, nn));
        }
        case 'STRING': return ok(T.string(nn));
        case 'BINARY':
        case 'VARBINARY':
          if (p !== undefined && p < 1) return bad(`${node.name} length must be at least 1, found ${p}`);
          return ok(T.bytes(nn));
        case 'BYTES': return ok(T.bytes(nn));
        case 'DATE': return ok(T.date(nn));
        case 'TIME': {
          const prec = p ?? 0;
          if (prec > MAX_TIME_PRECISION) return bad(`TIME precision must be between 0 and ${MAX_TIME_PRECISION} (inclusive), found ${prec}`);
          return ok({ ...T.time(nn), precision: prec });
        }
        case 'TIMESTAMP':
        case 'TIMESTAMP_LTZ': {
          const prec = p ?? 6;
          if (prec > MAX_TIME_PRECISION) {
            return bad(`${node.name} precision must be between 0 and ${MAX_TIME_PRECISION} (inclusive), found ${prec}`);
          }
          return ok(node.name === 'TIMESTAMP_LTZ' || node.withLocalTimeZone ? T.timestampLtz(prec, nn) : T.timestamp(prec, nn));
        }
        case 'NULL': return ok(T.null());
        default: {
          const never: never = node.name;
          return bad(`unsupported data type ${String(never)}`);
        }
      }
    }
    case 'IntervalType': {
      const q = node.qualifier;
      const ym = q.start === 'YEAR' || q.start === 'MONTH';
      return ok(ym ? T.intervalYearMonth(nn) : T.intervalDayTime(nn));
    }
    case 'ArrayType': {
      const e = typeNodeToSqlType(node.element);
      return e.ok ? ok(T.array(e.type, nn)) : e;
    }
    case 'MapType': {
      const k = typeNodeToSqlType(node.key);
      if (!k.ok) return k;
      const v = typeNodeToSqlType(node.value);
      if (!v.ok) return v;
      return ok(T.map(k.type, v.type, nn));
    }
    case 'MultisetType':
      return bad('MULTISET is not supported by Freshet; use ARRAY or MAP<T, INT>');
    case 'RowType': {
      const fields: RowField[] = [];
      const seen = new Set<string>();
      for (const f of node.fields) {
        if (seen.has(f.name.text)) return { ok: false, message: `duplicate field name '${f.name.text}' in ROW type`, node };
        seen.add(f.name.text);
        const t = typeNodeToSqlType(f.type);
        if (!t.ok) return t;
        fields.push(f.comment ? { name: f.name.text, type: t.type, description: f.comment.value } : { name: f.name.text, type: t.type });
      }
      return ok(T.row(fields, nn));
    }
    default: {
      const never: never = node;
      return bad(`unsupported data type ${(never as TypeNode).kind}`);
    }
  }
}
