// The aerospike connector's runtime against an in-memory server model (FakeAerospike evaluates the filter expressions
// the client sends): the version rule, tombstones, replays, batching, failures, the Sink V2 writer, the async lookup
// function and the generation/schema meta of a fresh job.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.FeatureTableSink;
import dev.freshet.flink.connector.StoreWrite;
import dev.freshet.flink.connector.StoreLookupFunction;
import dev.freshet.flink.connector.StoreSink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aerospike.client.ResultCode;
import dev.freshet.flink.store.LookupKey;
import dev.freshet.flink.store.RowJson;
import dev.freshet.flink.store.SchemaMeta;
import dev.freshet.flink.store.StoreKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

class AerospikeStoreTest {
  static final long G = 1L << 32;

  static AerospikeStore store(FakeAerospike fake) {
    return new AerospikeStore(AerospikeLayoutTest.config(), fake.client());
  }

  static StoreWrite w(String key, long version, String value) {
    return new StoreWrite(key, version, value);
  }

  @Test
  void connectingWithoutAServerFailsCleanly() {
    // The official client itself: nothing listens on port 1, so the seed connection fails fast with a clear message.
    AerospikeConfig c = new AerospikeConfig("127.0.0.1:1", "test", "t", null, null, "t");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AerospikeStore.connect(c));
    assertTrue(e.getMessage().startsWith("cannot connect to Aerospike at 127.0.0.1:1"), e.getMessage());
  }

  @Test
  void onlyNewerVersionsApply() {
    FakeAerospike fake = new FakeAerospike();
    AerospikeStore s = store(fake);
    assertEquals(2, s.putRows(List.of(w("a", G + 1, "{\"n\":1}"), w("b", G + 1, "{\"n\":1}"))), "new records pass the filter");
    assertEquals(0, s.putRows(List.of(w("a", G + 1, "{\"n\":9}"), w("b", G, "{\"n\":0}"))), "a replay and an older write are filtered out");
    assertEquals("{\"n\":1}", s.get("a").value());
    assertEquals(1, s.putRows(List.of(w("a", G + 2, "{\"n\":2}"), w("b", G + 1, "{\"n\":9}"))));
    assertEquals("{\"n\":2}", s.get("a").value());
    assertEquals(G + 2, s.get("a").version());
    assertEquals("{\"n\":1}", s.get("b").value());
  }

  @Test
  void tombstonesKeepTheirVersion() {
    FakeAerospike fake = new FakeAerospike();
    AerospikeStore s = store(fake);
    s.putRows(List.of(w("a", G + 1, "{\"n\":1}")));
    assertEquals(1, s.putRows(List.of(w("a", G + 2, null))));
    assertNull(s.get("a"), "a deleted row reads as absent");
    assertEquals(0, s.putRows(List.of(w("a", G + 1, "{\"n\":1}"))), "an older write cannot resurrect a deleted row");
    assertNull(s.get("a"));
    assertEquals(1, s.putRows(List.of(w("a", G + 3, "{\"n\":3}"))));
    assertEquals("{\"n\":3}", s.get("a").value());
    assertNull(s.get("never-written"));
  }

  @Test
  void aRecordWithoutVersionIsOverwritten() {
    // A record whose `ver` bin is missing (e.g. only meta-like bins): `not exists(ver)` lets the write through.
    FakeAerospike fake = new FakeAerospike();
    AerospikeStore s = store(fake);
    fake.records.put(FakeAerospike.id(s.rowKey("a")), new java.util.LinkedHashMap<>(java.util.Map.of("other", 1L)));
    assertEquals(1, s.putRows(List.of(w("a", 5, "{}"))));
    assertEquals(5, s.get("a").version());
  }

  @Test
  void duplicatesInABatchKeepTheHighestVersionLaterWinningTies() {
    List<StoreWrite> out = AerospikeStore.highestPerKey(List.of(w("a", 1, "1"), w("b", 5, "b"), w("a", 3, "3"), w("a", 2, "2"),
        w("b", 5, "b2")));
    assertEquals(List.of(w("a", 3, "3"), w("b", 5, "b2")), out);
  }

  @Test
  void largeBatchesAreSplit() {
    FakeAerospike fake = new FakeAerospike();
    List<StoreWrite> writes = new ArrayList<>();
    for (int i = 0; i < 2500; i++) writes.add(w("k" + i, G + 1, "{}"));
    assertEquals(2500, store(fake).putRows(writes));
    assertEquals(3, fake.batchCalls);
  }

  @Test
  void otherResultCodesFailTheBatch() {
    FakeAerospike fake = new FakeAerospike();
    fake.failWith = ResultCode.DEVICE_OVERLOAD;
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> store(fake).putRows(List.of(w("a", 1, "{}"))));
    assertTrue(e.getMessage().contains("key a failed") && e.getMessage().contains("(" + ResultCode.DEVICE_OVERLOAD + ")"), e.getMessage());
    AerospikeStore s = store(new FakeAerospike());
    assertEquals(1, AerospikeStore.countApplied(List.of(FakeAerospike.result(s.rowKey("a"), ResultCode.OK),
        FakeAerospike.result(s.rowKey("b"), ResultCode.FILTERED_OUT))));
  }

  @Test
  void writerBuffersPerKeyAndWritesWhenFullAndOnFlush() throws Exception {
    FakeAerospike fake = new FakeAerospike();
    SimpleCounter written = new SimpleCounter(), stale = new SimpleCounter();
    StoreSink.Writer writer = new StoreSink.Writer(store(fake), 3, 0, null, written, stale);
    writer.write(Tuple3.of("a", G + 1, "{\"n\":1}"), null);
    writer.write(Tuple3.of("a", G + 2, "{\"n\":2}"), null);
    writer.write(Tuple3.of("b", G + 1, "{\"n\":1}"), null);
    assertEquals(2, writer.buffered());
    assertEquals(0, fake.batchCalls, "nothing written before the buffer is full or flushed");
    writer.write(Tuple3.of("c", G + 1, ""), null);
    assertEquals(1, fake.batchCalls, "three keys fill the buffer");
    assertEquals(0, writer.buffered());
    AerospikeStore s = store(fake);
    assertEquals("{\"n\":2}", s.get("a").value());
    assertEquals(G + 2, s.get("a").version());
    assertNull(s.get("c"), "the empty value is a delete");
    assertEquals(G + 1, fake.records.get(FakeAerospike.id(s.rowKey("c"))).get("ver"));
    // A replay after recovery (same versions) is ignored by the server and counted as stale.
    writer.write(Tuple3.of("a", G + 2, "{\"n\":2}"), null);
    writer.write(Tuple3.of("d", G + 1, "{\"n\":4}"), null);
    writer.flush(false);
    assertEquals(2, fake.batchCalls);
    assertEquals(4, written.getCount());
    assertEquals(1, stale.getCount());
    writer.flush(true);
    assertEquals(2, fake.batchCalls, "an empty buffer writes nothing");
    writer.close();
    assertTrue(fake.closed);
  }

  @Test
  void aFailedWriteFailsTheTaskAndKeepsTheBuffer() throws Exception {
    FakeAerospike fake = new FakeAerospike();
    StoreSink.Writer writer = new StoreSink.Writer(store(fake), 100, 0, null, null, null);
    writer.write(Tuple3.of("a", G + 1, "{}"), null);
    fake.failWith = ResultCode.TIMEOUT;
    IOException e = assertThrows(IOException.class, () -> writer.flush(false));
    assertTrue(e.getMessage().contains("writing 1 rows to aerospike://127.0.0.1:3000/features/user_features"), e.getMessage());
    assertEquals(1, writer.buffered());
  }

  @Test
  void lookupsDecodeTheStoredRowByTheEncodedKey() throws Exception {
    FakeAerospike fake = new FakeAerospike();
    AerospikeStore s = store(fake);
    s.putRows(List.of(w(AerospikeLayoutTest.KEY0, G + 1, AerospikeLayoutTest.VALUE0), w(AerospikeLayoutTest.KEY1, G + 1, AerospikeLayoutTest.VALUE1)));
    s.putRows(List.of(w(AerospikeLayoutTest.KEY1, G + 2, null)));
    // The join binds (user_id, region): the key row holds them in that order.
    StoreKey key = LookupKey.of(new int[][] {{1}, {0}}, AerospikeLayoutTest.PK, AerospikeLayoutTest.TYPE, "aerospike table 'user_features'");
    StoreLookupFunction fn = new StoreLookupFunction(new AerospikeClients(AerospikeLayoutTest.config(), c -> fake.client()), key,
        new RowJson(AerospikeLayoutTest.TYPE), 2, "test");
    fn.open(null);
    try {
      Collection<RowData> hit = fn.asyncLookup(GenericRowData.of(StringData.fromString("u\\1"), StringData.fromString("eu|west"))).get();
      assertEquals(1, hit.size());
      RowData r = hit.iterator().next();
      assertEquals(AerospikeLayoutTest.VALUE0, new RowJson(AerospikeLayoutTest.TYPE).encode(r), "the row round-trips");
      assertEquals(42L, r.getLong(2));
      assertEquals(List.of(), fn.asyncLookup(GenericRowData.of(StringData.fromString("\u00fc2"), StringData.fromString("us"))).get(), "deleted");
      assertEquals(List.of(), fn.asyncLookup(GenericRowData.of(StringData.fromString("x"), StringData.fromString("us"))).get(), "absent");
      assertEquals(List.of(), fn.asyncLookup(GenericRowData.of(null, StringData.fromString("us"))).get(), "a NULL key matches nothing");
    } finally {
      fn.close();
    }
    assertTrue(fake.closed);
  }

  @Test
  void aFreshJobTakesTheNextGenerationAndWritesTheSchema() {
    FakeAerospike fake = new FakeAerospike();
    AerospikeStore s = store(fake);
    assertEquals(1, FeatureTableSink.startGeneration(s, AerospikeLayoutTest.TYPE, AerospikeLayoutTest.PK));
    assertEquals("1", s.getMeta("sink-generation"));
    s.putMeta("sink-generation", "4");
    assertEquals(5, FeatureTableSink.startGeneration(s, AerospikeLayoutTest.TYPE, AerospikeLayoutTest.PK));
    assertEquals("5", s.getMeta("sink-generation"));
    assertEquals(SchemaMeta.json(AerospikeLayoutTest.TYPE, AerospikeLayoutTest.PK), s.getMeta("schema"));
    assertTrue(s.getMeta("schema").endsWith("\"primaryKey\":[\"region\",\"user_id\"]}"), s.getMeta("schema"));
  }
}
