// The changed-keys topic of one feature table on Flink (validated options): serializable, it travels in the job
// graph. toString() leaves out the producer properties, which may hold SASL secrets.
package dev.freshet.flink.connector;

import java.io.Serializable;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.api.java.tuple.Tuple3;

/**
 * @param properties Kafka producer settings from `changed-keys.properties.*` (without bootstrap.servers)
 * @param transactionalIdPrefix null unless exactly-once
 * @param table the store table name, the `table` field of every message
 */
public record ChangedKeysConfig(String topic, String bootstrapServers, Map<String, String> properties, boolean values,
    boolean exactlyOnce, String transactionalIdPrefix, String table) implements Serializable {

  /**
   * Transaction timeout when `changed-keys.properties.transaction.timeout.ms` is unset: the KafkaSink's own default
   * (1 hour) is above a broker's default `transaction.max.timeout.ms` (15 minutes), which would refuse it.
   */
  static final String DEFAULT_TRANSACTION_TIMEOUT_MS = "600000";

  public ChangedKeysConfig {
    properties = Map.copyOf(properties);
  }

  @Override
  public String toString() {
    return "changed-keys topic '" + topic + "' at " + bootstrapServers + (exactlyOnce ? " (exactly-once)" : " (at-least-once)");
  }

  /** Flink's KafkaSink that announces the (key, version, row) changes the store writer emits. */
  public KafkaSink<Tuple3<String, Long, String>> kafkaSink() {
    Properties p = new Properties();
    p.putAll(properties);
    if (exactlyOnce) p.putIfAbsent("transaction.timeout.ms", DEFAULT_TRANSACTION_TIMEOUT_MS);
    var b = KafkaSink.<Tuple3<String, Long, String>>builder()
        .setBootstrapServers(bootstrapServers)
        .setKafkaProducerConfig(p)
        .setRecordSerializer(new ChangedKeysSerializer(topic, table, values))
        .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
    if (exactlyOnce) b.setTransactionalIdPrefix(transactionalIdPrefix);
    return b.build();
  }
}
