// The lookup source of a feature table in any online store (a feature table is read by key, never scanned): the
// lookup key columns must be the table's primary key, in any order (LookupKey), since rows are stored under the
// encoded primary key. A store only says how to reach it (its StoreClientFactory).
package dev.freshet.flink.connector;

import dev.freshet.flink.store.LookupKey;
import dev.freshet.flink.store.RowJson;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.lookup.AsyncLookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.PartialCachingAsyncLookupProvider;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.types.logical.RowType;

/** The lookup source of the store connectors (`redis`, `aerospike`), with Flink's partial lookup cache when configured. */
public final class FeatureTableSource implements LookupTableSource {
  private final StoreClientFactory clients;
  private final RowType rowType;
  private final int[] primaryKey;
  private final LookupCache cache;
  private final int threads;

  public FeatureTableSource(StoreClientFactory clients, RowType rowType, int[] primaryKey, LookupCache cache, int threads) {
    this.clients = clients;
    this.rowType = rowType;
    this.primaryKey = primaryKey.clone();
    this.cache = cache;
    this.threads = threads;
  }

  /** Opens the store's client on the TaskManagers. */
  public StoreClientFactory clients() {
    return clients;
  }

  public LookupCache cache() {
    return cache;
  }

  public int threads() {
    return threads;
  }

  @Override
  public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
    String store = clients.store();
    String table = clients.table();
    StoreLookupFunction fn = new StoreLookupFunction(clients,
        LookupKey.of(context.getKeys(), primaryKey, rowType, store + " table '" + table + "'"), new RowJson(rowType), threads,
        store + "-" + table);
    return cache == null ? AsyncLookupFunctionProvider.of(fn) : PartialCachingAsyncLookupProvider.of(fn, cache);
  }

  @Override
  public DynamicTableSource copy() {
    return new FeatureTableSource(clients, rowType, primaryKey, cache, threads);
  }

  @Override
  public String asSummaryString() {
    return "Freshet " + clients.title() + " feature table " + clients.table();
  }
}
