// The `aerospike` connector of Freshet's Flink template job (registered in META-INF/services): the same options, the
// same validation and the same store layout as Freshet's embedded `aerospike` connector
// (src/connectors/aerospike/aerospike-connector.ts, docs/stores.md), plus Flink's lookup cache options and the sink's
// batching options (as the `redis` connector).
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.StoreOptions;
import java.nio.charset.StandardCharsets;
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

/** Factory of `'connector' = 'aerospike'` tables: upsert sinks and lookup sources of online feature tables. */
public final class AerospikeDynamicTableFactory implements DynamicTableSinkFactory, DynamicTableSourceFactory {
  public static final String IDENTIFIER = "aerospike";

  public static final ConfigOption<String> HOSTS = ConfigOptions.key("hosts").stringType().defaultValue("127.0.0.1:3000")
      .withDescription("Seed nodes, host[:port] separated by commas.");
  public static final ConfigOption<String> NAMESPACE = ConfigOptions.key("namespace").stringType().noDefaultValue()
      .withDescription("Aerospike namespace holding the feature tables.");
  public static final ConfigOption<String> SET = ConfigOptions.key("set").stringType().noDefaultValue()
      .withDescription("Set of this table; default the table name.");
  public static final ConfigOption<String> USERNAME = ConfigOptions.key("username").stringType().noDefaultValue()
      .withDescription("User (security-enabled clusters).");
  public static final ConfigOption<String> PASSWORD = ConfigOptions.key("password").stringType().noDefaultValue()
      .withDescription("Password (a secret: Freshet's spec builder passes it outside the SQL text).");
  public static final ConfigOption<String> TABLE = ConfigOptions.key("table").stringType().noDefaultValue()
      .withDescription("Name of the feature table in the store; default: the SQL table name.");
  public static final ConfigOption<Integer> BUFFER_MAX_ROWS = StoreOptions.BUFFER_MAX_ROWS;
  public static final ConfigOption<Duration> BUFFER_INTERVAL = StoreOptions.BUFFER_INTERVAL;
  public static final ConfigOption<Integer> LOOKUP_THREADS = StoreOptions.LOOKUP_THREADS;
  public static final ConfigOption<String> TILES = StoreOptions.TILES;

  private final AerospikeStore.Connector connector;

  /** The factory Flink discovers: tables talk to Aerospike with the official client. */
  public AerospikeDynamicTableFactory() {
    this(AerospikeStore.CLIENT);
  }

  /** A factory whose tables get their clients from {@code connector} (tests). */
  AerospikeDynamicTableFactory(AerospikeStore.Connector connector) {
    this.connector = connector;
  }

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(NAMESPACE);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    Set<ConfigOption<?>> s = new HashSet<>(Set.of(HOSTS, SET, USERNAME, PASSWORD, TABLE));
    s.addAll(StoreOptions.shared());
    return s;
  }

  @Override
  public DynamicTableSink createDynamicTableSink(Context context) {
    ReadableConfig o = StoreOptions.validate(this, context).getOptions();
    DynamicTableSink tiles = StoreOptions.tileSinkOrNull(o, context, name -> new AerospikeTileStore.Opener(config(o, name), connector));
    if (tiles != null) return tiles;
    return StoreOptions.featureSink(o, context, IDENTIFIER, name -> new AerospikeClients(config(o, name), connector));
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    ReadableConfig o = StoreOptions.validate(this, context).getOptions();
    return StoreOptions.featureSource(o, context, IDENTIFIER, name -> new AerospikeClients(config(o, name), connector));
  }

  /**
   * Validated settings, with the embedded connector's rules: the store table name (the `table` option, a blank one
   * meaning the SQL name) without ':' or white space; `hosts` a list of host[:port]; the set (the `set` option, else
   * the table name) at most 63 bytes; a non-blank namespace; `username` and `password` together.
   */
  static AerospikeConfig config(ReadableConfig o, String sqlName) {
    String table = o.getOptional(TABLE).filter(t -> !t.isBlank()).orElse(sqlName);
    if (table.chars().anyMatch(c -> c == ':' || Character.isWhitespace(c))) {
      throw new ValidationException("option 'table' must not contain ':' or white space, got '" + table + "'");
    }
    String hosts = o.get(HOSTS);
    try {
      AerospikeConfig.parseHosts(hosts);
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage());
    }
    String set = o.getOptional(SET).orElse(table);
    if (set.getBytes(StandardCharsets.UTF_8).length > AerospikeConfig.MAX_SET_BYTES) {
      throw new ValidationException("option '" + (o.getOptional(SET).isPresent() ? "set" : "table") + "': Aerospike set names are at most "
          + AerospikeConfig.MAX_SET_BYTES + " bytes; '" + set + "' is longer (set 'set' to a shorter name)");
    }
    String namespace = o.get(NAMESPACE);
    if (namespace.isBlank()) throw new ValidationException("option 'namespace' must not be empty");
    String user = o.getOptional(USERNAME).orElse(null);
    String password = o.getOptional(PASSWORD).orElse(null);
    if ((user == null) != (password == null)) {
      throw new ValidationException("options 'username' and 'password' go together (only '" + (user == null ? "password" : "username") + "' is set)");
    }
    return new AerospikeConfig(hosts, namespace, set, user, password, table);
  }
}
