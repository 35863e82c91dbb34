// Async lookups of a feature table in any online store: the row stored under the entity key built from the lookup
// key values, decoded by column name. Requests run on a small thread pool, so a join keeps several reads in flight;
// a store whose client is thread-safe shares one client, others get one per pool thread. Flink's lookup cache
// (lookup.cache = 'PARTIAL') sits in front when configured.
package dev.freshet.flink.connector;

import dev.freshet.flink.store.RowJson;
import dev.freshet.flink.store.StoreKey;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncLookupFunction;
import org.apache.flink.table.functions.FunctionContext;

/** Looks up rows by entity key; empty when the key is absent, deleted (a tombstone) or NULL. */
public final class StoreLookupFunction extends AsyncLookupFunction {
  private static final long serialVersionUID = 1L;

  private final StoreClientFactory clients;
  private final StoreKey key;
  private final RowJson codec;
  private final int threads;
  private final String name;
  private transient ExecutorService pool;
  private transient ThreadLocal<StoreClient> perThread;
  private transient List<StoreClient> opened;

  /** @param name the thread name suffix (the store and table) */
  public StoreLookupFunction(StoreClientFactory clients, StoreKey key, RowJson codec, int threads, String name) {
    this.clients = clients;
    this.key = key;
    this.codec = codec;
    this.threads = threads;
    this.name = name;
  }

  @Override
  public void open(FunctionContext context) {
    opened = new CopyOnWriteArrayList<>();
    if (clients.threadSafe()) {
      StoreClient shared = clients.open();
      opened.add(shared);
      perThread = ThreadLocal.withInitial(() -> shared);
    } else {
      perThread = ThreadLocal.withInitial(() -> {
        StoreClient c = clients.open();
        opened.add(c);
        return c;
      });
    }
    pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "freshet-lookup-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public CompletableFuture<Collection<RowData>> asyncLookup(RowData keyRow) {
    String k = key.encode(keyRow);
    if (k == null) return CompletableFuture.completedFuture(List.of());
    return CompletableFuture.supplyAsync(() -> {
      String v = perThread.get().row(k);
      return v == null ? List.<RowData>of() : List.of(codec.decode(v));
    }, pool);
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
    if (opened != null) for (StoreClient c : opened) c.close();
  }
}
