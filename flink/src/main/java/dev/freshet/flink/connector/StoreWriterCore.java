// The buffering and writing shared by the feature-table writers (the Sink V2 writer and, with a changed-keys topic,
// the emitting writer operator): per key only the newest change waits in the buffer, a full buffer or a flush writes
// it in one store call, and (when asked) the writes the store holds afterwards are returned for announcing.
package dev.freshet.flink.connector;

import dev.freshet.flink.store.Versioner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;

/** Buffer of (key, version, JSON row or "" for a delete) changes in front of one store client. */
public final class StoreWriterCore implements AutoCloseable {
  private final StoreClient client;
  private final int maxRows;
  private final Counter written;
  private final Counter stale;
  private final Map<String, StoreWrite> buffer = new LinkedHashMap<>();

  /**
   * @param maxRows buffered keys that make {@link #add} report a full buffer
   * @param written counts applied writes (may be null); {@code stale} counts writes the store ignored (may be null)
   */
  public StoreWriterCore(StoreClient client, int maxRows, Counter written, Counter stale) {
    this.client = client;
    this.maxRows = maxRows;
    this.written = written;
    this.stale = stale;
  }

  /** Buffers a change; true when the buffer is now full (the caller writes it). */
  public boolean add(Tuple3<String, Long, String> w) {
    String value = Versioner.DELETE.equals(w.f2) ? null : w.f2;
    StoreWrite prev = buffer.get(w.f0);
    // Per key the versions arrive in increasing order (one Versioner instance per key, in order); keep the newest.
    if (prev == null || prev.version() < w.f1) buffer.put(w.f0, new StoreWrite(w.f0, w.f1, value));
    return buffer.size() >= maxRows;
  }

  /** Buffered keys. */
  public int buffered() {
    return buffer.size();
  }

  /**
   * Writes the buffer. With {@code held}, returns the writes the store holds afterwards, or has gone past: all of them
   * when every write applied; otherwise one read of the stored versions keeps each write whose version the store
   * holds or exceeds. A write that did not apply is a replay after a failure (this job wrote it, and maybe later
   * versions of the key, before the failure; the announcements of that attempt were never committed) or, only when
   * another job writes the same table, superseded. Replays are announced again so that every change of the key is
   * announced once (exactly-once) and none is missing; the embedded sink (kv-sink.ts) leaves out versions below the
   * stored one, as its own recovery re-announces differently. Without {@code held}, returns null.
   */
  public List<StoreWrite> write(boolean held) throws IOException {
    if (buffer.isEmpty()) return held ? List.of() : null;
    List<StoreWrite> writes = new ArrayList<>(buffer.values());
    List<StoreWrite> out = null;
    try {
      long applied = client.putRows(writes);
      if (written != null) written.inc(applied);
      if (stale != null) stale.inc(writes.size() - applied);
      if (held) out = applied == writes.size() ? writes : held(writes);
    } catch (RuntimeException e) {
      // The job fails and restarts from its last checkpoint; the buffered changes are replayed then.
      throw new IOException("writing " + writes.size() + " rows to " + client.describe() + " failed: " + e.getMessage(), e);
    }
    buffer.clear();
    return out;
  }

  private List<StoreWrite> held(List<StoreWrite> writes) {
    List<String> keys = new ArrayList<>(writes.size());
    for (StoreWrite w : writes) keys.add(w.key());
    Long[] stored = client.versions(keys);
    List<StoreWrite> out = new ArrayList<>(writes.size());
    for (int i = 0; i < writes.size(); i++) {
      Long v = stored[i];
      if (v != null && v >= writes.get(i).version()) out.add(writes.get(i));
    }
    return out;
  }

  @Override
  public void close() {
    client.close();
  }
}
