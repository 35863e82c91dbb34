/**
 * Parallel execution gives the single-threaded results: keyed stages (GROUP BY, HOP/CUMULATE/TUMBLE windows, OVER,
 * regular/interval/temporal/window joins, Top-N, deduplication, sessions, chains of differently keyed stages, global
 * operators after keyed ones, unions) run with parallelism 2 and 1 over seeded random out-of-order events must
 * produce the same final row multisets, and per key the same changelog.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomEvents, writeEvents, EVENTS_DDL, mulberry32 } from '../../support/random-events.js';
import { runSql, compileSql } from '../../../src/runtime/sql-session.js';
import { exchangeLayout } from '../../../src/engine/parallel/exchange-layout.js';
import { FreshetError } from '../../../src/common/diagnostics.js';

let dir = '';
let ddl = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-par-'));
  writeEvents(join(dir, 'ev.json'), randomEvents(2500, 11, 13));
  const rnd = mulberry32(5);
  const base = Date.UTC(2024, 0, 1);
  const rates: string[] = [];
  for (let i = 0; i < 300; i++) {
    const ts = new Date(base + i * 20_000).toISOString().replace('T', ' ').replace('Z', '');
    rates.push(JSON.stringify({ k: `k${Math.floor(rnd() * 13)}`, rate: Math.floor(rnd() * 50), ts }));
  }
  writeFileSync(join(dir, 'rates.json'), rates.join('\n') + '\n');
  writeFileSync(join(dir, 'users.json'), Array.from({ length: 10 }, (_, i) => JSON.stringify({ k: `k${i}`, region: `r${i % 3}`, tier: i % 4 })).join('\n') + '\n');
  ddl = `${EVENTS_DDL(join(dir, 'ev.json'))}
CREATE TABLE users (k STRING, region STRING, tier INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'users.json')}', 'format' = 'json');
CREATE TABLE rates (k STRING, rate INT, ts TIMESTAMP(3), PRIMARY KEY (k) NOT ENFORCED, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'rates.json')}', 'format' = 'json');
`;
});
after(() => rmSync(dir, { recursive: true, force: true }));

const QUERIES: Record<string, string> = {
  'group by': 'SELECT k, COUNT(*) AS c, SUM(v) AS sv, MAX(v) AS mx, SUM(d) AS sd, COUNT(DISTINCT g) AS dg FROM ev GROUP BY k',
  'group by two keys then by one (re-route between keyed stages)': 'SELECT g, c, COUNT(*) AS n FROM (SELECT k, g, COUNT(*) AS c FROM ev GROUP BY k, g) GROUP BY g, c',
  'global aggregate after a keyed stage': 'SELECT COUNT(*) AS keys, SUM(c) AS total FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k)',
  'tumble': "SELECT k, window_start, COUNT(*) AS c, SUM(v) AS s FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end",
  'hop': "SELECT k, window_start, window_end, COUNT(*) AS c, MAX(v) AS m FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '2' MINUTE)) GROUP BY k, window_start, window_end",
  'cumulate': "SELECT k, g, window_start, window_end, COUNT(*) AS c, SUM(v) AS s FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '20' SECOND, INTERVAL '2' MINUTE)) GROUP BY k, g, window_start, window_end",
  'cascaded windows': "CREATE VIEW per_min AS SELECT k, g, window_start AS ws1, window_time, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, g, window_start, window_end, window_time;\n" +
    "SELECT g, window_start, SUM(c) AS c FROM TABLE(TUMBLE(TABLE per_min, DESCRIPTOR(window_time), INTERVAL '5' MINUTE)) GROUP BY g, window_start, window_end",
  'over range': "SELECT k, id, COUNT(*) OVER w AS c, SUM(v) OVER w AS s FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW)",
  'over rows': 'SELECT g, id, MAX(v) OVER (PARTITION BY g ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) AS m FROM ev',
  'regular join': 'SELECT e.k, u.region, COUNT(*) AS n, SUM(e.v * u.tier) AS s FROM ev AS e JOIN users AS u ON e.k = u.k GROUP BY e.k, u.region',
  'left join updating': 'SELECT a.k, a.c, b.c2 FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) a LEFT JOIN (SELECT k, COUNT(*) AS c2 FROM ev WHERE v > 90 GROUP BY k) b ON a.k = b.k',
  'interval join': "SELECT a.k, COUNT(*) AS n FROM ev a JOIN ev b ON a.k = b.k AND b.ts > a.ts AND b.ts <= a.ts + INTERVAL '30' SECOND GROUP BY a.k",
  'temporal join': 'SELECT e.id, e.k, r.rate FROM ev AS e JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.k = r.k',
  'window join': "SELECT a.k, a.window_start, a.c, b.c FROM (SELECT k, window_start, window_end, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE g = 0 GROUP BY k, window_start, window_end) a JOIN (SELECT k, window_start, window_end, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE g = 1 GROUP BY k, window_start, window_end) b ON a.k = b.k AND a.window_start = b.window_start AND a.window_end = b.window_end",
  'top-n': 'SELECT * FROM (SELECT k, id, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM ev) WHERE rn <= 3',
  'top-n over updating input': 'SELECT * FROM (SELECT g, k, c, ROW_NUMBER() OVER (PARTITION BY g ORDER BY c DESC, k) AS rn FROM (SELECT g, k, COUNT(*) AS c FROM ev GROUP BY g, k)) WHERE rn <= 2',
  'dedup first': 'SELECT k, g, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k, g ORDER BY ts) AS rn FROM ev) WHERE rn = 1',
  'dedup last': 'SELECT k, id, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM ev) WHERE rn = 1',
  'window top-n': "SELECT window_start, g, k, c FROM (SELECT window_start, g, k, c, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, g ORDER BY c DESC, k) AS rn FROM (SELECT window_start, window_end, g, k, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' MINUTE)) GROUP BY window_start, window_end, g, k)) WHERE rn <= 2",
  'session': "SELECT k, window_start, window_end, COUNT(*) AS n, SUM(v) AS s FROM TABLE(SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end",
  'union of keyed branches': 'SELECT k, SUM(c) AS c FROM (SELECT k, COUNT(*) AS c FROM ev WHERE g = 0 GROUP BY k UNION ALL SELECT k, COUNT(*) AS c FROM ev WHERE g <> 0 GROUP BY k) GROUP BY k',
};

const canon = (rows: unknown[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();

async function run(sql: string, parallelism: number, batchSize: number): Promise<{ rows: string[]; perKey: Map<string, string[]>; effective: number }> {
  const perKey = new Map<string, string[]>();
  const res = await runSql(`${ddl}\n${sql};`, {
    parallelism, batchSize,
    onChange: (_q, row, kind) => {
      const key = JSON.stringify(row[0]);
      let l = perKey.get(key);
      if (!l) perKey.set(key, (l = []));
      l.push(`${kind} ${JSON.stringify(row)}`);
    },
  });
  const errs = res.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 0, errs.map((d) => `${d.code} ${d.message}`).join('\n'));
  return { rows: canon(res.results[0]!.rows), perKey, effective: res.summary?.parallelism?.effective ?? 1 };
}

for (const [name, sql] of Object.entries(QUERIES)) {
  test(`parallelism 2 = parallelism 1: ${name}`, async () => {
    const c = compileSql(`${ddl}\n${sql};`);
    assert.ok(c.program, c.diagnostics.map((d) => d.message).join('\n'));
    assert.ok(exchangeLayout(c.program).parallelOps.length > 0, 'the plan has a parallel stage');
    const one = await run(sql, 1, 40);
    const two = await run(sql, 2, 40);
    assert.equal(two.effective, 2);
    assert.ok(one.rows.length > 0, 'non-empty result');
    assert.deepEqual(two.rows, one.rows);
    // Per-key changelog: grouped by the first output column, which is a routing key of the last keyed stage here.
    if (name === 'group by' || name === 'tumble' || name === 'session' || name === 'dedup last') assert.deepEqual(two.perKey, one.perKey);
  });
}

test("SET 'parallelism.default' runs keyed stages in workers; plans without keys run on one thread", async () => {
  const r = await runSql(`${ddl}\nSET 'parallelism.default' = '2';\nSELECT k, COUNT(*) FROM ev GROUP BY k;`);
  assert.deepEqual(r.summary?.parallelism, { requested: 2, effective: 2, notes: [] });
  const ops = r.summary!.operators;
  const agg = ops.find((o) => o.id.includes('Aggregate'));
  assert.ok(agg && agg.rowsIn === 2500, `aggregate rows in summed over workers: ${JSON.stringify(ops)}`);
  const g = await runSql(`${ddl}\nSELECT COUNT(*) FROM ev;`, { parallelism: 2 });
  assert.equal(g.summary?.parallelism?.effective, 1);
  assert.match(g.summary!.parallelism!.notes.join('\n'), /no key columns/);
  assert.deepEqual(g.results[0]!.rows, [[2500]]);
});

test('an invalid parallelism is a diagnostic', async () => {
  await assert.rejects(runSql(`${ddl}\nSET 'parallelism.default' = 'two';\nSELECT k, COUNT(*) FROM ev GROUP BY k;`),
    (e: unknown) => e instanceof FreshetError && e.diagnostics[0]!.code === 'RUN513');
});

test('bad rows in worker operators reach the job metrics and dead letters', async () => {
  const sql = `${ddl}\nSELECT k, CAST(CONCAT('x', k) AS INT) AS bad FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k);`;
  const one = await runSql(sql, { parallelism: 1, batchSize: 100, config: {} });
  const two = await runSql(sql, { parallelism: 2, batchSize: 100 });
  assert.ok((one.summary!.metrics['badRows'] ?? 0) > 100);
  assert.equal(two.summary!.metrics['badRows'], one.summary!.metrics['badRows']);
  assert.equal(two.summary!.deadLetters.length, one.summary!.deadLetters.length);
  assert.match(two.summary!.deadLetters[0]!.reason, /cannot cast/);
});
