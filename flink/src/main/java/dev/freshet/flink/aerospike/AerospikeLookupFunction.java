// Async lookups of an `aerospike` feature table: the record stored under the entity key built from the lookup key
// values, its `v` bin decoded by column name. One client per parallel instance (the client is thread-safe and pools
// its connections); requests run on a small thread pool, so a join keeps several reads in flight. Flink's lookup
// cache (lookup.cache = 'PARTIAL') sits in front when configured.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.store.RowJson;
import dev.freshet.flink.store.StoreKey;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncLookupFunction;
import org.apache.flink.table.functions.FunctionContext;

/** Looks up rows by entity key; empty when the key is absent, deleted (a tombstone) or NULL. */
public final class AerospikeLookupFunction extends AsyncLookupFunction {
  private static final long serialVersionUID = 1L;

  private final AerospikeConfig config;
  private final AerospikeStore.Connector connector;
  private final StoreKey key;
  private final RowJson codec;
  private final int threads;
  private transient ExecutorService pool;
  private transient AerospikeStore store;

  public AerospikeLookupFunction(AerospikeConfig config, AerospikeStore.Connector connector, StoreKey key, RowJson codec, int threads) {
    this.config = config;
    this.connector = connector;
    this.key = key;
    this.codec = codec;
    this.threads = threads;
  }

  @Override
  public void open(FunctionContext context) {
    store = new AerospikeStore(config, connector.connect(config));
    pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "freshet-aerospike-lookup-" + config.table());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public CompletableFuture<Collection<RowData>> asyncLookup(RowData keyRow) {
    String k = key.encode(keyRow);
    if (k == null) return CompletableFuture.completedFuture(List.of());
    return CompletableFuture.supplyAsync(() -> {
      AerospikeStore.Stored s = store.get(k);
      return s == null ? List.<RowData>of() : List.of(codec.decode(s.value()));
    }, pool);
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
    if (store != null) store.close();
  }
}
