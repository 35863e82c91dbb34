// The Java tile writer against Freshet's embedded TileSinkOperator: golden.json (re-derived from the embedded engine by
// tests/integration/flink/flink-tiles.test.ts) holds an input with bucketed edge entries, two levels and tail copies,
// the writer config Freshet's spec builder makes for it, and every record the embedded engine left in Redis. The same
// rows through TileWriter, with the store's newer-version rule applied to its writes, must leave the same records,
// versions included, and the same layout and progress meta. Flush cadence differs on purpose (every few rows and
// watermarks here): what is stored at the end must not depend on it.
package dev.freshet.flink.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.flink.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;

public class TileWriterTest {
  /** A store applying writes by the newer-version rule, as the Lua script does. */
  static final class FakeStore implements TileWriter.Sink {
    final Map<String, Map<String, String>> hashes = new TreeMap<>();
    final Map<String, String> meta = new HashMap<>();

    @Override
    public void writeTiles(List<RedisTileStore.Write> writes) {
      for (RedisTileStore.Write w : writes) {
        Map<String, String> h = hashes.computeIfAbsent(w.key() + ":t:" + w.granularityMs(), k -> new TreeMap<>());
        String field = Long.toString(w.start());
        String cur = h.get(field);
        if (cur == null || Long.parseLong(cur.substring(0, cur.indexOf('|'))) < w.version()) h.put(field, w.version() + "|" + w.value());
      }
    }

    @Override
    public void expireTiles(String key, long granularityMs, long before) {
      Map<String, String> h = hashes.get(key + ":t:" + granularityMs);
      if (h != null) h.keySet().removeIf(f -> Long.parseLong(f) < before);
    }

    @Override
    public void putMeta(String name, String value) {
      meta.put(name, value);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> golden() throws Exception {
    try (InputStream in = TileWriterTest.class.getResourceAsStream("golden.json")) {
      return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** The projected row of the fixture's input row [key, ts, v, p]: key, time, then each call's argument. */
  public static GenericRowData row(TileConfig cfg, List<Object> r) {
    GenericRowData out = new GenericRowData(2 + cfg.calls.length);
    out.setField(0, StringData.fromString((String) r.get(0)));
    out.setField(1, TimestampData.fromEpochMillis(((Number) r.get(1)).longValue()));
    for (TileConfig.Call c : cfg.calls) {
      if (c.arg < 0) continue;
      Number v = (Number) (c.id.equals("SUM(v)") ? r.get(2) : r.get(3));
      out.setField(c.arg, c.kind.equals("INT") ? (Object) v.intValue() : (Object) v.doubleValue());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void assertRecords(Map<String, Object> g, FakeStore store) {
    Map<String, Object> records = (Map<String, Object>) g.get("records");
    assertEquals(records.keySet(), store.hashes.keySet(), "record keys");
    for (Map.Entry<String, Object> e : records.entrySet()) assertEquals(e.getValue(), store.hashes.get(e.getKey()), e.getKey());
    assertEquals(g.get("layout"), store.meta.get(TileWriter.META_LAYOUT));
    String progress = store.meta.get(TileWriter.META_PROGRESS);
    assertTrue(progress.matches(".*,\"flushedAt\":1234}"), progress);
    assertEquals(g.get("progress"), progress.replace(",\"flushedAt\":1234}", "}"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void writesWhatTheEmbeddedEngineWrites() throws Exception {
    Map<String, Object> g = golden();
    TileConfig cfg = TileConfig.parse((String) g.get("config"));
    TileWriter w = new TileWriter(cfg, 0, () -> 1234L);
    FakeStore store = new FakeStore();
    List<Object> rows = (List<Object>) g.get("rows");
    int n = 0;
    for (Object o : rows) {
      List<Object> r = (List<Object>) o;
      w.add((String) r.get(0), row(cfg, r));
      if (++n % 7 == 0) {
        w.onWatermark(((Number) r.get(1)).longValue() - 1000);
        w.flush(store);
      }
    }
    w.onWatermark(TileWriter.POS);
    w.flush(store);
    assertRecords(g, store);
    assertEquals(0, w.lateRows);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRestoredWriterRewritesTheSameVersions() throws Exception {
    Map<String, Object> g = golden();
    TileConfig cfg = TileConfig.parse((String) g.get("config"));
    List<Object> rows = (List<Object>) g.get("rows");
    FakeStore store = new FakeStore();
    TileWriter w = new TileWriter(cfg, 0, () -> 1234L);
    byte[] checkpoint = null;
    int cut = rows.size() / 2;
    for (int i = 0; i < rows.size(); i++) {
      List<Object> r = (List<Object>) rows.get(i);
      w.add((String) r.get(0), row(cfg, r));
      if (i == cut) {
        w.onWatermark(((Number) r.get(1)).longValue() - 1000);
        w.flush(store);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
          out.writeObject(w.state());
        }
        checkpoint = bytes.toByteArray();
      }
      if (i == cut + 20) {
        // The job fails after writing some positions past the checkpoint: restore, replay from the checkpoint.
        w.onWatermark(((Number) r.get(1)).longValue() - 1000);
        w.flush(store);
        w = new TileWriter(cfg, 0, () -> 1234L);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(checkpoint))) {
          w.restore((TileWriter.State) in.readObject());
        }
        for (int j = cut + 1; j <= i; j++) {
          List<Object> rr = (List<Object>) rows.get(j);
          w.add((String) rr.get(0), row(cfg, rr));
        }
      }
    }
    w.onWatermark(TileWriter.POS);
    w.flush(store);
    assertRecords(g, store);
  }
}
