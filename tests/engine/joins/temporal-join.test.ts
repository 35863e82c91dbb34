/** Event-time temporal join: version lookup, deletions, waiting for the watermark, clean-up, oracle test with restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import { RowKind } from '../../../src/common/row.js';
import { T } from '../../../src/common/types.js';
import { TemporalJoinOperator } from '../../../src/engine/operators/temporal-join-operator.js';
import type { ProgramOp } from '../../../src/program/program.js';
import type { BExpr } from '../../../src/plan/bound-expr.js';
import {
  applyChanges, assertSameMultiset, attach, batch, cmp, cmpTrue, evalCtx, fields, ins, intCol, keysMatch, makeCtx,
  multiset, nulls, rng, type Change,
} from './support.js';

type TjP = Extract<ProgramOp, { kind: 'temporalJoin' }>;
const LF = fields(['k', T.int()], ['t', T.timestamp(3)], ['v', T.int()]);
const RF = fields(['k', T.int()], ['t', T.timestamp(3)], ['price', T.int()]);

function tjOp(joinType: 'INNER' | 'LEFT', condition?: BExpr) {
  const ctx = makeCtx();
  const p: TjP = {
    kind: 'temporalJoin', id: '3:TemporalJoin', inputs: ['l', 'r'], fields: [...LF, ...RF], updating: false, joinType,
    leftKeys: [0], rightKeys: [0], leftTime: 1, rightTime: 1, ...(condition ? { condition } : {}),
  };
  const op = new TemporalJoinOperator(p, ctx, evalCtx, [LF, RF]);
  const probe = attach(op, ctx);
  const wm = (w: number): void => { op.watermark(w, 0); op.watermark(w, 1); };
  return { op, probe, ctx, wm };
}

const I = (...row: Row): Change => ({ kind: RowKind.Insert, row });
const D = (...row: Row): Change => ({ kind: RowKind.Delete, row });
const UB = (...row: Row): Change => ({ kind: RowKind.UpdateBefore, row });
const UA = (...row: Row): Change => ({ kind: RowKind.UpdateAfter, row });

test('each left row joins the latest version at or before its time, once the watermark passes it', () => {
  for (const type of ['INNER', 'LEFT'] as const) {
    const { op, probe, wm } = tjOp(type);
    op.process(batch([I(1, 10, 100), UB(1, 10, 100), UA(1, 20, 200)]), 1);
    op.process(ins([1, 25, 0], [1, 5, 1], [1, 10, 2], [1, 15, 3], [2, 12, 4], [null, 12, 5]), 0);
    wm(24);
    const pad = type === 'LEFT';
    // Arrival order within a key; key 1 first (its timer, 5, is the earliest).
    assert.deepEqual(probe.take(), [
      ...(pad ? ['+I[1,5,1,null,null,null]'] : []), '+I[1,10,2,1,10,100]', '+I[1,15,3,1,10,100]',
      ...(pad ? ['+I[2,12,4,null,null,null]', '+I[null,12,5,null,null,null]'] : []),
    ]);
    wm(25);
    assert.deepEqual(probe.take(), ['+I[1,25,0,1,20,200]']);
  }
});

test('a deletion ends a version; a later version with the same time replaces the earlier one', () => {
  const { op, probe, wm } = tjOp('LEFT');
  op.process(batch([I(1, 10, 100), D(1, 30, 100), I(1, 40, 400), I(1, 40, 401)]), 1);
  op.process(ins([1, 29, 0], [1, 30, 1], [1, 39, 2], [1, 45, 3]), 0);
  wm(50);
  assert.deepEqual(probe.take(), ['+I[1,29,0,1,10,100]', '+I[1,30,1,null,null,null]', '+I[1,39,2,null,null,null]', '+I[1,45,3,1,40,401]']);
});

test('rows wait for the combined watermark of both inputs', () => {
  const { op, probe } = tjOp('INNER');
  op.process(ins([1, 10, 100]), 1);
  op.process(ins([1, 50, 0]), 0);
  op.watermark(100, 0);
  assert.deepEqual(probe.take(), []);
  op.watermark(49, 1);
  assert.deepEqual(probe.take(), []);
  op.watermark(50, 1);
  assert.deepEqual(probe.take(), ['+I[1,50,0,1,10,100]']);
});

test('versions older than the newest one at or before the watermark are dropped; a late left row sees what is left', () => {
  const { op, probe, wm } = tjOp('LEFT');
  op.process(ins([1, 10, 100], [1, 20, 200], [1, 30, 300], [1, 40, 400]), 1);
  wm(35);
  assert.equal(op.stateSize, 2); // versions 30 and 40 kept
  op.process(ins([1, 12, 0], [1, 33, 1]), 0); // late rows: emitted at the next watermark
  assert.deepEqual(probe.take(), []);
  wm(36);
  assert.deepEqual(probe.take(), ['+I[1,12,0,null,null,null]', '+I[1,33,1,1,30,300]']);
});

test('residual condition: a failing version pads (LEFT) or drops (INNER)', () => {
  for (const type of ['INNER', 'LEFT'] as const) {
    const { op, probe, wm } = tjOp(type, cmp('<', intCol(2), intCol(5)));
    op.process(ins([1, 10, 100]), 1);
    op.process(ins([1, 11, 50], [1, 12, 150], [1, 13, null]), 0);
    wm(Infinity);
    assert.deepEqual(probe.take(), type === 'INNER' ? ['+I[1,11,50,1,10,100]']
      : ['+I[1,11,50,1,10,100]', '+I[1,12,150,null,null,null]', '+I[1,13,null,null,null,null]']);
  }
});

// ---------------------------------------------------------------------------------------------------------------

function oracle(type: 'INNER' | 'LEFT', L: Row[], rightLog: Change[], cond?: (l: Row, r: Row) => boolean): Row[] {
  const versions = new Map<number, Map<number, Row | null>>();
  for (const c of rightLog) {
    if (c.kind === RowKind.UpdateBefore || c.row[0] === null) continue;
    const k = c.row[0] as number;
    let m = versions.get(k);
    if (!m) versions.set(k, (m = new Map()));
    m.set(c.row[1] as number, c.kind === RowKind.Delete ? null : c.row);
  }
  const out: Row[] = [];
  for (const l of L) {
    let best: Row | null = null;
    let bestT = -Infinity;
    const m = l[0] === null ? undefined : versions.get(l[0] as number);
    if (m) for (const [t, v] of m) if (t <= (l[1] as number) && t > bestT) { bestT = t; best = v; }
    if (best !== null && keysMatch(l, [0], best, [0]) && (cond === undefined || cond(l, best))) out.push([...l, ...best]);
    else if (type === 'LEFT') out.push([...l, ...nulls(3)]);
  }
  return out;
}

function runProperty(type: 'INNER' | 'LEFT', seed: number): void {
  const r = rng(seed);
  const withCond = r.chance(0.5);
  const condition = withCond ? cmp('<=', intCol(2), intCol(5)) : undefined;
  const condFn = withCond ? (l: Row, rr: Row) => cmpTrue('<=', l[2], rr[2]) : undefined;
  const main = tjOp(type, condition);
  const L: Row[] = [];
  const rightLog: Change[] = [];
  const alive = new Map<number | null, Row>();
  const sideWm = [1000, 1000];
  main.op.watermark(1000, 0); main.op.watermark(1000, 1);
  const restoreAt = 5 + r.int(40);
  let restored: ReturnType<typeof tjOp> | undefined;
  let mainSeen = 0;
  const feed = (f: (x: ReturnType<typeof tjOp>) => void): void => {
    f(main);
    if (restored) {
      f(restored);
      assert.deepEqual(restored.probe.lines(), main.probe.lines().slice(mainSeen), `seed ${seed}: restored operator diverged`);
    }
  };
  for (let step = 0; step < 60; step++) {
    if (step === restoreAt) {
      restored = tjOp(type, condition);
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
    const changes: Change[] = [];
    for (let i = 1 + r.int(3); i > 0; i--) {
      const k = r.chance(0.1) ? null : 1 + r.int(3);
      const t = sideWm[side]! + 1 + r.int(30);
      const v = r.chance(0.1) ? null : r.int(5);
      if (side === 0) { const row = [k, t, v]; L.push(row); changes.push(I(...row)); continue; }
      const old = alive.get(k);
      if (old === undefined) { const row = [k, t, v]; alive.set(k, row); changes.push(I(...row)); }
      else if (r.chance(0.7)) { const row = [k, t, v]; alive.set(k, row); changes.push(UB(...old), UA(...row)); }
      else { alive.delete(k); changes.push(D(k, t, old[2])); }
    }
    if (side === 1) rightLog.push(...changes);
    feed((x) => x.op.process(batch(changes.map((c) => ({ kind: c.kind, row: [...c.row] }))), side));
  }
  feed((x) => { x.op.watermark(Infinity, 0); x.op.watermark(Infinity, 1); });
  assert.ok(main.probe.log.every((c) => c.kind === RowKind.Insert), 'append-only output');
  assertSameMultiset(applyChanges(new Map(), main.probe.log), multiset(oracle(type, L, rightLog, condFn)), `seed ${seed} ${type}`);
  assert.ok(restored);
  assert.equal(main.ctx.bad.length, 0);
}

for (const type of ['INNER', 'LEFT'] as const) {
  test(`${type} temporal join equals the versioned-table oracle on random in-order input (restore mid-stream)`, () => {
    for (let seed = 1; seed <= 40; seed++) runProperty(type, seed * 65537 + type.length);
  });
}
