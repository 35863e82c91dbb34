// The Sink V2 runtime of a feature-table sink without a changed-keys topic: writes the versioned changes (Versioner)
// to the store in batches. Flushes when the buffer is full, every flush interval, and in flush(), which Flink calls
// before every checkpoint and at the end of input: a checkpoint completes only after its changes are in the store
// (at-least-once), and the versions make replayed writes no-ops, so the store holds each change effectively once.
package dev.freshet.flink.connector;

import java.io.IOException;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;

/** Sink of (key, version, JSON row or "" for a delete) records into one feature table of any store. */
public final class StoreSink implements Sink<Tuple3<String, Long, String>> {
  private static final long serialVersionUID = 1L;

  private final StoreClientFactory clients;
  private final int maxRows;
  private final long flushIntervalMs;

  /**
   * @param maxRows buffered keys that trigger a write
   * @param flushIntervalMs the longest a change waits in the buffer; 0 writes only when full and at checkpoints
   */
  public StoreSink(StoreClientFactory clients, int maxRows, long flushIntervalMs) {
    this.clients = clients;
    this.maxRows = maxRows;
    this.flushIntervalMs = flushIntervalMs;
  }

  public StoreClientFactory clients() {
    return clients;
  }

  @Override
  public SinkWriter<Tuple3<String, Long, String>> createWriter(WriterInitContext context) throws IOException {
    return new Writer(clients.open(), maxRows, flushIntervalMs, context.getProcessingTimeService(),
        context.metricGroup().getIOMetricGroup().getNumRecordsOutCounter(), context.metricGroup().counter("freshetStaleWrites"));
  }

  /** Buffers the changes per key and writes them when full, on the flush interval and in flush(). */
  public static final class Writer implements SinkWriter<Tuple3<String, Long, String>> {
    private final StoreWriterCore core;
    private final long flushIntervalMs;
    private final ProcessingTimeService time;
    private boolean timerSet;

    public Writer(StoreClient client, int maxRows, long flushIntervalMs, ProcessingTimeService time, Counter written, Counter stale) {
      this.core = new StoreWriterCore(client, maxRows, written, stale);
      this.flushIntervalMs = flushIntervalMs;
      this.time = time;
    }

    @Override
    public void write(Tuple3<String, Long, String> w, Context context) throws IOException {
      if (core.add(w)) {
        core.write(false);
      } else if (flushIntervalMs > 0 && !timerSet && time != null) {
        timerSet = true;
        // Timer callbacks run in the task's mailbox thread, like write() and flush(): no locking needed.
        time.registerTimer(time.getCurrentProcessingTime() + flushIntervalMs, t -> {
          timerSet = false;
          core.write(false);
        });
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      core.write(false);
    }

    /** Buffered keys (for tests). */
    public int buffered() {
      return core.buffered();
    }

    @Override
    public void close() {
      core.close();
    }
  }
}
