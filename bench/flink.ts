/**
 * `npm run bench -- flink`: the same feature SQL (GROUP BY 100 K keys over a bounded datagen source into a blackhole)
 * on the embedded engine and on the local Flink session cluster (scripts/flink.sh; parallelism 1, heap state
 * backend, no checkpoints), side by side: events/s of wall time and events per CPU second (the Flink figure is the
 * TaskManager process's CPU time over the job, read from /proc, so it includes Flink's own threads; the embedded
 * figure is this process's CPU time). Flink's time is from RUNNING to FINISHED as its REST API reports them, so it
 * includes task deployment. Not a test: nothing is asserted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSql } from '../src/runtime/sql-session.js';
import { buildJobSpecFromScript } from '../src/flink/build-job-spec.js';
import { FlinkDeployer } from '../src/flink/flink-deployer.js';

const N = Number(process.env['BENCH_EVENTS'] ?? 2_000_000);
const KEYS = 100_000;

const SQL = `
CREATE TABLE ev (id BIGINT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000000000',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '${N}', 'fields.v.min' = '0', 'fields.v.max' = '1000');
CREATE VIEW keyed AS SELECT MOD(id, ${KEYS}) AS k, v FROM ev;
CREATE TABLE out_bh (k BIGINT, n BIGINT, s BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out_bh SELECT k, COUNT(*), SUM(CAST(v AS BIGINT)) FROM keyed GROUP BY k;
`;

interface Row { engine: string; secs: number; cpuSecs: number }

/** CPU seconds (user + system) of a process so far, from /proc/<pid>/stat. */
function procCpuSecs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function embedded(): Promise<Row> {
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  const res = await runSql(SQL, {});
  const errs = res.diagnostics.filter((d) => d.severity === 'error');
  if (errs.length) throw new Error(errs.map((d) => `${d.code} ${d.message}`).join('\n'));
  const c = process.cpuUsage(c0);
  return { engine: 'embedded (one thread)', secs: Number(process.hrtime.bigint() - t0) / 1e9, cpuSecs: (c.user + c.system) / 1e6 };
}

async function flink(): Promise<Row> {
  const home = process.env['FRESHET_FLINK_HOME'] ?? join(process.cwd(), '.cache', 'flink');
  const pidFile = join(home, `taskmanager-${process.env['FRESHET_FLINK_PORT'] ?? '18081'}.pid`);
  if (!existsSync(pidFile)) throw new Error(`no TaskManager pid file ${pidFile}: start the cluster with bash scripts/flink.sh start`);
  const tm = Number(readFileSync(pidFile, 'utf8').trim());
  const r = buildJobSpecFromScript(SQL, { name: 'bench-group-by-100k', config: { 'parallelism.default': '1' } });
  if (!r.spec) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  const d = new FlinkDeployer({ pollMs: 100 });
  await d.ensureJar();
  const cpu0 = procCpuSecs(tm);
  const id = await d.deploy(r.spec);
  await d.waitForState(id, ['FINISHED'], 600_000);
  const cpuSecs = procCpuSecs(tm) - cpu0;
  const job = await d.rest.job(id) as unknown as { timestamps: Record<string, number> };
  const secs = (job.timestamps['FINISHED']! - job.timestamps['RUNNING']!) / 1000;
  return { engine: 'Flink 2.2 (parallelism 1)', secs, cpuSecs };
}

export async function runFlinkBench(): Promise<void> {
  const rows: Row[] = [];
  rows.push(await embedded());
  try {
    rows.push(await flink());
  } catch (e) {
    process.stderr.write(`flink: ${(e as Error).message}\n`);
  }
  const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} K`);
  process.stdout.write(`GROUP BY ${KEYS / 1000} K keys, ${N} events (datagen -> blackhole)\n`);
  process.stdout.write('| engine | seconds | events/s | CPU s | events per CPU s |\n|---|---:|---:|---:|---:|\n');
  for (const r of rows) process.stdout.write(`| ${r.engine} | ${r.secs.toFixed(2)} | ${fmt(N / r.secs)} | ${r.cpuSecs.toFixed(2)} | ${fmt(N / r.cpuSecs)} |\n`);
}
