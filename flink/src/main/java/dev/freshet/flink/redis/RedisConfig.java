// The connection settings and table name of one `redis` feature table: serializable, so they travel inside the
// sink and lookup functions to the TaskManagers. The password is never part of toString().
package dev.freshet.flink.redis;

import dev.freshet.flink.connector.StoreConfig;

/** Where a feature table lives in Redis: server, credentials, database, and the store table name. */
public record RedisConfig(String host, int port, String username, String password, int database, int connectTimeoutMs, String table)
    implements StoreConfig {
  @Override
  public String store() {
    return RedisDynamicTableFactory.IDENTIFIER;
  }

  @Override
  public String toString() {
    return "redis://" + host + ":" + port + "/" + database + " table " + table;
  }

  /** The row hash key {@code fs:<table>:<key>} (docs/stores.md). */
  public String rowKey(String key) {
    return "fs:" + table + ":" + key;
  }

  /** The meta string key {@code fs:<table>:meta:<name>}. */
  public String metaKey(String name) {
    return "fs:" + table + ":meta:" + name;
  }
}
