// The `redis` connector of Freshet's Flink template job (registered in META-INF/services): the same options and the
// same store layout as Freshet's embedded `redis` connector (docs/stores.md), plus Flink's lookup cache options and
// the sink's batching options.
package dev.freshet.flink.redis;

import java.time.Duration;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.lookup.LookupOptions;
import org.apache.flink.table.connector.source.lookup.cache.DefaultLookupCache;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.RowType;

/** Factory of `'connector' = 'redis'` tables: upsert sinks and lookup sources of online feature tables. */
public final class RedisDynamicTableFactory implements DynamicTableSinkFactory, DynamicTableSourceFactory {
  public static final String IDENTIFIER = "redis";

  public static final ConfigOption<String> HOST = ConfigOptions.key("host").stringType().defaultValue("127.0.0.1")
      .withDescription("Redis server host.");
  public static final ConfigOption<Integer> PORT = ConfigOptions.key("port").intType().defaultValue(6379)
      .withDescription("Redis server port.");
  public static final ConfigOption<String> USERNAME = ConfigOptions.key("username").stringType().noDefaultValue()
      .withDescription("ACL user name (Redis 6+).");
  public static final ConfigOption<String> PASSWORD = ConfigOptions.key("password").stringType().noDefaultValue()
      .withDescription("Password (a secret: Freshet's spec builder passes it outside the SQL text).");
  public static final ConfigOption<Integer> DATABASE = ConfigOptions.key("database").intType().defaultValue(0)
      .withDescription("Database number.");
  public static final ConfigOption<Integer> CONNECT_TIMEOUT = ConfigOptions.key("connect-timeout").intType().defaultValue(5000)
      .withDescription("Milliseconds to wait for a connection.");
  public static final ConfigOption<String> TABLE = ConfigOptions.key("table").stringType().noDefaultValue()
      .withDescription("Name of the feature table in the store (keys fs:<table>:<key>); default: the SQL table name.");
  public static final ConfigOption<Integer> BUFFER_MAX_ROWS = ConfigOptions.key("sink.buffer-flush.max-rows").intType().defaultValue(1000)
      .withDescription("Buffered keys that trigger a write.");
  public static final ConfigOption<Duration> BUFFER_INTERVAL = ConfigOptions.key("sink.buffer-flush.interval").durationType()
      .defaultValue(Duration.ofMillis(100)).withDescription("Longest time a change waits in the buffer (0: only when full and at checkpoints).");
  public static final ConfigOption<Integer> LOOKUP_THREADS = ConfigOptions.key("lookup.async.threads").intType().defaultValue(4)
      .withDescription("Concurrent lookup requests per parallel instance.");

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of();
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of(HOST, PORT, USERNAME, PASSWORD, DATABASE, CONNECT_TIMEOUT, TABLE, BUFFER_MAX_ROWS, BUFFER_INTERVAL, LOOKUP_THREADS,
        FactoryUtil.SINK_PARALLELISM, LookupOptions.CACHE_TYPE, LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_ACCESS,
        LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_WRITE, LookupOptions.PARTIAL_CACHE_MAX_ROWS, LookupOptions.PARTIAL_CACHE_CACHE_MISSING_KEY);
  }

  @Override
  public DynamicTableSink createDynamicTableSink(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validate();
    ReadableConfig o = helper.getOptions();
    int[] pk = context.getPrimaryKeyIndexes();
    String name = context.getObjectIdentifier().getObjectName();
    if (pk.length == 0) {
      throw new ValidationException("table '" + name + "' uses connector 'redis', an upsert sink keyed by entity, but declares no PRIMARY KEY; "
          + "add PRIMARY KEY (<entity key columns>) NOT ENFORCED");
    }
    int maxRows = o.get(BUFFER_MAX_ROWS);
    if (maxRows < 1) throw new ValidationException("option 'sink.buffer-flush.max-rows' must be at least 1, got " + maxRows);
    return new RedisDynamicTableSink(config(o, name), rowType(context), pk, maxRows, o.get(BUFFER_INTERVAL).toMillis(),
        o.getOptional(FactoryUtil.SINK_PARALLELISM).orElse(null));
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validate();
    ReadableConfig o = helper.getOptions();
    String name = context.getObjectIdentifier().getObjectName();
    int[] pk = context.getPrimaryKeyIndexes();
    if (pk.length == 0) {
      throw new ValidationException("table '" + name + "' uses connector 'redis' but declares no PRIMARY KEY: rows are looked up by their primary key");
    }
    LookupCache cache = o.get(LookupOptions.CACHE_TYPE) == LookupOptions.LookupCacheType.PARTIAL ? DefaultLookupCache.fromConfig(o) : null;
    if (o.get(LookupOptions.CACHE_TYPE) == LookupOptions.LookupCacheType.FULL) {
      throw new ValidationException("table '" + name + "': 'lookup.cache' = 'FULL' needs a scan of the table; Redis feature tables support NONE or PARTIAL");
    }
    int threads = o.get(LOOKUP_THREADS);
    if (threads < 1) throw new ValidationException("option 'lookup.async.threads' must be at least 1, got " + threads);
    return new RedisDynamicTableSource(config(o, name), rowType(context), pk, cache, threads);
  }

  private static RowType rowType(Context context) {
    return (RowType) context.getPhysicalRowDataType().getLogicalType();
  }

  /** Validated connection settings; the store table name must not contain ':' or white space (docs/stores.md). */
  static RedisConfig config(ReadableConfig o, String sqlName) {
    String table = o.getOptional(TABLE).orElse(sqlName);
    if (table.isBlank()) throw new ValidationException("option 'table' must not be empty");
    if (table.chars().anyMatch(c -> c == ':' || Character.isWhitespace(c))) {
      throw new ValidationException("option 'table' must not contain ':' or white space, got '" + table + "'");
    }
    int port = o.get(PORT);
    if (port < 1 || port > 65535) throw new ValidationException("option 'port' must be between 1 and 65535, got " + port);
    if (o.get(HOST).isBlank()) throw new ValidationException("option 'host' must not be empty");
    if (o.get(DATABASE) < 0) throw new ValidationException("option 'database' must not be negative");
    if (o.get(CONNECT_TIMEOUT) < 1) throw new ValidationException("option 'connect-timeout' must be positive");
    return new RedisConfig(o.get(HOST), port, o.getOptional(USERNAME).orElse(null), o.getOptional(PASSWORD).orElse(null),
        o.get(DATABASE), o.get(CONNECT_TIMEOUT), table);
  }
}
