/**
 * Runtime error codes of the kafka and upsert-kafka connectors (CONN22x, within the connector runtime range
 * CONN2xx). Validation problems use the shared CONN1xx codes of connector-error-codes.ts; a bad record uses CONN201.
 */
export const KafkaErrors = {
  /** `@confluentinc/kafka-javascript` is not installed, or its native part is not built. */
  ClientMissing: 'CONN220',
  /** The broker refused or failed a request (metadata, fetch, produce, offsets), or could not be reached. */
  Broker: 'CONN221',
  /** A transaction of an exactly-once sink failed (init, begin, commit, abort; a fenced producer). */
  Transaction: 'CONN222',
  /** `group-offsets` start or end with no committed offset for a partition and no `properties.auto.offset.reset`. */
  NoCommittedOffset: 'CONN223',
  /** A message could not be delivered to the topic. */
  Delivery: 'CONN224',
} as const;
