/**
 * Offline-path benchmark (`npm run bench -- offline`): backfill throughput (events/s) and check duration over N
 * offline events (default 10 M; FRESHET_BENCH_OFFLINE_EVENTS overrides) in Parquet partitioned by date, generated once
 * with DuckDB into a cache folder under the system temp dir. The feature: COUNT and SUM over 1 h per key, 10 k keys (FRESHET_BENCH_OFFLINE_KEYS),
 * one event every 25 ms of event time (10 M events ≈ 2.9 days). Backfill writes to an embedded (LMDB) store.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../src/batch/backfill.js';
import { runCheck } from '../src/batch/check.js';
import { duckConnect, sqlString } from '../src/batch/duckdb.js';
import { EmbeddedKvStore } from '../src/connectors/stores/embedded-kv-store.js';
import { readFeatures } from '../src/serving/read-features.js';
import { FusedStore } from '../src/serving/fused-store.js';

const N = Number(process.env['FRESHET_BENCH_OFFLINE_EVENTS'] ?? 10_000_000);
const KEYS = Number(process.env["FRESHET_BENCH_OFFLINE_KEYS"] ?? 10_000);
const STEP = 25;
const START = Date.UTC(2026, 0, 1);

async function ensureData(): Promise<string> {
  const dir = join(tmpdir(), 'freshet-bench-offline', `n${N}-k${KEYS}`);
  if (existsSync(join(dir, 'done'))) return dir;
  mkdirSync(dir, { recursive: true });
  const c = await duckConnect();
  try {
    await c.run(`COPY (SELECT i AS id, 'k' || (hash(i) % ${KEYS}) AS k, (hash(i * 7 + 1) % 100)::INTEGER AS v,
        make_timestamp((${START} + i * ${STEP}) * 1000) AS ts, make_timestamp((${START} + i * ${STEP}) * 1000)::DATE AS dt
      FROM range(${N}) t(i)) TO ${sqlString(join(dir, 'twin'))} (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE)`);
    await c.run(`COPY (SELECT 1 AS done) TO ${sqlString(join(dir, 'done'))} (FORMAT csv)`);
  } finally {
    c.closeSync();
  }
  return dir;
}

const data = await ensureData();
const work = mkdtempSync(join(tmpdir(), 'freshet-bench-offline-run-'));
try {
  const kv = join(work, 'kv');
  const script = `
CREATE TABLE ev (id BIGINT, k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json');
CREATE TABLE f_1h (k STRING, cnt BIGINT, total INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'embedded-kv', 'path' = '${kv}');
INSERT INTO f_1h SELECT k, COUNT(*) OVER w, SUM(v) OVER w FROM ev
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);`;
  const twins = { ev: { format: 'parquet' as const, path: join(data, 'twin'), partitionColumn: 'dt' } };
  const store = new EmbeddedKvStore({ path: kv });
  await store.open();
  try {
    const end = START + N * STEP;
    const boundary = Math.floor(end / 60_000) * 60_000;
    const mem0 = process.memoryUsage().rss;
    const b = await backfill({ script, feature: 'f_1h', twins, store, boundary });
    const rows: string[][] = [];
    rows.push(['backfill', `${b.build.events}`, `${(b.build.durationMs / 1000).toFixed(1)} s`, `${Math.round(b.build.events / (b.build.durationMs / 1000))} events/s`,
      `${b.build.tileWrites} tile writes, RSS +${Math.round((process.memoryUsage().rss - mem0) / 1e6)} MB`]);
    const fused = new FusedStore(store, { metaTtlMs: 0 });
    const readers = {
      tiles: (s: typeof store | import('../src/engine/kv-store-api.js').KvStore, table: string, keys: readonly string[], t: number, spec: import('../src/plan/rules/tile-features.js').TileSinkSpec) => readFeatures(s, table, keys, t, { spec }),
      served: (table: string, keys: readonly string[], t: number) => readFeatures(fused, table, keys, t),
    };
    const T = boundary - 5 * 60_000;
    const c = await runCheck({ script, feature: 'f_1h', twins, store, readers, at: T });
    rows.push(['check (1 h window at T)', `${c.offlineEvents}`, `${(c.durationMs / 1000).toFixed(1)} s`, `${c.keys} keys`, `mismatch ${c.mismatchRate}, missing ${c.missingRate}, extra ${c.extraRate}`]);
    const head = ['step', 'offline events', 'time', 'rate', 'notes'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]): string => `| ${r.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
    process.stdout.write(`offline path, ${N} events in ${data}\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
  } finally {
    await store.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
