// The Sink V2 runtime of the `aerospike` feature-table sink: writes the versioned changes (Versioner) as batch writes.
// Flushes when the buffer is full, every flush interval, and in flush(), which Flink calls before every checkpoint and
// at the end of input: a checkpoint completes only after its changes are in Aerospike (at-least-once), and the
// versions make replayed writes no-ops (the server filters them out), so the store holds each change effectively once.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.store.Versioner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;

/** Sink of (key, version, JSON row or "" for a delete) records into one Aerospike feature table. */
public final class AerospikeSink implements Sink<Tuple3<String, Long, String>> {
  private static final long serialVersionUID = 1L;

  private final AerospikeConfig config;
  private final AerospikeStore.Connector connector;
  private final int maxRows;
  private final long flushIntervalMs;

  /**
   * @param maxRows buffered keys that trigger a write (one batch request per 1000 keys)
   * @param flushIntervalMs the longest a change waits in the buffer; 0 writes only when full and at checkpoints
   */
  public AerospikeSink(AerospikeConfig config, AerospikeStore.Connector connector, int maxRows, long flushIntervalMs) {
    this.config = config;
    this.connector = connector;
    this.maxRows = maxRows;
    this.flushIntervalMs = flushIntervalMs;
  }

  @Override
  public SinkWriter<Tuple3<String, Long, String>> createWriter(WriterInitContext context) throws IOException {
    AerospikeStore store = new AerospikeStore(config, connector.connect(config));
    return new Writer(store, maxRows, flushIntervalMs, context.getProcessingTimeService(),
        context.metricGroup().getIOMetricGroup().getNumRecordsOutCounter(), context.metricGroup().counter("freshetStaleWrites"));
  }

  /** Buffers the changes per key (the last change of a key has its highest version) and writes them in batches. */
  static final class Writer implements SinkWriter<Tuple3<String, Long, String>> {
    private final AerospikeStore store;
    private final int maxRows;
    private final long flushIntervalMs;
    private final ProcessingTimeService time;
    private final Counter written;
    private final Counter stale;
    private final Map<String, AerospikeStore.Write> buffer = new LinkedHashMap<>();
    private boolean timerSet;

    Writer(AerospikeStore store, int maxRows, long flushIntervalMs, ProcessingTimeService time, Counter written, Counter stale) {
      this.store = store;
      this.maxRows = maxRows;
      this.flushIntervalMs = flushIntervalMs;
      this.time = time;
      this.written = written;
      this.stale = stale;
    }

    @Override
    public void write(Tuple3<String, Long, String> w, Context context) throws IOException {
      String value = Versioner.DELETE.equals(w.f2) ? null : w.f2;
      AerospikeStore.Write prev = buffer.get(w.f0);
      // Per key the versions arrive in increasing order (one Versioner instance per key, in order); keep the newest.
      if (prev == null || prev.version() < w.f1) buffer.put(w.f0, new AerospikeStore.Write(w.f0, w.f1, value));
      if (buffer.size() >= maxRows) {
        writeBuffer();
      } else if (flushIntervalMs > 0 && !timerSet && time != null) {
        timerSet = true;
        // Timer callbacks run in the task's mailbox thread, like write() and flush(): no locking needed.
        time.registerTimer(time.getCurrentProcessingTime() + flushIntervalMs, t -> {
          timerSet = false;
          writeBuffer();
        });
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      writeBuffer();
    }

    /** Buffered keys (for tests). */
    int buffered() {
      return buffer.size();
    }

    private void writeBuffer() throws IOException {
      if (buffer.isEmpty()) return;
      List<AerospikeStore.Write> writes = new ArrayList<>(buffer.values());
      try {
        long applied = store.putRows(writes);
        if (written != null) written.inc(applied);
        if (stale != null) stale.inc(writes.size() - applied);
      } catch (RuntimeException e) {
        // The job fails and restarts from its last checkpoint; the buffered changes are replayed then.
        throw new IOException("writing " + writes.size() + " rows to " + store.config() + " failed: " + e.getMessage(), e);
      }
      buffer.clear();
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
