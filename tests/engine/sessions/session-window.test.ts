/** SESSION window aggregation against oracles (definition-based without late rows; naive streaming with them). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import type { SessionWindowAggregateOperator } from '../../../src/engine/operators/session-window-aggregate-operator.js';
import { I, D, materialize, sortedJson, transfer } from '../ranks/harness.js';
import { GAP, make, randomSteps, sessionOp, type Step } from './session-support.js';

function aggRow(k: unknown, rows: Row[], s: number, e: number): Row {
  const vs = rows.map((r) => r[1]).filter((v): v is number => v !== null);
  return [k, rows.length, vs.length ? vs.reduce((a, b) => a + b, 0) : null, vs.length ? Math.max(...vs) : null, s, e, e - 1];
}

/** Definition-based oracle when nothing is late: per key, sorted rows split where the next row is > gap later. */
function sortSplitOracle(steps: Step[]): string[] {
  const byKey = new Map<unknown, Row[]>();
  for (const s of steps) for (const r of s.rows) { const l = byKey.get(r[0]) ?? []; l.push(r); byKey.set(r[0], l); }
  const out: Row[] = [];
  for (const [k, l] of byKey) {
    l.sort((a, b) => (a[2] as number) - (b[2] as number));
    let cur: Row[] = [];
    for (const r of l) {
      if (cur.length > 0 && (r[2] as number) - (cur[cur.length - 1]![2] as number) > GAP) {
        out.push(aggRow(k, cur, cur[0]![2] as number, (cur[cur.length - 1]![2] as number) + GAP));
        cur = [];
      }
      cur.push(r);
    }
    if (cur.length) out.push(aggRow(k, cur, cur[0]![2] as number, (cur[cur.length - 1]![2] as number) + GAP));
  }
  return sortedJson(out);
}

/** Naive streaming sessionizer: rows kept per session, windows merged pairwise until none intersect. */
function streamingOracle(steps: Step[]): { out: string[]; late: number } {
  const open = new Map<unknown, { s: number; e: number; rows: Row[] }[]>();
  const out: Row[] = [];
  let wm = -Infinity, late = 0;
  const fire = (): void => {
    for (const [k, ss] of open) {
      for (const x of ss.filter((x) => x.e - 1 <= wm)) out.push(aggRow(k, x.rows, x.s, x.e));
      open.set(k, ss.filter((x) => x.e - 1 > wm));
    }
  };
  for (const st of steps) {
    for (const r of st.rows) {
      const ts = r[2] as number;
      let ss = open.get(r[0]) ?? [];
      let w = { s: ts, e: ts + GAP, rows: [r] };
      let merged = true;
      while (merged) {
        merged = false;
        for (const x of ss) {
          if (x.s <= w.e && x.e >= w.s) {
            w = { s: Math.min(x.s, w.s), e: Math.max(x.e, w.e), rows: [...x.rows, ...w.rows] };
            ss = ss.filter((y) => y !== x);
            merged = true;
            break;
          }
        }
      }
      if (w.e - 1 <= wm) { late++; continue; }
      ss.push(w);
      open.set(r[0], ss);
    }
    if (st.wm > wm) { wm = st.wm; fire(); }
  }
  wm = Infinity;
  fire();
  return { out: sortedJson(out), late };
}

function run(op: SessionWindowAggregateOperator, steps: Step[], end = true): void {
  for (const s of steps) {
    op.process({ rows: s.rows, kinds: s.rows.map(() => I) });
    op.watermark(s.wm, 0);
  }
  if (end) op.watermark(Infinity, 0);
}

test('rows exactly gap apart share a session (Flink merges touching windows)', () => {
  const { op, probe } = make(sessionOp());
  op.process({ rows: [['a', 1, 1000], ['a', 2, 1000 + GAP], ['a', 3, 1000 + 2 * GAP + 1]], kinds: [I, I, I] });
  op.watermark(Infinity, 0);
  assert.deepEqual(probe.changes(), [
    `+I["a",2,3,2,1000,${1000 + 2 * GAP},${1000 + 2 * GAP - 1}]`,
    `+I["a",1,3,3,${1000 + 2 * GAP + 1},${1000 + 3 * GAP + 1},${1000 + 3 * GAP}]`,
  ]);
});

test('a row bridging two sessions merges them; late rows are dropped unless they merge with an open session', () => {
  const { op, probe, ctx } = make(sessionOp());
  op.process({ rows: [['a', 1, 0]], kinds: [I] });
  op.watermark(GAP + 100, 0); // [0, GAP) fired
  assert.equal(probe.rows.length, 1);
  op.process({ rows: [['a', 2, 50]], kinds: [I] }); // its window [50, GAP+50) already ended: late
  assert.equal(ctx.metrics.get('lateRowsDropped'), 1);
  op.process({ rows: [['a', 3, 20_000], ['a', 4, 30_000]], kinds: [I, I] });
  op.process({ rows: [['a', 5, 25_000]], kinds: [I] }); // bridges [20000,25000) and [30000,35000)
  op.process({ rows: [['a', 6, 16_000]], kinds: [I] }); // [16000,21000) merges with the open session
  op.watermark(Infinity, 0);
  assert.deepEqual(probe.changes().slice(1), ['+I["a",4,18,6,16000,35000,34999]']);
  assert.equal(ctx.metrics.get('lateRowsDropped'), 1);
});

test('property: without late rows, sessions equal the sort-and-split oracle', () => {
  for (let seed = 1; seed <= 15; seed++) {
    const steps = randomSteps(seed, 3000, 3000);
    const { op, probe, ctx } = make(sessionOp());
    run(op, steps);
    assert.equal(ctx.metrics.get('lateRowsDropped'), 0);
    assert.deepEqual(sortedJson(probe.rows), sortSplitOracle(steps), `seed ${seed}`);
    assert.ok(probe.kinds.every((k) => k === I));
  }
});

test('property: with late rows, sessions equal a naive streaming sessionizer', () => {
  let late = 0;
  for (let seed = 1; seed <= 15; seed++) {
    const steps = randomSteps(seed, 9000, 0);
    const { op, probe, ctx } = make(sessionOp());
    run(op, steps);
    const exp = streamingOracle(steps);
    assert.deepEqual(sortedJson(probe.rows), exp.out, `seed ${seed}`);
    assert.equal(ctx.metrics.get('lateRowsDropped'), exp.late);
    late += exp.late;
  }
  assert.ok(late > 0);
});

test('retractions and NULL times are dead-lettered', () => {
  const { op, ctx } = make(sessionOp());
  op.process({ rows: [['a', 1, 0], ['a', 1, 0], ['a', 1, null]], kinds: [I, D, I] });
  assert.equal(ctx.bad.length, 2);
});

test('snapshot and restore mid-stream give identical output', () => {
  const steps = randomSteps(5, 9000, 1000);
  const whole = make(sessionOp());
  run(whole.op, steps);
  const a = make(sessionOp()), b = make(sessionOp());
  run(a.op, steps.slice(0, 25), false);
  transfer(a.op, b.op);
  run(b.op, steps.slice(25));
  assert.deepEqual([...a.probe.changes(), ...b.probe.changes()], whole.probe.changes());
  assert.deepEqual(materialize(whole.probe.rows, whole.probe.kinds), sortedJson(whole.probe.rows));
});

test('processing-time sessions take the wall clock and fire from onProcessingTime', () => {
  const p = sessionOp();
  const { op, probe, ctx } = make({ ...p, window: { ...p.window, procTime: true } });
  ctx.clock.t = 1000;
  op.process({ rows: [['a', 1, null], ['b', 2, null]], kinds: [I, I] });
  ctx.clock.t = 3000;
  op.process({ rows: [['a', 3, null]], kinds: [I] });
  op.onProcessingTime(1000 + GAP);
  assert.deepEqual(probe.changes(), [`+I["b",1,2,2,1000,${1000 + GAP},${999 + GAP}]`]);
  op.onProcessingTime(3000 + GAP);
  assert.deepEqual(probe.changes().slice(1), [`+I["a",2,4,3,1000,${3000 + GAP},${2999 + GAP}]`]);
  ctx.clock.t = 10_000;
  op.process({ rows: [['c', 1, null]], kinds: [I] });
  op.finish();
  assert.equal(probe.rows.length, 3);
});
