/** Parser: statements (DDL, SET/RESET, INSERT, EXPLAIN, statement sets, SHOW/DESCRIBE/USE) and script splitting. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScript, parseStatement } from '../../src/sql/parser.js';
import { as, stmt } from './helpers.js';

test('CREATE TABLE with every kind of element', () => {
  const sql = `CREATE TABLE IF NOT EXISTS cat.db.orders (
    id BIGINT COMMENT 'pk',
    amount DECIMAL(10, 2) NOT NULL,
    ts TIMESTAMP(3),
    total AS amount * 2 COMMENT 'doubled',
    part INT METADATA FROM 'partition' VIRTUAL,
    offs BIGINT METADATA,
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
    CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED
  ) COMMENT 'orders' PARTITIONED BY (part) WITH ('connector' = 'kafka', 'topic' = 'o')`;
  const s = as(stmt(sql), 'CreateTable');
  assert.equal(s.ifNotExists, true);
  assert.equal(s.temporary, false);
  assert.deepEqual(s.name.parts.map((p) => p.text), ['cat', 'db', 'orders']);
  assert.deepEqual(s.columns.map((c) => [c.kind, c.name.text]), [
    ['PhysicalColumn', 'id'], ['PhysicalColumn', 'amount'], ['PhysicalColumn', 'ts'], ['ComputedColumn', 'total'],
    ['MetadataColumn', 'part'], ['MetadataColumn', 'offs'],
  ]);
  assert.equal(s.columns[0]!.comment?.value, 'pk');
  const amount = as(s.columns[1], 'PhysicalColumn');
  assert.equal(amount.type.nullable, false);
  const total = as(s.columns[3], 'ComputedColumn');
  assert.equal(total.expr.kind, 'Binary');
  assert.equal(total.comment?.value, 'doubled');
  const part = as(s.columns[4], 'MetadataColumn');
  assert.equal(part.from?.value, 'partition');
  assert.equal(part.virtual, true);
  const offs = as(s.columns[5], 'MetadataColumn');
  assert.equal(offs.from, undefined);
  assert.equal(offs.virtual, false);
  assert.deepEqual(s.watermark?.column.parts.map((p) => p.text), ['ts']);
  assert.equal(s.watermark?.expr.kind, 'Binary');
  assert.equal(s.primaryKey?.constraintName?.text, 'pk');
  assert.deepEqual(s.primaryKey?.columns.map((c) => c.text), ['id']);
  assert.equal(s.primaryKey?.enforced, false);
  assert.equal(s.primaryKey?.inline, false);
  assert.equal(s.comment?.value, 'orders');
  assert.deepEqual(s.partitionedBy.map((p) => p.text), ['part']);
  assert.deepEqual(s.options.map((o) => [o.key.value, o.value.value]), [['connector', 'kafka'], ['topic', 'o']]);
});

test('CREATE TABLE option keys and values keep spans', () => {
  const sql = "CREATE TABLE t (a INT) WITH (\n  'connector' = 'kafka')";
  const s = as(stmt(sql), 'CreateTable');
  const o = s.options[0]!;
  assert.equal(sql.slice(o.key.span.start, o.key.span.end), "'connector'");
  assert.equal(sql.slice(o.value.span.start, o.value.span.end), "'kafka'");
  assert.deepEqual([o.key.span.line, o.key.span.column], [2, 3]);
  assert.deepEqual([o.value.span.line, o.value.span.column], [2, 17]);
});

test('inline primary key and LIKE clause', () => {
  const s = as(stmt("CREATE TEMPORARY TABLE t (id INT PRIMARY KEY NOT ENFORCED, v STRING) LIKE src (EXCLUDING ALL INCLUDING OPTIONS)"), 'CreateTable');
  assert.equal(s.temporary, true);
  assert.equal(s.primaryKey?.inline, true);
  assert.deepEqual(s.primaryKey?.columns.map((c) => c.text), ['id']);
  assert.deepEqual(s.like?.name.parts.map((p) => p.text), ['src']);
  assert.deepEqual(s.like?.options, [{ strategy: 'EXCLUDING', feature: 'ALL' }, { strategy: 'INCLUDING', feature: 'OPTIONS' }]);
});

test('CREATE TABLE AS SELECT', () => {
  const s = as(stmt("CREATE TABLE s WITH ('connector' = 'print') AS SELECT 1 AS a"), 'CreateTable');
  assert.equal(s.columns.length, 0);
  assert.equal(s.asQuery?.kind, 'Select');
});

test('CREATE VIEW and DROP', () => {
  const v = as(stmt('CREATE TEMPORARY VIEW IF NOT EXISTS v (a, b) AS SELECT x, y FROM t'), 'CreateView');
  assert.equal(v.temporary, true);
  assert.equal(v.ifNotExists, true);
  assert.deepEqual(v.columns?.map((c) => c.text), ['a', 'b']);
  assert.equal(v.query.kind, 'Select');
  const d = as(stmt('DROP TEMPORARY VIEW IF EXISTS v'), 'Drop');
  assert.deepEqual([d.objectType, d.temporary, d.ifExists, d.name.parts[0]!.text], ['VIEW', true, true, 'v']);
  const d2 = as(stmt('drop table db.t'), 'Drop');
  assert.deepEqual([d2.objectType, d2.temporary, d2.ifExists], ['TABLE', false, false]);
});

test('SET and RESET', () => {
  const s = as(stmt("SET 'table.exec.mini-batch.enabled' = 'true'"), 'Set');
  assert.equal(s.key?.value, 'table.exec.mini-batch.enabled');
  assert.equal(s.value?.value, 'true');
  const all = as(stmt('SET'), 'Set');
  assert.equal(all.key, undefined);
  assert.equal(as(stmt("RESET 'a.b'"), 'Reset').key?.value, 'a.b');
  assert.equal(as(stmt('RESET'), 'Reset').key, undefined);
});

test('INSERT INTO / OVERWRITE with columns and hints', () => {
  const i = as(stmt("INSERT INTO sink /*+ OPTIONS('sink.parallelism' = '2') */ (a, b) SELECT x, y FROM t"), 'Insert');
  assert.equal(i.overwrite, false);
  assert.deepEqual(i.target.parts.map((p) => p.text), ['sink']);
  assert.deepEqual(i.hints.map((h) => [h.name, h.options]), [['OPTIONS', { 'sink.parallelism': '2' }]]);
  assert.deepEqual(i.columns?.map((c) => c.text), ['a', 'b']);
  assert.equal(i.query.kind, 'Select');
  const o = as(stmt('INSERT OVERWRITE sink (SELECT 1)'), 'Insert');
  assert.equal(o.overwrite, true);
  assert.equal(o.columns, undefined);
  const p = as(stmt("INSERT INTO s PARTITION (dt = '2024') SELECT 1"), 'Insert');
  assert.equal(p.partition[0]!.column.text, 'dt');
});

test('EXPLAIN forms', () => {
  const e = as(stmt('EXPLAIN PLAN FOR SELECT 1'), 'Explain');
  assert.equal(e.planFor, true);
  assert.equal(e.statement.kind, 'QueryStatement');
  const d = as(stmt('EXPLAIN CHANGELOG_MODE, ESTIMATED_COST INSERT INTO s SELECT 1'), 'Explain');
  assert.deepEqual(d.details, ['CHANGELOG_MODE', 'ESTIMATED_COST']);
  assert.equal(d.statement.kind, 'Insert');
  const p = as(stmt('EXPLAIN (JSON_EXECUTION_PLAN) SELECT 1'), 'Explain');
  assert.deepEqual(p.details, ['JSON_EXECUTION_PLAN']);
  const s = as(stmt('EXPLAIN STATEMENT SET BEGIN INSERT INTO a SELECT 1; END'), 'Explain');
  assert.equal(s.statement.kind, 'StatementSet');
});

test('EXECUTE STATEMENT SET', () => {
  const s = as(stmt('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END'), 'StatementSet');
  assert.equal(s.syntax, 'EXECUTE');
  assert.deepEqual(s.inserts.map((i) => i.target.parts[0]!.text), ['a', 'b']);
});

test('BEGIN STATEMENT SET; ... END; in a script', () => {
  const r = parseScript("SET 'a' = 'b';\nBEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\n\nINSERT INTO b SELECT 2;\nEND;\nSELECT 3;");
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.statements.map((s) => s.kind), ['Set', 'StatementSet', 'QueryStatement']);
  const ss = as(r.statements[1], 'StatementSet');
  assert.equal(ss.syntax, 'BEGIN');
  assert.equal(ss.inserts.length, 2);
  assert.equal(ss.span.line, 2);
});

test('SHOW, DESCRIBE, DESC, USE', () => {
  assert.equal(as(stmt('SHOW TABLES'), 'Show').what, 'TABLES');
  assert.equal(as(stmt('show current catalog'), 'Show').what, 'CURRENT CATALOG');
  const sc = as(stmt('SHOW CREATE TABLE t'), 'Show');
  assert.deepEqual([sc.what, sc.name?.parts[0]!.text], ['CREATE TABLE', 't']);
  assert.equal(as(stmt('DESCRIBE db.t'), 'Describe').name.parts.length, 2);
  assert.equal(as(stmt('DESC t'), 'Describe').name.parts[0]!.text, 't');
  const u = as(stmt('USE CATALOG c'), 'Use');
  assert.equal(u.catalog, true);
  assert.equal(as(stmt('USE db'), 'Use').catalog, false);
});

test('CREATE FUNCTION, DATABASE, CATALOG', () => {
  const f = as(stmt("CREATE TEMPORARY SYSTEM FUNCTION f AS 'a.B' LANGUAGE JAVA"), 'CreateFunction');
  assert.deepEqual([f.temporary, f.system, f.className.value, f.language], [true, true, 'a.B', 'JAVA']);
  assert.equal(as(stmt("CREATE DATABASE IF NOT EXISTS d COMMENT 'x'"), 'CreateDatabase').comment?.value, 'x');
  assert.equal(as(stmt("CREATE CATALOG c WITH ('type' = 'x')"), 'CreateCatalog').options.length, 1);
});

test('script splitting: comments, empty statements, trailing semicolon optional', () => {
  const text = '-- header\n;;SELECT 1; /* c */ SELECT 2 -- tail\n; SELECT 3';
  const r = parseScript(text);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.statements.length, 3);
  const s2 = r.statements[1]!;
  assert.equal(text.slice(s2.span.start, s2.span.end), 'SELECT 2');
  assert.deepEqual([s2.span.line, s2.span.column], [2, 21]);
});

test('statement spans cover the statement text without the semicolon', () => {
  const text = "SELECT a\nFROM t;\nINSERT INTO s SELECT 1;";
  const r = parseScript(text);
  assert.deepEqual(r.statements.map((s) => text.slice(s.span.start, s.span.end)), ['SELECT a\nFROM t', 'INSERT INTO s SELECT 1']);
});

test('parseStatement accepts one statement with optional semicolon', () => {
  assert.equal(parseStatement('SELECT 1;').value?.kind, 'QueryStatement');
  const r = parseStatement('SELECT 1; SELECT 2');
  assert.equal(r.value, undefined);
  assert.equal(r.diagnostics[0]!.code, 'SQL101');
});
