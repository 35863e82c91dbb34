// Options and validation shared by the feature-table connectors (`redis`, `aerospike`): the sink's buffering, the
// lookup source's cache and threads, the changed-keys topic, and the PRIMARY KEY both need.
package dev.freshet.flink.connector;

import dev.freshet.flink.tiles.TileConfig;
import dev.freshet.flink.tiles.TileStore;
import dev.freshet.flink.tiles.TileTableSink;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.lookup.LookupOptions;
import org.apache.flink.table.connector.source.lookup.cache.DefaultLookupCache;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.RowType;

/** Shared option declarations of the store connectors and the checks both factories make. */
public final class StoreOptions {
  private StoreOptions() {}

  public static final ConfigOption<Integer> BUFFER_MAX_ROWS = ConfigOptions.key("sink.buffer-flush.max-rows").intType().defaultValue(1000)
      .withDescription("Buffered keys that trigger a write.");
  public static final ConfigOption<Duration> BUFFER_INTERVAL = ConfigOptions.key("sink.buffer-flush.interval").durationType()
      .defaultValue(Duration.ofMillis(100)).withDescription("Longest time a change waits in the buffer (0: only when full and at checkpoints).");
  /** Tile mode, set by Freshet's spec builder for a tiled feature table (docs/flink.md "Tiles on Flink"). */
  public static final ConfigOption<String> TILES = ConfigOptions.key("freshet.tiles").stringType().noDefaultValue()
      .withDescription("Tile mode (set by Freshet's spec builder for a tiled feature table): the layout and projected input, as JSON.");
  public static final ConfigOption<Integer> LOOKUP_THREADS = ConfigOptions.key("lookup.async.threads").intType().defaultValue(4)
      .withDescription("Concurrent lookup requests per parallel instance.");

  /** The options every store connector takes besides its connection options. */
  public static Set<ConfigOption<?>> shared() {
    Set<ConfigOption<?>> s = new HashSet<>(Set.of(BUFFER_MAX_ROWS, BUFFER_INTERVAL, LOOKUP_THREADS, TILES,
        FactoryUtil.SINK_PARALLELISM, LookupOptions.CACHE_TYPE, LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_ACCESS,
        LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_WRITE, LookupOptions.PARTIAL_CACHE_MAX_ROWS, LookupOptions.PARTIAL_CACHE_CACHE_MISSING_KEY));
    s.addAll(ChangedKeysOptions.options());
    return s;
  }

  /** Validates the options (the `changed-keys.properties.*` go to Kafka unchecked, as Flink's Kafka connector does). */
  public static FactoryUtil.TableFactoryHelper validate(DynamicTableFactory factory, DynamicTableFactory.Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(factory, context);
    helper.validateExcept(ChangedKeysOptions.PROPERTIES);
    return helper;
  }

  /** The PRIMARY KEY of an upsert sink (refused without one). */
  public static int[] sinkPrimaryKey(DynamicTableFactory.Context context, String connector) {
    int[] pk = context.getPrimaryKeyIndexes();
    if (pk.length == 0) {
      throw new ValidationException("table '" + context.getObjectIdentifier().getObjectName() + "' uses connector '" + connector
          + "', an upsert sink keyed by entity, but declares no PRIMARY KEY; add PRIMARY KEY (<entity key columns>) NOT ENFORCED");
    }
    return pk;
  }

  /** The PRIMARY KEY of a lookup source (refused without one). */
  public static int[] lookupPrimaryKey(DynamicTableFactory.Context context, String connector) {
    int[] pk = context.getPrimaryKeyIndexes();
    if (pk.length == 0) {
      throw new ValidationException("table '" + context.getObjectIdentifier().getObjectName() + "' uses connector '" + connector
          + "' but declares no PRIMARY KEY: rows are looked up by their primary key");
    }
    return pk;
  }

  /** The sink settings; {@code table} is the store table name (in the changed-keys messages). */
  public static SinkSettings sink(ReadableConfig o, DynamicTableFactory.Context context, String table) {
    int maxRows = o.get(BUFFER_MAX_ROWS);
    if (maxRows < 1) throw new ValidationException("option 'sink.buffer-flush.max-rows' must be at least 1, got " + maxRows);
    ChangedKeysConfig changedKeys = ChangedKeysOptions.parse(o, context.getCatalogTable().getOptions(), table);
    return new SinkSettings(maxRows, o.get(BUFFER_INTERVAL).toMillis(), o.getOptional(FactoryUtil.SINK_PARALLELISM).orElse(null), changedKeys);
  }

  /** Flink's partial lookup cache when `lookup.cache` = 'PARTIAL', null for NONE; FULL is refused (it needs a scan). */
  public static LookupCache lookupCache(ReadableConfig o, String tableName, String store) {
    if (o.get(LookupOptions.CACHE_TYPE) == LookupOptions.LookupCacheType.FULL) {
      throw new ValidationException("table '" + tableName + "': 'lookup.cache' = 'FULL' needs a scan of the table; " + store
          + " feature tables support NONE or PARTIAL");
    }
    return o.get(LookupOptions.CACHE_TYPE) == LookupOptions.LookupCacheType.PARTIAL ? DefaultLookupCache.fromConfig(o) : null;
  }

  /** `lookup.async.threads`, at least 1. */
  public static int lookupThreads(ReadableConfig o) {
    int threads = o.get(LOOKUP_THREADS);
    if (threads < 1) throw new ValidationException("option 'lookup.async.threads' must be at least 1, got " + threads);
    return threads;
  }

  /** The table's physical row type. */
  public static RowType rowType(DynamicTableFactory.Context context) {
    return (RowType) context.getPhysicalRowDataType().getLogicalType();
  }

  /** A connector name capitalized ("redis" → "Redis"), as summaries and messages show it. */
  public static String title(String connector) {
    return Character.toUpperCase(connector.charAt(0)) + connector.substring(1);
  }

  /**
   * The upsert sink of a store connector's table: checks the PRIMARY KEY, then opens the store's settings
   * ({@code clients} of the SQL table name, which validates them) and reads the sink options.
   */
  public static FeatureTableSink featureSink(ReadableConfig o, DynamicTableFactory.Context context, String connector,
      Function<String, StoreClientFactory> clients) {
    int[] pk = sinkPrimaryKey(context, connector);
    StoreClientFactory c = clients.apply(context.getObjectIdentifier().getObjectName());
    return new FeatureTableSink(c, rowType(context), pk, sink(o, context, c.table()));
  }

  /**
   * The sink of a tiled feature table's projected input, written by the tile writer into the store `stores` opens
   * (given the SQL table name), or null when the table is not in tile mode.
   */
  public static DynamicTableSink tileSinkOrNull(ReadableConfig o, DynamicTableFactory.Context context,
      Function<String, TileStore.Factory> stores) {
    if (o.getOptional(TILES).isEmpty()) return null;
    String name = context.getObjectIdentifier().getObjectName();
    try {
      return new TileTableSink(stores.apply(name), TileConfig.parse(o.get(TILES)), rowType(context),
          o.getOptional(FactoryUtil.SINK_PARALLELISM).orElse(null));
    } catch (IllegalArgumentException e) {
      throw new ValidationException("table '" + name + "': " + e.getMessage(), e);
    }
  }

  /** The lookup source of a store connector's table: checks the PRIMARY KEY and the cache, then the store's settings. */
  public static FeatureTableSource featureSource(ReadableConfig o, DynamicTableFactory.Context context, String connector,
      Function<String, StoreClientFactory> clients) {
    String name = context.getObjectIdentifier().getObjectName();
    int[] pk = lookupPrimaryKey(context, connector);
    LookupCache cache = lookupCache(o, name, title(connector));
    return new FeatureTableSource(clients.apply(name), rowType(context), pk, cache, lookupThreads(o));
  }
}
