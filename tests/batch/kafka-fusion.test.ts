/**
 * Fusion with a real Kafka topic (the test): events for 30 days, the last ~7 in Kafka (3 partitions, keyed by
 * entity) and all 30 in offline Parquet files partitioned by date. The streaming job reads the topic into the online
 * store (embedded-kv, and Redis when it answers), a backfill computes the older 23 days from Parquet up to a
 * day-aligned boundary, and reads through FusedStore equal a brute-force computation over all events of the exact
 * served window (t − 30 d, t] at several read times: an event exactly at t (counted), one exactly at t − w (not
 * counted) and one a millisecond later (counted), reads on both sides of the boundary and reads days later.
 *
 * Needs Kafka (scripts/kafka.sh start; FRESHET_KAFKA_PORT, default 19092): skips with the reason otherwise, and
 * FRESHET_REQUIRE_KAFKA=1 makes that a failure. The Redis variant also needs Redis (FRESHET_REQUIRE_REDIS=1 likewise).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../../src/batch/backfill.js';
import { formatTimestamp } from '../../src/common/time.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import type { KvStore } from '../../src/engine/kv-store-api.js';
import { runSql } from '../../src/runtime/sql-session.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { FusedStore } from '../../src/serving/fused-store.js';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce } from '../integration/kafka/kafka-helpers.js';
import { REDIS_HOST, REDIS_PORT, redisSkipReason, testRedisStore } from '../stores/store-helpers.js';
import { DAY, HOUR, MIN, dailyEvents, oracle, writeParquetTwin, type Ev } from './offline-helpers.js';

let kafkaSkip: string | undefined;
let redisSkip: string | false = false;
before(async () => {
  kafkaSkip = await kafkaSkipReason();
  redisSkip = await redisSkipReason();
});

const W = 30 * DAY;
/** The stream's tile retention: reads at t >= its clock minus this are complete, so the whole Kafka span is readable. */
const RETENTION = 8 * DAY;
const start = Date.UTC(2026, 0, 1);

/**
 * 3000 seeded events over 30 days on keys k0..k5, plus three on k1 that pin the window's ends: one at a (day 0,
 * offline only), one at a + 1 ms, and one at a + 30 days (the newest event, in Kafka). Read at t = a + 30 d, the
 * first is exactly at t − w (out), the second just inside, the third exactly at t (in).
 */
function events(): { all: Ev[]; edge: number } {
  const base = dailyEvents(3000, 30, 6, 29, start);
  const a = start + 5 * HOUR + 1234;
  const taken = new Set(base.map((e) => e.ts));
  assert.ok(!taken.has(a) && !taken.has(a + 1) && !taken.has(a + W));
  const n = base.length;
  const all = [...base, { id: n, k: 'k1', v: 41, ts: a }, { id: n + 1, k: 'k1', v: 42, ts: a + 1 }, { id: n + 2, k: 'k1', v: 43, ts: a + W }]
    .sort((x, y) => x.ts - y.ts);
  return { all, edge: a + W };
}

function featureScript(topic: string, sink: string, table: string): string {
  return `
CREATE TABLE ev (id BIGINT, k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json');
CREATE TABLE ${table} (k STRING, cnt BIGINT, total INT, PRIMARY KEY (k) NOT ENFORCED) WITH (${sink});
INSERT INTO ${table}
SELECT k, COUNT(*) OVER w, SUM(v) OVER w FROM ev
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '30' DAY PRECEDING AND CURRENT ROW);
`;
}

async function fusedEqualsOracle(sink: (dir: string) => string, open: (dir: string) => KvStore, table: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-kfusion-'));
  try {
    const { all, edge } = events();
    await writeParquetTwin(dir, all);
    // Kafka keeps ~7 days: from the middle of day 23 on.
    const streamFrom = start + 23 * DAY - 5 * HOUR - 17 * MIN;
    const topic = freshTopic('fusion');
    await createTopic(topic, 3);
    const streamed = all.filter((e) => e.ts >= streamFrom);
    await produce(topic, streamed.map((e) => ({ key: e.k, value: JSON.stringify({ id: e.id, k: e.k, v: e.v, ts: formatTimestamp(e.ts, 3) }) })));

    const script = featureScript(topic, sink(dir), table);
    const run = await runSql(script, { baseDir: dir });
    assert.deepEqual(run.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(run.summary?.finished, true);
    assert.equal(run.summary?.metrics['lateRowsDropped'] ?? 0, 0, 'the stream drops no event (per-partition watermarks)');

    const store = open(dir);
    await store.open();
    try {
      const boundary = Math.ceil(streamFrom / DAY) * DAY;
      const r = await backfill({
        script, feature: table, baseDir: dir, store, boundary, streamFrom,
        twins: { ev: { format: 'parquet', path: join(dir, 'twin'), partitionColumn: 'dt' } },
      });
      assert.equal(r.fusion.boundary, boundary);
      assert.equal(r.build.events, all.filter((e) => e.ts < boundary).length, 'the backfill reads exactly the events before the boundary');
      assert.equal(r.build.lateRows, 0);

      const fused = new FusedStore(store, { metaTtlMs: 0 });
      const keys = [...new Set(all.map((e) => e.k))].sort();
      const last = all[all.length - 1]!.ts;
      assert.equal(last, edge);
      const times = [
        edge, // an event exactly at t (k1, in Kafka) and one exactly at t − w (k1, offline only)
        edge - 1, last - 50 * MIN + 7,
        boundary, boundary - 1, boundary + 1, // at the boundary and on both sides of it
        boundary - 3 * DAY - 1234, // before the stream's retention: offline tiles only
        streamed[100]!.ts, streamed[700]!.ts, // events in Kafka exactly at t
        all[1500]!.ts + W, // an offline event exactly at t − w
        last + 2 * DAY + 1, last + 6 * DAY + 5 * HOUR, // windows reaching back across the boundary
      ];
      for (const t of times) {
        const a = await readFeatures(fused, table, keys, t);
        // 'expired' is conservative for reads before the stream's retention (docs/offline.md): they need no online tile.
        assert.deepEqual(a.incomplete.filter((x) => x !== 'tails-pending' && !(x === 'expired' && t < last - RETENTION)), [], `read at ${new Date(t).toISOString()}`);
        assert.equal(a.results.length, keys.length);
        for (const res of a.results) {
          const o = oracle(all, res.key, t, W);
          assert.equal(Number(res.values['cnt']), o.cnt, `count of ${res.key} at ${new Date(t).toISOString()}`);
          assert.equal(res.values['total'], o.total, `sum of ${res.key} at ${new Date(t).toISOString()}`);
        }
      }
      // The edges are in the oracle as intended: at t = edge, k1 counts the event at t and the one at t − w + 1 ms only.
      const k1 = (await readFeatures(fused, table, ['k1'], edge)).results[0]!;
      const inside = all.filter((e) => e.k === 'k1' && e.ts > edge - W && e.ts <= edge);
      assert.ok(inside.some((e) => e.ts === edge) && inside.some((e) => e.ts === edge - W + 1) && !inside.some((e) => e.ts === edge - W));
      assert.equal(Number(k1.values['cnt']), inside.length);
      // The stream alone undercounts: the offline layer is what completes the window.
      const plain = await readFeatures(store, table, keys, last);
      assert.ok(plain.results.some((x) => Number(x.values['cnt']) < oracle(all, x.key, last, W).cnt));
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('Kafka stream (last 7 days) + Parquet backfill (23 days) into embedded-kv: fused reads equal the oracle', async (t) => {
  if (kafkaSkip) { t.skip(kafkaSkip); return; }
  await fusedEqualsOracle((dir) => `'connector' = 'embedded-kv', 'path' = '${join(dir, 'kv')}', 'tile.retention' = '8 d'`,
    (dir) => new EmbeddedKvStore({ path: join(dir, 'kv') }), 'user_30d');
});

test('Kafka stream (last 7 days) + Parquet backfill (23 days) into Redis: fused reads equal the oracle', async (t) => {
  if (kafkaSkip) { t.skip(kafkaSkip); return; }
  if (redisSkip) { t.skip(redisSkip); return; }
  const table = `kfusion_${process.pid}_${Date.now().toString(36)}`;
  await fusedEqualsOracle(() => `'connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'tile.retention' = '8 d'`,
    () => testRedisStore(), table);
});
