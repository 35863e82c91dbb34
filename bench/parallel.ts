/**
 * `node --import tsx bench/parallel.ts [<name>...]`: runs the `npm run bench` queries with parallelism 1 and 2 (each
 * in its own process, via bench/run.ts --child) and prints events/s for the whole machine, events per CPU-second
 * (CPU time of all threads: what one core achieves) and the speedup of parallelism 2. Not a test.
 * BENCH_EVENTS sets the events per run (default 2 M); BENCH_PARALLELISMS the list to compare (default "1,2").
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const NAMES = ['filter-projection', 'group-by-100k', 'tumble-1min', 'hop-1min-1h', 'over-range-1h'];
const PS = (process.env['BENCH_PARALLELISMS'] ?? '1,2').split(',').map(Number);

function main(): void {
  const runner = fileURLToPath(new URL('./run.ts', import.meta.url));
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : NAMES;
  const rows: string[][] = [];
  for (const name of names) {
    let base = 0;
    for (const p of PS) {
      const r = spawnSync(process.execPath, [...process.execArgv, runner, '--child', name], {
        encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, BENCH_PARALLELISM: String(p) },
      });
      if (r.status !== 0) { process.stderr.write(`${name} p=${p} failed:\n${r.stderr}\n`); rows.push([name, String(p), 'failed', '', '', '', '', '']); continue; }
      const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { events: number; secs: number; cpuSecs: number; maxRssMb: number };
      const eps = o.events / o.secs;
      if (p === PS[0]) base = eps;
      rows.push([name, String(p), String(o.events), eps.toFixed(0), (o.events / o.cpuSecs).toFixed(0), (o.cpuSecs / o.secs).toFixed(2),
        base ? `${(eps / base).toFixed(2)}x` : '', o.maxRssMb.toFixed(0)]);
    }
  }
  const head = ['benchmark', 'parallelism', 'events', 'events/s (machine)', 'events/CPU-s (per core)', 'cores busy', 'speedup', 'peak RSS MB'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i >= 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  process.stdout.write(`${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(`node ${process.version}, ${availableParallelism()} cores; parallelism p = p worker threads for keyed stages plus the main thread (sources, sinks)\n`);
}

main();
