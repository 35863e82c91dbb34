// Tiles on Flink written to Aerospike against what Freshet's embedded engine writes there: aerospike-golden.json
// (re-derived from the embedded engine's AerospikeKvStore by tests/integration/flink/flink-aerospike-tiles.test.ts)
// holds the records — user keys, digests, bins — the TypeScript store leaves for the tile writer's golden workload
// (golden.json). The same rows through TileWriter into AerospikeTileStore over FakeAerospike (generations,
// check-and-set, create-only puts, the map range removal) must leave the same records and meta. Also: the per-position
// version rule, replays, generation conflicts, retention, and the factory's tile mode.
package dev.freshet.flink.aerospike;

import static dev.freshet.flink.connector.FactoryErrors.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aerospike.client.Bin;
import com.aerospike.client.Key;
import com.aerospike.client.Value;
import com.aerospike.client.cdt.MapOrder;
import dev.freshet.flink.Json;
import dev.freshet.flink.store.StoreKey;
import dev.freshet.flink.tiles.RedisTileStore;
import dev.freshet.flink.tiles.TileConfig;
import dev.freshet.flink.tiles.TileTableSink;
import dev.freshet.flink.tiles.TileWriter;
import dev.freshet.flink.tiles.TileWriterOperator;
import dev.freshet.flink.tiles.TileWriterTest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

class AerospikeTileStoreTest {
  static final String DIR = "/dev/freshet/flink/tiles/";

  @SuppressWarnings("unchecked")
  static Map<String, Object> resource(String name) throws Exception {
    try (InputStream in = AerospikeTileStoreTest.class.getResourceAsStream(DIR + name)) {
      return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** The table of the fixture: namespace `features`, set `gold` (the store table name, no `set` option). */
  static AerospikeConfig config() {
    return new AerospikeConfig("127.0.0.1:3000", "features", "gold", null, null, "gold");
  }

  /** Runs golden.json's rows through a TileWriter into {@code sink}, flushing every {@code every} rows (clock 1234). */
  @SuppressWarnings("unchecked")
  static TileWriter runGolden(Map<String, Object> g, TileWriter.Sink sink, int every) {
    TileConfig cfg = TileConfig.parse((String) g.get("config"));
    TileWriter w = new TileWriter(cfg, 0, () -> 1234L);
    int n = 0;
    for (Object o : (List<Object>) g.get("rows")) {
      List<Object> r = (List<Object>) o;
      w.add((String) r.get(0), TileWriterTest.row(cfg, r));
      if (++n % every == 0) {
        w.onWatermark(((Number) r.get(1)).longValue() - 1000);
        w.flush(sink);
      }
    }
    w.onWatermark(TileWriter.POS);
    w.flush(sink);
    return w;
  }

  /** A stored tile map as the fixture shows it: [start, "version|json"] pairs in the map's own order. */
  static List<Object> pairs(Object map) {
    List<Object> out = new ArrayList<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) map).entrySet()) out.add(List.of(((Number) e.getKey()).longValue(), e.getValue()));
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void writesTheRecordsOfTheTypeScriptStore() throws Exception {
    Map<String, Object> golden = resource("golden.json");
    Map<String, Object> expected = resource("aerospike-golden.json");
    assertEquals("features", expected.get("namespace"));
    assertEquals("gold", expected.get("set"));
    FakeAerospike fake = new FakeAerospike();
    try (AerospikeTileStore store = new AerospikeTileStore(config(), fake.client())) {
      TileWriter w = runGolden(golden, store, 7);
      assertEquals(0, w.lateRows);
    }
    assertTrue(fake.closed);
    Map<String, Object> want = new TreeMap<>();
    for (Object o : (List<Object>) expected.get("records")) {
      Map<String, Object> r = (Map<String, Object>) o;
      String userKey = (String) r.get("key");
      // The digest the TypeScript side computed (as the C client does) is the Java client's digest of the same key.
      assertEquals(r.get("digest"), FakeAerospike.hex(new Key("features", "gold", userKey).digest), userKey);
      want.put("features:" + r.get("digest"), r.get("bins"));
    }
    Map<String, Object> got = new TreeMap<>();
    for (Map.Entry<String, Map<String, Object>> e : fake.records.entrySet()) {
      Map<String, Object> bins = new LinkedHashMap<>();
      for (Map.Entry<String, Object> b : e.getValue().entrySet()) {
        Object v = b.getValue();
        if (v instanceof Map<?, ?> m) v = pairs(m);
        else if (b.getKey().equals("m") && v instanceof String s && s.contains("\"flushedAt\":1234}")) v = s.replace(",\"flushedAt\":1234}", "}");
        bins.put(b.getKey(), v);
      }
      got.put(e.getKey(), bins);
    }
    assertEquals(want.keySet(), got.keySet(), "the same records (namespace, set, user key → digest)");
    for (String id : want.keySet()) assertEquals(want.get(id), got.get(id), id);
    // Every tile map went out as the Node client sends a JavaScript Map: unordered, entries in ascending start order.
    int maps = 0;
    for (Bin b : fake.putBins) {
      if (!b.name.equals(AerospikeTileStore.TILES_BIN)) continue;
      assertEquals(MapOrder.UNORDERED, assertInstanceOf(Value.MapValue.class, b.value).getOrder());
      List<Long> starts = new ArrayList<>();
      for (Object k : ((Map<?, ?>) b.value.getObject()).keySet()) starts.add((Long) k);
      assertEquals(starts.stream().sorted().toList(), starts);
      maps++;
    }
    assertTrue(maps > 4, "tile maps were written");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aReplayAppliesNothingAndRetentionRemovesWhatTheTypeScriptStoreRemoves() throws Exception {
    Map<String, Object> golden = resource("golden.json");
    FakeAerospike fake = new FakeAerospike();
    AerospikeTileStore store = new AerospikeTileStore(config(), fake.client());
    long[] applied = {0};
    TileWriter.Sink counting = new TileWriter.Sink() {
      @Override
      public void writeTiles(List<RedisTileStore.Write> writes) {
        applied[0] += store.apply(writes);
      }

      @Override
      public void expireTiles(String key, long granularityMs, long before) {
        store.expireTiles(key, granularityMs, before);
      }

      @Override
      public void putMeta(String name, String value) {
        store.putMeta(name, value);
      }
    };
    runGolden(golden, counting, 5);
    assertTrue(applied[0] > 50, "positions applied: " + applied[0]);
    Map<String, Map<String, Object>> before = new HashMap<>();
    fake.records.forEach((k, v) -> {
      Map<String, Object> bins = new LinkedHashMap<>();
      v.forEach((n, x) -> bins.put(n, x instanceof Map<?, ?> m ? new LinkedHashMap<>(m) : x));
      before.put(k, bins);
    });
    // A restarted job without the writer state replays the input: the same (version, value) pairs, all ignored.
    applied[0] = 0;
    runGolden(golden, counting, 11);
    assertEquals(0, applied[0]);
    assertEquals(before.keySet(), fake.records.keySet());
    for (String k : before.keySet()) {
      if (!before.get(k).containsKey("m")) assertEquals(before.get(k), fake.records.get(k), k);
    }

    // Retention: the TypeScript store's expiry of the same key, level and boundary leaves the same record.
    Map<String, Object> expire = (Map<String, Object>) resource("aerospike-golden.json").get("expire");
    long end = ((Number) expire.get("end")).longValue();
    int ops = fake.mapOps.size();
    store.expireTiles((String) expire.get("key"), ((Number) expire.get("granularityMs")).longValue(), end);
    assertEquals(List.of(FakeAerospike.MAP_REMOVE_BY_KEY_INTERVAL, 0L, ((Number) expire.get("begin")).longValue(), end), fake.mapOps.get(ops),
        "removeByKeyRange('tiles', Number.MIN_SAFE_INTEGER, before), returning nothing");
    assertEquals(AerospikeTileStore.MIN_SAFE_INTEGER, ((Number) expire.get("begin")).longValue());
    assertEquals(expire.get("tiles"), pairs(store.tiles((String) expire.get("key"), ((Number) expire.get("granularityMs")).longValue())));
    // A key without a record: nothing to remove, no error.
    store.expireTiles("nobody", 60_000, end);
  }

  static RedisTileStore.Write tw(long start, String value, long version) {
    return new RedisTileStore.Write("u", 60, start, value, version);
  }

  @Test
  void theVersionRuleIsPerPosition() {
    // The TypeScript store's own unit case (tests/stores/aerospike-store.test.ts).
    Map<Long, String> cur = new TreeMap<>(Map.of(0L, "2|[a]", 60L, "1|[b]"));
    AerospikeTileStore.Merged m = AerospikeTileStore.mergeTiles(cur, List.of(tw(0, "[old]", 2), tw(60, null, 2), tw(120, "[c]", 1)));
    assertEquals(2, m.applied());
    assertEquals(Map.of(0L, "2|[a]", 60L, "2|", 120L, "1|[c]"), m.tiles());
    assertEquals("1|[b]", cur.get(60L), "the input map is not modified");

    FakeAerospike fake = new FakeAerospike();
    AerospikeTileStore s = new AerospikeTileStore(config(), fake.client());
    assertEquals(2, s.apply(List.of(tw(0, "[a]", 3), tw(60, "[b]", 1))));
    assertEquals(1, s.apply(List.of(tw(0, "[x]", 3), tw(60, "[b2]", 2), tw(0, "[y]", 2))), "equal and older versions are ignored");
    assertEquals(0, s.apply(List.of(tw(0, "[x]", 3), tw(60, "[b2]", 2))), "a replay writes nothing");
    assertEquals(Map.of(0L, "3|[a]", 60L, "2|[b2]"), s.tiles("u", 60));
    assertEquals(1, s.apply(List.of(tw(60, null, 5))));
    assertEquals(Map.of(0L, "3|[a]", 60L, "5|"), s.tiles("u", 60), "a removed position keeps its version");
    assertEquals(0, s.apply(List.of(tw(60, "[old]", 4))), "and cannot be brought back by an older write");
    assertEquals("u:t:60", AerospikeTileStore.tileRecordKey("u", 60));
    assertEquals(FakeAerospike.hex(new Key("features", "gold", "u:t:60").digest), FakeAerospike.hex(s.tileKey("u", 60).digest));
    // Meta: the row store's records meta:<name>, bin m.
    s.putMeta("tiles", "{\"format\":1}");
    assertEquals("{\"format\":1}", s.getMeta("tiles"));
    assertNotNull(fake.records.get(FakeAerospike.id(new Key("features", "gold", "meta:tiles"))));
  }

  @Test
  void generationConflictsAreRetriedThenGiveUp() {
    FakeAerospike fake = new FakeAerospike();
    AerospikeTileStore s = new AerospikeTileStore(config(), fake.client());
    // Another writer creates the record between the read and the create-only put: read again, merge, write.
    fake.concurrentWrites = 1;
    assertEquals(1, s.apply(List.of(tw(0, "[a]", 1))));
    // ... or changes it between the read and the generation-checked put.
    fake.concurrentWrites = 3;
    assertEquals(1, s.apply(List.of(tw(60, "[b]", 1))));
    assertEquals(Map.of(0L, "1|[a]", 60L, "1|[b]"), s.tiles("u", 60));
    fake.concurrentWrites = AerospikeTileStore.ATTEMPTS;
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.apply(List.of(tw(120, "[c]", 1))));
    assertEquals("Aerospike tile record 'u:t:60' of table 'gold' kept changing; gave up after 20 attempts", e.getMessage());
  }

  static final ObjectIdentifier ID = ObjectIdentifier.of("default_catalog", "default_database", "__freshet_tiles_gold");

  /** The spec builder's tile table: (k0 STRING, ts TIMESTAMP(3), a1 INT, a2 DOUBLE, a3 DOUBLE), no PRIMARY KEY. */
  static DynamicTableSink tileSink(Map<String, String> options) {
    List<Column> cols = List.of(Column.physical("k0", DataTypes.STRING()), Column.physical("ts", DataTypes.TIMESTAMP(3)),
        Column.physical("a2", DataTypes.INT()), Column.physical("a3", DataTypes.DOUBLE()), Column.physical("a4", DataTypes.DOUBLE()));
    ResolvedSchema schema = new ResolvedSchema(cols, List.of(), null);
    CatalogTable t = CatalogTable.newBuilder().schema(Schema.newBuilder().fromResolvedSchema(schema).build()).options(options).build();
    return FactoryUtil.createDynamicTableSink(null, ID, new ResolvedCatalogTable(t, schema), Map.of(), new Configuration(),
        AerospikeTileStoreTest.class.getClassLoader(), false);
  }

  @Test
  void theFactoryWritesTiledTablesWithTheTileWriter() throws Exception {
    String cfg = (String) resource("golden.json").get("config");
    Map<String, String> o = new HashMap<>(Map.of("connector", "aerospike", "namespace", "features", "table", "gold", "freshet.tiles", cfg));
    DynamicTableSink sink = assertInstanceOf(TileTableSink.class, tileSink(o));
    assertEquals("Freshet Aerospike tiled feature table gold", sink.asSummaryString());
    assertEquals(ChangelogMode.insertOnly(), sink.getChangelogMode(ChangelogMode.all()));
    // The tile writer runs at the job's parallelism unless the table sets sink.parallelism.
    assertEquals(null, ((TileTableSink) sink).parallelism());
    o.put("sink.parallelism", "3");
    assertEquals(3, ((TileTableSink) tileSink(o)).parallelism());
    o.remove("sink.parallelism");
    o.put("freshet.tiles", "{\"spec\":{}}");
    assertTrue(error(() -> tileSink(o)).contains("table '__freshet_tiles_gold': "), error(() -> tileSink(o)));
    o.put("freshet.tiles", cfg);
    o.put("username", "svc");
    assertTrue(error(() -> tileSink(o)).contains("options 'username' and 'password' go together"));
    // The operator travels in the job graph: the settings and the official client's connector serialize.
    StoreKey key = new StoreKey(new int[] {0}, new LogicalType[] {new VarCharType(VarCharType.MAX_LENGTH)});
    TileWriterOperator op = new TileWriterOperator(new AerospikeTileStore.Opener(config(), AerospikeStore.CLIENT), TileConfig.parse(cfg), key, 0L);
    try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(op);
    }
    assertEquals("gold", new AerospikeTileStore.Opener(config(), AerospikeStore.CLIENT).table());
    assertEquals("Aerospike", new AerospikeTileStore.Opener(config(), AerospikeStore.CLIENT).title());
  }
}
