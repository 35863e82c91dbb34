// The lookup source of a feature table in any online store (a feature table is read by key, never scanned): the
// lookup key columns must be the table's primary key, in any order (LookupKey), since rows are stored under the
// encoded primary key. Each store's DynamicTableSource only says how to reach its store.
package dev.freshet.flink.connector;

import dev.freshet.flink.store.LookupKey;
import dev.freshet.flink.store.RowJson;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.lookup.AsyncLookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.PartialCachingAsyncLookupProvider;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.types.logical.RowType;

/** Base of the store connectors' lookup sources, with Flink's partial lookup cache when configured. */
public abstract class FeatureTableSource implements LookupTableSource {
  protected final RowType rowType;
  protected final int[] primaryKey;
  protected final LookupCache cache;
  protected final int threads;

  protected FeatureTableSource(RowType rowType, int[] primaryKey, LookupCache cache, int threads) {
    this.rowType = rowType;
    this.primaryKey = primaryKey.clone();
    this.cache = cache;
    this.threads = threads;
  }

  /** Opens the store's client on the TaskManagers. */
  protected abstract StoreClientFactory clients();

  /** The store table name. */
  protected abstract String table();

  /** The store's name in messages ("redis", "aerospike"). */
  protected abstract String store();

  public LookupCache cache() {
    return cache;
  }

  public int threads() {
    return threads;
  }

  @Override
  public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
    StoreLookupFunction fn = new StoreLookupFunction(clients(),
        LookupKey.of(context.getKeys(), primaryKey, rowType, store() + " table '" + table() + "'"), new RowJson(rowType), threads,
        store() + "-" + table());
    return cache == null ? AsyncLookupFunctionProvider.of(fn) : PartialCachingAsyncLookupProvider.of(fn, cache);
  }
}
