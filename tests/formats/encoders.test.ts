// Tests of the writing side of the json and csv formats, Java number text, and decode(encode(row)) round trips.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daysFromCivil } from '../../src/common/time.js';
import { T, type RowField } from '../../src/common/types.js';
import { createDecoder, createEncoder } from '../../src/formats/index.js';
import {
  decimalFromText, javaDecimalToString, javaDoubleToString, javaFloatToString,
} from '../../src/formats/java-number-text.js';

const f = (name: string, type: RowField['type']): RowField => ({ name, type });
const TS = daysFromCivil(2024, 1, 2) * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000;

describe('Java number text', () => {
  it('Double.toString layout', () => {
    const cases: [number, string][] = [
      [1, '1.0'], [-2.5, '-2.5'], [0, '0.0'], [-0, '-0.0'], [100, '100.0'], [0.001, '0.001'], [0.0001, '1.0E-4'],
      [1234567, '1234567.0'], [12345678, '1.2345678E7'], [1e21, '1.0E21'], [0.1 + 0.2, '0.30000000000000004'],
      [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [1.5e-7, '1.5E-7'],
    ];
    for (const [v, s] of cases) assert.equal(javaDoubleToString(v), s, `${v}`);
  });
  it('Float.toString uses the shortest float digits', () => {
    assert.equal(javaFloatToString(Math.fround(0.1)), '0.1');
    assert.equal(javaFloatToString(Math.fround(1.5)), '1.5');
    assert.equal(javaFloatToString(Math.fround(3.4e38)), '3.4E38');
    assert.equal(javaFloatToString(Math.fround(16777216)), '1.6777216E7');
  });
  it('BigDecimal.toString keeps the scale and goes scientific only below 1E-6', () => {
    assert.equal(javaDecimalToString(12.3, 2), '12.30');
    assert.equal(javaDecimalToString(-0.5, 3), '-0.500');
    assert.equal(javaDecimalToString(5, 0), '5');
    assert.equal(javaDecimalToString(1e-8, 8), '1E-8');
    assert.equal(javaDecimalToString(1.23e-8, 10), '1.23E-8');
    assert.equal(javaDecimalToString(0, 8), '0E-8');
    assert.equal(javaDecimalToString(0, 8, true), '0.00000000');
    assert.equal(javaDecimalToString(1e-6, 6), '0.000001');
  });
  it('decimalFromText rounds on digits, not binary doubles', () => {
    assert.equal(decimalFromText('1.005', 10, 2), 1.01);
    assert.equal(decimalFromText('-1.005', 10, 2), -1.01);
    assert.equal(decimalFromText('.5', 10, 0), 1);
    assert.equal(decimalFromText('9.999', 3, 2), null);
    assert.equal(decimalFromText('0.004', 3, 2), 0);
  });
});

describe('json encoder', () => {
  const fields: RowField[] = [
    f('id', T.bigint()), f('name', T.string()), f('price', T.decimal(10, 2)), f('ratio', T.double()), f('ok', T.boolean()),
    f('day', T.date()), f('at', T.time()), f('ts', T.timestamp(3)), f('lz', T.timestampLtz(3)), f('raw', T.bytes()),
    f('tags', T.array(T.string())), f('attrs', T.map(T.string(), T.int())), f('addr', T.row([f('city', T.string())])),
    f('missing', T.int()),
  ];
  const row = [
    7, 'a "q"\n', 12.3, 1, true, daysFromCivil(2024, 1, 2), 37_230_500, TS + 500, TS, new Uint8Array([1, 2]),
    ['x', null], new Map([['k', 1]]), ['Paris'], null,
  ];
  it('writes Flink json with Java number text and Flink timestamp text', () => {
    const enc = createEncoder('json', fields, {});
    assert.equal(enc(row),
      '{"id":7,"name":"a \\"q\\"\\n","price":12.30,"ratio":1.0,"ok":true,"day":"2024-01-02","at":"10:20:30",'
      + '"ts":"2024-01-02 03:04:05.5","lz":"2024-01-02 03:04:05Z","raw":"AQI=","tags":["x",null],"attrs":{"k":1},'
      + '"addr":{"city":"Paris"},"missing":null}');
  });
  it('ISO-8601 timestamps and ignore-null-fields', () => {
    const enc = createEncoder('json', [f('ts', T.timestamp(3)), f('lz', T.timestampLtz(3)), f('n', T.int())],
      { 'json.timestamp-format.standard': 'ISO-8601', 'json.encode.ignore-null-fields': 'true' });
    assert.equal(enc([TS, TS + 120, null]), '{"ts":"2024-01-02T03:04:05","lz":"2024-01-02T03:04:05.12Z"}');
  });
  it('non-finite doubles are strings; null map keys follow json.map-null-key.mode', () => {
    assert.equal(createEncoder('json', [f('d', T.double())], {})([NaN]), '{"d":"NaN"}');
    const m = [new Map<unknown, unknown>([[null, 1], ['a', 2]])];
    const mf = [f('m', T.map(T.string(), T.int()))];
    assert.throws(() => createEncoder('json', mf, {})(m), /NULL key/);
    assert.equal(createEncoder('json', mf, { 'json.map-null-key.mode': 'DROP' })(m), '{"m":{"a":2}}');
    assert.equal(createEncoder('json', mf, { 'json.map-null-key.mode': 'LITERAL', 'json.map-null-key.literal': 'nil' })(m), '{"m":{"nil":1,"a":2}}');
  });
  it('round-trips through the decoder', () => {
    const text = createEncoder('json', fields, {})(row);
    const back = createDecoder('json', fields, {})(text)!;
    // TIME is written without its fraction by Flink's json format.
    assert.deepEqual(back, [...row.slice(0, 6), 37_230_000, ...row.slice(7)]);
  });
});

describe('csv encoder', () => {
  it('quotes text as Jackson does and never quotes numbers', () => {
    const enc = createEncoder('csv', [f('s', T.string()), f('i', T.int()), f('d', T.double()), f('t', T.timestamp(3)), f('day', T.date())], {});
    assert.equal(enc(['plain', -5, 2, TS, 0]), 'plain,-5,2.0,"2024-01-02 03:04:05",1970-01-01');
    assert.equal(enc(['a,b', 1, 0.5, TS + 250, 1]), '"a,b",1,0.5,"2024-01-02 03:04:05.25",1970-01-02');
    assert.equal(enc(['say "hi"', 1, 1, TS, 1]), '"say ""hi""",1,1.0,"2024-01-02 03:04:05",1970-01-02');
    assert.equal(enc(['', null, null, null, null]), ',,,,');
  });
  it('csv.null-literal, arrays, rows, decimals, LTZ', () => {
    const enc = createEncoder('csv', [f('a', T.array(T.int())), f('r', T.row([f('x', T.int()), f('y', T.string())])), f('m', T.decimal(10, 8)), f('z', T.timestampLtz(3)), f('n', T.string())],
      { 'csv.null-literal': 'NULL' });
    assert.equal(enc([[1, null, 3], [1, 'y'], 1e-8, TS, null]), '1;NULL;3,1;y,1E-8,"2024-01-02 03:04:05Z",NULL');
    const plain = createEncoder('csv', [f('m', T.decimal(10, 8))], { 'csv.write-bigdecimal-in-scientific-notation': 'false' });
    assert.equal(plain([1e-8]), '0.00000001');
  });
  it('another delimiter, disabled quoting, escape character', () => {
    assert.equal(createEncoder('csv', [f('a', T.string()), f('b', T.string())], { 'csv.field-delimiter': '|' })(['x|y', 'z']), '"x|y"|z');
    assert.equal(createEncoder('csv', [f('a', T.string())], { 'csv.disable-quote-character': 'true' })(['a b']), 'a b');
    assert.equal(createEncoder('csv', [f('a', T.string())], { 'csv.escape-character': '\\' })(['say "x"']), '"say \\"x\\""');
  });
  it('round-trips through the decoder', () => {
    const fields = [f('s', T.string()), f('i', T.int()), f('d', T.double()), f('ts', T.timestamp(3)), f('tags', T.array(T.string())), f('b', T.bytes())];
    const rows = [['multi\nline, "quoted"', 1, -0.25, TS + 1, ['a', 'b c'], new Uint8Array([0, 255])], ['', 0, 1e300, TS, [], new Uint8Array([])]];
    const enc = createEncoder('csv', fields, {});
    const dec = createDecoder('csv', fields, {});
    for (const r of rows) assert.deepEqual(dec(enc(r)), r);
  });
});
