/** Window Top-N / window deduplication against an oracle that accounts for late rows; restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import { T, type RowField } from '../../../src/common/types.js';
import { makeRowComparator } from '../../../src/engine/operators/rank-operator.js';
import { WindowRankOperator, type WindowRankOp } from '../../../src/engine/operators/window-rank-operator.js';
import type { SortKey } from '../../../src/program/program.js';
import { I, attach, evalCtx, makeCtx, mulberry32, sortedJson, transfer } from './harness.js';

const FIELDS: RowField[] = [
  { name: 'k', type: T.string() }, { name: 'v', type: T.int() }, { name: 'ts', type: { ...T.timestamp(3), timeAttr: 'rowtime' } },
  { name: 'window_start', type: T.timestamp(3) }, { name: 'window_end', type: T.timestamp(3) },
];
const SIZE = 10_000;

function op(over: Partial<WindowRankOp>): WindowRankOp {
  return { kind: 'windowRank', id: '2:WindowRank', inputs: ['1'], fields: FIELDS, updating: false, windowStart: 3, windowEnd: 4,
    partitionKeys: [0], orderKeys: [{ index: 1, desc: true, nullsFirst: false }], rankStart: 1, rankEnd: 3, rankNumber: true, ...over };
}

function make(p: WindowRankOp) {
  const ctx = makeCtx();
  const o = new WindowRankOperator(p, ctx, evalCtx, [FIELDS]);
  return { op: o, probe: attach(o), ctx };
}

interface Step { rows: Row[]; wm: number }

function randomSteps(seed: number): Step[] {
  const rnd = mulberry32(seed);
  const steps: Step[] = [];
  let t = 0, id = 0;
  for (let b = 0; b < 60; b++) {
    const rows: Row[] = [];
    const n = 1 + Math.floor(rnd() * 8);
    for (let j = 0; j < n; j++) {
      t += Math.floor(rnd() * 700);
      const ts = t - Math.floor(rnd() * 6000);
      const ws = Math.floor(ts / SIZE) * SIZE;
      rows.push([`k${Math.floor(rnd() * 3)}`, rnd() < 0.1 ? null : Math.floor(rnd() * 10), ts + (id++ % 7), ws, ws + SIZE]);
    }
    steps.push({ rows, wm: t - 3000 });
  }
  return steps;
}

/** Oracle: drop rows whose window fired before they arrived; stable-sort each (window, partition); take the range. */
function oracle(steps: Step[], p: WindowRankOp, tiesLast: boolean): { out: string[]; late: number } {
  const groups = new Map<string, Row[]>();
  let wm = -Infinity, late = 0;
  for (const s of steps) {
    for (const r of s.rows) {
      if ((r[4] as number) - 1 <= wm) { late++; continue; }
      const g = JSON.stringify([r[3], r[4], ...p.partitionKeys.map((i) => r[i])]);
      let l = groups.get(g);
      if (!l) { l = []; groups.set(g, l); }
      l.push(r);
    }
    wm = Math.max(wm, s.wm);
  }
  const cmp = makeRowComparator(p.orderKeys);
  const out: string[] = [];
  for (const l of groups.values()) {
    const sorted = tiesLast ? [...l].reverse().sort(cmp) : [...l].sort(cmp);
    for (let i = p.rankStart - 1; i < Math.min(p.rankEnd, sorted.length); i++) out.push(JSON.stringify(p.rankNumber ? [...sorted[i]!, i + 1] : sorted[i]));
  }
  return { out: out.sort(), late };
}

const ORDERS: SortKey[][] = [
  [{ index: 1, desc: true, nullsFirst: false }],
  [{ index: 1, desc: false, nullsFirst: true }, { index: 2, desc: true, nullsFirst: false }],
];

test('property: window Top-N equals the oracle, rows emitted only once their window fired, late rows counted', () => {
  let totalLate = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const p = op({ orderKeys: ORDERS[seed % 2]!, rankStart: seed % 3 === 0 ? 2 : 1, rankEnd: 1 + (seed % 4), rankNumber: seed % 2 === 1,
      partitionKeys: seed % 5 === 0 ? [] : [0] });
    const { op: o, probe, ctx } = make(p);
    const steps = randomSteps(seed);
    for (const s of steps) {
      o.process({ rows: s.rows, kinds: s.rows.map(() => I) });
      o.watermark(s.wm, 0);
    }
    // Every emitted row's window had fired by the time it was emitted.
    for (let w = 0; w < probe.wms.length; w++) {
      for (let i = w === 0 ? 0 : probe.rowsAtWm[w - 1]!; i < probe.rowsAtWm[w]!; i++) {
        assert.ok((probe.rows[i]![4] as number) - 1 <= probe.wms[w]!);
      }
    }
    o.watermark(Infinity, 0);
    const exp = oracle(steps, p, false);
    assert.deepEqual(sortedJson(probe.rows), exp.out, `seed ${seed}`);
    assert.ok(probe.kinds.every((k) => k === I));
    assert.equal(ctx.metrics.get('lateRowsDropped'), exp.late);
    totalLate += exp.late;
  }
  assert.ok(totalLate > 0, 'the random input exercises late rows');
});

test('window deduplication keep-last (rank 1, DESC by the rowtime): the last arrived wins a tie', () => {
  const p = op({ orderKeys: [{ index: 2, desc: true, nullsFirst: false }], rankEnd: 1, rankNumber: false });
  const { op: o, probe } = make(p);
  o.process({ rows: [['a', 1, 500, 0, SIZE], ['a', 2, 700, 0, SIZE], ['a', 3, 700, 0, SIZE], ['a', 4, 600, 0, SIZE]], kinds: [I, I, I, I] });
  o.watermark(SIZE - 1, 0);
  assert.deepEqual(probe.changes(), ['+I["a",3,700,0,10000]']);
  // Ascending (keep first): the first arrived wins.
  const q = make(op({ orderKeys: [{ index: 2, desc: false, nullsFirst: false }], rankEnd: 1, rankNumber: false }));
  q.op.process({ rows: [['a', 1, 700, 0, SIZE], ['a', 2, 500, 0, SIZE], ['a', 3, 500, 0, SIZE]], kinds: [I, I, I] });
  q.op.watermark(SIZE - 1, 0);
  assert.deepEqual(q.probe.changes(), ['+I["a",2,500,0,10000]']);
});

test('a window fires at window_end - 1, not before', () => {
  const { op: o, probe } = make(op({}));
  o.process({ rows: [['a', 1, 5, 0, SIZE]], kinds: [I] });
  o.watermark(SIZE - 2, 0);
  assert.equal(probe.rows.length, 0);
  o.watermark(SIZE - 1, 0);
  assert.equal(probe.rows.length, 1);
});

test('snapshot and restore mid-stream give identical output', () => {
  const p = op({ rankEnd: 2 });
  const steps = randomSteps(42);
  const run = (o: WindowRankOperator, ss: Step[]): void => {
    for (const s of ss) { o.process({ rows: s.rows, kinds: s.rows.map(() => I) }); o.watermark(s.wm, 0); }
  };
  const whole = make(p);
  run(whole.op, steps);
  whole.op.watermark(Infinity, 0);
  const a = make(p), b = make(p);
  run(a.op, steps.slice(0, 30));
  transfer(a.op, b.op);
  run(b.op, steps.slice(30));
  b.op.watermark(Infinity, 0);
  assert.deepEqual([...a.probe.changes(), ...b.probe.changes()], whole.probe.changes());
});
