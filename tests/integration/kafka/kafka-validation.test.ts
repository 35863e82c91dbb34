/**
 * Option validation of the kafka and upsert-kafka connectors (no broker needed): required options, Flink's value
 * rules for startup/bounded modes and delivery guarantees, format options under their prefixes, key columns, the
 * discriminator, and a missing client reported as CONN220 rather than a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../../../src/common/types.js';
import type { SinkContext } from '../../../src/connectors/connector.js';
import { kafkaConnector, upsertKafkaConnector } from '../../../src/connectors/kafka/kafka-connector.js';
import { parseJsonPath, parseSpecificOffsets } from '../../../src/connectors/kafka/kafka-options.js';
import { discriminatorOf, NOT_JSON } from '../../../src/connectors/kafka/kafka-source.js';
import { getConnector } from '../../../src/connectors/registry.js';
import { tableContext } from '../../connectors/helpers.js';

const fields = [{ name: 'id', type: T.int() }, { name: 'name', type: T.string() }];
const base = { connector: 'kafka', topic: 't', 'properties.bootstrap.servers': 'localhost:9092', format: 'json' };

function codes(options: Record<string, string>, role: 'source' | 'sink' = 'source', factory = kafkaConnector, extra: object = {}): string[] {
  const ctx: SinkContext = { ...tableContext(fields, options), primaryKey: [], updating: false, ...extra };
  return factory.validate(ctx, role).map((d) => d.code);
}

test('kafka and upsert-kafka are registered', () => {
  assert.equal(getConnector('kafka'), kafkaConnector);
  assert.equal(getConnector('upsert-kafka'), upsertKafkaConnector);
});

test('a complete kafka table validates; required options are reported', () => {
  assert.deepEqual(codes(base), []);
  assert.deepEqual(codes({ ...base, 'properties.group.id': 'g', 'properties.security.protocol': 'SASL_SSL', 'json.ignore-parse-errors': 'true' }), []);
  assert.deepEqual(codes({ connector: 'kafka', format: 'json' }).sort(), ['CONN101', 'CONN101']);
  assert.deepEqual(codes({ ...base, format: undefined as unknown as string }), ['CONN101']);
  assert.deepEqual(codes({ ...base, topic: 'a;b' }), ['CONN103']);
  assert.deepEqual(codes({ ...base, 'topic-pattern': 'a.*' }), ['CONN108']);
  assert.deepEqual(codes({ ...base, 'scan.startup.mod': 'earliest-offset' }), ['CONN102']);
});

test('value.format is an alias of format, with value.<format>.* options', () => {
  const { format: _f, ...noFormat } = base;
  assert.deepEqual(codes({ ...noFormat, 'value.format': 'json', 'value.json.ignore-parse-errors': 'true' }), []);
  assert.deepEqual(codes({ ...noFormat, 'value.format': 'json', 'value.json.ignore-parse-errors': 'maybe' }), ['CONN103']);
  assert.deepEqual(codes({ ...base, 'value.format': 'json' }), ['CONN104']);
  assert.deepEqual(codes({ ...base, format: 'avro' }), ['CONN103']);
  assert.deepEqual(codes({ ...base, 'json.fail-on-missing-field': 'true', 'json.ignore-parse-errors': 'true' }), ['CONN104']);
});

test('startup and bounded modes follow Flink: timestamps and specific offsets are required in their modes', () => {
  assert.deepEqual(codes({ ...base, 'scan.startup.mode': 'earliest' }), ['CONN103']);
  assert.deepEqual(codes({ ...base, 'scan.startup.mode': 'timestamp' }), ['CONN101']);
  assert.deepEqual(codes({ ...base, 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': 'yesterday' }), ['CONN103']);
  assert.deepEqual(codes({ ...base, 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0,offset:4;partition:2,offset:9' }), []);
  assert.deepEqual(codes({ ...base, 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'p0=4' }), ['CONN103']);
  assert.deepEqual(codes({ ...base, 'scan.bounded.mode': 'specific-offsets' }), ['CONN101']);
  assert.deepEqual(codes({ ...base, 'scan.bounded.mode': 'latest-offset' }), []);
  assert.deepEqual([...parseSpecificOffsets('partition:0,offset:42;partition:1,offset:300')!], [[0, 42], [1, 300]]);
  assert.equal(parseSpecificOffsets('partition:0'), undefined);
});

test('sink: exactly-once needs a transactional id prefix; updating input needs upsert-kafka', () => {
  assert.deepEqual(codes({ ...base, 'sink.delivery-guarantee': 'exactly-once' }, 'sink'), ['CONN101']);
  assert.deepEqual(codes({ ...base, 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': 'job1' }, 'sink'), []);
  assert.deepEqual(codes({ ...base, 'sink.delivery-guarantee': 'exactly_once' }, 'sink'), ['CONN103']);
  assert.deepEqual(codes(base, 'sink', kafkaConnector, { updating: true }), ['CONN107']);
  assert.deepEqual(codes({ ...base, 'sink.partitioner': 'com.acme.MyPartitioner' }, 'sink'), ['CONN108']);
});

test('key.format and key.fields go together and name real columns', () => {
  assert.deepEqual(codes({ ...base, 'key.format': 'json', 'key.fields': 'id' }), []);
  assert.deepEqual(codes({ ...base, 'key.format': 'json' }), ['CONN101']);
  assert.deepEqual(codes({ ...base, 'key.fields': 'id' }), ['CONN101']);
  assert.deepEqual(codes({ ...base, 'key.format': 'json', 'key.fields': 'nope' }), ['CONN103']);
  assert.deepEqual(codes({ ...base, 'key.format': 'json', 'key.fields': 'id', 'key.fields-prefix': 'k_' }), ['CONN103']);
});

test('upsert-kafka needs a primary key, key.format and value.format; it cannot be read yet', () => {
  const up = { connector: 'upsert-kafka', topic: 't', 'properties.bootstrap.servers': 'h:1', 'key.format': 'json', 'value.format': 'json' };
  assert.deepEqual(codes(up, 'sink', upsertKafkaConnector, { primaryKey: [0], updating: true }), []);
  assert.deepEqual(codes(up, 'sink', upsertKafkaConnector, { primaryKey: [] }), ['CONN101']);
  assert.deepEqual(codes({ ...up, format: 'json' }, 'sink', upsertKafkaConnector, { primaryKey: [0] }), ['CONN102', 'CONN104']);
  const { 'key.format': _k, ...noKey } = up;
  assert.deepEqual(codes(noKey, 'sink', upsertKafkaConnector, { primaryKey: [0] }), ['CONN101']);
  assert.deepEqual(codes(up, 'source', upsertKafkaConnector, { primaryKey: [0] }), ['CONN106']);
});

test('discriminator: a JSON path and a value, json only', () => {
  assert.deepEqual(codes({ ...base, 'freshet.discriminator': '$.type', 'freshet.discriminator.value': 'order' }), []);
  assert.deepEqual(codes({ ...base, 'freshet.discriminator': '$.type' }), ['CONN101']);
  assert.deepEqual(codes({ ...base, 'freshet.discriminator': 'type', 'freshet.discriminator.value': 'x' }), ['CONN103']);
  assert.deepEqual(codes({ ...base, 'freshet.discriminator': 'header:kind', 'freshet.discriminator.value': 'x' }), []);
  assert.deepEqual(codes({ ...base, 'freshet.discriminator': 'header:', 'freshet.discriminator.value': 'x' }), ['CONN103']);
  assert.deepEqual(codes({ ...base, format: 'csv', 'freshet.discriminator': '$.type', 'freshet.discriminator.value': 'x' }), ['CONN104']);
  assert.deepEqual(parseJsonPath('$.meta.kind'), ['meta', 'kind']);
  assert.equal(discriminatorOf('{"meta":{"kind":"a"}}', ['meta', 'kind']), 'a');
  assert.equal(discriminatorOf('{"v":2}', ['v']), '2');
  assert.equal(discriminatorOf('{"x":1}', ['v']), undefined);
  assert.equal(discriminatorOf('[1]', ['v']), NOT_JSON);
  assert.equal(discriminatorOf('{oops', ['v']), NOT_JSON);
});
