// The parallel tile writer without a cluster: N TileWriters, each fed the keys Flink's keyBy routes to it
// (KeyGroupRangeAssignment), flushing into one store with the newer-version rule, their progress combined by the
// committer's Combiner, must leave exactly the records and the final progress meta of one writer over all keys (the
// embedded engine's, for golden.json) — also when the job fails and is restored from a checkpoint at another
// parallelism or max parallelism (TileStateShards), and when some subtasks never receive a key.
package dev.freshet.flink.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.flink.tiles.TileWriterTest.FakeStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class TileParallelTest {
  static final long NOW = 1234L;

  /** N writer subtasks and the committer, over one store. */
  static final class Job {
    final TileConfig cfg;
    final int par;
    final int maxPar;
    final TileWriter[] w;
    final FakeStore store;
    final TileProgressCommitter.Combiner committer = new TileProgressCommitter.Combiner();
    final List<String> metaWrites = new ArrayList<>();

    Job(TileConfig cfg, int par, int maxPar, FakeStore store) {
      this.cfg = cfg;
      this.par = par;
      this.maxPar = maxPar;
      this.store = store;
      this.w = new TileWriter[par];
      for (int i = 0; i < par; i++) w[i] = new TileWriter(cfg, 0, () -> NOW);
    }

    void add(List<Object> r) {
      String key = (String) r.get(0);
      w[KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxPar, par)].add(key, TileWriterTest.row(cfg, r));
    }

    /** A watermark reaches every subtask (a keyed exchange broadcasts it); each flushes and reports. */
    void watermark(long wm) {
      for (TileWriter x : w) x.onWatermark(wm);
      flush();
    }

    void flush() {
      for (int i = 0; i < par; i++) {
        TileProgress p = w[i].flushTiles(store);
        if (p == null) continue;
        p.subtask = i;
        p.subtasks = par;
        String meta = committer.report(p, NOW);
        if (meta != null) {
          store.putMeta(TileWriter.META_PROGRESS, meta);
          metaWrites.add(meta);
        }
      }
    }

    /** Pre-barrier flush, then every subtask's union-state entries. */
    List<byte[]> checkpoint() {
      flush();
      List<byte[]> all = new ArrayList<>();
      for (int i = 0; i < par; i++) all.addAll(TileStateShards.snapshot(w[i], i, maxPar));
      return all;
    }

    /** A job at another (max) parallelism restored from a checkpoint's entries; returns the keys each subtask took. */
    static Job restore(TileConfig cfg, int par, int maxPar, FakeStore store, List<byte[]> entries, int[] took) {
      Job j = new Job(cfg, par, maxPar, store);
      for (int i = 0; i < par; i++) took[i] = TileStateShards.restore(j.w[i], entries, i, par, maxPar);
      return j;
    }

    long[] keysHeld() {
      long[] out = new long[par];
      for (int i = 0; i < par; i++) out[i] = w[i].stats()[0];
      return out;
    }
  }

  @SuppressWarnings("unchecked")
  static List<List<Object>> rows(Map<String, Object> g) {
    List<List<Object>> out = new ArrayList<>();
    for (Object o : (List<Object>) g.get("rows")) out.add((List<Object>) o);
    return out;
  }

  /** A larger input than the fixture's: 40 keys, bursts and gaps, over about a day. */
  static List<List<Object>> generated(int n, long seed) {
    Random rnd = new Random(seed);
    List<List<Object>> out = new ArrayList<>();
    long ts = 1704067200000L + 59_000;
    for (int i = 0; i < n; i++) {
      ts += rnd.nextInt(10) < 6 ? 1 + rnd.nextInt(700) : rnd.nextInt(9 * 60_000);
      String key = rnd.nextInt(10) == 0 ? "k|" + rnd.nextInt(3) : "k" + rnd.nextInt(40);
      out.add(List.of(key, ts, rnd.nextInt(200) - 50, Math.round(rnd.nextDouble() * 80) / 8.0));
    }
    return out;
  }

  /** One writer over all rows, watermark every 7 rows: the reference. */
  static FakeStore single(TileConfig cfg, List<List<Object>> rows) {
    FakeStore s = new FakeStore();
    TileWriter w = new TileWriter(cfg, 0, () -> NOW);
    int n = 0;
    for (List<Object> r : rows) {
      w.add((String) r.get(0), TileWriterTest.row(cfg, r));
      if (++n % 7 == 0) {
        w.onWatermark(((Number) r.get(1)).longValue() - 1000);
        w.flush(s);
      }
    }
    w.onWatermark(TileWriter.POS);
    w.flush(s);
    return s;
  }

  static void assertSameStore(FakeStore expected, FakeStore actual) {
    assertEquals(expected.hashes.keySet(), actual.hashes.keySet(), "record keys");
    for (String k : expected.hashes.keySet()) assertEquals(expected.hashes.get(k), actual.hashes.get(k), k);
    assertEquals(expected.meta, actual.meta, "layout and progress meta");
  }

  /** Runs rows [from, to) through the job with a watermark every 11 rows (another cadence than the reference). */
  static void feed(Job j, List<List<Object>> rows, int from, int to) {
    for (int i = from; i < to; i++) {
      j.add(rows.get(i));
      if ((i + 1) % 11 == 0) j.watermark(((Number) rows.get(i).get(1)).longValue() - 1000);
    }
  }

  @Test
  void parallelWritersWriteWhatOneWriterWrites() throws Exception {
    Map<String, Object> g = TileWriterTest.golden();
    TileConfig cfg = TileConfig.parse((String) g.get("config"));
    for (List<List<Object>> rows : List.of(rows(g), generated(3000, 11))) {
      FakeStore expected = single(cfg, rows);
      for (int par : new int[] {1, 2, 3, 5}) {
        FakeStore store = new FakeStore();
        Job j = new Job(cfg, par, 128, store);
        feed(j, rows, 0, rows.size());
        j.watermark(TileWriter.POS);
        assertSameStore(expected, store);
        // The fixture has two keys: at parallelism 3 and 5 some subtasks never get one, and still report.
        assertTrue(j.metaWrites.size() > 1, "progress written during the run");
      }
    }
    // The fixture's final progress is the embedded engine's.
    assertEquals(g.get("progress"), single(cfg, rows(g)).meta.get(TileWriter.META_PROGRESS).replace(",\"flushedAt\":1234}", "}"));
  }

  @Test
  void theCombinedProgressNeverClaimsMoreThanEverySubtask() throws Exception {
    Map<String, Object> g = TileWriterTest.golden();
    TileConfig cfg = TileConfig.parse((String) g.get("config"));
    List<List<Object>> rows = generated(2000, 3);
    Job j = new Job(cfg, 4, 128, new FakeStore());
    for (int i = 0; i < rows.size(); i++) {
      j.add(rows.get(i));
      if ((i + 1) % 13 != 0) continue;
      j.watermark(((Number) rows.get(i).get(1)).longValue() - 1000);
      TileProgress[] parts = new TileProgress[4];
      for (int s = 0; s < 4; s++) parts[s] = j.w[s].progress();
      TileProgress all = TileProgress.combine(parts);
      for (TileProgress p : parts) {
        assertTrue(all.watermark <= p.watermark);
        for (int l = 0; l < p.tailsThrough.length; l++) assertTrue(all.tailsThrough[l] <= p.tailsThrough[l]);
        assertTrue(all.clock >= p.clock && all.maxEventTime >= p.maxEventTime);
      }
      // What the committer last wrote is this combination.
      assertEquals(all.meta(NOW), j.store.meta.get(TileWriter.META_PROGRESS));
    }
  }

  @Test
  void combineTakesMinimaOfClaimsAndWaitsForEverySubtask() {
    long neg = TileWriter.NEG, pos = TileWriter.POS;
    TileProgress a = new TileProgress(5_000, 9_000, new long[] {120_000, pos}, 9_000, 1_000);
    TileProgress b = new TileProgress(4_000, 4_500, new long[] {60_000, pos}, 4_500, 1_000);
    TileProgress idle = new TileProgress(4_000, neg, new long[] {60_000, pos}, 4_000, 1_000);
    assertNull(TileProgress.combine(new TileProgress[] {a, null}), "a subtask has not reported");
    assertEquals("{\"watermark\":4000,\"maxEventTime\":9000,\"tailsThrough\":[60000,null],\"retainedFrom\":8000,\"boundary\":null}",
        TileProgress.combine(new TileProgress[] {a, b, idle}).text());
    TileProgress none = new TileProgress(neg, neg, new long[] {neg, pos}, neg, 1_000);
    assertEquals("{\"watermark\":null,\"maxEventTime\":9000,\"tailsThrough\":[-1,null],\"retainedFrom\":8000,\"boundary\":null}",
        TileProgress.combine(new TileProgress[] {a, none}).text());
    // End of input everywhere: the newest event time of all, no tail left to write.
    TileProgress endA = new TileProgress(pos, 9_000, new long[] {pos, pos}, 9_000, 1_000);
    TileProgress endIdle = new TileProgress(pos, neg, new long[] {pos, pos}, neg, 1_000);
    assertEquals("{\"watermark\":9000,\"maxEventTime\":9000,\"tailsThrough\":[null,null],\"retainedFrom\":8000,\"boundary\":null}",
        TileProgress.combine(new TileProgress[] {endIdle, endA}).text());
    // The committer writes only once all reported, and only changes.
    TileProgressCommitter.Combiner c = new TileProgressCommitter.Combiner();
    a.subtask = 0;
    a.subtasks = 2;
    b.subtask = 1;
    b.subtasks = 2;
    assertNull(c.report(a, 1));
    assertTrue(c.report(b, 2).endsWith(",\"flushedAt\":2}"));
    assertNull(c.report(b, 3));
  }

  @Test
  void restoresAtAnotherParallelism() throws Exception {
    Map<String, Object> g = TileWriterTest.golden();
    TileConfig cfg = TileConfig.parse((String) g.get("config"));
    List<List<Object>> rows = generated(3000, 17);
    FakeStore expected = single(cfg, rows);
    Set<String> keys = new HashSet<>();
    for (List<Object> r : rows) keys.add((String) r.get(0));
    int[][] cases = {{2, 128, 3, 128}, {3, 128, 2, 128}, {2, 128, 2, 128}, {4, 128, 1, 128}, {2, 128, 3, 256}, {1, 128, 5, 64}};
    for (int[] c : cases) {
      String label = c[0] + "/" + c[1] + " -> " + c[2] + "/" + c[3];
      FakeStore store = new FakeStore();
      Job j = new Job(cfg, c[0], c[1], store);
      int cut = 1700;
      feed(j, rows, 0, cut);
      long[] before = j.keysHeld();
      List<byte[]> checkpoint = j.checkpoint();
      // Rows past the checkpoint are written, then the job fails and replays them.
      feed(j, rows, cut, cut + 400);
      int[] took = new int[c[2]];
      Job r = Job.restore(cfg, c[2], c[3], store, checkpoint, took);
      long held = 0;
      for (long k : before) held += k;
      long restored = 0;
      for (long k : r.keysHeld()) restored += k;
      assertEquals(held, restored, label + ": every key's tiles restored exactly once");
      for (int i = 0; i < c[2]; i++) {
        for (TileWriter.KeyPart p : r.w[i].keyParts()) {
          assertEquals(i, KeyGroupRangeAssignment.assignKeyToParallelOperator(p.key(), c[3], c[2]), label + ": " + p.key() + " where keyBy sends it");
        }
      }
      feed(r, rows, cut, rows.size());
      r.watermark(TileWriter.POS);
      assertSameStore(expected, store);
    }
    assertTrue(keys.size() > 40);
  }
}
