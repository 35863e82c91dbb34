/**
 * f(DISTINCT x): the distinct wrapper against a naive model (a list of [value, multiplicity] in first-occurrence
 * order, values compared structurally), for order-insensitive and order-sensitive inner functions, composite values,
 * merges, and an inner function that cannot retract (rebuilt from the map).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Value } from '../../src/common/row.js';
import { T, type SqlType } from '../../src/common/types.js';
import type { AggCall, AggFunction } from '../../src/aggregates/agg-function.js';
import { resolveAggregate } from '../../src/aggregates/registry.js';
import { DistinctAgg } from '../../src/aggregates/distinct.js';
import { MinMaxAppend } from '../../src/aggregates/min-max.js';
import { FirstValueAppend } from '../../src/aggregates/first-last-value.js';
import { Rng, cmpDefault, gens, hash, naiveMinMax, show, valEq, withNulls, type Gen } from './helpers.js';

/** Naive distinct state: entries in the order their current run of presence began. */
type Model = [Value, number][];

function modelAdd(m: Model, v: Value): void {
  const e = m.find(([x]) => valEq(x, v));
  if (e) e[1]++;
  else m.push([v, 1]);
}
function modelRetract(m: Model, v: Value): void {
  const i = m.findIndex(([x]) => valEq(x, v));
  if (--m[i]![1] === 0) m.splice(i, 1);
}
function modelMerge(a: Model, b: Model): Model {
  const out: Model = a.map(([v, c]) => [v, c]);
  for (const [v, c] of b) { const e = out.find(([x]) => valEq(x, v)); if (e) e[1] += c; else out.push([v, c]); }
  return out;
}
const distinctValues = (m: Model): Value[] => m.map(([v]) => v);

interface Case { label: string; call: AggCall; gen: Gen; naive: (distinctInOrder: Value[]) => Value }

const call = (name: string, argTypes: SqlType[], extra: Partial<AggCall> = {}): AggCall => ({ name, argTypes, distinct: true, ...extra });
const nn = (xs: Value[]) => xs.filter((x) => x !== null);

const cases: Case[] = [
  { label: 'COUNT(DISTINCT INT)', call: call('COUNT', [T.int()]), gen: withNulls(gens.smallInt), naive: (xs) => nn(xs).length },
  { label: 'COUNT(DISTINCT a, b)', call: call('COUNT', [T.int(), T.string()]), gen: (r) => [r.chance(0.2) ? null : r.int(0, 3), r.pick(['x', 'y', null])], naive: (xs) => xs.filter((v) => (v as Value[]).every((e) => e !== null)).length },
  { label: 'COUNT(DISTINCT BYTES)', call: call('COUNT', [T.bytes()]), gen: withNulls(gens.bytes), naive: (xs) => nn(xs).length },
  { label: 'SUM(DISTINCT INT)', call: call('SUM', [T.int()]), gen: withNulls(gens.smallInt), naive: (xs) => (nn(xs).length ? nn(xs).reduce((a: number, x) => a + (x as number), 0) : null) },
  { label: 'AVG(DISTINCT DECIMAL)', call: call('AVG', [T.decimal(10, 2)]), gen: withNulls((r) => r.int(-20, 20) / 4), naive: (xs) => { const v = nn(xs) as number[]; return v.length ? Math.round(v.reduce((a, x) => a + x, 0) / v.length * 1e6) / 1e6 : null; } },
  { label: 'MAX(DISTINCT STRING)', call: call('MAX', [T.string()]), gen: withNulls(gens.string), naive: (xs) => naiveMinMax(true, xs, cmpDefault) },
  { label: 'LISTAGG(DISTINCT STRING)', call: call('LISTAGG', [T.string()]), gen: withNulls(gens.string), naive: (xs) => (nn(xs).length ? nn(xs).join(',') : null) },
  { label: 'FIRST_VALUE(DISTINCT ROW)', call: call('FIRST_VALUE', [T.row([{ name: 'a', type: T.int() }])]), gen: withNulls(gens.row), naive: (xs) => nn(xs)[0] ?? null },
  { label: 'LAST_VALUE(DISTINCT ROW)', call: call('LAST_VALUE', [T.row([{ name: 'a', type: T.int() }])]), gen: withNulls(gens.row), naive: (xs) => nn(xs).at(-1) ?? null },
  { label: 'ARRAY_AGG(DISTINCT INT)', call: call('ARRAY_AGG', [T.int()]), gen: withNulls(gens.smallInt), naive: (xs) => (xs.length ? xs : null) },
];

function fnFor(c: AggCall): AggFunction {
  const r = resolveAggregate(c);
  if (!r.ok) throw new Error(r.message);
  return r.create();
}

function runCase(label: string, fn: AggFunction, gen: Gen, naive: (xs: Value[]) => Value): void {
  const r = new Rng(hash(label));
  for (let trial = 0; trial < 30; trial++) {
    const runs: { acc: unknown; model: Model }[] = [];
    for (let part = 0; part < 2; part++) {
      let acc = fn.create();
      const model: Model = [];
      const present: Value[] = [];
      for (let step = 0; step < 30; step++) {
        if (present.length > 0 && r.chance(0.4)) {
          const i = r.int(0, present.length - 1);
          const v = present[i]!;
          present.splice(i, 1);
          acc = fn.retract(acc, v);
          modelRetract(model, v);
        } else {
          const v = present.length > 0 && r.chance(0.4) ? r.pick(present) : gen(r);
          present.push(v);
          acc = fn.add(acc, v);
          modelAdd(model, v);
        }
        const want = naive(distinctValues(model));
        assert.ok(valEq(fn.result(acc), want), `${label}: got ${show(fn.result(acc))}, want ${show(want)}`);
      }
      runs.push({ acc, model });
    }
    const merged = fn.merge(runs[0]!.acc, runs[1]!.acc);
    const mm = modelMerge(runs[0]!.model, runs[1]!.model);
    const want = naive(distinctValues(mm));
    assert.ok(valEq(fn.result(merged), want), `${label} merge: got ${show(fn.result(merged))}, want ${show(want)}`);
  }
}

for (const c of cases) {
  test(`distinct: ${c.label}`, () => runCase(c.label, fnFor(c.call), c.gen, c.naive));
}

test('distinct: inner functions that cannot retract are rebuilt from the distinct map', () => {
  const max = new DistinctAgg(new MinMaxAppend(true, T.int(), false));
  runCase('MAX append-only under DISTINCT', max, withNulls(gens.smallInt), (xs) => naiveMinMax(true, xs, cmpDefault));
  const first = new DistinctAgg(new FirstValueAppend(T.int(), true));
  runCase('FIRST_VALUE append-only under DISTINCT', first, withNulls(gens.smallInt), (xs) => xs.find((x) => x !== null) ?? null);
});

test('distinct: COUNT(DISTINCT x) retracted down to empty is 0; SUM(DISTINCT x) is NULL', () => {
  const count = fnFor(call('COUNT', [T.int()]));
  const sum = fnFor(call('SUM', [T.int()]));
  let c = count.create(), s = sum.create();
  for (const v of [1, 1, 2, null]) { c = count.add(c, v); s = sum.add(s, v); }
  assert.equal(count.result(c), 2);
  assert.equal(sum.result(s), 3);
  for (const v of [1, 2, 1, null]) { c = count.retract(c, v); s = sum.retract(s, v); }
  assert.equal(count.result(c), 0);
  assert.equal(sum.result(s), null);
});
