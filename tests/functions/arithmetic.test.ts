import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, typeToString, type SqlType } from '../../src/common/types.js';
import {
  arithmeticType, makeArithmetic, makeArithmeticSource, unaryMinusType, isInferError, ExprError, type ArithOp,
} from '../../src/functions/index.js';

const ts = (t: ReturnType<typeof arithmeticType>): string => (isInferError(t) ? `error` : typeToString(t));

test('arithmetic result types follow Flink', () => {
  const cases: [ArithOp, SqlType, SqlType, string][] = [
    ['+', T.int(false), T.int(false), 'INT NOT NULL'],
    ['/', T.int(false), T.int(false), 'INT NOT NULL'],
    ['+', T.int(false), T.bigint(), 'BIGINT'],
    ['*', T.smallint(false), T.tinyint(false), 'SMALLINT NOT NULL'],
    ['%', T.bigint(false), T.int(false), 'INT NOT NULL'], // MOD takes the second operand's type (Calcite)
    ['+', T.int(false), T.double(false), 'DOUBLE NOT NULL'],
    ['*', T.float(false), T.float(false), 'FLOAT NOT NULL'],
    ['+', T.float(false), T.int(false), 'FLOAT NOT NULL'],
    ['+', T.decimal(10, 2, false), T.double(false), 'DOUBLE NOT NULL'],
    // findAdditionDecimalType: scale max(s1,s2), precision max(p1-s1,p2-s2)+scale+1
    ['+', T.decimal(10, 2, false), T.decimal(5, 4, false), 'DECIMAL(13, 4) NOT NULL'],
    ['+', T.decimal(10, 2, false), T.int(false), 'DECIMAL(13, 2) NOT NULL'],
    // findMultiplicationDecimalType: p1+p2+1, s1+s2
    ['*', T.decimal(10, 2, false), T.decimal(5, 3, false), 'DECIMAL(16, 5) NOT NULL'],
    // findDivisionDecimalType: scale max(6, s1+p2+1), precision p1-s1+s2+scale
    ['/', T.decimal(10, 2, false), T.decimal(5, 3, false), 'DECIMAL(19, 8) NOT NULL'],
    ['/', T.int(false), T.decimal(10, 2, false), 'DECIMAL(23, 11) NOT NULL'],
    // capped at 38 keeping at least 6 fractional digits
    ['*', T.decimal(38, 10, false), T.decimal(38, 10, false), 'DECIMAL(38, 6) NOT NULL'],
    ['/', T.decimal(38, 10, false), T.decimal(38, 10, false), 'DECIMAL(38, 6) NOT NULL'],
    ['%', T.decimal(10, 2, false), T.decimal(5, 3, false), 'DECIMAL(5, 3) NOT NULL'],
    ['+', T.timestamp(3, false), T.intervalDayTime(false), 'TIMESTAMP(3) NOT NULL'],
    ['-', T.timestampLtz(3), T.intervalYearMonth(false), 'TIMESTAMP_LTZ(3)'],
    ['+', T.intervalDayTime(false), T.date(false), 'DATE NOT NULL'],
    ['*', T.intervalDayTime(false), T.int(false), 'INTERVAL SECOND(3) NOT NULL'],
  ];
  for (const [op, a, b, want] of cases) assert.equal(ts(arithmeticType(op, a, b)), want, `${typeToString(a)} ${op} ${typeToString(b)}`);
});

test('rejected arithmetic says why', () => {
  const r = arithmeticType('-', T.timestamp(3), T.timestamp(3));
  assert.ok(isInferError(r));
  assert.match(r.hint!, /TIMESTAMPDIFF/);
  const s = arithmeticType('+', T.string(), T.int());
  assert.ok(isInferError(s));
  assert.match(s.hint!, /CAST/);
  assert.ok(isInferError(unaryMinusType(T.string())));
});

function run(op: ArithOp, a: SqlType, b: SqlType, x: unknown, y: unknown): unknown {
  const r = arithmeticType(op, a, b);
  assert.ok(!isInferError(r));
  return makeArithmetic(op, a, b, r)(x, y);
}

test('integer arithmetic wraps and truncates like Java', () => {
  assert.equal(run('/', T.int(), T.int(), 7, 2), 3);
  assert.equal(run('/', T.int(), T.int(), -7, 2), -3);
  assert.equal(run('%', T.int(), T.int(), -7, 3), -1);
  assert.equal(run('%', T.int(), T.int(), 7, -3), 1);
  assert.equal(run('+', T.int(), T.int(), 2147483647, 1), -2147483648);
  assert.equal(run('*', T.int(), T.int(), 65536, 65536), 0);
  assert.equal(run('*', T.int(), T.int(), 123456789, 987654321), -67153019); // Java: 123456789 * 987654321
  assert.equal(run('+', T.tinyint(), T.tinyint(), 127, 1), -128);
  assert.equal(run('/', T.int(), T.int(), -2147483648, -1), -2147483648);
  assert.throws(() => run('/', T.int(), T.int(), 1, 0), (e: unknown) => e instanceof ExprError && e.code === 'DIVIDE_BY_ZERO');
  assert.throws(() => run('%', T.bigint(), T.bigint(), 1, 0), ExprError);
  assert.equal(run('/', T.double(), T.double(), 1, 0), Infinity);
  assert.ok(Number.isNaN(run('/', T.double(), T.int(), 0, 0) as number));
});

test('decimal arithmetic rounds half-up and overflows to NULL', () => {
  assert.equal(run('/', T.decimal(10, 2), T.decimal(10, 2), 1, 3), 0.3333333333333); // DECIMAL(23, 13)
  assert.equal(run('*', T.decimal(5, 2), T.decimal(5, 2), 1.05, 1.05), 1.1025);
  assert.equal(run('+', T.decimal(10, 2), T.decimal(10, 2), 0.1, 0.2), 0.3);
  assert.equal(run('%', T.decimal(5, 1), T.decimal(5, 1), 5.5, 2.2), 1.1);
  assert.equal(run('*', T.decimal(38, 0), T.decimal(38, 0), 1e37, 1e37), null);
  assert.throws(() => run('/', T.decimal(5, 2), T.decimal(5, 2), 1, 0), ExprError);
});

test('temporal arithmetic', () => {
  const jan31 = Date.UTC(2024, 0, 31, 10, 0);
  assert.equal(run('+', T.timestamp(3), T.intervalYearMonth(), jan31, 1), Date.UTC(2024, 1, 29, 10, 0));
  assert.equal(run('+', T.intervalDayTime(), T.timestamp(3), 3_600_000, jan31), jan31 + 3_600_000);
  assert.equal(run('-', T.date(), T.intervalDayTime(), 10, 86_400_000 * 2), 8);
  assert.equal(run('+', T.date(), T.intervalYearMonth(), 0, 13), 396); // 1971-02-01
});

test('inline sources agree with the functions', () => {
  const cases: [ArithOp, SqlType, SqlType, number, number][] = [
    ['+', T.int(), T.int(), 2147483647, 5], ['*', T.int(), T.int(), 123456789, 987654321], ['-', T.double(), T.int(), 1.5, 3],
    ['*', T.float(), T.float(), 0.1, 0.2], ['+', T.smallint(), T.smallint(), 32767, 2], ['+', T.bigint(), T.int(), 2 ** 40, 7],
  ];
  for (const [op, a, b, x, y] of cases) {
    const r = arithmeticType(op, a, b);
    assert.ok(!isInferError(r));
    const src = makeArithmeticSource(op, a, b, r, 'x', 'y');
    assert.ok(src, `${op} ${a.kind} ${b.kind} should inline`);
    // eslint-disable-next-line no-new-func -- the code generator compiles these sources the same way
    const fn = new Function('x', 'y', `return ${src};`) as (x: number, y: number) => number;
    const want = makeArithmetic(op, a, b, r)(x, y);
    assert.equal(fn(x, y), want);
  }
  assert.equal(makeArithmeticSource('/', T.int(), T.int(), T.int(), 'x', 'y'), undefined);
});
