/** Deduplication (keep first / keep last, processing / event time) against oracles; changelog shape; restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import { T, type RowField } from '../../../src/common/types.js';
import { DeduplicateOperator, type DeduplicateOp } from '../../../src/engine/operators/deduplicate-operator.js';
import { I, UA, UB, D, View, attach, evalCtx, makeCtx, mulberry32, transfer } from './harness.js';

const FIELDS: RowField[] = [{ name: 'k', type: T.string() }, { name: 'ts', type: T.timestamp(3) }, { name: 'id', type: T.int() }];

function dedupOp(over: Partial<DeduplicateOp>): DeduplicateOp {
  return { kind: 'deduplicate', id: '1:Deduplicate', inputs: ['0'], fields: FIELDS, updating: true, keys: [0], timeCol: 1,
    keepLast: false, procTime: false, rankNumber: false, ...over };
}

function make(p: DeduplicateOp) {
  const ctx = makeCtx();
  const op = new DeduplicateOperator(p, ctx, evalCtx, [FIELDS]);
  return { op, probe: attach(op), ctx };
}

function randomRows(seed: number, n: number): Row[] {
  const rnd = mulberry32(seed);
  const out: Row[] = [];
  for (let i = 0; i < n; i++) out.push([`k${Math.floor(rnd() * 5)}`, 1000 * Math.floor(rnd() * 20), i]);
  return out;
}

/** Oracle from the definition: ROW_NUMBER over (time, arrival) per key = 1. */
function oracle(rows: Row[], keepLast: boolean, procTime: boolean, rankNumber: boolean): string[] {
  const best = new Map<unknown, Row>();
  for (const r of rows) {
    const b = best.get(r[0]);
    let take: boolean;
    if (b === undefined) take = true;
    else if (procTime) take = keepLast;
    else take = keepLast ? (r[1] as number) >= (b[1] as number) : (r[1] as number) < (b[1] as number);
    if (take) best.set(r[0], r);
  }
  return [...best.values()].map((r) => JSON.stringify(rankNumber ? [...r, 1] : r)).sort();
}

for (const procTime of [true, false]) {
  for (const keepLast of [true, false]) {
    test(`property: ${procTime ? 'proctime' : 'rowtime'} keep-${keepLast ? 'last' : 'first'} materializes to the oracle`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const rankNumber = seed % 2 === 0;
        const { op, probe, ctx } = make(dedupOp({ keepLast, procTime, rankNumber }));
        const rows = randomRows(seed, 200);
        const view = new View();
        const seen: Row[] = [];
        for (let i = 0; i < rows.length; i += 7) {
          const b = rows.slice(i, i + 7);
          const from = probe.rows.length;
          op.process({ rows: b, kinds: b.map(() => I) });
          seen.push(...b);
          view.apply(probe.rows, probe.kinds, from);
          assert.deepEqual(view.rows(), oracle(seen, keepLast, procTime, rankNumber));
        }
        if (procTime && !keepLast) assert.ok(probe.kinds.every((k) => k === I), 'proctime keep-first is append-only');
        else assert.ok(probe.kinds.some((k) => k === UB) && probe.kinds.some((k) => k === UA));
        assert.equal(ctx.bad.length, 0);
      }
    });
  }
}

test('rowtime keep-first: a row with a smaller rowtime replaces the kept one, an equal one does not', () => {
  const { op, probe } = make(dedupOp({ rankNumber: true }));
  op.process({ rows: [['a', 5000, 1], ['a', 5000, 2], ['a', 3000, 3], ['a', 9000, 4]], kinds: [I, I, I, I] });
  assert.deepEqual(probe.changes(), ['+I["a",5000,1,1]', '-U["a",5000,1,1]', '+U["a",3000,3,1]']);
});

test('rowtime keep-last: equal rowtime replaces; retractions and NULL rowtimes are dead-lettered', () => {
  const { op, probe, ctx } = make(dedupOp({ keepLast: true }));
  op.process({ rows: [['a', 5000, 1], ['a', 5000, 2], ['a', 3000, 3], ['a', null, 4], ['a', 5000, 2]], kinds: [I, I, I, I, D] });
  assert.deepEqual(probe.changes(), ['+I["a",5000,1]', '-U["a",5000,1]', '+U["a",5000,2]']);
  assert.equal(ctx.bad.length, 2);
});

test('snapshot and restore mid-stream give identical output', () => {
  const p = dedupOp({ keepLast: true });
  const rows = randomRows(9, 300);
  const whole = make(p);
  whole.op.process({ rows, kinds: rows.map(() => I) });
  const a = make(p), b = make(p);
  a.op.process({ rows: rows.slice(0, 150), kinds: rows.slice(0, 150).map(() => I) });
  transfer(a.op, b.op);
  b.op.process({ rows: rows.slice(150), kinds: rows.slice(150).map(() => I) });
  assert.deepEqual([...a.probe.changes(), ...b.probe.changes()], whole.probe.changes());
});

test('state TTL: an expired key starts again', () => {
  const { op, probe, ctx } = make(dedupOp({ procTime: true, ttl: { ms: 100 } }));
  op.process({ rows: [['a', 0, 1]], kinds: [I] });
  ctx.clock.t = 50;
  op.process({ rows: [['a', 0, 2]], kinds: [I] });
  ctx.clock.t = 500;
  op.process({ rows: [['a', 0, 3]], kinds: [I] });
  assert.deepEqual(probe.changes(), ['+I["a",0,1]', '+I["a",0,3]']);
});
