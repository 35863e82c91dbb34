/**
 * TaskManager failure on the local Flink cluster: an unbounded feature job (Kafka -> GROUP BY user -> the template's
 * `redis` sink, checkpoints every second) loses its only TaskManager to SIGKILL while it is busy; a new TaskManager
 * is started, Flink restores the job from its last checkpoint and replays Kafka from the checkpointed offsets. The
 * Redis rows must then equal a direct computation over every event, with the versions of an uninterrupted run
 * (2^32 + the key's event count: the replay re-derived the same versions), and a poller reading the store
 * throughout must never see a count or a version go down. Needs Flink, Kafka and Redis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRowCodec } from '../../../src/connectors/stores/row-codec.js';
import { T } from '../../../src/common/types.js';
import {
  RESTART_UNTIL_TASKMANAGER_IS_BACK, buildSpec, eventually, flinkTestFile, keyedByUser, killTaskManagerDuring, recoveryInput,
} from './flink-helpers.js';
import { BOOTSTRAP, produce } from '../kafka/kafka-helpers.js';
import { REDIS_HOST, REDIS_PORT, testRedisStore } from '../../stores/store-helpers.js';

const TABLE = `fe_recovery_${Date.now().toString(36)}`;
const file = flinkTestFile({ kafka: true, redis: true, storeTables: () => [TABLE] });
const { deployer } = file;

test('SIGKILL of the TaskManager mid-run: Flink restores from its checkpoint and Redis equals the oracle', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const users = 400;
  const { topic, phases: [phase1, phase2, phase3] } = await recoveryInput('flink-recovery', users, [20_000, 30_000, 10_000]);

  const sql = `
SET 'execution.checkpointing.interval' = '1 s';
${RESTART_UNTIL_TASKMANAGER_IS_BACK}
CREATE TABLE ev (user_id STRING, amount INT)
  WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = 'freshet-flink-recovery', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE user_features (user_id STRING, n BIGINT, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${TABLE}');
INSERT INTO user_features SELECT user_id, COUNT(*), SUM(CAST(amount AS BIGINT)) FROM ev GROUP BY user_id;
`;
  const jobId = await file.deploy(buildSpec(sql, { name: 'redis-recovery' }));
  await deployer.waitUntilRunning(jobId);

  const store = testRedisStore();
  await store.open();
  const codec = createRowCodec([{ name: 'user_id', type: T.string() }, { name: 'n', type: T.bigint() }, { name: 'total', type: T.bigint() }]);
  const watched = Array.from({ length: 50 }, (_, i) => `u${i}`);
  const keys = Array.from({ length: users }, (_, i) => `u${i}`);
  await eventually('the first phase in Redis and two checkpoints', async () => {
    const m = await deployer.metrics(jobId);
    const rows = await store.multiGet(TABLE, keys);
    const n = rows.reduce((s, x) => s + (x ? (codec.decode(x.value)[1] as number) : 0), 0);
    return m.checkpoints.completed >= 2 && n === phase1.length ? true : undefined;
  }, 120_000);

  // A poller: per key, neither the count nor the version may ever decrease.
  const seen = new Map<string, [number, number]>();
  let polls = 0, stop = false;
  const violations: string[] = [];
  const poller = (async () => {
    while (!stop) {
      const rows = await store.multiGet(TABLE, watched);
      rows.forEach((x, i) => {
        if (!x) return;
        const n = codec.decode(x.value)[1] as number, k = watched[i]!;
        const prev = seen.get(k);
        if (prev && (x.version < prev[0] || n < prev[1])) violations.push(`${k}: ${prev.join('/')} -> ${x.version}/${n}`);
        seen.set(k, [x.version, n]);
      });
      polls++;
      await new Promise((res) => setTimeout(res, 20));
    }
  })();

  // Kill while phase 2 is still being produced: the job is busy reading and writing when the TaskManager dies.
  await killTaskManagerDuring(produce(topic, keyedByUser(phase2)), 150);
  await produce(topic, keyedByUser(phase3));

  const all = [...phase1, ...phase2, ...phase3];
  const expected = new Map<string, { n: number; total: number }>();
  for (const e of all) {
    const x = expected.get(e.user_id) ?? { n: 0, total: 0 };
    x.n++; x.total += e.amount;
    expected.set(e.user_id, x);
  }
  const t0 = Date.now();
  await eventually('Redis equal to the oracle after the recovery', async () => {
    const rows = await store.multiGet(TABLE, keys);
    return rows.every((x, i) => {
      const want = expected.get(keys[i]!);
      if (!want) return x === null;
      return x !== null && JSON.stringify(codec.decode(x.value)) === JSON.stringify([keys[i], want.n, want.total]);
    }) ? true : undefined;
  }, 180_000);
  const recoveredMs = Date.now() - t0;
  stop = true;
  await poller;

  const rows = await store.multiGet(TABLE, keys);
  rows.forEach((x, i) => {
    const want = expected.get(keys[i]!)!;
    assert.equal(x!.version, 2 ** 32 + want.n, `version of ${keys[i]}: the replay re-derived the uninterrupted versions`);
  });
  await store.close();
  assert.deepEqual(violations, [], 'a reader never saw a count or version decrease');
  assert.ok(polls > 10, `the poller ran (${polls} polls)`);
  const failures = await deployer.rest.exceptions(jobId);
  assert.ok(failures.length >= 1, 'the job saw the TaskManager failure');
  const m = await deployer.metrics(jobId);
  assert.equal(m.state, 'RUNNING');
  assert.ok(m.checkpoints.restoredFrom, 'restored from a checkpoint');
  process.stderr.write(`# recovery: ${all.length} events, ${expected.size} keys, ${polls} polls, store equal ${recoveredMs} ms after phase 3; restored from ${m.checkpoints.restoredFrom}\n`);
  await deployer.cancel(jobId);
});
