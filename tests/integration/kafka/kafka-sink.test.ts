/**
 * The kafka and upsert-kafka sinks against a real broker: an exactly-once job halted between checkpoints and
 * restored leaves every row exactly once for read_committed readers (while the aborted rows did reach the log);
 * at-least-once delivers everything; upsert-kafka writes keyed values, tombstones for deletes and skips -U.
 * Skips with the reason when the client is not built or no broker answers.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { T } from '../../../src/common/types.js';
import { loadKafkaClient } from '../../../src/connectors/kafka/kafka-client.js';
import { upsertKafkaConnector } from '../../../src/connectors/kafka/kafka-connector.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { tableContext } from '../../connectors/helpers.js';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce, readAll } from './kafka-helpers.js';

let skip: string | undefined;
before(async () => { skip = await kafkaSkipReason(); });

async function zombieWrite(topic: string, transactionalId: string, value: string): Promise<void> {
  const k = await loadKafkaClient();
  const p = new k.Producer({ 'bootstrap.servers': BOOTSTRAP, 'transactional.id': transactionalId }, {});
  const cb = (resolve: () => void, reject: (e: Error) => void) => (err: { message: string } | null | undefined): void => (err ? reject(new Error(err.message)) : resolve());
  await new Promise<void>((res, rej) => p.connect({ timeout: 15_000 }, cb(res, rej)));
  await new Promise<void>((res, rej) => p.initTransactions(15_000, cb(res, rej)));
  await new Promise<void>((res, rej) => p.beginTransaction(cb(res, rej)));
  p.produce(topic, null, Buffer.from(value), null, null);
  await new Promise<void>((res, rej) => p.flush(15_000, cb(res, rej)));
  await new Promise<void>((res) => p.disconnect(() => res()));
}

async function sourceTopic(n: number): Promise<string> {
  const topic = freshTopic('in');
  await createTopic(topic, 3);
  await produce(topic, Array.from({ length: n }, (_, i) => ({ key: `k${i % 11}`, value: JSON.stringify({ id: i, k: `k${i % 11}` }) })));
  return topic;
}

const pipeline = (inTopic: string, outTopic: string, sinkOpts: string): string => `
CREATE TABLE src (id INT, k STRING) WITH ('connector' = 'kafka', 'topic' = '${inTopic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json');
CREATE TABLE dst (id INT, k STRING, id2 INT) WITH ('connector' = 'kafka', 'topic' = '${outTopic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
  'format' = 'json'${sinkOpts});
INSERT INTO dst SELECT id, k, id * 2 FROM src;`;

test('exactly-once sink: halted and restored run is read back once with read_committed', async (t) => {
  if (skip) { t.skip(skip); return; }
  const n = 3000;
  const inTopic = await sourceTopic(n);
  const outTopic = freshTopic('eo');
  await createTopic(outTopic, 2);
  const prefix = `freshet-test-${outTopic}`;
  const sql = pipeline(inTopic, outTopic, `, 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = '${prefix}'`);
  const dir = mkdtempSync(join(tmpdir(), 'freshet-kafka-eo-'));
  try {
    const first = await runSql(sql, { batchSize: 100, checkpointDir: dir, checkpointEveryBatches: 4, haltAfterBatches: 18 });
    assert.deepEqual(first.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(first.summary?.finished, false);
    const committedAfterHalt = await readAll(outTopic, 'read_committed');
    assert.ok(committedAfterHalt.length > 0 && committedAfterHalt.length < n, `committed after halt: ${committedAfterHalt.length}`);

    // A zombie: a producer with the sink's transactional id writes in a transaction it never commits. The restored
    // sink's initTransactions must fence it and abort its transaction (else read_committed readers stall on it).
    await zombieWrite(outTopic, `${prefix}-0`, '{"id":-1,"k":"zombie","id2":-2}');

    const second = await runSql(sql, { batchSize: 100, checkpointDir: dir, restoreFrom: dir });
    assert.equal(second.summary?.finished, true);
    const committed = await readAll(outTopic, 'read_committed');
    const ids = committed.map((m) => (JSON.parse(m.value!) as { id: number; id2: number }));
    assert.equal(ids.length, n, 'every row exactly once');
    assert.equal(new Set(ids.map((r) => r.id)).size, n);
    for (const r of ids) assert.equal(r.id2, r.id * 2);
    // The zombie's message reached the log but was aborted.
    const raw = await readAll(outTopic, 'read_uncommitted');
    assert.ok(raw.some((m) => m.value?.includes('zombie')), 'the zombie message is in the log');
    assert.ok(raw.length > n, `raw ${raw.length}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('at-least-once sink delivers every row; an updating query is rejected at validation', async (t) => {
  if (skip) { t.skip(skip); return; }
  const inTopic = await sourceTopic(500);
  const outTopic = freshTopic('alo');
  await createTopic(outTopic, 1);
  const r = await runSql(pipeline(inTopic, outTopic, ''));
  assert.equal(r.summary?.finished, true);
  const back = await readAll(outTopic, 'read_uncommitted');
  assert.deepEqual(back.map((m) => (JSON.parse(m.value!) as { id: number }).id).sort((a, b) => a - b), Array.from({ length: 500 }, (_, i) => i));

  const updating = await runSql(`
CREATE TABLE src (id INT, k STRING) WITH ('connector' = 'kafka', 'topic' = '${inTopic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}', 'format' = 'json');
CREATE TABLE dst (k STRING, c BIGINT) WITH ('connector' = 'kafka', 'topic' = '${outTopic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}', 'format' = 'json');
INSERT INTO dst SELECT k, COUNT(*) FROM src GROUP BY k;`);
  assert.ok(updating.diagnostics.some((d) => d.code === 'CONN107'), JSON.stringify(updating.diagnostics));
});

test('upsert-kafka: keyed values, tombstones for -D, -U skipped', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('upsert');
  await createTopic(topic, 2);
  const fields = [{ name: 'user_id', type: T.string(false) }, { name: 'region', type: T.string() }, { name: 'c', type: T.bigint() }];
  const ctx = { ...tableContext(fields, {
    connector: 'upsert-kafka', topic, 'properties.bootstrap.servers': BOOTSTRAP, 'key.format': 'json', 'value.format': 'json',
  }), primaryKey: [0], updating: true };
  assert.deepEqual(upsertKafkaConnector.validate(ctx, 'sink'), []);
  const sink = upsertKafkaConnector.createSink!(ctx);
  await sink.open();
  await sink.write({ rows: [['a', 'eu', 1], ['b', 'us', 1], ['a', 'eu', 1], ['a', 'eu', 2]], kinds: [0, 0, 1, 2] });
  await sink.write({ rows: [['b', 'us', 1]], kinds: [3] });
  await sink.flush();
  await sink.close();
  const back = await readAll(topic, 'read_uncommitted');
  const byKey = new Map<string, (string | null)[]>();
  for (const m of back.sort((x, y) => x.offset - y.offset)) {
    const l = byKey.get(m.key!) ?? [];
    l.push(m.value);
    byKey.set(m.key!, l);
  }
  assert.deepEqual(Object.fromEntries(byKey), {
    '{"user_id":"a"}': ['{"user_id":"a","region":"eu","c":1}', '{"user_id":"a","region":"eu","c":2}'],
    '{"user_id":"b"}': ['{"user_id":"b","region":"us","c":1}', null],
  });
});

test('upsert-kafka from SQL: a count that drops to zero becomes a tombstone', async (t) => {
  if (skip) { t.skip(skip); return; }
  const inTopic = freshTopic('moves');
  await createTopic(inTopic, 1);
  // u1 moves from team a to team b (MAX picks the later letter): team a's count drops to zero.
  await produce(inTopic, [
    { value: '{"u":"u1","team":"a"}' }, { value: '{"u":"u2","team":"b"}' }, { value: '{"u":"u1","team":"c"}' },
  ]);
  const outTopic = freshTopic('teams');
  await createTopic(outTopic, 1);
  const r = await runSql(`
CREATE TABLE moves (u STRING, team STRING) WITH ('connector' = 'kafka', 'topic' = '${inTopic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json');
CREATE TABLE teams (team STRING, members BIGINT, PRIMARY KEY (team) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = '${outTopic}',
  'properties.bootstrap.servers' = '${BOOTSTRAP}', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO teams SELECT team, COUNT(*) FROM (SELECT u, MAX(team) AS team FROM moves GROUP BY u) GROUP BY team;`, { batchSize: 1 });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const back = await readAll(outTopic, 'read_uncommitted');
  const last = new Map<string, string | null>();
  for (const m of back) last.set(m.key!, m.value);
  assert.deepEqual(Object.fromEntries(last), {
    '{"team":"a"}': null,
    '{"team":"b"}': '{"team":"b","members":1}',
    '{"team":"c"}': '{"team":"c","members":1}',
  });
});
