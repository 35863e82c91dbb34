/**
 * Number arithmetic that aggregates need to reproduce Flink's (Java) results on the JS number representation:
 * integral wrap-around of TINYINT/SMALLINT/INT, Java's double-to-integral narrowing, FLOAT rounding, DECIMAL
 * half-up rounding and Flink's DECIMAL result-type derivation (LogicalTypeMerging).
 *
 * DECIMAL rounding comes from src/common/decimal.ts, shared with the scalar functions.
 */
import type { TypeKind } from '../common/types.js';

export { MAX_DECIMAL_PRECISION, pow10, roundHalfUp } from '../common/decimal.js';
import { MAX_DECIMAL_PRECISION, MINIMUM_ADJUSTED_SCALE, pow10 } from '../common/decimal.js';

/**
 * round-half-up(n / d) for integers n and d > 0, exact while |n| is a safe integer (BigDecimal division rounded
 * HALF_UP, as Flink's DECIMAL division does).
 */
export function divideHalfUp(n: number, d: number): number {
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER) return Math.round(n / d);
  const a = Math.abs(n);
  let q = Math.floor(a / d);
  const r = a - q * d;
  if (r * 2 >= d) q += 1;
  return n < 0 ? -q : q;
}

/** DECIMAL value as an integer scaled by 10^scale (exact while it is a safe integer). */
export function toScaled(x: number, scale: number): number {
  return Math.round(x * pow10(scale));
}

// ---------------------------------------------------------------------------------------------------------------
// Integral types: Java arithmetic wraps on overflow in the type's width (Flink casts each arithmetic result back to
// the result type, e.g. `(byte) (a + b)`). BIGINT cannot wrap on doubles; beyond 2^53 it is approximate (ADR 0004).
// ---------------------------------------------------------------------------------------------------------------

/** Wraps an integral number into the two's-complement range of `kind`. */
export function wrapIntegral(kind: TypeKind, v: number): number {
  switch (kind) {
    case 'TINYINT': return (v << 24) >> 24;
    case 'SMALLINT': return (v << 16) >> 16;
    case 'INT': return v | 0;
    default: return v;
  }
}

/** Product of two integral values in the width of `kind` (INT uses Math.imul: exact 32-bit wrap-around). */
export function mulIntegral(kind: TypeKind, a: number, b: number): number {
  if (kind === 'INT') return Math.imul(a, b);
  if (kind === 'BIGINT') return a * b;
  return wrapIntegral(kind, a * b);
}

const LONG_LIMIT = 2 ** 63;

/**
 * Java's narrowing of a double to an integral type: NaN -> 0, saturate to int (long for BIGINT), truncate toward
 * zero; TINYINT/SMALLINT then wrap from int as `(byte) (int) d` does.
 */
export function doubleToIntegral(kind: TypeKind, d: number): number {
  if (d !== d) return 0;
  if (kind === 'BIGINT') {
    // Long.MAX_VALUE and MIN_VALUE as doubles (both are 2^63 in magnitude once rounded).
    if (d >= LONG_LIMIT) return LONG_LIMIT;
    if (d <= -LONG_LIMIT) return -LONG_LIMIT;
    return Math.trunc(d);
  }
  let i: number;
  if (d >= 2147483647) i = 2147483647;
  else if (d <= -2147483648) i = -2147483648;
  else i = Math.trunc(d);
  return wrapIntegral(kind, i);
}

// ---------------------------------------------------------------------------------------------------------------
// Flink's DECIMAL type derivation (LogicalTypeMerging): precision capped at 38 keeping at least 6 fraction digits.
// ---------------------------------------------------------------------------------------------------------------

export interface DecimalPS { precision: number; scale: number }

export function adjustPrecisionScale(precision: number, scale: number): DecimalPS {
  if (precision <= MAX_DECIMAL_PRECISION) return { precision, scale };
  const intDigits = precision - scale;
  const minScale = Math.min(scale, MINIMUM_ADJUSTED_SCALE);
  return { precision: MAX_DECIMAL_PRECISION, scale: Math.max(MAX_DECIMAL_PRECISION - intDigits, minScale) };
}

export function additionDecimal(a: DecimalPS, b: DecimalPS): DecimalPS {
  const scale = Math.max(a.scale, b.scale);
  return adjustPrecisionScale(Math.max(a.precision - a.scale, b.precision - b.scale) + scale + 1, scale);
}

export function multiplicationDecimal(a: DecimalPS, b: DecimalPS): DecimalPS {
  return adjustPrecisionScale(a.precision + b.precision + 1, a.scale + b.scale);
}

export function divisionDecimal(a: DecimalPS, b: DecimalPS): DecimalPS {
  const scale = Math.max(MINIMUM_ADJUSTED_SCALE, a.scale + b.precision + 1);
  return adjustPrecisionScale(a.precision - a.scale + b.scale + scale, scale);
}

/** SUM over DECIMAL(p, s): DECIMAL(38, s). */
export function sumAggDecimal(arg: DecimalPS): DecimalPS {
  return { precision: MAX_DECIMAL_PRECISION, scale: arg.scale };
}

/** AVG (and the variance family) over DECIMAL(p, s): DECIMAL(38, max(6, s)), from dividing DECIMAL(38, s) by BIGINT. */
export function avgAggDecimal(arg: DecimalPS): DecimalPS {
  return divisionDecimal({ precision: MAX_DECIMAL_PRECISION, scale: arg.scale }, BIGINT_AS_DECIMAL);
}

/** BIGINT operands take part in DECIMAL arithmetic as DECIMAL(19, 0). */
export const BIGINT_AS_DECIMAL: DecimalPS = { precision: 19, scale: 0 };
