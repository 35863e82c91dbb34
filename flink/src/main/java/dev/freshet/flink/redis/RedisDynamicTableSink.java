// The `redis` table as an upsert sink: the shared feature-table sink (FeatureTableSink: keyed by entity key,
// versioned, buffered writes, optional changed-keys topic) over RedisStore; the same keys, values, versions and meta
// entries as Freshet's embedded sink.
package dev.freshet.flink.redis;

import dev.freshet.flink.connector.FeatureTableSink;
import dev.freshet.flink.connector.SinkSettings;
import dev.freshet.flink.connector.StoreClientFactory;
import dev.freshet.flink.store.SchemaMeta;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.types.logical.RowType;

/** Upsert sink of one feature table in Redis. */
public final class RedisDynamicTableSink extends FeatureTableSink {
  private final RedisConfig config;

  public RedisDynamicTableSink(RedisConfig config, RowType rowType, int[] primaryKey, SinkSettings settings) {
    super(rowType, primaryKey, settings);
    this.config = config;
  }

  /** Without a changed-keys topic. */
  public RedisDynamicTableSink(RedisConfig config, RowType rowType, int[] primaryKey, int maxRows, long flushIntervalMs, Integer parallelism) {
    this(config, rowType, primaryKey, new SinkSettings(maxRows, flushIntervalMs, parallelism, null));
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

  /** The `schema` meta: {"columns":[{"name":..,"type":..}],"primaryKey":[..]} (JSON.stringify form, as kv-sink.ts). */
  public static String schemaJson(RowType rowType, int[] primaryKey) {
    return SchemaMeta.json(rowType, primaryKey);
  }

  @Override
  public DynamicTableSink copy() {
    return new RedisDynamicTableSink(config, rowType, primaryKey, settings);
  }

  @Override
  public String asSummaryString() {
    return "Freshet Redis feature table " + config.table();
  }
}
