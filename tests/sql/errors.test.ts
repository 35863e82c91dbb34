/** Syntax errors: codes, messages, caret positions, hints, and recovery across statements. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDiagnostic, type Diagnostic } from '../../src/common/diagnostics.js';
import { parseExpression, parseScript } from '../../src/sql/parser.js';
import { SQL_ERROR_CODES } from '../../src/sql/sql-error-codes.js';

/** The single diagnostic of `sql` as [code, message, line, column]. */
function one(sql: string): [string, string, number, number, string | undefined] {
  const r = parseScript(sql);
  assert.equal(r.diagnostics.length, 1, `diagnostics for ${sql}: ${JSON.stringify(r.diagnostics)}`);
  const d = r.diagnostics[0]!;
  return [d.code, d.message, d.span!.line, d.span!.column, d.hint];
}

test('unexpected token messages name what was expected and found', () => {
  assert.deepEqual(one('SELECT a FROM t WHERE (a > 1').slice(0, 4), ['SQL101', "expected ')' but found end of input", 1, 29]);
  assert.deepEqual(one('SELECT CAST(a AS) FROM t').slice(0, 4), ['SQL101', "expected a data type but found ')'", 1, 17]);
  assert.deepEqual(one('SELECT * FROM t JOIN u').slice(0, 2), ['SQL101', "expected 'ON' or 'USING' but found end of input"]);
  assert.deepEqual(one('SELECT f(a FROM t').slice(0, 4), ['SQL101', "expected ')' but found 'FROM'", 1, 12]);
  assert.deepEqual(one("SELECT 'a' 'b' b FROM").slice(0, 2), ['SQL101', 'expected a table name but found end of input']);
});

test('expected an expression', () => {
  assert.deepEqual(one('SELECT a, FROM t').slice(0, 4), ['SQL111', "expected an expression but found 'FROM'", 1, 11]);
  assert.deepEqual(one('SELECT , a FROM t').slice(0, 4), ['SQL111', "expected an expression but found ','", 1, 8]);
  assert.deepEqual(one('SELECT a +\nFROM t').slice(0, 4), ['SQL111', "expected an expression but found 'FROM'", 2, 1]);
});

test('misspelled keywords get "did you mean" hints', () => {
  const [code, msg, , col, hint] = one('SELEC * FROM t');
  assert.deepEqual([code, msg, col, hint], ['SQL110', "expected a statement but found 'SELEC'", 1, 'did you mean SELECT?']);
  assert.equal(one('CRATE TABLE t (a INT)')[4], 'did you mean CREATE?');
  const f = one('SELECT a FORM t');
  assert.equal(f[0], 'SQL101');
  assert.equal(f[4], "'FORM' was read as an alias; did you mean FROM?");
  assert.equal(one('SELECT a FROM t WHER a = 1')[4], "'WHER' was read as an alias; did you mean WHERE?");
  assert.equal(one('SELECT CAST(a ASS INT) FROM t')[4], 'did you mean AS?');
  assert.equal(one('CREATE TABLE t (a VARCHR(3))')[4], 'did you mean VARCHAR?');
  assert.equal(one("SELECT EXTRACT(HOURS FROM ts) FROM t")[4], 'did you mean HOUR?');
});

test('lexical errors are reported once (no parser follow-up error)', () => {
  const r = parseScript("SELECT 'abc FROM t;\nSELECT 1");
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['SQL102']);
  const r2 = parseScript('SELECT a /* open\n FROM t');
  assert.deepEqual(r2.diagnostics.map((d) => d.code), ['SQL103']);
  const r3 = parseScript('SELECT "a" FROM t');
  assert.deepEqual(r3.diagnostics.map((d) => [d.code, d.span!.column]), [['SQL107', 8]]);
});

test('recovery: every broken statement is reported, good statements are kept', () => {
  const script = [
    'SELECT 1;',
    'SELECT a FROM WHERE;',
    "CREATE TABLE t (a INT) WITH ('k' = 'v');",
    'INSERT INTO s SELEC 1;',
    'SELECT (1 + 2;',
    'SELECT 2',
  ].join('\n');
  const r = parseScript(script);
  assert.deepEqual(r.statements.map((s) => s.kind), ['QueryStatement', 'CreateTable', 'QueryStatement']);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span!.line, d.span!.column]), [
    ['SQL125', 2, 15],
    ['SQL101', 4, 15],
    ['SQL101', 5, 14],
  ]);
  assert.equal(r.diagnostics[0]!.message, "'WHERE' is a reserved keyword and cannot be used as a table name without quoting");
  assert.equal(r.diagnostics[2]!.message, "expected ')' but found ';'");
});

test('recovery inside EXECUTE STATEMENT SET keeps the good INSERTs', () => {
  const r = parseScript('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELEC 1; INSERT INTO b SELECT 2; END; SELECT 3');
  assert.equal(r.diagnostics.length, 1);
  assert.deepEqual(r.statements.map((s) => s.kind), ['StatementSet', 'QueryStatement']);
  const ss = r.statements[0]!;
  assert.ok(ss.kind === 'StatementSet' && ss.inserts.length === 1 && ss.inserts[0]!.target.parts[0]!.text === 'b');
});

test('statement sets accept only INSERT', () => {
  const r = parseScript('EXECUTE STATEMENT SET BEGIN SELECT 1; INSERT INTO b SELECT 2; END');
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['SQL119']);
  const r2 = parseScript('BEGIN STATEMENT SET;\nSELECT 1;\nINSERT INTO b SELECT 2;\nEND;');
  assert.deepEqual(r2.diagnostics.map((d) => [d.code, d.span!.line]), [['SQL119', 2]]);
  assert.equal(r2.statements.length, 1);
  const r3 = parseScript('BEGIN STATEMENT SET;\nINSERT INTO b SELECT 2;\n');
  assert.deepEqual(r3.diagnostics.map((d) => d.message), ["expected 'END' closing BEGIN STATEMENT SET but found end of input"]);
});

test('misplaced hints are errors', () => {
  assert.deepEqual(one('SELECT a /*+ X */ FROM t').slice(0, 4), ['SQL116', 'a hint is not allowed here', 1, 10]);
});

test('semantic-ish syntax rules: NOT ENFORCED, duplicates, SET quoting, MAP arity, reserved names', () => {
  const pk = parseScript('CREATE TABLE t (a INT, PRIMARY KEY (a)) WITH (\'c\' = \'x\')');
  assert.deepEqual(pk.diagnostics.map((d) => d.code), ['SQL117']);
  assert.equal(pk.statements.length, 1, 'the statement is still returned');
  const wm = parseScript('CREATE TABLE t (a TIMESTAMP(3), WATERMARK FOR a AS a, WATERMARK FOR a AS a) WITH (\'c\' = \'x\')');
  assert.deepEqual(wm.diagnostics.map((d) => d.code), ['SQL118']);
  assert.equal(one("SET table.name = 'x'")[0], 'SQL122');
  const sv = one("SET 'a' = 1");
  assert.deepEqual([sv[0], sv[4]], ['SQL122', "write SET 'a' = '1'"]);
  assert.equal(one("SELECT MAP['a', 1, 'b'] FROM t")[0], 'SQL123');
  const rs = one('CREATE TABLE select (a INT)');
  assert.deepEqual([rs[0], rs[4]], ['SQL125', 'quote it with backticks: `select`']);
  assert.deepEqual(one('SELECT 1 SELECT 2').slice(0, 2), ['SQL126', "expected ';' between statements but found 'SELECT'"]);
  const ok = one("CREATE TABLE t (a INT) WITH (connector = 'kafka')");
  assert.deepEqual([ok[0], ok[4]], ['SQL101', "quote option keys: 'connector' = '...'"]);
  assert.equal(one("SELECT INTERVAL 5 SECOND")[4], "write the value as a string: INTERVAL '5' ...");
  assert.equal(one('ALTER TABLE t RENAME TO u')[0], 'SQL112');
  assert.equal(one('SELECT * FROM t MATCH_RECOGNIZE (x)')[0], 'SQL112');
});

test('renderDiagnostic puts the caret under the offending token', () => {
  const sql = 'SELECT a,\n  b\nFROM t WHERE (a > 1';
  const d = parseScript(sql).diagnostics[0]!;
  const lines = renderDiagnostic(d, sql).split('\n');
  assert.equal(lines[0], "error SQL101: expected ')' but found end of input at 3:20");
  const caretLine = lines[2]!;
  const codeLine = lines[1]!;
  const caretCol = caretLine.indexOf('^');
  assert.equal(codeLine.slice(0, caretCol).replace(/^\s*\d+ \| /, '').length, 'FROM t WHERE (a > 1'.length);
  const d2 = parseScript('SELECT a FROM t\nWHERE x = ,').diagnostics[0]!;
  assert.deepEqual(renderDiagnostic(d2, 'SELECT a FROM t\nWHERE x = ,').split('\n').slice(1), [
    '     2 | WHERE x = ,',
    '       |           ^',
  ]);
});

test('parseExpression reports trailing garbage', () => {
  const r = parseExpression('a + b c');
  assert.equal(r.value, undefined);
  assert.deepEqual(r.diagnostics.map((d: Diagnostic) => [d.code, d.span!.column]), [['SQL101', 7]]);
});

test('every catalog entry has a message and a SQL1xx code', () => {
  for (const [code, e] of Object.entries(SQL_ERROR_CODES)) {
    assert.match(code, /^SQL1\d\d$/);
    assert.ok(e.message.length > 0 && e.title.length > 0);
  }
});

test('robustness: truncated and corrupted corpus statements never throw and always yield spanned diagnostics', async () => {
  const { CORPUS } = await import('./corpus.js');
  const { lex } = await import('../../src/sql/lexer.js');
  let parses = 0;
  for (const sql of CORPUS.slice(0, 40)) {
    for (const t of lex(sql).tokens) {
      for (const v of [sql.slice(0, t.start), sql.slice(0, t.start) + sql.slice(t.end), sql.slice(0, t.start) + ' , ' + sql.slice(t.start)]) {
        parses++;
        const r = parseScript(v);
        for (const d of r.diagnostics) {
          assert.ok(d.span && d.span.start >= 0 && d.span.end <= v.length && d.span.start <= d.span.end, `bad span for: ${v}`);
        }
      }
    }
  }
  assert.ok(parses > 1000);
});
