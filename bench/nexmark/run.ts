/**
 * `npm run bench -- nexmark [q0 q5 ...]`: the Nexmark benchmark on the embedded engine. Each query runs in its own
 * process over `NEXMARK_EVENTS` events (default 2,000,000) of the bounded `nexmark` source, and the table shows
 * events/s per core (events / CPU seconds of the process), wall seconds, peak RSS and a status: `ok`, or the
 * diagnostic that stops the query from planning or running (failures are reported, never hidden). The pseudo
 * query `source` measures generation alone (the source polled without a job).
 *
 * Environment: NEXMARK_EVENTS, NEXMARK_RATE (event-time rate, default 10,000,000 events/s as the Flink Nexmark
 * setup uses), NEXMARK_SEED (default 42), NEXMARK_TIMEOUT_S (per query, default 900).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, FreshetError, type Diagnostic } from '../../src/common/diagnostics.js';
import { nexmarkConnector } from '../../src/connectors/nexmark/nexmark-connector.js';
import { nexmarkPhysicalFields } from '../../src/connectors/nexmark/nexmark-options.js';
import { runSql } from '../../src/runtime/sql-session.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const EVENTS = Number(process.env['NEXMARK_EVENTS'] ?? 2_000_000);
const RATE = Number(process.env['NEXMARK_RATE'] ?? 10_000_000);
const SEED = Number(process.env['NEXMARK_SEED'] ?? 42);
const TIMEOUT_S = Number(process.env['NEXMARK_TIMEOUT_S'] ?? 900);

export const QUERIES = [
  'q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8', 'q9', 'q11', 'q12', 'q13', 'q14', 'q15', 'q16', 'q17', 'q18', 'q19',
  'q20', 'q21', 'q22',
];

/** The full script of a query: the shared DDL with its parameters filled in, then the query file. */
export function nexmarkScript(query: string, events: number, rate = RATE, seed = SEED): string {
  const ddl = readFileSync(join(HERE, 'ddl.sql'), 'utf8')
    .replaceAll('${EVENTS}', String(events)).replaceAll('${RATE}', String(rate)).replaceAll('${SEED}', String(seed));
  return `${ddl}\n${readFileSync(join(HERE, `${query}.sql`), 'utf8')}`;
}

interface ChildResult {
  status: string;
  events: number;
  secs: number;
  cpuSecs: number;
  maxRssMb: number;
}

/** Polls the source directly: how fast events are generated, without any engine work. */
async function measureSource(): Promise<void> {
  const ctx = {
    tableName: 'datagen', physicalFields: nexmarkPhysicalFields(), baseDir: HERE, reporter: { badRecord: () => undefined },
    options: {
      connector: 'nexmark', 'events.num': String(EVENTS), 'first-event.rate': String(RATE), 'next-event.rate': String(RATE),
      'freshet.seed': String(SEED), 'freshet.base-time': '2024-01-01 00:00:00',
    },
  };
  const src = nexmarkConnector.createSource!(ctx);
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await src.open();
  let n = 0;
  for (;;) {
    const b = await src.poll(1024);
    if (b === null) break;
    n += b.length;
  }
  report({ status: 'ok', events: n, ...timing(t0, cpu0) });
}

function timing(t0: bigint, cpu0: NodeJS.CpuUsage): { secs: number; cpuSecs: number; maxRssMb: number } {
  const cpu = process.cpuUsage(cpu0);
  return {
    secs: Number(process.hrtime.bigint() - t0) / 1e9,
    cpuSecs: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function report(r: ChildResult): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

function firstError(ds: readonly Diagnostic[]): string {
  const errs = ds.filter((d) => d.severity === 'error');
  return errs.length === 0 ? 'failed without a diagnostic' : `${formatDiagnostic(errs[0]!)}${errs.length > 1 ? ` (+${errs.length - 1} more)` : ''}`;
}

async function child(query: string): Promise<void> {
  if (query === 'source') return measureSource();
  const sql = nexmarkScript(query, EVENTS);
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let status = 'ok';
  try {
    const res = await runSql(sql, { baseDir: HERE });
    if (res.diagnostics.some((d) => d.severity === 'error') || !res.summary) status = firstError(res.diagnostics);
    else if (!res.summary.finished) status = 'did not finish';
  } catch (e) {
    status = e instanceof FreshetError ? firstError(e.diagnostics) : `crash: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ') ?? String(e)}`;
  }
  report({ status, events: EVENTS, ...timing(t0, cpu0) });
}

function cell(s: string, max = 110): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function main(argv: string[]): void {
  const wanted = argv.filter((a) => a !== 'nexmark' && !a.startsWith('-'));
  const names = wanted.length ? wanted : ['source', ...QUERIES];
  const self = fileURLToPath(import.meta.url);
  const rows: string[][] = [];
  for (const name of names) {
    if (name !== 'source' && !QUERIES.includes(name)) {
      process.stderr.write(`unknown Nexmark query ${name}; known: source, ${QUERIES.join(', ')}\n`);
      process.exitCode = 2;
      continue;
    }
    process.stderr.write(`nexmark ${name} ...\n`);
    const r = spawnSync(process.execPath, [...process.execArgv, self, '--child', name], {
      encoding: 'utf8', maxBuffer: 1 << 24, timeout: TIMEOUT_S * 1000,
    });
    const last = r.stdout?.trim().split('\n').pop();
    let o: ChildResult | undefined;
    try { o = last ? (JSON.parse(last) as ChildResult) : undefined; } catch { o = undefined; }
    if (!o) {
      const why = r.error ? (r.signal === 'SIGTERM' ? `timeout after ${TIMEOUT_S} s` : String(r.error.message))
        : `exit ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      rows.push([name, String(EVENTS), '', '', '', '', cell(why)]);
      continue;
    }
    const ok = o.status === 'ok';
    rows.push([
      name, String(o.events), ok ? (o.events / o.cpuSecs).toFixed(0) : '', ok ? o.secs.toFixed(2) : '',
      ok ? o.cpuSecs.toFixed(2) : '', o.maxRssMb.toFixed(0), cell(o.status),
    ]);
  }
  const head = ['query', 'events', 'events/s/core', 'seconds', 'cpu s', 'peak RSS MB', 'status'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i >= 1 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  process.stdout.write(`${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(
    `node ${process.version}; one engine thread per job; events/s/core = events / CPU seconds of the query's process; ` +
    `event-time rate ${RATE}/s, seed ${SEED}.\n` +
    'Reference (published Apache Flink 2.x Nexmark figures, exactly-once, RocksDB state backend, per core): ' +
    'stateless queries (q0-q2, q14, q21, q22) ~380-410 K events/s; keyed aggregations (q4, q15-q17) ~45-170 K; ' +
    'windows and joins (q5, q7-q9, q11, q18-q20) ~14-75 K.\n',
  );
}

if (process.argv[2] === '--child') await child(process.argv[3]!);
else if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

export { main as runNexmark };
