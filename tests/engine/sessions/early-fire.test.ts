/**
 * Early firing: partial results are emitted before windows end (count and processing-time delay triggers), and the
 * materialized output converges to exactly the result without early firing — for TUMBLE/HOP/CUMULATE and SESSION.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import { T } from '../../../src/common/types.js';
import { earlyFirePolicy } from '../../../src/engine/early-fire.js';
import { WindowAggregateOperator } from '../../../src/engine/operators/window-aggregate-operator.js';
import type { EarlyFire } from '../../../src/program/program.js';
import type { WindowSpec } from '../../../src/plan/logical-plan.js';
import { I, UA, UB, View, attach, makeCtx, materialize, sortedJson, transfer, type Probe, type TestCtx } from '../ranks/harness.js';
import { AGGS, FIELDS, make as makeSession, randomSteps, sessionOp, type Step } from './session-support.js';

const OUT = [FIELDS[0]!, { name: 'c', type: T.bigint(false) }, { name: 's', type: T.int() }, { name: 'm', type: T.int() },
  { name: 'window_start', type: T.timestamp(3) }, { name: 'window_end', type: T.timestamp(3) }, { name: 'window_time', type: T.timestamp(3) }];

const WINDOWS: WindowSpec[] = [
  { kind: 'TUMBLE', timeCol: 2, size: 10_000, offset: 0, procTime: false },
  { kind: 'HOP', timeCol: 2, size: 30_000, slide: 10_000, offset: 0, procTime: false },
  { kind: 'CUMULATE', timeCol: 2, size: 30_000, step: 10_000, offset: 0, procTime: false },
];

interface Runnable {
  process(b: { rows: Row[]; kinds: number[] }): void;
  watermark(wm: number, input: number): void;
  onProcessingTime(now: number): void;
}

function windowAgg(w: WindowSpec, early?: EarlyFire): { op: WindowAggregateOperator; probe: Probe; ctx: TestCtx } {
  const ctx = makeCtx();
  const op = new WindowAggregateOperator('3:WindowAggregate', OUT, ctx, FIELDS, w, [0], AGGS, early);
  return { op, probe: attach(op), ctx };
}

/** Feeds steps; the fake clock advances 400 ms per batch and onProcessingTime is called after each, as the runner does. */
function drive(op: Runnable, ctx: TestCtx, steps: Step[], end = true): void {
  for (const s of steps) {
    op.process({ rows: s.rows, kinds: s.rows.map(() => I) });
    ctx.clock.t += 400;
    op.onProcessingTime(ctx.clock.t);
    op.watermark(s.wm, 0);
  }
  if (end) op.watermark(Infinity, 0);
}

/** Rows that were emitted before their window's end was reached by the watermark (i.e. early). */
function earlyEmissions(p: Probe, endCol: number): number {
  let n = 0, w = 0;
  for (let i = 0; i < p.rows.length; i++) {
    while (w < p.rowsAtWm.length && p.rowsAtWm[w]! <= i) w++;
    const wmBefore = w === 0 ? -Infinity : p.wms[w - 1]!;
    if ((p.rows[i]![endCol] as number) - 1 > wmBefore) n++;
  }
  return n;
}

test('early-fire policy: delay 0 fires on every row (count 1), absent or non-positive means off', () => {
  assert.deepEqual(earlyFirePolicy({ delayMs: 0 }), { delayMs: 0, count: 1 });
  assert.deepEqual(earlyFirePolicy({ delayMs: 1000, count: 5 }), { delayMs: 1000, count: 5 });
  assert.equal(earlyFirePolicy({}), undefined);
  assert.equal(earlyFirePolicy(undefined), undefined);
});

test('count trigger on TUMBLE: +I then -U/+U, final unchanged result not re-emitted', () => {
  const { op, probe } = windowAgg(WINDOWS[0]!, { count: 2 });
  op.process({ rows: [['a', 1, 100], ['a', 2, 200], ['a', 3, 300]], kinds: [I, I, I] });
  op.process({ rows: [['a', 4, 400]], kinds: [I] });
  op.watermark(Infinity, 0);
  assert.deepEqual(probe.changes(), [
    '+I["a",2,3,2,0,10000,9999]',
    '-U["a",2,3,2,0,10000,9999]', '+U["a",4,10,4,0,10000,9999]',
  ]);
  const q = windowAgg(WINDOWS[0]!, { count: 2 });
  q.op.process({ rows: [['a', 1, 100], ['a', 2, 200], ['a', 3, 300]], kinds: [I, I, I] });
  q.op.watermark(Infinity, 0);
  assert.deepEqual(q.probe.changes(), ['+I["a",2,3,2,0,10000,9999]', '-U["a",2,3,2,0,10000,9999]', '+U["a",3,6,3,0,10000,9999]']);
});

for (const w of WINDOWS) {
  for (const early of [{ count: 3 }, { delayMs: 1000 }, { delayMs: 700, count: 5 }, { delayMs: 0 }] as EarlyFire[]) {
    test(`property: ${w.kind} with early fire ${JSON.stringify(early)} converges to the non-early result`, () => {
      let earlyTotal = 0;
      for (let seed = 1; seed <= 6; seed++) {
        const steps = randomSteps(seed, 9000, 2000, 40);
        const plain = windowAgg(w);
        drive(plain.op, plain.ctx, steps);
        assert.ok(plain.probe.kinds.every((k) => k === I), 'without early firing the output stays append-only');
        const e = windowAgg(w, early);
        drive(e.op, e.ctx, steps);
        assert.deepEqual(materialize(e.probe.rows, e.probe.kinds), sortedJson(plain.probe.rows), `seed ${seed}`);
        assert.equal(e.ctx.metrics.get('lateRowsDropped'), plain.ctx.metrics.get('lateRowsDropped'));
        earlyTotal += earlyEmissions(e.probe, 5);
        assert.ok(e.probe.kinds.some((k) => k === UB) && e.probe.kinds.some((k) => k === UA), 'updates were emitted');
      }
      assert.ok(earlyTotal > 0, 'partial results were emitted before windows ended');
    });
  }
}

for (const early of [{ count: 2 }, { delayMs: 1000 }, { delayMs: 0 }] as EarlyFire[]) {
  test(`property: SESSION with early fire ${JSON.stringify(early)} converges to the non-early result`, () => {
    let earlyTotal = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const steps = randomSteps(seed, 9000, 1000, 40);
      const plain = makeSession(sessionOp());
      drive(plain.op, plain.ctx, steps);
      const e = makeSession(sessionOp({ earlyFire: early }));
      drive(e.op, e.ctx, steps);
      // The view never sees a retraction of a row it does not hold (View asserts it).
      const v = new View();
      v.apply(e.probe.rows, e.probe.kinds);
      assert.deepEqual(v.rows(), sortedJson(plain.probe.rows), `seed ${seed}`);
      earlyTotal += earlyEmissions(e.probe, 5);
    }
    assert.ok(earlyTotal > 0);
  });
}

test('SESSION early fire: merging sessions retracts the partial rows of the merged sessions', () => {
  const { op, probe } = makeSession(sessionOp({ earlyFire: { count: 1 } }));
  op.process({ rows: [['a', 1, 0], ['a', 2, 20_000], ['a', 3, 10_000]], kinds: [I, I, I] });
  op.watermark(Infinity, 0);
  // [10000,15000) touches neither [0,5000) nor [20000,25000): three sessions, nothing retracted.
  assert.ok(probe.kinds.every((k) => k === I));
  assert.deepEqual(materialize(probe.rows, probe.kinds), [
    '["a",1,1,1,0,5000,4999]', '["a",1,2,2,20000,25000,24999]', '["a",1,3,3,10000,15000,14999]',
  ]);
  const m = makeSession(sessionOp({ earlyFire: { count: 1 } }));
  m.op.process({ rows: [['a', 1, 0], ['a', 2, 8000], ['a', 3, 4000]], kinds: [I, I, I] });
  m.op.watermark(Infinity, 0);
  assert.deepEqual(m.probe.changes(), [
    '+I["a",1,1,1,0,5000,4999]',
    '+I["a",1,2,2,8000,13000,12999]',
    '-D["a",1,2,2,8000,13000,12999]', '-U["a",1,1,1,0,5000,4999]', '+U["a",3,6,3,0,13000,12999]',
  ]);
});

test('early fire state survives snapshot and restore (identical output)', () => {
  const steps = randomSteps(11, 9000, 2000, 40);
  const whole = windowAgg(WINDOWS[1]!, { count: 2, delayMs: 1000 });
  drive(whole.op, whole.ctx, steps);
  const a = windowAgg(WINDOWS[1]!, { count: 2, delayMs: 1000 });
  drive(a.op, a.ctx, steps.slice(0, 20), false);
  const b = windowAgg(WINDOWS[1]!, { count: 2, delayMs: 1000 });
  transfer(a.op, b.op);
  b.ctx.clock.t = a.ctx.clock.t;
  drive(b.op, b.ctx, steps.slice(20));
  assert.deepEqual([...a.probe.changes(), ...b.probe.changes()], whole.probe.changes());

  const ws = makeSession(sessionOp({ earlyFire: { count: 2, delayMs: 1000 } }));
  drive(ws.op, ws.ctx, steps);
  const sa = makeSession(sessionOp({ earlyFire: { count: 2, delayMs: 1000 } }));
  drive(sa.op, sa.ctx, steps.slice(0, 20), false);
  const sb = makeSession(sessionOp({ earlyFire: { count: 2, delayMs: 1000 } }));
  transfer(sa.op, sb.op);
  sb.ctx.clock.t = sa.ctx.clock.t;
  drive(sb.op, sb.ctx, steps.slice(20));
  assert.deepEqual([...sa.probe.changes(), ...sb.probe.changes()], ws.probe.changes());
});
