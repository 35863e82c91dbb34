// The progress of a tile writer (the `watermark` meta of docs/serving.md) in raw form: what one TileWriter subtask has
// written after a flush, sent by TileWriterOperator to the TileProgressCommitter, which combines the latest report of
// every subtask (combine) and writes the meta text (text) the single-instance writer would write.
//
// Invariant of combine: the combined progress never claims more than every subtask wrote. Watermark and tail
// positions take the minimum (a tail position below tailsThrough must be written by whichever subtask owns its key);
// retainedFrom takes the maximum (a subtask with a later clock may already have expired older positions); the newest
// event time is the maximum. Once every subtask saw the end of input (watermark +Infinity) this is exactly the meta of
// one writer over all keys: watermark = maxEventTime = the newest event time, tailsThrough null, retainedFrom =
// newest event time - retention.
package dev.freshet.flink.tiles;

import dev.freshet.flink.store.JsText;
import java.util.Arrays;

/** One writer's progress; a Flink POJO (public fields, no-arg constructor) so it travels between tasks. */
public final class TileProgress {
  /** The reporting subtask and how many there are (set by TileWriterOperator; the committer needs both). */
  public int subtask;
  public int subtasks;
  /** The writer's watermark: TileWriter.NEG before the first, TileWriter.POS at end of input. */
  public long watermark;
  /** The newest event time the writer accepted (TileWriter.NEG: none). */
  public long maxEventTime;
  /** Per level: tail copies before this are written (TileWriter.POS: null in the meta, all or none to write). */
  public long[] tailsThrough;
  /** max(watermark unless +Infinity, maxEventTime): the writer's clock (TileWriter.NEG: none yet). */
  public long clock;
  /** tile.retention in ms (retainedFrom = clock - retentionMs). */
  public long retentionMs;

  public TileProgress() {}

  TileProgress(long watermark, long maxEventTime, long[] tailsThrough, long clock, long retentionMs) {
    this.watermark = watermark;
    this.maxEventTime = maxEventTime;
    this.tailsThrough = tailsThrough;
    this.clock = clock;
    this.retentionMs = retentionMs;
  }

  /**
   * The progress of all subtasks together, or null while one of {@code parts} is missing (a subtask that has not
   * reported yet: the meta must not claim anything for its keys).
   */
  public static TileProgress combine(TileProgress[] parts) {
    if (parts.length == 0) return null;
    for (TileProgress p : parts) if (p == null) return null;
    TileProgress first = parts[0];
    long[] tails = first.tailsThrough.clone();
    TileProgress out = new TileProgress(first.watermark, first.maxEventTime, tails, first.clock, first.retentionMs);
    for (int s = 1; s < parts.length; s++) {
      TileProgress p = parts[s];
      out.watermark = Math.min(out.watermark, p.watermark);
      out.maxEventTime = Math.max(out.maxEventTime, p.maxEventTime);
      out.clock = Math.max(out.clock, p.clock);
      for (int i = 0; i < tails.length; i++) tails[i] = Math.min(tails[i], p.tailsThrough[i]);
    }
    return out;
  }

  /**
   * The meta JSON without flushedAt, as the embedded writer's JSON.stringify writes it: watermark (the newest event
   * time at end of input), maxEventTime, tailsThrough (-1 before any clock), retainedFrom, boundary (always null on
   * Flink: no offline fusion).
   */
  public String text() {
    StringBuilder sb = new StringBuilder(160);
    sb.append("{\"watermark\":").append(fin(watermark == TileWriter.POS ? maxEventTime : watermark));
    sb.append(",\"maxEventTime\":").append(fin(maxEventTime));
    sb.append(",\"tailsThrough\":[");
    for (int i = 0; i < tailsThrough.length; i++) {
      if (i > 0) sb.append(',');
      long d = tailsThrough[i];
      if (d == TileWriter.POS) sb.append("null");
      else sb.append(d == TileWriter.NEG ? "-1" : JsText.number(d));
    }
    sb.append("],\"retainedFrom\":").append(clock == TileWriter.NEG ? "null" : JsText.number(clock - retentionMs));
    sb.append(",\"boundary\":null}");
    return sb.toString();
  }

  /** The meta value as stored: text() plus the wall-clock time of the flush that writes it. */
  public String meta(long flushedAt) {
    String t = text();
    return t.substring(0, t.length() - 1) + ",\"flushedAt\":" + flushedAt + "}";
  }

  private static String fin(long v) {
    return v == TileWriter.NEG || v == TileWriter.POS ? "null" : JsText.number(v);
  }

  @Override
  public String toString() {
    return "TileProgress[" + subtask + "/" + subtasks + " " + text() + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TileProgress p && p.subtask == subtask && p.subtasks == subtasks && p.watermark == watermark
        && p.maxEventTime == maxEventTime && p.clock == clock && p.retentionMs == retentionMs && Arrays.equals(p.tailsThrough, tailsThrough);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(watermark) * 31 + Arrays.hashCode(tailsThrough);
  }
}
