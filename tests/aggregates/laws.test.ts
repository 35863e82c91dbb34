/**
 * Property tests of the aggregation laws against naive oracles, for every function and argument type:
 *   add law      result(add*(xs)) == naive(xs)
 *   merge law    result(merge(build(a), build(b))) == naive(a ++ b), also for accumulators built with retractions
 *   retract law  random add/retract interleavings give naive(remaining) after every step, down to empty
 *   clone        a structured clone of the accumulator behaves like the original
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Value } from '../../src/common/row.js';
import { T, type SqlType } from '../../src/common/types.js';
import type { AggCall, AggFunction } from '../../src/aggregates/agg-function.js';
import { resolveAggregate, type ResolveOptions } from '../../src/aggregates/registry.js';
import {
  Rng, build, cmpDefault, gens, naiveAvg, naiveCount, naiveDecimalVariance, naiveMinMax, naiveSum,
  naiveVarianceSumSquares, randomRun, valEq, withNulls, hash, show, type Gen,
} from './helpers.js';

interface Case {
  label: string;
  call: AggCall;
  gen: Gen;
  naive: (remaining: Value[]) => Value;
  options?: ResolveOptions;
}

function fnFor(c: Case): AggFunction {
  const r = resolveAggregate(c.call, c.options);
  if (!r.ok) throw new Error(`${c.label}: ${r.message}`);
  return r.create();
}

const call = (name: string, argTypes: SqlType[], extra: Partial<AggCall> = {}): AggCall => ({ name, argTypes, distinct: false, ...extra });

const INTEGRAL: [string, SqlType, Gen][] = [
  ['TINYINT', T.tinyint(), gens.tinyint],
  ['SMALLINT', T.smallint(), gens.smallint],
  ['INT', T.int(), gens.int],
  ['BIGINT', T.bigint(), gens.bigint],
];

const cases: Case[] = [];

cases.push({ label: 'COUNT(*)', call: call('COUNT', []), gen: withNulls(gens.int), naive: (xs) => xs.length });
cases.push({ label: 'COUNT(x)', call: call('COUNT', [T.int()]), gen: withNulls(gens.int), naive: naiveCount });
cases.push({
  label: 'COUNT(x, y)', call: call('COUNT', [T.int(), T.string()]),
  gen: (r) => [r.chance(0.2) ? null : r.int(0, 3), r.chance(0.2) ? null : 'a'],
  naive: (xs) => xs.filter((v) => (v as Value[]).every((e) => e !== null)).length,
});

for (const [kind, t, g] of INTEGRAL) {
  cases.push({ label: `SUM(${kind})`, call: call('SUM', [t]), gen: withNulls(g), naive: (xs) => naiveSum(kind, xs) });
  cases.push({ label: `AVG(${kind})`, call: call('AVG', [t]), gen: withNulls(g), naive: (xs) => naiveAvg(kind, xs) });
}
cases.push({ label: 'SUM(FLOAT)', call: call('SUM', [T.float()]), gen: withNulls(gens.dyadic), naive: (xs) => naiveSum('FLOAT', xs) });
cases.push({ label: 'SUM(DOUBLE)', call: call('SUM', [T.double()]), gen: withNulls(gens.dyadic), naive: (xs) => naiveSum('DOUBLE', xs) });
cases.push({ label: 'SUM(DECIMAL(10,2))', call: call('SUM', [T.decimal(10, 2)]), gen: withNulls(gens.decimal2), naive: (xs) => naiveSum('DECIMAL', xs, 2) });
cases.push({ label: 'AVG(FLOAT)', call: call('AVG', [T.float()]), gen: withNulls(gens.dyadic), naive: (xs) => naiveAvg('FLOAT', xs) });
cases.push({ label: 'AVG(DOUBLE)', call: call('AVG', [T.double()]), gen: withNulls(gens.dyadic), naive: (xs) => naiveAvg('DOUBLE', xs) });
cases.push({ label: 'AVG(DECIMAL(10,2))', call: call('AVG', [T.decimal(10, 2)]), gen: withNulls(gens.decimal2), naive: (xs) => naiveAvg('DECIMAL', xs, 2, 6) });
cases.push({ label: 'AVG(DECIMAL(12,8))', call: call('AVG', [T.decimal(12, 8)]), gen: withNulls((r) => r.int(-999, 999) / 1e8), naive: (xs) => naiveAvg('DECIMAL', xs, 8, 8) });
cases.push({
  label: '$SUM0(INT)', call: call('$SUM0', [T.int()]), gen: withNulls(gens.int),
  naive: (xs) => naiveSum('INT', xs) ?? 0,
});

const COMPARABLE: [string, SqlType, Gen][] = [
  ['INT', T.int(), gens.int],
  ['DOUBLE', T.double(), gens.dyadic],
  ['DECIMAL', T.decimal(10, 2), gens.decimal2],
  ['STRING', T.string(), gens.string],
  ['BOOLEAN', T.boolean(), gens.boolean],
  ['DATE', T.date(), gens.date],
  ['TIMESTAMP', T.timestamp(3), gens.timestamp],
  ['BYTES', T.bytes(), gens.bytes],
];
for (const [kind, t, g] of COMPARABLE) {
  for (const name of ['MIN', 'MAX']) {
    cases.push({ label: `${name}(${kind})`, call: call(name, [t]), gen: withNulls(g), naive: (xs) => naiveMinMax(name === 'MAX', xs, cmpDefault) });
  }
}

const firstNonNull = (xs: Value[]): Value => xs.find((x) => x !== null) ?? null;
const lastNonNull = (xs: Value[]): Value => [...xs].reverse().find((x) => x !== null) ?? null;
for (const [kind, t, g] of [['INT', T.int(), gens.smallInt], ['STRING', T.string(), gens.string], ['ROW', T.row([{ name: 'a', type: T.int() }, { name: 'b', type: T.string() }]), gens.row]] as [string, SqlType, Gen][]) {
  cases.push({ label: `FIRST_VALUE(${kind})`, call: call('FIRST_VALUE', [t]), gen: withNulls(g), naive: firstNonNull });
  cases.push({ label: `LAST_VALUE(${kind})`, call: call('LAST_VALUE', [t]), gen: withNulls(g), naive: lastNonNull });
  cases.push({
    label: `ARRAY_AGG(${kind})`, call: call('ARRAY_AGG', [t]), gen: withNulls(g),
    naive: (xs) => (xs.length === 0 ? null : xs.slice()),
  });
}
cases.push({
  label: 'ARRAY_AGG(INT) IGNORE NULLS', call: call('ARRAY_AGG', [T.int()], { ignoreNulls: true }), gen: withNulls(gens.smallInt),
  naive: (xs) => { const v = xs.filter((x) => x !== null); return v.length === 0 ? null : v; },
});
cases.push({
  label: 'LISTAGG(STRING)', call: call('LISTAGG', [T.string()]), gen: withNulls(gens.string),
  naive: (xs) => { const v = xs.filter((x) => x !== null); return v.length === 0 ? null : v.join(','); },
});
cases.push({
  label: "LISTAGG(STRING, ' | ')", call: call('LISTAGG', [T.string(), T.string(false)], { literalArgs: [undefined, ' | '] }),
  gen: (r) => [r.chance(0.15) ? null : gens.string(r), ' | '],
  naive: (xs) => { const v = xs.map((x) => (x as Value[])[0]).filter((x) => x !== null); return v.length === 0 ? null : v.join(' | '); },
});

for (const which of ['VAR_POP', 'VAR_SAMP', 'STDDEV_POP', 'STDDEV_SAMP']) {
  for (const [kind, t, g] of [...INTEGRAL, ['DOUBLE', T.double(), gens.dyadic]] as [string, SqlType, Gen][]) {
    cases.push({
      label: `${which}(${kind})`, call: call(which, [t]), gen: withNulls(g),
      naive: (xs) => naiveVarianceSumSquares(kind, which, xs),
    });
  }
  cases.push({
    label: `${which}(DECIMAL(10,2))`, call: call(which, [T.decimal(10, 2)]), gen: withNulls(gens.decimal2),
    naive: (xs) => naiveDecimalVariance(which, xs, 2),
  });
  cases.push({
    label: `${which}(DECIMAL(7,3))`, call: call(which, [T.decimal(7, 3)]), gen: withNulls(gens.decimal3),
    naive: (xs) => naiveDecimalVariance(which, xs, 3),
  });
}

/** A structured clone must be a working accumulator (checkpoints restore through it). */
function cloneCheck(fn: AggFunction, acc: unknown, expected: Value, label: string): void {
  const copy = structuredClone(acc);
  assert.ok(valEq(fn.result(copy), expected), `${label}: clone result`);
}

for (const c of cases) {
  test(`laws: ${c.label}`, () => {
    const fn = fnFor(c);
    assert.equal(fn.retractable, true, `${c.label} is retractable`);
    const r = new Rng(hash(c.label));
    for (let trial = 0; trial < 25; trial++) {
      // add law
      const xs = Array.from({ length: r.int(0, 30) }, () => c.gen(r));
      const acc = build(fn, xs);
      const want = c.naive(xs);
      assert.ok(valEq(fn.result(acc), want), `${c.label} add law: got ${show(fn.result(acc))}, want ${show(want)} for ${show(xs)}`);
      cloneCheck(fn, acc, want, c.label);

      // merge law (add-only accumulators); `other` must not be modified
      const ys = Array.from({ length: r.int(0, 20) }, () => c.gen(r));
      const a = build(fn, xs), b = build(fn, ys);
      const bBefore = structuredClone(b);
      const m = fn.merge(a, b);
      const wantM = c.naive([...xs, ...ys]);
      assert.ok(valEq(fn.result(m), wantM), `${c.label} merge law: got ${show(fn.result(m))}, want ${show(wantM)}`);
      assert.deepStrictEqual(b, bBefore, `${c.label}: merge modified other`);

      // retract law, checked after every step, ending empty
      randomRun(fn, c.gen, r, 40, true, (cur, remaining) => {
        const w = c.naive(remaining);
        assert.ok(valEq(fn.result(cur), w), `${c.label} retract law: got ${show(fn.result(cur))}, want ${show(w)} for ${show(remaining)}`);
      });

      // merge of accumulators that went through retractions
      const ra = randomRun(fn, c.gen, r, 25, false);
      const rb = randomRun(fn, c.gen, r, 25, false);
      const mm = fn.merge(ra.acc, rb.acc);
      const wantR = c.naive([...ra.remaining, ...rb.remaining]);
      assert.ok(valEq(fn.result(mm), wantR), `${c.label} merge after retract: got ${show(fn.result(mm))}, want ${show(wantR)}`);
      // and retracting the merged values one by one still agrees (the merged accumulator is fully functional)
      const rest = [...ra.remaining, ...rb.remaining];
      let acc2 = mm;
      while (rest.length > 0) {
        const v = rest[r.int(0, rest.length - 1)];
        acc2 = fn.retract(acc2, v);
        rest.splice(rest.findIndex((x) => valEq(x, v)), 1);
        const w = c.naive(rest);
        assert.ok(valEq(fn.result(acc2), w), `${c.label} retract after merge: got ${show(fn.result(acc2))}, want ${show(w)}`);
      }
    }
  });
}
