/**
 * Number text as Flink's formats read and write it. Flink parses with Java's `Integer.parseInt`,
 * `Double.parseDouble` and `new BigDecimal(text)` and writes with `Double.toString`, `Float.toString` and
 * `BigDecimal.toString`; matching those rules is what makes a Freshet sink file byte-identical to Flink's.
 */
import { DecodeError } from './decode-error.js';

const INTEGRAL_RE = /^[+-]?[0-9]+$/;
const DOUBLE_RE = /^[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)$/;
const DECIMAL_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
/** 2^63, exact as a double: the bound of Java's long. */
const TWO_POW_63 = 2 ** 63;

/** Range of each integral SQL type, for range checks when reading. */
export const INTEGRAL_RANGE: Record<string, readonly [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  INTERVAL_YEAR_MONTH: [-2147483648, 2147483647],
  BIGINT: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  INTERVAL_DAY_TIME: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const isLong = (kind: string): boolean => kind === 'BIGINT' || kind === 'INTERVAL_DAY_TIME';

/**
 * `Integer.parseInt` / `Long.parseLong` rules: optional sign, ASCII digits, nothing else; out of the type's range is
 * an error. BIGINT accepts the full 64-bit range (values beyond 2^53 lose precision, see docs/adr/0004).
 */
export function parseIntegralText(text: string, kind: string): number {
  if (!INTEGRAL_RE.test(text)) throw new DecodeError(`${quote(text)} is not a valid ${kind}`);
  if (isLong(kind)) {
    if (text.length > 15) {
      const b = BigInt(text);
      if (b < LONG_MIN || b > LONG_MAX) throw new DecodeError(`${quote(text)} is out of range of ${kind}`);
      return Number(b);
    }
    return Number(text);
  }
  const n = Number(text);
  const [min, max] = INTEGRAL_RANGE[kind]!;
  if (n < min || n > max) throw new DecodeError(`${quote(text)} is out of range of ${kind}`);
  return n;
}

/**
 * A JSON number read as an integral type the way Jackson's `getIntValue`/`getLongValue` do: fractions truncate
 * toward zero, values outside the type's range are an error.
 */
export function integralFromNumber(n: number, kind: string): number {
  if (!Number.isFinite(n)) throw new DecodeError(`${n} is out of range of ${kind}`);
  const t = Math.trunc(n);
  if (isLong(kind)) {
    if (t < -TWO_POW_63 || t >= TWO_POW_63) throw new DecodeError(`${n} is out of range of ${kind}`);
    return t === 0 ? 0 : t;
  }
  const [min, max] = INTEGRAL_RANGE[kind]!;
  if (t < min || t > max) throw new DecodeError(`${n} is out of range of ${kind}`);
  return t === 0 ? 0 : t;
}

/** `Double.parseDouble` rules (after Java's own trim): decimal or exponent form, `NaN`, `Infinity`, `d`/`f` suffix. */
export function parseDoubleText(text: string, kind: string): number {
  const s = text.trim();
  if (!DOUBLE_RE.test(s)) throw new DecodeError(`${quote(text)} is not a valid ${kind}`);
  const last = s.charCodeAt(s.length - 1);
  // d D f F suffixes; 'y' of Infinity and 'N' of NaN are not suffixes.
  const body = last === 100 || last === 68 || last === 102 || last === 70 ? s.slice(0, -1) : s;
  const v = Number(body);
  return kind === 'FLOAT' ? Math.fround(v) : v;
}

/**
 * `new BigDecimal(text)` then Flink's `DecimalData.fromBigDecimal(bd, precision, scale)`: rounds half-up to `scale`
 * digits and yields null (not an error) when the value needs more than `precision - scale` integer digits.
 * Works on the digits, so `0.125` rounds to `0.13` even though the binary double would not.
 */
export function decimalFromText(text: string, precision: number, scale: number): number | null {
  const m = DECIMAL_RE.exec(text);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    throw new DecodeError(`${quote(text)} is not a valid DECIMAL`);
  }
  const sign = m[1] === '-' ? '-' : '';
  const intDigits = m[2]!;
  const fracDigits = m[3] ?? '';
  const exp = m[4] ? Number(m[4]) : 0;
  // value = digits * 10^(pointExp): all digits with the decimal point moved to the end.
  let digits = intDigits + fracDigits;
  const pointExp = exp - fracDigits.length;
  // Rescale to `scale` fractional digits.
  const shift = pointExp + scale;
  if (shift >= 0) {
    digits = digits + '0'.repeat(Math.min(shift, 400));
  } else {
    const keep = digits.length + shift;
    if (keep < 0) {
      digits = '0';
    } else {
      const roundUp = digits.charCodeAt(keep) >= 53; // '5'
      digits = keep === 0 ? '0' : digits.slice(0, keep);
      if (roundUp) digits = incrementDigits(digits);
    }
  }
  digits = digits.replace(/^0+(?=\d)/, '');
  const intLen = digits.length - scale;
  if (intLen > precision - scale) return null;
  const padded = digits.padStart(scale + 1, '0');
  const intPart = padded.slice(0, padded.length - scale);
  const frac = padded.slice(padded.length - scale);
  const v = Number(scale > 0 ? `${intPart}.${frac}` : intPart);
  return sign === '-' && v !== 0 ? -v : v;
}

function incrementDigits(d: string): string {
  const a = d.split('');
  let i = a.length - 1;
  while (i >= 0) {
    if (a[i] === '9') { a[i] = '0'; i--; } else { a[i] = String.fromCharCode(a[i]!.charCodeAt(0) + 1); return a.join(''); }
  }
  return '1' + a.join('');
}

/** Shortest round-trip digits and decimal exponent of a finite non-zero number: 1234.5 -> ['12345', 3]. */
function digitsAndExponent(expForm: string): [string, number] {
  const e = expForm.indexOf('e');
  const mant = expForm.slice(0, e).replace('-', '').replace('.', '');
  return [mant, Number(expForm.slice(e + 1))];
}

/** Lays out digits the way Java's Double.toString/Float.toString do: plain for 1e-3 <= |v| < 1e7, else `d.dddE±n`. */
function javaLayout(neg: boolean, digits: string, exp: number): string {
  let s: string;
  if (exp >= -3 && exp < 7) {
    if (exp >= 0) {
      const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
      const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
      s = `${intPart}.${frac}`;
    } else {
      s = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
  } else {
    s = `${digits[0]}.${digits.length > 1 ? digits.slice(1) : '0'}E${exp}`;
  }
  return neg ? '-' + s : s;
}

/** Java's `Double.toString`: `1.0`, `0.001`, `1.0E7`, `1.5E-4`, `NaN`, `Infinity`. */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const [digits, exp] = digitsAndExponent(d.toExponential());
  return javaLayout(d < 0, digits, exp);
}

/** Java's `Float.toString`: the shortest digits that read back to the same 32-bit float, in Java's layout. */
export function javaFloatToString(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return 'Infinity';
  if (f === -Infinity) return '-Infinity';
  if (f === 0) return Object.is(f, -0) ? '-0.0' : '0.0';
  const target = Math.fround(f);
  let form = target.toExponential(8);
  for (let p = 0; p <= 8; p++) {
    const candidate = target.toExponential(p);
    if (Math.fround(Number(candidate)) === target) { form = candidate; break; }
  }
  const [digits, exp] = digitsAndExponent(form);
  return javaLayout(target < 0, digits.replace(/0+$/, '') || '0', exp);
}

/**
 * Java's `BigDecimal.toString` of a DECIMAL(p, s) value (`plain` = `toPlainString`): plain notation unless the
 * adjusted exponent is below -6, then `1.23E-8`; a zero with scale above 6 prints `0E-8`.
 */
export function javaDecimalToString(value: number, scale: number, plain = false): string {
  const fixed = Math.abs(value) < 1e21 ? value.toFixed(scale) : String(value);
  if (plain || scale <= 6) return normaliseNegativeZero(fixed);
  const neg = fixed.startsWith('-');
  const unscaled = fixed.replace('-', '').replace('.', '').replace(/^0+(?=\d)/, '');
  const adjusted = unscaled.length - 1 - scale;
  if (adjusted >= -6) return normaliseNegativeZero(fixed);
  const coeff = unscaled.length > 1 ? `${unscaled[0]}.${unscaled.slice(1)}` : unscaled;
  return `${neg && unscaled !== '0' ? '-' : ''}${coeff}E${adjusted}`;
}

function normaliseNegativeZero(s: string): string {
  return s.startsWith('-') && /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? text.slice(0, 57) + '...' : text);
}
