/** Parser: queries, set operations, FROM items, joins, window TVFs, hints, grouping. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryExpr, Relation } from '../../src/sql/ast.js';
import { as, query } from './helpers.js';

const from = (sql: string): Relation => as(query(sql), 'Select').from!;

/** Compact structure of set operations, e.g. `(a UNION ALL (b INTERSECT c))`. */
function shape(q: QueryExpr): string {
  switch (q.kind) {
    case 'SetOperation': return `(${shape(q.left)} ${q.op}${q.all ? ' ALL' : ''} ${shape(q.right)})`;
    case 'Select': {
      const f = q.from;
      return f && f.kind === 'TableRef' ? f.name.parts[0]!.text : 'select';
    }
    case 'Values': return 'values';
    case 'Query': return `[${shape(q.body)}]`;
  }
}

test('SELECT clauses', () => {
  const s = as(query('SELECT DISTINCT a, b AS x, c y, * , t.* FROM t WHERE a > 1 GROUP BY a, b HAVING COUNT(*) > 2 WINDOW w AS (PARTITION BY a)'), 'Select');
  assert.equal(s.distinct, true);
  assert.deepEqual(s.items.map((i) => i.kind === 'SelectExpr' ? i.alias?.text ?? '-' : i.qualifier ? 'q*' : '*'), ['-', 'x', 'y', '*', 'q*']);
  assert.equal(s.where?.kind, 'Binary');
  assert.equal(s.groupBy.length, 2);
  assert.equal(s.having?.kind, 'Binary');
  assert.equal(s.windows[0]!.name.text, 'w');
  assert.equal(s.windows[0]!.spec.partitionBy.length, 1);
});

test('ORDER BY, LIMIT, OFFSET, FETCH wrap the body in a Query', () => {
  const q = as(query('SELECT a FROM t ORDER BY a DESC NULLS FIRST, b LIMIT 10 OFFSET 5'), 'Query');
  assert.equal(q.body.kind, 'Select');
  assert.deepEqual(q.orderBy.map((o) => [o.direction, o.nulls]), [['DESC', 'FIRST'], [undefined, undefined]]);
  assert.equal(as(q.limit, 'NumericLiteral').text, '10');
  assert.equal(as(q.offset, 'NumericLiteral').text, '5');
  const f = as(query('SELECT a FROM t OFFSET 2 ROWS FETCH NEXT 3 ROWS ONLY'), 'Query');
  assert.equal(as(f.fetch, 'NumericLiteral').text, '3');
  assert.equal(query('SELECT a FROM t').kind, 'Select');
});

test('set operation precedence: INTERSECT binds tighter, left associative, parentheses respected', () => {
  assert.equal(shape(query('SELECT * FROM a UNION ALL SELECT * FROM b INTERSECT SELECT * FROM c')), '(a UNION ALL (b INTERSECT c))');
  assert.equal(shape(query('SELECT * FROM a INTERSECT SELECT * FROM b UNION SELECT * FROM c')), '((a INTERSECT b) UNION c)');
  assert.equal(shape(query('SELECT * FROM a EXCEPT SELECT * FROM b UNION DISTINCT SELECT * FROM c')), '((a EXCEPT b) UNION c)');
  assert.equal(shape(query('SELECT * FROM a EXCEPT (SELECT * FROM b UNION SELECT * FROM c)')), '(a EXCEPT (b UNION c))');
  assert.equal(shape(query('SELECT * FROM a MINUS SELECT * FROM b')), '(a EXCEPT b)');
  assert.equal(shape(query('(SELECT * FROM a ORDER BY x LIMIT 1) UNION ALL SELECT * FROM b')), '([a] UNION ALL b)');
  assert.equal(shape(query('SELECT * FROM a UNION SELECT * FROM b ORDER BY 1')), '[(a UNION b)]');
});

test('WITH clause', () => {
  const q = as(query('WITH a AS (SELECT 1), b (x, y) AS (SELECT 1, 2) SELECT * FROM a, b'), 'Query');
  assert.deepEqual(q.with?.ctes.map((c) => [c.name.text, c.columns?.map((x) => x.text)]), [['a', undefined], ['b', ['x', 'y']]]);
});

test('VALUES as query and as FROM item with alias', () => {
  const v = as(query("VALUES (1, 'a'), (2, 'b')"), 'Values');
  assert.equal(v.rows.length, 2);
  assert.equal(v.rows[0]!.length, 2);
  const single = as(query('VALUES 1, 2'), 'Values');
  assert.deepEqual(single.rows.map((r) => r.length), [1, 1]);
  const d = as(from('SELECT * FROM (VALUES (1, 2)) AS t (a, b)'), 'DerivedTable');
  assert.equal(d.query.kind, 'Values');
  assert.deepEqual([d.alias?.name.text, d.alias?.columns?.map((c) => c.text)], ['t', ['a', 'b']]);
});

test('table references: qualified names, aliases, keyword after dot', () => {
  const t = as(from('SELECT * FROM cat.db.t AS x (a, b)'), 'TableRef');
  assert.deepEqual(t.name.parts.map((p) => p.text), ['cat', 'db', 't']);
  assert.equal(t.alias?.name.text, 'x');
  assert.deepEqual(t.alias?.columns?.map((c) => c.text), ['a', 'b']);
  const k = as(from('SELECT * FROM app_events.order o'), 'TableRef');
  assert.deepEqual(k.name.parts.map((p) => p.text), ['app_events', 'order']);
  assert.equal(k.alias?.name.text, 'o');
});

test('joins: types, ON, USING, comma, CROSS, parenthesised', () => {
  const j = as(from('SELECT * FROM a LEFT OUTER JOIN b ON a.x = b.x RIGHT JOIN c USING (x, y) FULL JOIN d ON TRUE INNER JOIN e ON 1 = 1 JOIN f ON 2 = 2'), 'Join');
  const types: string[] = [];
  let r: Relation = j;
  while (r.kind === 'Join') { types.unshift(r.joinType); r = r.left; }
  assert.deepEqual(types, ['LEFT', 'RIGHT', 'FULL', 'INNER', 'INNER']);
  const using = as(as(as(as(j.left, 'Join').left, 'Join').left, 'Join'), 'Join');
  assert.deepEqual(using.using?.map((u) => u.text), ['x', 'y']);
  // comma binds looser than JOIN
  const c = as(from('SELECT * FROM a, b JOIN c ON b.k = c.k'), 'Join');
  assert.equal(c.joinType, 'COMMA');
  assert.equal(as(c.right, 'Join').joinType, 'INNER');
  const x = as(from('SELECT * FROM a CROSS JOIN b'), 'Join');
  assert.equal(x.joinType, 'CROSS');
  assert.equal(x.on, undefined);
  const p = as(from('SELECT * FROM a JOIN (b JOIN c ON b.k = c.k) ON a.k = b.k'), 'Join');
  assert.equal(p.right.kind, 'Join');
});

test('temporal join FOR SYSTEM_TIME AS OF with alias', () => {
  const j = as(from('SELECT * FROM o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.c = r.c'), 'Join');
  const r = as(j.right, 'TableRef');
  assert.deepEqual(as(r.forSystemTime, 'ColumnRef').names.map((n) => n.text), ['o', 'ts']);
  assert.equal(r.alias?.name.text, 'r');
});

test('window TVFs: positional, named arguments, SESSION partitioning', () => {
  const tf = as(from("SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTE))"), 'TableFunction');
  assert.equal(tf.lateral, false);
  assert.equal(tf.call.name.parts[0]!.text, 'TUMBLE');
  assert.deepEqual(tf.call.args.map((a) => a.kind), ['TableArg', 'Descriptor', 'IntervalLiteral']);
  assert.deepEqual(as(tf.call.args[1], 'Descriptor').columns.map((c) => c.text), ['ts']);
  const named = as(from("SELECT * FROM TABLE(HOP(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '1' MINUTE, SIZE => INTERVAL '5' MINUTE))"), 'TableFunction');
  assert.deepEqual(named.call.args.map((a) => as(a, 'NamedArg').name.text), ['DATA', 'TIMECOL', 'SLIDE', 'SIZE']);
  assert.equal(as(named.call.args[0], 'NamedArg').value.kind, 'TableArg');
  const s = as(from("SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY (k1, k2), DESCRIPTOR(ts), INTERVAL '5' MINUTE))"), 'TableFunction');
  assert.deepEqual(as(s.call.args[0], 'TableArg').partitionBy.map((e) => as(e, 'ColumnRef').names[0]!.text), ['k1', 'k2']);
  const s1 = as(from("SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '5' MINUTE))"), 'TableFunction');
  assert.equal(as(s1.call.args[0], 'TableArg').partitionBy.length, 1);
  assert.equal(s1.call.args.length, 3);
});

test('UNNEST and LATERAL TABLE', () => {
  const j = as(from('SELECT * FROM t CROSS JOIN UNNEST(t.arr) WITH ORDINALITY AS u (x, n)'), 'Join');
  const u = as(j.right, 'Unnest');
  assert.equal(u.withOrdinality, true);
  assert.deepEqual(u.alias?.columns?.map((c) => c.text), ['x', 'n']);
  const l = as(from('SELECT * FROM t, LATERAL TABLE(f(t.a)) AS T(s)'), 'Join');
  const tf = as(l.right, 'TableFunction');
  assert.equal(tf.lateral, true);
  assert.equal(tf.call.name.parts[0]!.text, 'f');
  assert.equal(tf.alias?.name.text, 'T');
  const lj = as(from('SELECT * FROM t LEFT JOIN LATERAL TABLE(f(a)) AS T(s) ON TRUE'), 'Join');
  assert.equal(lj.joinType, 'LEFT');
  assert.equal(as(lj.on, 'BooleanLiteral').value, true);
});

test('derived tables and LATERAL subqueries', () => {
  const d = as(from('SELECT * FROM (SELECT a FROM t) x'), 'DerivedTable');
  assert.equal(d.alias?.name.text, 'x');
  const l = as(as(from('SELECT * FROM t, LATERAL (SELECT t.a) AS y'), 'Join').right, 'DerivedTable');
  assert.equal(l.lateral, true);
});

test('hints: query hints after SELECT, table hints after a name', () => {
  const s = as(query("SELECT /*+ STATE_TTL('o' = '1d', 'c' = '12h'), BROADCAST(dim, d2) */ * FROM o /*+ OPTIONS('k'='v') */ AS x"), 'Select');
  assert.deepEqual(s.hints.map((h) => h.name), ['STATE_TTL', 'BROADCAST']);
  assert.deepEqual(s.hints[0]!.options, { o: '1d', c: '12h' });
  assert.deepEqual(s.hints[1]!.listArgs, ['dim', 'd2']);
  const t = as(s.from, 'TableRef');
  assert.deepEqual(t.hints[0]!.options, { k: 'v' });
  assert.equal(t.alias?.name.text, 'x');
  const l = as(query("SELECT /*+ LOOKUP('table'='c', 'async'='true') */ 1"), 'Select');
  assert.deepEqual(l.hints[0]!.options, { table: 'c', async: 'true' });
});

test('GROUP BY: GROUPING SETS, ROLLUP, CUBE, empty set', () => {
  const s = as(query('SELECT 1 FROM t GROUP BY GROUPING SETS ((a, b), a, ()), ROLLUP(a, b), CUBE(c)'), 'Select');
  const gs = as(s.groupBy[0], 'GroupingSets');
  assert.deepEqual(gs.sets.map((x) => x.kind), ['RowConstructor', 'ColumnRef', 'EmptyGrouping']);
  assert.equal(as(s.groupBy[1], 'Rollup').items.length, 2);
  assert.equal(as(s.groupBy[2], 'Cube').items.length, 1);
});

test('implicit aliases never swallow clause keywords', () => {
  const s = as(query('SELECT a b FROM t c LEFT JOIN d ON TRUE WHERE x = 1'), 'Select');
  assert.equal(as(s.items[0], 'SelectExpr').alias?.text, 'b');
  const j = as(s.from, 'Join');
  assert.equal(as(j.left, 'TableRef').alias?.name.text, 'c');
  assert.equal(as(j.right, 'TableRef').alias, undefined);
});
