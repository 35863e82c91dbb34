/**
 * DECIMAL rounding on the number representation (see ./types.ts: a DECIMAL(p,s) value is a number rounded half-up
 * to s fractional digits), shared by scalar functions and aggregates so both round exactly alike.
 *
 * Precision note: values are IEEE doubles, so DECIMALs with more than ~15 significant digits are approximate. Rounding
 * goes through a 15-significant-digit decimal view of the value so that 1.005 rounds to 1.01 as BigDecimal would.
 */

export const MAX_DECIMAL_PRECISION = 38;
/** Flink keeps at least this many fractional digits when a derived precision overflows 38. */
export const MINIMUM_ADJUSTED_SCALE = 6;

const POW10: number[] = [];
for (let i = 0; i <= 38; i++) POW10.push(Number('1e' + i));

export function pow10(n: number): number {
  return n >= 0 && n <= 38 ? POW10[n]! : Math.pow(10, n);
}

/** Rounds half-up (away from zero on ties, Java RoundingMode.HALF_UP) to `scale` fractional digits (may be < 0). */
export function roundHalfUp(x: number, scale: number): number {
  if (!Number.isFinite(x)) return x;
  if (scale >= 0) {
    const f = pow10(scale);
    const a = Math.abs(x) * f;
    if (a >= 9007199254740992) return x; // already integral at this scale
    // Correct binary representation error (1.005 * 100 = 100.49999999999999) via a 15-digit decimal view.
    const r = Math.floor(Number(a.toPrecision(15)) + 0.5);
    const v = r / f;
    return x < 0 ? -v : v;
  }
  const f = pow10(-scale);
  const r = Math.floor(Number((Math.abs(x) / f).toPrecision(15)) + 0.5) * f;
  return x < 0 ? -r : r;
}

