/**
 * The `kafka` connector (Flink's options, see kafka-options.ts): an unbounded or bounded source over every
 * partition of one topic (kafka-source.ts) and an append-only sink with at-least-once or exactly-once delivery
 * (kafka-sink.ts). The client library is loaded only when a job opens a Kafka table, so validation and everything
 * else work without it.
 *
 * Not supported yet (validation says so): `topic-pattern` and several topics per table, metadata columns
 * (`METADATA FROM 'offset'`, ...), formats other than json and csv (avro, debezium-json, ...), custom partitioners.
 */
import { FreshetError, type Diagnostic } from '../../common/diagnostics.js';
import type { ConnectorFactory, SinkContext, TableContext } from '../connector.js';
import { KAFKA_OPTIONS, UPSERT_KAFKA_OPTIONS, parseKafkaOptions, type KafkaTableConfig } from './kafka-options.js';
import { KafkaSink } from './kafka-sink.js';
import { KafkaSource } from './kafka-source.js';

function configOf(factory: ConnectorFactory, ctx: TableContext, role: 'source' | 'sink'): KafkaTableConfig {
  const r = parseKafkaOptions(factory, ctx, role);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !r.config) throw new FreshetError(errors);
  return r.config;
}

export const kafkaConnector: ConnectorFactory = {
  identifier: 'kafka',
  options: KAFKA_OPTIONS,
  optionPrefixes: ['properties.'],
  validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] {
    return parseKafkaOptions(kafkaConnector, ctx, role).diagnostics;
  },
  createSource(ctx) {
    return new KafkaSource(ctx, configOf(kafkaConnector, ctx, 'source'));
  },
  createSink(ctx: SinkContext) {
    return new KafkaSink(ctx, configOf(kafkaConnector, ctx, 'sink'), false);
  },
};

/**
 * The `upsert-kafka` connector, sink side: a changelog written as a compacted-topic upsert stream keyed by the
 * PRIMARY KEY (see kafka-sink.ts). Reading upsert-kafka tables is not supported yet.
 */
export const upsertKafkaConnector: ConnectorFactory = {
  identifier: 'upsert-kafka',
  options: UPSERT_KAFKA_OPTIONS,
  optionPrefixes: ['properties.'],
  validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] {
    return parseKafkaOptions(upsertKafkaConnector, ctx, role).diagnostics;
  },
  createSink(ctx: SinkContext) {
    return new KafkaSink(ctx, configOf(upsertKafkaConnector, ctx, 'sink'), true);
  },
};
