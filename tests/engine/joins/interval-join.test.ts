/** Interval join: bounds, clean-up and padding by watermark, late rows, and a randomized oracle test with restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import { T } from '../../../src/common/types.js';
import { IntervalJoinOperator } from '../../../src/engine/operators/interval-join-operator.js';
import type { JoinType, ProgramOp } from '../../../src/program/program.js';
import type { BExpr } from '../../../src/plan/bound-expr.js';
import {
  applyChanges, assertSameMultiset, attach, cmp, cmpTrue, evalCtx, fields, ins, intCol, keysMatch, makeCtx, multiset,
  nulls, rng,
} from './support.js';

type IvP = Extract<ProgramOp, { kind: 'intervalJoin' }>;
const LF = fields(['k', T.int()], ['t', T.timestamp(3)], ['v', T.int()]);
const RF = fields(['k', T.int()], ['t', T.timestamp(3)], ['w', T.int()]);

function ivOp(joinType: JoinType, lowerMs: number, upperMs: number, condition?: BExpr) {
  const ctx = makeCtx();
  const p: IvP = {
    kind: 'intervalJoin', id: '2:IntervalJoin', inputs: ['l', 'r'], fields: [...LF, ...RF], updating: false, joinType,
    leftKeys: [0], rightKeys: [0], leftTime: 1, rightTime: 1, lowerMs, upperMs, ...(condition ? { condition } : {}),
  };
  const op = new IntervalJoinOperator(p, ctx, evalCtx, [LF, RF]);
  const probe = attach(op, ctx);
  const wm = (w: number): void => { op.watermark(w, 0); op.watermark(w, 1); };
  return { op, probe, ctx, wm };
}

test('bounds are inclusive: r.t + lower <= l.t <= r.t + upper', () => {
  const { op, probe } = ivOp('INNER', -5, 10);
  op.process(ins([1, 100, 0]), 0);
  op.process(ins([1, 89, 1], [1, 90, 2], [1, 95, 3], [1, 105, 4], [1, 106, 5], [2, 100, 6]), 1);
  assert.deepEqual(probe.take(), ['+I[1,100,0,1,90,2]', '+I[1,100,0,1,95,3]', '+I[1,100,0,1,105,4]']);
  op.process(ins([1, 96, 7]), 0); // matches right rows in [86, 101]
  assert.deepEqual(probe.take(), ['+I[1,96,7,1,89,1]', '+I[1,96,7,1,90,2]', '+I[1,96,7,1,95,3]']);
  assert.equal(op.outputWatermarkDelay, 10);
});

test('left join pads an unmatched left row when the watermark passes t + leftRel, not before', () => {
  const { op, probe, wm } = ivOp('LEFT', -5, 10);
  op.process(ins([1, 100, 0], [null, 100, 1]), 0);
  wm(105);
  assert.deepEqual(probe.take(), []);
  op.process(ins([1, 106, 9]), 1); // right at 106: 106 - 5 = 101 > 100, no match
  wm(106);
  assert.deepEqual(probe.take(), ['+I[1,100,0,null,null,null]', '+I[null,100,1,null,null,null]']);
  wm(Infinity);
  assert.deepEqual(probe.take(), []);
  assert.equal(op.stateSize, 0);
});

test('a matched left row is not padded; right and full joins pad right rows at clean-up', () => {
  const { op, probe, wm } = ivOp('FULL', 0, 0); // equal times
  op.process(ins([1, 100, 0], [1, 101, 1]), 0);
  op.process(ins([1, 100, 5], [1, 102, 6]), 1);
  assert.deepEqual(probe.take(), ['+I[1,100,0,1,100,5]']);
  wm(101);
  assert.deepEqual(probe.take(), []);
  wm(102); // rows at <= 101 expire on both sides
  assert.deepEqual(probe.take(), ['+I[1,101,1,null,null,null]']);
  wm(103);
  assert.deepEqual(probe.take(), ['+I[null,null,null,1,102,6]']);
});

test('residual condition filters pairs; rows failing it are padded in outer joins', () => {
  const { op, probe, wm } = ivOp('RIGHT', -10, 10, cmp('<', intCol(2), intCol(5)));
  op.process(ins([1, 100, 5]), 0);
  op.process(ins([1, 100, 3], [1, 100, 8]), 1);
  assert.deepEqual(probe.take(), ['+I[1,100,5,1,100,8]']);
  wm(Infinity);
  assert.deepEqual(probe.take(), ['+I[null,null,null,1,100,3]']);
});

test('late rows still join what is cached, are not cached, and are padded at once when unmatched', () => {
  const { op, probe, wm } = ivOp('LEFT', -5, 10);
  wm(190);
  op.process(ins([1, 195, 1]), 1); // cached: 190 < 195 + 10
  wm(200);
  op.process(ins([1, 190, 0]), 0); // late (190 <= 200) but its range [180, 195] holds the cached right row
  assert.deepEqual(probe.take(), ['+I[1,190,0,1,195,1]']);
  op.process(ins([1, 150, 2]), 0); // late, nothing cached in [140, 155], no future right row can match
  assert.deepEqual(probe.take(), ['+I[1,150,2,null,null,null]']);
  op.process(ins([1, 198, 3]), 0); // late but a future right row (> 200) may still match [188, 203]: cached
  assert.deepEqual(probe.take(), ['+I[1,198,3,1,195,1]']);
  op.process(ins([1, 201, 4]), 1);
  assert.deepEqual(probe.take(), ['+I[1,198,3,1,201,4]']);
  wm(Infinity);
  assert.deepEqual(probe.take(), []);
});

test('a bound excluding zero (left strictly after right) pads a non-cacheable unmatched row immediately', () => {
  // r.t + 5 <= l.t <= r.t + 20: leftRel = -5, so a left row at t can only match right rows at <= t - 5.
  const { op, probe, wm } = ivOp('LEFT', 5, 20);
  op.process(ins([1, 90, 9]), 1);
  wm(97);
  op.process(ins([1, 101, 0]), 0); // not late, joins right 90..96; 97 >= 101 - 5 so no future right row can match
  assert.deepEqual(probe.take(), ['+I[1,101,0,1,90,9]']);
  op.process(ins([1, 102, 1]), 0);
  assert.deepEqual(probe.take(), ['+I[1,102,1,1,90,9]']);
  op.process(ins([2, 102, 2], [3, 103, 3]), 0); // key 3 at 103 may still meet a right row at 98: cached
  assert.deepEqual(probe.take(), ['+I[2,102,2,null,null,null]']);
  wm(99);
  assert.deepEqual(probe.take(), ['+I[3,103,3,null,null,null]']);
});

// ---------------------------------------------------------------------------------------------------------------

function oracle(type: JoinType, L: Row[], R: Row[], lower: number, upper: number, cond?: (l: Row, r: Row) => boolean): Row[] {
  const out: Row[] = [];
  const rm = new Array<boolean>(R.length).fill(false);
  for (const l of L) {
    let any = false;
    R.forEach((r, j) => {
      const lt = l[1] as number, rt = r[1] as number;
      if (keysMatch(l, [0], r, [0]) && rt + lower <= lt && lt <= rt + upper && (cond === undefined || cond(l, r))) {
        out.push([...l, ...r]); any = true; rm[j] = true;
      }
    });
    if (!any && (type === 'LEFT' || type === 'FULL')) out.push([...l, ...nulls(3)]);
  }
  if (type === 'RIGHT' || type === 'FULL') R.forEach((r, j) => { if (!rm[j]) out.push([...nulls(3), ...r]); });
  return out;
}

function runProperty(type: JoinType, seed: number): void {
  const r = rng(seed);
  const lower = -15 + r.int(20);
  const upper = lower + r.int(20);
  const withCond = r.chance(0.5);
  const condition = withCond ? cmp('<=', intCol(2), intCol(5)) : undefined;
  const condFn = withCond ? (l: Row, rr: Row) => cmpTrue('<=', l[2], rr[2]) : undefined;
  const main = ivOp(type, lower, upper, condition);
  const L: Row[] = [], R: Row[] = [];
  const sideWm = [1000, 1000];
  main.op.watermark(1000, 0); main.op.watermark(1000, 1);
  const restoreAt = 5 + r.int(40);
  let restored: ReturnType<typeof ivOp> | undefined;
  const feed = (f: (x: ReturnType<typeof ivOp>) => void): void => {
    f(main);
    if (restored) {
      f(restored);
      assert.deepEqual(restored.probe.lines(), main.probe.lines().slice(mainSeen), `seed ${seed}: restored operator diverged`);
    }
  };
  let mainSeen = 0;
  for (let step = 0; step < 60; step++) {
    if (step === restoreAt) {
      restored = ivOp(type, lower, upper, condition);
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
    const rows: Row[] = [];
    for (let i = 1 + r.int(3); i > 0; i--) {
      rows.push([r.chance(0.1) ? null : 1 + r.int(3), sideWm[side]! + 1 + r.int(30), r.chance(0.1) ? null : r.int(5)]);
    }
    (side === 0 ? L : R).push(...rows);
    feed((x) => x.op.process(ins(...rows.map((row) => [...row])), side));
  }
  feed((x) => { x.op.watermark(Infinity, 0); x.op.watermark(Infinity, 1); });
  const out = applyChanges(new Map(), main.probe.log);
  assert.ok(main.probe.log.every((c) => c.kind === 0), 'append-only output');
  assertSameMultiset(out, multiset(oracle(type, L, R, lower, upper, condFn)), `seed ${seed} ${type} [${lower}, ${upper}]`);
  assert.equal(main.op.stateSize, 0, 'all state cleaned at the end');
  assert.ok(restored);
  assert.equal(main.ctx.bad.length, 0);
}

for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as JoinType[]) {
  test(`${type} interval join equals the batch oracle on random in-order input (restore mid-stream)`, () => {
    for (let seed = 1; seed <= 40; seed++) runProperty(type, seed * 31337 + type.length);
  });
}
