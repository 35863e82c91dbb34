/**
 * Offline-path benchmark (`npm run bench -- offline`): backfill throughput (events/s) and check duration over N
 * offline events (default 10 M; FRESHET_BENCH_OFFLINE_EVENTS overrides) in Parquet partitioned by date, generated once
 * with DuckDB into a cache folder under the system temp dir. The feature: COUNT and SUM over 1 h per key, 10 k keys (FRESHET_BENCH_OFFLINE_KEYS),
 * one event every 25 ms of event time (10 M events ≈ 2.9 days). Backfill writes to an embedded (LMDB) store. Rows: the
 * backfill, a check at T of the 1 h feature (reads the events of its window from the 10 M-event twin, pruned by
 * partition and row group), and (up to 2 M events) a check of a 3-day feature whose window covers the whole twin.
 * Columns: events, seconds, events/s, peak RSS (the process's maxRSS, which includes LMDB's mapped pages); the
 * backfill's notes give its CPU seconds (all threads) and events per CPU second.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../src/batch/backfill.js';
import { runCheck } from '../src/batch/check.js';
import { duckConnect, sqlString } from '../src/batch/duckdb.js';
import { EmbeddedKvStore } from '../src/connectors/stores/embedded-kv-store.js';
import { readFeatures } from '../src/serving/read-features.js';
import { FusedStore } from '../src/serving/fused-store.js';
import type { KvStore } from '../src/engine/kv-store-api.js';
import type { TileSinkSpec } from '../src/plan/rules/tile-features.js';

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

const load0 = loadavg().map((x) => x.toFixed(2)).join(' ');
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
  const scriptWide = script.replace(/f_1h/g, 'f_3d').replace("INTERVAL '1' HOUR", "INTERVAL '3' DAY");
  const twins = { ev: { format: 'parquet' as const, path: join(data, 'twin'), partitionColumn: 'dt' } };
  const store = new EmbeddedKvStore({ path: kv });
  await store.open();
  try {
    const end = START + N * STEP;
    const boundary = Math.floor(end / 60_000) * 60_000;
    const peakMb = (): string => (process.resourceUsage().maxRSS / 1024).toFixed(0);
    const rate = (events: number, ms: number): string => (ms > 0 ? Math.round(events / (ms / 1000)).toString() : '-');
    // CPU seconds of the process (all threads: DuckDB's readers, LMDB's commits): on a shared machine events per
    // CPU second is the steadier figure.
    const cpu0 = process.cpuUsage();
    const b = await backfill({ script, feature: 'f_1h', twins, store, boundary });
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const rows: string[][] = [];
    rows.push(['backfill (1 h window, LMDB)', `${b.build.events}`, (b.build.durationMs / 1000).toFixed(1), rate(b.build.events, b.build.durationMs), peakMb(),
      `${b.build.tileWrites} tile writes; ${cpuS.toFixed(0)} CPU s (${Math.round(b.build.events / cpuS)} events per CPU s)`]);
    const fused = new FusedStore(store, { metaTtlMs: 0 });
    const readers = {
      tiles: (s: KvStore, table: string, keys: readonly string[], t: number, spec: TileSinkSpec) => readFeatures(s, table, keys, t, { spec }),
      // f_3d is never served: nothing found (so the check measures the offline recompute and the comparison).
      served: (table: string, keys: readonly string[], t: number) => (table === 'f_3d'
        ? Promise.resolve({ incomplete: [], results: keys.map((key) => ({ key, values: {}, found: false })) })
        : readFeatures(fused, table, keys, t)),
    };
    const T = boundary - 5 * 60_000;
    const c = await runCheck({ script, feature: 'f_1h', twins, store, readers, at: T });
    rows.push(['check (1 h window at T)', `${c.offlineEvents}`, (c.durationMs / 1000).toFixed(1), rate(c.offlineEvents, c.durationMs), peakMb(),
      `${c.keys} keys; mismatch ${c.mismatchRate}, missing ${c.missingRate}, extra ${c.extraRate}`]);
    // A check whose window covers the whole twin: every offline event is read, tiled and compared (the 3-day table
    // was never served, so every key is "missing": the figure is the cost of the recompute and the comparison).
    // Its scratch tiles and the tile writer's state of a 3-day window hold the whole twin in memory (≈2.5 GB per
    // million events today), so it runs by default only up to 2 M events (FRESHET_BENCH_OFFLINE_WIDE=1 forces it).
    if (N <= 2_000_000 || process.env['FRESHET_BENCH_OFFLINE_WIDE'] === '1') {
      const c2 = await runCheck({ script: scriptWide, feature: 'f_3d', twins, store, readers, at: end, save: false });
      rows.push(['check (3 d window: whole twin)', `${c2.offlineEvents}`, (c2.durationMs / 1000).toFixed(1), rate(c2.offlineEvents, c2.durationMs), peakMb(),
        `${c2.keys} keys`]);
    }
    const load = loadavg().map((x) => x.toFixed(2)).join(' ');
    const head = ['step', 'events', 'seconds', 'events/s', 'peak RSS MB', 'notes'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]): string => `| ${r.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
    process.stdout.write(`offline path, ${N} events in ${data} (load average before: ${load0}, after: ${load})\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
  } finally {
    await store.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
