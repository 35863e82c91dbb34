/**
 * The SQL type system shared by every layer (parser output is resolved to these by the binder).
 *
 * Runtime value representation (invariant relied on by functions, aggregates, engine and connectors):
 *   BOOLEAN            -> boolean
 *   TINYINT/SMALLINT/INT/BIGINT -> number (integral; BIGINT beyond ±2^53 loses precision, see docs/adr/0004)
 *   FLOAT/DOUBLE       -> number
 *   DECIMAL(p,s)       -> number rounded half-up to s fractional digits
 *   CHAR/VARCHAR/STRING-> string
 *   BYTES/BINARY       -> Uint8Array
 *   DATE               -> number: days since 1970-01-01
 *   TIME               -> number: milliseconds of the day
 *   TIMESTAMP(p)       -> number: epoch milliseconds of the wall-clock value read as UTC
 *   TIMESTAMP_LTZ(p)   -> number: epoch milliseconds (an instant)
 *   INTERVAL DAY TO SECOND -> number: milliseconds;  INTERVAL YEAR TO MONTH -> number: months
 *   ARRAY<T>           -> Array
 *   MAP<K,V>           -> Map
 *   ROW<...>           -> Array of field values (positional)
 *   NULL of any type   -> null   (never undefined)
 */

export type TypeKind =
  | 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'FLOAT' | 'DOUBLE' | 'DECIMAL'
  | 'CHAR' | 'VARCHAR' | 'BYTES'
  | 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ'
  | 'INTERVAL_DAY_TIME' | 'INTERVAL_YEAR_MONTH'
  | 'ARRAY' | 'MAP' | 'ROW' | 'NULL';

export interface RowField { name: string; type: SqlType; description?: string }

export interface SqlType {
  readonly kind: TypeKind;
  readonly nullable: boolean;
  /** DECIMAL precision, CHAR/VARCHAR length (VARCHAR(2147483647) = STRING), TIMESTAMP precision. */
  readonly precision?: number;
  /** DECIMAL scale. */
  readonly scale?: number;
  /** ARRAY element type, MAP key type. */
  readonly element?: SqlType;
  /** MAP value type. */
  readonly value?: SqlType;
  /** ROW fields. */
  readonly fields?: readonly RowField[];
  /** Time attribute marker: a rowtime column (has a watermark) or a proctime column. */
  readonly timeAttr?: 'rowtime' | 'proctime';
}

export const STRING_MAX = 2147483647;

const mk = (kind: TypeKind, extra: Partial<SqlType> = {}, nullable = true): SqlType => ({ kind, nullable, ...extra });

export const T = {
  boolean: (n = true) => mk('BOOLEAN', {}, n),
  tinyint: (n = true) => mk('TINYINT', {}, n),
  smallint: (n = true) => mk('SMALLINT', {}, n),
  int: (n = true) => mk('INT', {}, n),
  bigint: (n = true) => mk('BIGINT', {}, n),
  float: (n = true) => mk('FLOAT', {}, n),
  double: (n = true) => mk('DOUBLE', {}, n),
  decimal: (p: number, s: number, n = true) => mk('DECIMAL', { precision: p, scale: s }, n),
  string: (n = true) => mk('VARCHAR', { precision: STRING_MAX }, n),
  varchar: (len: number, n = true) => mk('VARCHAR', { precision: len }, n),
  char: (len: number, n = true) => mk('CHAR', { precision: len }, n),
  bytes: (n = true) => mk('BYTES', {}, n),
  date: (n = true) => mk('DATE', {}, n),
  time: (n = true) => mk('TIME', { precision: 0 }, n),
  timestamp: (p = 3, n = true) => mk('TIMESTAMP', { precision: p }, n),
  timestampLtz: (p = 3, n = true) => mk('TIMESTAMP_LTZ', { precision: p }, n),
  intervalDayTime: (n = true) => mk('INTERVAL_DAY_TIME', {}, n),
  intervalYearMonth: (n = true) => mk('INTERVAL_YEAR_MONTH', {}, n),
  array: (element: SqlType, n = true) => mk('ARRAY', { element }, n),
  map: (key: SqlType, value: SqlType, n = true) => mk('MAP', { element: key, value }, n),
  row: (fields: RowField[], n = true) => mk('ROW', { fields }, n),
  null: () => mk('NULL', {}, true),
};

export function withNullable(t: SqlType, nullable: boolean): SqlType {
  return t.nullable === nullable ? t : { ...t, nullable };
}

export function withoutTimeAttr(t: SqlType): SqlType {
  if (!t.timeAttr) return t;
  const { timeAttr: _drop, ...rest } = t;
  return rest;
}

export const isIntegral = (t: SqlType): boolean =>
  t.kind === 'TINYINT' || t.kind === 'SMALLINT' || t.kind === 'INT' || t.kind === 'BIGINT';
export const isApproxNumeric = (t: SqlType): boolean => t.kind === 'FLOAT' || t.kind === 'DOUBLE';
export const isNumeric = (t: SqlType): boolean => isIntegral(t) || isApproxNumeric(t) || t.kind === 'DECIMAL';
export const isString = (t: SqlType): boolean => t.kind === 'CHAR' || t.kind === 'VARCHAR';
export const isTimestamp = (t: SqlType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
export const isTemporal = (t: SqlType): boolean => isTimestamp(t) || t.kind === 'DATE' || t.kind === 'TIME';
export const isInterval = (t: SqlType): boolean => t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH';

/** Digits of precision of integral types, as Flink uses them when deriving DECIMAL results. */
export function integralDigits(kind: TypeKind): number {
  switch (kind) {
    case 'TINYINT': return 3;
    case 'SMALLINT': return 5;
    case 'INT': return 10;
    case 'BIGINT': return 19;
    default: return 0;
  }
}

/** Flink's SQL spelling of a type, e.g. `DECIMAL(10, 2) NOT NULL`, `TIMESTAMP(3) *ROWTIME*`. */
export function typeToString(t: SqlType, withTimeAttr = true): string {
  let s: string;
  switch (t.kind) {
    case 'DECIMAL': s = `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`; break;
    case 'VARCHAR': s = (t.precision ?? STRING_MAX) === STRING_MAX ? 'STRING' : `VARCHAR(${t.precision})`; break;
    case 'CHAR': s = `CHAR(${t.precision ?? 1})`; break;
    case 'TIME': s = `TIME(${t.precision ?? 0})`; break;
    case 'TIMESTAMP': s = `TIMESTAMP(${t.precision ?? 3})`; break;
    case 'TIMESTAMP_LTZ': s = `TIMESTAMP_LTZ(${t.precision ?? 3})`; break;
    case 'INTERVAL_DAY_TIME': s = 'INTERVAL SECOND(3)'; break;
    case 'INTERVAL_YEAR_MONTH': s = 'INTERVAL MONTH'; break;
    case 'ARRAY': s = `ARRAY<${typeToString(t.element!, false)}>`; break;
    case 'MAP': s = `MAP<${typeToString(t.element!, false)}, ${typeToString(t.value!, false)}>`; break;
    case 'ROW': s = `ROW<${(t.fields ?? []).map((f) => `\`${f.name}\` ${typeToString(f.type, false)}`).join(', ')}>`; break;
    default: s = t.kind;
  }
  if (!t.nullable) s += ' NOT NULL';
  if (withTimeAttr && t.timeAttr === 'rowtime') s += ' *ROWTIME*';
  if (withTimeAttr && t.timeAttr === 'proctime') s += ' *PROCTIME*';
  return s;
}

/** Structural equality ignoring nullability and time attributes. */
export function sameTypeIgnoringNull(a: SqlType, b: SqlType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.precision !== b.precision || a.scale !== b.scale) return false;
  if (a.element && (!b.element || !sameTypeIgnoringNull(a.element, b.element))) return false;
  if (a.value && (!b.value || !sameTypeIgnoringNull(a.value, b.value))) return false;
  if (a.fields) {
    if (!b.fields || a.fields.length !== b.fields.length) return false;
    for (let i = 0; i < a.fields.length; i++) {
      if (a.fields[i]!.name !== b.fields[i]!.name || !sameTypeIgnoringNull(a.fields[i]!.type, b.fields[i]!.type)) return false;
    }
  }
  return true;
}

/** A named, ordered list of columns: the shape of every relation and row. */
export interface Schema { readonly fields: readonly RowField[] }
