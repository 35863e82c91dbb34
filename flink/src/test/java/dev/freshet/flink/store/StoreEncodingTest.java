// The Flink connectors' keys and values must be byte for byte those of Freshet's embedded engine. Expected texts
// come from the TypeScript side (String(n) and JSON.stringify in Node 20, row-codec.ts and store-key.ts rules).
package dev.freshet.flink.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DateType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

class StoreEncodingTest {
  @Test
  void numbersPrintAsJavaScriptDoes() {
    // [value, String(value) in Node 20]
    Object[][] cases = {
      {0.1, "0.1"}, {0.30000000000000004, "0.30000000000000004"}, {1e21, "1e+21"}, {1e-7, "1e-7"}, {123e-20, "1.23e-18"},
      {Math.pow(2, 60), "1152921504606847000"}, {-1.5, "-1.5"}, {5e-324, "5e-324"}, {Double.MAX_VALUE, "1.7976931348623157e+308"},
      {123456.789, "123456.789"}, {1e-6, "0.000001"}, {0.000001234, "0.000001234"}, {100.0, "100"}, {9007199254740992.0, "9007199254740992"},
      {9007199254740994.0, "9007199254740994"}, {4.35, "4.35"}, {1.0 / 3, "0.3333333333333333"}, {2.0 / 3 * 1e10, "6666666666.666666"},
      {9.95, "9.95"}, {1234567890123456789012.0, "1.2345678901234568e+21"}, {-0.0, "0"}, {Double.NaN, "NaN"},
      {Double.NEGATIVE_INFINITY, "-Infinity"},
    };
    for (Object[] c : cases) assertEquals(c[1], JsText.number((Double) c[0]), "String(" + c[0] + ")");
    assertEquals("9223372036854776000", JsText.number(Long.MAX_VALUE));
    assertEquals("-9007199254740992", JsText.number(-9007199254740993L));
    assertEquals("42", JsText.number(42L));
    assertEquals("\"NaN\"", JsText.jsonNumber(Double.NaN));
  }

  @Test
  void stringsQuoteAsJsonStringify() {
    assertEquals("\"a\\\"b\\\\c\\n\\u0001\\u001f\\ud800x\\udc00\u00e9/\"", JsText.quote("a\"b\\c\n\u0001\u001f\ud800x\udc00\u00e9/"));
    assertEquals("\"\ud83d\ude00\"", JsText.quote("\ud83d\ude00"), "a surrogate pair stays as it is");
  }

  @Test
  void temporalText() {
    assertEquals("2024-01-02", StoreText.date(19724));
    assertEquals("0001-01-01", StoreText.date(-719162));
    assertEquals("+10000-01-01", StoreText.date(2932897));
    assertEquals("03:04:05", StoreText.time(3 * 3600000 + 4 * 60000 + 5000));
    assertEquals("03:04:05.5", StoreText.time(3 * 3600000 + 4 * 60000 + 5500));
    assertEquals("00:00:00.012", StoreText.time(12));
    assertEquals("2024-01-01T00:00:10.25", StoreText.timestamp(1704067210250L, false));
    assertEquals("1969-12-31T23:59:59.999Z", StoreText.timestamp(-1, true));
    assertEquals(1704067210250L, StoreText.parseTimestamp("2024-01-01T00:00:10.25"));
    assertEquals(-1L, StoreText.parseTimestamp("1969-12-31T23:59:59.999Z"));
  }

  static RowType row(Object... nameType) {
    RowType.RowField[] f = new RowType.RowField[nameType.length / 2];
    for (int i = 0; i < f.length; i++) f[i] = new RowType.RowField((String) nameType[2 * i], (LogicalType) nameType[2 * i + 1]);
    return new RowType(java.util.Arrays.asList(f));
  }

  @Test
  void rowsEncodeAsRowCodecAndDecodeBack() {
    RowType inner = row("a", new IntType(), "b", new VarCharType(VarCharType.MAX_LENGTH));
    RowType t = row("user_id", new VarCharType(false, VarCharType.MAX_LENGTH), "n", new BigIntType(), "avg", new DoubleType(),
        "price", new DecimalType(10, 2), "ok", new BooleanType(), "d", new DateType(), "tm", new TimeType(3),
        "ts", new TimestampType(3), "ltz", new LocalZonedTimestampType(3), "raw", new VarBinaryType(VarBinaryType.MAX_LENGTH),
        "tags", new ArrayType(new VarCharType(VarCharType.MAX_LENGTH)), "m", new MapType(new VarCharType(VarCharType.MAX_LENGTH), new IntType()),
        "im", new MapType(new IntType(), new DoubleType()), "r", inner, "missing", new IntType());
    Map<Object, Object> m = new LinkedHashMap<>();
    m.put(StringData.fromString("x"), 1);
    m.put(StringData.fromString("y"), null);
    Map<Object, Object> im = new LinkedHashMap<>();
    im.put(1, 0.5);
    GenericRowData r = GenericRowData.of(StringData.fromString("u\"1"), 3L, Double.NaN, DecimalData.fromBigDecimal(new BigDecimal("12.50"), 10, 2),
        true, 19724, 5500, TimestampData.fromEpochMillis(1704067210250L), TimestampData.fromEpochMillis(0), new byte[] {1, 2, 3},
        new GenericArrayData(new Object[] {StringData.fromString("a"), null}), new GenericMapData(m), new GenericMapData(im),
        GenericRowData.of(7, StringData.fromString("z")), null);
    RowJson codec = new RowJson(t);
    String text = codec.encode(r);
    assertEquals("{\"user_id\":\"u\\\"1\",\"n\":3,\"avg\":\"NaN\",\"price\":12.5,\"ok\":true,\"d\":\"2024-01-02\",\"tm\":\"00:00:05.5\","
        + "\"ts\":\"2024-01-01T00:00:10.25\",\"ltz\":\"1970-01-01T00:00:00Z\",\"raw\":\"AQID\",\"tags\":[\"a\",null],\"m\":{\"x\":1,\"y\":null},"
        + "\"im\":[[1,0.5]],\"r\":{\"a\":7,\"b\":\"z\"},\"missing\":null}", text);
    RowData back = codec.decode(text);
    assertEquals(codec.encode(back), text, "decode(encode(row)) encodes to the same text");
    assertEquals("u\"1", back.getString(0).toString());
    assertEquals(new BigDecimal("12.50"), back.getDecimal(3, 10, 2).toBigDecimal());
    assertArrayEquals(new byte[] {1, 2, 3}, back.getBinary(9));
    // Decoding is by name: a table declaring fewer or other columns reads what it knows.
    RowData sub = new RowJson(row("n", new BigIntType(), "other", new IntType())).decode(text);
    assertEquals(3L, sub.getLong(0));
    assertNull(((GenericRowData) sub).getField(1));
    assertThrows(IllegalArgumentException.class, () -> new RowJson(row("n", new VarCharType(10))).decode(text));
  }

  @Test
  void keysEncodeAsStoreKey() {
    LogicalType str = new VarCharType(VarCharType.MAX_LENGTH);
    LogicalType[] types = {new IntType(), str, new TimestampType(3), str};
    // PRIMARY KEY (name, region) given out of order: encoded in table column order (region is column 1, name 3).
    StoreKey k = StoreKey.forTable(new int[] {3, 1}, types);
    GenericRowData r = GenericRowData.of(1, StringData.fromString("eu"), TimestampData.fromEpochMillis(0), StringData.fromString("a|b\\c"));
    assertEquals("eu|a\\|b\\\\c", k.encode(r));
    assertEquals("user42", StoreKey.forTable(new int[] {1}, types).encode(GenericRowData.of(1, StringData.fromString("user42"), null, null)));
    assertEquals("1|1970-01-01T00:00:00", StoreKey.forTable(new int[] {2, 0}, types).encode(r));
    assertNull(StoreKey.forTable(new int[] {1, 3}, types).encode(GenericRowData.of(1, null, null, StringData.fromString("x"))));
    assertEquals("12.5", StoreKey.part(DecimalData.fromBigDecimal(new BigDecimal("12.50"), 10, 2), new DecimalType(10, 2)));
    assertEquals("NaN", StoreKey.part(Double.NaN, new DoubleType()));
    assertEquals("true", StoreKey.part(true, new BooleanType()));
  }

  @Test
  void versionsAndGenerations() {
    assertEquals(1, Versioner.nextGeneration(null));
    assertEquals(4, Versioner.nextGeneration("3"));
    assertEquals(1, Versioner.nextGeneration("junk"));
    assertThrows(IllegalStateException.class, () -> Versioner.nextGeneration(Long.toString(Versioner.MAX_GENERATION)));
    assertEquals(4294967297L, Versioner.COUNTER_SPAN + 1, "generation 1, first change: the embedded sink's first version");
  }

  @Test
  void schemaMetaIsJsonStringifyOfKvSinks() {
    RowType t = row("user_id", new VarCharType(false, VarCharType.MAX_LENGTH), "n", new BigIntType(false), "amt", new DecimalType(10, 2),
        "ts", new TimestampType(3), "tags", new ArrayType(new IntType()));
    assertEquals("{\"columns\":[{\"name\":\"user_id\",\"type\":\"STRING NOT NULL\"},{\"name\":\"n\",\"type\":\"BIGINT NOT NULL\"},"
        + "{\"name\":\"amt\",\"type\":\"DECIMAL(10, 2)\"},{\"name\":\"ts\",\"type\":\"TIMESTAMP(3)\"},{\"name\":\"tags\",\"type\":\"ARRAY<INT>\"}],"
        + "\"primaryKey\":[\"user_id\"]}", SchemaMeta.json(t, new int[] {0}));
  }
}
