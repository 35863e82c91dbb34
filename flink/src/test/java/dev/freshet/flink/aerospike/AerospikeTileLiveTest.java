// Tiles on Aerospike against a real server: runs only when AEROSPIKE_HOSTS is set (host[:port],...;
// AEROSPIKE_NAMESPACE, default 'test'; AEROSPIKE_USER / AEROSPIKE_PASSWORD for secured clusters), e.g.
// AEROSPIKE_HOSTS=127.0.0.1:3000 mvn -q test -Dtest=AerospikeTileLiveTest. The golden workload through the tile writer
// must leave the records of aerospike-golden.json (as AerospikeTileStoreTest checks against the in-memory model), the
// version rule and retention must hold on the server. Each run writes a set of its own and truncates it at the end.
package dev.freshet.flink.aerospike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aerospike.client.IAerospikeClient;
import com.aerospike.client.Key;
import com.aerospike.client.Record;
import dev.freshet.flink.tiles.RedisTileStore;
import dev.freshet.flink.tiles.TileWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AerospikeTileLiveTest {
  static AerospikeConfig config;

  @BeforeAll
  static void server() {
    config = AerospikeLive.config("freshet_tiles_");
  }

  @BeforeEach
  void needsServer() {
    AerospikeLive.assumeServer(config);
  }

  @AfterAll
  static void clean() {
    AerospikeLive.truncate(config);
  }

  static RedisTileStore.Write tw(String key, long start, String value, long version) {
    return new RedisTileStore.Write(key, 60, start, value, version);
  }

  @Test
  void versionRuleConflictsAndRetention() {
    try (AerospikeTileStore s = new AerospikeTileStore(config, AerospikeStore.connect(config))) {
      assertEquals(2, s.apply(List.of(tw("u", 0, "[a]", 3), tw("u", 60, "[b]", 1))), "a new record is created");
      assertEquals(1, s.apply(List.of(tw("u", 0, "[x]", 3), tw("u", 60, "[b2]", 2))), "the generation-checked write applies");
      assertEquals(0, s.apply(List.of(tw("u", 0, "[x]", 3))), "a replay writes nothing");
      assertEquals(1, s.apply(List.of(tw("u", 120, null, 4))));
      assertEquals(Map.of(0L, "3|[a]", 60L, "2|[b2]", 120L, "4|"), s.tiles("u", 60));
      s.expireTiles("u", 60, 100);
      assertEquals(Map.of(120L, "4|"), s.tiles("u", 60));
      s.expireTiles("nobody", 60, 100);
      s.putMeta("tiles", "{\"format\":1}");
      assertEquals("{\"format\":1}", s.getMeta("tiles"));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theGoldenWorkloadLeavesTheTypeScriptStoresRecords() throws Exception {
    Map<String, Object> golden = AerospikeTileStoreTest.resource("golden.json");
    Map<String, Object> expected = AerospikeTileStoreTest.resource("aerospike-golden.json");
    // The fixture's records are in set `gold`; here the set is this run's own, with the same user keys.
    AerospikeConfig c = new AerospikeConfig(config.hosts(), config.namespace(), config.set(), config.username(), config.password(), "gold");
    try (AerospikeTileStore s = new AerospikeTileStore(c, AerospikeStore.connect(c))) {
      TileWriter w = AerospikeTileStoreTest.runGolden(golden, s, 7);
      assertEquals(0, w.lateRows);
      try (IAerospikeClient client = AerospikeStore.connect(c)) {
        int n = 0;
        for (Object o : (List<Object>) expected.get("records")) {
          Map<String, Object> r = (Map<String, Object>) o;
          Record rec = client.get(null, new Key(c.namespace(), c.set(), (String) r.get("key")));
          assertTrue(rec != null, (String) r.get("key"));
          Map<String, Object> bins = (Map<String, Object>) r.get("bins");
          if (bins.containsKey("tiles")) {
            assertEquals(bins.get("tiles"), AerospikeTileStoreTest.pairs(new TreeMap<>((Map<Object, Object>) rec.getValue("tiles"))), (String) r.get("key"));
          } else if (!((String) r.get("key")).equals("meta:watermark")) {
            assertEquals(bins.get("m"), rec.getValue("m"), (String) r.get("key"));
          }
          n++;
        }
        assertTrue(n > 4);
      }
    }
  }
}
