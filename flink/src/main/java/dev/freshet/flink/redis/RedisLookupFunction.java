// Async lookups of a `redis` feature table: the row stored under the entity key built from the lookup key values,
// decoded by column name. Requests run on a small thread pool, each with its own connection, so a join keeps several
// reads in flight; Flink's lookup cache (lookup.cache = 'PARTIAL') sits in front when configured.
package dev.freshet.flink.redis;

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

/** Looks up rows by entity key; empty when the key is absent, deleted or NULL. */
public final class RedisLookupFunction extends AsyncLookupFunction {
  private static final long serialVersionUID = 1L;

  private final RedisConfig config;
  private final StoreKey key;
  private final RowJson codec;
  private final int threads;
  private transient ExecutorService pool;
  private transient ThreadLocal<RedisStore> stores;
  private transient List<RedisStore> opened;

  public RedisLookupFunction(RedisConfig config, StoreKey key, RowJson codec, int threads) {
    this.config = config;
    this.key = key;
    this.codec = codec;
    this.threads = threads;
  }

  @Override
  public void open(FunctionContext context) {
    opened = new java.util.concurrent.CopyOnWriteArrayList<>();
    stores = ThreadLocal.withInitial(() -> {
      RedisStore s = new RedisStore(config);
      opened.add(s);
      return s;
    });
    pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "freshet-redis-lookup-" + config.table());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public CompletableFuture<Collection<RowData>> asyncLookup(RowData keyRow) {
    String k = key.encode(keyRow);
    if (k == null) return CompletableFuture.completedFuture(List.of());
    return CompletableFuture.supplyAsync(() -> {
      RedisStore.Stored s = stores.get().get(k);
      return s == null ? List.<RowData>of() : List.of(codec.decode(s.value()));
    }, pool);
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
    if (opened != null) for (RedisStore s : opened) s.close();
  }
}
