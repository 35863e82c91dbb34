/**
 * The changed-keys topic of the template's store connectors on the local Flink cluster, against the embedded engine.
 * One bounded feature job (Kafka, 3 partitions keyed by user -> GROUP BY -> `redis`) writes two feature tables:
 * one with an exactly-once changed-keys topic with values (checkpoints every second, one store write per change),
 * one at-least-once without values (the default buffering). Read with read_committed, the exactly-once topic must
 * hold, per key, every change exactly once (versions 2^32 + 1 .. 2^32 + n, no repeats, no gaps), each message's row
 * the features after that many events (a direct computation), header `freshet-dedup-id` = key@version, the last one
 * equal to Redis. The same script on the embedded engine (same store table name, another Redis database) announces
 * on its own topic; its messages must be a subset of Flink's, byte for byte (the embedded sink writes once per source
 * batch, so it announces only each batch's last change of a key), with the same last message per key and each key in
 * the same partition. Needs Flink, Kafka and Redis; skips with the reason otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJobSpecFromScript } from '../../../src/flink/build-job-spec.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { flinkTestFile, keyedByUser, readWithHeaders, runningTotals, seededRandom, storedRows } from './flink-helpers.js';
import { BOOTSTRAP, createTopic, freshTopic, produce, type HeaderedMessage } from '../kafka/kafka-helpers.js';
import { REDIS_HOST, REDIS_PORT } from '../../stores/store-helpers.js';

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const TABLE = `fe_ck_${suffix}`, ALO = `fe_ck_alo_${suffix}`;
/** The embedded engine writes the same store tables in this Redis database (Flink: database 0). */
const EMB_DB = 1;

const file = flinkTestFile({ kafka: true, redis: true, storeTables: () => [TABLE, ALO], redisDbs: [0, EMB_DB] });
const { deployer } = file;

interface Ev { user_id: string; amount: number }

function events(n: number, users: number, seed: number): Ev[] {
  const rnd = seededRandom(seed);
  // A few keys need JSON escapes in the message (quote, backslash) and the store key escapes ('|').
  return Array.from({ length: n }, (_, i) => ({
    user_id: rnd() < 0.04 ? ['odd"user', 'back\\slash', 'pi|pe'][i % 3]! : `u${Math.floor(rnd() * users)}`,
    amount: Math.floor(rnd() * 1000) - 100,
  }));
}

function script(topic: string, ckTopic: string, aloTopic: string, flink: boolean): string {
  const db = flink ? '' : `, 'database' = '${EMB_DB}'`;
  return `
${flink ? "SET 'execution.checkpointing.interval' = '1 s';" : ''}
CREATE TABLE ev (user_id STRING, amount INT)
  WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = 'freshet-flink-ck', 'scan.startup.mode' = 'earliest-offset',
        'scan.bounded.mode' = 'latest-offset', 'format' = 'json');
CREATE TABLE uf (user_id STRING, n BIGINT, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${TABLE}'${db},
        ${flink ? "'sink.buffer-flush.max-rows' = '1'," : ''}
        'changed-keys.topic' = '${ckTopic}', 'changed-keys.bootstrap-servers' = '${BOOTSTRAP}', 'changed-keys.values' = 'true',
        'changed-keys.delivery-guarantee' = 'exactly-once', 'changed-keys.transactional-id-prefix' = 'ck-${suffix}-${flink ? 'f' : 'e'}');
CREATE TABLE uf_alo (user_id STRING, n BIGINT, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${ALO}'${db},
        'changed-keys.topic' = '${aloTopic}', 'changed-keys.bootstrap-servers' = '${BOOTSTRAP}');
EXECUTE STATEMENT SET BEGIN
INSERT INTO uf SELECT user_id, COUNT(*), SUM(CAST(amount AS BIGINT)) FROM ev GROUP BY user_id;
INSERT INTO uf_alo SELECT user_id, COUNT(*), SUM(CAST(amount AS BIGINT)) FROM ev GROUP BY user_id;
END;
`;
}

interface Announcement { key: string; version: number; op: string; row?: { user_id: string; n: number; total: number }; table: string }

const parse = (m: HeaderedMessage): Announcement => JSON.parse(m.value!) as Announcement;

/** Per key, the messages in topic order (a key's messages share one partition). */
function byKey(msgs: readonly HeaderedMessage[]): Map<string, HeaderedMessage[]> {
  const out = new Map<string, HeaderedMessage[]>();
  for (const m of msgs) {
    const a = parse(m);
    assert.equal(m.key, a.key, 'the message key is the entity key');
    out.set(a.key, [...(out.get(a.key) ?? []), m]);
  }
  return out;
}

/** Kafka's Java default partitioner for a keyed record: murmur2 of the key bytes, positive, modulo the partitions. */
function javaPartition(key: string, partitions: number): number {
  const b = Buffer.from(key, 'utf8');
  const m = 0x5bd1e995;
  let len = b.length, h = 0x9747b28c ^ len, i = 0;
  while (len >= 4) {
    let k = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    k = Math.imul(k, m); k ^= k >>> 24; k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
    i += 4; len -= 4;
  }
  if (len === 3) h ^= b[i + 2]! << 16;
  if (len >= 2) h ^= b[i + 1]! << 8;
  if (len >= 1) h = Math.imul(h ^ b[i]!, m);
  h ^= h >>> 13; h = Math.imul(h, m); h ^= h >>> 15;
  return (h & 0x7fffffff) % partitions;
}

/** The store key of a single key column is its text (store-key.ts escapes only when joining several columns). */
const storeKey = (user: string): string => user;

test('changed-keys topic on Flink: exactly-once and at-least-once, the embedded engine\'s messages', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const topic = freshTopic('flink-ck-in'), ck = freshTopic('flink-ck-eo'), alo = freshTopic('flink-ck-alo');
  const ckEmb = freshTopic('emb-ck-eo'), aloEmb = freshTopic('emb-ck-alo');
  for (const x of [topic, ck, alo, ckEmb, aloEmb]) await createTopic(x, 3);
  const evs = events(1500, 60, 7);
  await produce(topic, keyedByUser(evs));

  // The direct computation: per key, the features after each of its events.
  const after = runningTotals(evs);

  const r = buildJobSpecFromScript(script(topic, ck, alo, true), { name: 'changed-keys' });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(r.spec!.requires, ['changed-keys', 'redis']);
  const t0 = Date.now();
  const id = await file.deploy(r.spec!);
  await deployer.waitForState(id, ['FINISHED'], 180_000);
  const flinkMs = Date.now() - t0;
  const emb = await runSql(script(topic, ckEmb, aloEmb, false), {});
  assert.deepEqual(emb.diagnostics.filter((d) => d.severity === 'error'), []);

  // Exactly-once, every change: per key versions 2^32 + 1 .. n, each row the direct computation after that many events.
  const flinkMsgs = await readWithHeaders(ck, 'read_committed');
  const flinkKeys = byKey(flinkMsgs);
  const redis = await storedRows(TABLE);
  assert.equal(flinkKeys.size, after.size, 'every key announced');
  assert.equal(flinkMsgs.length, evs.length, 'one message per change (sink.buffer-flush.max-rows = 1)');
  for (const [user, steps] of after) {
    const msgs = flinkKeys.get(storeKey(user));
    assert.ok(msgs, `${user} announced`);
    assert.equal(msgs.length, steps.length, `${user}: one message per change`);
    msgs.forEach((m, i) => {
      const version = 2 ** 32 + i + 1;
      const row = JSON.stringify({ user_id: user, n: steps[i]!.n, total: steps[i]!.total });
      // Byte for byte the embedded engine's message text (changed-keys.ts).
      assert.equal(m.value, `{"key":${JSON.stringify(storeKey(user))},"version":${version},"op":"upsert","row":${row},"table":${JSON.stringify(TABLE)}}`);
      assert.equal(m.headers['freshet-dedup-id'], `${storeKey(user)}@${version}`);
    });
    const last = parse(msgs[msgs.length - 1]!);
    const h = redis.get(storeKey(user))!;
    assert.equal(String(last.version), h['ver'], `${user}: the last announcement is the stored version`);
    assert.equal(JSON.stringify(last.row), h['v'], `${user}: and the stored row`);
  }

  // The embedded engine's messages: a subset of Flink's, byte for byte, the same last message and partition per key.
  const embMsgs = await readWithHeaders(ckEmb, 'read_committed');
  const embKeys = byKey(embMsgs);
  const flinkSet = new Map(flinkMsgs.map((m) => [m.value!, m]));
  for (const m of flinkMsgs) assert.equal(m.partition, javaPartition(m.key!, 3), `${m.key}: Kafka's default partitioner (murmur2)`);
  for (const m of embMsgs) {
    const f = flinkSet.get(m.value!);
    assert.ok(f, `embedded message ${m.value} is one of Flink's`);
    assert.equal(f.partition, m.partition, `${m.key}: the same partition (murmur2 on both engines)`);
    assert.deepEqual(f.headers, m.headers, `${m.key}: the same headers`);
  }
  assert.equal(embKeys.size, flinkKeys.size);
  for (const [k, ms] of embKeys) assert.equal(ms[ms.length - 1]!.value, flinkKeys.get(k)!.at(-1)!.value, `${k}: the same last message`);

  // At-least-once without values (default buffering): per key strictly increasing versions, the last one stored.
  const aloMsgs = await readWithHeaders(alo, 'read_uncommitted');
  const aloKeys = byKey(aloMsgs);
  const aloRedis = await storedRows(ALO);
  assert.equal(aloKeys.size, after.size);
  for (const [k, ms] of aloKeys) {
    const as = ms.map(parse);
    for (let i = 1; i < as.length; i++) assert.ok(as[i]!.version > as[i - 1]!.version, `${k}: increasing versions`);
    assert.equal(String(as[as.length - 1]!.version), aloRedis.get(k)!['ver']);
    for (const [i, a] of as.entries()) {
      assert.equal(ms[i]!.value, `{"key":${JSON.stringify(k)},"version":${a.version},"op":"upsert","table":${JSON.stringify(ALO)}}`);
      assert.equal(ms[i]!.headers['freshet-dedup-id'], `${k}@${a.version}`);
    }
  }
  const aloEmbKeys = byKey(await readWithHeaders(aloEmb, 'read_uncommitted'));
  for (const [k, ms] of aloEmbKeys) assert.equal(ms.at(-1)!.value, aloKeys.get(k)!.at(-1)!.value, `${k}: the same last at-least-once message`);
  process.stderr.write(`# changed-keys: ${evs.length} events, ${after.size} keys; Flink ${flinkMsgs.length} exactly-once messages `
    + `(embedded ${embMsgs.length}), ${aloMsgs.length} at-least-once; job ${flinkMs} ms\n`);
});
