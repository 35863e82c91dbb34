/** Top-N (ROW_NUMBER) over append-only and updating input, against a naive oracle; snapshot/restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import { RowKind } from '../../../src/common/row.js';
import { T, type RowField } from '../../../src/common/types.js';
import { RankOperator, makeRowComparator, type RankOp } from '../../../src/engine/operators/rank-operator.js';
import type { SortKey } from '../../../src/program/program.js';
import { I, UA, UB, D, View, attach, evalCtx, makeCtx, mulberry32, transfer } from './harness.js';

const FIELDS: RowField[] = [
  { name: 'p', type: T.int() }, { name: 'v', type: T.int() }, { name: 'w', type: T.string() }, { name: 'id', type: T.int() },
];

function rankOp(over: Partial<RankOp> = {}): RankOp {
  return {
    kind: 'rank', id: '1:Rank', inputs: ['0'], fields: [...FIELDS, { name: 'rn', type: T.bigint(false) }], updating: true,
    partitionKeys: [0], orderKeys: [{ index: 1, desc: true, nullsFirst: false }], rankStart: 1, rankEnd: 3, rankNumber: true,
    ...over,
  };
}

function make(p: RankOp): { op: RankOperator; probe: ReturnType<typeof attach>; ctx: ReturnType<typeof makeCtx> } {
  const ctx = makeCtx();
  const op = new RankOperator(p, ctx, evalCtx, [FIELDS]);
  return { op, probe: attach(op), ctx };
}

/** Oracle: materialized input in arrival order; stable sort; the rank range (with row numbers if asked). */
function oracle(input: Row[], p: RankOp): string[] {
  const cmp = makeRowComparator(p.orderKeys);
  const parts = new Map<unknown, Row[]>();
  for (const r of input) {
    const k = JSON.stringify(p.partitionKeys.map((i) => r[i]));
    let l = parts.get(k);
    if (!l) { l = []; parts.set(k, l); }
    l.push(r);
  }
  const out: string[] = [];
  for (const l of parts.values()) {
    const sorted = [...l].sort(cmp); // Array.prototype.sort is stable
    for (let i = p.rankStart - 1; i < Math.min(p.rankEnd, sorted.length); i++) {
      out.push(JSON.stringify(p.rankNumber ? [...sorted[i]!, i + 1] : sorted[i]));
    }
  }
  return out.sort();
}

test('append-only Top-2 with row numbers: per-position updates as Flink emits them', () => {
  const { op, probe } = make(rankOp({ rankEnd: 2 }));
  op.process({ rows: [[1, 10, 'a', 1]], kinds: [I] });
  op.process({ rows: [[1, 20, 'b', 2]], kinds: [I] });
  op.process({ rows: [[1, 5, 'c', 3]], kinds: [I] }); // below the top-2: nothing
  op.process({ rows: [[1, 15, 'd', 4]], kinds: [I] });
  assert.deepEqual(probe.changes(), [
    '+I[1,10,"a",1,1]',
    '-U[1,10,"a",1,1]', '+U[1,20,"b",2,1]', '+I[1,10,"a",1,2]',
    '-U[1,10,"a",1,2]', '+U[1,15,"d",4,2]',
  ]);
});

test('without row numbers: +I for entering rows and -D for leaving rows', () => {
  const { op, probe } = make(rankOp({ rankEnd: 2, rankNumber: false, fields: FIELDS }));
  op.process({ rows: [[1, 10, 'a', 1], [1, 20, 'b', 2], [1, 15, 'c', 3]], kinds: [I, I, I] });
  op.process({ rows: [[1, 20, 'b', 2]], kinds: [D] });
  assert.deepEqual(probe.changes(), [
    '+I[1,10,"a",1]', '+I[1,20,"b",2]', '-D[1,10,"a",1]', '+I[1,15,"c",3]',
    '-D[1,20,"b",2]', '+I[1,10,"a",1]',
  ]);
});

test('ties rank by arrival order; NULLs placed per the sort key', () => {
  const { op, probe } = make(rankOp({ rankEnd: 4, orderKeys: [{ index: 1, desc: false, nullsFirst: true }] }));
  op.process({ rows: [[1, 7, 'a', 1], [1, 7, 'b', 2], [1, null, 'n', 3], [1, 3, 'c', 4]], kinds: [I, I, I, I] });
  const v = new View();
  v.apply(probe.rows, probe.kinds);
  assert.deepEqual(v.rows(), ['[1,3,"c",4,2]', '[1,7,"a",1,3]', '[1,7,"b",2,4]', '[1,null,"n",3,1]']);
});

test('append-only input keeps only rankEnd rows per partition', () => {
  const { op } = make(rankOp({ rankEnd: 3, inputUpdating: false }));
  const rnd = mulberry32(3);
  for (let i = 0; i < 500; i++) op.process({ rows: [[i % 4, Math.floor(rnd() * 100), 'x', i]], kinds: [I] });
  assert.equal(op.stateRows, 12);
});

/** A random changelog over a few partitions; retractions only of rows currently in the input. */
function randomChangelog(seed: number, n: number, updating: boolean, dupes: boolean): { batches: { rows: Row[]; kinds: RowKind[] }[] } {
  const rnd = mulberry32(seed);
  const live: Row[] = [];
  const batches: { rows: Row[]; kinds: RowKind[] }[] = [];
  let id = 0;
  const fresh = (): Row => {
    const v = rnd() < 0.1 ? null : Math.floor(rnd() * 12);
    return [Math.floor(rnd() * 3), v, ['a', 'b', 'c'][Math.floor(rnd() * 3)]!, dupes ? Math.floor(rnd() * 2) : id++];
  };
  for (let done = 0; done < n;) {
    const size = 1 + Math.floor(rnd() * 6);
    const rows: Row[] = [], kinds: RowKind[] = [];
    for (let j = 0; j < size; j++, done++) {
      const r = rnd();
      if (updating && live.length > 0 && r < 0.35) {
        const idx = Math.floor(rnd() * live.length);
        const old = live[idx]!;
        if (r < 0.2) {
          live.splice(idx, 1);
          rows.push(old); kinds.push(D);
        } else {
          const nw = fresh();
          nw[0] = old[0];
          live.splice(idx, 1);
          live.push(nw);
          rows.push(old, nw); kinds.push(UB, UA);
        }
      } else {
        const nw = fresh();
        live.push(nw);
        rows.push(nw); kinds.push(r < 0.5 || !updating ? I : UA);
      }
    }
    batches.push({ rows, kinds });
  }
  return { batches };
}

/** Applies the input changelog to the arrival-ordered oracle input (a retraction removes the last equal row). */
function applyInput(input: Row[], rows: Row[], kinds: RowKind[]): void {
  for (let i = 0; i < rows.length; i++) {
    if (kinds[i] === I || kinds[i] === UA) input.push(rows[i]!);
    else {
      const s = JSON.stringify(rows[i]);
      for (let j = input.length - 1; j >= 0; j--) if (JSON.stringify(input[j]) === s) { input.splice(j, 1); break; }
    }
  }
}

const ORDERS: SortKey[][] = [
  [{ index: 1, desc: true, nullsFirst: false }],
  [{ index: 1, desc: false, nullsFirst: true }],
  [{ index: 1, desc: true, nullsFirst: true }, { index: 2, desc: false, nullsFirst: false }],
];

for (const updating of [false, true]) {
  for (const rankNumber of [true, false]) {
    test(`property: output materializes to the oracle Top-N after every batch (updating=${updating}, rankNumber=${rankNumber})`, () => {
      for (let seed = 1; seed <= 12; seed++) {
        const rs = 1 + (seed % 3 === 0 ? 2 : 0);
        const re = rs + (seed % 4);
        const p = rankOp({
          rankStart: rs, rankEnd: re, rankNumber, orderKeys: ORDERS[seed % ORDERS.length]!,
          partitionKeys: seed % 5 === 0 ? [] : [0],
          ...(updating ? {} : { inputUpdating: false }),
        });
        const { op, probe, ctx } = make(p);
        const { batches } = randomChangelog(seed, 300, updating, seed % 2 === 0);
        const input: Row[] = [];
        const view = new View();
        for (const b of batches) {
          const from = probe.rows.length;
          op.process({ rows: b.rows, kinds: b.kinds });
          applyInput(input, b.rows, b.kinds);
          view.apply(probe.rows, probe.kinds, from);
          assert.deepEqual(view.rows(), oracle(input, p), `seed ${seed}`);
        }
        assert.equal(ctx.bad.length, 0);
        assert.equal(ctx.metrics.get('rankRetractionsNotFound'), 0);
      }
    });
  }
}

test('snapshot and restore mid-stream give identical output', () => {
  for (const updating of [false, true]) {
    const p = rankOp({ rankStart: 2, rankEnd: 4, ...(updating ? {} : { inputUpdating: false }) });
    const { batches } = randomChangelog(77, 400, updating, false);
    const whole = make(p);
    for (const b of batches) whole.op.process(b);
    const first = make(p);
    const half = batches.length >> 1;
    for (const b of batches.slice(0, half)) first.op.process(b);
    const second = make(p);
    transfer(first.op, second.op);
    for (const b of batches.slice(half)) second.op.process(b);
    assert.deepEqual([...first.probe.changes(), ...second.probe.changes()], whole.probe.changes());
  }
});

test('state TTL drops idle partitions without emitting', () => {
  const p = rankOp({ rankEnd: 1, ttl: { ms: 1000 } });
  const { op, probe, ctx } = make(p);
  op.process({ rows: [[1, 10, 'a', 1]], kinds: [I] });
  ctx.clock.t = 5000;
  op.process({ rows: [[1, 5, 'b', 2]], kinds: [I] });
  // The partition expired: the smaller row is a new first row.
  assert.deepEqual(probe.changes(), ['+I[1,10,"a",1,1]', '+I[1,5,"b",2,1]']);
});

test('a retraction on input planned as append-only is dead-lettered', () => {
  const { op, ctx } = make(rankOp({ inputUpdating: false }));
  op.process({ rows: [[1, 10, 'a', 1]], kinds: [I] });
  op.process({ rows: [[1, 10, 'a', 1]], kinds: [D] });
  assert.equal(ctx.bad.length, 1);
});
