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
