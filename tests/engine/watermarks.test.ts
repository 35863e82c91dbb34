/** Watermark propagation: minimum over inputs, idle inputs excluded, never moving backwards. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Operator, type OperatorContext } from '../../src/engine/operator.js';
import { UnionOperator } from '../../src/engine/operators/union-operator.js';
import { Metrics } from '../../src/engine/metrics.js';
import type { Batch } from '../../src/common/row.js';

const ctx: OperatorContext = { metrics: new Metrics(), now: () => 0, badRow: () => undefined };

class Probe extends Operator {
  seen: number[] = [];
  process(_b: Batch): void {}
  protected override onWatermark(wm: number): void { this.seen.push(wm); }
}

function setup(): { u: UnionOperator; p: Probe } {
  const u = new UnionOperator('u', [], ctx, 2);
  const p = new Probe('p', [], ctx);
  u.outputs.push({ op: p, input: 0 });
  return { u, p };
}

test('the combined watermark is the minimum over inputs', () => {
  const { u, p } = setup();
  u.watermark(100, 0);
  assert.deepEqual(p.seen, []);
  u.watermark(50, 1);
  assert.deepEqual(p.seen, [50]);
  u.watermark(200, 1);
  assert.deepEqual(p.seen, [50, 100]);
});

test('an idle input does not hold the watermark back, and reactivation never moves it backwards', () => {
  const { u, p } = setup();
  u.watermark(100, 0);
  u.watermark(10, 1);
  assert.deepEqual(p.seen, [10]);
  u.setInputIdle(1, true);
  assert.deepEqual(p.seen, [10, 100]);
  u.watermark(300, 0);
  assert.deepEqual(p.seen, [10, 100, 300]);
  u.setInputIdle(1, false);
  u.watermark(20, 1); // behind the watermark: the combined watermark stays
  u.watermark(400, 0);
  assert.deepEqual(p.seen, [10, 100, 300]);
  u.watermark(350, 1);
  assert.deepEqual(p.seen, [10, 100, 300, 350]);
});

test('an operator whose inputs are all idle reports itself idle downstream', () => {
  const { u, p } = setup();
  const seenIdle: boolean[] = [];
  p.setInputIdle = (input: number, idle: boolean) => { seenIdle.push(idle); Operator.prototype.setInputIdle.call(p, input, idle); };
  u.setInputIdle(0, true);
  assert.deepEqual(seenIdle, []);
  u.setInputIdle(1, true);
  assert.deepEqual(seenIdle, [true]);
  u.setInputIdle(0, false);
  assert.deepEqual(seenIdle, [true, false]);
});

test('a partitioned source holds its watermark until every partition with a backlog has delivered rows', async () => {
  const { compileSql } = await import('../../src/runtime/sql-session.js');
  const { SourceOperator } = await import('../../src/engine/operators/source-operator.js');
  const c = compileSql(`CREATE TABLE ev (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'datagen'); SELECT * FROM ev;`);
  const src = c.program!.operators.find((o) => o.kind === 'source')!;
  if (src.kind !== 'source') throw new Error('no source');
  const op = new SourceOperator(src.id, src.table, ctx, { timeZone: 'UTC', now: () => 0 });
  const wm = (o: object): number => (o as { currentWatermark: number }).currentWatermark;
  const t0 = Date.UTC(2024, 0, 1);
  // The first batch comes from partition 0 only while partitions 1 and 2 still owe their (older) rows.
  op.ingest([['a', t0 + 60_000]], [0], [1, 2]);
  op.flushWatermark();
  assert.equal(wm(op), -Infinity, 'held back by partitions 1 and 2');
  op.ingest([['b', t0 + 1_000]], [1], [2]);
  op.flushWatermark();
  assert.equal(wm(op), -Infinity, 'still held back by partition 2');
  op.ingest([['c', t0 + 5_000]], [2], []);
  op.flushWatermark();
  assert.equal(wm(op), t0 + 1_000 - 1_000, 'the minimum over the three partitions');
  // Without held partitions (e.g. ones that had nothing to read at start) the seen ones decide, as before.
  const op2 = new SourceOperator(src.id, src.table, ctx, { timeZone: 'UTC', now: () => 0 });
  op2.ingest([['a', t0 + 60_000]], [0], []);
  op2.flushWatermark();
  assert.equal(wm(op2), t0 + 59_000);
});
