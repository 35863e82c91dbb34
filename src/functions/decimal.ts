/**
 * DECIMAL support on the number representation (see ../common/types.ts: a DECIMAL(p,s) value is a number rounded
 * half-up to s fractional digits) and Flink's result-type derivation (LogicalTypeMerging).
 *
 * Precision note: values are IEEE doubles, so DECIMALs with more than ~15 significant digits are approximate. Rounding
 * goes through a 15-significant-digit decimal view of the value so that 1.005 rounds to 1.01 as BigDecimal would.
 */
import type { SqlType } from '../common/types.js';
import { T, integralDigits, isIntegral } from '../common/types.js';

export { MAX_DECIMAL_PRECISION, MINIMUM_ADJUSTED_SCALE, pow10, roundHalfUp } from '../common/decimal.js';
import { pow10, roundHalfUp, MAX_DECIMAL_PRECISION, MINIMUM_ADJUSTED_SCALE } from '../common/decimal.js';

/** Truncates toward zero to `scale` fractional digits (may be < 0). */
export function truncateScale(x: number, scale: number): number {
  if (!Number.isFinite(x)) return x;
  if (scale >= 0) {
    const f = pow10(scale);
    const a = Math.abs(x) * f;
    if (a >= 9007199254740992) return x;
    const v = Math.floor(Number(a.toPrecision(15))) / f;
    return x < 0 ? -v : v;
  }
  const f = pow10(-scale);
  const v = Math.floor(Number((Math.abs(x) / f).toPrecision(15))) * f;
  return x < 0 ? -v : v;
}

/** True when |x| (already rounded to `scale`) fits DECIMAL(precision, scale), i.e. |x| < 10^(p-s). */
export function fitsDecimal(x: number, precision: number, scale: number): boolean {
  return Math.abs(x) < pow10(precision - scale);
}

/** Rounds to the scale and returns null on precision overflow (Flink's DECIMAL cast/arithmetic behaviour). */
export function toDecimal(x: number, precision: number, scale: number): number | null {
  if (!Number.isFinite(x)) return null;
  const r = roundHalfUp(x, scale);
  return fitsDecimal(r, precision, scale) ? r : null;
}

/** DECIMAL(p, s) for a numeric type; integral types map to DECIMAL(digits, 0) as Flink does in decimal arithmetic. */
export function asDecimalType(t: SqlType): { precision: number; scale: number } | undefined {
  if (t.kind === 'DECIMAL') return { precision: t.precision ?? 10, scale: t.scale ?? 0 };
  if (isIntegral(t)) return { precision: integralDigits(t.kind), scale: 0 };
  return undefined;
}

/** Flink's LogicalTypeMerging.adjustPrecisionScale: cap precision at 38 keeping at least 6 fractional digits. */
export function adjustPrecisionScale(precision: number, scale: number, nullable = true): SqlType {
  if (precision <= MAX_DECIMAL_PRECISION) return T.decimal(precision, scale, nullable);
  const intDigits = precision - scale;
  const minScale = Math.min(scale, MINIMUM_ADJUSTED_SCALE);
  const adjustedScale = Math.max(MAX_DECIMAL_PRECISION - intDigits, minScale);
  return T.decimal(MAX_DECIMAL_PRECISION, adjustedScale, nullable);
}

export function additionDecimalType(p1: number, s1: number, p2: number, s2: number, nullable = true): SqlType {
  const scale = Math.max(s1, s2);
  const precision = Math.max(p1 - s1, p2 - s2) + scale + 1;
  return adjustPrecisionScale(precision, scale, nullable);
}

export function multiplicationDecimalType(p1: number, s1: number, p2: number, s2: number, nullable = true): SqlType {
  return adjustPrecisionScale(p1 + p2 + 1, s1 + s2, nullable);
}

export function divisionDecimalType(p1: number, s1: number, p2: number, s2: number, nullable = true): SqlType {
  const scale = Math.max(MINIMUM_ADJUSTED_SCALE, s1 + p2 + 1);
  const precision = p1 - s1 + s2 + scale;
  return adjustPrecisionScale(precision, scale, nullable);
}

export function moduloDecimalType(p1: number, s1: number, p2: number, s2: number, nullable = true): SqlType {
  const scale = Math.max(s1, s2);
  const precision = Math.min(p1 - s1, p2 - s2) + scale;
  return adjustPrecisionScale(precision, scale, nullable);
}

/** Flink's ROUND(DECIMAL(p, s), r) result type (LogicalTypeMerging.findRoundDecimalType). */
export function roundDecimalType(p: number, s: number, r: number, nullable = true): SqlType {
  if (r >= s) return T.decimal(p, s, nullable);
  if (r < 0) return T.decimal(Math.min(MAX_DECIMAL_PRECISION, 1 + p - s), 0, nullable);
  // 0 <= r < s: one extra integer digit may be needed for the carry.
  return T.decimal(1 + p - s + r, r, nullable);
}
