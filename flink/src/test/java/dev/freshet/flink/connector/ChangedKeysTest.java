// The changed-keys topic of the store connectors on Flink: the option checks of the embedded engine
// (src/connectors/stores/changed-keys.ts), the factories accepting the options (and the Kafka producer properties
// unchecked), and the message bytes (key, header, value text) the embedded publisher writes.
package dev.freshet.flink.connector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static dev.freshet.flink.connector.FactoryErrors.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ChangedKeysTest {
  static final ObjectIdentifier ID = ObjectIdentifier.of("default_catalog", "default_database", "user_features");

  static Object sink(Map<String, String> options) {
    List<Column> cols = List.of(Column.physical("user_id", DataTypes.STRING().notNull()), Column.physical("n", DataTypes.BIGINT()));
    ResolvedSchema schema = new ResolvedSchema(cols, List.of(), UniqueConstraint.primaryKey("pk", List.of("user_id")));
    CatalogTable t = CatalogTable.newBuilder().schema(Schema.newBuilder().fromResolvedSchema(schema).build()).options(options).build();
    return FactoryUtil.createDynamicTableSink(null, ID, new ResolvedCatalogTable(t, schema), Map.of(), new Configuration(),
        ChangedKeysTest.class.getClassLoader(), false);
  }

  static Map<String, String> options(String... kv) {
    Map<String, String> m = new HashMap<>(Map.of("connector", "redis", "table", "uf"));
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  @Test
  void optionsAreValidatedAsOnTheEmbeddedEngine() {
    FeatureTableSink plain = (FeatureTableSink) sink(options());
    assertNull(plain.settings().changedKeys(), "off without a topic");

    FeatureTableSink s = (FeatureTableSink) sink(options("changed-keys.topic", " uf-changed ", "changed-keys.bootstrap-servers", "b:9092",
        "changed-keys.values", "TRUE", "changed-keys.delivery-guarantee", "exactly-once", "changed-keys.transactional-id-prefix", "job-1",
        "changed-keys.properties.acks", "all", "changed-keys.properties.sasl.mechanism", "PLAIN"));
    ChangedKeysConfig c = s.settings().changedKeys();
    assertEquals("uf-changed", c.topic());
    assertEquals("b:9092", c.bootstrapServers());
    assertTrue(c.values());
    assertTrue(c.exactlyOnce());
    assertEquals("job-1", c.transactionalIdPrefix());
    assertEquals("uf", c.table(), "the store table name, not the SQL name");
    assertEquals(Map.of("acks", "all", "sasl.mechanism", "PLAIN"), c.properties(), "producer properties pass unchecked");
    assertFalse(c.toString().contains("PLAIN"), "properties (maybe secrets) stay out of toString");

    ChangedKeysConfig alo = ((FeatureTableSink) sink(options("changed-keys.topic", "t",
        "changed-keys.properties.bootstrap.servers", "p:9092"))).settings().changedKeys();
    assertEquals("p:9092", alo.bootstrapServers(), "brokers from the properties");
    assertFalse(alo.exactlyOnce());
    assertFalse(alo.values());
    assertEquals(Map.of(), alo.properties());

    assertTrue(error(() -> sink(options("changed-keys.values", "true"))).contains("option 'changed-keys.values' needs 'changed-keys.topic'"));
    assertTrue(error(() -> sink(options("changed-keys.topic", "t"))).contains("'changed-keys.topic' needs 'changed-keys.bootstrap-servers'"));
    assertTrue(error(() -> sink(options("changed-keys.topic", "a,b", "changed-keys.bootstrap-servers", "b")))
        .contains("must name one topic, got 'a,b'"));
    assertTrue(error(() -> sink(options("changed-keys.topic", "t", "changed-keys.bootstrap-servers", "b", "changed-keys.values", "yes")))
        .contains("must be 'true' or 'false', got 'yes'"));
    assertTrue(error(() -> sink(options("changed-keys.topic", "t", "changed-keys.bootstrap-servers", "b", "changed-keys.delivery-guarantee", "none")))
        .contains("unsupported value 'none' for option 'changed-keys.delivery-guarantee'"));
    assertTrue(error(() -> sink(options("changed-keys.topic", "t", "changed-keys.bootstrap-servers", "b", "changed-keys.delivery-guarantee", "exactly-once")))
        .contains("requires 'changed-keys.transactional-id-prefix'"));
    assertTrue(error(() -> sink(options("changed-keys.topik", "t"))).contains("changed-keys.topik"), "unknown options are still refused");
  }

  @Test
  void theAerospikeConnectorTakesTheSameOptions() {
    Map<String, String> o = new HashMap<>(Map.of("connector", "aerospike", "namespace", "features", "table", "uf_as",
        "changed-keys.topic", "t", "changed-keys.bootstrap-servers", "b:9092", "changed-keys.delivery-guarantee", "exactly-once",
        "changed-keys.transactional-id-prefix", "p"));
    FeatureTableSink s = (FeatureTableSink) sink(o);
    assertEquals("uf_as", s.settings().changedKeys().table());
    assertTrue(s.settings().changedKeys().exactlyOnce());
    o.remove("changed-keys.transactional-id-prefix");
    assertTrue(error(() -> sink(o)).contains("requires 'changed-keys.transactional-id-prefix'"));
  }

  @Test
  void messagesAreTheEmbeddedEnginesBytes() {
    // Expected texts as src/connectors/stores/changed-keys.ts builds them (JSON.stringify of the key and table).
    ChangedKeysSerializer withValues = new ChangedKeysSerializer("topic", "user\"features", true);
    ProducerRecord<byte[], byte[]> r = withValues.serialize(Tuple3.of("u\"1\\é", 4294967301L, "{\"user_id\":\"u\\\"1\\\\é\",\"n\":5}"), null, null);
    assertEquals("topic", r.topic());
    assertNull(r.partition(), "the producer's default partitioner (murmur2 of the key)");
    assertArrayEquals("u\"1\\é".getBytes(StandardCharsets.UTF_8), r.key());
    assertEquals("{\"key\":\"u\\\"1\\\\é\",\"version\":4294967301,\"op\":\"upsert\",\"row\":{\"user_id\":\"u\\\"1\\\\é\",\"n\":5},"
        + "\"table\":\"user\\\"features\"}", new String(r.value(), StandardCharsets.UTF_8));
    assertEquals("u\"1\\é@4294967301", new String(r.headers().lastHeader(ChangedKeysSerializer.DEDUP_HEADER).value(), StandardCharsets.UTF_8));
    assertEquals(1, r.headers().toArray().length);

    ChangedKeysSerializer keysOnly = new ChangedKeysSerializer("topic", "uf", false);
    assertEquals("{\"key\":\"a\",\"version\":7,\"op\":\"upsert\",\"table\":\"uf\"}",
        new String(keysOnly.serialize(Tuple3.of("a", 7L, "{\"n\":1}"), null, null).value(), StandardCharsets.UTF_8));
    assertEquals("{\"key\":\"a\",\"version\":8,\"op\":\"delete\",\"table\":\"uf\"}",
        new String(withValues.serialize(Tuple3.of("a", 8L, ""), null, null).value(), StandardCharsets.UTF_8).replace("user\\\"features", "uf"),
        "a delete has no row");
    assertEquals("{\"key\":\"\\u0001\",\"version\":1,\"op\":\"delete\",\"table\":\"uf\"}", keysOnly.value("\u0001", 1, null));
  }
}
