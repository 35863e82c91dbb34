import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, type SqlType } from '../../src/common/types.js';
import { castValidity, makeCast, makeTryCast, makeCastSource, ExprError, formatValue, isInferError } from '../../src/functions/index.js';

const cast = (from: SqlType, to: SqlType, v: unknown, zone = 'UTC'): unknown => makeCast(from, to, { timeZone: zone, now: () => 0 })(v);

test('numeric casts follow Java narrowing', () => {
  const cases: [SqlType, SqlType, unknown, unknown][] = [
    [T.double(), T.int(), 3.99, 3],
    [T.double(), T.int(), -3.99, -3],
    [T.double(), T.int(), 1e20, 2147483647], // (int) of a double saturates
    [T.double(), T.int(), NaN, 0],
    [T.double(), T.tinyint(), 300.5, 44], // (byte)(int) 300
    [T.bigint(), T.int(), 2147483648, -2147483648], // (int) of a long wraps
    [T.int(), T.smallint(), 40000, -25536],
    [T.decimal(10, 2), T.int(), -7.89, -7],
    [T.decimal(5, 2), T.decimal(5, 1), 1.25, 1.3],
    [T.decimal(5, 2), T.decimal(3, 2), 12.34, null], // precision overflow is NULL
    [T.double(), T.decimal(5, 2), 2.345, 2.35],
    [T.int(), T.boolean(), 2, true],
    [T.double(), T.boolean(), 0, false],
    [T.boolean(), T.int(), true, 1],
    [T.float(), T.double(), Math.fround(0.1), Math.fround(0.1)],
  ];
  for (const [from, to, v, want] of cases) assert.equal(cast(from, to, v), want, `${from.kind}->${to.kind} ${String(v)}`);
});

test('string to number parses like Flink and fails on garbage', () => {
  assert.equal(cast(T.string(), T.int(), ' 42 '), 42);
  assert.equal(cast(T.string(), T.int(), '-1.9'), -1);
  assert.equal(cast(T.string(), T.bigint(), '9223372036854775807'), 2 ** 63); // nearest double (ADR 0004)
  assert.throws(() => cast(T.string(), T.bigint(), '9223372036854775808'), ExprError);
  assert.equal(cast(T.string(), T.double(), '1e3'), 1000);
  assert.equal(cast(T.string(), T.double(), 'NaN'), NaN);
  assert.equal(cast(T.string(), T.decimal(5, 2), '3.14159'), 3.14);
  for (const [to, text] of [[T.int(), 'abc'], [T.int(), '2147483648'], [T.tinyint(), '128'], [T.double(), '1.2.3'], [T.int(), '']] as const) {
    assert.throws(() => cast(T.string(), to, text), (e: unknown) => e instanceof ExprError && e.code === 'CAST_INVALID', text);
  }
  assert.equal(makeTryCast(T.string(), T.int())('abc'), null);
  assert.equal(makeTryCast(T.string(), T.int())('7'), 7);
});

test('boolean text', () => {
  for (const s of ['true', 'TRUE', ' t', 'yes', '1']) assert.equal(cast(T.string(), T.boolean(), s), true, s);
  for (const s of ['false', 'F', 'no', '0']) assert.equal(cast(T.string(), T.boolean(), s), false, s);
  assert.throws(() => cast(T.string(), T.boolean(), 'maybe'), ExprError);
  assert.equal(cast(T.boolean(), T.string(), true), 'TRUE');
});

test('to string uses Java number forms and type precision', () => {
  const cases: [SqlType, unknown, string][] = [
    [T.double(), 1, '1.0'], [T.double(), 1e20, '1.0E20'], [T.double(), 0.001, '0.001'], [T.double(), 0.0001, '1.0E-4'],
    [T.double(), 1234567.0, '1234567.0'], [T.double(), 12345678.9, '1.23456789E7'], [T.double(), -0, '-0.0'],
    [T.double(), Infinity, 'Infinity'], [T.float(), Math.fround(0.1), '0.1'], [T.float(), Math.fround(3.3), '3.3'],
    [T.decimal(5, 2), 1.5, '1.50'], [T.decimal(10, 0), 42, '42'], [T.decimal(5, 3), -0.0001, '0.000'],
    [T.int(), -5, '-5'], [T.date(), 19737, '2024-01-15'],
    [T.timestamp(3), Date.UTC(2024, 0, 15, 10, 30, 0, 120), '2024-01-15 10:30:00.120'],
    [T.timestamp(0), Date.UTC(2024, 0, 15, 10, 30, 0, 120), '2024-01-15 10:30:00'],
    [T.timestamp(6), Date.UTC(2024, 0, 15, 10, 30, 0, 120), '2024-01-15 10:30:00.120000'],
    [{ kind: 'TIME', precision: 3, nullable: true }, 45_296_500, '12:34:56.5'],
    [T.intervalDayTime(), 10 * 86_400_000 + 4, '+10 00:00:00.004'], [T.intervalYearMonth(), -14, '-1-02'],
    [T.array(T.int()), [1, null, 3], '[1, NULL, 3]'],
    [T.map(T.string(), T.int()), new Map([['a', 1], ['b', 2]]), '{a=1, b=2}'],
    [T.row([{ name: 'a', type: T.int() }, { name: 'b', type: T.string() }]), [1, 'abc'], '(1, abc)'],
  ];
  for (const [t, v, want] of cases) assert.equal(cast(t, T.string(), v), want, `${t.kind} ${String(v)}`);
  assert.equal(formatValue(new Uint8Array([1, 171]), T.bytes(), 'UTC', true), "x'01ab'");
  assert.equal(cast(T.bytes(), T.string(), new TextEncoder().encode('héllo')), 'héllo');
});

test('CHAR pads and VARCHAR truncates', () => {
  assert.equal(cast(T.string(), T.char(5), 'ab'), 'ab   ');
  assert.equal(cast(T.string(), T.varchar(3), 'abcdef'), 'abc');
  assert.equal(cast(T.int(), T.varchar(2), 12345), '12');
});

test('temporal casts use the session zone for TIMESTAMP_LTZ', () => {
  const wall = Date.UTC(2024, 6, 1, 12, 0); // 2024-07-01 12:00 in New York is 16:00 UTC (EDT)
  assert.equal(cast(T.timestamp(3), T.timestampLtz(3), wall, 'America/New_York'), Date.UTC(2024, 6, 1, 16, 0));
  assert.equal(cast(T.timestampLtz(3), T.timestamp(3), Date.UTC(2024, 0, 1, 3, 0), 'America/New_York'), Date.UTC(2023, 11, 31, 22, 0));
  assert.equal(cast(T.timestampLtz(3), T.date(), Date.UTC(2024, 0, 1, 3, 0), 'America/New_York'), 19722); // 2023-12-31
  assert.equal(cast(T.timestampLtz(3), T.string(), Date.UTC(2024, 0, 1, 3, 0), 'Asia/Shanghai'), '2024-01-01 11:00:00.000');
  assert.equal(cast(T.timestamp(3), T.date(), Date.UTC(1969, 11, 31, 23, 0)), -1);
  assert.equal(cast(T.date(), T.timestamp(3), 1), 86_400_000);
  assert.equal(cast(T.string(), T.timestamp(3), '2024-01-15 10:30:00.5'), Date.UTC(2024, 0, 15, 10, 30, 0, 500));
  assert.equal(cast(T.string(), T.timestamp(0), '2024-01-15 10:30:00.5'), Date.UTC(2024, 0, 15, 10, 30, 0));
  assert.equal(cast(T.string(), T.date(), ' 2024-1-5 '), 19727);
  assert.equal(cast(T.string(), T.time(), '10:30:15'), 37_815_000);
  assert.throws(() => cast(T.string(), T.date(), '2024-02-30'), ExprError);
  assert.throws(() => cast(T.string(), T.timestamp(3), 'yesterday'), ExprError);
});

test('collections cast element-wise', () => {
  assert.deepEqual(cast(T.array(T.string()), T.array(T.int()), ['1', null, '3']), [1, null, 3]);
  assert.deepEqual(cast(T.row([{ name: 'a', type: T.double() }]), T.row([{ name: 'x', type: T.int() }]), [2.7]), [2]);
});

test('castValidity follows Flink', () => {
  const ok: [SqlType, SqlType][] = [[T.int(), T.string()], [T.string(), T.timestamp(3)], [T.timestamp(3), T.timestampLtz(3)], [T.double(), T.decimal(5, 2)], [T.null(), T.int()]];
  for (const [a, b] of ok) assert.equal(castValidity(a, b), true);
  const bad: [SqlType, SqlType][] = [[T.bigint(), T.timestamp(3)], [T.timestamp(3), T.bigint()], [T.int(), T.date()], [T.boolean(), T.date()], [T.array(T.int()), T.int()]];
  for (const [a, b] of bad) {
    const v = castValidity(a, b);
    assert.ok(v !== true && isInferError(v), `${a.kind} -> ${b.kind}`);
  }
  const v = castValidity(T.bigint(), T.timestampLtz(3));
  assert.ok(v !== true && /TO_TIMESTAMP_LTZ/.test(v.hint ?? ''));
});

test('inline cast sources agree', () => {
  const cases: [SqlType, SqlType, unknown][] = [[T.bigint(), T.int(), 2 ** 31 + 5], [T.int(), T.string(), -12], [T.boolean(), T.string(), false], [T.timestamp(3), T.date(), -1], [T.int(), T.bigint(), 5]];
  for (const [a, b, v] of cases) {
    const src = makeCastSource(a, b, 'x');
    assert.ok(src);
    // eslint-disable-next-line no-new-func -- the code generator compiles these sources the same way
    assert.equal((new Function('x', `return ${src};`))(v), makeCast(a, b)(v));
  }
});
