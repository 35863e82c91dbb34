/**
 * The exactly-once changed-keys topic across a TaskManager failure: an unbounded feature job (Kafka, 3 partitions
 * keyed by user -> GROUP BY -> the template's `redis` sink with an exactly-once changed-keys topic, one store write
 * per change, checkpoints every second) loses its TaskManager to SIGKILL while it works; a new one is started, Flink
 * restores the last checkpoint, aborts the open Kafka transactions and replays. Read with read_committed, the topic
 * must then hold, per key, every change exactly once: versions 2^32 + 1 .. 2^32 + n without repeats or gaps, each
 * with the row a direct computation gives after that many events, the last one the stored row. Needs Flink, Kafka
 * and Redis; skips with the reason otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { buildJobSpecFromScript } from '../../../src/flink/build-job-spec.js';
import { FlinkDeployer } from '../../../src/flink/flink-deployer.js';
import { FLINK_URL, eventually, flinkSkipReason, lockCluster } from './flink-helpers.js';
import { readWithHeaders } from './kafka-headers.js';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce } from '../kafka/kafka-helpers.js';
import { REDIS_HOST, REDIS_PORT, redisSkipReason } from '../../stores/store-helpers.js';

const FLINK_SH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'flink.sh');
let skip: string | undefined;
let unlock: (() => void) | undefined;
const deployer = new FlinkDeployer({ url: FLINK_URL, pollMs: 200 });
let jobId: string | undefined;
const TABLE = `fe_ck_rec_${Date.now().toString(36)}`;

before(async () => {
  skip = await flinkSkipReason();
  if (!skip) {
    let k: string | undefined;
    try { k = await kafkaSkipReason(); } catch (e) { k = (e as Error).message; }
    skip = k ?? ((await redisSkipReason()) || undefined);
  }
  if (!skip) unlock = await lockCluster();
});

after(async () => {
  if (jobId) {
    const state = (await deployer.job(jobId).catch(() => undefined))?.state;
    if (state !== undefined && !['FINISHED', 'CANCELED', 'FAILED'].includes(state)) await deployer.cancel(jobId).catch(() => undefined);
  }
  if (!skip) {
    const c = createClient({ socket: { host: REDIS_HOST, port: REDIS_PORT } });
    await c.connect();
    for (const k of await c.keys(`fs:${TABLE}:*`)) await c.del(k);
    await c.quit();
  }
  unlock?.();
});

function flinkSh(cmd: string): string {
  return execFileSync('bash', [FLINK_SH, cmd], { encoding: 'utf8', timeout: 180_000 });
}

interface Ev { user_id: string; amount: number }

function events(n: number, users: number, seed: number): Ev[] {
  let s = seed >>> 0;
  const rnd = (): number => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
  return Array.from({ length: n }, () => ({ user_id: `u${Math.floor(rnd() * users)}`, amount: Math.floor(rnd() * 100) }));
}

async function storedVersions(): Promise<Map<string, Record<string, string>>> {
  const c = createClient({ socket: { host: REDIS_HOST, port: REDIS_PORT } });
  await c.connect();
  const out = new Map<string, Record<string, string>>();
  for (const k of await c.keys(`fs:${TABLE}:*`)) if (!k.includes(':meta:')) out.set(k.slice(`fs:${TABLE}:`.length), await c.hGetAll(k));
  await c.quit();
  return out;
}

test('SIGKILL of the TaskManager: the exactly-once changed-keys topic has every change once', async (t) => {
  if (skip) return t.skip(skip);
  const topic = freshTopic('flink-ck-rec-in'), ck = freshTopic('flink-ck-rec');
  await createTopic(topic, 3);
  await createTopic(ck, 3);
  const users = 200;
  const phase1 = events(4000, users, 1), phase2 = events(8000, users, 2), phase3 = events(3000, users, 3);
  await produce(topic, phase1.map((e) => ({ key: e.user_id, value: JSON.stringify(e) })));

  const sql = `
SET 'execution.checkpointing.interval' = '1 s';
SET 'restart-strategy.type' = 'fixed-delay';
SET 'restart-strategy.fixed-delay.attempts' = '60';
SET 'restart-strategy.fixed-delay.delay' = '1 s';
CREATE TABLE ev (user_id STRING, amount INT)
  WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = 'freshet-flink-ck-rec', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE user_features (user_id STRING, n BIGINT, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${TABLE}', 'sink.buffer-flush.max-rows' = '1',
        'changed-keys.topic' = '${ck}', 'changed-keys.bootstrap-servers' = '${BOOTSTRAP}', 'changed-keys.values' = 'true',
        'changed-keys.delivery-guarantee' = 'exactly-once', 'changed-keys.transactional-id-prefix' = '${TABLE}');
INSERT INTO user_features SELECT user_id, COUNT(*), SUM(CAST(amount AS BIGINT)) FROM ev GROUP BY user_id;
`;
  const r = buildJobSpecFromScript(sql, { name: 'changed-keys-recovery' });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  jobId = await deployer.deploy(r.spec!);
  await deployer.waitUntilRunning(jobId);

  const count = async (): Promise<number> => [...(await storedVersions()).values()].reduce((s, h) => s + (JSON.parse(h['v']!) as { n: number }).n, 0);
  await eventually('the first phase in Redis and two checkpoints', async () => {
    const m = await deployer.metrics(jobId!);
    return m.checkpoints.completed >= 2 && (await count()) === phase1.length ? true : undefined;
  }, 120_000);

  try {
    const producing = produce(topic, phase2.map((e) => ({ key: e.user_id, value: JSON.stringify(e) })));
    await new Promise((res) => setTimeout(res, 300));
    process.stderr.write(`# ${flinkSh('kill-taskmanager').trim()}\n`);
    await producing;
  } finally {
    process.stderr.write(`# ${flinkSh('start').trim().split('\n').pop()}\n`);
  }
  await produce(topic, phase3.map((e) => ({ key: e.user_id, value: JSON.stringify(e) })));

  const all = [...phase1, ...phase2, ...phase3];
  const steps = new Map<string, { n: number; total: number }[]>();
  for (const e of all) {
    const list = steps.get(e.user_id) ?? [];
    const prev = list[list.length - 1] ?? { n: 0, total: 0 };
    list.push({ n: prev.n + 1, total: prev.total + e.amount });
    steps.set(e.user_id, list);
  }
  await eventually('Redis equal to the oracle after the recovery', async () => ((await count()) === all.length ? true : undefined), 180_000);
  // The last changes are committed with the next completed checkpoint.
  const committed = await eventually('every change announced (read_committed)', async () => {
    const msgs = await readWithHeaders(ck, 'read_committed');
    return msgs.length >= all.length ? msgs : undefined;
  }, 60_000);
  const uncommitted = (await readWithHeaders(ck, 'read_uncommitted')).length;

  const perKey = new Map<string, string[]>();
  for (const m of committed) perKey.set(m.key!, [...(perKey.get(m.key!) ?? []), m.value!]);
  const stored = await storedVersions();
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
