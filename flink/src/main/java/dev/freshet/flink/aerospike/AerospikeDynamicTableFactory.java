// The `aerospike` connector of Freshet's Flink template job (registered in META-INF/services): the same options, the
// same validation and the same store layout as Freshet's embedded `aerospike` connector
// (src/connectors/aerospike/aerospike-connector.ts, docs/stores.md), plus Flink's lookup cache options and the sink's
// batching options (as the `redis` connector).
package dev.freshet.flink.aerospike;

import java.nio.charset.StandardCharsets;
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
  public static final ConfigOption<Integer> BUFFER_MAX_ROWS = ConfigOptions.key("sink.buffer-flush.max-rows").intType().defaultValue(1000)
      .withDescription("Buffered keys that trigger a write.");
  public static final ConfigOption<Duration> BUFFER_INTERVAL = ConfigOptions.key("sink.buffer-flush.interval").durationType()
      .defaultValue(Duration.ofMillis(100)).withDescription("Longest time a change waits in the buffer (0: only when full and at checkpoints).");
  public static final ConfigOption<Integer> LOOKUP_THREADS = ConfigOptions.key("lookup.async.threads").intType().defaultValue(4)
      .withDescription("Concurrent lookup requests per parallel instance.");

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
    return Set.of(HOSTS, SET, USERNAME, PASSWORD, TABLE, BUFFER_MAX_ROWS, BUFFER_INTERVAL, LOOKUP_THREADS,
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
      throw new ValidationException("table '" + name + "' uses connector 'aerospike', an upsert sink keyed by entity, but declares no PRIMARY KEY; "
          + "add PRIMARY KEY (<entity key columns>) NOT ENFORCED");
    }
    int maxRows = o.get(BUFFER_MAX_ROWS);
    if (maxRows < 1) throw new ValidationException("option 'sink.buffer-flush.max-rows' must be at least 1, got " + maxRows);
    return new AerospikeDynamicTableSink(config(o, name), connector, rowType(context), pk, maxRows, o.get(BUFFER_INTERVAL).toMillis(),
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
      throw new ValidationException("table '" + name + "' uses connector 'aerospike' but declares no PRIMARY KEY: rows are looked up by their primary key");
    }
    if (o.get(LookupOptions.CACHE_TYPE) == LookupOptions.LookupCacheType.FULL) {
      throw new ValidationException("table '" + name + "': 'lookup.cache' = 'FULL' needs a scan of the table; Aerospike feature tables support NONE or PARTIAL");
    }
    LookupCache cache = o.get(LookupOptions.CACHE_TYPE) == LookupOptions.LookupCacheType.PARTIAL ? DefaultLookupCache.fromConfig(o) : null;
    int threads = o.get(LOOKUP_THREADS);
    if (threads < 1) throw new ValidationException("option 'lookup.async.threads' must be at least 1, got " + threads);
    return new AerospikeDynamicTableSource(config(o, name), connector, rowType(context), pk, cache, threads);
  }

  private static RowType rowType(Context context) {
    return (RowType) context.getPhysicalRowDataType().getLogicalType();
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
