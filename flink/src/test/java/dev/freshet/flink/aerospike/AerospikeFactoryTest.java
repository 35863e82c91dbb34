// The aerospike connector as Flink's planner meets it: discovered through META-INF/services by its identifier, its
// options validated as the embedded connector validates them (src/connectors/aerospike/aerospike-connector.ts), and
// sink and lookup source built from a resolved catalog table. Nothing here connects (a sink connects when the job is
// built, a lookup function when it opens).
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.FeatureTableSink;
import dev.freshet.flink.connector.FeatureTableSource;
import dev.freshet.flink.connector.StoreSink;

import static dev.freshet.flink.connector.FactoryErrors.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.lookup.AsyncLookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.PartialCachingAsyncLookupProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.factories.Factory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.Test;

class AerospikeFactoryTest {
  static final ObjectIdentifier ID = ObjectIdentifier.of("default_catalog", "default_database", "user_features");

  /** (region STRING NOT NULL, user_id STRING NOT NULL, n BIGINT), PRIMARY KEY (user_id, region) unless {@code keyless}. */
  static ResolvedCatalogTable table(Map<String, String> options, boolean keyless) {
    List<Column> cols = List.of(Column.physical("region", DataTypes.STRING().notNull()), Column.physical("user_id", DataTypes.STRING().notNull()),
        Column.physical("n", DataTypes.BIGINT()));
    ResolvedSchema schema = new ResolvedSchema(cols, List.of(), keyless ? null : UniqueConstraint.primaryKey("pk", List.of("user_id", "region")));
    CatalogTable t = CatalogTable.newBuilder().schema(Schema.newBuilder().fromResolvedSchema(schema).build()).options(options).build();
    return new ResolvedCatalogTable(t, schema);
  }

  static Map<String, String> options(String... kv) {
    Map<String, String> m = new HashMap<>(Map.of("connector", "aerospike", "namespace", "features"));
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  static DynamicTableSink sink(Map<String, String> options) {
    return FactoryUtil.createDynamicTableSink(null, ID, table(options, false), Map.of(), new Configuration(),
        AerospikeFactoryTest.class.getClassLoader(), false);
  }

  static DynamicTableSource source(Map<String, String> options) {
    return FactoryUtil.createDynamicTableSource(null, ID, table(options, false), Map.of(), new Configuration(),
        AerospikeFactoryTest.class.getClassLoader(), false);
  }

  /** The Aerospike settings of a sink or lookup source the factory built. */
  static AerospikeConfig config(Object table) {
    Object clients = table instanceof FeatureTableSink s ? s.clients() : ((FeatureTableSource) table).clients();
    return assertInstanceOf(AerospikeClients.class, clients).config();
  }

  @Test
  void registeredInTheServiceFile() {
    Factory f = FactoryUtil.discoverFactory(getClass().getClassLoader(), Factory.class, "aerospike");
    assertInstanceOf(AerospikeDynamicTableFactory.class, f);
  }

  @Test
  void sinkDefaults() {
    FeatureTableSink s = assertInstanceOf(FeatureTableSink.class, sink(options()));
    AerospikeConfig c = config(s);
    assertEquals("127.0.0.1:3000", c.hosts());
    assertEquals("features", c.namespace());
    assertEquals("user_features", c.set(), "the set defaults to the table name");
    assertEquals("user_features", c.table());
    assertNull(c.username());
    assertEquals(1000, s.settings().maxRows());
    assertEquals(100, s.settings().flushIntervalMs());
    assertNull(s.settings().parallelism());
    ChangelogMode mode = s.getChangelogMode(ChangelogMode.all());
    assertTrue(mode.contains(RowKind.INSERT) && mode.contains(RowKind.UPDATE_AFTER) && mode.contains(RowKind.DELETE));
    assertTrue(!mode.contains(RowKind.UPDATE_BEFORE), "an upsert sink");
    assertEquals("Freshet Aerospike feature table user_features", s.asSummaryString());
  }

  @Test
  void sinkOptions() {
    FeatureTableSink s = (FeatureTableSink) sink(options("hosts", "a:3100, b", "set", "fs", "table", "uf2",
        "username", "u", "password", "p'w", "sink.buffer-flush.max-rows", "50", "sink.buffer-flush.interval", "0 ms", "sink.parallelism", "3"));
    AerospikeConfig c = config(s);
    assertEquals(List.of(new AerospikeConfig.HostPort("a", 3100), new AerospikeConfig.HostPort("b", 3000)), c.seeds());
    assertEquals("fs", c.set());
    assertEquals("uf2", c.table());
    assertEquals("u", c.username());
    assertEquals("p'w", c.password());
    assertTrue(!c.toString().contains("p'w"), "the password is not in toString()");
    assertEquals(50, s.settings().maxRows());
    assertEquals(0, s.settings().flushIntervalMs());
    assertEquals(3, s.settings().parallelism());
    assertEquals("uf2", config(sink(options("table", "uf2"))).set(), "the set defaults to the `table` option");
    assertEquals("user_features", config(sink(options("table", " "))).table(), "a blank table is the SQL name");
  }

  @Test
  void optionsAreValidatedAsTheEmbeddedConnectorDoes() {
    assertTrue(error(() -> sink(Map.of("connector", "aerospike"))).contains("namespace"), "namespace is required");
    assertTrue(error(() -> sink(options("namespace", " "))).contains("option 'namespace' must not be empty"));
    assertTrue(error(() -> sink(options("hosts", "a:1,,b"))).contains("option 'hosts' must be 'host[:port][,host[:port]...]', got 'a:1,,b'"));
    assertTrue(error(() -> sink(options("hosts", "a:b"))).contains("option 'hosts' must be"));
    assertTrue(error(() -> sink(options("hosts", "a:70000"))).contains("port 70000"));
    String longSet = "s".repeat(64);
    assertTrue(error(() -> sink(options("set", longSet))).contains("option 'set': Aerospike set names are at most 63 bytes"));
    assertTrue(error(() -> sink(options("table", "\u00e9".repeat(32)))).contains("option 'table': Aerospike set names are at most 63 bytes"),
        "the default set is the table name, counted in UTF-8 bytes");
    sink(options("set", "s".repeat(63)));
    assertTrue(error(() -> sink(options("username", "u"))).contains("options 'username' and 'password' go together"));
    assertTrue(error(() -> sink(options("password", "p"))).contains("options 'username' and 'password' go together"));
    assertTrue(error(() -> sink(options("table", "a:b"))).contains("option 'table' must not contain ':' or white space"));
    assertTrue(error(() -> sink(options("sink.buffer-flush.max-rows", "0"))).contains("at least 1"));
    assertTrue(error(() -> sink(options("changed-keys.topic", "t"))).contains("changed-keys.topic"), "unknown options are refused");
    assertTrue(error(() -> FactoryUtil.createDynamicTableSink(null, ID, table(options(), true), Map.of(), new Configuration(),
        getClass().getClassLoader(), false)).contains("declares no PRIMARY KEY"));
  }

  @Test
  void lookupSourceWithAndWithoutCache() {
    FeatureTableSource plain = assertInstanceOf(FeatureTableSource.class, source(options()));
    assertNull(plain.cache());
    assertEquals(4, plain.threads());
    assertInstanceOf(AsyncLookupFunctionProvider.class, plain.getLookupRuntimeProvider(lookup(new int[][] {{1}, {0}})));

    FeatureTableSource cached = (FeatureTableSource) source(options("lookup.cache", "PARTIAL",
        "lookup.partial-cache.max-rows", "100", "lookup.async.threads", "2"));
    assertNotNull(cached.cache());
    assertEquals(2, cached.threads());
    PartialCachingAsyncLookupProvider p = assertInstanceOf(PartialCachingAsyncLookupProvider.class,
        cached.getLookupRuntimeProvider(lookup(new int[][] {{0}, {1}})));
    assertNotNull(p.createAsyncLookupFunction());

    assertTrue(error(() -> source(options("lookup.cache", "FULL"))).contains("'lookup.cache' = 'FULL' needs a scan"));
    assertTrue(error(() -> source(options("lookup.async.threads", "0"))).contains("at least 1"));
    assertTrue(error(() -> plain.getLookupRuntimeProvider(lookup(new int[][] {{1}})))
        .contains("a lookup join must bind exactly the primary key columns (region, user_id) (it binds (user_id))"));
    assertTrue(error(() -> plain.getLookupRuntimeProvider(lookup(new int[][] {{0}, {1}, {2}}))).contains("it binds (region, user_id, n)"));
  }

  @Test
  void runtimeFunctionsSurviveJavaSerialization() throws Exception {
    // Flink ships the sink and the lookup function to the TaskManagers serialized, with the client factory inside.
    FeatureTableSink s = (FeatureTableSink) sink(options("password", "p", "username", "u"));
    StoreSink runtime = new StoreSink(new AerospikeClients(config(s), AerospikeStore.CLIENT), 10, 0);
    StoreSink back = org.apache.flink.util.InstantiationUtil.clone(runtime, getClass().getClassLoader());
    assertNotNull(back);
    FeatureTableSource src = (FeatureTableSource) source(options("lookup.cache", "PARTIAL", "lookup.partial-cache.max-rows", "10"));
    PartialCachingAsyncLookupProvider p = (PartialCachingAsyncLookupProvider) src.getLookupRuntimeProvider(lookup(new int[][] {{0}, {1}}));
    assertNotNull(org.apache.flink.util.InstantiationUtil.clone(p.createAsyncLookupFunction(), getClass().getClassLoader()));
    AerospikeConfig c = org.apache.flink.util.InstantiationUtil.clone(config(s), getClass().getClassLoader());
    assertEquals(config(s), c);
  }

  @Test
  void lookupKeysAreEncodedInTableColumnOrder() {
    // Keys bound as (user_id, region) and as (region, user_id) encode the same entity key, region first.
    LogicalType[] types = {DataTypes.STRING().notNull().getLogicalType(), DataTypes.STRING().notNull().getLogicalType(), DataTypes.BIGINT().getLogicalType()};
    org.apache.flink.table.types.logical.RowType rt = org.apache.flink.table.types.logical.RowType.of(types, new String[] {"region", "user_id", "n"});
    assertEquals("eu|u1", dev.freshet.flink.store.LookupKey.of(new int[][] {{1}, {0}}, new int[] {1, 0}, rt, "t")
        .encode(GenericRowData.of(StringData.fromString("u1"), StringData.fromString("eu"))));
    assertEquals("eu|u1", dev.freshet.flink.store.LookupKey.of(new int[][] {{0}, {1}}, new int[] {1, 0}, rt, "t")
        .encode(GenericRowData.of(StringData.fromString("eu"), StringData.fromString("u1"))));
  }

  static LookupTableSource.LookupContext lookup(int[][] keys) {
    return new LookupTableSource.LookupContext() {
      @Override
      public int[][] getKeys() {
        return keys;
      }

      @Override
      public <T> org.apache.flink.api.common.typeinfo.TypeInformation<T> createTypeInformation(DataType producedDataType) {
        throw new UnsupportedOperationException();
      }

      @Override
      public <T> org.apache.flink.api.common.typeinfo.TypeInformation<T> createTypeInformation(LogicalType producedLogicalType) {
        throw new UnsupportedOperationException();
      }

      @Override
      public DynamicTableSource.DataStructureConverter createDataStructureConverter(DataType producedDataType) {
        throw new UnsupportedOperationException();
      }

      @Override
      public boolean preferCustomShuffle() {
        return false;
      }
    };
  }
}
