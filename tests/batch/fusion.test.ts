/**
 * Fusion: 30 days of events, the stream holds only the last 7 (a file here, Kafka in kafka-fusion.test.ts), the
 * offline twin all 30 (Parquet partitioned by date). After a backfill up to a day-aligned boundary, fused 30-day
 * values equal a brute-force count over all events at several read times; nothing is counted twice at the boundary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../../src/batch/backfill.js';
import { runSql } from '../../src/runtime/sql-session.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { FusedStore } from '../../src/serving/fused-store.js';
import { DAY, HOUR, MIN, dailyEvents, featureScript, oracle, writeParquetTwin, writeStreamFile } from './offline-helpers.js';

test('fused 30-day values equal a brute-force count over all 30 days', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-fusion-'));
  try {
    const start = Date.UTC(2026, 0, 1);
    const events = dailyEvents(3000, 30, 6, 7, start);
    await writeParquetTwin(dir, events);
    const streamFrom = start + 23 * DAY - 5 * HOUR - 17 * MIN; // the stream keeps ~7 days, from the middle of a day
    writeStreamFile(join(dir, 'stream.json'), events.filter((e) => e.ts >= streamFrom));
    const kv = join(dir, 'kv');
    const script = featureScript(`'connector' = 'filesystem', 'path' = 'stream.json', 'format' = 'json'`, kv, `'30' DAY`);
    const run = await runSql(script, { baseDir: dir });
    assert.deepEqual(run.diagnostics.filter((d) => d.severity === 'error'), []);

    const store = new EmbeddedKvStore({ path: kv });
    await store.open();
    try {
      const boundary = Math.ceil(streamFrom / DAY) * DAY;
      const seen: number[] = [];
      const r = await backfill({
        script, feature: 'user_30d', baseDir: dir, store, boundary,
        twins: { ev: { format: 'parquet', path: join(dir, 'twin'), partitionColumn: 'dt' } },
        onProgress: (read) => { seen.push(read); },
      });
      assert.equal(r.fusion.boundary, boundary);
      assert.equal(r.build.events, events.filter((e) => e.ts < boundary).length, 'the backfill reads exactly the events before the boundary');
      assert.equal(r.build.lateRows, 0);
      assert.ok(seen.length > 1 && seen[seen.length - 1] === r.build.events, 'progress is reported');

      const fused = new FusedStore(store, { metaTtlMs: 0 });
      const keys = [...new Set(events.map((e) => e.k))].sort();
      const last = events[events.length - 1]!.ts;
      // Reads the online store still retains (1 h behind the stream), reads wholly before the boundary, and reads in the
      // future whose windows reach back across the boundary (the stream's coarse tiles plus the offline layer).
      const times = [last, last - 50 * MIN + 7, boundary - 1, boundary - 3 * DAY - 1234, last + 2 * DAY + 1, last + 6 * DAY + 5 * HOUR];
      // Events exactly at a read time and exactly one window before it.
      times.push(events[events.length - 3]!.ts, events[2000]!.ts + 30 * DAY);
      for (const t of times) {
        const a = await readFeatures(fused, 'user_30d', keys, t);
        // 'expired' is conservative for reads before the boundary: they need no online tile (docs/offline.md).
        assert.deepEqual(a.incomplete.filter((r) => r !== 'tails-pending' && !(r === 'expired' && t < boundary)), [], `read at ${new Date(t).toISOString()}`);
        for (const res of a.results) {
          const o = oracle(events, res.key, t, 30 * DAY);
          assert.equal(Number(res.values['cnt']), o.cnt, `count of ${res.key} at ${new Date(t).toISOString()}`);
          assert.equal(res.values['total'], o.total, `sum of ${res.key} at ${new Date(t).toISOString()}`);
        }
      }
      // Without fusion the stream alone undercounts and says why.
      const plain = await readFeatures(store, 'user_30d', keys, last);
      const o0 = oracle(events, keys[0]!, last, 30 * DAY);
      assert.ok(Number(plain.results[0]!.values['cnt']) < o0.cnt);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
