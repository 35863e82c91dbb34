/**
 * The common type of several expressions (CASE/COALESCE/IF/IFNULL/UNION/IN lists/GREATEST/LEAST/ARRAY[...]),
 * following Flink's LogicalTypeMerging.findCommonType:
 *  - the NULL type absorbs (it only makes the result nullable);
 *  - CHAR(n) ∪ CHAR(n) = CHAR(n), otherwise character strings give VARCHAR(max length);
 *  - integral types widen (INT ∪ BIGINT = BIGINT); with DECIMAL the integral becomes DECIMAL(digits, 0) and decimals
 *    merge keeping max integer digits and max scale (precision capped at 38);
 *  - DOUBLE anywhere gives DOUBLE; FLOAT with DECIMAL gives DOUBLE, FLOAT with integrals FLOAT;
 *  - DATE ∪ TIMESTAMP = TIMESTAMP, TIMESTAMP ∪ TIMESTAMP_LTZ = TIMESTAMP_LTZ, precisions take the max;
 *  - ARRAY/MAP/ROW merge element-wise (ROW needs equal arity, keeps the first row's field names);
 *  - anything else (e.g. STRING with INT) has no common type: an error, as Flink reports.
 * Result is nullable when any input is; time attributes are dropped.
 */
import type { SqlType } from '../common/types.js';
import { T, integralDigits, isIntegral, isString, typeToString } from '../common/types.js';
import type { InferResult } from './function-def.js';
import { isInferError } from './function-def.js';
import { MAX_DECIMAL_PRECISION } from './decimal.js';

const INTEGRAL_RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };

function strip(t: SqlType, nullable: boolean): SqlType {
  // Rebuild without timeAttr and with the requested nullability.
  const { timeAttr: _t, ...rest } = t;
  return { ...rest, nullable };
}

function noCommon(types: SqlType[]): InferResult {
  return {
    error: `could not find a common type for ${types.map((t) => typeToString(t, false)).join(', ')}`,
    hint: 'add an explicit CAST so that all branches have the same type',
  };
}

function mergeTwo(a: SqlType, b: SqlType): SqlType | undefined {
  const nullable = a.nullable || b.nullable;
  if (a.kind === 'NULL') return strip(b, nullable);
  if (b.kind === 'NULL') return strip(a, nullable);
  // Character strings.
  if (isString(a) && isString(b)) {
    const la = a.precision ?? 1, lb = b.precision ?? 1;
    if (a.kind === 'CHAR' && b.kind === 'CHAR' && la === lb) return T.char(la, nullable);
    return T.varchar(Math.max(la, lb), nullable);
  }
  if (a.kind === 'BYTES' && b.kind === 'BYTES') return T.bytes(nullable);
  if (a.kind === 'BOOLEAN' && b.kind === 'BOOLEAN') return T.boolean(nullable);
  // Numbers.
  const an = INTEGRAL_RANK[a.kind], bn = INTEGRAL_RANK[b.kind];
  if (an !== undefined && bn !== undefined) return strip(an >= bn ? a : b, nullable);
  const numeric = (t: SqlType): boolean => isIntegral(t) || t.kind === 'DECIMAL' || t.kind === 'FLOAT' || t.kind === 'DOUBLE';
  if (numeric(a) && numeric(b)) {
    if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return T.double(nullable);
    if (a.kind === 'FLOAT' || b.kind === 'FLOAT') {
      return a.kind === 'DECIMAL' || b.kind === 'DECIMAL' ? T.double(nullable) : T.float(nullable);
    }
    // DECIMAL with DECIMAL or integral.
    const pa = a.kind === 'DECIMAL' ? a.precision ?? 10 : integralDigits(a.kind);
    const sa = a.kind === 'DECIMAL' ? a.scale ?? 0 : 0;
    const pb = b.kind === 'DECIMAL' ? b.precision ?? 10 : integralDigits(b.kind);
    const sb = b.kind === 'DECIMAL' ? b.scale ?? 0 : 0;
    const scale = Math.max(sa, sb);
    const intDigits = Math.max(pa - sa, pb - sb);
    const precision = Math.min(MAX_DECIMAL_PRECISION, intDigits + scale);
    return T.decimal(precision, Math.min(scale, precision), nullable);
  }
  // Temporal.
  const tsLike = (t: SqlType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'DATE';
  if (tsLike(a) && tsLike(b)) {
    if (a.kind === 'DATE' && b.kind === 'DATE') return T.date(nullable);
    const p = Math.max(a.kind === 'DATE' ? 0 : a.precision ?? 3, b.kind === 'DATE' ? 0 : b.precision ?? 3);
    if (a.kind === 'TIMESTAMP_LTZ' || b.kind === 'TIMESTAMP_LTZ') return T.timestampLtz(p, nullable);
    return T.timestamp(p, nullable);
  }
  if (a.kind === 'TIME' && b.kind === 'TIME') return { kind: 'TIME', precision: Math.max(a.precision ?? 0, b.precision ?? 0), nullable };
  if (a.kind === b.kind && (a.kind === 'INTERVAL_DAY_TIME' || a.kind === 'INTERVAL_YEAR_MONTH')) return strip(a, nullable);
  // Constructed types.
  if (a.kind === 'ARRAY' && b.kind === 'ARRAY') {
    const e = mergeTwo(a.element!, b.element!);
    return e ? T.array(e, nullable) : undefined;
  }
  if (a.kind === 'MAP' && b.kind === 'MAP') {
    const k = mergeTwo(a.element!, b.element!);
    const v = mergeTwo(a.value!, b.value!);
    return k && v ? T.map(k, v, nullable) : undefined;
  }
  if (a.kind === 'ROW' && b.kind === 'ROW') {
    const fa = a.fields ?? [], fb = b.fields ?? [];
    if (fa.length !== fb.length) return undefined;
    const fields = [];
    for (let i = 0; i < fa.length; i++) {
      const t = mergeTwo(fa[i]!.type, fb[i]!.type);
      if (!t) return undefined;
      fields.push({ name: fa[i]!.name, type: t });
    }
    return T.row(fields, nullable);
  }
  return undefined;
}

/** Common type of `types`, or an error. */
export function leastRestrictive(types: SqlType[]): InferResult {
  if (types.length === 0) return { error: 'no types to merge' };
  let acc: SqlType = types[0]!.kind === 'NULL' ? types[0]! : strip(types[0]!, types[0]!.nullable);
  for (let i = 1; i < types.length; i++) {
    const m = mergeTwo(acc, types[i]!);
    if (!m) return noCommon(types);
    acc = m;
  }
  return acc;
}

/** leastRestrictive that throws nothing and returns undefined on failure (for internal callers). */
export function tryLeastRestrictive(types: SqlType[]): SqlType | undefined {
  const r = leastRestrictive(types);
  return isInferError(r) ? undefined : r;
}
