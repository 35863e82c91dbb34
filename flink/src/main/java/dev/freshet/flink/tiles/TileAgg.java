// The accumulators of tiled COUNT, SUM, AVG, MIN and MAX with exactly the arithmetic and the stored JSON of Freshet's
// embedded engine (src/aggregates/count.ts, sum.ts, avg.ts, min-max.ts encoded by encode.ts): every value is a
// JavaScript number there (BIGINT too), so here every accumulator is a double[] and every step is the same IEEE
// operation — SUM wraps TINYINT/SMALLINT/INT in the result type and rounds FLOAT sums to float after each step, AVG
// sums plainly, MIN/MAX order NaN above every number.
package dev.freshet.flink.tiles;

import dev.freshet.flink.store.JsText;
import org.apache.flink.table.data.RowData;

/**
 * Accumulator layouts (encoded form in brackets): COUNT {n} (n), SUM and AVG {sum, count} ([sum, count]), MIN and MAX
 * {present, extreme} ([extreme] or [null]). Numbers are encoded as encode.ts does: finite non-negative-zero numbers as
 * JavaScript prints them, NaN, ±Infinity and -0 as {"$n": "..."}.
 */
public final class TileAgg {
  private TileAgg() {}

  public static double[] create(TileConfig.Call c) {
    return c.fn.equals("COUNT") ? new double[1] : new double[2];
  }

  /** Adds the row's value of call c (FILTER already checked by the caller). */
  public static void add(TileConfig.Call c, double[] acc, RowData row) {
    if (c.fn.equals("COUNT")) {
      if (c.arg < 0) acc[0] += 1;
      else if (!row.isNullAt(c.arg) && ("COUNT_FLAG".equals(c.kind) ? row.getBoolean(c.arg) : true)) acc[0] += 1;
      return;
    }
    if (row.isNullAt(c.arg)) return;
    addValue(c, acc, read(c.kind, row, c.arg));
  }

  /** Adds a (non-null) argument value. */
  public static void addValue(TileConfig.Call c, double[] acc, double v) {
    switch (c.fn) {
      case "COUNT" -> acc[0] += 1;
      case "SUM" -> {
        acc[0] = plus(c.resultKind, acc[0], v);
        acc[1] += 1;
      }
      case "AVG" -> {
        acc[0] += v;
        acc[1] += 1;
      }
      default -> {
        if (acc[0] == 0 || better(c.fn.equals("MAX"), v, acc[1])) {
          acc[0] = 1;
          acc[1] = v;
        }
      }
    }
  }

  /** Merges {@code o} into {@code acc}. */
  public static void merge(TileConfig.Call c, double[] acc, double[] o) {
    switch (c.fn) {
      case "COUNT" -> acc[0] += o[0];
      case "SUM" -> {
        acc[0] = plus(c.resultKind, acc[0], o[0]);
        acc[1] += o[1];
      }
      case "AVG" -> {
        acc[0] += o[0];
        acc[1] += o[1];
      }
      default -> {
        if (o[0] != 0 && (acc[0] == 0 || better(c.fn.equals("MAX"), o[1], acc[1]))) {
          acc[0] = 1;
          acc[1] = o[1];
        }
      }
    }
  }

  /** The encoded accumulator as JSON text (encodeAcc + JSON.stringify). */
  public static void encode(TileConfig.Call c, double[] acc, StringBuilder sb) {
    switch (c.fn) {
      case "COUNT" -> number(acc[0], sb);
      case "SUM", "AVG" -> {
        sb.append('[');
        number(acc[0], sb);
        sb.append(',');
        number(acc[1], sb);
        sb.append(']');
      }
      default -> {
        sb.append('[');
        if (acc[0] == 0) sb.append("null");
        else number(acc[1], sb);
        sb.append(']');
      }
    }
  }

  public static String encode(TileConfig.Call c, double[] acc) {
    StringBuilder sb = new StringBuilder();
    encode(c, acc, sb);
    return sb.toString();
  }

  /** A number as encode.ts stores it. */
  public static void number(double v, StringBuilder sb) {
    if (Double.isNaN(v)) sb.append("{\"$n\":\"NaN\"}");
    else if (Double.isInfinite(v)) sb.append(v > 0 ? "{\"$n\":\"Infinity\"}" : "{\"$n\":\"-Infinity\"}");
    else if (v == 0 && Double.doubleToRawLongBits(v) != 0) sb.append("{\"$n\":\"-0\"}");
    else sb.append(JsText.number(v));
  }

  /** The JavaScript number the embedded engine holds for a value of this type. */
  public static double read(String kind, RowData row, int pos) {
    return switch (kind) {
      case "TINYINT" -> row.getByte(pos);
      case "SMALLINT" -> row.getShort(pos);
      case "INT" -> row.getInt(pos);
      case "BIGINT" -> (double) row.getLong(pos);
      case "FLOAT" -> row.getFloat(pos);
      case "DOUBLE" -> row.getDouble(pos);
      default -> throw new IllegalStateException("unsupported tiled argument type " + kind);
    };
  }

  /** SUM's step in its result type (sum.ts: IntegralSum wraps, FloatSum rounds, BIGINT and DOUBLE add as doubles). */
  static double plus(String kind, double a, double b) {
    double s = a + b;
    return switch (kind) {
      case "TINYINT" -> (byte) (long) s;
      case "SMALLINT" -> (short) (long) s;
      case "INT" -> (int) (long) s;
      case "FLOAT" -> (double) (float) s;
      default -> s;
    };
  }

  /** Whether {@code a} replaces {@code b} as the extreme (value-key.ts lessThan: NaN above every number). */
  static boolean better(boolean isMax, double a, double b) {
    return isMax ? lessThan(b, a) : lessThan(a, b);
  }

  static boolean lessThan(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) return !Double.isNaN(a) && Double.isNaN(b);
    return a < b;
  }
}
