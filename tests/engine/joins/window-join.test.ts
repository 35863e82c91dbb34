/** Window join: per-window joins for each join type, late rows, NULL keys, and a randomized oracle test with restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import { RowKind } from '../../../src/common/row.js';
import { T } from '../../../src/common/types.js';
import { WindowJoinOperator } from '../../../src/engine/operators/window-join-operator.js';
import type { JoinType, ProgramOp } from '../../../src/program/program.js';
import type { BExpr } from '../../../src/plan/bound-expr.js';
import {
  applyChanges, assertSameMultiset, attach, cmp, cmpTrue, evalCtx, fields, ins, intCol, keysMatch, makeCtx, multiset,
  nulls, rng,
} from './support.js';

type WjP = Extract<ProgramOp, { kind: 'windowJoin' }>;
const LF = fields(['k', T.int()], ['v', T.int()], ['window_start', T.timestamp(3)], ['window_end', T.timestamp(3)]);
const RF = fields(['k', T.int()], ['w', T.int()], ['window_start', T.timestamp(3)], ['window_end', T.timestamp(3)]);

function wjOp(joinType: JoinType, condition?: BExpr) {
  const ctx = makeCtx();
  const p: WjP = {
    kind: 'windowJoin', id: '4:WindowJoin', inputs: ['l', 'r'], fields: [...LF, ...RF], updating: false, joinType,
    leftKeys: [0], rightKeys: [0], leftWindow: { start: 2, end: 3 }, rightWindow: { start: 2, end: 3 },
    ...(condition ? { condition } : {}),
  };
  const op = new WindowJoinOperator(p, ctx, evalCtx, [LF, RF]);
  const probe = attach(op, ctx);
  const wm = (w: number): void => { op.watermark(w, 0); op.watermark(w, 1); };
  return { op, probe, ctx, wm };
}

test('rows of the same window and key join when the watermark reaches window_end - 1', () => {
  const expected: Record<JoinType, string[]> = {
    INNER: ['+I[1,1,0,10,1,5,0,10]', '+I[1,1,0,10,1,6,0,10]'],
    LEFT: ['+I[1,1,0,10,1,5,0,10]', '+I[1,1,0,10,1,6,0,10]', '+I[2,2,0,10,null,null,null,null]', '+I[null,3,0,10,null,null,null,null]'],
    RIGHT: ['+I[1,1,0,10,1,5,0,10]', '+I[1,1,0,10,1,6,0,10]', '+I[null,null,null,null,3,7,0,10]'],
    FULL: ['+I[1,1,0,10,1,5,0,10]', '+I[1,1,0,10,1,6,0,10]', '+I[2,2,0,10,null,null,null,null]',
      '+I[null,3,0,10,null,null,null,null]', '+I[null,null,null,null,3,7,0,10]'],
  };
  for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as JoinType[]) {
    const { op, probe, wm } = wjOp(type);
    op.process(ins([1, 1, 0, 10], [2, 2, 0, 10], [null, 3, 0, 10], [1, 9, 10, 20]), 0);
    op.process(ins([1, 5, 0, 10], [1, 6, 0, 10], [3, 7, 0, 10]), 1);
    wm(8);
    assert.deepEqual(probe.take(), []);
    wm(9);
    assert.deepEqual(probe.take(), expected[type], type);
    assert.equal(op.stateSize, 1);
  }
});

test('rows of an already fired window are dropped and counted', () => {
  const { op, probe, wm, ctx } = wjOp('LEFT');
  wm(9);
  op.process(ins([1, 1, 0, 10], [1, 2, 10, 20]), 0);
  op.process(ins([1, 5, 0, 10]), 1);
  assert.equal(ctx.metrics.get('lateRowsDropped'), 2);
  wm(Infinity);
  assert.deepEqual(probe.take(), ['+I[1,2,10,20,null,null,null,null]']);
  assert.equal(op.stateSize, 0);
});

test('residual condition per pair; FULL pads each side’s unmatched rows once', () => {
  const { op, probe, wm } = wjOp('FULL', cmp('<', intCol(1), intCol(5)));
  op.process(ins([1, 5, 0, 10], [1, 1, 0, 10]), 0);
  op.process(ins([1, 3, 0, 10], [1, 0, 0, 10]), 1);
  wm(Infinity);
  assert.deepEqual(probe.take(), ['+I[1,5,0,10,null,null,null,null]', '+I[1,1,0,10,1,3,0,10]', '+I[null,null,null,null,1,0,0,10]']);
});

// ---------------------------------------------------------------------------------------------------------------

function oracle(type: JoinType, L: Row[], R: Row[], cond?: (l: Row, r: Row) => boolean): Row[] {
  const out: Row[] = [];
  const rm = new Array<boolean>(R.length).fill(false);
  for (const l of L) {
    let any = false;
    R.forEach((r, j) => {
      if (l[3] === r[3] && keysMatch(l, [0], r, [0]) && (cond === undefined || cond(l, r))) { out.push([...l, ...r]); any = true; rm[j] = true; }
    });
    if (!any && (type === 'LEFT' || type === 'FULL')) out.push([...l, ...nulls(4)]);
  }
  if (type === 'RIGHT' || type === 'FULL') R.forEach((r, j) => { if (!rm[j]) out.push([...nulls(4), ...r]); });
  return out;
}

function runProperty(type: JoinType, seed: number): void {
  const r = rng(seed);
  const withCond = r.chance(0.5);
  const condition = withCond ? cmp('<=', intCol(1), intCol(5)) : undefined;
  const condFn = withCond ? (l: Row, rr: Row) => cmpTrue('<=', l[1], rr[1]) : undefined;
  const main = wjOp(type, condition);
  const L: Row[] = [], R: Row[] = [];
  const sideWm = [1000, 1000];
  main.op.watermark(1000, 0); main.op.watermark(1000, 1);
  const restoreAt = 5 + r.int(40);
  let restored: ReturnType<typeof wjOp> | undefined;
  let mainSeen = 0;
  const feed = (f: (x: ReturnType<typeof wjOp>) => void): void => {
    f(main);
    if (restored) {
      f(restored);
      assert.deepEqual(restored.probe.lines(), main.probe.lines().slice(mainSeen), `seed ${seed}: restored operator diverged`);
    }
  };
  for (let step = 0; step < 60; step++) {
    if (step === restoreAt) {
      restored = wjOp(type, condition);
      restored.op.restore(structuredClone(main.op.snapshot()));
      restored.op.restoreBase(structuredClone(main.op.snapshotBase()));
      mainSeen = main.probe.log.length;
    }
    const side = r.int(2);
    if (r.chance(0.3)) {
      sideWm[side]! += r.int(15);
      const w = sideWm[side]!;
      feed((x) => x.op.watermark(w, side));
      continue;
    }
    // HOP(size 20, slide 10) window TVF output: each event appears in the two windows containing it.
    const rows: Row[] = [];
    for (let i = 1 + r.int(3); i > 0; i--) {
      const t = sideWm[side]! + 1 + r.int(30);
      const k = r.chance(0.1) ? null : 1 + r.int(3);
      const v = r.chance(0.1) ? null : r.int(5);
      const s = Math.floor(t / 10) * 10;
      rows.push([k, v, s - 10, s + 10], [k, v, s, s + 20]);
    }
    (side === 0 ? L : R).push(...rows);
    feed((x) => x.op.process(ins(...rows.map((row) => [...row])), side));
  }
  feed((x) => { x.op.watermark(Infinity, 0); x.op.watermark(Infinity, 1); });
  assert.ok(main.probe.log.every((c) => c.kind === RowKind.Insert), 'append-only output');
  assertSameMultiset(applyChanges(new Map(), main.probe.log), multiset(oracle(type, L, R, condFn)), `seed ${seed} ${type}`);
  assert.equal(main.op.stateSize, 0);
  assert.equal(main.ctx.metrics.get('lateRowsDropped'), 0);
  assert.ok(restored);
}

for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as JoinType[]) {
  test(`${type} window join equals the per-window batch oracle on random input (restore mid-stream)`, () => {
    for (let seed = 1; seed <= 40; seed++) runProperty(type, seed * 4099 + type.length);
  });
}
