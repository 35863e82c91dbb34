// The changed-keys message, byte for byte as the embedded engine's (src/connectors/stores/changed-keys.ts): key =
// the entity key (UTF-8), header `freshet-dedup-id` = `<key>@<version>`, value
// `{"key":..,"version":n,"op":"upsert"|"delete","row":{..}?,"table":..}` (row only with changed-keys.values, as the
// store holds it). No partition is chosen here: the Kafka producer's default partitioner (murmur2 of the key) is
// the one Freshet's embedded producer uses too, so a key lands in the same partition from either engine.
package dev.freshet.flink.connector;

import dev.freshet.flink.store.JsText;
import dev.freshet.flink.store.Versioner;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** (key, version, JSON row or "" for a delete) → the changed-keys record. */
public final class ChangedKeysSerializer implements KafkaRecordSerializationSchema<Tuple3<String, Long, String>> {
  private static final long serialVersionUID = 1L;

  /** The header that lets at-least-once consumers drop repeats. */
  public static final String DEDUP_HEADER = "freshet-dedup-id";

  private final String topic;
  private final boolean values;
  /** The end of every message value: {@code ,"table":"<table>"}}. */
  private final String tail;

  public ChangedKeysSerializer(String topic, String table, boolean values) {
    this.topic = topic;
    this.values = values;
    this.tail = ",\"table\":" + JsText.quote(table) + "}";
  }

  /** The message value text of a change. */
  public String value(String key, long version, String row) {
    StringBuilder sb = new StringBuilder(64 + (values && row != null ? row.length() : 0));
    sb.append("{\"key\":");
    JsText.quote(key, sb);
    sb.append(",\"version\":").append(version);
    if (row == null || Versioner.DELETE.equals(row)) sb.append(",\"op\":\"delete\"");
    else if (values) sb.append(",\"op\":\"upsert\",\"row\":").append(row);
    else sb.append(",\"op\":\"upsert\"");
    return sb.append(tail).toString();
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(Tuple3<String, Long, String> w, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(DEDUP_HEADER, (w.f0 + "@" + w.f1).getBytes(StandardCharsets.UTF_8));
    byte[] value = value(w.f0, w.f1, w.f2).getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, null, null, w.f0.getBytes(StandardCharsets.UTF_8), value, headers);
  }
}
