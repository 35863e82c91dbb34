/** Data type syntax and conversion of TypeNode to the shared SqlType. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typeToString, STRING_MAX } from '../../src/common/types.js';
import { parseDataType } from '../../src/sql/parser.js';
import { printType } from '../../src/sql/printer.js';
import { typeNodeToSqlType } from '../../src/sql/type-node-to-sql-type.js';
import { as, type } from './helpers.js';

/** Parses and converts, returning Flink's spelling of the resulting SqlType. */
function conv(s: string): string {
  const r = typeNodeToSqlType(type(s));
  assert.ok(r.ok, `conversion failed for ${s}: ${r.ok ? '' : r.message}`);
  return typeToString(r.type);
}

test('type syntax', () => {
  const d = as(type('DECIMAL(10, 2) NOT NULL'), 'ScalarType');
  assert.deepEqual([d.name, d.precision, d.scale, d.nullable], ['DECIMAL', 10, 2, false]);
  assert.equal(as(type('DOUBLE PRECISION'), 'ScalarType').name, 'DOUBLE');
  assert.equal(as(type('INT NULL'), 'ScalarType').nullable, true);
  assert.equal(as(type('TIMESTAMP(3) WITH LOCAL TIME ZONE'), 'ScalarType').withLocalTimeZone, true);
  assert.equal(as(type('TIMESTAMP WITHOUT TIME ZONE'), 'ScalarType').withLocalTimeZone, undefined);
  const a = as(type('ARRAY<ROW<a INT NOT NULL, `b c` STRING COMMENT \'x\'>>'), 'ArrayType');
  const r = as(a.element, 'RowType');
  assert.deepEqual(r.fields.map((f) => [f.name.text, f.comment?.value]), [['a', undefined], ['b c', 'x']]);
  const pa = as(type('INT NOT NULL ARRAY NOT NULL'), 'ArrayType');
  assert.equal(pa.nullable, false);
  assert.equal(as(pa.element, 'ScalarType').nullable, false);
  const m = as(type('MAP<STRING, ARRAY<INT>>'), 'MapType');
  assert.equal(m.value.kind, 'ArrayType');
  assert.equal(as(type('ROW(a INT, b STRING)'), 'RowType').fields.length, 2);
  const i = as(type('INTERVAL DAY(2) TO SECOND(3)'), 'IntervalType');
  assert.deepEqual([i.qualifier.start, i.qualifier.startPrecision, i.qualifier.end, i.qualifier.fractionalPrecision], ['DAY', 2, 'SECOND', 3]);
  assert.equal(as(type('MULTISET<INT>'), 'MultisetType').element.kind, 'ScalarType');
});

test('type printing normalises spelling', () => {
  assert.equal(printType(type('integer not null')), 'INTEGER NOT NULL');
  assert.equal(printType(type('INT ARRAY')), 'ARRAY<INT>');
  assert.equal(printType(type('ROW(a INT)')), 'ROW<a INT>');
  assert.equal(printType(type('timestamp(3) with local time zone')), 'TIMESTAMP(3) WITH LOCAL TIME ZONE');
  assert.equal(printType(type('interval second(2, 3)')), 'INTERVAL SECOND(2, 3)');
});

test('conversion to SqlType applies Flink defaults', () => {
  assert.equal(conv('INTEGER'), 'INT');
  assert.equal(conv('INT NOT NULL'), 'INT NOT NULL');
  assert.equal(conv('STRING'), 'STRING');
  assert.equal(conv('VARCHAR'), 'VARCHAR(1)');
  assert.equal(conv('VARCHAR(2147483647)'), 'STRING');
  assert.equal(conv('CHAR'), 'CHAR(1)');
  assert.equal(conv('DECIMAL'), 'DECIMAL(10, 0)');
  assert.equal(conv('NUMERIC(5)'), 'DECIMAL(5, 0)');
  assert.equal(conv('DEC(38, 18)'), 'DECIMAL(38, 18)');
  assert.equal(conv('TIMESTAMP'), 'TIMESTAMP(6)');
  assert.equal(conv('TIMESTAMP(3)'), 'TIMESTAMP(3)');
  assert.equal(conv('TIMESTAMP_LTZ'), 'TIMESTAMP_LTZ(6)');
  assert.equal(conv('TIMESTAMP(3) WITH LOCAL TIME ZONE'), 'TIMESTAMP_LTZ(3)');
  assert.equal(conv('TIME'), 'TIME(0)');
  assert.equal(conv('REAL'), 'FLOAT');
  assert.equal(conv('FLOAT'), 'FLOAT');
  assert.equal(conv('BINARY(3)'), 'BYTES');
  assert.equal(conv('VARBINARY'), 'BYTES');
  assert.equal(conv('INTERVAL DAY TO SECOND'), 'INTERVAL SECOND(3)');
  assert.equal(conv('INTERVAL YEAR TO MONTH'), 'INTERVAL MONTH');
  assert.equal(conv('ARRAY<INT NOT NULL>'), 'ARRAY<INT NOT NULL>');
  assert.equal(conv('MAP<STRING, BIGINT>'), 'MAP<STRING, BIGINT>');
  assert.equal(conv('ROW<a INT, b STRING> NOT NULL'), 'ROW<`a` INT, `b` STRING> NOT NULL');
  const r = typeNodeToSqlType(type("ROW<a INT COMMENT 'first'>"));
  assert.ok(r.ok);
  assert.equal(r.type.fields?.[0]?.description, 'first');
  const s = typeNodeToSqlType(type('STRING'));
  assert.ok(s.ok && s.type.precision === STRING_MAX);
});

test('conversion reports unsupported and invalid types', () => {
  for (const [s, msg] of [
    ['MULTISET<INT>', /MULTISET is not supported/],
    ['ARRAY<MULTISET<INT>>', /MULTISET/],
    ['DECIMAL(39, 2)', /precision must be between 1 and 38/],
    ['DECIMAL(5, 6)', /scale/],
    ['VARCHAR(0)', /length must be between 1/],
    ['TIMESTAMP(10)', /precision must be between 0 and 9/],
    ['ROW<a INT, a STRING>', /duplicate field name 'a'/],
  ] as const) {
    const r = typeNodeToSqlType(type(s));
    assert.equal(r.ok, false, s);
    if (!r.ok) assert.match(r.message, msg);
  }
});

test('type syntax errors', () => {
  const r = parseDataType('VARCHR(10)');
  assert.equal(r.diagnostics[0]!.code, 'SQL113');
  assert.equal(r.diagnostics[0]!.hint, 'did you mean VARCHAR?');
  assert.equal(parseDataType('INTERVAL MONTH TO DAY').diagnostics[0]!.code, 'SQL115');
  assert.equal(parseDataType('MAP<INT>').diagnostics[0]!.message, "expected ',' but found '>'");
  assert.equal(parseDataType('RAW(\'a\', \'b\')').diagnostics[0]!.code, 'SQL112');
});
