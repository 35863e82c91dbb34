/**
 * planTiledSink recognises OVER RANGE and HOP feature queries written into KV-store tables keyed by the partition /
 * group key, and explains why other shapes are not tiled. End to end: a compiled OVER query's spec drives the tile
 * writer and the served values match the oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScript } from '../../src/program/script-compiler.js';
import { explainTiledSink, planTiledSink, granularitiesFor } from '../../src/plan/rules/tile-features.js';
import type { LogicalNode, TableDef } from '../../src/plan/logical-plan.js';
import { optimize } from '../../src/plan/optimizer.js';
import { QueryBinder } from '../../src/plan/query-binder.js';
import { DiagnosticBag } from '../../src/common/diagnostics.js';
import { RowKind } from '../../src/common/row.js';
import { TileSinkOperator } from '../../src/engine/operators/tile-sink-operator.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { MemoryKvStore } from './memory-store.js';
import { DAY, HOUR, MIN, testCtx } from './helpers.js';

const EVENTS = `CREATE TABLE events (user_id STRING, amount BIGINT, item STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen');`;

function planOf(ddl: string, insert: string): { plan: LogicalNode; table: TableDef } {
  const text = `${EVENTS}\n${ddl}\n${insert}`;
  const c = compileScript(text, { baseDir: '.' });
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, []);
  const p = c.plans[c.plans.length - 1]!;
  const name = /INSERT INTO (\w+)/.exec(insert)![1]!;
  const entry = c.catalog.get([name]) as unknown as { name: string; ddl: never; baseDir: string };
  const table = new QueryBinder(c.catalog, new DiagnosticBag(), text, {}).tableDef(entry);
  return { plan: optimize(p.plan), table };
}

const OVER_1H = `RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW`;

test('OVER RANGE features into a redis table keyed by the partition key are tiled', () => {
  const { plan, table } = planOf(
    `CREATE TABLE feats (user_id STRING, cnt BIGINT, total BIGINT, hi BIGINT, items BIGINT, last_ts TIMESTAMP(3),
       PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'redis');`,
    `INSERT INTO feats SELECT user_id, COUNT(*) OVER w, SUM(amount) OVER w, MAX(amount) OVER w, COUNT(DISTINCT item) OVER w, ts
       FROM events WINDOW w AS (PARTITION BY user_id ORDER BY ts ${OVER_1H});`);
  const r = explainTiledSink(plan, table);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const spec = r.spec;
  assert.equal(spec.source, 'over');
  assert.deepEqual(spec.windows, [HOUR]);
  assert.deepEqual(spec.granularities, [MIN]);
  assert.deepEqual(spec.calls.map((c) => c.id), ['COUNT(*)', 'SUM(amount)', 'MAX(amount)', 'COUNT(DISTINCT item)']);
  assert.deepEqual(spec.columns.map((c) => `${c.name}:${c.kind}`), ['user_id:key', 'cnt:feature', 'total:feature', 'hi:feature', 'items:feature', 'last_ts:lastEventTime']);
  assert.equal(spec.keyColumns.length, 1);
});

test('HOP features with window bounds are tiled at the slide', () => {
  const { plan, table } = planOf(
    `CREATE TABLE hf (user_id STRING, cnt BIGINT, total BIGINT, ws TIMESTAMP(3), we TIMESTAMP(3),
       PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'embedded-kv');`,
    `INSERT INTO hf SELECT user_id, COUNT(*), SUM(amount), window_start, window_end
       FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '1' DAY)) GROUP BY user_id, window_start, window_end;`);
  const spec = planTiledSink(plan, table);
  assert.ok(spec);
  assert.equal(spec.source, 'hop');
  assert.deepEqual(spec.windows, [DAY]);
  assert.deepEqual(spec.granularities, [5 * MIN, HOUR]);
  assert.deepEqual(spec.columns.map((c) => c.kind), ['key', 'feature', 'feature', 'windowStart', 'windowEnd']);
});

test('shapes that cannot be tiled say why', () => {
  const cases: [string, string, RegExp][] = [
    [`CREATE TABLE f (user_id STRING, cnt BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'print');`,
      `INSERT INTO f SELECT user_id, COUNT(*) OVER (PARTITION BY user_id ORDER BY ts ${OVER_1H}) FROM events;`, /not a KV store/],
    [`CREATE TABLE f (item STRING, cnt BIGINT, PRIMARY KEY (item) NOT ENFORCED) WITH ('connector' = 'redis');`,
      `INSERT INTO f SELECT item, COUNT(*) OVER (PARTITION BY user_id ORDER BY ts ${OVER_1H}) FROM events;`, /per-row input column/],
    [`CREATE TABLE f (user_id STRING, l STRING, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'redis');`,
      `INSERT INTO f SELECT user_id, LISTAGG(item) OVER (PARTITION BY user_id ORDER BY ts ${OVER_1H}) FROM events;`, /row order/],
    [`CREATE TABLE f (user_id STRING, cnt BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'redis');`,
      `INSERT INTO f SELECT user_id, COUNT(*) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) FROM events;`, /RANGE/],
    [`CREATE TABLE f (user_id STRING, cnt BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'redis');`,
      `INSERT INTO f SELECT user_id, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY user_id, window_start, window_end;`, /not sliding/],
    [`CREATE TABLE f (user_id STRING, cnt BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'redis');`,
      `INSERT INTO f SELECT user_id, COUNT(*) OVER (PARTITION BY user_id ORDER BY ts ${OVER_1H}) * 2 FROM events;`, /expressions|plain aggregate/],
  ];
  for (const [ddl, insert, why] of cases) {
    const { plan, table } = planOf(ddl, insert);
    const r = explainTiledSink(plan, table);
    assert.equal(r.ok, false, insert);
    if (!r.ok) assert.match(r.reason, why, insert);
  }
});

test('granularities: defaults from the window, overrides and errors', () => {
  assert.deepEqual(granularitiesFor([HOUR], undefined, undefined), [MIN]);
  assert.deepEqual(granularitiesFor([DAY], undefined, undefined), [MIN, HOUR]);
  assert.deepEqual(granularitiesFor([7 * DAY], undefined, undefined), [MIN, HOUR, DAY]);
  assert.deepEqual(granularitiesFor([10 * MIN], undefined, undefined), [1000]);
  assert.deepEqual(granularitiesFor([DAY], '10 s, 1 h', undefined), [10_000, HOUR]);
  assert.match(String(granularitiesFor([DAY], '1 min, 90 s', undefined)), /multiple/);
  assert.match(String(granularitiesFor([DAY], '1s,1min,1h,1d', undefined)), /at most 3/);
});

test('end to end: a compiled OVER query drives the tile writer and reads match brute force', async () => {
  const { plan, table } = planOf(
    `CREATE TABLE feats (user_id STRING, cnt BIGINT, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
       WITH ('connector' = 'redis', 'tile.retention' = '3 d');`,
    `INSERT INTO feats SELECT user_id, COUNT(*) OVER w, SUM(amount) OVER w FROM events
       WINDOW w AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' DAY PRECEDING AND CURRENT ROW);`);
  const spec = planTiledSink(plan, table)!;
  assert.equal(spec.retentionMs, 3 * DAY);
  // The operator's input is the OVER node's input.
  let over: LogicalNode = plan;
  while (over.kind !== 'overAggregate') over = (over as { input: LogicalNode }).input;
  const inputFields = over.input.fields;
  const store = new MemoryKvStore();
  const op = new TileSinkOperator(spec, testCtx(), undefined, inputFields, store);
  const ui = inputFields.findIndex((f) => f.name === 'user_id');
  const ai = inputFields.findIndex((f) => f.name === 'amount');
  const ti = spec.timeColumn;
  const t0 = Date.UTC(2024, 0, 1);
  const evs: [string, number, number][] = [];
  for (let i = 0; i < 300; i++) evs.push([`u${i % 3}`, i, t0 + i * 7 * MIN]);
  const rows = evs.map(([u, a, ts]) => { const r = new Array<unknown>(inputFields.length).fill(null); r[ui] = u; r[ai] = a; r[ti] = ts; return r; });
  op.process({ rows, kinds: rows.map(() => RowKind.Insert) }, 0);
  op.watermark(Infinity, 0);
  await op.flushAsync();
  for (const t of [t0 + 20 * HOUR + 123, t0 + 30 * HOUR, t0 + 35 * HOUR - 1, t0 + 60 * HOUR]) {
    const a = await readFeatures(store, 'feats', ['u0', 'u1'], t);
    assert.deepEqual(a.incomplete, []);
    const end = Math.floor(t / MIN) * MIN + MIN;
    for (const [k, u] of ['u0', 'u1'].entries()) {
      const inWin = evs.filter(([uu, , ts]) => uu === u && ts >= end - DAY && ts < end);
      assert.deepEqual(a.results[k]!.values, { user_id: u, cnt: inWin.length, total: inWin.length ? inWin.reduce((s, e) => s + e[1], 0) : null });
    }
  }
});
