// The `redis` table as a lookup source (a feature table is read by key, never scanned): the lookup key columns must
// be the table's primary key, in any order, since rows are stored under the encoded primary key.
package dev.freshet.flink.redis;

import dev.freshet.flink.store.RowJson;
import dev.freshet.flink.store.StoreKey;
import java.util.Arrays;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.lookup.AsyncLookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.PartialCachingAsyncLookupProvider;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** Lookup source of one feature table in Redis, with Flink's partial lookup cache when configured. */
public final class RedisDynamicTableSource implements LookupTableSource {
  private final RedisConfig config;
  private final RowType rowType;
  private final int[] primaryKey;
  private final LookupCache cache;
  private final int threads;

  public RedisDynamicTableSource(RedisConfig config, RowType rowType, int[] primaryKey, LookupCache cache, int threads) {
    this.config = config;
    this.rowType = rowType;
    this.primaryKey = primaryKey.clone();
    this.cache = cache;
    this.threads = threads;
  }

  @Override
  public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
    int[][] keys = context.getKeys();
    int[] cols = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].length != 1) throw new ValidationException("redis table '" + config.table() + "': nested lookup keys are not supported");
      cols[i] = keys[i][0];
    }
    int[] want = primaryKey.clone();
    int[] got = cols.clone();
    Arrays.sort(want);
    Arrays.sort(got);
    if (!Arrays.equals(want, got)) {
      throw new ValidationException("redis table '" + config.table() + "': a lookup join must bind exactly the primary key columns "
          + names(want) + " (it binds " + names(got) + "), since rows are stored under the encoded primary key");
    }
    // The key row holds the lookup key values in the order of getKeys(); encode them in table column order.
    Integer[] order = new Integer[cols.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Integer.compare(cols[a], cols[b]));
    int[] positions = new int[cols.length];
    LogicalType[] types = new LogicalType[cols.length];
    for (int i = 0; i < order.length; i++) {
      positions[i] = order[i];
      types[i] = rowType.getTypeAt(cols[order[i]]);
    }
    RedisLookupFunction fn = new RedisLookupFunction(config, new StoreKey(positions, types), new RowJson(rowType), threads);
    return cache == null ? AsyncLookupFunctionProvider.of(fn) : PartialCachingAsyncLookupProvider.of(fn, cache);
  }

  private String names(int[] cols) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < cols.length; i++) sb.append(i > 0 ? ", " : "").append(rowType.getFieldNames().get(cols[i]));
    return sb.append(')').toString();
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
