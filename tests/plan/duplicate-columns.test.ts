/**
 * Duplicate column names in the binder: Calcite's renaming (`uniquify`), the first repeated name of a list, and the
 * diagnostics and result names of the queries Flink treats specially (checked against Flink 2.2; see
 * tests/slt/duplicate_columns.slt for the results).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uniquify, firstDuplicate } from '../../src/plan/query-binder.js';
import { compileSql } from '../../src/runtime/sql-session.js';

const DDL = `CREATE TABLE s (a INT, b STRING, pt TIMESTAMP(3)) WITH ('connector' = 'datagen');
CREATE TABLE u (a INT, c STRING) WITH ('connector' = 'datagen');
`;

function compile(sql: string): ReturnType<typeof compileSql> {
  return compileSql(`${DDL}${sql};\n`, {});
}

const errors = (sql: string): { code: string; line: number; column: number; message: string; hint?: string }[] =>
  compile(sql).diagnostics.filter((d) => d.severity === 'error').map((d) => ({
    code: d.code, line: d.span!.line - 2, column: d.span!.column, message: d.message, ...(d.hint ? { hint: d.hint } : {}),
  }));

test('uniquify appends a counter, skipping names already used', () => {
  assert.deepEqual(uniquify(['a', 'a', 'a', 'b']), ['a', 'a0', 'a1', 'b']);
  assert.deepEqual(uniquify(['a', 'a0', 'a']), ['a', 'a0', 'a1']);
  assert.deepEqual(uniquify(['x', 'y']), ['x', 'y']);
});

test('firstDuplicate reports the first repeated name with both positions', () => {
  assert.deepEqual(firstDuplicate(['a', 'b', 'b', 'a']), { name: 'b', first: 1, second: 2 });
  assert.equal(firstDuplicate(['a', 'b']), undefined);
});

test('a name a derived table has twice is ambiguous, qualified or not, with a position and a hint', () => {
  const q = errors('SELECT o.a FROM (SELECT a, 1 AS a FROM s) AS o');
  assert.equal(q.length, 1);
  assert.equal(q[0]!.code, 'BIND203');
  assert.equal(q[0]!.column, 8);
  assert.match(q[0]!.message, /column 'a' is ambiguous: 'o' has 2 columns named 'a'/);
  assert.ok(q[0]!.hint);
  const u = errors('SELECT o.pt FROM (SELECT *, PROCTIME() AS pt FROM s) AS o');
  assert.deepEqual(u.map((e) => e.code), ['BIND203']);
});

test('a * over a join renames the repeated name; the final result gets unique names', () => {
  const c = compile('SELECT * FROM s JOIN u ON s.a = u.a');
  assert.deepEqual(c.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(c.queries[0]!.fields.map((f) => f.name), ['a', 'b', 'pt', 'a0', 'c']);
  const top = compile('SELECT a, b AS a, 1 AS a FROM s');
  assert.deepEqual(top.queries[0]!.fields.map((f) => f.name), ['a', 'a0', 'a1']);
  const inner = compile('SELECT x.a0 FROM (SELECT * FROM s JOIN u ON s.a = u.a) AS x');
  assert.deepEqual(inner.diagnostics.filter((d) => d.severity === 'error'), []);
});

test('views and WITH queries must not repeat a name unless they list their columns', () => {
  assert.deepEqual(errors('CREATE VIEW v AS SELECT a, b AS a FROM s').map((e) => e.code), ['BIND208']);
  assert.deepEqual(errors('CREATE VIEW v (x, y) AS SELECT a, b AS a FROM s'), []);
  assert.deepEqual(errors('WITH w AS (SELECT a, b AS a FROM s) SELECT 1 FROM s').map((e) => e.code), ['BIND208']);
  assert.deepEqual(errors('WITH w (x, y) AS (SELECT a, b AS a FROM s) SELECT x, y FROM w'), []);
});
