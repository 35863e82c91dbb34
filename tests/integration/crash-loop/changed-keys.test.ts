/**
 * The changed-keys topic of the store sinks: option validation (no services needed), and against a Kafka broker
 * with the embedded store: the message format, exactly-once announcements across a crash that falls between the
 * transaction commit and the checkpoint (the restored sink reads back the committed tail and does not announce the
 * replayed versions again), a crash before the commit (the aborted announcements are made by the replay although
 * the store already holds those writes), a second crash after a checkpoint taken inside the committed tail (the
 * checkpoint carries what remains to skip), and at-least-once replays carrying the same dedup id.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../../../src/common/row.js';
import { T } from '../../../src/common/types.js';
import { embeddedKvConnector } from '../../../src/connectors/embedded-kv/embedded-kv-connector.js';
import type { SinkContext } from '../../../src/connectors/connector.js';
import type { KvSink, KvSinkState } from '../../../src/connectors/stores/kv-sink.js';
import { tableContext } from '../../connectors/helpers.js';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, readAll } from '../kafka/kafka-helpers.js';

const fields = [{ name: 'k', type: T.string(false) }, { name: 'n', type: T.bigint() }];

function ctx(options: Record<string, string>): SinkContext {
  return { ...tableContext(fields, { table: 'ck', ...options }), primaryKey: [0], updating: true };
}

const codes = (o: Record<string, string>): string[] =>
  embeddedKvConnector.validate(ctx(o), 'sink').filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message} ${d.hint ?? ""}`);

test('changed-keys options are validated', () => {
  assert.deepEqual(codes({ 'changed-keys.topic': 't', 'changed-keys.bootstrap-servers': 'h:1' }), []);
  assert.deepEqual(codes({ 'changed-keys.topic': 't', 'changed-keys.properties.bootstrap.servers': 'h:1', 'changed-keys.properties.acks': 'all' }), []);
  const missing = codes({ 'changed-keys.topic': 't' });
  assert.equal(missing.length, 1);
  assert.match(missing[0]!, /needs 'changed-keys.bootstrap-servers'/);
  assert.match(codes({ 'changed-keys.values': 'true' })[0]!, /'changed-keys.values' needs 'changed-keys.topic'/);
  assert.match(codes({ 'changed-keys.topic': 't', 'changed-keys.bootstrap-servers': 'h:1', 'changed-keys.values': 'yes' })[0]!, /must be 'true' or 'false'/);
  assert.match(codes({ 'changed-keys.topic': 't', 'changed-keys.bootstrap-servers': 'h:1', 'changed-keys.delivery-guarantee': 'exactly-once' })[0]!,
    /requires 'changed-keys.transactional-id-prefix'/);
  assert.match(codes({ 'changed-keys.topic': 't', 'changed-keys.bootstrap-servers': 'h:1', 'changed-keys.delivery-guarantee': 'twice' })[0]!, /unsupported value 'twice'/);
  assert.match(codes({ 'changed-keys.topic': 'a,b', 'changed-keys.bootstrap-servers': 'h:1' })[0]!, /must name one topic/);
  assert.match(codes({ 'changed-keys.topik': 't' })[0]!, /unknown option 'changed-keys.topik'.*did you mean 'changed-keys.topic'/);
  // Flink's sink parallelism is accepted (the tile writer's on Flink), and checked.
  assert.deepEqual(codes({ 'sink.parallelism': '4' }), []);
  assert.match(codes({ 'sink.parallelism': '0' })[0]!, /sink.parallelism must be a positive integer/);
});

let skip: string | undefined;
before(async () => { skip = await kafkaSkipReason(); });

const upd = (rows: [string, number][]): Batch => ({ rows: rows.map((r) => [...r]), kinds: rows.map(() => 0) } as unknown as Batch);

interface Msg { key: string; version: number; op: string; row?: { k: string; n: number } }

async function announcements(topic: string): Promise<Msg[]> {
  return (await readAll(topic, 'read_committed')).map((m) => JSON.parse(m.value!) as Msg);
}

function sinkOf(dir: string, topic: string, extra: Record<string, string>): KvSink {
  return embeddedKvConnector.createSink!(ctx({
    path: dir, 'changed-keys.topic': topic, 'changed-keys.bootstrap-servers': BOOTSTRAP, 'changed-keys.values': 'true', ...extra,
  })) as KvSink;
}

test('exactly-once: a crash after the commit and before the checkpoint announces nothing twice', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('ck-eo');
  await createTopic(topic, 2);
  const dir = mkdtempSync(join(tmpdir(), 'freshet-ck-'));
  const eo = { 'changed-keys.delivery-guarantee': 'exactly-once', 'changed-keys.transactional-id-prefix': `freshet-test-${topic}` };
  try {
    // Run 1: epoch 1 checkpointed; epoch 2 committed (flush) but its checkpoint never written; epoch 3 written, not committed.
    const s1 = sinkOf(dir, topic, eo);
    await s1.open();
    await s1.write(upd([['a', 1], ['b', 1]]));
    await s1.flush();
    const chk = structuredClone(s1.snapshot()) as KvSinkState;
    await s1.write(upd([['a', 2], ['c', 1]]));
    await s1.flush();
    await s1.write(upd([['b', 2]]));
    // Crash: no close (the open transaction stays open until the next producer with the id fences it).
    const after1 = await announcements(topic);
    assert.deepEqual(after1.map((m) => `${m.key}:${m.row?.n}`).sort(), ['a:1', 'a:2', 'b:1', 'c:1']);
    assert.equal(after1[0]!.op, 'upsert');
    await (s1 as unknown as { changedKeys: { close(): Promise<void> } }).changedKeys.close().catch(() => undefined);
    await s1.store.close();

    // Run 2: restore the epoch-1 checkpoint and replay epochs 2 and 3.
    const s2 = sinkOf(dir, topic, eo);
    await s2.restore(chk);
    await s2.open();
    await s2.write(upd([['a', 2], ['c', 1]])); // committed by run 1: not again
    await s2.write(upd([['b', 2]])); // in the store already, but its announcement was aborted: announce it
    await s2.write(upd([['c', 2]]));
    await s2.close();
    const all = await announcements(topic);
    assert.deepEqual(all.map((m) => `${m.key}:${m.row?.n}`).sort(), ['a:1', 'a:2', 'b:1', 'b:2', 'c:1', 'c:2']);
    const seen = new Set<string>();
    for (const m of all) {
      assert.ok(!seen.has(`${m.key}@${m.version}`), `${m.key}@${m.version} announced twice`);
      seen.add(`${m.key}@${m.version}`);
    }
    const stored = await s2.store.open().then(() => s2.store.multiGet('ck', ['a', 'b', 'c']));
    assert.deepEqual(stored.map((v) => JSON.parse(v!.value).n), [2, 2, 2]);
    await s2.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exactly-once: a checkpoint taken while the replay is still inside the committed tail keeps what is left to skip', async (t) => {
  if (skip) { t.skip(skip); return; }
  // Run 1 commits the announcements of a2, c1, b2 and dies before its checkpoint. Run 2 restores checkpoint 1, reads
  // that committed tail back, replays only a2 and checkpoints (its offsets now lie after the tail), then dies. Run 3
  // restores checkpoint 2: c1 and b2 were committed by run 1, and its read-back (from checkpoint 2's offsets) no
  // longer sees them, so only the checkpoint can tell it not to announce them again.
  const topic = freshTopic('ck-eo2');
  await createTopic(topic, 2);
  const dir = mkdtempSync(join(tmpdir(), 'freshet-ck-'));
  const eo = { 'changed-keys.delivery-guarantee': 'exactly-once', 'changed-keys.transactional-id-prefix': `freshet-test-${topic}` };
  const crash = async (s: KvSink): Promise<void> => {
    await (s as unknown as { changedKeys: { close(): Promise<void> } }).changedKeys.close().catch(() => undefined);
    await s.store.close();
  };
  try {
    const s1 = sinkOf(dir, topic, eo);
    await s1.open();
    await s1.write(upd([['a', 1], ['b', 1]]));
    await s1.flush();
    const chk1 = structuredClone(s1.snapshot()) as KvSinkState;
    await s1.write(upd([['a', 2], ['c', 1]]));
    await s1.write(upd([['b', 2]]));
    await s1.flush(); // committed; the checkpoint after it is never written
    await crash(s1);

    const s2 = sinkOf(dir, topic, eo);
    await s2.restore(chk1);
    await s2.open();
    await s2.write(upd([['a', 2]]));
    await s2.flush();
    const chk2 = structuredClone(s2.snapshot()) as KvSinkState;
    await crash(s2);

    const s3 = sinkOf(dir, topic, eo);
    await s3.restore(chk2);
    await s3.open();
    await s3.write(upd([['c', 1]]));
    await s3.write(upd([['b', 2]]));
    await s3.write(upd([['c', 2]]));
    await s3.close();
    const all = await announcements(topic);
    const ids = all.map((m) => `${m.key}:${m.row?.n}`);
    assert.deepEqual([...ids].sort(), ['a:1', 'a:2', 'b:1', 'b:2', 'c:1', 'c:2'], `announcements: ${ids.join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('at-least-once: announced after each write; a replay repeats with the same dedup id', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('ck-alo');
  await createTopic(topic, 1);
  const dir = mkdtempSync(join(tmpdir(), 'freshet-ck-'));
  try {
    const s1 = sinkOf(dir, topic, {});
    await s1.open();
    const chk = structuredClone(s1.snapshot()) as KvSinkState;
    await s1.write({ rows: [['a', 1], ['a', 1]], kinds: [0, 3] } as unknown as Batch); // insert then delete: one tombstone
    await s1.close();
    const s2 = sinkOf(dir, topic, {});
    await s2.restore(chk);
    await s2.open();
    await s2.write({ rows: [['a', 1], ['a', 1]], kinds: [0, 3] } as unknown as Batch);
    await s2.close();
    const msgs = await announcements(topic);
    assert.equal(msgs.length, 2);
    assert.deepEqual(msgs[0], msgs[1]);
    assert.equal(msgs[0]!.op, 'delete');
    assert.equal(msgs[0]!.row, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
