/**
 * A join or Top-N over an updating input must never emit an intermediate result that a downstream upsert sink
 * would keep wrongly. An upsert sink keyed by the primary key applies +I/+U as "put", -D as "delete" and ignores
 * -U (as Flink's upsert sinks do); its final contents must equal the retract-materialized result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runSql } from '../../src/runtime/sql-session.js';

const DDL = `CREATE TABLE orders (order_id BIGINT, user_id STRING, item STRING, amount DOUBLE, qty INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', 'path' = 'orders.json', 'format' = 'json');
CREATE TABLE users (user_id STRING, country STRING, tags ARRAY<STRING>, since TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = 'users.json', 'format' = 'json');
`;

async function check(sql: string, keyCols: string[]): Promise<void> {
  const upsert = new Map<string, string>();
  const res = await runSql(DDL + sql, {
    baseDir: join(process.cwd(), 'tests/slt/data'), batchSize: 3,
    onChange: (_q, row, kind, fields) => {
      const obj = Object.fromEntries(fields.map((f, i) => [f.name, row[i]]));
      const key = JSON.stringify(keyCols.map((k) => obj[k]));
      if (kind === 0 || kind === 2) upsert.set(key, JSON.stringify(obj));
      else if (kind === 3) upsert.delete(key);
    },
  });
  assert.equal(res.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const q = res.results[0]!;
  const expected = q.rows.map((r) => JSON.stringify(Object.fromEntries(q.fields.map((f, i) => [f.name, r[i]])))).sort();
  assert.deepEqual([...upsert.values()].sort(), expected);
  assert.ok(expected.length > 0);
}

test('Top-N over an updating aggregate, upserted by rank', () =>
  check('SELECT rn, user_id, total FROM (SELECT user_id, total, ROW_NUMBER() OVER (ORDER BY total DESC, user_id) AS rn FROM (SELECT user_id, SUM(qty) AS total FROM orders GROUP BY user_id)) WHERE rn <= 3', ['rn']));

test('Top-N per partition, upserted by (partition, rank)', () =>
  check('SELECT item, rn, user_id, c FROM (SELECT item, user_id, c, ROW_NUMBER() OVER (PARTITION BY item ORDER BY c DESC, user_id) AS rn FROM (SELECT item, user_id, COUNT(*) AS c FROM orders GROUP BY item, user_id)) WHERE rn <= 2', ['item', 'rn']));

test('LEFT JOIN of aggregates, upserted by the join key', () =>
  check('SELECT a.user_id, a.c, b.country FROM (SELECT user_id, COUNT(*) AS c FROM orders GROUP BY user_id) a LEFT JOIN (SELECT user_id, MAX(country) AS country FROM users GROUP BY user_id) b ON a.user_id = b.user_id', ['user_id']));

test('deduplication keep-last, upserted by key', () =>
  check('SELECT user_id, order_id FROM (SELECT user_id, order_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM orders) WHERE rn = 1', ['user_id']));
