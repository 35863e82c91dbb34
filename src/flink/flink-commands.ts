/**
 * `freshet flink deploy|jobs|status|savepoint|stop|cancel`: run Freshet scripts on an Apache Flink session cluster
 * (scripts/flink.sh starts a local one). Job ids and savepoint paths go to stdout, diagnostics to stderr; user errors
 * exit with status 1.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { FreshetError, renderDiagnostic, type Diagnostic } from '../common/diagnostics.js';
import { buildJobSpecFromScript } from './build-job-spec.js';
import { redactJobSpec } from './job-spec.js';
import { dictionaryTablesForFlink } from './dictionary-tables.js';
import { FlinkDeployer } from './flink-deployer.js';

class CliError extends Error {}

function printDiagnostics(ds: readonly Diagnostic[], text?: string, file?: string): void {
  for (const d of ds) {
    const where = file ? `${file}:${d.span ? `${d.span.line}:${d.span.column}:` : ''} ` : '';
    process.stderr.write(`${where}${renderDiagnostic(d, text)}\n`);
  }
}

/** Runs a command body; FreshetErrors and CliErrors print and set exit status 1, anything else is a bug. */
async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof FreshetError) printDiagnostics(e.diagnostics);
    else if (e instanceof CliError) process.stderr.write(`error: ${e.message}\n`);
    else throw e;
    process.exitCode = 1;
  }
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function registerFlinkCommands(program: Command): void {
  const flink = program.command('flink').description('run scripts on an Apache Flink cluster (see scripts/flink.sh)')
    .option('--url <url>', 'Flink REST address (default: $FRESHET_FLINK_URL or http://127.0.0.1:18081)');
  const deployer = (jarPath?: string): FlinkDeployer => {
    const url = flink.opts<{ url?: string }>().url;
    return new FlinkDeployer({ ...(url ? { url } : {}), ...(jarPath ? { jarPath } : {}) });
  };

  flink.command('deploy')
    .description('submit a script (its DDL and INSERTs) as one Flink job; prints the job id')
    .requiredOption('-f, --file <script>', 'the SQL script')
    .option('--name <name>', 'job name (default: the script file name)')
    .option('--from-savepoint <path>', 'resume from a savepoint')
    .option('--allow-non-restored-state', 'accept savepoint state that the changed script no longer uses')
    .option('--parallelism <n>', 'default parallelism', (v) => Number(v))
    .option('--checkpoint-interval <duration>', "checkpoint interval (a Flink duration such as '10 s'; SET in the script wins)")
    .option('--jar <path>', 'the template jar (default: flink/target/freshet-flink-template.jar)')
    .option('--print-spec', 'print the job spec JSON instead of deploying')
    .option('--wait', 'wait until the job runs (or finishes) and report its state')
    .action((o: { file: string; name?: string; fromSavepoint?: string; allowNonRestoredState?: boolean; parallelism?: number; checkpointInterval?: string; jar?: string; printSpec?: boolean; wait?: boolean }) => run(async () => {
      let text: string;
      try {
        text = readFileSync(o.file, 'utf8');
      } catch (e) {
        throw new CliError(`cannot read ${o.file}: ${(e as Error).message}`);
      }
      const built = buildJobSpecFromScript(text, {
        name: o.name ?? basename(o.file).replace(/\.sql$/i, ''),
        baseDir: dirname(resolve(o.file)),
        ...(o.checkpointInterval ? { config: { 'execution.checkpointing.interval': o.checkpointInterval } } : {}),
        meta: { script: basename(o.file) },
        dictionaryTables: await dictionaryTablesForFlink(),
      });
      printDiagnostics(built.diagnostics, text, o.file);
      if (!built.spec) { process.exitCode = 1; return; }
      if (o.printSpec) { process.stdout.write(JSON.stringify(redactJobSpec(built.spec), null, 2) + '\n'); return; }
      const d = deployer(o.jar);
      const id = await d.deploy(built.spec, {
        ...(o.fromSavepoint ? { savepointPath: o.fromSavepoint } : {}),
        ...(o.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
        ...(o.parallelism ? { parallelism: o.parallelism } : {}),
        ...(built.spans ? { statementSpans: built.spans } : {}),
      }).catch((e: unknown) => {
        if (e instanceof FreshetError) { printDiagnostics(e.diagnostics, text, o.file); process.exitCode = 1; return undefined; }
        throw e;
      });
      if (id === undefined) return;
      process.stdout.write(id + '\n');
      if (o.wait) {
        const state = await d.waitForState(id, ['RUNNING', 'FINISHED']);
        process.stderr.write(`job ${id} ${state}\n`);
      }
    }));

  flink.command('jobs')
    .description('list the cluster\'s jobs (id, state, start time, name)')
    .option('--json', 'print JSON lines')
    .action((o: { json?: boolean }) => run(async () => {
      const jobs = (await deployer().jobs()).sort((a, b) => b['start-time'] - a['start-time']);
      for (const j of jobs) {
        if (o.json) process.stdout.write(JSON.stringify({ id: j.jid, name: j.name, state: j.state, startTime: j['start-time'], durationMs: j.duration }) + '\n');
        else process.stdout.write(`${j.jid}  ${pad(j.state, 12)} ${new Date(j['start-time']).toISOString()}  ${j.name}\n`);
      }
    }));

  flink.command('status <jobId>')
    .description("print a job's state, per-operator record counts and checkpoints as JSON")
    .action((id: string) => run(async () => {
      process.stdout.write(JSON.stringify(await deployer().metrics(id), null, 2) + '\n');
    }));

  flink.command('savepoint <jobId>')
    .description('take a savepoint of a running job; prints its path')
    .option('--target-dir <dir>', 'where to write it (default: the cluster\'s savepoint directory)')
    .action((id: string, o: { targetDir?: string }) => run(async () => {
      process.stdout.write(await deployer().savepoint(id, o.targetDir) + '\n');
    }));

  flink.command('stop <jobId>')
    .description('stop a job: with --savepoint, stop with a savepoint and print its path; without, cancel it')
    .option('--savepoint', 'take a savepoint as the job stops (resume with deploy --from-savepoint)')
    .option('--drain', 'with --savepoint: end the input first so event-time windows fire (not for resuming)')
    .option('--target-dir <dir>', 'where to write the savepoint')
    .action((id: string, o: { savepoint?: boolean; drain?: boolean; targetDir?: string }) => run(async () => {
      const d = deployer();
      if (o.savepoint) {
        process.stdout.write(await d.stopWithSavepoint(id, { ...(o.targetDir ? { targetDirectory: o.targetDir } : {}), drain: o.drain === true }) + '\n');
      } else {
        if (o.drain) throw new CliError('--drain needs --savepoint');
        await d.cancel(id);
        process.stderr.write(`job ${id} canceled\n`);
      }
    }));

  flink.command('cancel <jobId>')
    .description('cancel a job without a savepoint')
    .action((id: string) => run(async () => {
      await deployer().cancel(id);
      process.stderr.write(`job ${id} canceled\n`);
    }));
}
