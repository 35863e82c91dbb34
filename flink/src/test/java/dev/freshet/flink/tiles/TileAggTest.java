// The Java tile accumulators must store exactly the text of Freshet's embedded engine (src/aggregates/*.ts encoded by
// encode.ts and JSON.stringify). Expected texts come from the TypeScript side: each case adds the values to the
// TypeScript aggregate and encodes it, both in one accumulator and as two merged halves.
package dev.freshet.flink.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TileAggTest {
  static Stream<Arguments> cases() {
    return Stream.of(
      Arguments.of("COUNT", "INT", new double[] {1.0, 2.0, 3.0}, "3", "3"),
      Arguments.of("SUM", "INT", new double[] {2147483647.0, 1.0, 5.0}, "[-2147483643,3]", "[-2147483643,3]"),
      Arguments.of("SUM", "TINYINT", new double[] {100.0, 100.0}, "[-56,2]", "[-56,2]"),
      Arguments.of("SUM", "SMALLINT", new double[] {30000.0, 30000.0, -5.0}, "[-5541,3]", "[-5541,3]"),
      Arguments.of("SUM", "BIGINT", new double[] {9007199254740992.0, 1.0, 1.0, 3.0}, "[9007199254740996,4]", "[9007199254740996,4]"),
      Arguments.of("SUM", "FLOAT", new double[] {0.10000000149011612, 0.20000000298023224, 9.99999993922529e-9}, "[0.30000001192092896,3]", "[0.30000001192092896,3]"),
      Arguments.of("SUM", "DOUBLE", new double[] {0.1, 0.2}, "[0.30000000000000004,2]", "[0.30000000000000004,2]"),
      Arguments.of("SUM", "DOUBLE", new double[] {1e+21, 1.5e-7}, "[1e+21,2]", "[1e+21,2]"),
      Arguments.of("SUM", "DOUBLE", new double[] {5e-324}, "[5e-324,1]", "[5e-324,1]"),
      Arguments.of("SUM", "DOUBLE", new double[] {123456789.125, -0.5}, "[123456788.625,2]", "[123456788.625,2]"),
      Arguments.of("SUM", "DOUBLE", new double[] {}, "[0,0]", "[0,0]"),
      Arguments.of("AVG", "DOUBLE", new double[] {1e+308, 1e+308}, "[{\"$n\":\"Infinity\"},2]", "[{\"$n\":\"Infinity\"},2]"),
      Arguments.of("AVG", "INT", new double[] {1.0, 2.0, 4.0}, "[7,3]", "[7,3]"),
      Arguments.of("AVG", "FLOAT", new double[] {0.10000000149011612, 0.699999988079071}, "[0.7999999895691872,2]", "[0.7999999895691872,2]"),
      Arguments.of("MAX", "DOUBLE", new double[] {1.0, Double.NaN, 3.0}, "[{\"$n\":\"NaN\"}]", "[{\"$n\":\"NaN\"}]"),
      Arguments.of("MIN", "DOUBLE", new double[] {1.0, Double.NaN, 3.0}, "[1]", "[1]"),
      Arguments.of("MIN", "DOUBLE", new double[] {-0.0, 0.0}, "[{\"$n\":\"-0\"}]", "[{\"$n\":\"-0\"}]"),
      Arguments.of("MAX", "DOUBLE", new double[] {0.0, -0.0}, "[0]", "[0]"),
      Arguments.of("MIN", "DOUBLE", new double[] {}, "[null]", "[null]"),
      Arguments.of("MAX", "DOUBLE", new double[] {Double.NEGATIVE_INFINITY}, "[{\"$n\":\"-Infinity\"}]", "[{\"$n\":\"-Infinity\"}]"),
      Arguments.of("MIN", "INT", new double[] {5.0, -3.0, 7.0}, "[-3]", "[-3]"),
      Arguments.of("MAX", "BIGINT", new double[] {100000000000000000.0, 200000000000000000.0}, "[200000000000000000]", "[200000000000000000]"),
      Arguments.of("MAX", "DOUBLE", new double[] {1e-7, 2.5e-7}, "[2.5e-7]", "[2.5e-7]")
    );
  }

  @ParameterizedTest(name = "{0}({1}) of {2}")
  @MethodSource("cases")
  void encodesAsTheEmbeddedEngine(String fn, String kind, double[] values, String text, String mergedText) {
    TileConfig.Call c = new TileConfig.Call(fn + "(x)", fn, kind, resultKind(fn, kind), 0, -1);
    double[] acc = TileAgg.create(c);
    for (double v : values) TileAgg.addValue(c, acc, v);
    assertEquals(text, TileAgg.encode(c, acc));
    double[] a1 = TileAgg.create(c);
    double[] a2 = TileAgg.create(c);
    for (int i = 0; i < values.length; i++) TileAgg.addValue(c, i % 2 == 1 ? a2 : a1, values[i]);
    TileAgg.merge(c, a1, a2);
    assertEquals(mergedText, TileAgg.encode(c, a1));
  }

  /** Flink's (and Freshet's) result types: COUNT BIGINT, SUM the argument type, AVG the argument type, MIN/MAX too. */
  private static String resultKind(String fn, String kind) {
    return fn.equals("COUNT") ? "BIGINT" : kind;
  }
}
