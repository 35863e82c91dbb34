// The `redis` connector of Freshet's Flink template job (registered in META-INF/services): the same options and the
// same store layout as Freshet's embedded `redis` connector (docs/stores.md), plus Flink's lookup cache options and
// the sink's batching options.
package dev.freshet.flink.redis;

import dev.freshet.flink.connector.StoreOptions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;

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
  public static final ConfigOption<Integer> BUFFER_MAX_ROWS = StoreOptions.BUFFER_MAX_ROWS;
  public static final ConfigOption<Duration> BUFFER_INTERVAL = StoreOptions.BUFFER_INTERVAL;
  public static final ConfigOption<String> TILES = StoreOptions.TILES;
  public static final ConfigOption<Integer> LOOKUP_THREADS = StoreOptions.LOOKUP_THREADS;

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
    Set<ConfigOption<?>> s = new HashSet<>(Set.of(HOST, PORT, USERNAME, PASSWORD, DATABASE, CONNECT_TIMEOUT, TABLE));
    s.addAll(StoreOptions.shared());
    return s;
  }

  @Override
  public DynamicTableSink createDynamicTableSink(Context context) {
    ReadableConfig o = StoreOptions.validate(this, context).getOptions();
    DynamicTableSink tiles = StoreOptions.tileSinkOrNull(o, context, name -> new dev.freshet.flink.tiles.RedisTiles(config(o, name)));
    if (tiles != null) return tiles;
    return StoreOptions.featureSink(o, context, IDENTIFIER, name -> new RedisClients(config(o, name)));
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    ReadableConfig o = StoreOptions.validate(this, context).getOptions();
    return StoreOptions.featureSource(o, context, IDENTIFIER, name -> new RedisClients(config(o, name)));
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
