// Text forms of temporal and binary values in Freshet's online stores, as src/formats/temporal-text.ts writes them:
// DATE yyyy-MM-dd, TIME HH:mm:ss with a minimal fraction (.5, .25, .125), TIMESTAMP yyyy-MM-ddTHH:mm:ss[.fff]
// (TIMESTAMP_LTZ with a trailing Z), BYTES standard padded base64. Millisecond precision, like the embedded engine.
package dev.freshet.flink.store;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;

/** Formatting and parsing of the stores' temporal text. */
public final class StoreText {
  private StoreText() {}

  public static final long MS_PER_DAY = 86_400_000L;

  /** yyyy-MM-dd; years outside 0..9999 get a sign and at least four digits. */
  public static String date(long epochDay) {
    LocalDate d = LocalDate.ofEpochDay(epochDay);
    StringBuilder sb = new StringBuilder(10);
    int y = d.getYear();
    if (y >= 0 && y < 10000) pad(sb, y, 4);
    else {
      sb.append(y < 0 ? '-' : '+');
      pad(sb, Math.abs(y), 4);
    }
    sb.append('-');
    pad(sb, d.getMonthValue(), 2);
    sb.append('-');
    pad(sb, d.getDayOfMonth(), 2);
    return sb.toString();
  }

  /** HH:mm:ss plus the milliseconds without trailing zeros ({@code .5}), nothing when they are 0. */
  public static String time(long msOfDay) {
    StringBuilder sb = new StringBuilder(12);
    pad(sb, (int) (msOfDay / 3_600_000L), 2);
    sb.append(':');
    pad(sb, (int) (msOfDay % 3_600_000L / 60_000L), 2);
    sb.append(':');
    pad(sb, (int) (msOfDay % 60_000L / 1000L), 2);
    int ms = (int) (msOfDay % 1000L);
    if (ms != 0) {
      String f = String.valueOf(1000 + ms).substring(1);
      int end = 3;
      while (f.charAt(end - 1) == '0') end--;
      sb.append('.').append(f, 0, end);
    }
    return sb.toString();
  }

  /** yyyy-MM-ddTHH:mm:ss[.fff] of epoch milliseconds, with a trailing Z when {@code withZone}. */
  public static String timestamp(long epochMs, boolean withZone) {
    long days = Math.floorDiv(epochMs, MS_PER_DAY);
    long msOfDay = epochMs - days * MS_PER_DAY;
    return date(days) + 'T' + time(msOfDay) + (withZone ? "Z" : "");
  }

  public static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  public static long parseDate(String s) {
    return LocalDate.parse(s).toEpochDay();
  }

  public static int parseTime(String s) {
    return (int) (LocalTime.parse(s).toNanoOfDay() / 1_000_000L);
  }

  /** Epoch ms of a stored timestamp (with or without the Z). */
  public static long parseTimestamp(String s) {
    if (s.endsWith("Z")) return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  private static void pad(StringBuilder sb, int v, int width) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < width; i++) sb.append('0');
    sb.append(s);
  }
}
