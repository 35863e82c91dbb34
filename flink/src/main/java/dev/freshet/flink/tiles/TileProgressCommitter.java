// The single writer of a parallel tile writer's progress meta (`watermark`, docs/serving.md): TileWriterOperator
// subtasks send it their progress after each flush that changed it; it keeps the latest report of every subtask and,
// once every subtask has reported at least once, writes the combined progress (TileProgress.combine: the minimum
// watermark and tail positions over the subtasks, so the meta never claims more than every subtask wrote) whenever
// that changes. A subtask that never receives a key still reports: watermarks reach every subtask of a keyed
// exchange, and every subtask flushes at end of input and before each checkpoint barrier.
//
// It keeps no Flink state: after a restore every subtask reports again on its first flush (its last progress is
// reset), and until all have, the stored meta stays what was written before, which the restored tiles still cover.
package dev.freshet.flink.tiles;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** Combines the progress of all tile writer subtasks into the table's progress meta; runs at parallelism 1. */
public final class TileProgressCommitter extends AbstractStreamOperator<Void> implements OneInputStreamOperator<TileProgress, Void> {
  private static final long serialVersionUID = 1L;

  private final TileStore.Factory stores;

  private transient TileStore store;
  private transient Combiner combiner;

  public TileProgressCommitter(TileStore.Factory stores) {
    this.stores = stores;
  }

  @Override
  public void open() throws Exception {
    super.open();
    store = stores.open();
    combiner = new Combiner();
  }

  @Override
  public void processElement(StreamRecord<TileProgress> element) {
    String meta = combiner.report(element.getValue(), System.currentTimeMillis());
    if (meta != null) store.putMeta(TileWriter.META_PROGRESS, meta);
  }

  @Override
  public void close() throws Exception {
    try {
      if (store != null) store.close();
    } finally {
      super.close();
    }
  }

  /** The committer's logic without Flink: latest report per subtask, the combined meta when it changes. */
  public static final class Combiner {
    private TileProgress[] latest = new TileProgress[0];
    private String written = "";

    /** Takes one subtask's report; returns the meta value to write (flushedAt = now), or null when nothing changed. */
    public String report(TileProgress p, long now) {
      if (latest.length != p.subtasks) {
        latest = new TileProgress[p.subtasks];
        written = "";
      }
      latest[p.subtask] = p;
      TileProgress all = TileProgress.combine(latest);
      if (all == null) return null;
      String text = all.text();
      if (text.equals(written)) return null;
      written = text;
      return all.meta(now);
    }
  }
}
