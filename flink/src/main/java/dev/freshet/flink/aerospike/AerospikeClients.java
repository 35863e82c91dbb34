// The `aerospike` store behind the shared feature-table writers (dev.freshet.flink.connector): opens an
// AerospikeStore per writer and adapts its versioned writes, reads and meta records.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.StoreClient;
import dev.freshet.flink.connector.StoreClientFactory;
import dev.freshet.flink.connector.StoreWrite;
import java.util.ArrayList;
import java.util.List;

/** Serializable: the table's settings and how to get a client ({@link AerospikeStore#CLIENT}, or a test's). */
public record AerospikeClients(AerospikeConfig config, AerospikeStore.Connector connector) implements StoreClientFactory {
  @Override
  public StoreClient open() {
    return new Client(new AerospikeStore(config, connector.connect(config)));
  }

  /** The Aerospike client is thread-safe and pools its connections: lookups share one per parallel instance. */
  @Override
  public boolean threadSafe() {
    return true;
  }

  /** A client over an open store (tests hand in a store over a fake server). */
  public static StoreClient over(AerospikeStore store) {
    return new Client(store);
  }

  private record Client(AerospikeStore store) implements StoreClient {
    @Override
    public long putRows(List<StoreWrite> writes) {
      List<AerospikeStore.Write> w = new ArrayList<>(writes.size());
      for (StoreWrite x : writes) w.add(new AerospikeStore.Write(x.key(), x.version(), x.value()));
      return store.putRows(w);
    }

    @Override
    public Long[] versions(List<String> keys) {
      // Only after a write was not applied (replays after a failure): one read per key is enough.
      Long[] out = new Long[keys.size()];
      for (int i = 0; i < out.length; i++) out[i] = store.version(keys.get(i));
      return out;
    }

    @Override
    public String row(String key) {
      AerospikeStore.Stored s = store.get(key);
      return s == null ? null : s.value();
    }

    @Override
    public String getMeta(String name) {
      return store.getMeta(name);
    }

    @Override
    public void putMeta(String name, String value) {
      store.putMeta(name, value);
    }

    @Override
    public String describe() {
      return store.config().toString();
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
