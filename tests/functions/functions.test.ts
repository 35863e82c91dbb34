import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, typeToString, type SqlType } from '../../src/common/types.js';
import { ExprError, functionNames, lookupFunction } from '../../src/functions/index.js';
import { call, callDynamic, typeOf } from './call.js';

const S = T.string(), I = T.int(), D = T.double();
type Case = [string, SqlType[], unknown[], unknown];

function runTable(cases: Case[]): void {
  for (const [fn, types, args, want] of cases) {
    const got = call(fn, types, args);
    assert.deepEqual(got, want, `${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
  }
}

test('string functions (Flink docs examples and edge cases)', () => {
  runTable([
    ['UPPER', [S], ['aBc'], 'ABC'], ['LOWER', [S], ['aBc'], 'abc'], ['UPPER', [S], [null], null],
    ['CHAR_LENGTH', [S], ['héllo'], 5], ['CHARACTER_LENGTH', [S], ['😀a'], 2],
    ['CONCAT', [S, S, S], ['AA', 'BB', 'CC'], 'AABBCC'], ['CONCAT', [S, S], ['AA', null], null],
    ['||', [S, S], ['a', 'b'], 'ab'],
    ['CONCAT_WS', [S, S, S, S, S, S], ['~', 'AA', null, 'BB', '', 'CC'], 'AA~BB~~CC'], ['CONCAT_WS', [S, S], [null, 'a'], null],
    ['SUBSTRING', [S, I], ['hello', 2], 'ello'], ['SUBSTRING', [S, I, I], ['hello', 2, 3], 'ell'],
    ['SUBSTRING', [S, I, I], ['hello', 0, 2], 'he'], ['SUBSTRING', [S, I], ['hello', -3], 'llo'],
    ['SUBSTRING', [S, I], ['hello', -10], ''], ['SUBSTRING', [S, I], ['hello', 10], ''], ['SUBSTR', [S, I, I], ['hello', 1, 100], 'hello'],
    ['SUBSTRING', [S, I, I], ['hello', 1, -1], null], ['SUBSTRING', [S, I, I], ['😀bc', 2, 1], 'b'],
    ['TRIM', [S, S, S], ['BOTH', ' ', '  hi  '], 'hi'], ['TRIM', [S, S, S], ['LEADING', 'xy', 'xyxhixy'], 'hixy'],
    ['TRIM', [S, S, S], ['TRAILING', 'x', 'xhixx'], 'xhi'],
    ['LTRIM', [S], [' This is a test String.'], 'This is a test String.'], ['RTRIM', [S], ['abc  '], 'abc'], ['BTRIM', [S, S], ['xxaxx', 'x'], 'a'],
    ['REPLACE', [S, S, S], ['hello world', 'world', 'flink'], 'hello flink'], ['REPLACE', [S, S, S], ['ababab', 'abab', 'z'], 'zab'],
    ['REPLACE', [S, S, S], ['a$b', '$', '$$'], 'a$$b'],
    ['REGEXP', [S, S], ['abc123', '\\d+'], true], ['REGEXP', [S, S], ['abc', '^b'], false], ['REGEXP', [S, S], ['abc', '('], null],
    ['REGEXP_EXTRACT', [S, S, I], ['foothebar', 'foo(.*?)(bar)', 2], 'bar'], ['REGEXP_EXTRACT', [S, S], ['foothebar', 'foo(.*?)(bar)'], 'the'],
    ['REGEXP_EXTRACT', [S, S, I], ['foothebar', 'foo(.*?)(bar)', 0], 'foothebar'], ['REGEXP_EXTRACT', [S, S, I], ['x', 'y(.)', 1], null],
    ['REGEXP_EXTRACT', [S, S, I], ['foothebar', 'foo(.*?)(bar)', 3], null],
    ['REGEXP_EXTRACT_ALL', [S, S, I], ['100-200, 300-400', '(\\d+)-(\\d+)', 1], ['100', '300']],
    ['REGEXP_REPLACE', [S, S, S], ['foobar', 'oo|ar', ''], 'fb'], ['REGEXP_REPLACE', [S, S, S], ['a1b22', '(\\d+)', '<$1>'], 'a<1>b<22>'],
    ['REGEXP_REPLACE', [S, S, S], ['price 5', '\\d', '\\$'], 'price $'], ['REGEXP_REPLACE', [S, S, S], ['Ab1', '\\p{Alpha}', '_'], '__1'],
    ['REGEXP_COUNT', [S, S], ['a1b2c3', '\\d'], 3], ['REGEXP_INSTR', [S, S], ['abc1', '\\d'], 4], ['REGEXP_SUBSTR', [S, S], ['abc123def', '\\d+'], '123'],
    ['SPLIT_INDEX', [S, S, I], ['Jack,John,Mary', ',', 2], 'Mary'], ['SPLIT_INDEX', [S, S, I], ['Jack,John,Mary', ',', 3], null],
    ['SPLIT_INDEX', [S, S, I], ['Jack,John,Mary', ',', -1], null], ['SPLIT_INDEX', [S, S, I], ['a,,b', ',', 1], ''],
    ['SPLIT', [S, S], ['abcdefg', 'c'], ['ab', 'defg']], ['SPLIT', [S, S], ['abc', ''], ['a', 'b', 'c']], ['SPLIT', [S, S], [',a,', ','], ['', 'a', '']],
    ['LPAD', [S, I, S], ['hi', 4, '??'], '??hi'], ['LPAD', [S, I, S], ['hi', 1, '??'], 'h'], ['LPAD', [S, I, S], ['hi', 5, 'ab'], 'abahi'],
    ['RPAD', [S, I, S], ['hi', 4, '??'], 'hi??'], ['RPAD', [S, I, S], ['hi', 1, '??'], 'h'], ['RPAD', [S, I, S], ['hi', -1, '?'], null],
    ['RPAD', [S, I, S], ['hi', 3, ''], null],
    ['INITCAP', [S], ['hello wORLD-foo bar9x'], 'Hello World-Foo Bar9x'],
    ['POSITION', [S, S], ['lo', 'hello'], 4], ['POSITION', [S, S], ['z', 'hello'], 0], ['POSITION', [S, S], ['', 'hello'], 1],
    ['LOCATE', [S, S], ['lo', 'hellolo'], 4], ['LOCATE', [S, S, I], ['lo', 'hellolo', 5], 6], ['LOCATE', [S, S, I], ['lo', 'hello', 0], 0],
    ['INSTR', [S, S], ['hello', 'l'], 3], ['INSTR', [S, S], ['hello', 'x'], 0],
    ['LEFT', [S, I], ['hello', 2], 'he'], ['LEFT', [S, I], ['hello', -1], ''], ['RIGHT', [S, I], ['hello', 2], 'lo'], ['RIGHT', [S, I], ['hi', 5], 'hi'],
    ['REPEAT', [S, I], ['ab', 3], 'ababab'], ['REPEAT', [S, I], ['ab', -1], ''],
    ['REVERSE', [S], ['abc'], 'cba'], ['ASCII', [S], ['abc'], 97], ['ASCII', [S], [''], 0],
    ['CHR', [I], [97], 'a'], ['CHR', [I], [353], 'a'], ['CHR', [I], [-1], ''],
    ['TO_BASE64', [S], ['hello world'], 'aGVsbG8gd29ybGQ='], ['FROM_BASE64', [S], ['aGVsbG8gd29ybGQ='], 'hello world'], ['FROM_BASE64', [S], ['!!'], null],
    ['TO_BASE64', [S], ['ab'], 'YWI='], ['TO_BASE64', [S], [''], ''],
    ['MD5', [S], [''], 'd41d8cd98f00b204e9800998ecf8427e'], ['SHA1', [S], ['abc'], 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['SHA224', [S], ['abc'], '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7'],
    ['SHA256', [S], ['hello world'], 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9'],
    ['SHA2', [S, I], ['abc', 256], 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['OVERLAY', [S, S, I], ['xxxxxtest', 'xxxx', 6], 'xxxxxxxxx'], ['OVERLAY', [S, S, I, I], ['xxxxxtest', 'xxxx', 6, 2], 'xxxxxxxxxst'],
    ['TRANSLATE', [S, S, S], ['abcabc', 'ab', 'x'], 'xcxc'], ['STARTSWITH', [S, S], ['hello', 'he'], true], ['ENDSWITH', [S, S], ['hello', 'x'], false],
    ['IS_DIGIT', [S], ['123'], true], ['IS_DIGIT', [S], [null], false], ['IS_ALPHA', [S], ['ab1'], false], ['IS_DECIMAL', [S], ['-1.5e3'], true],
    ['URL_ENCODE', [S], ['a b&c=d/é'], 'a+b%26c%3Dd%2F%C3%A9'], ['URL_DECODE', [S], ['a+b%26c'], 'a b&c'],
    ['ELT', [I, S, S], [2, 'a', 'b'], 'b'], ['ELT', [I, S, S], [3, 'a', 'b'], null],
    ['JSON_QUOTE', [S], ['a"b/c'], '"a\\"b\\/c"'], ['JSON_UNQUOTE', [S], ['"a\\nb"'], 'a\nb'], ['JSON_UNQUOTE', [S], ['abc'], 'abc'],
  ]);
  assert.deepEqual(call('STR_TO_MAP', [S], ['a=1,b=2,c']), new Map([['a', '1'], ['b', '2'], ['c', null]]));
  assert.deepEqual(call('STR_TO_MAP', [S, S, S], ['a:1;b:2;', ';', ':']), new Map([['a', '1'], ['b', '2']]));
  assert.match(call('UUID', [], []) as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(lookupFunction('UUID')!.deterministic, false);
  assert.equal(new TextDecoder().decode(call('ENCODE', [S, S], ['hé', 'UTF-8']) as Uint8Array), 'hé');
  assert.equal(call('DECODE', [T.bytes(), S], [new Uint8Array([0, 104, 0, 105]), 'UTF-16BE']), 'hi');
});

test('math functions', () => {
  const dec = T.decimal(10, 3);
  runTable([
    ['ABS', [I], [-5], 5], ['ABS', [I], [-2147483648], -2147483648], ['ABS', [D], [-1.5], 1.5],
    ['MOD', [I, I], [-7, 3], -1], ['MOD', [I, I], [7, -3], 1],
    ['ROUND', [D, I], [2.5, 0], 3], ['ROUND', [D, I], [-2.5, 0], -3], ['ROUND', [D, I], [1.005, 2], 1.01], ['ROUND', [D], [1.4], 1],
    ['ROUND', [I, I], [1234, -2], 1200], ['ROUND', [I, I], [1250, -2], 1300], ['ROUND', [dec, I], [12.345, 2], 12.35], ['ROUND', [D, I], [12345.678, -2], 12300],
    ['TRUNCATE', [D, I], [42.324, 2], 42.32], ['TRUNCATE', [D], [42.324], 42], ['TRUNCATE', [D, I], [-42.329, 2], -42.32], ['TRUNCATE', [I, I], [1299, -2], 1200],
    ['FLOOR', [D], [-1.5], -2], ['CEIL', [D], [-1.5], -1], ['CEILING', [dec], [1.001], 2], ['FLOOR', [I], [7], 7],
    ['POWER', [D, D], [2, 10], 1024], ['SQRT', [D], [16], 4], ['EXP', [D], [0], 1], ['LN', [D], [Math.E], 1], ['LOG10', [D], [1000], 3],
    ['LOG2', [D], [8], 3], ['LOG', [D], [1], 0], ['LOG', [D, D], [2, 8], 3], ['SIGN', [D], [-3.2], -1], ['SIGN', [I], [0], 0],
    ['PI', [], [], Math.PI], ['E', [], [], Math.E], ['SIN', [D], [0], 0], ['COS', [D], [0], 1], ['ATAN2', [D, D], [1, 1], Math.PI / 4],
    ['DEGREES', [D], [Math.PI], 180], ['RADIANS', [D], [180], Math.PI],
    ['BIN', [I], [4], '100'], ['BIN', [I], [12], '1100'], ['BIN', [T.bigint()], [-1], '1'.repeat(64)],
    ['HEX', [I], [20], '14'], ['HEX', [I], [100], '64'], ['HEX', [S], ['hello,world'], '68656C6C6F2C776F726C64'], ['HEX', [I], [-1], 'F'.repeat(16)],
  ]);
  assert.deepEqual(call('UNHEX', [S], ['4142']), new Uint8Array([0x41, 0x42]));
  assert.equal(call('UNHEX', [S], ['zz']), null);
  assert.throws(() => call('MOD', [I, I], [1, 0]), ExprError);
  // Result types.
  const t = (fn: string, ts: SqlType[], lits: unknown[] = []): string => { const r = typeOf(fn, ts, lits); return 'error' in r ? 'error' : typeToString(r); };
  assert.equal(t('ROUND', [T.decimal(10, 3, false), T.int(false)], [undefined, 1]), 'DECIMAL(9, 1) NOT NULL');
  assert.equal(t('ROUND', [T.double(false)]), 'DOUBLE NOT NULL');
  assert.equal(t('FLOOR', [T.decimal(10, 3)]), 'DECIMAL(10, 0)');
  assert.equal(t('FLOOR', [T.double()]), 'DOUBLE');
  assert.equal(t('SQRT', [T.int()]), 'DOUBLE');
  assert.equal(t('MOD', [T.bigint(), T.int()]), 'INT');
  assert.equal(t('ABS', [T.string()]), 'error');
  // Seeded RAND follows java.util.Random: new Random(42).nextDouble() and nextInt(10).
  assert.equal(call('RAND', [I], [42]), 0.7275636800328681);
  assert.equal(call('RAND_INTEGER', [I, I], [42, 10]), 0);
  const r = call('RAND', [], []) as number;
  assert.ok(r >= 0 && r < 1);
});

test('conditional functions', () => {
  runTable([
    ['IF', [T.boolean(), I, I], [true, 5, 3], 5], ['IF', [T.boolean(), I, I], [null, 5, 3], 3],
    ['NULLIF', [I, I], [5, 5], null], ['NULLIF', [I, I], [5, 0], 5],
    ['COALESCE', [T.null(), S], [null, 'default'], 'default'], ['IFNULL', [I, I], [null, 5], 5],
    ['GREATEST', [I, I, I], [1, 3, 2], 3], ['LEAST', [S, S], ['b', 'a'], 'a'], ['GREATEST', [I, I], [1, null], null],
  ]);
  assert.equal(call('TYPEOF', [T.decimal(5, 2, false)], [1.5]), 'DECIMAL(5, 2) NOT NULL');
  const ifT = typeOf('IF', [T.boolean(), T.int(false), T.double(false)]);
  assert.ok(!('error' in ifT) && ifT.kind === 'DOUBLE' && !ifT.nullable);
  const coal = typeOf('COALESCE', [T.int(), T.bigint(false)]);
  assert.ok(!('error' in coal) && coal.kind === 'BIGINT' && !coal.nullable);
  assert.ok('error' in typeOf('GREATEST', [T.int(), T.string()]));
  assert.ok('error' in typeOf('NULLIF', [T.int(), T.string()]));
});

test('collection functions', () => {
  const A = T.array(I), M = T.map(S, I);
  const m = new Map([['a', 1], ['b', 2]]);
  runTable([
    ['CARDINALITY', [A], [[1, 2, 3]], 3], ['CARDINALITY', [M], [m], 2],
    ['ELEMENT', [A], [[7]], 7], ['ELEMENT', [A], [[]], null],
    ['ARRAY_CONTAINS', [A, I], [[1, null, 3], null], true], ['ARRAY_CONTAINS', [A, I], [[1, 2], 3], false], ['ARRAY_CONTAINS', [A, I], [null, 3], null],
    ['ARRAY_POSITION', [A, I], [[5, 6, 5], 5], 1], ['ARRAY_POSITION', [A, I], [[5], 7], 0],
    ['ARRAY_DISTINCT', [A], [[1, 1, null, 2, null]], [1, null, 2]], ['ARRAY_REMOVE', [A, I], [[1, 2, 1], 1], [2]],
    ['ARRAY_REVERSE', [A], [[1, 2]], [2, 1]], ['ARRAY_APPEND', [A, I], [[1], null], [1, null]], ['ARRAY_PREPEND', [A, I], [[1], 0], [0, 1]],
    ['ARRAY_SLICE', [A, I, I], [[1, 2, 3, 4, 5], 2, 4], [2, 3, 4]], ['ARRAY_SLICE', [A, I], [[1, 2, 3, 4, 5], -2], [4, 5]],
    ['ARRAY_SLICE', [A, I, I], [[1, 2, 3], 3, 1], []], ['ARRAY_CONCAT', [A, A], [[1], [2, 3]], [1, 2, 3]],
    ['ARRAY_UNION', [A, A], [[1, 2, 2], [2, 3]], [1, 2, 3]], ['ARRAY_INTERSECT', [A, A], [[1, 2, 2, 4], [2, 4]], [2, 4]],
    ['ARRAY_EXCEPT', [A, A], [[1, 2, 1, 3], [2]], [1, 3]], ['ARRAY_MAX', [A], [[3, null, 9, 1]], 9], ['ARRAY_MIN', [A], [[3, null, 9, 1]], 1],
    ['ARRAY_JOIN', [T.array(S), S], [['a', null, 'b'], ','], 'a,b'], ['ARRAY_JOIN', [T.array(S), S, S], [['a', null], ',', '?'], 'a,?'],
    ['ARRAY_SORT', [A], [[3, null, 1]], [null, 1, 3]], ['ARRAY_SORT', [A, T.boolean()], [[3, null, 1], false], [3, 1, null]],
    ['MAP_KEYS', [M], [m], ['a', 'b']], ['MAP_VALUES', [M], [m], [1, 2]], ['MAP_ENTRIES', [M], [m], [['a', 1], ['b', 2]]],
  ]);
  assert.throws(() => call('ELEMENT', [A], [[1, 2]]), ExprError);
  assert.deepEqual(call('MAP_FROM_ARRAYS', [T.array(S), A], [['x', 'y'], [1, 2]]), new Map([['x', 1], ['y', 2]]));
  assert.deepEqual(call('MAP_UNION', [M, M], [m, new Map([['b', 5]])]), new Map([['a', 1], ['b', 5]]));
});

test('JSON functions (Flink docs examples)', () => {
  runTable([
    ['JSON_VALUE', [S, S], ['{"a": true}', '$.a'], 'true'],
    ['JSON_VALUE', [S, S], ['{"a": true}', 'lax $.b'], null],
    ['JSON_VALUE', [S, S], ['{"a": true}', 'strict $.b'], null],
    ['JSON_VALUE', [S, S], ['{"a.b": [0.998,0.996]}', '$.["a.b"][0]'], '0.998'],
    ['JSON_VALUE', [S, S], ['{"contains blank": "right"}', "strict $.['contains blank']"], 'right'],
    ['JSON_VALUE', [S, S], ['{"a": 1.0, "b": 1e2, "c": 7}', '$.a'], '1.0'],
    ['JSON_VALUE', [S, S], ['{"a": 1.0, "b": 1e2, "c": 7}', '$.b'], '100.0'],
    ['JSON_VALUE', [S, S], ['{"a": {"x": 1}}', '$.a'], null],
    ['JSON_VALUE', [S, S], ['not json', '$.a'], null],
    ['JSON_VALUE', [S, S], ['{"a": [{"b": "x"}]}', '$.a[0].b'], 'x'],
    ['JSON_QUERY', [S, S], ['{ "a": { "b": 1 } }', '$.a'], '{"b":1}'],
    ['JSON_QUERY', [S, S], ['[1, 2]', '$'], '[1,2]'],
    ['JSON_QUERY', [S, S], ['{"a":[{"c":"c1"},{"c":"c2"}]}', 'lax $.a[*].c'], '["c1","c2"]'],
    ['JSON_QUERY', [S, S, S], ['{}', '$', 'CONDITIONAL'], '[{}]'],
    ['JSON_QUERY', [S, S, S], ['[1, 2]', '$', 'CONDITIONAL'], '[1,2]'],
    ['JSON_QUERY', [S, S, S], ['[1, 2]', '$', 'UNCONDITIONAL'], '[[1,2]]'],
    ['JSON_QUERY', [S, S], ['1', '$'], null],
    ['JSON_QUERY', [S, S, S], ['1', '$', 'CONDITIONAL'], '[1]'],
    ['JSON_EXISTS', [S, S], ['{"a": true}', '$.a'], true], ['JSON_EXISTS', [S, S], ['{"a": true}', '$.b'], false],
    ['JSON_EXISTS', [S, S], ['{"a": [{ "b": 1 }]}', '$.a[0].b'], true], ['JSON_EXISTS', [S, S], ['{"a": true}', 'strict $.b'], false],
    ['IS_JSON', [S, S], ['1', 'VALUE'], true], ['IS_JSON', [S, S], ['"abc"', 'VALUE'], true], ['IS_JSON', [S, S], ['abc', 'VALUE'], false],
    ['IS_JSON', [S, S], [null, 'VALUE'], false], ['IS_JSON', [S, S], ['1', 'SCALAR'], true], ['IS_JSON', [S, S], ['1', 'ARRAY'], false],
    ['IS_JSON', [S, S], ['{}', 'OBJECT'], true], ['IS_JSON', [S, S], ['{}', 'SCALAR'], false], ['IS_JSON', [S, S], ['[]', 'ARRAY'], true],
  ]);
  assert.equal(call('JSON_STRING', [I], [1]), '1');
  assert.equal(call('JSON_STRING', [T.boolean()], [true]), 'true');
  assert.equal(call('JSON_STRING', [S], ['Hello, World!']), '"Hello, World!"');
  assert.equal(call('JSON_STRING', [T.array(I)], [[1, 2]]), '[1,2]');
  assert.equal(call('JSON_STRING', [I], [null]), null);
  assert.equal(call('JSON_STRING', [T.row([{ name: 'a', type: D }, { name: 'b', type: T.map(S, S) }])], [[1, new Map([['k', 'v']])]]), '{"a":1.0,"b":{"k":"v"}}');
});

test('argument checking gives clear errors', () => {
  const r = typeOf('SUBSTRING', [T.int(), T.int()]);
  assert.ok('error' in r && /argument 1 must be STRING/.test(r.error));
  const n = typeOf('UPPER', []);
  assert.ok('error' in n && /expects UPPER\(STRING\)/.test(n.error));
  assert.ok('error' in typeOf('EXTRACT', [T.string(), T.date()], ['HOUR_X', undefined]));
  assert.ok('error' in typeOf('FLOOR', [T.timestamp(3), T.string()], [undefined, 'FORTNIGHT']));
  // Nullability: strict functions are nullable only when an argument is.
  const u = typeOf('UPPER', [T.string(false)]);
  assert.ok(!('error' in u) && !u.nullable);
  const re = typeOf('REGEXP_EXTRACT', [T.string(false), T.string(false)]);
  assert.ok(!('error' in re) && re.nullable);
  assert.ok(functionNames().includes('DATE_FORMAT') && functionNames().length > 150);
});

test('generic (non-specialised) paths agree with specialised ones', () => {
  const cases: [string, SqlType[], unknown[]][] = [
    ['ROUND', [D, I], [2.345, 2]], ['TRUNCATE', [D, I], [-2.345, 1]], ['TO_TIMESTAMP', [S, S], ['2024/01/02', 'yyyy/MM/dd']],
    ['REGEXP_REPLACE', [S, S, S], ['a1', '\\d', '#']], ['LOG', [D, D], [10, 1000]], ['YEAR', [T.date()], [19737]],
  ];
  for (const [fn, types, args] of cases) assert.deepEqual(callDynamic(fn, types, args), call(fn, types, args), fn);
});
