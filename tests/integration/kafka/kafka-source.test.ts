/**
 * The kafka source against a real broker: a feature query over a 3-partition topic (oracle computed here), halt at
 * a checkpoint and restore (same result as an uninterrupted run), bad records counted and dead-lettered or failing
 * with CONN201, startup modes, the discriminator of multi-type topics and per-row partitions. Skips with the reason
 * when the client is not built or no broker answers (see kafka-helpers.ts).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '../../../src/common/row.js';
import { T } from '../../../src/common/types.js';
import { kafkaConnector } from '../../../src/connectors/kafka/kafka-connector.js';
import type { KafkaSource } from '../../../src/connectors/kafka/kafka-source.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { tableContext } from '../../connectors/helpers.js';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce, type OutMessage } from './kafka-helpers.js';

let skip: string | undefined;
before(async () => { skip = await kafkaSkipReason(); });

interface Ev { user_id: string; amount: number; ts: string }

function events(n: number, users: number, seed: number): Ev[] {
  let s = seed >>> 0;
  const rnd = (): number => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const ms = Date.UTC(2024, 0, 1) + i * 1000;
    out.push({ user_id: `u${Math.floor(rnd() * users)}`, amount: Math.floor(rnd() * 1000), ts: new Date(ms).toISOString().replace('T', ' ').replace('Z', '') });
  }
  return out;
}

const asMessages = (evs: readonly Ev[]): OutMessage[] => evs.map((e) => ({ key: e.user_id, value: JSON.stringify(e) }));

function featureSql(topic: string, extra = ''): string {
  return `
CREATE TABLE ev (user_id STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (
  'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json'${extra});
SELECT user_id, COUNT(*) AS c, SUM(amount) AS total, MAX(amount) AS biggest FROM ev GROUP BY user_id;`;
}

function oracle(evs: readonly Ev[]): string[] {
  const m = new Map<string, [number, number, number]>();
  for (const e of evs) {
    const a = m.get(e.user_id) ?? [0, 0, -1];
    m.set(e.user_id, [a[0] + 1, a[1] + e.amount, Math.max(a[2], e.amount)]);
  }
  return [...m].map(([k, [c, s, b]]) => `${k},${c},${s},${b}`).sort();
}

const render = (rows: readonly Row[]): string[] => rows.map((r) => r.map(String).join(',')).sort();

test('bounded read of a 3-partition topic into a GROUP BY matches the oracle', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('feature');
  await createTopic(topic, 3);
  const evs = events(3000, 40, 1);
  await produce(topic, asMessages(evs));
  const r = await runSql(featureSql(topic));
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.equal(r.summary?.finished, true);
  assert.deepEqual(render(r.results[0]!.rows), oracle(evs));
});

test('halted at a checkpoint and restored: nothing lost or doubled', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('restore');
  await createTopic(topic, 3);
  const evs = events(4000, 25, 2);
  await produce(topic, asMessages(evs));
  const sql = featureSql(topic);
  const ref = await runSql(sql, { batchSize: 100 });
  assert.deepEqual(render(ref.results[0]!.rows), oracle(evs));

  const dir = mkdtempSync(join(tmpdir(), 'freshet-kafka-chk-'));
  try {
    const first = await runSql(sql, { batchSize: 100, checkpointDir: dir, checkpointEveryBatches: 3, haltAfterBatches: 14 });
    assert.equal(first.summary?.finished, false, 'the first run must halt before the end');
    assert.ok((first.summary?.checkpoints ?? 0) >= 2);
    const second = await runSql(sql, { batchSize: 100, checkpointDir: dir, restoreFrom: dir });
    assert.equal(second.summary?.finished, true);
    assert.ok(second.summary?.restoredFrom !== undefined);
    assert.deepEqual(render(second.results[0]!.rows), render(ref.results[0]!.rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed messages are counted and dead-lettered with topic/partition@offset', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('bad');
  await createTopic(topic, 1);
  const good = events(50, 5, 3);
  const msgs = asMessages(good);
  msgs.splice(10, 0, { value: '{"user_id": "u1", "amount": 5, ' }); // offset 10: not JSON
  msgs.splice(20, 0, { value: '{"user_id": "u2", "amount": "lots", "ts": "2024-01-01 00:00:00"}' }); // offset 20: wrong type
  msgs.push({ value: null }); // a tombstone holds no row and is not an error
  await produce(topic, msgs);

  const lenient = await runSql(featureSql(topic, ", 'json.ignore-parse-errors' = 'true'"));
  assert.equal(lenient.summary?.finished, true);
  const m = lenient.summary!.metrics;
  assert.equal(m['badRecords'], 2, JSON.stringify(lenient.summary!.deadLetters));
  const where = lenient.summary!.deadLetters.map((d) => d.operator).join(' | ');
  assert.match(where, new RegExp(`${topic}/0@10`));
  assert.match(where, new RegExp(`${topic}/0@20`));
  // The wrong-typed record is still a row (amount NULL): 51 rows in all, amount sum unchanged.
  const rows = lenient.results[0]!.rows;
  assert.equal(rows.reduce((a, r) => a + Number(r[1]), 0), 51);
  assert.equal(rows.reduce((a, r) => a + Number(r[2]), 0), good.reduce((a, e) => a + e.amount, 0));

  await assert.rejects(runSql(featureSql(topic)), (e: Error) => {
    assert.match(e.message, /CONN201/);
    assert.match(e.message, new RegExp(`${topic}/0@10`));
    assert.match(e.message, /partition 0, offset 10/);
    return true;
  });
});

test('startup modes: specific-offsets and timestamp; bounded specific-offsets', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('modes');
  await createTopic(topic, 2);
  const msgs: OutMessage[] = [];
  for (let i = 0; i < 40; i++) msgs.push({ partition: i % 2, value: JSON.stringify({ user_id: `p${i % 2}`, amount: i, ts: '2024-01-01 00:00:00' }) });
  await produce(topic, msgs);
  // Partition 0 holds amounts 0,2,..,38 at offsets 0..19; partition 1 holds 1,3,..,39.
  const base = (extra: string): string => `
CREATE TABLE ev (user_id STRING, amount INT, ts TIMESTAMP(3)) WITH ('connector' = 'kafka', 'topic' = '${topic}',
  'properties.bootstrap.servers' = '${BOOTSTRAP}', 'format' = 'json', 'scan.bounded.mode' = 'latest-offset'${extra});
SELECT user_id, COUNT(*), SUM(amount) FROM ev GROUP BY user_id;`;
  const specific = await runSql(base(", 'scan.startup.mode' = 'specific-offsets', 'scan.startup.specific-offsets' = 'partition:0,offset:15;partition:1,offset:18'"));
  // p0 offsets 15..19 = amounts 30..38 step 2; p1 offsets 18,19 = amounts 37, 39.
  assert.deepEqual(render(specific.results[0]!.rows), ['p0,5,170', 'p1,2,76']);

  const future = await runSql(base(`, 'scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '${Date.now() + 3_600_000}'`));
  assert.deepEqual(future.results[0]!.rows, []);
  const past = await runSql(base(", 'scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '0'"));
  assert.deepEqual(render(past.results[0]!.rows), ['p0,20,380', 'p1,20,400']);

  const ends = await runSql(base(", 'scan.startup.mode' = 'earliest-offset'").replace("'scan.bounded.mode' = 'latest-offset'",
    "'scan.bounded.mode' = 'specific-offsets', 'scan.bounded.specific-offsets' = 'partition:0,offset:2;partition:1,offset:3'"));
  assert.deepEqual(render(ends.results[0]!.rows), ['p0,2,2', 'p1,3,9']);

  await assert.rejects(runSql(base(", 'properties.group.id' = 'freshet-test-nogroup-" + topic + "'")), /CONN223/);
});

test('discriminator keeps one message type, counts the others; lastPartitions is parallel to the rows', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('multi');
  await createTopic(topic, 3);
  const msgs: OutMessage[] = [];
  for (let i = 0; i < 90; i++) {
    const type = i % 3 === 0 ? 'order' : i % 3 === 1 ? 'click' : 'view';
    msgs.push({ partition: i % 3 === 0 ? (i / 3) % 3 : i % 3, value: JSON.stringify({ type, id: i, meta: { v: i } }) });
  }
  msgs.push({ partition: 1, value: JSON.stringify({ id: 1000 }) }); // no discriminator: another type
  await produce(topic, msgs);
  const ctx = tableContext([{ name: 'id', type: T.int() }, { name: 'type', type: T.string() }], {
    connector: 'kafka', topic, 'properties.bootstrap.servers': BOOTSTRAP, format: 'json',
    'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset',
    'freshet.discriminator': '$.type', 'freshet.discriminator.value': 'order',
  });
  assert.deepEqual(kafkaConnector.validate(ctx, 'source'), []);
  const src = kafkaConnector.createSource!(ctx) as KafkaSource;
  await src.open();
  const ids: number[] = [];
  const byPartition = new Map<number, number[]>();
  for (;;) {
    const rows = await src.poll(7);
    if (rows === null) break;
    const parts = src.lastPartitions();
    assert.equal(parts?.length, rows.length);
    rows.forEach((r, i) => {
      ids.push(r[0] as number);
      const l = byPartition.get(parts![i]!) ?? [];
      l.push(r[0] as number);
      byPartition.set(parts![i]!, l);
    });
  }
  await src.close();
  assert.deepEqual(ids.sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i * 3));
  assert.equal(src.unknownTypes, 61);
  assert.deepEqual(Object.fromEntries(src.unknownTypeCounts), { click: 30, view: 30, '<missing>': 1 });
  // Each order went to partition (i/3) % 3.
  for (const [p, list] of byPartition) for (const id of list) assert.equal((id / 3) % 3, p);
  assert.equal(ctx.reported.length, 0);
});

test('a header discriminator (header:<name>) keeps the messages whose header names the type', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('multi-h');
  await createTopic(topic, 2);
  const msgs: OutMessage[] = [];
  for (let i = 0; i < 40; i++) {
    // The body carries no type: only the header tells them apart (a body field named like the header is ignored).
    const kind = i % 4 === 0 ? 'order' : 'click';
    msgs.push({ partition: i % 2, value: JSON.stringify({ id: i, kind: 'not-this' }), headers: { kind, other: 'x' } });
  }
  msgs.push({ partition: 0, value: JSON.stringify({ id: 1000 }) }); // no header: another type
  msgs.push({ partition: 1, value: JSON.stringify({ id: 1001 }), headers: { kind: 'order' } });
  await produce(topic, msgs);
  const ctx = tableContext([{ name: 'id', type: T.int() }], {
    connector: 'kafka', topic, 'properties.bootstrap.servers': BOOTSTRAP, format: 'json',
    'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset',
    'freshet.discriminator': 'header:kind', 'freshet.discriminator.value': 'order',
  });
  assert.deepEqual(kafkaConnector.validate(ctx, 'source'), []);
  const src = kafkaConnector.createSource!(ctx) as KafkaSource;
  await src.open();
  const ids: number[] = [];
  for (;;) {
    const rows = await src.poll(16);
    if (rows === null) break;
    for (const r of rows) ids.push(r[0] as number);
  }
  await src.close();
  assert.deepEqual(ids.sort((a, b) => a - b), [...Array.from({ length: 10 }, (_, i) => i * 4), 1001]);
  assert.deepEqual(Object.fromEntries(src.unknownTypeCounts), { click: 30, '<missing>': 1 });
  assert.equal(ctx.reported.length, 0);
});
