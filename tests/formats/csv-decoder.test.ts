// Tests of Flink's csv format, reading side: splitting and quoting, every type, every option, the errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daysFromCivil } from '../../src/common/time.js';
import { T, type RowField } from '../../src/common/types.js';
import { CsvSplitter } from '../../src/formats/csv-splitter.js';
import { DecodeError, createDecoder } from '../../src/formats/index.js';

const f = (name: string, type: RowField['type']): RowField => ({ name, type });

function split(line: string, dialect = { delimiter: ',', quote: '"' as string | null, escape: null as string | null }): string[] {
  const out: string[] = [];
  const n = new CsvSplitter(dialect).split(line, out);
  return out.slice(0, n);
}

describe('csv splitter', () => {
  it('splits on the delimiter, keeping whitespace and empty values', () => {
    assert.deepEqual(split('a,b ,, c,'), ['a', 'b ', '', ' c', '']);
    assert.deepEqual(split(''), ['']);
  });
  it('reads quoted values with delimiters, doubled quotes and line breaks', () => {
    assert.deepEqual(split('"a,b","say ""hi""","x\ny",""'), ['a,b', 'say "hi"', 'x\ny', '']);
    assert.deepEqual(split('a"b,c'), ['a"b', 'c'], 'a quote inside an unquoted value is data');
  });
  it('reports unterminated quotes and text after a closing quote', () => {
    assert.throws(() => split('"abc'), /unterminated quoted value in column 1/);
    assert.throws(() => split('x,"ab"c'), /unexpected character 'c' after the closing quote of column 2/);
  });
  it('supports an escape character and another delimiter, and disabled quoting', () => {
    assert.deepEqual(split('a\\|b|c\\nd|"q\\"x"', { delimiter: '|', quote: '"', escape: '\\' }), ['a|b', 'c\nd', 'q"x']);
    assert.deepEqual(split('"a";b', { delimiter: ';', quote: null, escape: null }), ['"a"', 'b']);
  });
  it('knows when a record continues on the next line', () => {
    const s = new CsvSplitter({ delimiter: ',', quote: '"', escape: null });
    assert.equal(s.endsInsideQuotes('1,"abc'), true);
    assert.equal(s.endsInsideQuotes('1,"ab""c'), true);
    assert.equal(s.endsInsideQuotes('1,"abc"'), false);
    assert.equal(s.endsInsideQuotes('1,a"bc'), false);
  });
});

describe('csv decoder', () => {
  const all: RowField[] = [
    f('b', T.boolean()), f('i', T.int()), f('l', T.bigint()), f('d', T.double()), f('m', T.decimal(5, 2)),
    f('s', T.string()), f('dt', T.date()), f('tm', T.time()), f('ts', T.timestamp(3)), f('lz', T.timestampLtz(3)),
    f('by', T.bytes()), f('arr', T.array(T.int())), f('r', T.row([f('x', T.int()), f('y', T.string())])),
  ];
  it('converts every supported type by position', () => {
    const dec = createDecoder('csv', all, {});
    const row = dec('TRUE, 42 ,9007199254740991,1.5e1,3.145,"a, b",2024-1-5,10:20:30.5,2024-01-02 03:04:05.25,2024-01-02 03:04:05Z,AQI=,1;2;3,7;seven');
    assert.deepEqual(row, [
      true, 42, 9007199254740991, 15, 3.15, 'a, b', daysFromCivil(2024, 1, 5), 37_230_000,
      daysFromCivil(2024, 1, 2) * 86_400_000 + 11_045_250, daysFromCivil(2024, 1, 2) * 86_400_000 + 11_045_000,
      new Uint8Array([1, 2]), [1, 2, 3], [7, 'seven'],
    ]);
  });
  it('keeps TIME to the column precision', () => {
    assert.deepEqual(createDecoder('csv', [f('t', T.time())], {})('10:20:30.987'), [37_230_000]);
    assert.deepEqual(createDecoder('csv', [f('t', { ...T.time(), precision: 3 })], {})('10:20:30.987'), [37_230_987]);
    assert.deepEqual(createDecoder('csv', [f('t', T.time())], {})('10:20'), [37_200_000]);
  });
  it('reads an empty value as the empty string for STRING and an error for other types (as Flink)', () => {
    const dec = createDecoder('csv', [f('s', T.string()), f('i', T.int())], {});
    assert.deepEqual(dec(',1'), ['', 1]);
    assert.throws(() => dec('a,'), (e: unknown) => e instanceof DecodeError && e.path === 'i' && /"" is not a valid INT/.test(e.message));
  });
  it('csv.null-literal reads matching values as NULL, including inside arrays', () => {
    const dec = createDecoder('csv', [f('s', T.string()), f('i', T.int()), f('a', T.array(T.int()))], { 'csv.null-literal': 'N/A' });
    assert.deepEqual(dec('N/A,N/A,1;N/A'), [null, null, [1, null]]);
    const empty = createDecoder('csv', [f('s', T.string()), f('i', T.int())], { 'csv.null-literal': '' });
    assert.deepEqual(empty(','), [null, null]);
  });
  it('an empty ARRAY value is an empty array, an empty ROW value is NULL', () => {
    const dec = createDecoder('csv', [f('a', T.array(T.string())), f('r', T.row([f('x', T.int())]))], {});
    assert.deepEqual(dec(','), [[], null]);
  });
  it('csv.array-element-delimiter', () => {
    const dec = createDecoder('csv', [f('a', T.array(T.string()))], { 'csv.array-element-delimiter': '|' });
    assert.deepEqual(dec('x|y;z'), [['x', 'y;z']]);
  });
  it('csv.field-delimiter with a Java escape, csv.quote-character, csv.escape-character', () => {
    const dec = createDecoder('csv', [f('a', T.string()), f('b', T.string())],
      { 'csv.field-delimiter': '\\t', 'csv.quote-character': "'", 'csv.escape-character': '\\' });
    assert.deepEqual(dec("'x\ty'\tit\\'s"), ['x\ty', "it's"]);
  });
  it('csv.allow-comments skips # lines; without it they are data', () => {
    assert.equal(createDecoder('csv', [f('a', T.string())], { 'csv.allow-comments': 'true' })('# note'), null);
    assert.deepEqual(createDecoder('csv', [f('a', T.string())], {})('# note'), ['# note']);
  });
  it('does not skip a header line: it is a record like any other (and fails to convert)', () => {
    const dec = createDecoder('csv', [f('id', T.int()), f('name', T.string())], {});
    assert.throws(() => dec('id,name'), /"id" is not a valid INT/);
  });
  it('rejects records with the wrong number of values', () => {
    const dec = createDecoder('csv', [f('a', T.int()), f('b', T.int())], {});
    assert.throws(() => dec('1'), /row length mismatch: 2 fields expected but was 1/);
    assert.throws(() => dec('1,2,3'), /row length mismatch: 2 fields expected but was 3/);
    assert.equal(dec(''), null, 'an empty line holds no record');
  });
  it('with csv.ignore-parse-errors: bad values become NULL (reported), missing trailing values NULL, extra values still fail', () => {
    const reported: string[] = [];
    const dec = createDecoder('csv', [f('a', T.int()), f('b', T.date()), f('c', T.string())],
      { 'csv.ignore-parse-errors': 'true' }, { onFieldError: (e) => reported.push(e.message) });
    assert.deepEqual(dec('x,2024-13-01,ok'), [null, null, 'ok']);
    assert.deepEqual(reported, ["field 'a': \"x\" is not a valid INT", "field 'b': \"2024-13-01\" is not a valid DATE (expected 'yyyy-MM-dd')"]);
    assert.deepEqual(dec('1'), [1, null, null]);
    assert.throws(() => dec('1,2024-01-01,x,y'), /row length mismatch/);
  });
  it('BOOLEAN never fails; TIMESTAMP needs the SQL shape; LTZ needs the Z', () => {
    const dec = createDecoder('csv', [f('b', T.boolean()), f('t', T.timestamp(3)), f('z', T.timestampLtz(3))], {});
    assert.equal(dec('nope,2024-01-01 00:00:00,2024-01-01 00:00:00Z')![0], false);
    assert.throws(() => dec('true,2024-01-01T00:00:00,2024-01-01 00:00:00Z'), /field 't'.*not a valid TIMESTAMP/);
    assert.throws(() => dec('true,2024-01-01 00:00:00,2024-01-01 00:00:00'), /field 'z'.*not a valid TIMESTAMP_LTZ/);
  });
  it('exposes multi-line continuation through the decoder', () => {
    const dec = createDecoder('csv', [f('a', T.int()), f('b', T.string())], {});
    assert.equal(dec.continuesOnNextLine('1,"line one'), true);
    assert.deepEqual(dec('1,"line one\nline two"'), [1, 'line one\nline two']);
  });
});
