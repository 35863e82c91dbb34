/** Regular streaming join: hand cases for each join type, TTL, and a randomized changelog property test with restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import { RowKind } from '../../../src/common/row.js';
import { T } from '../../../src/common/types.js';
import { JoinOperator } from '../../../src/engine/operators/join-operator.js';
import type { JoinType, ProgramOp, StateTtl } from '../../../src/program/program.js';
import type { BExpr } from '../../../src/plan/bound-expr.js';
import {
  applyChanges, assertSameMultiset, attach, batch, cmp, cmpTrue, evalCtx, fields, intCol, keysMatch, makeCtx,
  multiset, nulls, rng, type Change, type TestCtx,
} from './support.js';

type JoinP = Extract<ProgramOp, { kind: 'join' }>;

const LF = fields(['k', T.int()], ['v', T.int()]);
const RF = fields(['k', T.int()], ['w', T.int()]);

function joinOp(joinType: JoinType, opts: { condition?: BExpr; ttl?: StateTtl; leftUniqueKeys?: number[]; rightUniqueKeys?: number[];
  lf?: typeof LF; rf?: typeof RF; leftKeys?: number[]; rightKeys?: number[] } = {}, ctx: TestCtx = makeCtx()) {
  const lf = opts.lf ?? LF, rf = opts.rf ?? RF;
  const p: JoinP = {
    kind: 'join', id: '1:Join', inputs: ['l', 'r'], fields: [...lf, ...rf], updating: true, joinType,
    leftKeys: opts.leftKeys ?? [0], rightKeys: opts.rightKeys ?? [0],
    ...(opts.condition ? { condition: opts.condition } : {}),
    ...(opts.ttl ? { ttl: opts.ttl } : {}),
    ...(opts.leftUniqueKeys ? { leftUniqueKeys: opts.leftUniqueKeys } : {}),
    ...(opts.rightUniqueKeys ? { rightUniqueKeys: opts.rightUniqueKeys } : {}),
  };
  const op = new JoinOperator(p, ctx, evalCtx, [lf, rf]);
  const probe = attach(op, ctx);
  return { op, probe, ctx, p };
}

const I = (...row: Row): Change => ({ kind: RowKind.Insert, row });
const D = (...row: Row): Change => ({ kind: RowKind.Delete, row });
const UB = (...row: Row): Change => ({ kind: RowKind.UpdateBefore, row });
const UA = (...row: Row): Change => ({ kind: RowKind.UpdateAfter, row });

test('inner join: duplicates multiply, NULL keys never match, input row kinds are forwarded', () => {
  const { op, probe } = joinOp('INNER');
  op.process(batch([I(1, 10), I(1, 10), I(null, 5)]), 0);
  assert.deepEqual(probe.take(), []);
  op.process(batch([I(1, 7), I(null, 5), I(2, 0)]), 1);
  assert.deepEqual(probe.take(), ['+I[1,10,1,7]', '+I[1,10,1,7]']);
  op.process(batch([UB(1, 10), UA(1, 11)]), 0);
  assert.deepEqual(probe.take(), ['-U[1,10,1,7]', '+U[1,11,1,7]']);
  op.process(batch([D(1, 7)]), 1);
  assert.deepEqual(probe.take(), ['-D[1,10,1,7]', '-D[1,11,1,7]']);
  assert.equal(op.stateSize, 3); // left (1,10), (1,11); right (2,0); NULL-key rows are never stored
});

test('left join pads, un-pads on the first match and re-pads when the last match goes', () => {
  const { op, probe } = joinOp('LEFT');
  op.process(batch([I(1, 10)]), 0);
  assert.deepEqual(probe.take(), ['+I[1,10,null,null]']);
  op.process(batch([I(1, 7)]), 1);
  assert.deepEqual(probe.take(), ['-D[1,10,null,null]', '+I[1,10,1,7]']);
  op.process(batch([I(1, 8)]), 1);
  assert.deepEqual(probe.take(), ['+I[1,10,1,8]']);
  op.process(batch([D(1, 7)]), 1);
  assert.deepEqual(probe.take(), ['-D[1,10,1,7]']);
  // A retraction from the non-preserved side keeps its kind (-U); the accumulation that re-matches is +I (as Flink).
  op.process(batch([UB(1, 8), UA(1, 9)]), 1);
  assert.deepEqual(probe.take(), ['-U[1,10,1,8]', '+I[1,10,null,null]', '-D[1,10,null,null]', '+I[1,10,1,9]']);
  op.process(batch([D(1, 10)]), 0);
  assert.deepEqual(probe.take(), ['-D[1,10,1,9]']);
  op.process(batch([I(null, 3)]), 0);
  assert.deepEqual(probe.take(), ['+I[null,3,null,null]']);
  op.process(batch([D(null, 3)]), 0);
  assert.deepEqual(probe.take(), ['-D[null,3,null,null]']);
});

test('right join is the mirror image of left join', () => {
  const { op, probe } = joinOp('RIGHT');
  op.process(batch([I(1, 7)]), 1);
  assert.deepEqual(probe.take(), ['+I[null,null,1,7]']);
  op.process(batch([I(1, 10), I(1, 10)]), 0);
  assert.deepEqual(probe.take(), ['-D[null,null,1,7]', '+I[1,10,1,7]', '+I[1,10,1,7]']);
  op.process(batch([D(1, 10)]), 0);
  assert.deepEqual(probe.take(), ['-D[1,10,1,7]']);
  op.process(batch([D(1, 10)]), 0);
  assert.deepEqual(probe.take(), ['-D[1,10,1,7]', '+I[null,null,1,7]']);
});

test('full join with a residual condition pads both sides and tracks associations per row', () => {
  // ON l.k = r.k AND l.v < r.w
  const { op, probe } = joinOp('FULL', { condition: cmp('<', intCol(1), intCol(3)) });
  op.process(batch([I(1, 5), I(1, 20)]), 0);
  assert.deepEqual(probe.take(), ['+I[1,5,null,null]', '+I[1,20,null,null]']);
  op.process(batch([I(1, 10)]), 1); // matches (1,5) only
  assert.deepEqual(probe.take(), ['-D[1,5,null,null]', '+I[1,5,1,10]']);
  op.process(batch([I(1, 3)]), 1); // matches nothing
  assert.deepEqual(probe.take(), ['+I[null,null,1,3]']);
  op.process(batch([I(1, null)]), 0); // NULL in the condition: no match
  assert.deepEqual(probe.take(), ['+I[1,null,null,null]']);
  op.process(batch([I(1, 1)]), 0); // matches both right rows
  assert.deepEqual(probe.take(), ['-D[null,null,1,3]', '+I[1,1,1,10]', '+I[1,1,1,3]']);
  op.process(batch([D(1, 1)]), 0);
  assert.deepEqual(probe.take(), ['-D[1,1,1,10]', '-D[1,1,1,3]', '+I[null,null,1,3]']);
  op.process(batch([D(1, 10)]), 1);
  assert.deepEqual(probe.take(), ['-D[1,5,1,10]', '+I[1,5,null,null]']);
});

test('state TTL expires rows not written for ttl ms (reads do not refresh) and counts them', () => {
  const { op, probe, ctx } = joinOp('INNER', { ttl: { leftMs: 100 } });
  ctx.clock = 0;
  op.process(batch([I(1, 10)]), 0);
  ctx.clock = 50;
  op.process(batch([I(1, 7)]), 1);
  assert.deepEqual(probe.take(), ['+I[1,10,1,7]']);
  ctx.clock = 99;
  op.process(batch([I(1, 8)]), 1);
  assert.deepEqual(probe.take(), ['+I[1,10,1,8]']);
  ctx.clock = 100; // left row written at 0 expires at 0 + 100
  op.process(batch([I(1, 9)]), 1);
  assert.deepEqual(probe.take(), []);
  assert.equal(ctx.metrics.get('stateExpired'), 1);
  // Right side has no TTL: a new left row still sees all right rows.
  op.process(batch([I(1, 1)]), 0);
  assert.deepEqual(probe.take(), ['+I[1,1,1,7]', '+I[1,1,1,8]', '+I[1,1,1,9]']);
  // Re-inserting an expired row starts it afresh.
  ctx.clock = 1000;
  op.process(batch([I(1, 1)]), 0);
  assert.equal(ctx.metrics.get('stateExpired'), 2);
  assert.deepEqual(probe.take(), ['+I[1,1,1,7]', '+I[1,1,1,8]', '+I[1,1,1,9]']);
  assert.equal(op.stateSize, 4);
});

test('TTL on an outer side: association updates are writes and refresh the row', () => {
  const { op, probe, ctx } = joinOp('LEFT', { ttl: { ms: 100 } });
  ctx.clock = 0;
  op.process(batch([I(1, 10)]), 0);
  ctx.clock = 80;
  op.process(batch([I(1, 7)]), 1); // association 0 -> 1 rewrites the left row at 80
  assert.deepEqual(probe.take(), ['+I[1,10,null,null]', '-D[1,10,null,null]', '+I[1,10,1,7]']);
  ctx.clock = 150;
  op.process(batch([I(1, 8)]), 1); // left row alive until 180
  assert.deepEqual(probe.take(), ['+I[1,10,1,8]']);
  ctx.clock = 300; // everything expired, swept
  op.process(batch([I(2, 2)]), 1);
  assert.equal(op.stateSize, 1);
  assert.equal(ctx.metrics.get('stateExpired'), 3);
});

test('a unique key identifies the stored row; a retraction removes by unique key', () => {
  const lf = fields(['id', T.int()], ['k', T.int()], ['v', T.int()]);
  const { op, probe } = joinOp('INNER', { lf, leftKeys: [1], leftUniqueKeys: [0] });
  op.process(batch([I(1, 5, 100), I(2, 5, 200)]), 0);
  op.process(batch([I(5, 0)]), 1);
  assert.deepEqual(probe.take(), ['+I[1,5,100,5,0]', '+I[2,5,200,5,0]']);
  op.process(batch([UB(1, 5, 100), UA(1, 5, 101)]), 0);
  assert.deepEqual(probe.take(), ['-U[1,5,100,5,0]', '+U[1,5,101,5,0]']);
  op.process(batch([I(5, 1)]), 1); // the updated row was re-added, so it comes last
  assert.deepEqual(probe.take(), ['+I[2,5,200,5,1]', '+I[1,5,101,5,1]']);
});

test('snapshot is structured-clone-able and restores TTL bookkeeping', () => {
  const { op, ctx } = joinOp('FULL', { ttl: { ms: 50 } });
  op.process(batch([I(1, 10), I(2, 20)]), 0);
  ctx.clock = 10;
  op.process(batch([I(1, 7)]), 1);
  const snap = structuredClone(op.snapshot());
  const b = joinOp('FULL', { ttl: { ms: 50 } });
  b.op.restore(snap);
  b.ctx.clock = 55; // left (2,20) written at 0 is gone; (1,10) rewritten at 10 is alive
  b.op.process(batch([I(2, 1), I(1, 8)]), 1);
  assert.deepEqual(b.probe.take(), ['+I[null,null,2,1]', '+I[1,10,1,8]']);
});

// ---------------------------------------------------------------------------------------------------------------
// Property test: random valid changelogs on both sides; after every batch the materialized output equals the batch
// join of the materialized inputs; a snapshot/restore mid-stream continues with identical output.

interface Shape { lf: typeof LF; rf: typeof RF; leftKeys: number[]; rightKeys: number[]; leftUniqueKeys?: number[]; rightUniqueKeys?: number[] }

function oracle(type: JoinType, L: Row[], R: Row[], s: Shape, cond: ((l: Row, r: Row) => boolean) | undefined): Row[] {
  const out: Row[] = [];
  const lw = s.lf.length, rw = s.rf.length;
  const rMatched = new Array<boolean>(R.length).fill(false);
  for (const l of L) {
    let any = false;
    R.forEach((r, j) => {
      if (keysMatch(l, s.leftKeys, r, s.rightKeys) && (cond === undefined || cond(l, r))) { out.push([...l, ...r]); any = true; rMatched[j] = true; }
    });
    if (!any && (type === 'LEFT' || type === 'FULL')) out.push([...l, ...nulls(rw)]);
  }
  if (type === 'RIGHT' || type === 'FULL') R.forEach((r, j) => { if (!rMatched[j]) out.push([...nulls(lw), ...r]); });
  return out;
}

function removeOne(rows: Row[], row: Row): void {
  const i = rows.findIndex((r) => JSON.stringify(r) === JSON.stringify(row));
  assert.ok(i >= 0);
  rows.splice(i, 1);
}

function runProperty(type: JoinType, seed: number, withCond: boolean, unique: boolean): void {
  const r = rng(seed);
  // Rows: plain shape [k, v] / [k, w]; unique shape [id, k, v] with id the left/right unique key.
  const shape: Shape = unique
    ? { lf: fields(['id', T.int()], ['k', T.int()], ['v', T.int()]), rf: fields(['id', T.int()], ['k', T.int()], ['w', T.int()]),
      leftKeys: [1], rightKeys: [1], leftUniqueKeys: [0], rightUniqueKeys: [0] }
    : { lf: LF, rf: RF, leftKeys: [0], rightKeys: [0] };
  const vi = unique ? 2 : 1;
  const condition = withCond ? cmp('<=', intCol(vi), intCol(shape.lf.length + vi)) : undefined;
  const condFn = withCond ? (l: Row, rr: Row) => cmpTrue('<=', l[vi], rr[vi]) : undefined;
  const mk = () => joinOp(type, { lf: shape.lf, rf: shape.rf, leftKeys: shape.leftKeys, rightKeys: shape.rightKeys,
    ...(condition ? { condition } : {}),
    ...(unique ? { leftUniqueKeys: [0], rightUniqueKeys: [0] } : {}) });
  const main = mk();
  const inputs: [Row[], Row[]] = [[], []];
  const out = new Map<string, number>();
  const steps = 40;
  const restoreAt = 10 + r.int(20);
  let restored: ReturnType<typeof mk> | undefined;
  let nextId = 1;
  const keyVal = (): number | null => (r.chance(0.1) ? null : 1 + r.int(3));
  const val = (): number | null => (r.chance(0.1) ? null : r.int(4));
  const newRow = (): Row => (unique ? [nextId++, keyVal(), val()] : [keyVal(), val()]);
  for (let step = 0; step < steps; step++) {
    const side = r.int(2) as 0 | 1;
    const changes: Change[] = [];
    const cur = inputs[side];
    const nOps = 1 + r.int(3);
    for (let o = 0; o < nOps; o++) {
      const roll = r.next();
      if (cur.length === 0 || roll < 0.5) {
        // Inserts sometimes duplicate an existing row (not for unique-keyed inputs).
        const row = !unique && cur.length > 0 && r.chance(0.2) ? [...r.pick(cur)] : newRow();
        cur.push(row);
        changes.push({ kind: RowKind.Insert, row });
      } else if (roll < 0.75) {
        const row = r.pick(cur);
        removeOne(cur, row);
        changes.push({ kind: RowKind.Delete, row: [...row] });
      } else {
        const row = r.pick(cur);
        removeOne(cur, row);
        const next: Row = unique ? [row[0], r.chance(0.7) ? row[1] : keyVal(), val()] : [r.chance(0.7) ? row[0] : keyVal(), val()];
        cur.push(next);
        changes.push({ kind: RowKind.UpdateBefore, row: [...row] }, { kind: RowKind.UpdateAfter, row: next });
      }
    }
    const b = batch(changes);
    if (step === restoreAt) {
      restored = mk();
      restored.op.restore(structuredClone(main.op.snapshot()));
      restored.op.restoreBase(structuredClone(main.op.snapshotBase()));
    }
    main.op.process(b, side);
    const emitted = main.probe.log;
    main.probe.log = [];
    applyChanges(out, emitted);
    if (restored) {
      restored.op.process(b, side);
      assert.deepEqual(restored.probe.lines(), emitted.map((c) => `${['+I', '-U', '+U', '-D'][c.kind]}${JSON.stringify(c.row)}`), `seed ${seed}: restored operator diverged at step ${step}`);
      restored.probe.log = [];
    }
    assertSameMultiset(out, multiset(oracle(type, inputs[0], inputs[1], shape, condFn)), `seed ${seed} ${type} step ${step}`);
  }
  assert.ok(restored, 'restore happened');
}

for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as JoinType[]) {
  test(`${type} join matches the batch join of the materialized inputs after every batch (random changelogs)`, () => {
    for (let seed = 1; seed <= 25; seed++) {
      runProperty(type, seed * 7919 + type.length, seed % 2 === 0, false);
      runProperty(type, seed * 104729 + type.length, seed % 3 === 0, true);
    }
  });
}

test('a residual condition that fails for a pair reports a bad row and counts as no match, consistently', () => {
  const sf = fields(['k', T.int()], ['s', T.string()]);
  // ON l.k = r.k AND CAST(l.s AS INT) = r.w
  const condition: BExpr = cmp('=', { kind: 'cast', arg: { kind: 'col', index: 1, type: T.string() }, type: T.int(), try: false }, intCol(3));
  const { op, probe, ctx } = joinOp('LEFT', { lf: sf, condition });
  op.process(batch([I(1, '7'), I(1, 'x')]), 0);
  op.process(batch([I(1, 7)]), 1);
  assert.deepEqual(probe.take(), ['+I[1,"7",null,null]', '+I[1,"x",null,null]', '-D[1,"7",null,null]', '+I[1,"7",1,7]']);
  assert.equal(ctx.bad.length, 1);
  assert.match(ctx.bad[0]!.reason, /join condition failed: cannot cast 'x'/);
  op.process(batch([D(1, 7)]), 1);
  assert.deepEqual(probe.take(), ['-D[1,"7",1,7]', '+I[1,"7",null,null]']);
  assert.equal(ctx.bad.length, 2);
});
