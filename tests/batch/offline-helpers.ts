/**
 * Helpers of the offline-path tests: seeded events over many days, written as an offline twin (Parquet partitioned
 * by date, through DuckDB) and as a stream file, the feature script, and a brute-force oracle of served values.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckConnect, sqlString } from '../../src/batch/duckdb.js';
import { formatTimestamp } from '../../src/common/time.js';
import { mulberry32 } from '../support/random-events.js';

export interface Ev { id: number; k: string; v: number; ts: number }

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MIN = 60_000;

/** n events over `days` days from `start`, keys k0..k{keys-1}, distinct timestamps in increasing order. */
export function dailyEvents(n: number, days: number, keys: number, seed: number, start = Date.UTC(2026, 0, 1)): Ev[] {
  const rnd = mulberry32(seed);
  const span = days * DAY;
  const times = new Set<number>();
  while (times.size < n) times.add(start + Math.floor(rnd() * span));
  return [...times].sort((a, b) => a - b).map((ts, id) => ({ id, k: `k${Math.floor(rnd() * keys)}`, v: Math.floor(rnd() * 100), ts }));
}

/** Writes events as Parquet files partitioned by `dt` under dir (the offline twin). */
export async function writeParquetTwin(dir: string, events: readonly Ev[]): Promise<void> {
  const tmp = join(dir, 'twin-src.json');
  writeFileSync(tmp, events.map((e) => JSON.stringify({ id: e.id, k: e.k, v: e.v, ts_ms: e.ts })).join('\n') + '\n');
  const c = await duckConnect();
  try {
    await c.run(`COPY (SELECT id::BIGINT AS id, k, v::INTEGER AS v, make_timestamp(ts_ms * 1000) AS ts, make_timestamp(ts_ms * 1000)::DATE AS dt
      FROM read_json(${sqlString(tmp)}, format = 'newline_delimited', columns = {id: 'BIGINT', k: 'VARCHAR', v: 'INTEGER', ts_ms: 'BIGINT'}))
      TO ${sqlString(join(dir, 'twin'))} (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE)`);
  } finally {
    c.closeSync();
  }
}

/** Writes events as a JSON-lines stream file for the filesystem connector. */
export function writeStreamFile(file: string, events: readonly Ev[]): void {
  writeFileSync(file, events.map((e) => JSON.stringify({ id: e.id, k: e.k, v: e.v, ts: formatTimestamp(e.ts, 3) })).join('\n') + '\n');
}

/** The feature script: COUNT and SUM over `window` per key, from table ev (connector options given). */
export function featureScript(evOptions: string, kvPath: string, window: string, table = 'user_30d'): string {
  return `
CREATE TABLE ev (id BIGINT, k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (${evOptions});
CREATE TABLE ${table} (k STRING, cnt BIGINT, total INT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'embedded-kv', 'path' = '${kvPath}');
INSERT INTO ${table}
SELECT k, COUNT(*) OVER w, SUM(v) OVER w FROM ev
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL ${window} PRECEDING AND CURRENT ROW);
`;
}

/** The served window of an OVER feature read at t (docs/serving.md, exact): events with t - w < ts <= t. */
export function oracle(events: readonly Ev[], key: string, t: number, w: number): { cnt: number; total: number | null } {
  let cnt = 0, total = 0;
  for (const x of events) if (x.k === key && x.ts > t - w && x.ts <= t) { cnt++; total += x.v; }
  return { cnt, total: cnt === 0 ? null : total };
}

import type { KvStore } from '../../src/engine/kv-store-api.js';
import type { FeatureReaders } from '../../src/batch/readers.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { FusedStore } from '../../src/serving/fused-store.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { runSql } from '../../src/runtime/sql-session.js';

/** The readers the CLI and server pass: serving's read code, fused for the online table. */
export function readersFor(store: KvStore): FeatureReaders {
  const fused = new FusedStore(store, { metaTtlMs: 0 });
  return {
    tiles: (s, table, keys, t, spec) => readFeatures(s, table, keys, t, { spec }),
    served: (table, keys, t) => readFeatures(fused, table, keys, t),
  };
}

/** A 1-hour feature table (`user_1h`) whose stream lost about 1% of the events, with the offline twin of all of them. */
export interface LossyFeature {
  dir: string;
  events: Ev[];
  /** Ids of the events the stream lost. */
  lost: Set<number>;
  store: EmbeddedKvStore;
  /** What checks and corrections take: the script, the feature, the twin. */
  src: { script: string; feature: string; baseDir: string; twins: { ev: { format: 'parquet'; path: string; partitionColumn: string } } };
  readers: FeatureReaders;
}

/**
 * Runs `body` over a LossyFeature: `n` seeded events of `keys` keys over one day, a Parquet twin of all of them, the
 * feature job run over a stream file missing each event with probability 1% (seeded by `lossSeed`), its store open.
 * Closes the store and removes the folder afterwards.
 */
export async function withLossyFeature(n: number, keys: number, seed: number, lossSeed: number, body: (f: LossyFeature) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-lossy-'));
  try {
    const events = dailyEvents(n, 1, keys, seed);
    await writeParquetTwin(dir, events);
    const rnd = mulberry32(lossSeed);
    const lost = new Set(events.filter(() => rnd() < 0.01).map((e) => e.id));
    writeStreamFile(join(dir, 'stream.json'), events.filter((e) => !lost.has(e.id)));
    const kv = join(dir, 'kv');
    const script = featureScript(`'connector' = 'filesystem', 'path' = 'stream.json', 'format' = 'json'`, kv, `'1' HOUR`, 'user_1h');
    const run = await runSql(script, { baseDir: dir });
    assert.deepEqual(run.diagnostics.filter((d) => d.severity === 'error'), []);
    const store = new EmbeddedKvStore({ path: kv });
    await store.open();
    try {
      const src = { script, feature: 'user_1h', baseDir: dir, twins: { ev: { format: 'parquet' as const, path: join(dir, 'twin'), partitionColumn: 'dt' } } };
      await body({ dir, events, lost, store, src, readers: readersFor(store) });
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
