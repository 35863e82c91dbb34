/**
 * The `freshet` command line. Results go to stdout (JSON lines); logs, diagnostics and the run summary to stderr,
 * so `freshet sql -f q.sql > out.jsonl` captures exactly the result.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { renderDiagnostic, FreshetError, type Diagnostic } from '../common/diagnostics.js';
import { ROW_KIND_SHORT } from '../common/row.js';
import { runSql, compileSql, scriptDir } from '../runtime/sql-session.js';
import { dictionaryCatalog } from '../runtime/dictionary-catalog.js';
import { explainLogical } from '../plan/explain-logical.js';
import { explainProgram } from '../program/explain-program.js';
import { rowToJson } from './json-lines.js';
import { registerSourceCommands } from './source-commands.js';
import { registerFlinkCommands } from '../flink/flink-commands.js';
import { explainFlinkScript } from '../flink/explain-flink.js';
import { dictionaryTablesForFlink } from '../flink/dictionary-tables.js';
import { registerStartCommand } from '../server/platform/start-command.js';
import { registerPlatformCommands } from './platform-commands.js';
import { registerOfflineCommands } from './offline-commands.js';
import { registerServeCommand } from './serve-command.js';
import type { RowField } from '../common/types.js';

function readScript(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`error: cannot read ${file}: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

function report(diags: readonly Diagnostic[], text: string, file: string): number {
  let errors = 0;
  for (const d of diags) {
    if (d.severity === 'error') errors++;
    process.stderr.write(`${file}:${d.span ? `${d.span.line}:${d.span.column}: ` : ' '}${renderDiagnostic(d, text)}\n`);
  }
  return errors;
}

const program = new Command();
program.name('freshet').description('Real-time feature platform: Flink SQL on an embedded streaming engine').version('0.1.0');

program.command('sql')
  .description('run a Flink SQL script; SELECT results are printed as JSON lines on stdout')
  .requiredOption('-f, --file <script>', 'the SQL script')
  .option('--changelog', 'print every change (+I/-U/+U/-D) instead of the final result')
  .option('--checkpoint-dir <dir>', 'write checkpoints to this directory')
  .option('--from-checkpoint <path>', 'restore from a checkpoint file or the newest one in a directory')
  .option('--checkpoint-every-batches <n>', 'checkpoint every n source batches (deterministic)', (v) => Number(v))
  .option('--halt-after-batches <n>', 'stop abruptly after n source batches, as a crash would (testing)', (v) => Number(v))
  .option('--batch-size <n>', 'rows per source batch', (v) => Number(v))
  .option('-q, --quiet', 'no run summary on stderr')
  .action(async (o: { file: string; changelog?: boolean; checkpointDir?: string; fromCheckpoint?: string; checkpointEveryBatches?: number; haltAfterBatches?: number; batchSize?: number; quiet?: boolean }) => {
    const text = readScript(o.file);
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    let tz = 'UTC';
    // Bounded inputs print the final result; unbounded inputs (or --changelog) stream every change as it happens.
    let streaming = false;
    const out: string[] = [];
    const flush = (): void => { if (out.length) { process.stdout.write(out.join('')); out.length = 0; } };
    const timer = setInterval(flush, 200);
    try {
      const dict = await dictionaryCatalog();
      for (const d of dict.diagnostics) process.stderr.write(`data dictionary: ${d.code} ${d.message}\n`);
      const res = await runSql(text, {
        catalog: dict.catalog,
        baseDir: scriptDir(o.file),
        signal: controller.signal,
        ...(o.checkpointDir ? { checkpointDir: o.checkpointDir } : {}),
        ...(o.fromCheckpoint ? { restoreFrom: o.fromCheckpoint } : {}),
        ...(o.checkpointEveryBatches ? { checkpointEveryBatches: o.checkpointEveryBatches } : {}),
        ...(o.haltAfterBatches ? { haltAfterBatches: o.haltAfterBatches } : {}),
        ...(o.batchSize ? { batchSize: o.batchSize } : {}),
        onStart: (info: { unbounded: boolean }) => { streaming = o.changelog === true || info.unbounded; },
        onChange: (_q: string, row: unknown[], kind: number, fields: RowField[]) => {
          if (streaming) out.push(`{"op":"${ROW_KIND_SHORT[kind]}","row":${rowToJson(row, fields, tz)}}\n`);
        },
      }).catch((err: unknown) => { throw err; });
      const errors = report(res.diagnostics, text, o.file);
      if (errors > 0) { process.exitCode = 1; return; }
      tz = res.compiled.config['table.local-time-zone'] ?? 'UTC';
      for (const m of res.compiled.messages) process.stdout.write(m + '\n');
      for (const e of res.compiled.explains) process.stdout.write(e + '\n');
      // A halted run (a simulated crash) prints nothing: its results live on in the checkpoint.
      const printable = res.summary ? (res.summary.finished || controller.signal.aborted) : true;
      if (!streaming && printable) {
        for (const r of res.results) for (const row of r.rows) out.push(rowToJson(row, r.fields, tz) + '\n');
      }
      flush();
      const s = res.summary;
      if (s && !o.quiet) {
        const m = s.metrics;
        process.stderr.write(`freshet: ${s.finished ? 'finished' : 'stopped'} in ${s.durationMs} ms; batches=${s.batches} checkpoints=${s.checkpoints}` +
          `${s.restoredFrom !== undefined ? ` restored-from=${s.restoredFrom}` : ''} late-dropped=${m['lateRowsDropped'] ?? 0} bad-records=${m['badRecords'] ?? 0} bad-rows=${m['badRows'] ?? 0}\n`);
        for (const op of s.operators) process.stderr.write(`  ${op.id}: in=${op.rowsIn} out=${op.rowsOut}\n`);
        for (const d of s.deadLetters.slice(0, 10)) process.stderr.write(`  dead letter [${d.operator}]: ${d.reason}: ${d.raw.slice(0, 200)}\n`);
        if (s.deadLetters.length > 10) process.stderr.write(`  ... ${s.deadLetters.length - 10} more dead letters\n`);
      }
    } catch (err) {
      if (err instanceof FreshetError) { report(err.diagnostics, text, o.file); process.exitCode = 1; } else throw err;
    } finally {
      clearInterval(timer);
      flush();
    }
  });

program.command('explain')
  .description('print the logical plan and the operator graph of a script')
  .requiredOption('-f, --file <script>', 'the SQL script')
  .option('--engine <engine>', "'embedded' (default), or 'flink': the job spec and Flink SQL the Flink engine runs", 'embedded')
  .action(async (o: { file: string; engine: string }) => {
    const text = readScript(o.file);
    if (o.engine === 'flink') {
      const x = explainFlinkScript(text, { name: o.file.replace(/^.*\//, '').replace(/\.sql$/, ''), baseDir: scriptDir(o.file), dictionaryTables: await dictionaryTablesForFlink() });
      if (report(x.diagnostics, text, o.file) > 0) { process.exitCode = 1; return; }
      process.stdout.write(x.text);
      return;
    }
    if (o.engine !== 'embedded') { process.stderr.write(`unknown engine '${o.engine}' (embedded or flink)\n`); process.exitCode = 2; return; }
    const dict = await dictionaryCatalog();
    const c = compileSql(text, { baseDir: scriptDir(o.file), catalog: dict.catalog });
    const errors = report(c.diagnostics, text, o.file);
    if (errors > 0) { process.exitCode = 1; return; }
    for (const p of c.plans) {
      process.stdout.write(`== Statement ==\n${p.statement.trim()}\n\n== Logical Plan ==\n${explainLogical(p.plan)}\n\n`);
    }
    if (c.program) process.stdout.write(`== Operator Graph ==\n${explainProgram(c.program)}\n`);
  });

registerSourceCommands(program);
registerFlinkCommands(program);
registerStartCommand(program);
registerPlatformCommands(program);
registerOfflineCommands(program);
registerServeCommand(program);

await program.parseAsync(process.argv);
