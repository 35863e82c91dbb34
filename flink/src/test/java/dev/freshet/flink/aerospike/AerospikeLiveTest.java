// The aerospike connector against a real server: runs only when AEROSPIKE_HOSTS is set (host[:port],...;
// AEROSPIKE_NAMESPACE, default 'test'), e.g. AEROSPIKE_HOSTS=127.0.0.1:3000 mvn -q test -Dtest=AerospikeLiveTest.
// Each run writes a set of its own and truncates it at the end.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.FeatureTableSink;
import dev.freshet.flink.connector.StoreWrite;
import dev.freshet.flink.connector.StoreLookupFunction;
import dev.freshet.flink.connector.StoreSink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.flink.store.LookupKey;
import dev.freshet.flink.store.RowJson;
import dev.freshet.flink.store.StoreKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AerospikeLiveTest {
  static final long G = 1L << 32;
  static AerospikeConfig config;

  @BeforeAll
  static void server() {
    config = AerospikeLive.config("freshet_flink_");
  }

  @BeforeEach
  void needsServer() {
    AerospikeLive.assumeServer(config);
  }

  @AfterAll
  static void clean() {
    AerospikeLive.truncate(config);
  }

  @Test
  void versionedWritesTombstonesAndMeta() {
    try (AerospikeStore s = new AerospikeStore(config, AerospikeStore.connect(config))) {
      assertEquals(2, s.putRows(List.of(new StoreWrite("a", G + 1, "{\"n\":1}"), new StoreWrite("b|c", G + 1, "{\"n\":1}"))),
          "new records pass the filter expression");
      assertEquals(0, s.putRows(List.of(new StoreWrite("a", G + 1, "{\"n\":9}"), new StoreWrite("b|c", G, "{}"))),
          "a replay and an older write are FILTERED_OUT");
      assertEquals("{\"n\":1}", s.get("a").value());
      assertEquals(G + 1, s.get("a").version());
      assertTrue(Math.abs(s.get("a").writtenAt() - System.currentTimeMillis()) < 60_000);
      assertEquals(1, s.putRows(List.of(new StoreWrite("a", G + 2, null))));
      assertNull(s.get("a"), "a tombstone (v removed) reads as absent");
      assertEquals(0, s.putRows(List.of(new StoreWrite("a", G + 1, "{\"n\":1}"))), "an older write cannot resurrect it");
      assertEquals(1, s.putRows(List.of(new StoreWrite("a", G + 3, "{\"n\":3}"))));
      assertEquals("{\"n\":3}", s.get("a").value());
      List<StoreWrite> many = new ArrayList<>();
      for (int i = 0; i < 2100; i++) many.add(new StoreWrite("k" + i, G + 1, "{\"i\":" + i + "}"));
      assertEquals(2100, s.putRows(many));
      assertEquals("{\"i\":2099}", s.get("k2099").value());

      assertNull(s.getMeta("sink-generation"));
      assertEquals(1, FeatureTableSink.startGeneration(s, AerospikeLayoutTest.TYPE, AerospikeLayoutTest.PK));
      assertEquals(2, FeatureTableSink.startGeneration(s, AerospikeLayoutTest.TYPE, AerospikeLayoutTest.PK));
      assertEquals(AerospikeLayoutTest.SCHEMA, s.getMeta("schema"));
    }
  }

  @Test
  void writerThenLookup() throws Exception {
    SimpleCounter written = new SimpleCounter(), stale = new SimpleCounter();
    StoreSink.Writer writer = new StoreSink.Writer(new AerospikeStore(config, AerospikeStore.connect(config)), 1000, 0, null, written, stale);
    writer.write(Tuple3.of(AerospikeLayoutTest.KEY0, G + 1, AerospikeLayoutTest.VALUE0), null);
    writer.write(Tuple3.of(AerospikeLayoutTest.KEY1, G + 1, AerospikeLayoutTest.VALUE1), null);
    writer.write(Tuple3.of(AerospikeLayoutTest.KEY1, G + 2, ""), null);
    writer.flush(false);
    writer.write(Tuple3.of(AerospikeLayoutTest.KEY0, G + 1, AerospikeLayoutTest.VALUE0), null);
    writer.flush(true);
    writer.close();
    assertEquals(2, written.getCount());
    assertEquals(1, stale.getCount());

    StoreKey key = LookupKey.of(new int[][] {{1}, {0}}, AerospikeLayoutTest.PK, AerospikeLayoutTest.TYPE, "live");
    StoreLookupFunction fn = new StoreLookupFunction(new AerospikeClients(config, AerospikeStore.CLIENT), key,
        new RowJson(AerospikeLayoutTest.TYPE), 2, "test");
    fn.open(null);
    try {
      Collection<RowData> hit = fn.asyncLookup(GenericRowData.of(StringData.fromString("u\\1"), StringData.fromString("eu|west"))).get();
      assertEquals(AerospikeLayoutTest.VALUE0, new RowJson(AerospikeLayoutTest.TYPE).encode(hit.iterator().next()));
      assertEquals(List.of(), fn.asyncLookup(GenericRowData.of(StringData.fromString("\u00fc2"), StringData.fromString("us"))).get());
    } finally {
      fn.close();
    }
  }
}
