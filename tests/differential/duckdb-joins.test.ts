/**
 * Differential test for joins, Top-N, deduplication and session windows: the streaming engine on a bounded input
 * against DuckDB in batch (the oracle).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runSql } from '../../src/runtime/sql-session.js';
import { randomEvents, writeEvents, EVENTS_DDL, mulberry32 } from '../support/random-events.js';
import { formatTimestamp } from '../../src/common/time.js';

let dir = '';
let con: DuckDBConnection;
let inst: DuckDBInstance;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-diffj-'));
  inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
});
after(() => { con?.closeSync?.(); rmSync(dir, { recursive: true, force: true }); });

function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isInteger(v) ? v : Math.round(v * 1e6) / 1e6;
  if (v && typeof v === 'object' && 'micros' in (v as object)) return Number((v as { micros: bigint }).micros / 1000n);
  return v;
}
const canon = (rows: unknown[][]): string[] => rows.map((r) => JSON.stringify(r.map(norm))).sort();

const MIN = 60000;

function extraDdl(): string {
  return `
CREATE TABLE users (k STRING, region STRING, tier INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'users.json')}', 'format' = 'json');
CREATE TABLE rates (k STRING, rate INT, ts TIMESTAMP(3), PRIMARY KEY (k) NOT ENFORCED, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'rates.json')}', 'format' = 'json');
`;
}

interface Case { name: string; flink: string; duck: string }
const CASES: Case[] = [
  { name: 'regular inner join with a dimension stream',
    flink: 'SELECT e.id, e.k, u.region, e.v * u.tier FROM ev AS e JOIN users AS u ON e.k = u.k WHERE e.v > 20',
    duck: 'SELECT e.id, e.k, u.region, e.v * u.tier FROM ev e JOIN users u ON e.k = u.k WHERE e.v > 20' },
  { name: 'left join of two aggregates (updating inputs)',
    flink: 'SELECT a.k, a.c, b.s FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) a LEFT JOIN (SELECT k, SUM(v) AS s FROM ev WHERE g = 1 GROUP BY k) b ON a.k = b.k',
    duck: 'SELECT a.k, a.c, b.s FROM (SELECT k, count(*) AS c FROM ev GROUP BY k) a LEFT JOIN (SELECT k, sum(v) AS s FROM ev WHERE g = 1 GROUP BY k) b ON a.k = b.k' },
  { name: 'full outer join with residual condition',
    flink: 'SELECT a.k, a.c, b.c FROM (SELECT k, COUNT(*) AS c FROM ev WHERE g = 0 GROUP BY k) a FULL JOIN (SELECT k, COUNT(*) AS c FROM ev WHERE g = 2 GROUP BY k) b ON a.k = b.k AND a.c > b.c',
    duck: 'SELECT a.k, a.c, b.c FROM (SELECT k, count(*) AS c FROM ev WHERE g = 0 GROUP BY k) a FULL JOIN (SELECT k, count(*) AS c FROM ev WHERE g = 2 GROUP BY k) b ON a.k = b.k AND a.c > b.c' },
  { name: 'interval join',
    flink: "SELECT a.id, b.id FROM ev a JOIN ev b ON a.k = b.k AND a.ts BETWEEN b.ts - INTERVAL '10' SECOND AND b.ts + INTERVAL '5' SECOND WHERE a.g = 0 AND b.g = 1",
    duck: "SELECT a.id, b.id FROM ev a JOIN ev b ON a.k = b.k AND a.ts BETWEEN b.ts - INTERVAL 10 SECOND AND b.ts + INTERVAL 5 SECOND WHERE a.g = 0 AND b.g = 1" },
  { name: 'top-N over an updating aggregate',
    flink: 'SELECT g, k, c, rn FROM (SELECT g, k, c, ROW_NUMBER() OVER (PARTITION BY g ORDER BY c DESC, k) AS rn FROM (SELECT g, k, COUNT(*) AS c FROM ev GROUP BY g, k)) WHERE rn <= 2',
    duck: 'SELECT g, k, c, rn FROM (SELECT g, k, c, row_number() OVER (PARTITION BY g ORDER BY c DESC, k) AS rn FROM (SELECT g, k, count(*) AS c FROM ev GROUP BY g, k)) WHERE rn <= 2' },
  { name: 'top-N over an append-only stream',
    flink: 'SELECT k, id, v FROM (SELECT k, id, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM ev) WHERE rn <= 3',
    duck: 'SELECT k, id, v FROM (SELECT k, id, v, row_number() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM ev) WHERE rn <= 3' },
  { name: 'deduplication keep first on event time',
    flink: 'SELECT k, id, v FROM (SELECT k, id, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts ASC) AS rn FROM ev) WHERE rn = 1',
    duck: 'SELECT k, arg_min(id, ts), arg_min(v, ts) FROM ev GROUP BY k' },
  { name: 'deduplication keep last on event time',
    flink: 'SELECT k, id FROM (SELECT k, id, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM ev) WHERE rn = 1',
    duck: 'SELECT k, arg_max(id, ts) FROM ev GROUP BY k' },
  { name: 'window top-N',
    flink: "SELECT window_start, k, c FROM (SELECT window_start, k, c, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY c DESC, k) AS rn FROM (SELECT window_start, window_end, k, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' MINUTE)) GROUP BY window_start, window_end, k)) WHERE rn <= 2",
    duck: `SELECT ws, k, c FROM (SELECT ws, k, c, row_number() OVER (PARTITION BY ws ORDER BY c DESC, k) AS rn FROM (SELECT (ts_ms // ${2 * MIN}) * ${2 * MIN} AS ws, k, count(*) AS c FROM ev GROUP BY ws, k)) WHERE rn <= 2` },
  { name: 'session windows',
    flink: "SELECT k, window_start, window_end, COUNT(*), SUM(v) FROM TABLE(SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), INTERVAL '20' SECOND)) GROUP BY k, window_start, window_end",
    duck: `SELECT k, min(ts_ms), max(ts_ms) + 20000, count(*), sum(v) FROM (SELECT *, sum(CASE WHEN prev IS NULL OR ts_ms - prev > 20000 THEN 1 ELSE 0 END) OVER (PARTITION BY k ORDER BY ts_ms) AS sid FROM (SELECT *, lag(ts_ms) OVER (PARTITION BY k ORDER BY ts_ms) AS prev FROM ev)) GROUP BY k, sid` },
  { name: 'window join',
    flink: "SELECT a.k, a.window_start, a.c, b.c FROM (SELECT k, window_start, window_end, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE g = 0 GROUP BY k, window_start, window_end) a JOIN (SELECT k, window_start, window_end, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE g = 1 GROUP BY k, window_start, window_end) b ON a.k = b.k AND a.window_start = b.window_start AND a.window_end = b.window_end",
    duck: `SELECT a.k, a.ws, a.c, b.c FROM (SELECT k, (ts_ms // ${MIN}) * ${MIN} AS ws, count(*) AS c FROM ev WHERE g = 0 GROUP BY k, ws) a JOIN (SELECT k, (ts_ms // ${MIN}) * ${MIN} AS ws, count(*) AS c FROM ev WHERE g = 1 GROUP BY k, ws) b ON a.k = b.k AND a.ws = b.ws` },
  { name: 'event-time temporal join',
    flink: 'SELECT e.id, r.rate FROM ev AS e JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.k',
    duck: 'SELECT e.id, r.rate FROM ev e ASOF JOIN rates r ON e.k = r.k AND e.ts >= r.ts' },
  { name: 'lookup join against a file',
    flink: 'SELECT e.id, u.region FROM (SELECT *, PROCTIME() AS pt FROM ev) AS e LEFT JOIN users FOR SYSTEM_TIME AS OF e.pt AS u ON e.k = u.k',
    duck: 'SELECT e.id, u.region FROM ev e LEFT JOIN users u ON e.k = u.k' },
];

test('differential vs DuckDB: joins, Top-N, dedup, sessions', async (t) => {
  const events = randomEvents(500, 11, 6, 3000, 4000);
  const file = join(dir, 'ev.json');
  writeEvents(file, events);
  // users: k0..k4 (k5 has no user: outer joins pad), rates: versions over time per key.
  writeFileSync(join(dir, 'users.json'), [0, 1, 2, 3, 4].map((i) => JSON.stringify({ k: `k${i}`, region: ['eu', 'us', 'ap'][i % 3], tier: i + 1 })).join('\n') + '\n');
  const rnd = mulberry32(3);
  const base = Date.UTC(2024, 0, 1);
  const rates: string[] = [];
  for (let i = 0; i < 60; i++) rates.push(JSON.stringify({ k: `k${Math.floor(rnd() * 6)}`, rate: Math.floor(rnd() * 100), ts: formatTimestamp(base - 60000 + i * 25000 + (i % 7), 3) }));
  writeFileSync(join(dir, 'rates.json'), rates.join('\n') + '\n');
  await con.run(`CREATE OR REPLACE TABLE ev AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {id: 'BIGINT', k: 'VARCHAR', g: 'INTEGER', v: 'INTEGER', d: 'DOUBLE', s: 'VARCHAR', ts: 'TIMESTAMP', ts_ms: 'BIGINT'})`);
  await con.run(`CREATE OR REPLACE TABLE users AS SELECT * FROM read_json('${join(dir, 'users.json')}', format = 'newline_delimited', columns = {k: 'VARCHAR', region: 'VARCHAR', tier: 'INTEGER'})`);
  await con.run(`CREATE OR REPLACE TABLE rates AS SELECT * FROM read_json('${join(dir, 'rates.json')}', format = 'newline_delimited', columns = {k: 'VARCHAR', rate: 'INTEGER', ts: 'TIMESTAMP'})`);
  for (const c of CASES) {
    await t.test(c.name, async () => {
      const res = await runSql(EVENTS_DDL(file) + extraDdl() + c.flink, { batchSize: 53 });
      const errs = res.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errs.length, 0, errs.map((d) => `${d.code} ${d.message}`).join('\n'));
      assert.equal(res.summary?.metrics['lateRowsDropped'] ?? 0, 0);
      const ours = res.results[0]!.rows;
      const theirs = (await con.runAndReadAll(c.duck)).getRows() as unknown[][];
      assert.ok(theirs.length > 0, 'the oracle returns rows');
      assert.deepEqual(canon(ours), canon(theirs));
    });
  }
});
