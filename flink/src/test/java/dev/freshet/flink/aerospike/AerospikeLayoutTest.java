// The Flink aerospike connector must write the very records Freshet's embedded Aerospike store writes. The golden
// values below were computed from the TypeScript code (store-key.ts, row-codec.ts and AerospikeKvStore.multiPut /
// putMeta of src/connectors/stores/aerospike-kv-store.ts, with the real Node client's `exp` module for the filter
// expression and the C client's digest formula) by flink/src/test/node/aerospike-golden.ts:
//   node --import tsx flink/src/test/node/aerospike-golden.ts
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.StoreWrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aerospike.client.BatchWrite;
import com.aerospike.client.Key;
import com.aerospike.client.Operation;
import com.aerospike.client.Value;
import dev.freshet.flink.store.RowJson;
import dev.freshet.flink.store.StoreKey;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

class AerospikeLayoutTest {
  static final long G = 1L << 32;

  /** (region STRING NOT NULL, user_id STRING NOT NULL, n BIGINT, total DOUBLE, amt DECIMAL(10, 3), last_ts TIMESTAMP(3), tags ARRAY<STRING>). */
  static final RowType TYPE = RowType.of(new LogicalType[] {
      new VarCharType(false, VarCharType.MAX_LENGTH), new VarCharType(false, VarCharType.MAX_LENGTH), new BigIntType(), new DoubleType(),
      new DecimalType(10, 3), new TimestampType(3), new ArrayType(new VarCharType(VarCharType.MAX_LENGTH))},
      new String[] {"region", "user_id", "n", "total", "amt", "last_ts", "tags"});
  /** PRIMARY KEY (user_id, region). */
  static final int[] PK = {1, 0};

  static final RowData ROW0 = GenericRowData.of(StringData.fromString("eu|west"), StringData.fromString("u\\1"), 42L, 0.1 + 0.2,
      DecimalData.fromBigDecimal(new BigDecimal("12.5"), 10, 3), TimestampData.fromEpochMillis(1704067210250L),
      new GenericArrayData(new Object[] {StringData.fromString("a"), StringData.fromString("b\"c")}));
  static final RowData ROW1 = GenericRowData.of(StringData.fromString("us"), StringData.fromString("\u00fc2"), null, -0.0,
      DecimalData.fromBigDecimal(new BigDecimal("1234567.125"), 10, 3), TimestampData.fromEpochMillis(-1L), new GenericArrayData(new Object[0]));

  // ---- golden values from the TypeScript store ----
  static final String KEY0 = "eu\\|west|u\\\\1";
  static final String KEY1 = "us|\u00fc2";
  static final String VALUE0 = "{\"region\":\"eu|west\",\"user_id\":\"u\\\\1\",\"n\":42,\"total\":0.30000000000000004,\"amt\":12.5,"
      + "\"last_ts\":\"2024-01-01T00:00:10.25\",\"tags\":[\"a\",\"b\\\"c\"]}";
  static final String VALUE1 = "{\"region\":\"us\",\"user_id\":\"\u00fc2\",\"n\":null,\"total\":0,\"amt\":1234567.125,"
      + "\"last_ts\":\"1969-12-31T23:59:59.999\",\"tags\":[]}";
  static final String DIGEST0 = "d57bdeefc2056142ee0addd70905062322276abc";
  static final String DIGEST1 = "37125365881f63eb1be51a59a376505349357634";
  static final String SCHEMA = "{\"columns\":[{\"name\":\"region\",\"type\":\"STRING NOT NULL\"},{\"name\":\"user_id\",\"type\":\"STRING NOT NULL\"},"
      + "{\"name\":\"n\",\"type\":\"BIGINT\"},{\"name\":\"total\",\"type\":\"DOUBLE\"},{\"name\":\"amt\",\"type\":\"DECIMAL(10, 3)\"},"
      + "{\"name\":\"last_ts\",\"type\":\"TIMESTAMP(3)\"},{\"name\":\"tags\",\"type\":\"ARRAY<STRING>\"}],\"primaryKey\":[\"region\",\"user_id\"]}";
  static final String META_DIGEST = "d8057b3704aeab4a30f036b708f83cdd6ef427cf";
  /**
   * The Node client's filter expression of a write with version 2^32 + 2, its flat op list without the value markers
   * (VAL_STR 137, VAL_INT 131) and the end marker (147): or(not(ne(bin_type('ver'), 0)), lt(bin(INT, 'ver'), version)).
   */
  static final List<Object> FILTER_OPS = List.of(17L, 18L, 2L, 82L, "ver", 0L, 5L, 81L, 2L, "ver", 4294967298L);

  static AerospikeConfig config() {
    return new AerospikeConfig("127.0.0.1:3000", "features", "user_features", null, null, "user_features");
  }

  @Test
  void entityKeysAndValuesAreTheEmbeddedEnginesTexts() {
    StoreKey key = StoreKey.forTable(PK, TYPE.getChildren().toArray(new LogicalType[0]));
    RowJson codec = new RowJson(TYPE);
    assertEquals(KEY0, key.encode(ROW0));
    assertEquals(KEY1, key.encode(ROW1));
    assertEquals(VALUE0, codec.encode(ROW0));
    assertEquals(VALUE1, codec.encode(ROW1));
  }

  @Test
  void recordsBinsAndFilterAreTheEmbeddedStores() {
    FakeAerospike fake = new FakeAerospike();
    AerospikeStore store = new AerospikeStore(config(), fake.client());
    long before = System.currentTimeMillis();
    // The TypeScript batch: key 0 written then deleted (one sub-write survives, the tombstone), key 1 written.
    long applied = store.putRows(List.of(new StoreWrite(KEY0, G + 1, VALUE0), new StoreWrite(KEY1, G + 7, VALUE1),
        new StoreWrite(KEY0, G + 2, null)));
    long after = System.currentTimeMillis();
    assertEquals(2, applied);
    assertEquals(1, fake.batchCalls, "one batch request");
    assertEquals(2, fake.batchWrites.size());

    BatchWrite w0 = fake.batchWrites.get(0);
    assertKey(w0.key, KEY0, DIGEST0);
    assertEquals(List.of("v", "ver", "at"), Arrays.stream(w0.ops).map(o -> o.binName).toList());
    for (Operation op : w0.ops) assertEquals(Operation.Type.WRITE, op.type);
    assertTrue(w0.ops[0].value instanceof Value.NullValue, "a tombstone writes v as NULL (removes the bin)");
    assertEquals(G + 2, w0.ops[1].value.getObject());
    long at = (Long) w0.ops[2].value.getObject();
    assertTrue(at >= before && at <= after, "at is the writer's clock");
    assertEquals(FILTER_OPS, FakeAerospike.flatten(FakeAerospike.decode(w0.policy.filterExp.getBytes())));
    assertFalse(w0.policy.sendKey, "keys are sent as digests only, as the Node client's default");

    BatchWrite w1 = fake.batchWrites.get(1);
    assertKey(w1.key, KEY1, DIGEST1);
    assertEquals(VALUE1, w1.ops[0].value.getObject());
    assertEquals(G + 7, w1.ops[1].value.getObject());
    assertEquals(at, w1.ops[2].value.getObject(), "one write time per batch");
    List<Object> ops1 = FakeAerospike.flatten(FakeAerospike.decode(w1.policy.filterExp.getBytes()));
    assertEquals(G + 7, ops1.get(ops1.size() - 1));

    // What a reader sees: the tombstone hides key 0 but keeps its version; key 1 reads back.
    assertNull(store.get(KEY0));
    assertEquals(G + 2, fake.records.get(FakeAerospike.id(w0.key)).get("ver"));
    AerospikeStore.Stored s1 = store.get(KEY1);
    assertEquals(VALUE1, s1.value());
    assertEquals(G + 7, s1.version());
    assertEquals(at, s1.writtenAt());
  }

  @Test
  void metaRecordsAreTheEmbeddedStores() {
    FakeAerospike fake = new FakeAerospike();
    AerospikeStore store = new AerospikeStore(config(), fake.client());
    assertNull(store.getMeta("sink-generation"));
    store.putMeta("sink-generation", "1");
    assertKey(fake.puts.get(0), "meta:sink-generation", META_DIGEST);
    assertEquals(java.util.Map.of("m", "1"), fake.records.get(FakeAerospike.id(fake.puts.get(0))));
    assertEquals("1", store.getMeta("sink-generation"));
    assertEquals(SCHEMA, dev.freshet.flink.store.SchemaMeta.json(TYPE, PK), "the schema meta text");
  }

  private static void assertKey(Key k, String userKey, String digest) {
    assertEquals("features", k.namespace);
    assertEquals("user_features", k.setName);
    assertEquals(userKey, k.userKey.getObject());
    assertEquals(digest, FakeAerospike.hex(k.digest));
  }
}
