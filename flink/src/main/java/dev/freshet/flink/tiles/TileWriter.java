// The tile writer of Flink's tiled feature tables: a port of Freshet's embedded TileSinkOperator
// (src/engine/operators/tile-sink-operator.ts, docs/serving.md) that keeps per key per level the tiles of the
// projected input rows and, on flush, composes the changed store positions (head, due tail copies, edge entries),
// the versions (sum of the composing tiles' change counters), the progress meta and the layout meta, byte for byte
// as the embedded writer does. Pure logic over a Sink interface, so it is unit-tested without Flink or Redis;
// TileWriterOperator runs one per subtask over the keys routed to it (flushTiles: the progress goes to the
// TileProgressCommitter instead of the store) and checkpoints it split by key (keyParts, TileStateShards).
//
// Invariants (as the embedded writer's):
//   - a position's version is versionBase + the sum of the change counters of its composing tiles; counters only grow
//     and are checkpointed, so a replay from a checkpoint re-writes the same (version, value) pairs;
//   - a tile of level i stays in state until the watermark passes its end plus the longest shifted window of level i;
//   - tail copies are written when due (before the end of the block after the one holding the clock), all at end of input.
package dev.freshet.flink.tiles;

import dev.freshet.flink.store.JsText;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.apache.flink.table.data.RowData;

/** Tiles of one feature table; not thread-safe (one Flink task). */
public final class TileWriter {
  /** -Infinity and +Infinity of the JavaScript writer's clocks. */
  public static final long NEG = Long.MIN_VALUE;
  public static final long POS = Long.MAX_VALUE;

  public static final String META_LAYOUT = "tiles";
  public static final String META_PROGRESS = "watermark";

  /** Where the writer's output goes. */
  public interface Sink {
    void writeTiles(List<RedisTileStore.Write> writes);
    void expireTiles(String key, long granularityMs, long before);
    void putMeta(String name, String value);
  }

  /** A tile: accumulators of callsByLevel[level] in that order, edge entries (exact, finest level), counter, newest ts. */
  static final class Tile implements Serializable {
    private static final long serialVersionUID = 1L;
    double[][] a;
    TreeMap<Long, double[][]> e;
    long c;
    long x;
  }

  static final class KeyState implements Serializable {
    private static final long serialVersionUID = 1L;
    HashMap<Long, Tile>[] lv;
    long[] ex;
  }

  /** Everything that must survive a restart (the embedded operator's snapshot()). */
  public static final class State implements Serializable {
    private static final long serialVersionUID = 1L;
    HashMap<String, KeyState> keys = new HashMap<>();
    /** Per level: key → positions to write on the next flush. */
    ArrayList<HashMap<String, TreeSet<Long>>> dirty = new ArrayList<>();
    /** Per level: tail position not yet due → keys. */
    ArrayList<TreeMap<Long, LinkedHashSet<String>>> pending = new ArrayList<>();
    /** Eviction time → keys. */
    TreeMap<Long, LinkedHashSet<String>> evict = new TreeMap<>();
    long maxTs = NEG;
    long versionBase;
    long watermark = NEG;
  }

  private final TileConfig cfg;
  private final long[] g;
  private final int levels;
  private final int[][] levelCalls;
  private final int[][] slot;
  private final long[][] tailW;
  private final long[][] shiftW;
  private final int[][][] tailCalls;
  private final int[][] edgeCalls;
  private final long[] keep;
  private final LongSupplier now;
  private State st;
  private long[] due;
  private String lastProgress = "";
  private boolean layoutWritten;

  /** Counters for metrics. */
  public long lateRows;
  public long badRows;
  public long tileWrites;

  public TileWriter(TileConfig cfg, long versionBase, LongSupplier now) {
    this.cfg = cfg;
    this.g = cfg.granularities;
    this.levels = g.length;
    this.levelCalls = cfg.callsByLevel();
    this.slot = new int[levels][];
    for (int i = 0; i < levels; i++) {
      int[] s = new int[cfg.calls.length];
      java.util.Arrays.fill(s, -1);
      for (int j = 0; j < levelCalls[i].length; j++) s[levelCalls[i][j]] = j;
      slot[i] = s;
    }
    this.tailW = cfg.tailWindows();
    this.shiftW = cfg.shiftedWindows();
    this.tailCalls = new int[levels][][];
    for (int i = 0; i < levels; i++) {
      tailCalls[i] = new int[tailW[i].length][];
      for (int k = 0; k < tailW[i].length; k++) tailCalls[i][k] = cfg.callsOfWindow(tailW[i][k]);
    }
    this.edgeCalls = new int[cfg.windows.length][];
    for (int k = 0; k < cfg.windows.length; k++) edgeCalls[k] = cfg.callsOfWindow(cfg.windows[k]);
    this.keep = new long[levels];
    for (int i = 0; i < levels; i++) for (long w : shiftW[i]) keep[i] = Math.max(keep[i], w);
    this.now = now;
    State s = new State();
    s.versionBase = versionBase;
    for (int i = 0; i < levels; i++) {
      s.dirty.add(new HashMap<>());
      s.pending.add(new TreeMap<>());
    }
    this.st = s;
    this.due = new long[levels];
    java.util.Arrays.fill(due, NEG);
  }

  public State state() {
    return st;
  }

  /** Restores a checkpointed state; the next flush rewrites the layout and progress meta. */
  public void restore(State s) {
    this.st = s;
    this.lastProgress = "";
    this.layoutWritten = false;
    updateDue();
  }

  public long watermark() {
    return st.watermark;
  }

  public long maxEventTime() {
    return st.maxTs;
  }

  public long versionBase() {
    return st.versionBase;
  }

  /**
   * Everything the writer holds for one key: its tiles and expiry marks, and its entries in the dirty, pending and
   * eviction indexes. A writer's state is exactly the union of its keys' parts plus the clocks (watermark, newest event
   * time, version base), so parts can move between writers when Flink rescales the job (TileStateShards).
   */
  public static final class KeyPart implements Serializable {
    private static final long serialVersionUID = 1L;
    String key;
    /** Null when the key's tiles were all evicted but index entries remain. */
    KeyState state;
    /** Per level: positions to write on the next flush. */
    long[][] dirty;
    /** Per level: tail positions not yet due. */
    long[][] pending;
    /** Eviction times. */
    long[] evict;

    public String key() {
      return key;
    }
  }

  /** The state split by key, one part per key in any index (order unspecified). */
  public List<KeyPart> keyParts() {
    LinkedHashMap<String, KeyPart> parts = new LinkedHashMap<>();
    for (Map.Entry<String, KeyState> e : st.keys.entrySet()) part(parts, e.getKey()).state = e.getValue();
    for (int i = 0; i < levels; i++) {
      for (Map.Entry<String, TreeSet<Long>> e : st.dirty.get(i).entrySet()) part(parts, e.getKey()).dirty[i] = toArray(e.getValue());
      HashMap<String, ArrayList<Long>> pend = new HashMap<>();
      for (Map.Entry<Long, LinkedHashSet<String>> e : st.pending.get(i).entrySet()) {
        for (String k : e.getValue()) pend.computeIfAbsent(k, x -> new ArrayList<>()).add(e.getKey());
      }
      for (Map.Entry<String, ArrayList<Long>> e : pend.entrySet()) part(parts, e.getKey()).pending[i] = toArray(e.getValue());
    }
    HashMap<String, ArrayList<Long>> ev = new HashMap<>();
    for (Map.Entry<Long, LinkedHashSet<String>> e : st.evict.entrySet()) {
      for (String k : e.getValue()) ev.computeIfAbsent(k, x -> new ArrayList<>()).add(e.getKey());
    }
    for (Map.Entry<String, ArrayList<Long>> e : ev.entrySet()) part(parts, e.getKey()).evict = toArray(e.getValue());
    return new ArrayList<>(parts.values());
  }

  private KeyPart part(Map<String, KeyPart> parts, String key) {
    KeyPart kp = parts.get(key);
    if (kp == null) {
      kp = new KeyPart();
      kp.key = key;
      kp.dirty = new long[levels][];
      kp.pending = new long[levels][];
      kp.evict = new long[0];
      for (int i = 0; i < levels; i++) {
        kp.dirty[i] = new long[0];
        kp.pending[i] = new long[0];
      }
      parts.put(key, kp);
    }
    return kp;
  }

  private static long[] toArray(java.util.Collection<Long> c) {
    long[] out = new long[c.size()];
    int n = 0;
    for (long v : c) out[n++] = v;
    return out;
  }

  /**
   * Replaces the state by the given key parts and clocks (a restore that may have moved keys between writers); the
   * next flush rewrites the layout and progress meta, as after restore().
   */
  public void restoreParts(Iterable<KeyPart> parts, long watermark, long maxEventTime, long versionBase) {
    State s = new State();
    s.versionBase = versionBase;
    s.watermark = watermark;
    s.maxTs = maxEventTime;
    for (int i = 0; i < levels; i++) {
      s.dirty.add(new HashMap<>());
      s.pending.add(new TreeMap<>());
    }
    for (KeyPart kp : parts) {
      String k = kp.key;
      if (kp.state != null) s.keys.put(k, kp.state);
      for (int i = 0; i < levels; i++) {
        if (kp.dirty[i].length > 0) {
          TreeSet<Long> set = s.dirty.get(i).computeIfAbsent(k, x -> new TreeSet<>());
          for (long v : kp.dirty[i]) set.add(v);
        }
        for (long v : kp.pending[i]) s.pending.get(i).computeIfAbsent(v, x -> new LinkedHashSet<>()).add(k);
      }
      for (long v : kp.evict) s.evict.computeIfAbsent(v, x -> new LinkedHashSet<>()).add(k);
    }
    restore(s);
  }

  static long floorTo(long t, long gr) {
    return Math.floorDiv(t, gr) * gr;
  }

  /** Adds one projected input row (append-only); late rows, NULL times and NULL keys are counted and dropped. */
  public void add(String key, RowData row) {
    int tc = cfg.timeColumn;
    if (row.isNullAt(tc)) {
      badRows++;
      return;
    }
    long ts = row.getTimestamp(tc, 3).getMillisecond();
    if (st.watermark != NEG && ts <= st.watermark) {
      lateRows++;
      return;
    }
    if (key == null) {
      badRows++;
      return;
    }
    if (ts > st.maxTs) {
      st.maxTs = ts;
      updateDue();
    }
    KeyState ks = st.keys.get(key);
    if (ks == null) {
      ks = new KeyState();
      @SuppressWarnings("unchecked")
      HashMap<Long, Tile>[] lv = new HashMap[levels];
      for (int i = 0; i < levels; i++) lv[i] = new HashMap<>();
      ks.lv = lv;
      ks.ex = new long[levels];
      java.util.Arrays.fill(ks.ex, NEG);
      st.keys.put(key, ks);
    }
    for (int i = 0; i < levels; i++) addToLevel(ks, key, i, ts, row);
  }

  private void addToLevel(KeyState ks, String key, int i, long ts, RowData row) {
    long gi = g[i];
    long p = floorTo(ts, gi);
    HashMap<Long, Tile> tiles = ks.lv[i];
    Tile tile = tiles.get(p);
    int[] calls = levelCalls[i];
    if (tile == null) {
      tile = new Tile();
      tile.a = new double[calls.length][];
      for (int j = 0; j < calls.length; j++) tile.a[j] = TileAgg.create(cfg.calls[calls[j]]);
      tile.x = ts;
      if (i == 0 && cfg.exact) tile.e = new TreeMap<>();
      tiles.put(p, tile);
      st.evict.computeIfAbsent(p + gi + keep[i], t -> new LinkedHashSet<>()).add(key);
    }
    double[][] ent = null;
    if (tile.e != null) {
      ent = tile.e.get(ts);
      if (ent == null) {
        ent = new double[calls.length][];
        for (int j = 0; j < calls.length; j++) ent[j] = TileAgg.create(cfg.calls[calls[j]]);
        tile.e.put(ts, ent);
      }
    }
    for (int j = 0; j < calls.length; j++) {
      TileConfig.Call c = cfg.calls[calls[j]];
      if (c.filter >= 0 && (row.isNullAt(c.filter) || !row.getBoolean(c.filter))) continue;
      TileAgg.add(c, tile.a[j], row);
      if (ent != null) TileAgg.add(c, ent[j], row);
    }
    tile.c++;
    if (ts > tile.x) tile.x = ts;
    markDirty(i, key, p);
    long d = due[i];
    for (long w : shiftW[i]) {
      long q = p + w;
      if (d != NEG && (d == POS || q < d)) markDirty(i, key, q);
      else st.pending.get(i).computeIfAbsent(q, t -> new LinkedHashSet<>()).add(key);
    }
  }

  private void markDirty(int level, String key, long pos) {
    st.dirty.get(level).computeIfAbsent(key, k -> new TreeSet<>()).add(pos);
  }

  private void updateDue() {
    long wm = st.watermark;
    for (int i = 0; i < levels; i++) {
      if (shiftW[i].length == 0) continue;
      if (wm == POS) {
        due[i] = POS;
        continue;
      }
      long clock = Math.max(wm, st.maxTs);
      if (clock == NEG) continue;
      long b = i + 1 < levels ? g[i + 1] : g[i];
      due[i] = floorTo(clock, b) + 2 * b;
    }
  }

  /** The input watermark advanced (POS at end of input). */
  public void onWatermark(long wm) {
    st.watermark = wm;
    updateDue();
  }

  /** Writes changed positions and due tail copies, then the progress meta; evicts tiles no write can need. */
  public void flush(Sink sink) {
    TileProgress p = flushTiles(sink);
    // Progress last: a reader that sees the new watermark also sees every tile written before it.
    if (p != null) sink.putMeta(META_PROGRESS, p.meta(now.getAsLong()));
  }

  /**
   * flush() without the progress meta: writes the layout meta (first time), changed positions, due tail copies and
   * expiries, and returns the progress when it changed since the last flush (null otherwise). The caller publishes
   * it after this returns (TileWriterOperator: to the TileProgressCommitter), so it never precedes the tiles.
   */
  public TileProgress flushTiles(Sink sink) {
    updateDue();
    List<RedisTileStore.Write> writes = new ArrayList<>();
    for (int i = 0; i < levels; i++) {
      TreeMap<Long, LinkedHashSet<String>> q = st.pending.get(i);
      long d = due[i];
      if (d != NEG) {
        while (!q.isEmpty() && (d == POS || q.firstKey() <= d - 1)) {
          Map.Entry<Long, LinkedHashSet<String>> e = q.pollFirstEntry();
          for (String key : e.getValue()) markDirty(i, key, e.getKey());
        }
      }
      for (Map.Entry<String, TreeSet<Long>> e : st.dirty.get(i).entrySet()) {
        KeyState ks = st.keys.get(e.getKey());
        if (ks == null) continue;
        for (long pos : e.getValue()) {
          RedisTileStore.Write w = compose(e.getKey(), ks, i, pos);
          if (w != null) writes.add(w);
        }
      }
      st.dirty.get(i).clear();
    }
    List<long[]> expiryTimes = new ArrayList<>();
    List<String> expiryKeys = new ArrayList<>();
    evictTiles(expiryKeys, expiryTimes);
    TileProgress progress = progress();
    String meta = progress.text();
    boolean changed = !meta.equals(lastProgress);
    if (changed) lastProgress = meta;
    if (!layoutWritten) {
      layoutWritten = true;
      sink.putMeta(META_LAYOUT, cfg.layout);
    }
    sink.writeTiles(writes);
    tileWrites += writes.size();
    for (int k = 0; k < expiryKeys.size(); k++) sink.expireTiles(expiryKeys.get(k), expiryTimes.get(k)[0], expiryTimes.get(k)[1]);
    return changed ? progress : null;
  }

  /** The stored value of position q of level i, or null when no tile contributes. */
  RedisTileStore.Write compose(String key, KeyState ks, int i, long q) {
    HashMap<Long, Tile> tiles = ks.lv[i];
    Tile head = tiles.get(q);
    long version = 0;
    StringBuilder sb = new StringBuilder(256);
    sb.append('{');
    boolean first = true;
    if (head != null) {
      version += head.c;
      sb.append("\"h\":{");
      int[] lc = levelCalls[i];
      for (int j = 0; j < lc.length; j++) {
        if (j > 0) sb.append(',');
        JsText.quote(cfg.calls[lc[j]].id, sb);
        sb.append(':');
        TileAgg.encode(cfg.calls[lc[j]], head.a[j], sb);
      }
      sb.append("},\"x\":").append(JsText.number(head.x));
      first = false;
      if (head.e != null) {
        long[] bucket = new long[1];
        String text = encodeEntries(head.e, levelCalls[0], bucket);
        sb.append(",\"E\":");
        JsText.quote(text, sb);
        if (bucket[0] > 1) sb.append(",\"Eb\":").append(JsText.number(bucket[0]));
      }
    }
    // t, tx, D, Db: objects keyed by window, created in the order the JavaScript writer first sets them.
    LinkedHashMap<String, LinkedHashMap<String, String>> parts = new LinkedHashMap<>();
    long[] shifted = shiftW[i];
    long[] tails = tailW[i];
    for (long w : shifted) {
      Tile src = tiles.get(q - w);
      if (src == null) continue;
      version += src.c;
      int tk = indexOf(tails, w);
      String ws = Long.toString(w);
      if (tk >= 0) {
        StringBuilder part = new StringBuilder(128).append('{');
        int[] tcs = tailCalls[i][tk];
        for (int n = 0; n < tcs.length; n++) {
          int c = tcs[n];
          if (n > 0) part.append(',');
          JsText.quote(cfg.calls[c].id, part);
          part.append(':');
          TileAgg.encode(cfg.calls[c], src.a[slot[i][c]], part);
        }
        part.append('}');
        parts.computeIfAbsent("t", k -> new LinkedHashMap<>()).put(ws, part.toString());
        parts.computeIfAbsent("tx", k -> new LinkedHashMap<>()).put(ws, JsText.number(src.x));
      }
      if (src.e != null) {
        long[] bucket = new long[1];
        String text = encodeEntries(src.e, edgeCalls[indexOf(cfg.windows, w)], bucket);
        parts.computeIfAbsent("D", k -> new LinkedHashMap<>()).put(ws, JsText.quote(text));
        if (bucket[0] > 1) parts.computeIfAbsent("Db", k -> new LinkedHashMap<>()).put(ws, JsText.number(bucket[0]));
      }
    }
    if (version == 0) return null;
    for (Map.Entry<String, LinkedHashMap<String, String>> p : parts.entrySet()) {
      if (!first) sb.append(',');
      first = false;
      sb.append('"').append(p.getKey()).append("\":{");
      boolean f2 = true;
      for (Map.Entry<String, String> e : sortedKeys(p.getValue())) {
        if (!f2) sb.append(',');
        f2 = false;
        sb.append('"').append(e.getKey()).append("\":").append(e.getValue());
      }
      sb.append('}');
    }
    sb.append('}');
    return new RedisTileStore.Write(key, g[i], q, sb.toString(), st.versionBase + version);
  }

  /**
   * JavaScript objects list integer-like keys (array indices, below 2^32 - 1) first in ascending order, then the
   * others in insertion order; window keys are such integers.
   */
  private static List<Map.Entry<String, String>> sortedKeys(LinkedHashMap<String, String> m) {
    List<Map.Entry<String, String>> idx = new ArrayList<>();
    List<Map.Entry<String, String>> rest = new ArrayList<>();
    for (Map.Entry<String, String> e : m.entrySet()) {
      long v = Long.parseLong(e.getKey());
      if (v < 4294967295L) idx.add(e);
      else rest.add(e);
    }
    idx.sort((a, b) -> Long.compare(Long.parseLong(a.getKey()), Long.parseLong(b.getKey())));
    idx.addAll(rest);
    return idx;
  }

  private static int indexOf(long[] a, long v) {
    for (int k = 0; k < a.length; k++) if (a[k] == v) return k;
    return -1;
  }

  /**
   * Edge entries of a finest-level tile: {@code [[dt, acc of callsOut...], ...]} by event time, dt relative to the
   * slice start; beyond edgeEntries distinct times merged into power-of-two ms buckets (bucket[0] gets the size).
   */
  String encodeEntries(TreeMap<Long, double[][]> e, int[] callsOut, long[] bucketOut) {
    int[] lc = levelCalls[0];
    int[] slot0 = slot[0];
    long base = floorTo(e.firstKey(), g[0]);
    long bucket = 1;
    List<long[]> times = new ArrayList<>();
    List<double[][]> accs = new ArrayList<>();
    if (e.size() <= cfg.edgeEntries) {
      for (Map.Entry<Long, double[][]> x : e.entrySet()) {
        times.add(new long[] {x.getKey()});
        accs.add(x.getValue());
      }
    } else {
      do {
        bucket *= 2;
        int n = 0;
        long prev = 0;
        boolean has = false;
        for (long t : e.keySet()) {
          long b = floorTo(t, bucket);
          if (!has || b != prev) {
            n++;
            prev = b;
            has = true;
          }
        }
        if (n <= cfg.edgeEntries) break;
      } while (bucket < g[0]);
      for (Map.Entry<Long, double[][]> x : e.entrySet()) {
        long b = floorTo(x.getKey(), bucket);
        double[][] src = x.getValue();
        if (!times.isEmpty() && times.get(times.size() - 1)[0] == b) {
          double[][] last = accs.get(accs.size() - 1);
          for (int j = 0; j < lc.length; j++) TileAgg.merge(cfg.calls[lc[j]], last[j], src[j]);
        } else {
          double[][] acc = new double[lc.length][];
          for (int j = 0; j < lc.length; j++) {
            acc[j] = TileAgg.create(cfg.calls[lc[j]]);
            TileAgg.merge(cfg.calls[lc[j]], acc[j], src[j]);
          }
          times.add(new long[] {b});
          accs.add(acc);
        }
      }
    }
    bucketOut[0] = bucket;
    StringBuilder sb = new StringBuilder(32 * times.size() + 2).append('[');
    for (int r = 0; r < times.size(); r++) {
      if (r > 0) sb.append(',');
      sb.append('[').append(JsText.number(times.get(r)[0] - base));
      for (int c : callsOut) {
        sb.append(',');
        TileAgg.encode(cfg.calls[c], accs.get(r)[slot0[c]], sb);
      }
      sb.append(']');
    }
    return sb.append(']').toString();
  }

  /** Drops tiles past their retention; collects the store expiries to issue (throttled per key and level). */
  private void evictTiles(List<String> keysOut, List<long[]> out) {
    long wm = st.watermark;
    if (wm == NEG) return;
    long[] horizons = storeHorizons();
    while (!st.evict.isEmpty() && (wm == POS || st.evict.firstKey() <= wm)) {
      Map.Entry<Long, LinkedHashSet<String>> t = st.evict.pollFirstEntry();
      for (String key : t.getValue()) {
        KeyState ks = st.keys.get(key);
        if (ks == null) continue;
        int left = 0;
        for (int i = 0; i < levels; i++) {
          HashMap<Long, Tile> tiles = ks.lv[i];
          if (wm == POS) {
            tiles.clear();
          } else {
            long limit = wm - g[i] - keep[i];
            tiles.keySet().removeIf(p -> p <= limit);
          }
          left += tiles.size();
          long h = horizons[i];
          long step = i + 1 < levels ? g[i + 1] : g[i] * 60;
          if (h != NEG && (ks.ex[i] == NEG || h - ks.ex[i] >= step)) {
            ks.ex[i] = h;
            keysOut.add(key);
            out.add(new long[] {g[i], h});
          }
        }
        if (left == 0) st.keys.remove(key);
      }
    }
  }

  /** Per level: store positions before this are not needed by reads at t >= clock - retention (NEG: none). */
  private long[] storeHorizons() {
    long[] out = new long[levels];
    long clock = Math.max(st.watermark == POS ? NEG : st.watermark, st.maxTs);
    if (clock == NEG) {
      java.util.Arrays.fill(out, NEG);
      return out;
    }
    long e = floorTo(clock - cfg.retentionMs, g[0]);
    for (int i = 0; i < levels; i++) {
      long h = POS;
      if (shiftW[i].length > 0) h = Math.min(h, floorTo(e, i + 1 < levels ? g[i + 1] : g[i]));
      for (long w : cfg.windows) if (cfg.topLevelOf(w) == i) h = Math.min(h, floorTo(e - w, g[i]));
      out[i] = h == POS ? NEG : h;
    }
    return out;
  }

  /** The writer's current progress (TileProgress.text() is the meta without flushedAt). */
  public TileProgress progress() {
    long wm = st.watermark;
    long[] tails = new long[levels];
    for (int i = 0; i < levels; i++) tails[i] = shiftW[i].length == 0 ? POS : due[i];
    return new TileProgress(wm, st.maxTs, tails, Math.max(wm == POS ? NEG : wm, st.maxTs), cfg.retentionMs);
  }

  /** Keys and tiles held (tests, metrics). */
  public long[] stats() {
    long tiles = 0;
    for (KeyState ks : st.keys.values()) for (HashMap<Long, Tile> m : ks.lv) tiles += m.size();
    return new long[] {st.keys.size(), tiles};
  }
}
