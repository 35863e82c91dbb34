// Tests of Flink's json format, reading side: every type, every decode option, and the errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T, type RowField } from '../../src/common/types.js';
import { daysFromCivil } from '../../src/common/time.js';
import { DecodeError, createDecoder } from '../../src/formats/index.js';

const f = (name: string, type: RowField['type']): RowField => ({ name, type });
const ts = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number =>
  daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;

function one(type: RowField['type'], json: string, options: Record<string, string> = {}): unknown {
  const dec = createDecoder('json', [f('v', type)], options);
  return dec(`{"v": ${json}}`)![0];
}

function fails(type: RowField['type'], json: string, pattern: RegExp, options: Record<string, string> = {}): void {
  const dec = createDecoder('json', [f('v', type)], options);
  assert.throws(() => dec(`{"v": ${json}}`), (e: unknown) => e instanceof DecodeError && pattern.test(e.message));
}

describe('json decoder: fields', () => {
  it('matches fields by name, case-sensitively, ignoring unknown ones and order', () => {
    const dec = createDecoder('json', [f('id', T.int()), f('Name', T.string())], {});
    assert.deepEqual(dec('{"extra": [1, {"x": 2}], "Name": "a", "id": 7}'), [7, 'a']);
    assert.deepEqual(dec('{"id": 7, "name": "lower"}'), [7, null]);
  });
  it('reads absent fields as NULL, or fails with json.fail-on-missing-field', () => {
    assert.deepEqual(createDecoder('json', [f('a', T.int()), f('b', T.int())], {})('{"a": 1}'), [1, null]);
    const strict = createDecoder('json', [f('a', T.int()), f('b', T.int())], { 'json.fail-on-missing-field': 'true' });
    assert.throws(() => strict('{"a": 1}'), /field 'b': field is missing/);
    assert.deepEqual(strict('{"a": 1, "b": null}'), [1, null]);
  });
  it('does not mistake inherited object properties for fields', () => {
    const dec = createDecoder('json', [f('constructor', T.string()), f('toString', T.int())], {});
    assert.deepEqual(dec('{}'), [null, null]);
    assert.deepEqual(dec('{"constructor": "c", "toString": 3}'), ['c', 3]);
  });
  it('returns null for an empty record and rejects non-objects', () => {
    const dec = createDecoder('json', [f('a', T.int())], {});
    assert.equal(dec(''), null);
    assert.throws(() => dec('[1]'), /expected a JSON object, found a JSON array/);
    assert.throws(() => dec('null'), /expected a JSON object/);
    assert.throws(() => dec('  '), /invalid JSON/);
    assert.throws(() => dec('{"a": 1'), /invalid JSON/);
  });
});

describe('json decoder: types', () => {
  it('BOOLEAN: JSON booleans, and text the way Java parseBoolean reads it', () => {
    assert.equal(one(T.boolean(), 'true'), true);
    assert.equal(one(T.boolean(), 'false'), false);
    assert.equal(one(T.boolean(), '"TRUE"'), true);
    assert.equal(one(T.boolean(), '" true "'), true);
    assert.equal(one(T.boolean(), '"yes"'), false);
    assert.equal(one(T.boolean(), '1'), false);
  });
  it('integral types: numbers, numeric strings, ranges', () => {
    assert.equal(one(T.int(), '12'), 12);
    assert.equal(one(T.int(), '"12"'), 12);
    assert.equal(one(T.int(), '" -12 "'), -12);
    assert.equal(one(T.int(), '12.9'), 12, 'INT truncates a fractional JSON number like Jackson');
    assert.equal(one(T.bigint(), '-9007199254740991'), -9007199254740991);
    assert.equal(one(T.tinyint(), '127'), 127);
    assert.equal(one(T.smallint(), '"-32768"'), -32768);
    fails(T.tinyint(), '128', /out of range of TINYINT/);
    fails(T.tinyint(), '1.5', /not a valid TINYINT/);
    fails(T.int(), '2147483648', /out of range of INT/);
    fails(T.int(), '"12.5"', /"12.5" is not a valid INT/);
    fails(T.int(), '"abc"', /field 'v': "abc" is not a valid INT/);
    fails(T.int(), 'true', /not a valid INT/);
    fails(T.bigint(), '"9223372036854775808"', /out of range of BIGINT/);
  });
  it('FLOAT and DOUBLE: numbers and Java double text', () => {
    assert.equal(one(T.double(), '1.25'), 1.25);
    assert.equal(one(T.double(), '"1e3"'), 1000);
    assert.equal(one(T.double(), '"2.5d"'), 2.5);
    assert.ok(Number.isNaN(one(T.double(), '"NaN"')));
    assert.equal(one(T.double(), '"-Infinity"'), -Infinity);
    assert.equal(one(T.float(), '0.1'), Math.fround(0.1));
    fails(T.double(), '"0x10"', /not a valid DOUBLE/);
    fails(T.double(), '""', /not a valid DOUBLE/);
  });
  it('DECIMAL: rounds half-up to the scale, NULL on precision overflow (as Flink)', () => {
    assert.equal(one(T.decimal(10, 2), '12.345'), 12.35);
    assert.equal(one(T.decimal(10, 2), '"0.125"'), 0.13);
    assert.equal(one(T.decimal(10, 2), '-0.125'), -0.13);
    assert.equal(one(T.decimal(10, 2), '"1E2"'), 100);
    assert.equal(one(T.decimal(10, 0), '99.5'), 100);
    assert.equal(one(T.decimal(4, 2), '99.994'), 99.99);
    assert.equal(one(T.decimal(4, 2), '99.995'), null);
    assert.equal(one(T.decimal(4, 2), '123'), null);
    fails(T.decimal(10, 2), '"1,5"', /not a valid DECIMAL/);
  });
  it('STRING: text, and numbers, booleans and nested JSON as their text', () => {
    assert.equal(one(T.string(), '"héllo ✓"'), 'héllo ✓');
    assert.equal(one(T.string(), '12'), '12');
    assert.equal(one(T.string(), 'true'), 'true');
    assert.equal(one(T.string(), '{"a": [1, 2], "b": "x"}'), '{"a":[1,2],"b":"x"}');
    assert.equal(one(T.string(), '[1, "x"]'), '[1,"x"]');
  });
  it('BYTES: base64 only', () => {
    assert.deepEqual(one(T.bytes(), '"AQL/"'), new Uint8Array([1, 2, 255]));
    assert.deepEqual(one(T.bytes(), '""'), new Uint8Array([]));
    fails(T.bytes(), '"not base64!"', /not valid base64/);
    fails(T.bytes(), '12', /expected base64 text/);
  });
  it('DATE and TIME: strict yyyy-MM-dd and HH:mm:ss[.f]', () => {
    assert.equal(one(T.date(), '"2024-02-29"'), daysFromCivil(2024, 2, 29));
    fails(T.date(), '"2023-02-29"', /not a valid DATE/);
    fails(T.date(), '"2024-2-1"', /not a valid DATE/);
    fails(T.date(), '19000', /not a valid DATE/);
    assert.equal(one(T.time(), '"10:20:30"'), 37_230_000);
    assert.equal(one(T.time(), '"10:20:30.1239"'), 37_230_123);
    fails(T.time(), '"10:20"', /not a valid TIME/);
    fails(T.time(), '"24:00:00"', /not a valid TIME/);
  });
  it('TIMESTAMP with the SQL standard (default): space separator only, no zone, no numbers', () => {
    assert.equal(one(T.timestamp(3), '"2024-01-02 03:04:05"'), ts(2024, 1, 2, 3, 4, 5));
    assert.equal(one(T.timestamp(3), '"2024-01-02 03:04:05.6"'), ts(2024, 1, 2, 3, 4, 5, 600));
    assert.equal(one(T.timestamp(3), '"2024-01-02 03:04:05.123456789"'), ts(2024, 1, 2, 3, 4, 5, 123));
    fails(T.timestamp(3), '"2024-01-02T03:04:05"', /not a valid TIMESTAMP \(expected 'yyyy-MM-dd HH:mm:ss\[\.SSS\]'\)/);
    fails(T.timestamp(3), '"2024-01-02 03:04"', /not a valid TIMESTAMP/);
    fails(T.timestamp(3), '"2024-01-02 03:04:05Z"', /not a valid TIMESTAMP/);
    fails(T.timestamp(3), '1704164645000', /not a valid TIMESTAMP/);
  });
  it('TIMESTAMP with ISO-8601: T separator, optional seconds', () => {
    const iso = { 'json.timestamp-format.standard': 'ISO-8601' };
    assert.equal(one(T.timestamp(3), '"2024-01-02T03:04:05.5"', iso), ts(2024, 1, 2, 3, 4, 5, 500));
    assert.equal(one(T.timestamp(3), '"2024-01-02T03:04"', iso), ts(2024, 1, 2, 3, 4));
    fails(T.timestamp(3), '"2024-01-02 03:04:05"', /not a valid TIMESTAMP/, iso);
    fails(T.timestamp(3), '"2024-01-02T03:04:05Z"', /not a valid TIMESTAMP/, iso);
  });
  it('TIMESTAMP_LTZ: the standard plus a literal Z', () => {
    assert.equal(one(T.timestampLtz(3), '"2024-01-02 03:04:05.250Z"'), ts(2024, 1, 2, 3, 4, 5, 250));
    fails(T.timestampLtz(3), '"2024-01-02 03:04:05"', /expected 'yyyy-MM-dd HH:mm:ss\[\.SSS\]Z'/);
    assert.equal(one(T.timestampLtz(3), '"2024-01-02T03:04:05Z"', { 'json.timestamp-format.standard': 'ISO-8601' }), ts(2024, 1, 2, 3, 4, 5));
    fails(T.timestampLtz(3), '"2024-01-02T03:04:05+01:00"', /not a valid TIMESTAMP_LTZ/, { 'json.timestamp-format.standard': 'ISO-8601' });
  });
  it('ARRAY, MAP and nested ROW', () => {
    assert.deepEqual(one(T.array(T.int()), '[1, null, "3"]'), [1, null, 3]);
    assert.deepEqual(one(T.map(T.string(), T.double()), '{"a": 1.5, "b": null}'), new Map<unknown, unknown>([['a', 1.5], ['b', null]]));
    const row = T.row([f('city', T.string()), f('zip', T.int())]);
    assert.deepEqual(one(row, '{"zip": "75001", "city": "Paris", "x": 1}'), ['Paris', 75001]);
    assert.deepEqual(one(T.array(row), '[{"city": "A"}, null]'), [['A', null], null]);
    fails(T.array(T.int()), '{"a": 1}', /expected a JSON array/);
    fails(T.map(T.string(), T.int()), '[1]', /expected a JSON object for a MAP/);
    fails(row, '"Paris"', /expected a JSON object/);
  });
  it('names the nested path of a bad value', () => {
    const row = T.row([f('tags', T.array(T.int()))]);
    fails(row, '{"tags": [1, "x"]}', /field 'v\.tags\[1\]': "x" is not a valid INT/);
  });
  it('rejects NULL for NOT NULL columns', () => {
    const dec = createDecoder('json', [f('id', T.int(false))], {});
    assert.throws(() => dec('{"id": null}'), /field 'id': NULL value for a NOT NULL column/);
    assert.throws(() => dec('{}'), /field 'id': field is missing for a NOT NULL column/);
  });
});

describe('json decoder: json.ignore-parse-errors', () => {
  it('sets unconvertible values to NULL and reports each, keeping the row', () => {
    const reported: DecodeError[] = [];
    const dec = createDecoder('json', [f('a', T.int()), f('b', T.array(T.int())), f('c', T.string())],
      { 'json.ignore-parse-errors': 'true' }, { onFieldError: (e) => reported.push(e) });
    assert.equal(dec.ignoreParseErrors, true);
    assert.deepEqual(dec('{"a": "x", "b": [1, "y", 3], "c": "ok"}'), [null, [1, null, 3], 'ok']);
    assert.deepEqual(reported.map((e) => [e.path, e.reason]), [['a', '"x" is not a valid INT'], ['[1]', '"y" is not a valid INT']]);
  });
  it('still rejects records that are not JSON objects (the connector skips them)', () => {
    const dec = createDecoder('json', [f('a', T.int())], { 'json.ignore-parse-errors': 'true' });
    assert.throws(() => dec('{oops'), DecodeError);
  });
  it('rejects a row whose NOT NULL column cannot be converted', () => {
    const dec = createDecoder('json', [f('a', T.int(false))], { 'json.ignore-parse-errors': 'true' });
    assert.throws(() => dec('{"a": "x"}'), /not a valid INT/);
  });
});
