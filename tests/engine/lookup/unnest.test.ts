/** UNNEST: arrays, arrays of rows (flattened), maps, ordinality, LEFT JOIN ... ON TRUE, row kinds carried. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../../src/common/row.js';
import { T, type RowField, type SqlType } from '../../../src/common/types.js';
import { UnnestOperator, type UnnestOp } from '../../../src/engine/operators/unnest-operator.js';
import { col } from '../../../src/plan/bound-expr.js';
import { I, D, attach, evalCtx, makeCtx, mulberry32 } from '../ranks/harness.js';

function make(collType: SqlType, over: Partial<UnnestOp> = {}) {
  const fields: RowField[] = [{ name: 'id', type: T.int() }, { name: 'c', type: collType }];
  const p: UnnestOp = { kind: 'unnest', id: '1:Unnest', inputs: ['0'], fields: [], updating: false, expr: col(1, collType),
    withOrdinality: false, left: false, elementFields: 1, ...over };
  const ctx = makeCtx();
  const op = new UnnestOperator(p, ctx, evalCtx, [fields]);
  return { op, probe: attach(op), ctx };
}

test('CROSS JOIN UNNEST of an ARRAY: one row per element, NULL/empty arrays give none, kinds carried', () => {
  const { op, probe } = make(T.array(T.int()));
  op.process({ rows: [[1, [10, null, 30]], [2, []], [3, null], [4, [40]]], kinds: [I, I, I, D] });
  assert.deepEqual(probe.changes(), ['+I[1,[10,null,30],10]', '+I[1,[10,null,30],null]', '+I[1,[10,null,30],30]', '-D[4,[40],40]']);
});

test('WITH ORDINALITY numbers elements from 1; LEFT JOIN pads NULL/empty collections', () => {
  const { op, probe } = make(T.array(T.string()), { withOrdinality: true, left: true });
  op.process({ rows: [[1, ['a', 'b']], [2, []], [3, null]], kinds: [I, I, I] });
  assert.deepEqual(probe.changes(), ['+I[1,["a","b"],"a",1]', '+I[1,["a","b"],"b",2]', '+I[2,[],null,null]', '+I[3,null,null,null]']);
});

test('an ARRAY of ROW is flattened into its fields; a NULL element gives NULL fields', () => {
  const rowT = T.row([{ name: 'x', type: T.int() }, { name: 'y', type: T.string() }]);
  const { op, probe } = make(T.array(rowT), { elementFields: 2, withOrdinality: true });
  op.process({ rows: [[1, [[1, 'a'], null, [3, 'c']]]], kinds: [I] });
  assert.deepEqual(probe.rows.map((r) => r.slice(2)), [[1, 'a', 1], [null, null, 2], [3, 'c', 3]]);
});

test('a MAP yields key and value columns', () => {
  const { op, probe } = make(T.map(T.string(), T.int()), { elementFields: 2, left: true });
  op.process({ rows: [[1, new Map([['a', 1], ['b', null]])], [2, new Map()]], kinds: [I, I] });
  assert.deepEqual(probe.rows.map((r) => [r[0], r[2], r[3]]), [[1, 'a', 1], [1, 'b', null], [2, null, null]]);
});

test('property: output size and contents match a naive expansion', () => {
  const rnd = mulberry32(4);
  for (const left of [false, true]) {
    const { op, probe } = make(T.array(T.int()), { left, withOrdinality: true });
    const rows: Row[] = [];
    for (let i = 0; i < 200; i++) {
      const n = Math.floor(rnd() * 4);
      rows.push([i, rnd() < 0.1 ? null : Array.from({ length: n }, () => Math.floor(rnd() * 9))]);
    }
    op.process({ rows, kinds: rows.map(() => I) });
    const exp: Row[] = [];
    for (const r of rows) {
      const a = r[1] as number[] | null;
      if (a && a.length) a.forEach((v, j) => exp.push([r[0], a, v, j + 1]));
      else if (left) exp.push([r[0], a, null, null]);
    }
    assert.deepEqual(probe.rows, exp);
  }
});
