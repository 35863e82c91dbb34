/**
 * The exactly-once changed-keys topic across a TaskManager failure: an unbounded feature job (Kafka, 3 partitions
 * keyed by user -> GROUP BY -> the template's `redis` sink with an exactly-once changed-keys topic, one store write
 * per change, checkpoints every second) loses its TaskManager to SIGKILL while it works; a new one is started, Flink
 * restores the last checkpoint, aborts the open Kafka transactions and replays. Read with read_committed, the topic
 * must then hold, per key, every change exactly once: versions 2^32 + 1 .. 2^32 + n without repeats or gaps, each
 * with the row a direct computation gives after that many events, the last one the stored row. Needs Flink, Kafka
 * and Redis; skips with the reason otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RESTART_UNTIL_TASKMANAGER_IS_BACK, buildSpec, eventually, flinkTestFile, keyedByUser, killTaskManagerDuring, readWithHeaders,
  recoveryInput, runningTotals, storedRows,
} from './flink-helpers.js';
import { BOOTSTRAP, createTopic, freshTopic, produce } from '../kafka/kafka-helpers.js';
import { REDIS_HOST, REDIS_PORT } from '../../stores/store-helpers.js';

const TABLE = `fe_ck_rec_${Date.now().toString(36)}`;
const file = flinkTestFile({ kafka: true, redis: true, storeTables: () => [TABLE] });
const { deployer } = file;

test('SIGKILL of the TaskManager: the exactly-once changed-keys topic has every change once', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const { topic, phases: [phase1, phase2, phase3] } = await recoveryInput('flink-ck-rec-in', 200, [4000, 8000, 3000]);
  const ck = freshTopic('flink-ck-rec');
  await createTopic(ck, 3);

  const sql = `
SET 'execution.checkpointing.interval' = '1 s';
${RESTART_UNTIL_TASKMANAGER_IS_BACK}
CREATE TABLE ev (user_id STRING, amount INT)
  WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = 'freshet-flink-ck-rec', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE user_features (user_id STRING, n BIGINT, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${TABLE}', 'sink.buffer-flush.max-rows' = '1',
        'changed-keys.topic' = '${ck}', 'changed-keys.bootstrap-servers' = '${BOOTSTRAP}', 'changed-keys.values' = 'true',
        'changed-keys.delivery-guarantee' = 'exactly-once', 'changed-keys.transactional-id-prefix' = '${TABLE}');
INSERT INTO user_features SELECT user_id, COUNT(*), SUM(CAST(amount AS BIGINT)) FROM ev GROUP BY user_id;
`;
  const jobId = await file.deploy(buildSpec(sql, { name: 'changed-keys-recovery' }));
  await deployer.waitUntilRunning(jobId);

  const count = async (): Promise<number> => [...(await storedRows(TABLE)).values()].reduce((s, h) => s + (JSON.parse(h['v']!) as { n: number }).n, 0);
  await eventually('the first phase in Redis and two checkpoints', async () => {
    const m = await deployer.metrics(jobId);
    return m.checkpoints.completed >= 2 && (await count()) === phase1.length ? true : undefined;
  }, 120_000);

  await killTaskManagerDuring(produce(topic, keyedByUser(phase2)), 300);
  await produce(topic, keyedByUser(phase3));

  const all = [...phase1, ...phase2, ...phase3];
  const steps = runningTotals(all);
  await eventually('Redis equal to the oracle after the recovery', async () => ((await count()) === all.length ? true : undefined), 180_000);
  // The last changes are committed with the next completed checkpoint.
  const committed = await eventually('every change announced (read_committed)', async () => {
    const msgs = await readWithHeaders(ck, 'read_committed');
    return msgs.length >= all.length ? msgs : undefined;
  }, 60_000);
  const uncommitted = (await readWithHeaders(ck, 'read_uncommitted')).length;

  const perKey = new Map<string, string[]>();
  for (const m of committed) perKey.set(m.key!, [...(perKey.get(m.key!) ?? []), m.value!]);
  const stored = await storedRows(TABLE);
  assert.equal(perKey.size, steps.size, 'every key announced');
  for (const [user, s] of steps) {
    const want = s.map((x, i) => `{"key":"${user}","version":${2 ** 32 + i + 1},"op":"upsert","row":{"user_id":"${user}","n":${x.n},"total":${x.total}},"table":"${TABLE}"}`);
    assert.deepEqual(perKey.get(user), want, `${user}: every change once, in order, no gaps`);
    assert.equal(stored.get(user)!['ver'], String(2 ** 32 + s.length), `${user}: the stored version`);
  }
  assert.equal(committed.length, all.length, 'no repeats');
  const m = await deployer.metrics(jobId);
  assert.ok(m.checkpoints.restoredFrom, 'restored from a checkpoint');
  process.stderr.write(`# changed-keys recovery: ${all.length} events, ${steps.size} keys, ${committed.length} committed messages, `
    + `${uncommitted} in the log (aborted ones included); restored from ${m.checkpoints.restoredFrom}\n`);
  await deployer.cancel(jobId);
});
