// The tile layout and the projected input of one tiled feature table, read from the `freshet.tiles` option that
// Freshet's spec builder writes (src/flink/tiled-insert.ts): the same TileSinkSpec the embedded engine's
// TileSinkOperator uses (src/plan/rules/tile-features.ts), plus where each value sits in the projected rows. Also the
// layout functions shared by writer and readers (top level of a window, tail windows, calls per level), ported from
// tile-features.ts so both engines derive the same positions.
package dev.freshet.flink.tiles;

import dev.freshet.flink.Json;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Immutable, serializable description of a tiled feature table as the Flink tile writer needs it. */
public final class TileConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One aggregate call kept in tiles. */
  public static final class Call implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Identity inside tile values, e.g. {@code SUM(amount)}. */
    public final String id;
    /** COUNT, SUM, AVG, MIN, MAX. */
    public final String fn;
    /** Argument type kind (TINYINT ... DOUBLE), COUNT_FLAG for COUNT(x) (a NULL-free "x is not null" flag), null for COUNT(*). */
    public final String kind;
    /** Result type kind (SUM wraps TINYINT/SMALLINT/INT and rounds FLOAT in it). */
    public final String resultKind;
    /** Column of the argument in the projected row; -1 for COUNT(*). */
    public final int arg;
    /** Column of the FILTER flag; -1 without FILTER. */
    public final int filter;

    public Call(String id, String fn, String kind, String resultKind, int arg, int filter) {
      this.id = id;
      this.fn = fn;
      this.kind = kind;
      this.resultKind = resultKind;
      this.arg = arg;
      this.filter = filter;
    }
  }

  /** The store table. */
  public final String table;
  /** Tile sizes in ms, ascending (at most 3). */
  public final long[] granularities;
  /** Distinct window lengths in ms, ascending. */
  public final long[] windows;
  public final Call[] calls;
  /** Per feature: its call index and window. */
  public final int[] featureCall;
  public final long[] featureWindow;
  public final long retentionMs;
  /** Millisecond-exact layout (edge entries at the finest level). */
  public final boolean exact;
  public final int edgeEntries;
  /** The meta `tiles` document, byte for byte as the embedded writer stores it. */
  public final String layout;
  public final int keyCount;
  public final int timeColumn;

  public TileConfig(String table, long[] granularities, long[] windows, Call[] calls, int[] featureCall, long[] featureWindow,
      long retentionMs, boolean exact, int edgeEntries, String layout, int keyCount, int timeColumn) {
    this.table = table;
    this.granularities = granularities;
    this.windows = windows;
    this.calls = calls;
    this.featureCall = featureCall;
    this.featureWindow = featureWindow;
    this.retentionMs = retentionMs;
    this.exact = exact;
    this.edgeEntries = edgeEntries;
    this.layout = layout;
    this.keyCount = keyCount;
    this.timeColumn = timeColumn;
  }

  /** Parses the `freshet.tiles` option value; IllegalArgumentException names what is wrong. */
  @SuppressWarnings("unchecked")
  public static TileConfig parse(String json) {
    try {
      Map<String, Object> o = (Map<String, Object>) Json.parse(json);
      Map<String, Object> spec = (Map<String, Object>) o.get("spec");
      if (!"over".equals(spec.get("source")) && !"hop".equals(spec.get("source"))) throw new IllegalArgumentException("unknown tiled feature form " + spec.get("source"));
      List<Object> specCalls = (List<Object>) spec.get("calls");
      List<Object> runCalls = (List<Object>) o.get("calls");
      if (specCalls.size() != runCalls.size()) throw new IllegalArgumentException("calls and spec.calls differ in length");
      Call[] calls = new Call[specCalls.size()];
      for (int i = 0; i < calls.length; i++) {
        Map<String, Object> sc = (Map<String, Object>) specCalls.get(i);
        Map<String, Object> rc = (Map<String, Object>) runCalls.get(i);
        Map<String, Object> rt = (Map<String, Object>) sc.get("resultType");
        String fn = (String) rc.get("fn");
        if (!List.of("COUNT", "SUM", "AVG", "MIN", "MAX").contains(fn)) throw new IllegalArgumentException("aggregate " + fn + " is not supported");
        if (Boolean.TRUE.equals(sc.get("distinct"))) throw new IllegalArgumentException("DISTINCT aggregates are not supported");
        calls[i] = new Call((String) sc.get("id"), fn, (String) rc.get("kind"), (String) rt.get("kind"),
            ((Number) rc.get("arg")).intValue(), ((Number) rc.get("filter")).intValue());
      }
      List<Object> feats = (List<Object>) spec.get("features");
      int[] fc = new int[feats.size()];
      long[] fw = new long[feats.size()];
      for (int i = 0; i < fc.length; i++) {
        Map<String, Object> f = (Map<String, Object>) feats.get(i);
        fc[i] = ((Number) f.get("call")).intValue();
        fw[i] = ((Number) f.get("windowMs")).longValue();
      }
      boolean exact = Boolean.TRUE.equals(spec.get("exact"));
      Object ee = spec.get("edgeEntries");
      return new TileConfig((String) spec.get("table"), longs((List<Object>) spec.get("granularities")), longs((List<Object>) spec.get("windows")),
          calls, fc, fw, ((Number) spec.get("retentionMs")).longValue(), exact, ee == null ? 256 : ((Number) ee).intValue(),
          (String) o.get("layout"), ((Number) o.get("keyCount")).intValue(), ((Number) o.get("timeColumn")).intValue());
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("malformed 'freshet.tiles' option: " + e.getMessage(), e);
    }
  }

  private static long[] longs(List<Object> l) {
    long[] out = new long[l.size()];
    for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).longValue();
    return out;
  }

  // ---- Layout (tile-features.ts) ----

  /** The coarsest level dividing {@code w}. */
  public int topLevelOf(long w) {
    int k = 0;
    for (int i = 1; i < granularities.length; i++) if (w % granularities[i] == 0) k = i;
    return k;
  }

  /** Per level, the windows whose top level is coarser (their tiles at that level get tail copies). */
  public long[][] tailWindows() {
    long[][] out = new long[granularities.length][];
    for (int i = 0; i < out.length; i++) {
      List<Long> l = new ArrayList<>();
      for (long w : windows) if (topLevelOf(w) > i) l.add(w);
      out[i] = l.stream().mapToLong(Long::longValue).toArray();
    }
    return out;
  }

  /** Per level, the windows w for which position q carries part of tile q - w (tails; every window at level 0 when exact). */
  public long[][] shiftedWindows() {
    long[][] t = tailWindows();
    if (exact) t[0] = windows.clone();
    return t;
  }

  /** Per level, the calls kept in tiles of that level, ascending. */
  public int[][] callsByLevel() {
    int[][] out = new int[granularities.length][];
    for (int i = 0; i < out.length; i++) {
      TreeSet<Integer> s = new TreeSet<>();
      for (int f = 0; f < featureCall.length; f++) if (topLevelOf(featureWindow[f]) >= i) s.add(featureCall[f]);
      out[i] = s.stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  /** The calls of the features of window {@code w}, ascending. */
  public int[] callsOfWindow(long w) {
    TreeSet<Integer> s = new TreeSet<>();
    for (int f = 0; f < featureCall.length; f++) if (featureWindow[f] == w) s.add(featureCall[f]);
    return s.stream().mapToInt(Integer::intValue).toArray();
  }
}
