// The `changed-keys.*` options of the store connectors on Flink: the same names, defaults and checks as the embedded
// engine's (src/connectors/stores/changed-keys.ts, docs/stores.md). `changed-keys.properties.*` are handed to the
// Kafka Java producer (the embedded engine hands them to librdkafka; common settings such as acks, security.protocol
// and sasl.* have the same names in both).
package dev.freshet.flink.connector;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

/** Option declarations and validation of the changed-keys topic. */
public final class ChangedKeysOptions {
  private ChangedKeysOptions() {}

  /** Prefix of the Kafka producer settings (validated by Kafka, not by the factory). */
  public static final String PROPERTIES = "changed-keys.properties.";

  public static final ConfigOption<String> TOPIC = ConfigOptions.key("changed-keys.topic").stringType().noDefaultValue()
      .withDescription("Kafka topic on which the key of every inserted, updated or deleted row is announced (off when unset).");
  public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("changed-keys.bootstrap-servers").stringType().noDefaultValue()
      .withDescription("Kafka brokers of the changed-keys topic, host:port,...");
  public static final ConfigOption<String> VALUES = ConfigOptions.key("changed-keys.values").stringType().noDefaultValue()
      .withDescription("'true' includes the row in each announcement (default false).");
  public static final ConfigOption<String> DELIVERY = ConfigOptions.key("changed-keys.delivery-guarantee").stringType().noDefaultValue()
      .withDescription("'at-least-once' (default) or 'exactly-once' (Kafka transactions committed with Flink's checkpoints).");
  public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions.key("changed-keys.transactional-id-prefix").stringType()
      .noDefaultValue().withDescription("Transactional id prefix of the exactly-once announcements; unique per job.");

  /** The declared options (the factories add them to their optional options). */
  public static Set<ConfigOption<?>> options() {
    return Set.of(TOPIC, BOOTSTRAP_SERVERS, VALUES, DELIVERY, TRANSACTIONAL_ID_PREFIX);
  }

  /**
   * The changed-keys topic of a table, or null when `changed-keys.topic` is unset.
   *
   * @param o the validated options; {@code raw} all options of the table (for the `changed-keys.properties.*`)
   * @param table the store table name (in each message)
   */
  public static ChangedKeysConfig parse(ReadableConfig o, Map<String, String> raw, String table) {
    String topic = o.getOptional(TOPIC).orElse(null);
    Map<String, String> props = new TreeMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      if (e.getKey().startsWith(PROPERTIES)) props.put(e.getKey().substring(PROPERTIES.length()), e.getValue());
    }
    if (topic == null) {
      String other = raw.keySet().stream().filter(k -> k.startsWith("changed-keys.")).sorted().findFirst().orElse(null);
      if (other != null) throw new ValidationException("option '" + other + "' needs 'changed-keys.topic'");
      return null;
    }
    String t = topic.trim();
    if (t.isEmpty()) throw new ValidationException("option 'changed-keys.topic' must not be empty");
    if (t.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',' || c == ';')) {
      throw new ValidationException("option 'changed-keys.topic' must name one topic, got '" + topic + "'");
    }
    String servers = o.getOptional(BOOTSTRAP_SERVERS).orElse(null);
    if (servers != null && servers.isBlank()) throw new ValidationException("option 'changed-keys.bootstrap-servers' must not be empty");
    if (servers == null) servers = props.get("bootstrap.servers");
    if (servers == null) throw new ValidationException("'changed-keys.topic' needs 'changed-keys.bootstrap-servers'");
    props.remove("bootstrap.servers");
    boolean values = false;
    String v = o.getOptional(VALUES).orElse(null);
    if (v != null) {
      String l = v.trim().toLowerCase(Locale.ROOT);
      if (!l.equals("true") && !l.equals("false")) {
        throw new ValidationException("option 'changed-keys.values' must be 'true' or 'false', got '" + v + "'");
      }
      values = l.equals("true");
    }
    boolean exactlyOnce = false;
    String d = o.getOptional(DELIVERY).orElse(null);
    if (d != null) {
      String l = d.trim().toLowerCase(Locale.ROOT);
      if (!l.equals("at-least-once") && !l.equals("exactly-once")) {
        throw new ValidationException("unsupported value '" + d + "' for option 'changed-keys.delivery-guarantee'; "
            + "supported values are 'at-least-once', 'exactly-once'");
      }
      exactlyOnce = l.equals("exactly-once");
    }
    String prefix = o.getOptional(TRANSACTIONAL_ID_PREFIX).map(String::trim).orElse(null);
    if (exactlyOnce && (prefix == null || prefix.isEmpty())) {
      throw new ValidationException("'changed-keys.delivery-guarantee' = 'exactly-once' requires 'changed-keys.transactional-id-prefix'");
    }
    return new ChangedKeysConfig(t, servers.trim(), props, values, exactlyOnce, exactlyOnce ? prefix : null, table);
  }
}
