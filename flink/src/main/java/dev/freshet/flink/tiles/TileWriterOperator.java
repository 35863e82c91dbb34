// Runs the TileWriter in a Flink job: one parallel instance (the progress meta carries one watermark, the minimum over
// the inputs, which Flink's watermark already is at a single instance), fed the projected rows of a tiled INSERT.
// Flushes the changed positions to the table's TileStore (Redis or Aerospike) on every watermark advance, before
// every checkpoint barrier (so a completed checkpoint's state matches what the store holds) and at end of input. The whole writer state is one serialized
// blob in operator state: on recovery the counters, tiles and pending positions come back, Flink replays the input
// since the checkpoint, and the rewritten positions carry the versions they had (the store ignores them).
package dev.freshet.flink.tiles;

import dev.freshet.flink.store.StoreKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
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

/** The tile writer operator of one tiled feature table (parallelism 1); emits nothing. */
public final class TileWriterOperator extends AbstractStreamOperator<Void> implements OneInputStreamOperator<RowData, Void>, BoundedOneInput {
  private static final long serialVersionUID = 1L;

  private final TileStore.Factory stores;
  private final TileConfig cfg;
  private final StoreKey key;
  private final long versionBase;

  private transient TileWriter writer;
  private transient TileStore store;
  private transient ListState<byte[]> saved;
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
    writer = new TileWriter(cfg, versionBase, System::currentTimeMillis);
    saved = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("freshet-tiles", BytePrimitiveArraySerializer.INSTANCE));
    if (context.isRestored()) {
      for (byte[] b : saved.get()) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
          writer.restore((TileWriter.State) in.readObject());
        }
      }
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    store = stores.open();
    late = getMetricGroup().counter("lateRowsDropped");
    bad = getMetricGroup().counter("freshetBadRows");
    writes = getMetricGroup().counter("tileWrites");
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    RowData row = element.getValue();
    writer.add(key.encode(row), row);
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
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(writer.state());
    }
    saved.update(List.of(bytes.toByteArray()));
  }

  private void flush() {
    writer.flush(store);
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
