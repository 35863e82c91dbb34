// The feature-table writer of a sink with a changed-keys topic: writes the versioned changes to the store like
// StoreSink and then emits the changes the store holds, which the changed-keys KafkaSink announces. Emitting only
// after the store call returned is what makes an announcement never precede its store write. Before a checkpoint
// barrier passes (prepareSnapshotPreBarrier) and at the end of input (finish) the buffer is written and its changes
// emitted, so every change before a barrier is in the store and in the KafkaSink's part of that checkpoint: with
// exactly-once the KafkaSink commits the checkpoint's transaction only after the checkpoint completed.
package dev.freshet.flink.connector;

import dev.freshet.flink.store.Versioner;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** Input and output: (key, version, JSON row or "" for a delete); the output holds the changes the store holds. */
public final class StoreWriteOperator extends AbstractStreamOperator<Tuple3<String, Long, String>>
    implements OneInputStreamOperator<Tuple3<String, Long, String>, Tuple3<String, Long, String>> {
  private static final long serialVersionUID = 1L;

  private final StoreClientFactory clients;
  private final int maxRows;
  private final long flushIntervalMs;
  private transient StoreWriterCore core;
  private transient StreamRecord<Tuple3<String, Long, String>> reuse;
  private transient boolean timerSet;

  public StoreWriteOperator(StoreClientFactory clients, int maxRows, long flushIntervalMs) {
    this.clients = clients;
    this.maxRows = maxRows;
    this.flushIntervalMs = flushIntervalMs;
  }

  @Override
  public void open() throws Exception {
    super.open();
    Counter written = getMetricGroup().counter("freshetStoreWrites");
    Counter stale = getMetricGroup().counter("freshetStaleWrites");
    core = new StoreWriterCore(clients.open(), maxRows, written, stale);
    reuse = new StreamRecord<>(null);
  }

  @Override
  public void processElement(StreamRecord<Tuple3<String, Long, String>> element) throws Exception {
    if (core.add(element.getValue())) {
      writeAndEmit();
    } else if (flushIntervalMs > 0 && !timerSet) {
      timerSet = true;
      // Processing-time callbacks run in the task's mailbox thread, like processElement: no locking needed.
      getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + flushIntervalMs, t -> {
        timerSet = false;
        writeAndEmit();
      });
    }
  }

  private void writeAndEmit() throws Exception {
    List<StoreWrite> held = core.write(true);
    for (StoreWrite w : held) {
      output.collect(reuse.replace(Tuple3.of(w.key(), w.version(), w.value() == null ? Versioner.DELETE : w.value())));
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    writeAndEmit();
  }

  @Override
  public void finish() throws Exception {
    writeAndEmit();
    super.finish();
  }

  @Override
  public void close() throws Exception {
    try {
      if (core != null) core.close();
    } finally {
      super.close();
    }
  }
}
