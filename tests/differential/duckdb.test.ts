/**
 * Differential test: random event streams with bounded disorder run through the streaming engine (watermarks,
 * retractions, window slicing, OVER buffering) and through DuckDB in batch; on a bounded input the final results must
 * be equal for every construct. DuckDB is the oracle; its SQL is written independently of ours.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runSql } from '../../src/runtime/sql-session.js';
import { randomEvents, writeEvents, EVENTS_DDL } from '../support/random-events.js';

let dir = '';
let file = '';
let con: DuckDBConnection;
let inst: DuckDBInstance;
const SEEDS = [1, 2, 3];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-diff-'));
  inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
});
after(() => { con?.closeSync?.(); rmSync(dir, { recursive: true, force: true }); });

function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isInteger(v) ? v : Math.round(v * 1e6) / 1e6;
  if (v && typeof v === 'object' && 'micros' in (v as object)) return Number((v as { micros: bigint }).micros / 1000n);
  if (v !== null && typeof v === 'object' && 'toString' in (v as object) && !Array.isArray(v)) return Number(String(v));
  return v;
}

function canon(rows: unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r.map(norm))).sort();
}

async function duck(sql: string): Promise<unknown[][]> {
  const r = await con.runAndReadAll(sql);
  return r.getRows() as unknown[][];
}

async function ours(sql: string, path: string): Promise<unknown[][]> {
  const res = await runSql(EVENTS_DDL(path) + sql, { batchSize: 97 });
  const errs = res.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 0, errs.map((d) => `${d.code} ${d.message}`).join('\n'));
  assert.equal(res.summary?.metrics['lateRowsDropped'] ?? 0, 0, 'no row may be late when the watermark delay covers the disorder');
  return res.results[0]!.rows;
}

interface Case { name: string; flink: string; duck: string }

const MIN = 60000;
const CASES: Case[] = [
  { name: 'filter + projection',
    flink: "SELECT id, k, v * 2 + 1, v % 7, d / 2, UPPER(s), CASE WHEN v > 50 THEN 'hi' ELSE 'lo' END, COALESCE(s, '-') FROM ev WHERE v > 10 AND (s IS NULL OR s <> 'x')",
    duck: "SELECT id, k, v * 2 + 1, v % 7, d / 2, upper(s), CASE WHEN v > 50 THEN 'hi' ELSE 'lo' END, coalesce(s, '-') FROM ev WHERE v > 10 AND (s IS NULL OR s <> 'x')" },
  { name: 'group by with having',
    flink: 'SELECT k, COUNT(*), SUM(v), MIN(v), MAX(d), AVG(v), COUNT(s), COUNT(DISTINCT s) FROM ev GROUP BY k HAVING COUNT(*) > 3',
    duck: 'SELECT k, count(*), sum(v), min(v), max(d), sum(v) // count(v), count(s), count(DISTINCT s) FROM ev GROUP BY k HAVING count(*) > 3' },
  { name: 'group by two keys with FILTER',
    flink: 'SELECT k, g, SUM(d) FILTER (WHERE v > 30), COUNT(*) FILTER (WHERE s IS NULL), STDDEV_POP(d), VAR_SAMP(d) FROM ev GROUP BY k, g',
    duck: 'SELECT k, g, sum(d) FILTER (WHERE v > 30), count(*) FILTER (WHERE s IS NULL), stddev_pop(d), var_samp(d) FROM ev GROUP BY k, g' },
  { name: 'aggregate over aggregate',
    flink: 'SELECT c, COUNT(*) FROM (SELECT k, g, COUNT(*) AS c FROM ev GROUP BY k, g) GROUP BY c',
    duck: 'SELECT c, count(*) FROM (SELECT k, g, count(*) AS c FROM ev GROUP BY k, g) GROUP BY c' },
  { name: 'filter over aggregate',
    flink: 'SELECT k, total FROM (SELECT k, SUM(v) AS total FROM ev GROUP BY k) WHERE total > 500',
    duck: 'SELECT k, total FROM (SELECT k, sum(v) AS total FROM ev GROUP BY k) WHERE total > 500' },
  { name: 'TUMBLE',
    flink: "SELECT k, window_start, window_end, COUNT(*), SUM(v), MAX(d) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end",
    duck: `SELECT k, (ts_ms // ${MIN}) * ${MIN} AS ws, (ts_ms // ${MIN}) * ${MIN} + ${MIN}, count(*), sum(v), max(d) FROM ev GROUP BY k, ws` },
  { name: 'TUMBLE with offset',
    flink: "SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' MINUTE, INTERVAL '30' SECOND)) GROUP BY window_start, window_end",
    duck: `SELECT ((ts_ms - 30000) // ${2 * MIN}) * ${2 * MIN} + 30000 AS ws, ((ts_ms - 30000) // ${2 * MIN}) * ${2 * MIN} + 30000 + ${2 * MIN}, count(*) FROM ev GROUP BY ws` },
  { name: 'HOP',
    flink: "SELECT k, window_start, window_end, COUNT(*), SUM(v) FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) GROUP BY k, window_start, window_end",
    duck: `SELECT k, ws, ws + ${5 * MIN}, count(*), sum(v) FROM (SELECT k, v, (ts_ms // ${MIN}) * ${MIN} - i * ${MIN} AS ws, ts_ms FROM ev, range(0, 5) r(i)) WHERE ws + ${5 * MIN} > ts_ms GROUP BY k, ws` },
  { name: 'CUMULATE',
    flink: "SELECT k, window_start, window_end, COUNT(*), MIN(v) FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '4' MINUTE)) GROUP BY k, window_start, window_end",
    duck: `SELECT k, cs, cs + j * ${MIN}, count(*), min(v) FROM (SELECT k, v, ts_ms, (ts_ms // ${4 * MIN}) * ${4 * MIN} AS cs FROM ev), range(1, 5) r(j) WHERE cs + j * ${MIN} > ts_ms GROUP BY k, cs, j` },
  { name: 'cascaded windows on window_time',
    flink: "CREATE VIEW per_min AS SELECT k, window_time, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end, window_time; SELECT window_start, SUM(c), COUNT(*) FROM TABLE(TUMBLE(TABLE per_min, DESCRIPTOR(window_time), INTERVAL '5' MINUTE)) GROUP BY window_start, window_end",
    duck: `SELECT (ws1 // ${5 * MIN}) * ${5 * MIN} AS ws, sum(c), count(*) FROM (SELECT k, (ts_ms // ${MIN}) * ${MIN} AS ws1, count(*) AS c FROM ev GROUP BY k, ws1) GROUP BY ws` },
  { name: 'OVER RANGE',
    flink: "SELECT id, COUNT(*) OVER w, SUM(v) OVER w, MAX(d) OVER w FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW)",
    duck: 'SELECT id, count(*) OVER w, sum(v) OVER w, max(d) OVER w FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL 1 MINUTE PRECEDING AND CURRENT ROW)' },
  { name: 'OVER ROWS',
    flink: 'SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW), MIN(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) FROM ev',
    duck: 'SELECT id, sum(v) OVER w, min(v) OVER w FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)' },
  { name: 'OVER unbounded',
    flink: 'SELECT id, COUNT(*) OVER (PARTITION BY g ORDER BY ts) FROM ev',
    duck: 'SELECT id, count(*) OVER (PARTITION BY g ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM ev' },
  { name: 'UNION ALL then group',
    flink: "SELECT k, COUNT(*) FROM (SELECT k FROM ev WHERE v < 20 UNION ALL SELECT k FROM ev WHERE v > 80) GROUP BY k",
    duck: 'SELECT k, count(*) FROM (SELECT k FROM ev WHERE v < 20 UNION ALL SELECT k FROM ev WHERE v > 80) GROUP BY k' },
  { name: 'SELECT DISTINCT',
    flink: 'SELECT DISTINCT k, g FROM ev WHERE v > 50',
    duck: 'SELECT DISTINCT k, g FROM ev WHERE v > 50' },
];

for (const seed of SEEDS) {
  test(`differential vs DuckDB, seed ${seed}`, async (t) => {
    const events = randomEvents(600, seed);
    file = join(dir, `ev-${seed}.json`);
    writeEvents(file, events);
    await con.run(`CREATE OR REPLACE TABLE ev AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {id: 'BIGINT', k: 'VARCHAR', g: 'INTEGER', v: 'INTEGER', d: 'DOUBLE', s: 'VARCHAR', ts: 'TIMESTAMP', ts_ms: 'BIGINT'})`);
    for (const c of CASES) {
      await t.test(c.name, async () => {
        const [a, b] = [await ours(c.flink, file), await duck(c.duck)];
        assert.ok(b.length > 0, 'the oracle query returns rows');
        assert.deepEqual(canon(a), canon(b));
      });
    }
  });
}
