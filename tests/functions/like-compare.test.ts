import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, typeToString } from '../../src/common/types.js';
import {
  compileLike, compileSimilar, compareValues, valuesEqual, comparisonType, leastRestrictive, isInferError, ExprError,
} from '../../src/functions/index.js';

test('LIKE wildcards, escapes and anchoring', () => {
  const cases: [string, string, string | undefined, boolean][] = [
    ['abc', 'a%', undefined, true], ['abc', '%b%', undefined, true], ['abc', 'a_c', undefined, true], ['abc', 'a_', undefined, false],
    ['a.c', 'a.c', undefined, true], ['abc', 'a.c', undefined, false], ['a\nb', 'a%b', undefined, true], ['ABC', 'abc', undefined, false],
    ['10%', '10!%', '!', true], ['100', '10!%', '!', false], ['a_b', 'a!_b', '!', true], ['axb', 'a!_b', '!', false],
    ['a!b', 'a!!b', '!', true], ['(x)', '(%)', undefined, true], ['a\\b', 'a\\b', undefined, true], ['', '%', undefined, true],
  ];
  for (const [s, p, esc, want] of cases) assert.equal(compileLike(p, esc).test(s), want, `'${s}' LIKE '${p}'${esc ? ` ESCAPE '${esc}'` : ''}`);
  assert.throws(() => compileLike('a!b', '!'), ExprError);
  assert.throws(() => compileLike('a', 'xy'), ExprError);
  assert.equal(compileLike('a%'), compileLike('a%')); // cached
});

test('SIMILAR TO', () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true], ['abc', 'a%', true], ['abc', '(a|x)bc', true], ['xbc', '(a|x)bc', true], ['ybc', '(a|x)bc', false],
    ['aaa', 'a*', true], ['ab', '[a-c]+', true], ['a.c', 'a.c', true], ['abc', 'a.c', false], ['abcd', 'abc', false],
  ];
  for (const [s, p, want] of cases) assert.equal(compileSimilar(p).test(s), want, `'${s}' SIMILAR TO '${p}'`);
});

test('compareValues orders all representations', () => {
  assert.equal(compareValues(1, 2), -1);
  assert.equal(compareValues(NaN, Infinity), 1);
  assert.equal(compareValues('B', 'a'), -1); // code units, as Java
  assert.equal(compareValues(false, true), -1);
  assert.equal(compareValues(new Uint8Array([1, 255]), new Uint8Array([1, 2])), 1); // unsigned bytes
  assert.equal(compareValues([1, 2], [1, 2, 0]), -1);
  assert.equal(compareValues([1, null], [1, 0]), -1);
  assert.equal(compareValues([2, 'a'], [1, 'z']), 1);
  const sorted = [[3], [1, 5], [1], [2, null]].sort(compareValues);
  assert.deepEqual(sorted, [[1], [1, 5], [2, null], [3]]);
  assert.ok(valuesEqual([1, [2, 'x']], [1, [2, 'x']]));
  assert.ok(!valuesEqual([1, 2], [1, 3]));
  assert.ok(valuesEqual(new Map([['a', [1]]]), new Map([['a', [1]]])));
  assert.ok(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])));
  assert.ok(!valuesEqual(NaN, NaN));
});

test('comparison and common types', () => {
  const ct = (a: Parameters<typeof comparisonType>[0], b: Parameters<typeof comparisonType>[1]): string => {
    const r = comparisonType(a, b);
    return isInferError(r) ? 'error' : typeToString(r);
  };
  assert.equal(ct(T.int(false), T.bigint(false)), 'BIGINT NOT NULL');
  assert.equal(ct(T.int(), T.decimal(5, 2)), 'DECIMAL(12, 2)');
  assert.equal(ct(T.decimal(5, 2), T.double()), 'DOUBLE');
  assert.equal(ct(T.date(), T.timestamp(3)), 'TIMESTAMP(3)');
  assert.equal(ct(T.timestamp(3), T.timestampLtz(3)), 'TIMESTAMP_LTZ(3)');
  assert.equal(ct(T.varchar(3), T.char(10)), 'VARCHAR(10)');
  assert.equal(ct(T.string(), T.int()), 'error');
  assert.equal(ct(T.string(), T.date()), 'error');
  assert.equal(ct(T.boolean(), T.int()), 'error');
  const lr = (ts: Parameters<typeof leastRestrictive>[0]): string => { const r = leastRestrictive(ts); return isInferError(r) ? 'error' : typeToString(r); };
  assert.equal(lr([T.varchar(5, false), T.char(8, false)]), 'VARCHAR(8) NOT NULL');
  assert.equal(lr([T.char(3, false), T.char(3, false)]), 'CHAR(3) NOT NULL');
  assert.equal(lr([T.int(false), T.bigint(false)]), 'BIGINT NOT NULL');
  assert.equal(lr([T.int(false), T.decimal(5, 2, false)]), 'DECIMAL(12, 2) NOT NULL');
  assert.equal(lr([T.decimal(10, 0, false), T.double(false)]), 'DOUBLE NOT NULL');
  assert.equal(lr([T.null(), T.int(false)]), 'INT');
  assert.equal(lr([T.float(false), T.int(false)]), 'FLOAT NOT NULL');
  assert.equal(lr([T.array(T.int()), T.array(T.bigint())]), 'ARRAY<BIGINT>');
  assert.equal(lr([{ ...T.timestamp(3), timeAttr: 'rowtime' }, T.timestamp(3, false)]), 'TIMESTAMP(3)');
  assert.equal(lr([T.string(), T.int()]), 'error');
});
