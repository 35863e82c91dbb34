/**
 * Point-in-time training sets: each (key, timestamp, label) gets the feature values as of that timestamp, computed
 * from the offline twin with serving's read code; checked against a brute-force (t − w, t] oracle, including request
 * times exactly at an event (counted) and exactly one window after an event (not counted), and equal to what serving
 * answers from the streaming job's tiles at the same times. Written as Parquet and CSV and read back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainingSet, readRequests, writeTrainingSet, type TrainingRequest } from '../../src/batch/training-set.js';
import { duckConnect, sqlString } from '../../src/batch/duckdb.js';
import { runSql } from '../../src/runtime/sql-session.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { mulberry32 } from '../support/random-events.js';
import { HOUR, MIN, dailyEvents, featureScript, oracle, readersFor, writeParquetTwin, writeStreamFile } from './offline-helpers.js';

test('training values equal the (t - w, t] oracle and serving at the same times, with no leakage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-train-'));
  try {
    const events = dailyEvents(3000, 1, 12, 5);
    await writeParquetTwin(dir, events);
    writeStreamFile(join(dir, 'stream.json'), events);
    const kv = join(dir, 'kv');
    const script = featureScript(`'connector' = 'filesystem', 'path' = 'stream.json', 'format' = 'json'`, kv, `'1' HOUR`, 'user_1h');
    const src = { script, feature: 'user_1h', baseDir: dir, twins: { ev: { format: 'parquet' as const, path: join(dir, 'twin') } } };
    const rnd = mulberry32(3);
    const keys = [...new Set(events.map((e) => e.k))];
    const requests: TrainingRequest[] = [];
    for (let i = 0; i < 300; i++) {
      const e = events[Math.floor(rnd() * events.length)]!;
      const kind = i % 4;
      // at an event, one window after an event, just before one, and a random time
      const ts = kind === 0 ? e.ts : kind === 1 ? e.ts + HOUR : kind === 2 ? e.ts - 1 : e.ts + Math.floor(rnd() * 2 * HOUR);
      requests.push({ key: kind === 3 ? keys[Math.floor(rnd() * keys.length)]! : e.k, ts, label: i % 2 });
    }
    const store = new EmbeddedKvStore({ path: kv });
    await store.open();
    try {
      const set = await buildTrainingSet({ ...src, requests, readers: readersFor(store) });
      assert.equal(set.rows.length, requests.length);
      requests.forEach((r, i) => {
        const o = oracle(events, r.key, r.ts, HOUR);
        assert.equal(Number(set.rows[i]!['cnt']), o.cnt, `count of ${r.key} at ${r.ts} (request ${i})`);
        assert.equal(set.rows[i]!['total'], o.total);
        assert.equal(set.rows[i]!['label'], r.label);
      });
      // Serving from the stream's tiles at the same times (the ones it still retains) gives the same values.
      const run = await runSql(script, { baseDir: dir });
      assert.deepEqual(run.diagnostics.filter((d) => d.severity === 'error'), []);
      const last = events[events.length - 1]!.ts;
      const recent = requests.map((r, i) => ({ r, i })).filter((x) => x.r.ts >= last - 50 * MIN);
      assert.ok(recent.length > 5);
      for (const { r, i } of recent) {
        const a = await readFeatures(store, 'user_1h', [r.key], r.ts);
        assert.equal(Number(a.results[0]!.values['cnt']), Number(set.rows[i]!['cnt']), `served = training at ${r.ts}`);
      }
      // Files.
      await writeTrainingSet(set, join(dir, 'train.parquet'));
      await writeTrainingSet(set, join(dir, 'train.csv'));
      const c = await duckConnect();
      try {
        for (const f of ['train.parquet', 'train.csv']) {
          const p = join(dir, f);
          const rel = f.endsWith('.csv') ? `read_csv(${sqlString(p)}, header = true)` : `read_parquet(${sqlString(p)})`;
          const rows = (await c.runAndReadAll(`SELECT count(*)::INTEGER, sum(cnt)::DOUBLE, sum(label)::DOUBLE FROM ${rel}`)).getRows()[0]!;
          assert.equal(rows[0], requests.length, f);
          assert.equal(rows[1], set.rows.reduce((a, x) => a + Number(x['cnt']), 0), f);
          assert.equal(rows[2], requests.reduce((a, x) => a + Number(x.label), 0), f);
        }
      } finally {
        c.closeSync();
      }
      // Requests from a file.
      writeFileSync(join(dir, 'req.json'), requests.slice(0, 5).map((r) => JSON.stringify({ user: r.key, at: r.ts, y: r.label })).join('\n'));
      const back = await readRequests(join(dir, 'req.json'), 'user', 'at', 'y');
      assert.deepEqual(back, requests.slice(0, 5));
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
