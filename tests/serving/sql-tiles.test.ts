/**
 * Fresh at read time, end to end through SQL: an OVER RANGE feature written with INSERT INTO an `embedded-kv` table is
 * stored as tiles; reads at many times equal a brute-force count over the events in the served window, and a key's
 * value falls back to zero once its events are older than the window — with no new event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSql } from '../../src/runtime/sql-session.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { randomEvents, writeEvents } from '../support/random-events.js';

test('an OVER RANGE feature in embedded-kv is served fresh at any read time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-tiles-'));
  try {
    const events = randomEvents(400, 5, 4, 20_000, 4000);
    writeEvents(join(dir, 'ev.json'), events);
    const kv = join(dir, 'kv');
    const sql = `
CREATE TABLE ev (id BIGINT, k STRING, g INT, v INT, d DOUBLE, s STRING, ts TIMESTAMP(3), ts_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', 'path' = 'ev.json', 'format' = 'json');
CREATE TABLE user_features (k STRING, cnt_1h BIGINT, sum_v_1h INT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'embedded-kv', 'path' = '${kv}');
INSERT INTO user_features
SELECT k, COUNT(*) OVER w, SUM(v) OVER w FROM ev
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);
`;
    const res = await runSql(sql, { baseDir: dir });
    const errs = res.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errs.length, 0, errs.map((d) => `${d.code} ${d.message}`).join('\n'));
    assert.ok(res.compiled.program!.operators.some((o) => o.kind === 'tileSink'), 'the feature is planned as tiles');
    const store = new EmbeddedKvStore({ path: kv });
    await store.open();
    try {
      const keys = [...new Set(events.map((e) => e.k))].sort();
      const last = Math.max(...events.map((e) => e.ts));
      const first = Math.min(...events.map((e) => e.ts));
      const G = 60_000;
      // Exact window (t - 1h, t] at any millisecond, including at an event's own time and one hour after it.
      const times = [first + 30 * G + 123, first + 90 * G, last, last - 1, last + 30 * G + 7, last + 3_600_000 - 1, last + 3_600_000,
        last + 2 * 3_600_000];
      for (const t of times) {
        const answer = await readFeatures(store, 'user_features', keys, t);
        // Reads older than the tiles kept (retention behind the job's watermark) say so instead of answering.
        if (t < last - 3_600_000) { assert.ok(answer.incomplete.includes('expired'), `read at ${t} is flagged expired: ${answer.incomplete}`); continue; }
        assert.deepEqual(answer.incomplete, [], `read at ${t}`);
        assert.equal(answer.precisionMs, 1);
        for (const r of answer.results) {
          const inWin = events.filter((e) => e.k === r.key && e.ts > t - 3_600_000 && e.ts <= t);
          assert.equal(Number(r.values['cnt_1h'] ?? 0), inWin.length, `count of ${r.key} at ${t}`);
          const sum = inWin.reduce((a, e) => a + e.v, 0);
          assert.equal(inWin.length === 0 ? (r.values['sum_v_1h'] ?? null) : r.values['sum_v_1h'], inWin.length === 0 ? null : sum);
        }
      }
      const late = await readFeatures(store, 'user_features', keys, last + 2 * 3_600_000);
      assert.ok(late.results.every((r) => Number(r.values['cnt_1h'] ?? 0) === 0), 'values decay to zero without new events');
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
