/**
 * Typing and evaluation of + - * / % with Flink's rules.
 *
 * Types: integral op integral -> the wider integral (INT / INT is INT, truncating toward zero; `%` takes the type of
 * its second operand as Calcite's MOD does); DOUBLE anywhere -> DOUBLE; FLOAT with FLOAT/integral -> FLOAT;
 * DECIMAL (with integral or DECIMAL) -> Flink's LogicalTypeMerging derivation capped at 38 (see ./decimal.ts);
 * DECIMAL with FLOAT/DOUBLE -> DOUBLE; TIMESTAMP ± INTERVAL -> TIMESTAMP; DATE ± INTERVAL -> DATE; TIME ± day-time
 * INTERVAL -> TIME; INTERVAL ± INTERVAL (same family); INTERVAL * / numeric -> INTERVAL.
 * TIMESTAMP - TIMESTAMP and DATE - DATE are rejected, as in Flink (use TIMESTAMPDIFF).
 *
 * Values: TINYINT/SMALLINT/INT results wrap like Java's narrowing; integral division or remainder by zero throws
 * ExprError (Flink throws ArithmeticException); DOUBLE division by zero gives ±Infinity/NaN; DECIMAL results are
 * rounded half-up to the result scale and are NULL when they overflow the precision (as Flink's DecimalData).
 * BIGINT is a double (docs/adr/0004): results beyond ±2^63 are not wrapped.
 */
import type { SqlType } from '../common/types.js';
import { T, isIntegral, typeToString } from '../common/types.js';
import { MS_PER_DAY } from '../common/time.js';
import type { InferResult } from './function-def.js';
import { ExprError } from './expr-error.js';
import {
  additionDecimalType, asDecimalType, divisionDecimalType, moduloDecimalType, multiplicationDecimalType, toDecimal,
} from './decimal.js';
import { addMonths, addMonthsToDate } from './timestamp-math.js';
import { tryLeastRestrictive } from './least-restrictive.js';

export type ArithOp = '+' | '-' | '*' | '/' | '%';

const RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };
const isNum = (t: SqlType): boolean =>
  RANK[t.kind] !== undefined || t.kind === 'DECIMAL' || t.kind === 'FLOAT' || t.kind === 'DOUBLE';
const isTs = (t: SqlType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
const isIv = (t: SqlType): boolean => t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH';

function cannotApply(op: string, a: SqlType, b: SqlType, hint?: string): InferResult {
  const r: { error: string; hint?: string } = {
    error: `cannot apply '${op}' to arguments of type '<${typeToString(a, false)}> ${op} <${typeToString(b, false)}>'`,
  };
  if (hint) r.hint = hint;
  return r;
}

function plain(t: SqlType, nullable: boolean): SqlType {
  const { timeAttr: _d, ...rest } = t;
  return { ...rest, nullable };
}

/** Result type of `a op b`, or an error. */
export function arithmeticType(op: ArithOp, a: SqlType, b: SqlType): InferResult {
  const nullable = a.nullable || b.nullable;
  if (a.kind === 'NULL' && b.kind === 'NULL') return cannotApply(op, a, b, 'cast NULL to a type');
  if (a.kind === 'NULL') return arithmeticType(op, plain(b, true), b);
  if (b.kind === 'NULL') return arithmeticType(op, a, plain(a, true));

  // Temporal arithmetic.
  if (isTs(a) || isTs(b) || a.kind === 'DATE' || b.kind === 'DATE' || a.kind === 'TIME' || b.kind === 'TIME') {
    const dt = isTs(a) || a.kind === 'DATE' || a.kind === 'TIME' ? a : b;
    const other = dt === a ? b : a;
    if ((op === '+' || (op === '-' && dt === a)) && isIv(other)) {
      if (dt.kind === 'TIME' && other.kind !== 'INTERVAL_DAY_TIME') return cannotApply(op, a, b);
      return plain(dt, nullable);
    }
    if (op === '-' && (isTs(a) || a.kind === 'DATE') && (isTs(b) || b.kind === 'DATE')) {
      return cannotApply(op, a, b, 'Flink does not subtract timestamps or dates; use TIMESTAMPDIFF(unit, t1, t2)');
    }
    return cannotApply(op, a, b);
  }
  if (isIv(a) || isIv(b)) {
    if (isIv(a) && isIv(b)) {
      if ((op === '+' || op === '-') && a.kind === b.kind) return plain(a, nullable);
      return cannotApply(op, a, b);
    }
    const iv = isIv(a) ? a : b;
    const other = iv === a ? b : a;
    if (isNum(other) && (op === '*' || (op === '/' && iv === a))) return plain(iv, nullable);
    return cannotApply(op, a, b);
  }
  if (!isNum(a) || !isNum(b)) return cannotApply(op, a, b, a.kind === 'VARCHAR' || b.kind === 'VARCHAR' || a.kind === 'CHAR' || b.kind === 'CHAR'
    ? 'Flink does not convert strings to numbers implicitly; use CAST(... AS <numeric type>)' : undefined);

  const ra = RANK[a.kind], rb = RANK[b.kind];
  if (ra !== undefined && rb !== undefined) {
    if (op === '%') return plain(b, nullable);
    return plain(ra >= rb ? a : b, nullable);
  }
  if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return T.double(nullable);
  if (a.kind === 'FLOAT' || b.kind === 'FLOAT') {
    return a.kind === 'DECIMAL' || b.kind === 'DECIMAL' ? T.double(nullable) : T.float(nullable);
  }
  const da = asDecimalType(a)!, db = asDecimalType(b)!;
  switch (op) {
    case '+': case '-': return additionDecimalType(da.precision, da.scale, db.precision, db.scale, nullable);
    case '*': return multiplicationDecimalType(da.precision, da.scale, db.precision, db.scale, nullable);
    case '/': return divisionDecimalType(da.precision, da.scale, db.precision, db.scale, nullable);
    case '%': return moduloDecimalType(da.precision, da.scale, db.precision, db.scale, nullable);
  }
}

/** Result type of unary minus. */
export function unaryMinusType(t: SqlType): InferResult {
  if (t.kind === 'NULL') return { error: "cannot apply '-' to NULL", hint: 'cast NULL to a numeric type' };
  if (isNum(t) || isIv(t)) return plain(t, t.nullable);
  return { error: `cannot apply '-' to arguments of type '<${typeToString(t, false)}>'` };
}

/** Unary minus over a non-null value of `t`. */
export function makeUnaryMinus(t: SqlType): (x: number) => number {
  switch (t.kind) {
    case 'TINYINT': return (x) => (-x << 24) >> 24;
    case 'SMALLINT': return (x) => (-x << 16) >> 16;
    case 'INT': return (x) => -x | 0;
    case 'FLOAT': return (x) => Math.fround(-x);
    default: return (x) => -x;
  }
}

export function makeUnaryMinusSource(t: SqlType, x: string): string {
  switch (t.kind) {
    case 'TINYINT': return `((-(${x}) << 24) >> 24)`;
    case 'SMALLINT': return `((-(${x}) << 16) >> 16)`;
    case 'INT': return `(-(${x}) | 0)`;
    default: return `(-(${x}))`;
  }
}

function divZero(): never {
  throw new ExprError('DIVIDE_BY_ZERO', 'division by zero');
}

type Bin = (x: any, y: any) => any;

function wrapFor(kind: string): ((v: number) => number) | undefined {
  switch (kind) {
    case 'TINYINT': return (v) => (v << 24) >> 24;
    case 'SMALLINT': return (v) => (v << 16) >> 16;
    case 'INT': return (v) => v | 0;
    default: return undefined;
  }
}

/**
 * A function computing `x op y` for non-null x of type a and y of type b, producing a value of `result` (as returned
 * by arithmeticType). DECIMAL results may be null (overflow).
 */
export function makeArithmetic(op: ArithOp, a: SqlType, b: SqlType, result: SqlType): Bin {
  // Temporal.
  if (isTs(result) || result.kind === 'DATE' || result.kind === 'TIME') {
    const dtLeft = !isIv(a) && a.kind !== 'NULL';
    const iv = dtLeft ? b : a;
    const sign = op === '-' ? -1 : 1;
    const ym = iv.kind === 'INTERVAL_YEAR_MONTH';
    let f: (d: number, i: number) => number;
    if (result.kind === 'DATE') {
      f = ym ? (d, i) => addMonthsToDate(d, sign * i) : (d, i) => d + Math.trunc((sign * i) / MS_PER_DAY);
    } else if (result.kind === 'TIME') {
      f = (d, i) => { const r = (d + sign * i) % MS_PER_DAY; return r < 0 ? r + MS_PER_DAY : r; };
    } else {
      f = ym ? (d, i) => addMonths(d, sign * i) : (d, i) => d + sign * i;
    }
    return dtLeft ? f : (x, y) => f(y, x);
  }
  if (isIv(result)) {
    if (isIv(a) && isIv(b)) return op === '-' ? (x, y) => x - y : (x, y) => x + y;
    const ivLeft = isIv(a);
    const ym = result.kind === 'INTERVAL_YEAR_MONTH';
    if (op === '/') {
      return (x, y) => { if (y === 0) divZero(); return ym ? Math.trunc(x / y) : Math.trunc(x / y); };
    }
    return ivLeft ? (x, y) => Math.trunc(x * y) : (x, y) => Math.trunc(x * y);
  }
  // DECIMAL results: compute in doubles, round half-up to the scale, null on overflow.
  if (result.kind === 'DECIMAL') {
    const p = result.precision ?? 10, s = result.scale ?? 0;
    switch (op) {
      case '+': return (x, y) => toDecimal(x + y, p, s);
      case '-': return (x, y) => toDecimal(x - y, p, s);
      case '*': return (x, y) => toDecimal(x * y, p, s);
      case '/': return (x, y) => { if (y === 0) divZero(); return toDecimal(x / y, p, s); };
      case '%': return (x, y) => { if (y === 0) divZero(); return toDecimal(decimalRem(x, y, Math.max(a.scale ?? 0, b.scale ?? 0)), p, s); };
    }
  }
  if (result.kind === 'FLOAT') {
    switch (op) {
      case '+': return (x, y) => Math.fround(x + y);
      case '-': return (x, y) => Math.fround(x - y);
      case '*': return (x, y) => Math.fround(x * y);
      case '/': return (x, y) => Math.fround(x / y);
      case '%': return (x, y) => Math.fround(x % y);
    }
  }
  if (result.kind === 'DOUBLE') {
    switch (op) {
      case '+': return (x, y) => x + y;
      case '-': return (x, y) => x - y;
      case '*': return (x, y) => x * y;
      case '/': return (x, y) => x / y;
      case '%': return (x, y) => x % y;
    }
  }
  // Integral.
  const w = wrapFor(result.kind);
  if (result.kind === 'INT' && op === '*' && isIntegral(a) && isIntegral(b) && a.kind !== 'BIGINT' && b.kind !== 'BIGINT') {
    return (x, y) => Math.imul(x, y);
  }
  switch (op) {
    case '+': return w ? (x, y) => w(x + y) : (x, y) => x + y;
    case '-': return w ? (x, y) => w(x - y) : (x, y) => x - y;
    case '*': return w ? (x, y) => w(bigMul(x, y)) : (x, y) => x * y;
    case '/': return w
      ? (x, y) => { if (y === 0) divZero(); return w(Math.trunc(x / y)); }
      : (x, y) => { if (y === 0) divZero(); return Math.trunc(x / y); };
    case '%': return w
      ? (x, y) => { if (y === 0) divZero(); return w(x % y); }
      : (x, y) => { if (y === 0) divZero(); return x % y; };
  }
}

/** Exact low 32 bits of a product of integers that may exceed 2^53 (wrapping callers only). */
function bigMul(x: number, y: number): number {
  const p = x * y;
  if (Math.abs(p) < 9007199254740992) return p;
  return Number(BigInt.asIntN(64, BigInt(x) * BigInt(y)));
}

/** Remainder of two decimals computed on scaled integers to avoid binary error (5.5 % 2.2 = 1.1). */
function decimalRem(x: number, y: number, scale: number): number {
  const f = Math.pow(10, scale);
  const xi = Math.round(x * f), yi = Math.round(y * f);
  if (Math.abs(xi) < 9007199254740992 && Math.abs(yi) < 9007199254740992) return (xi % yi) / f;
  return x % y;
}

/**
 * An inline JavaScript expression for `x op y` (x, y are expression strings for non-null operands), or undefined when
 * the operation needs the function from makeArithmetic (division by zero checks, DECIMAL rounding, temporal).
 */
export function makeArithmeticSource(op: ArithOp, a: SqlType, b: SqlType, result: SqlType, x: string, y: string): string | undefined {
  if (!isNum(a) || !isNum(b)) return undefined;
  const X = `(${x})`, Y = `(${y})`;
  switch (result.kind) {
    case 'DOUBLE':
      return `(${X} ${op} ${Y})`;
    case 'FLOAT':
      return `Math.fround(${X} ${op} ${Y})`;
    case 'INT':
      if (op === '/' || op === '%') return undefined;
      if (op === '*') return a.kind === 'BIGINT' || b.kind === 'BIGINT' ? undefined : `Math.imul(${X}, ${Y})`;
      return `((${X} ${op} ${Y}) | 0)`;
    case 'SMALLINT':
      if (op === '/' || op === '%' || op === '*') return undefined;
      return `(((${X} ${op} ${Y}) << 16) >> 16)`;
    case 'TINYINT':
      if (op === '/' || op === '%' || op === '*') return undefined;
      return `(((${X} ${op} ${Y}) << 24) >> 24)`;
    case 'BIGINT':
      if (op === '/' || op === '%') return undefined;
      return `(${X} ${op} ${Y})`;
    default:
      return undefined;
  }
}

/** For callers that need a common numeric type of two operands without an operator (e.g. GREATEST). */
export function numericCommonType(a: SqlType, b: SqlType): SqlType | undefined {
  return tryLeastRestrictive([a, b]);
}
