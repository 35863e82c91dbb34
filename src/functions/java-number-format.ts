/**
 * Number-to-text as Java prints it, which is what Flink's CAST(x AS STRING) produces:
 *   Double.toString: '1.0', '0.001', '1.0E7', '1.0E-4', 'NaN', 'Infinity', '-0.0'
 *   Float.toString: the shortest digits that identify the float ('0.1', not '0.10000000149011612')
 *   BigDecimal.toPlainString for DECIMAL: always exactly `scale` fractional digits ('1.50').
 * JS's shortest round-trip digits are used (Java 19+ prints the same shortest digits).
 */

/** Java Double.toString. */
export function formatDouble(d: number): string {
  if (d !== d) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const a = d < 0 ? -d : d;
  if (a >= 1e-3 && a < 1e7) {
    const s = String(d); // plain notation in this range
    return s.indexOf('.') < 0 ? s + '.0' : s;
  }
  const e = d.toExponential(); // shortest digits, e.g. '1.2345e+20'
  const k = e.indexOf('e');
  let mant = e.slice(0, k);
  if (mant.indexOf('.') < 0) mant += '.0';
  const exp = e.charCodeAt(k + 1) === 43 /* + */ ? e.slice(k + 2) : e.slice(k + 1);
  return mant + 'E' + exp;
}

/** The shortest decimal that rounds to the same float32 as `f`, as a double (e.g. fround(0.1) -> 0.1). */
export function shortestFloat(f: number): number {
  if (!Number.isFinite(f) || f === 0) return f;
  const target = Math.fround(f);
  for (let p = 1; p <= 9; p++) {
    const c = Number(target.toPrecision(p));
    if (Math.fround(c) === target) return c;
  }
  return target;
}

/** Java Float.toString. */
export function formatFloat(f: number): string {
  return formatDouble(shortestFloat(f));
}

/** BigDecimal.toPlainString of a DECIMAL value with the given scale. */
export function formatDecimal(v: number, scale: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (scale < 0) scale = 0;
  if (Math.abs(v) < 1e21) {
    const s = v.toFixed(scale);
    // toFixed keeps a '-' for values that round to zero ('-0.00'); BigDecimal prints '0.00'.
    return s.charCodeAt(0) === 45 && /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
  }
  // Beyond 1e21 toFixed switches to exponent form: print the integer part exactly via BigInt.
  const intPart = BigInt(Math.trunc(v)).toString();
  return scale > 0 ? intPart + '.' + '0'.repeat(scale) : intPart;
}

/** Java Long.toString / Integer.toString of an integral number (no '.0'). */
export function formatIntegral(v: number): string {
  if (Math.abs(v) < 1e21) return String(v);
  return BigInt(Math.trunc(v)).toString();
}
