// Number and string text exactly as JavaScript writes it (Number.prototype.toString, JSON.stringify), so the JSON
// rows and entity keys the Flink connectors write are byte for byte those of Freshet's embedded engine
// (src/connectors/stores/row-codec.ts and store-key.ts are TypeScript and use String(n) / JSON.stringify).
package dev.freshet.flink.store;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** JavaScript's text forms of numbers and strings. */
public final class JsText {
  private JsText() {}

  /** 2^53: below it every integral double is exact and its shortest digits are the integer itself. */
  private static final double EXACT_INTEGERS = 9007199254740992.0;

  /**
   * {@code String(v)} of a JavaScript number: the shortest digits that read back as {@code v} (the nearest of them),
   * in plain notation for decimal exponents -7 < n <= 21, else as {@code d.ddde+X}; -0 is {@code 0}; NaN and
   * infinities as {@code NaN}, {@code Infinity}, {@code -Infinity}.
   */
  public static String number(double v) {
    if (Double.isNaN(v)) return "NaN";
    if (Double.isInfinite(v)) return v > 0 ? "Infinity" : "-Infinity";
    if (v == 0) return "0";
    if (v == Math.rint(v) && Math.abs(v) < EXACT_INTEGERS) return Long.toString((long) v);
    BigDecimal exact = new BigDecimal(v);
    // The fewest significant digits whose nearest rounding reads back as v. Monotone in p (the nearest p+1 digit
    // number is at least as close as the nearest p digit one), so a binary search over 1..17 finds it.
    int lo = 1;
    int hi = 17;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (exact.round(new MathContext(mid, RoundingMode.HALF_EVEN)).doubleValue() == v) hi = mid;
      else lo = mid + 1;
    }
    BigDecimal r = exact.round(new MathContext(lo, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    String digits = r.unscaledValue().abs().toString();
    int k = digits.length();
    int n = k - r.scale(); // the value is 0.<digits> x 10^n
    StringBuilder sb = new StringBuilder(24);
    if (v < 0) sb.append('-');
    if (k <= n && n <= 21) {
      sb.append(digits);
      for (int i = 0; i < n - k; i++) sb.append('0');
    } else if (0 < n && n <= 21) {
      sb.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      sb.append("0.");
      for (int i = 0; i < -n; i++) sb.append('0');
      sb.append(digits);
    } else {
      int e = n - 1;
      sb.append(digits.charAt(0));
      if (k > 1) sb.append('.').append(digits, 1, k);
      sb.append('e').append(e >= 0 ? '+' : '-').append(Math.abs(e));
    }
    return sb.toString();
  }

  /** {@code String(n)} of a BIGINT held as a JavaScript number (exact below 2^53, the nearest double above). */
  public static String number(long v) {
    if (Math.abs(v) < (long) EXACT_INTEGERS) return Long.toString(v);
    return number((double) v);
  }

  /** A number as a JSON value the way row-codec.ts writes it: finite numbers bare, NaN and infinities as strings. */
  public static String jsonNumber(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "\"" + number(v) + "\"" : number(v);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** {@code JSON.stringify(s)}: quotes, escapes {@code " \ } and control characters, and lone surrogates. */
  public static void quote(String s, StringBuilder sb) {
    sb.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            unicodeEscape(c, sb);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
              sb.append(c).append(s.charAt(++i));
            } else {
              unicodeEscape(c, sb);
            }
          } else if (Character.isLowSurrogate(c)) {
            unicodeEscape(c, sb); // a low surrogate without its high half
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    quote(s, sb);
    return sb.toString();
  }

  private static void unicodeEscape(char c, StringBuilder sb) {
    sb.append("\\u").append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
  }
}
