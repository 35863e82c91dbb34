// Runs one subtask of a tiled feature table's TileWriter in a Flink job. Its input is keyed by the entity key (the
// encoded store key), so each key's tiles live in exactly one subtask and every per-key record (tiles, counters,
// versions, expiries, edge entries) is what the single writer writes. It flushes the changed positions of its keys to
// the table's TileStore (Redis or Aerospike) on every watermark advance, before every checkpoint barrier (so a
// completed checkpoint's state matches what the store holds) and at end of input, and after a flush whose progress
// changed emits that progress to the TileProgressCommitter, which alone writes the progress meta (the minimum over
// all subtasks). State: TileStateShards (union list state split by key group, redistributed when the job is
// restored at another parallelism). On recovery the counters, tiles and pending positions come back, Flink replays
// the input since the checkpoint, and the rewritten positions carry the versions they had (the store ignores them).
package dev.freshet.flink.tiles;

import dev.freshet.flink.store.StoreKey;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;

/** One parallel instance of the tile writer of one tiled feature table; emits its progress after flushes. */
public final class TileWriterOperator extends AbstractStreamOperator<TileProgress>
    implements OneInputStreamOperator<RowData, TileProgress>, BoundedOneInput {
  private static final long serialVersionUID = 1L;

  /** The union list state's name (TileStateShards entries). */
  static final String STATE = "freshet-tiles-keys";

  private final TileStore.Factory stores;
  private final TileConfig cfg;
  private final StoreKey key;
  private final long versionBase;

  private transient TileWriter writer;
  private transient TileStore store;
  private transient ListState<byte[]> saved;
  private transient StreamRecord<TileProgress> reusable;
  private transient int subtask;
  private transient int subtasks;
  private transient int maxParallelism;
  private transient Counter late;
  private transient Counter bad;
  private transient Counter writes;
  private transient long reportedLate;
  private transient long reportedBad;
  private transient long reportedWrites;

  public TileWriterOperator(TileStore.Factory stores, TileConfig cfg, StoreKey key, long versionBase) {
    this.stores = stores;
    this.cfg = cfg;
    this.key = key;
    this.versionBase = versionBase;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    TaskInfo task = getRuntimeContext().getTaskInfo();
    subtask = task.getIndexOfThisSubtask();
    subtasks = task.getNumberOfParallelSubtasks();
    maxParallelism = task.getMaxNumberOfParallelSubtasks();
    writer = new TileWriter(cfg, versionBase, System::currentTimeMillis);
    saved = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(STATE, BytePrimitiveArraySerializer.INSTANCE));
    if (context.isRestored()) TileStateShards.restore(writer, saved.get(), subtask, subtasks, maxParallelism);
  }

  @Override
  public void open() throws Exception {
    super.open();
    store = stores.open();
    reusable = new StreamRecord<>(null);
    late = getMetricGroup().counter("lateRowsDropped");
    bad = getMetricGroup().counter("freshetBadRows");
    writes = getMetricGroup().counter("tileWrites");
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    RowData row = element.getValue();
    // The key selector already encoded the key (TileTableSink.KeyOf); "" also stands for a NULL key column, which
    // the writer counts as a bad row.
    String k = (String) getCurrentKey();
    if (k.isEmpty()) k = key.encode(row);
    writer.add(k, row);
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    long wm = mark.getTimestamp() == Long.MAX_VALUE ? TileWriter.POS : mark.getTimestamp();
    if (wm > writer.watermark() || writer.watermark() == TileWriter.NEG) {
      writer.onWatermark(wm);
      flush();
    }
    super.processWatermark(mark);
  }

  @Override
  public void endInput() {
    if (writer.watermark() != TileWriter.POS) writer.onWatermark(TileWriter.POS);
    flush();
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flush();
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    saved.update(TileStateShards.snapshot(writer, subtask, maxParallelism));
  }

  /** Writes this subtask's positions, then reports its progress downstream (never before the tiles it covers). */
  private void flush() {
    TileProgress p = writer.flushTiles(store);
    if (p != null) {
      p.subtask = subtask;
      p.subtasks = subtasks;
      output.collect(reusable.replace(p));
    }
    late.inc(writer.lateRows - reportedLate);
    reportedLate = writer.lateRows;
    bad.inc(writer.badRows - reportedBad);
    reportedBad = writer.badRows;
    writes.inc(writer.tileWrites - reportedWrites);
    reportedWrites = writer.tileWrites;
  }

  @Override
  public void close() throws Exception {
    try {
      if (store != null) store.close();
    } finally {
      super.close();
    }
  }
}
