// The `redis` table as a lookup source: the shared feature-table lookup source (FeatureTableSource: lookup key = the
// primary key, async lookups, optional partial cache) over RedisStore, one connection per lookup thread.
package dev.freshet.flink.redis;

import dev.freshet.flink.connector.FeatureTableSource;
import dev.freshet.flink.connector.StoreClientFactory;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.types.logical.RowType;

/** Lookup source of one feature table in Redis, with Flink's partial lookup cache when configured. */
public final class RedisDynamicTableSource extends FeatureTableSource {
  private final RedisConfig config;

  public RedisDynamicTableSource(RedisConfig config, RowType rowType, int[] primaryKey, LookupCache cache, int threads) {
    super(rowType, primaryKey, cache, threads);
    this.config = config;
  }

  @Override
  protected StoreClientFactory clients() {
    return new RedisClients(config);
  }

  @Override
  protected String table() {
    return config.table();
  }

  @Override
  protected String store() {
    return "redis";
  }

  @Override
  public DynamicTableSource copy() {
    return new RedisDynamicTableSource(config, rowType, primaryKey, cache, threads);
  }

  @Override
  public String asSummaryString() {
    return "Freshet Redis feature table " + config.table();
  }
}
