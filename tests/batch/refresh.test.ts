/**
 * The scheduled refresh (scheduleRefresh, `freshet backfill --daily`): each run moves the fusion boundary forward to
 * the stream's watermark — at most `now - offlineLag` — floored to the coarsest tile, and served values stay equal to
 * a brute-force count across the moved boundary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSql } from '../../src/runtime/sql-session.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { FusedStore } from '../../src/serving/fused-store.js';
import { scheduleRefresh, type BackfillResult } from '../../src/batch/backfill.js';
import { DAY, HOUR, MIN, dailyEvents, featureScript, oracle, writeParquetTwin, writeStreamFile } from './offline-helpers.js';

test('a scheduled refresh moves the boundary forward and keeps served values exact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-refresh-'));
  try {
    const start = Date.UTC(2026, 0, 1);
    const events = dailyEvents(1500, 10, 4, 11, start);
    await writeParquetTwin(dir, events);
    const streamFrom = start + 6 * DAY + 3 * HOUR;
    writeStreamFile(join(dir, 'stream.json'), events.filter((e) => e.ts >= streamFrom));
    const kv = join(dir, 'kv');
    const script = featureScript(`'connector' = 'filesystem', 'path' = 'stream.json', 'format' = 'json'`, kv, `'7' DAY`);
    const run = await runSql(script, { baseDir: dir });
    assert.deepEqual(run.diagnostics.filter((d) => d.severity === 'error'), []);
    const store = new EmbeddedKvStore({ path: kv });
    await store.open();
    try {
      const last = Math.max(...events.map((e) => e.ts));
      // "Now" is two days after the data: yesterday's dump is complete, so the boundary may reach the watermark.
      const now = last + 2 * DAY;
      const done: BackfillResult[] = [];
      const failures: unknown[] = [];
      // The schedule's timer does not hold the process open (a platform keeps running anyway): this one does.
      const hold = setInterval(() => undefined, 1000);
      await new Promise<void>((resolve) => {
        const s = scheduleRefresh({
          script, feature: 'user_30d', baseDir: dir, store, streamFrom,
          twins: { ev: { format: 'parquet', path: join(dir, 'twin'), partitionColumn: 'dt' } },
          everyMs: 300, offsetMs: 0, offlineLagMs: DAY, now: () => now + (Date.now() % 300),
          onDone: (r) => { done.push(r); s.stop(); resolve(); },
          onError: (e) => { failures.push(e); s.stop(); resolve(); },
        });
      });
      clearInterval(hold);
      assert.deepEqual(failures, []);
      const r = done[0]!;
      assert.equal(r.fusion.reason, 'refresh');
      assert.equal(r.fusion.boundary % DAY, 0, 'floored to the coarsest tile (1 d)');
      assert.ok(r.fusion.boundary >= streamFrom && r.fusion.boundary <= last, `boundary ${new Date(r.fusion.boundary).toISOString()}`);
      const fused = new FusedStore(store, { metaTtlMs: 0 });
      const keys = [...new Set(events.map((e) => e.k))].sort();
      for (const t of [r.fusion.boundary - 1, r.fusion.boundary, last, last + 3 * DAY + 17 * MIN]) {
        const a = await readFeatures(fused, 'user_30d', keys, t);
        for (const x of a.results) {
          const want = oracle(events, x.key, t, 7 * DAY);
          assert.equal(Number(x.values['cnt'] ?? 0), want.cnt, `${x.key} at ${new Date(t).toISOString()}`);
        }
      }
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
