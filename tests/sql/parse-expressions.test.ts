/** Parser: expression precedence, literals, special forms, calls, windows. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr } from '../../src/sql/ast.js';
import { as, expr } from './helpers.js';

/** Fully parenthesised S-expression view of the operator structure (independent of the printer). */
function sx(e: Expr): string {
  switch (e.kind) {
    case 'ColumnRef': return e.names.map((n) => n.text).join('.');
    case 'NumericLiteral': return e.text;
    case 'StringLiteral': return `'${e.value}'`;
    case 'BooleanLiteral': return String(e.value).toUpperCase();
    case 'NullLiteral': return 'NULL';
    case 'Binary': return `(${sx(e.left)} ${e.op} ${sx(e.right)})`;
    case 'Unary': return `(${e.op} ${sx(e.operand)})`;
    case 'IsPredicate': return `(${sx(e.operand)} IS${e.negated ? ' NOT' : ''} ${e.test})`;
    case 'IsDistinctFrom': return `(${sx(e.left)} IS${e.negated ? ' NOT' : ''} DISTINCT ${sx(e.right)})`;
    case 'Between': return `(${sx(e.operand)}${e.negated ? ' NOT' : ''} BETWEEN ${sx(e.low)} ${sx(e.high)})`;
    case 'Like': return `(${sx(e.operand)}${e.negated ? ' NOT' : ''} ${e.op} ${sx(e.pattern)}${e.escape ? ' ESC ' + sx(e.escape) : ''})`;
    case 'InList': return `(${sx(e.operand)}${e.negated ? ' NOT' : ''} IN [${e.list.map(sx).join(', ')}])`;
    case 'Subscript': return `${sx(e.operand)}[${sx(e.index)}]`;
    case 'FieldAccess': return `${sx(e.operand)}->${e.field.text}`;
    case 'FunctionCall': return `${e.name.parts.map((p) => p.text).join('.')}(${e.args.map(sx).join(', ')})`;
    case 'RowConstructor': return `${e.explicit ? 'ROW' : ''}<${e.items.map(sx).join(', ')}>`;
    default: return e.kind;
  }
}
const p = (s: string) => sx(expr(s));

test('arithmetic precedence and associativity', () => {
  assert.equal(p('a + b * c'), '(a + (b * c))');
  assert.equal(p('a - b - c'), '((a - b) - c)');
  assert.equal(p('a / b % c * d'), '(((a / b) % c) * d)');
  assert.equal(p('(a + b) * c'), '((a + b) * c)');
  assert.equal(p('-a * b'), '((- a) * b)');
  assert.equal(p('- - a'), '(- (- a))');
  assert.equal(p('a || b || c'), '((a || b) || c)');
  assert.equal(p("'x' || a + 1"), "(('x' || a) + 1)"); // || binds like * in Calcite
});

test('boolean precedence: OR < AND < NOT < comparison', () => {
  assert.equal(p('a OR b AND c'), '(a OR (b AND c))');
  assert.equal(p('NOT a = b AND c'), '((NOT (a = b)) AND c)');
  assert.equal(p('NOT a OR b'), '((NOT a) OR b)');
  assert.equal(p('a = b OR c <> d'), '((a = b) OR (c <> d))');
  assert.equal(p('a != b'), '(a <> b)');
  assert.equal(p('a < b + 1'), '(a < (b + 1))');
});

test('IS, BETWEEN, LIKE, IN', () => {
  assert.equal(p('a IS NULL'), '(a IS NULL)');
  assert.equal(p('a IS NOT TRUE AND b IS UNKNOWN'), '((a IS NOT TRUE) AND (b IS UNKNOWN))');
  assert.equal(p('a = b IS NULL'), '((a = b) IS NULL)');
  assert.equal(p('NOT a IS NULL'), '(NOT (a IS NULL))');
  assert.equal(p('a IS NOT DISTINCT FROM b + 1'), '(a IS NOT DISTINCT (b + 1))');
  assert.equal(p('a BETWEEN 1 AND 2 AND b'), '((a BETWEEN 1 2) AND b)');
  assert.equal(p('a NOT BETWEEN b + 1 AND c * 2'), '(a NOT BETWEEN (b + 1) (c * 2))');
  assert.equal(as(expr('a BETWEEN SYMMETRIC 2 AND 1'), 'Between').symmetric, true);
  assert.equal(p("a NOT LIKE 'x%' ESCAPE '!'"), "(a NOT LIKE 'x%' ESC '!')");
  assert.equal(p("a SIMILAR TO 'b'"), "(a SIMILAR TO 'b')");
  assert.equal(p('a IN (1, 2) OR b NOT IN (3)'), '((a IN [1, 2]) OR (b NOT IN [3]))');
  assert.equal(p('(a, b) IN ((1, 2), (3, 4))'), '(<a, b> IN [<1, 2>, <3, 4>])');
  assert.equal(as(expr('a IN (SELECT x FROM t)'), 'InSubquery').negated, false);
  assert.equal(as(expr('a NOT IN (SELECT x FROM t)'), 'InSubquery').negated, true);
  const q = as(expr('a >= ALL (SELECT x FROM t)'), 'QuantifiedComparison');
  assert.deepEqual([q.op, q.quantifier], ['>=', 'ALL']);
  assert.equal(as(expr('a = SOME (SELECT x FROM t)'), 'QuantifiedComparison').quantifier, 'ANY');
  assert.equal(as(expr('x IS JSON ARRAY'), 'IsPredicate').test, 'JSON ARRAY');
});

test('literals keep their text and kinds', () => {
  assert.deepEqual(['42', '1.50', '1e3', '.5'].map((s) => { const n = as(expr(s), 'NumericLiteral'); return [n.text, n.numberKind]; }),
    [['42', 'integer'], ['1.50', 'decimal'], ['1e3', 'approx'], ['.5', 'decimal']]);
  assert.equal(as(expr("'it''s'"), 'StringLiteral').value, "it's");
  assert.equal(as(expr("'a'\n  'b' 'c'"), 'StringLiteral').value, 'abc');
  assert.equal(as(expr("X'0AFF'"), 'BinaryLiteral').hex, '0AFF');
  assert.equal(as(expr('TRUE'), 'BooleanLiteral').value, true);
  assert.equal(as(expr('unknown'), 'BooleanLiteral').value, null);
  assert.equal(expr('NULL').kind, 'NullLiteral');
  const d = as(expr("DATE '2024-01-02'"), 'TypedLiteral');
  assert.deepEqual([d.type, d.value], ['DATE', '2024-01-02']);
  assert.equal(as(expr("TIMESTAMP '2024-01-02 10:00:00'"), 'TypedLiteral').type, 'TIMESTAMP');
  assert.equal(as(expr("TIME '10:00:00'"), 'TypedLiteral').type, 'TIME');
});

test('interval literals with qualifiers', () => {
  const a = as(expr("INTERVAL '5' SECOND"), 'IntervalLiteral');
  assert.deepEqual([a.value, a.sign, a.qualifier.start, a.qualifier.end], ['5', 1, 'SECOND', undefined]);
  const b = as(expr("INTERVAL '1 10:00' DAY TO MINUTE"), 'IntervalLiteral');
  assert.deepEqual([b.qualifier.start, b.qualifier.end], ['DAY', 'MINUTE']);
  const c = as(expr("INTERVAL '1-2' YEAR TO MONTH"), 'IntervalLiteral');
  assert.deepEqual([c.qualifier.start, c.qualifier.end], ['YEAR', 'MONTH']);
  const d = as(expr("INTERVAL '10' MINUTE(3)"), 'IntervalLiteral');
  assert.equal(d.qualifier.startPrecision, 3);
  const e = as(expr("INTERVAL -'5' SECOND"), 'IntervalLiteral');
  assert.equal(e.sign, -1);
  const f = as(expr("INTERVAL '1.5' SECOND(2, 3)"), 'IntervalLiteral');
  assert.deepEqual([f.qualifier.startPrecision, f.qualifier.fractionalPrecision], [2, 3]);
  const g = as(expr("INTERVAL '1 2:03:04.5' DAY TO SECOND(3)"), 'IntervalLiteral');
  assert.equal(g.qualifier.fractionalPrecision, 3);
});

test('names: compound, quoted, keyword after dot; postfix subscripts and field access', () => {
  const c = as(expr('t.a.b'), 'ColumnRef');
  assert.deepEqual(c.names.map((n) => n.text), ['t', 'a', 'b']);
  const q = as(expr('`weird col`'), 'ColumnRef');
  assert.deepEqual([q.names[0]!.text, q.names[0]!.quoted], ['weird col', true]);
  assert.deepEqual(as(expr('events.order'), 'ColumnRef').names.map((n) => n.text), ['events', 'order']);
  assert.equal(as(expr('MyCol'), 'ColumnRef').names[0]!.text, 'MyCol');
  assert.equal(p("arr[1 + 1]['k']"), "arr[(1 + 1)]['k']");
  assert.equal(p('(r).f.g'), 'r->f->g');
  assert.equal(p('f(x).y'), 'f(x)->y');
  assert.equal(p('-a[1]'), '(- a[1])');
});

test('function calls: DISTINCT, ALL, *, FILTER, OVER, WITHIN GROUP, niladic, qualified', () => {
  const c = as(expr('COUNT(*)'), 'FunctionCall');
  assert.deepEqual([c.star, c.args.length], [true, 0]);
  const d = as(expr('COUNT(DISTINCT a) FILTER (WHERE b > 0)'), 'FunctionCall');
  assert.equal(d.distinct, true);
  assert.equal(d.filter?.kind, 'Binary');
  assert.equal(as(expr('SUM(ALL a)'), 'FunctionCall').all, true);
  const o = as(expr('SUM(a) OVER (PARTITION BY k, j ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)'), 'FunctionCall');
  const w = as(o.over, 'WindowSpec');
  assert.equal(w.partitionBy.length, 2);
  assert.equal(w.orderBy.length, 1);
  assert.deepEqual([w.frame?.unit, w.frame?.start.bound, w.frame?.end?.bound], ['ROWS', 'UNBOUNDED PRECEDING', 'CURRENT ROW']);
  const r = as(expr("AVG(a) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)"), 'FunctionCall');
  const rf = as(r.over, 'WindowSpec').frame!;
  assert.equal(rf.unit, 'RANGE');
  assert.equal(as(rf.start.offset, 'IntervalLiteral').qualifier.start, 'HOUR');
  const s = as(expr('SUM(a) OVER (ORDER BY ts ROWS 5 PRECEDING)'), 'FunctionCall');
  const sf = as(s.over, 'WindowSpec').frame!;
  assert.deepEqual([sf.start.bound, as(sf.start.offset, 'NumericLiteral').text, sf.end], ['PRECEDING', '5', undefined]);
  assert.equal(as(as(expr('MAX(a) OVER w'), 'FunctionCall').over, 'WindowRef').name.text, 'w');
  assert.equal(as(as(expr('MAX(a) OVER (w ORDER BY b)'), 'FunctionCall').over, 'WindowSpec').base?.text, 'w');
  const lg = as(expr("LISTAGG(a, ',') WITHIN GROUP (ORDER BY b DESC)"), 'FunctionCall');
  assert.equal(lg.withinGroup?.[0]!.direction, 'DESC');
  for (const n of ['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIMESTAMP', 'LOCALTIME']) {
    const f = as(expr(n), 'FunctionCall');
    assert.deepEqual([f.niladic, f.args.length, f.name.parts[0]!.text], [true, 0, n]);
  }
  const pt = as(expr('PROCTIME()'), 'FunctionCall');
  assert.equal(pt.niladic, false);
  assert.deepEqual(as(expr('cat.db.f(1)'), 'FunctionCall').name.parts.map((x) => x.text), ['cat', 'db', 'f']);
  assert.equal(as(expr('LEFT(s, 2)'), 'FunctionCall').name.parts[0]!.text, 'LEFT');
  assert.equal(as(expr('f(x => 1)'), 'FunctionCall').args[0]!.kind, 'NamedArg');
});

test('special forms get their own nodes', () => {
  const c = as(expr('CAST(a AS DECIMAL(10, 2))'), 'Cast');
  assert.equal(c.try, false);
  assert.equal(as(c.type, 'ScalarType').precision, 10);
  assert.equal(as(expr('TRY_CAST(a AS INT)'), 'Cast').try, true);
  const cs = as(expr("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"), 'Case');
  assert.deepEqual([cs.operand, cs.whens.length, cs.else?.kind], [undefined, 2, 'NumericLiteral']);
  assert.equal(as(expr('CASE x WHEN 1 THEN 2 END'), 'Case').operand?.kind, 'ColumnRef');
  const ex = as(expr('EXTRACT(DOW FROM ts)'), 'Extract');
  assert.equal(ex.unit, 'DOW');
  const fl = as(expr('FLOOR(ts TO HOUR)'), 'FloorCeil');
  assert.deepEqual([fl.fn, fl.unit], ['FLOOR', 'HOUR']);
  assert.equal(as(expr('CEILING(ts TO DAY)'), 'FloorCeil').fn, 'CEIL');
  assert.equal(as(expr('FLOOR(x)'), 'FunctionCall').args.length, 1);
  const t1 = as(expr("TRIM(LEADING 'x' FROM s)"), 'Trim');
  assert.deepEqual([t1.side, t1.chars?.kind, t1.operand.kind], ['LEADING', 'StringLiteral', 'ColumnRef']);
  const t2 = as(expr('TRIM(s)'), 'Trim');
  assert.deepEqual([t2.side, t2.chars], [undefined, undefined]);
  const t3 = as(expr('TRIM(BOTH FROM s)'), 'Trim');
  assert.deepEqual([t3.side, t3.chars], ['BOTH', undefined]);
  const s1 = as(expr('SUBSTRING(s FROM 2 FOR 3)'), 'Substring');
  assert.equal(as(s1.length, 'NumericLiteral').text, '3');
  const s2 = as(expr('SUBSTRING(s, 2)'), 'Substring');
  assert.equal(s2.length, undefined);
  const pos = as(expr("POSITION('a' IN s)"), 'Position');
  assert.equal(pos.haystack.kind, 'ColumnRef');
  const ov = as(expr("OVERLAY(s PLACING 'x' FROM 2 FOR 1)"), 'Overlay');
  assert.equal(ov.placing.kind, 'StringLiteral');
  const ta = as(expr('TIMESTAMPADD(WEEK, 1, ts)'), 'TimestampAdd');
  assert.equal(ta.unit, 'WEEK');
  const td = as(expr('TIMESTAMPDIFF(QUARTER, a, b)'), 'TimestampDiff');
  assert.equal(td.unit, 'QUARTER');
  const jv = as(expr("JSON_VALUE(j, '$.a' RETURNING DOUBLE DEFAULT 1.0 ON EMPTY ERROR ON ERROR)"), 'JsonValue');
  assert.equal(as(jv.returning, 'ScalarType').name, 'DOUBLE');
  assert.deepEqual([jv.onEmpty?.behavior, jv.onEmpty?.default?.kind, jv.onError?.behavior], ['DEFAULT', 'NumericLiteral', 'ERROR']);
  const jq = as(expr("JSON_QUERY(j, '$.a' WITH UNCONDITIONAL ARRAY WRAPPER NULL ON ERROR)"), 'JsonQuery');
  assert.deepEqual([jq.wrapper, jq.onError], ['UNCONDITIONAL', 'NULL']);
  assert.equal(as(expr("JSON_QUERY(j, '$.a' WITH WRAPPER)"), 'JsonQuery').wrapper, 'UNCONDITIONAL');
  assert.equal(as(expr("JSON_QUERY(j, '$.a')"), 'JsonQuery').wrapper, 'WITHOUT');
  assert.equal(as(expr("JSON_EXISTS(j, '$.a' UNKNOWN ON ERROR)"), 'JsonExists').onError, 'UNKNOWN');
  const jo = as(expr("JSON_OBJECT('a' VALUE 1, KEY 'b' VALUE 2 ABSENT ON NULL)"), 'JsonObject');
  assert.deepEqual([jo.entries.length, jo.onNull], [2, 'ABSENT']);
  assert.equal(as(expr('JSON_ARRAY(1, 2 NULL ON NULL)'), 'JsonArray').onNull, 'NULL');
});

test('constructors, subqueries, descriptors', () => {
  assert.equal(as(expr('ARRAY[1, 2]'), 'ArrayConstructor').items.length, 2);
  const m = as(expr("MAP['a', 1, 'b', 2]"), 'MapConstructor');
  assert.equal(m.entries.length, 2);
  assert.equal(as(m.entries[1]!.key, 'StringLiteral').value, 'b');
  const r = as(expr('ROW(1, 2)'), 'RowConstructor');
  assert.equal(r.explicit, true);
  assert.equal(as(expr('(1, 2)'), 'RowConstructor').explicit, false);
  assert.equal(expr('EXISTS (SELECT 1)').kind, 'Exists');
  assert.equal(expr('(SELECT MAX(a) FROM t)').kind, 'ScalarSubquery');
  assert.equal(p('((SELECT 1) + 1)'), '(ScalarSubquery + 1)');
  assert.equal(as(expr('DESCRIPTOR(a, b)'), 'Descriptor').columns.length, 2);
});

test('expression spans point at the source text', () => {
  const text = 'a +  b * c';
  const e = as(expr(text), 'Binary');
  assert.equal(text.slice(e.span.start, e.span.end), 'a +  b * c');
  const r = as(e.right, 'Binary');
  assert.equal(text.slice(r.span.start, r.span.end), 'b * c');
  assert.equal(r.span.column, 6);
});

test('IN with a parenthesised subquery as a list element backtracks to a list', () => {
  const l = as(expr('a IN ((SELECT 1), 2)'), 'InList');
  assert.deepEqual(l.list.map((x) => x.kind), ['ScalarSubquery', 'NumericLiteral']);
  assert.equal(expr('a IN ((SELECT 1) UNION (SELECT 2))').kind, 'InSubquery');
});
