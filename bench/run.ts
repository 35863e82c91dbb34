/**
 * `npm run bench [-- <name>...]`: runs each benchmark in its own process (so peak memory is its own) and prints a
 * table of events/s per core and peak RSS. The embedded engine runs a job on one thread, so events/s per core equals
 * the job's events/s. Not a test: nothing is asserted.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runSql } from '../src/runtime/sql-session.js';
import { getConnector } from '../src/connectors/registry.js';
import { syntheticConnector } from './synthetic-connector.js';

const N = Number(process.env['BENCH_EVENTS'] ?? 2_000_000);

const DDL = (keys: number, step = 10, disorder = 2000): string => `
CREATE TABLE ev (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'synthetic', 'rows' = '${N}', 'keys' = '${keys}', 'step-ms' = '${step}', 'disorder-ms' = '${disorder}');
CREATE TABLE out_bh (a STRING, b BIGINT, c BIGINT) WITH ('connector' = 'blackhole');
`;

export const BENCHMARKS: Record<string, { sql: string; what: string }> = {
  'filter-projection': {
    what: 'filter + projection',
    sql: `${DDL(1000)} CREATE TABLE o2 (k STRING, v2 INT, big BOOLEAN) WITH ('connector' = 'blackhole');
      INSERT INTO o2 SELECT UPPER(k), v * 2 + 1, v > 500 FROM ev WHERE v % 3 <> 0;`,
  },
  'group-by-100k': {
    what: 'unbounded GROUP BY, 100 K keys',
    sql: `${DDL(100_000)} INSERT INTO out_bh SELECT k, COUNT(*), SUM(v) FROM ev GROUP BY k;`,
  },
  'tumble-1min': {
    what: 'TUMBLE 1 min, 1 K keys',
    sql: `${DDL(1000)} INSERT INTO out_bh SELECT k, COUNT(*), SUM(v) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end;`,
  },
  'hop-1min-1h': {
    what: 'HOP 1 min slide / 1 h size, 1 K keys',
    sql: `${DDL(1000)} INSERT INTO out_bh SELECT k, COUNT(*), SUM(v) FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR)) GROUP BY k, window_start, window_end;`,
  },
  'over-range-1h': {
    what: 'OVER RANGE 1 h per key, 1 K keys',
    sql: `${DDL(1000)} INSERT INTO out_bh SELECT k, COUNT(*) OVER w, SUM(v) OVER w FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);`,
  },
};

async function child(name: string): Promise<void> {
  const b = BENCHMARKS[name]!;
  const connectors = { get: (id: string) => (id === 'synthetic' ? syntheticConnector : getConnector(id)) };
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  // BENCH_PARALLELISM (bench/parallel.ts sets it): worker threads for keyed stages; 1 = the single-threaded engine.
  const res = await runSql(b.sql, { connectors, parallelism: Number(process.env['BENCH_PARALLELISM'] ?? 1) });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const errs = res.diagnostics.filter((d) => d.severity === 'error');
  if (errs.length) throw new Error(errs.map((d) => `${d.code} ${d.message}`).join('\n'));
  const out = { name, events: N, secs, cpuSecs: (cpu.user + cpu.system) / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024, late: res.summary?.metrics['lateRowsDropped'] ?? 0 };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function main(): void {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(BENCHMARKS);
  const self = fileURLToPath(import.meta.url);
  const rows: string[][] = [];
  for (const name of names) {
    if (!BENCHMARKS[name]) { process.stderr.write(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`); process.exitCode = 2; continue; }
    const r = spawnSync(process.execPath, [...process.execArgv, self, '--child', name], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) { process.stderr.write(`${name} failed:\n${r.stderr}\n`); rows.push([name, BENCHMARKS[name].what, 'failed', '', '', '', '']); continue; }
    const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { events: number; secs: number; cpuSecs: number; maxRssMb: number; late: number };
    rows.push([name, BENCHMARKS[name].what, String(o.events), (o.events / o.secs).toFixed(0), (o.secs).toFixed(2), o.maxRssMb.toFixed(0), String(o.late)]);
  }
  const head = ['benchmark', 'what', 'events', 'events/s/core', 'seconds', 'peak RSS MB', 'late rows'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  process.stdout.write(`${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(`node ${process.version}, one engine thread per job; ${N} events per benchmark\n`);
}

if (process.argv[2] === '--child') await child(process.argv[3]!);
else if (process.argv.slice(2).includes('nexmark')) (await import('./nexmark/run.js')).runNexmark(process.argv.slice(2));
else if (process.argv.slice(2).includes('stores')) await (await import('./stores.js')).runStoreBench();
else if (process.argv.slice(2).includes('kafka')) await import('./kafka-group-by.js');
else if (process.argv.slice(2).includes('serving-http')) await import('./serving-http.js');
else if (process.argv.slice(2).includes('offline')) await import('./offline.js');
else if (process.argv.slice(2).includes('serving')) await import('./serving.js');
else if (process.argv.slice(2).includes('parallel')) await import('./parallel.js');
else if (process.argv.slice(2).includes('flink')) await (await import('./flink.js')).runFlinkBench();
else main();
