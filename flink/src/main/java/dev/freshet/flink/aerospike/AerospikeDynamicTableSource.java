// The `aerospike` table as a lookup source (a feature table is read by key, never scanned): the lookup key columns
// must be the table's primary key, in any order, since rows are stored under the encoded primary key.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.store.LookupKey;
import dev.freshet.flink.store.RowJson;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.lookup.AsyncLookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.PartialCachingAsyncLookupProvider;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.types.logical.RowType;

/** Lookup source of one feature table in Aerospike, with Flink's partial lookup cache when configured. */
public final class AerospikeDynamicTableSource implements LookupTableSource {
  private final AerospikeConfig config;
  private final AerospikeStore.Connector connector;
  private final RowType rowType;
  private final int[] primaryKey;
  private final LookupCache cache;
  private final int threads;

  public AerospikeDynamicTableSource(AerospikeConfig config, AerospikeStore.Connector connector, RowType rowType, int[] primaryKey,
      LookupCache cache, int threads) {
    this.config = config;
    this.connector = connector;
    this.rowType = rowType;
    this.primaryKey = primaryKey.clone();
    this.cache = cache;
    this.threads = threads;
  }

  AerospikeConfig config() {
    return config;
  }

  LookupCache cache() {
    return cache;
  }

  int threads() {
    return threads;
  }

  @Override
  public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
    AerospikeLookupFunction fn = new AerospikeLookupFunction(config, connector,
        LookupKey.of(context.getKeys(), primaryKey, rowType, "aerospike table '" + config.table() + "'"), new RowJson(rowType), threads);
    return cache == null ? AsyncLookupFunctionProvider.of(fn) : PartialCachingAsyncLookupProvider.of(fn, cache);
  }

  @Override
  public DynamicTableSource copy() {
    return new AerospikeDynamicTableSource(config, connector, rowType, primaryKey, cache, threads);
  }

  @Override
  public String asSummaryString() {
    return "Freshet Aerospike feature table " + config.table();
  }
}
