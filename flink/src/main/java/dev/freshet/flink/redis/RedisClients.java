// The `redis` store behind the shared feature-table writers (dev.freshet.flink.connector): opens a RedisStore per
// writer and adapts its versioned writes (the shared Lua script), reads and meta strings.
package dev.freshet.flink.redis;

import dev.freshet.flink.connector.StoreClient;
import dev.freshet.flink.connector.StoreClientFactory;
import dev.freshet.flink.connector.StoreWrite;
import java.util.ArrayList;
import java.util.List;

/** Serializable: the table's connection settings. */
public record RedisClients(RedisConfig config) implements StoreClientFactory {
  @Override
  public StoreClient open() {
    return new Client(new RedisStore(config));
  }

  private record Client(RedisStore store) implements StoreClient {
    @Override
    public long putRows(List<StoreWrite> writes) {
      List<RedisStore.Write> w = new ArrayList<>(writes.size());
      for (StoreWrite x : writes) w.add(new RedisStore.Write(x.key(), x.version(), x.value()));
      return store.putRows(w);
    }

    @Override
    public Long[] versions(List<String> keys) {
      return store.versions(keys);
    }

    @Override
    public String row(String key) {
      RedisStore.Stored s = store.get(key);
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
