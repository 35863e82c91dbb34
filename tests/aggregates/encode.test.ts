/**
 * Accumulators survive encodeAcc -> JSON text -> decodeAcc for every function (tiles in a KV store): the decoded
 * accumulator gives the same result and keeps working (add, retract, merge) like the original.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Value } from '../../src/common/row.js';
import { T, type SqlType } from '../../src/common/types.js';
import { resolveAggregate } from '../../src/aggregates/registry.js';
import { decodeAcc, encodeAcc } from '../../src/aggregates/encode.js';
import { Rng, gens, randomRun, valEq, withNulls, type Gen } from './helpers.js';

const cases: [string, SqlType[], Gen, boolean][] = [
  ['COUNT', [T.int()], withNulls(gens.int), false],
  ['SUM', [T.decimal(10, 2)], withNulls(gens.decimal2), false],
  ['AVG', [T.float()], withNulls(gens.dyadic), false],
  ['MAX', [T.bytes()], withNulls(gens.bytes), false],
  ['MIN', [T.string()], withNulls(gens.string), false],
  ['FIRST_VALUE', [T.row([{ name: 'a', type: T.int() }])], withNulls(gens.row), false],
  ['LAST_VALUE', [T.bytes()], withNulls(gens.bytes), false],
  ['LISTAGG', [T.string()], withNulls(gens.string), true],
  ['ARRAY_AGG', [T.bytes()], withNulls(gens.bytes), false],
  ['VAR_SAMP', [T.double()], withNulls(gens.dyadic), false],
  ['COUNT', [T.row([{ name: 'a', type: T.int() }])], withNulls(gens.row), true],
  ['FIRST_VALUE', [T.string()], withNulls(gens.string), true],
];

for (const [name, argTypes, gen, distinct] of cases) {
  test(`encode round trip: ${name}${distinct ? ' DISTINCT' : ''}(${argTypes.map((t) => t.kind).join(', ')})`, () => {
    const r = resolveAggregate({ name, argTypes, distinct });
    assert.ok(r.ok);
    if (!r.ok) return;
    const f = r.create();
    const rng = new Rng(42);
    for (let t = 0; t < 20; t++) {
      const { acc, remaining } = randomRun(f, gen, rng, 30, false);
      const text = JSON.stringify(encodeAcc(f, acc));
      const back = decodeAcc(f, JSON.parse(text));
      assert.deepStrictEqual(back, acc);
      assert.ok(valEq(f.result(back), f.result(acc)));
      // still a working accumulator: retract everything, then merge with a fresh one
      let b = back;
      for (const v of remaining) b = f.retract(b, v);
      assert.ok(valEq(f.result(b), f.result(f.create())), 'empties like a fresh accumulator');
      const x: Value = gen(rng);
      b = f.merge(b, f.add(f.create(), x));
      assert.ok(valEq(f.result(b), f.result(f.add(f.create(), x))));
    }
  });
}

test('encode: special numbers, Maps, bytes and bigint are preserved', () => {
  const f = (() => { const r = resolveAggregate({ name: 'COUNT', argTypes: [], distinct: false }); if (!r.ok) throw new Error(); return r.create(); })();
  const acc = [NaN, Infinity, -Infinity, -0, 1.5, new Map<unknown, unknown>([[null, 1], ['\u0000x', [Uint8Array.of(0, 255, 7)]], [3, 2n]]), { a: [undefined] }];
  const back = decodeAcc(f, JSON.parse(JSON.stringify(encodeAcc(f, acc))));
  assert.deepStrictEqual(back, acc);
  assert.ok(Object.is((back as number[])[3], -0));
  for (let n = 0; n < 8; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) & 255);
    assert.deepStrictEqual(decodeAcc(f, JSON.parse(JSON.stringify(encodeAcc(f, bytes)))), bytes);
  }
  assert.deepEqual(encodeAcc(f, Uint8Array.of(1, 2, 3)), { $b: 'AQID' });
});
