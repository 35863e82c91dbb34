/** Expression traversal and printer details (quoting, parentheses, dialect overrides). */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr, Ident } from '../../src/sql/ast.js';
import { RESERVED, QUOTE_KEYWORDS } from '../../src/sql/keywords.js';
import { SqlPrinter, printExpr, printStatement } from '../../src/sql/printer.js';
import { exprChildren, exprSubqueries, someExpr, walkExpr } from '../../src/sql/visitor.js';
import { expr, stmt, strip } from './helpers.js';

test('walkExpr visits every sub-expression, including windows, filters and JSON defaults', () => {
  const e = expr("SUM(a + b) FILTER (WHERE c > 0) OVER (PARTITION BY d ORDER BY e ROWS f PRECEDING) + JSON_VALUE(j, '$' DEFAULT g ON EMPTY)");
  const names: string[] = [];
  walkExpr(e, (x) => { if (x.kind === 'ColumnRef') names.push(x.names[0]!.text); });
  assert.deepEqual(names, ['a', 'b', 'c', 'd', 'e', 'f', 'j', 'g']);
});

test('walkExpr can prune, reports parents; subqueries are separate', () => {
  const e = expr('f(a) + (b * c) + EXISTS (SELECT x FROM t)');
  const seen: string[] = [];
  walkExpr(e, (x, parent) => {
    if (x.kind === 'ColumnRef') seen.push(`${x.names[0]!.text}<${parent?.kind}`);
    return x.kind !== 'FunctionCall';
  });
  assert.deepEqual(seen, ['b<Binary', 'c<Binary']);
  assert.ok(someExpr(e, (x) => x.kind === 'Exists'));
  const ex = (e as Expr & { kind: 'Binary' }).right;
  assert.equal(exprSubqueries(ex).length, 1);
  assert.deepEqual(exprChildren(ex), []);
});

test('every reserved word is quoted by the printer', () => {
  for (const w of RESERVED) assert.ok(QUOTE_KEYWORDS.has(w), w);
});

test('identifiers are quoted only when needed', () => {
  const p = new SqlPrinter();
  const id = (text: string): Ident => ({ kind: 'Ident', text, quoted: false, span: { start: 0, end: 0, line: 1, column: 1 } });
  assert.equal(p.ident(id('user_id')), 'user_id');
  assert.equal(p.ident(id('MixedCase1')), 'MixedCase1');
  assert.equal(p.ident(id('order')), '`order`');
  assert.equal(p.ident(id('timestamp')), '`timestamp`');
  assert.equal(p.ident(id('a b')), '`a b`');
  assert.equal(p.ident(id('1x')), '`1x`');
  assert.equal(p.ident(id('a`b')), '`a``b`');
  assert.equal(printExpr(expr('`quoted_but_plain`')), 'quoted_but_plain');
  assert.equal(printExpr(expr('count(*) + `my fn`(1)')), 'count(*) + `my fn`(1)');
});

test('parentheses only where precedence needs them', () => {
  const cases: [string, string][] = [
    ['(a + b) * c', '(a + b) * c'],
    ['a + (b * c)', 'a + b * c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['(a - b) - c', 'a - b - c'],
    ['NOT (a AND b)', 'NOT (a AND b)'],
    ['(NOT a) AND b', 'NOT a AND b'],
    ['- (-a)', '-(-a)'],
    ['-(a + b)', '-(a + b)'],
    ['(a = b) IS NULL', 'a = b IS NULL'],
    ['a = (b IS NULL)', 'a = (b IS NULL)'],
    ['NOT (a IS NULL)', 'NOT a IS NULL'],
    ['(NOT a) IS NULL', '(NOT a) IS NULL'],
    ['(a OR b) BETWEEN c AND (d AND e)', '(a OR b) BETWEEN c AND (d AND e)'],
    ['(r).f', '(r).f'],
    ['(a + b)[1]', '(a + b)[1]'],
    ["(a || 'x') || b", "a || 'x' || b"],
    ['a || (b || c)', 'a || (b || c)'],
  ];
  for (const [src, want] of cases) {
    const e = expr(src);
    const printed = printExpr(e);
    assert.equal(printed, want, src);
    assert.deepEqual(strip(expr(printed)), strip(e), `re-parse of ${printed}`);
  }
});

test('a dialect can override printer methods', () => {
  class UpperIdentPrinter extends SqlPrinter {
    override needsQuote(_text: string): boolean { return true; }
  }
  const s = stmt('SELECT a FROM t');
  assert.equal(new UpperIdentPrinter().statement(s), 'SELECT `a`\nFROM `t`');
  assert.equal(printStatement(s), 'SELECT a\nFROM t');
});
