/** Sampling a live topic for schema inference: the newest N messages over all partitions, no group joined. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce } from './kafka-helpers.js';
import { sampleKafkaTopic } from '../../../src/connectors/kafka/sample-topic.js';
import { inferSchema } from '../../../src/catalog/dictionary/infer-schema.js';

test('samples the newest messages of a live topic and infers its schema', async (t) => {
  const skip = await kafkaSkipReason();
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('sample');
  await createTopic(topic, 3);
  const msgs = Array.from({ length: 60 }, (_, i) => ({
    value: JSON.stringify({ id: i, user: `u${i % 5}`, amount: i + 0.5, ts: `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}`, tags: ['a'] }),
    partition: i % 3,
  }));
  await produce(topic, msgs);
  const sample = await sampleKafkaTopic({ bootstrapServers: BOOTSTRAP, topic, count: 30 });
  assert.equal(sample.length, 30);
  // Newest per partition: each partition contributes its last 10 messages.
  for (const p of [0, 1, 2]) {
    const ids = sample.filter((s) => s.partition === p).map((s) => (JSON.parse(s.value) as { id: number }).id);
    assert.deepEqual(ids, msgs.map((m, i) => ({ m, i })).filter(({ m }) => m.partition === p).slice(-10).map(({ i }) => i));
  }
  const r = inferSchema(sample.map((s) => s.value), { name: 'sampled' });
  assert.match(r.ddl, /`amount` DOUBLE/);
  assert.match(r.ddl, /`ts` TIMESTAMP\(3\)/);
  assert.match(r.ddl, /`tags` ARRAY<STRING>/);
});
