// The `redis` store behind the shared feature-table writers and lookups (dev.freshet.flink.connector): opens a
// RedisStore (the shared Lua script's versioned writes, reads and meta strings) per writer or lookup thread.
package dev.freshet.flink.redis;

import dev.freshet.flink.connector.StoreClient;
import dev.freshet.flink.connector.StoreClientFactory;

/** Serializable: the table's connection settings. */
public record RedisClients(RedisConfig config) implements StoreClientFactory {
  @Override
  public StoreClient open() {
    return new RedisStore(config);
  }
}
