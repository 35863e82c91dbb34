/**
 * Command-line client of a running platform (`freshet start`), over its REST API:
 *   freshet apply -f <spec.json|dir> [--dry-run] [--force]   features as code: plan, validate, create or new version
 *   freshet jobs [list] | jobs show <name> | jobs start|stop|restart <name>
 *   freshet get <table> <key...> [--at time]                 a feature vector with its freshness
 * Common flags: --url (default http://127.0.0.1:${FRESHET_PORT:-7070}), --token (default FRESHET_API_TOKEN), --json
 * (the API's JSON, for scripts). Human output is aligned tables on stdout; a spinner turns on stderr only when it is
 * a terminal. API errors print code, message, field and hint on stderr with exit status 1.
 *
 * apply is idempotent: each spec is compared with the platform's current version after both are normalized as the
 * platform stores them (spec-diff.ts), and only changed specs are sent. Every spec to send is validated by the
 * platform first (POST /api/jobs/check); if any is invalid nothing is applied.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderDiagnostic } from '../common/diagnostics.js';
import type { JobSpec, JobSpecInput } from '../server/platform/job-spec.js';
import type { JobStatus } from '../server/platform/job-manager.js';
import { ApiError, PlatformClient, defaultPlatformUrl } from './platform-client.js';
import { diffSpecs, hasSecrets, type FieldChange } from './spec-diff.js';
import { formatPairs, formatTable } from './text-table.js';
import { withSpinner } from './spinner.js';

interface CommonOpts { url?: string; token?: string; json?: boolean }

/** A user mistake on the command line (unreadable file, bad spec file): printed as `error: ...`, exit status 1. */
class CliError extends Error {}

/** Fields the platform manages; a spec exported with `jobs show --json` may carry them and applies as is. */
const SERVER_FIELDS = ['version', 'createdAt', 'updatedAt'];

const out = (s: string): void => { process.stdout.write(s); };
const printJson = (v: unknown): void => out(JSON.stringify(v, null, 2) + '\n');

function clientOf(o: CommonOpts): PlatformClient {
  const token = o.token ?? process.env['FRESHET_API_TOKEN'];
  return new PlatformClient({ url: o.url ?? defaultPlatformUrl(), ...(token ? { token } : {}) });
}

function common(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'platform URL (default http://127.0.0.1:$FRESHET_PORT, port 7070)')
    .option('--token <token>', 'API token (default $FRESHET_API_TOKEN)')
    .option('--json', 'print JSON (for scripts)');
}

/** Prints an error; `sql` (the spec's SQL) lets positioned SQL errors show the line with a caret. */
function printError(e: unknown, context?: string, sql?: string): void {
  const pre = context ? `${context}: ` : '';
  if (e instanceof ApiError) {
    process.stderr.write(`error: ${pre}${e.message}\n`);
    const facts = [e.status > 0 ? `HTTP ${e.status}` : '', `code ${e.code}`, e.field ? `field ${e.field}` : ''].filter(Boolean).join(', ');
    process.stderr.write(`  ${facts}${e.request ? ` (${e.request})` : ''}\n`);
    if (e.hint) process.stderr.write(`  hint: ${e.hint}\n`);
    if (e.details.length > 1 || (e.details.length === 1 && e.details[0]!.span)) {
      for (const d of e.details) {
        const text = renderDiagnostic({ code: d.code ?? e.code, severity: 'error', message: d.message ?? '', ...(d.span ? { span: d.span } : {}), ...(d.hint ? { hint: d.hint } : {}) }, d.field === 'sql' ? sql : undefined);
        process.stderr.write(`  ${d.field ? `${d.field}: ` : ''}${text.split('\n').join('\n  ')}\n`);
      }
    }
  } else if (e instanceof CliError) {
    process.stderr.write(`error: ${pre}${e.message}\n`);
  } else {
    throw e;
  }
}

/** Wraps a command body: errors print and set exit status 1. */
async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    printError(e);
    process.exitCode = 1;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

/** An ISO instant or epoch ms as `yyyy-MM-dd HH:mm:ssZ` ('-' when absent). */
function fmtTime(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '-';
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms)) return String(v);
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

function fmtAge(v: string | undefined, now = Date.now()): string {
  if (!v) return '-';
  return `${fmtTime(v)} (${fmtMs(Math.max(0, now - Date.parse(v)))} ago)`;
}

/** A duration for people: `850 ms`, `12.5 s`, `3m05s`, `2h10m`, `41d3h`. */
function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  const s = Math.floor(a / 1000);
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${sign}${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

const fmtValue = (v: unknown): string => (v === null || v === undefined ? 'null' : typeof v === 'string' ? v : JSON.stringify(v));

function renderChange(c: FieldChange, isNew: boolean): string {
  if (c.lines) {
    const body = c.lines.map((l) => `      ${l[0] === ' ' ? ' ' : l[0]} ${l.slice(1)}`.trimEnd()).join('\n');
    return `    ${c.path}:\n${body}\n`;
  }
  if (isNew) return `    ${c.path}: ${JSON.stringify(c.to)}\n`;
  const from = 'from' in c ? JSON.stringify(c.from) : '(unset)';
  const to = 'to' in c ? JSON.stringify(c.to) : '(unset)';
  return `    ${c.path}: ${from} → ${to}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// apply

interface SpecFile { file: string; input: JobSpecInput }

/** Reads job specs from a JSON file (one object or an array) or every `*.json` file of a folder (sorted). */
export function readSpecFiles(target: string): SpecFile[] {
  let files: string[];
  try {
    files = statSync(target).isDirectory()
      ? readdirSync(target).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(target, f))
      : [target];
  } catch (e) {
    throw new CliError(`cannot read ${target}: ${(e as Error).message}`);
  }
  if (files.length === 0) throw new CliError(`${target}: no *.json job specs in this folder`);
  const specs: SpecFile[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    if (/\.ya?ml$/i.test(file)) throw new CliError(`${file}: YAML is not supported; write the job spec as JSON (the body of POST /api/jobs)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new CliError(`${file}: ${e instanceof SyntaxError ? `invalid JSON: ${e.message}` : (e as Error).message}`);
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    list.forEach((item: unknown, i) => {
      const where = Array.isArray(parsed) ? `${file}[${i}]` : file;
      if (item === null || typeof item !== 'object' || Array.isArray(item) || typeof (item as { name?: unknown }).name !== 'string') {
        throw new CliError(`${where}: a job spec is a JSON object with a string "name" (the body of POST /api/jobs)`);
      }
      const input = { ...(item as Record<string, unknown>) };
      for (const f of SERVER_FIELDS) delete input[f];
      const name = input['name'] as string;
      const before = seen.get(name);
      if (before !== undefined) throw new CliError(`${where}: job '${name}' is also defined in ${before}`);
      seen.set(name, where);
      specs.push({ file: where, input: input as unknown as JobSpecInput });
    });
  }
  return specs;
}

type Action = 'create' | 'update' | 'unchanged';

interface Planned extends SpecFile {
  action: Action;
  current?: JobSpec;
  state?: string;
  changes: FieldChange[];
}

const jobPath = (name: string): string => `/api/jobs/${encodeURIComponent(name)}`;

async function planOne(c: PlatformClient, s: SpecFile, force: boolean): Promise<Planned> {
  let current: { job: JobSpec; status: JobStatus } | undefined;
  try {
    current = await c.get<{ job: JobSpec; status: JobStatus }>(jobPath(s.input.name));
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  if (!current) return { ...s, action: 'create', changes: diffSpecs(undefined, s.input) };
  const changes = diffSpecs(current.job, s.input);
  const action: Action = changes.length > 0 || force ? 'update' : 'unchanged';
  return { ...s, action, current: current.job, state: current.status.state, changes };
}

interface ApplyOpts extends CommonOpts { file: string; dryRun?: boolean; force?: boolean }

async function apply(o: ApplyOpts): Promise<void> {
  const specs = readSpecFiles(o.file);
  const c = clientOf(o);
  const plan = await withSpinner('comparing with the platform', async () => {
    const p: Planned[] = [];
    for (const s of specs) p.push(await planOne(c, s, o.force === true));
    return p;
  });
  // Validate every spec that would be sent before sending any of them.
  let invalid = 0;
  await withSpinner('validating', async () => {
    for (const p of plan) {
      if (p.action === 'unchanged') continue;
      try {
        await c.post('/api/jobs/check', p.input);
      } catch (e) {
        if (!(e instanceof ApiError) || e.status === 0 || e.status === 401 || e.status === 403) throw e;
        invalid++;
        printError(e, `${p.input.name} (${p.file})`, typeof p.input.sql === 'string' ? p.input.sql : undefined);
      }
    }
  });
  const secretNote = plan.some((p) => p.action === 'unchanged' && hasSecrets(p.input));
  if (!o.json) {
    for (const p of plan) {
      if (p.action === 'unchanged') { out(`= ${p.input.name}: unchanged (version ${p.current!.version})\n`); continue; }
      const head = p.action === 'create' ? `+ ${p.input.name}: create` : `~ ${p.input.name}: update version ${p.current!.version} → ${p.current!.version + 1}` +
        (p.state === 'running' || p.state === 'starting' ? ' (the running job restarts on it)' : '');
      out(`${head}\n`);
      if (p.action === 'update' && p.changes.length === 0) out('    (no visible change: --force)\n');
      for (const ch of p.changes) out(renderChange(ch, p.action === 'create'));
    }
    if (secretNote) out('note: secret values are masked by the platform and not compared; use --force to send them again\n');
  }
  if (invalid > 0) {
    process.stderr.write(`error: ${invalid} invalid job spec(s); nothing was applied\n`);
    process.exitCode = 1;
    if (o.json) printJson({ dryRun: o.dryRun === true, applied: false, jobs: plan.map(planJson) });
    return;
  }
  const counts = { create: 0, update: 0, unchanged: 0 };
  for (const p of plan) counts[p.action]++;
  if (o.dryRun || counts.create + counts.update === 0) {
    if (o.json) printJson({ dryRun: o.dryRun === true, applied: false, jobs: plan.map(planJson) });
    else if (counts.create + counts.update === 0) out(`no changes: ${plan.length} job(s) up to date\n`);
    else out(`dry run: would create ${counts.create}, update ${counts.update}; ${counts.unchanged} unchanged; nothing applied\n`);
    return;
  }
  const results: Record<string, unknown>[] = [];
  for (const p of plan) {
    if (p.action === 'unchanged') { results.push(planJson(p)); continue; }
    try {
      const r = p.action === 'create'
        ? await withSpinner(`creating ${p.input.name}`, () => c.post<{ job: JobSpec }>('/api/jobs', p.input))
        : await withSpinner(`updating ${p.input.name}`, () => c.put<{ job: JobSpec }>(`${jobPath(p.input.name)}?expectedVersion=${p.current!.version}`, p.input));
      results.push({ ...planJson(p), version: r.job.version });
    } catch (e) {
      printError(e, `${p.input.name} (${p.file})`, p.input.sql);
      process.exitCode = 1;
      results.push({ ...planJson(p), error: e instanceof ApiError ? { status: e.status, code: e.code, message: e.message, field: e.field } : String(e) });
    }
  }
  if (o.json) { printJson({ dryRun: false, applied: true, jobs: results }); return; }
  const failed = results.filter((r) => r['error'] !== undefined).length;
  out(`applied: ${counts.create} created, ${counts.update} updated, ${counts.unchanged} unchanged${failed ? `, ${failed} failed` : ''}\n`);
}

function planJson(p: Planned): Record<string, unknown> {
  return {
    name: p.input.name, file: p.file, action: p.action,
    ...(p.current ? { fromVersion: p.current.version } : {}),
    version: p.action === 'create' ? 1 : p.action === 'update' ? p.current!.version + 1 : p.current!.version,
    changes: p.changes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// jobs

async function listJobs(o: CommonOpts): Promise<void> {
  const r = await clientOf(o).get<{ jobs: { spec: JobSpec; status: JobStatus }[] }>('/api/jobs');
  if (o.json) { printJson(r); return; }
  if (r.jobs.length === 0) { out('no jobs; deploy one with `freshet apply -f spec.json`\n'); return; }
  out(formatTable(
    ['NAME', 'VERSION', 'STATE', 'ROWS/S', 'ROWS IN', 'KEYS', 'WATERMARK', 'LAST CHECKPOINT'],
    r.jobs.map(({ spec, status: s }) => [
      spec.name, String(s.version), s.state + (s.errors.length > 0 ? ` (${s.errors.length} error${s.errors.length > 1 ? 's' : ''})` : ''),
      String(s.rowsPerSec), String(s.rowsIn), String(s.results), fmtTime(s.watermark), fmtAge(s.lastCheckpointAt),
    ]),
    [1, 3, 4, 5],
  ));
}

async function showJob(name: string, o: CommonOpts): Promise<void> {
  const r = await clientOf(o).get<{ job: JobSpec; status: JobStatus }>(jobPath(name));
  if (o.json) { printJson(r); return; }
  const { job: j, status: s } = r;
  const outputs = j.outputs.map((x) => `${x.table} (${x.kind}${x.options && Object.keys(x.options).length ? `, ${Object.entries(x.options).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''})`).join('; ');
  out(formatPairs([
    ['name', j.name], ['version', `${j.version} (updated ${fmtTime(j.updatedAt)}, created ${fmtTime(j.createdAt)})`],
    ['state', s.state], ['owner', j.owner], ['description', j.description || '-'], ['tags', j.tags.join(', ') || '-'],
    ['entity key', j.entityKey.join(', ')], ['sources', j.sources.join(', ')], ['outputs', outputs],
    ['options', Object.entries(j.options).map(([k, v]) => `${k}=${v}`).join(', ') || '-'],
    ['started', fmtTime(s.startedAt)], ...(s.stoppedAt ? [['stopped', fmtTime(s.stoppedAt)] as const] : []),
    ['throughput', `${s.rowsPerSec} rows/s, ${s.changesPerSec} changes/s`], ['rows in', String(s.rowsIn)], ['changes', String(s.changes)],
    ['keys', String(s.results)], ['watermark', fmtTime(s.watermark)],
    ['checkpoints', `${s.checkpoints}${s.lastCheckpointAt ? `, last ${fmtAge(s.lastCheckpointAt)}` : ''}`],
    ...(s.restoredFrom ? [['restored from', s.restoredFrom] as const] : []),
  ]));
  out(`sql:\n${j.sql.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
  if (s.errors.length > 0) {
    out('errors:\n');
    for (const e of s.errors) out(`  ${JSON.stringify(e)}\n`);
  }
}

async function jobAction(action: 'start' | 'stop' | 'restart', name: string, o: CommonOpts): Promise<void> {
  const verb = { start: 'starting', stop: 'stopping', restart: 'restarting' }[action];
  const r = await withSpinner(`${verb} ${name}`, () => clientOf(o).post<{ status: JobStatus }>(`${jobPath(name)}/${action}`));
  if (o.json) { printJson(r); return; }
  const s = r.status;
  const extra = [
    `version ${s.version}`,
    s.restoredFrom && action !== 'stop' ? `restored from ${s.restoredFrom}` : '',
    action === 'stop' ? `${s.checkpoints} checkpoint(s)` : '',
  ].filter(Boolean).join(', ');
  out(`${name}: ${s.state} (${extra})\n`);
  if (s.errors.length > 0) for (const e of s.errors) process.stderr.write(`  ${JSON.stringify(e)}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// get

interface ServedAnswer {
  table: string; asOf: number; windowEnd: number; watermark: number | null; lagMs: number | null; stale: boolean; incomplete: string[];
  results: { key: string; values: Record<string, unknown>; lastEventTime: number | null; found: boolean }[];
}

interface JobAnswer {
  table: string; source: 'job'; job: string; version: number; state: string; asOf: string; watermark: string | null; lagMs: number | null;
  entityKey: string[]; complete: boolean;
  results: { key: string; found: boolean; values: Record<string, unknown>; updatedAt: string | null }[];
}

const RESULTS_LIMIT = 10_000;
const keyText = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** A job's embedded output as the answer of `get`: the latest row of each key (the store key: entity key values joined with |). */
async function fromJobResults(c: PlatformClient, table: string, keys: string[]): Promise<JobAnswer | undefined> {
  const { jobs } = await c.get<{ jobs: { spec: JobSpec; status: JobStatus }[] }>('/api/jobs');
  const hits = jobs.filter((j) => j.spec.outputs.some((x) => x.table === table));
  const pick = hits.length > 0 ? hits : jobs.filter((j) => j.spec.name === table);
  if (pick.length === 0) return undefined;
  if (pick.length > 1) throw new CliError(`output table '${table}' belongs to several jobs (${pick.map((j) => j.spec.name).join(', ')})`);
  const { spec, status } = pick[0]!;
  const r = await c.get<{ columns: { name: string }[]; entityKey: string[]; rows: unknown[][]; updatedAt: (string | null)[] }>(`${jobPath(spec.name)}/results?limit=${RESULTS_LIMIT}`);
  const idx = r.entityKey.map((k) => r.columns.findIndex((col) => col.name === k));
  const byKey = new Map<string, number>();
  r.rows.forEach((row, i) => { byKey.set(idx.map((k) => keyText(row[k])).join('|'), i); });
  const now = Date.now();
  const wm = status.watermark ? Date.parse(status.watermark) : null;
  return {
    table, source: 'job', job: spec.name, version: status.version, state: status.state, asOf: new Date(now).toISOString(),
    watermark: status.watermark, lagMs: wm === null ? null : now - wm, entityKey: r.entityKey,
    // Only the newest RESULTS_LIMIT keys come back: a key missing from a full page may exist.
    complete: r.rows.length < RESULTS_LIMIT,
    results: keys.map((key) => {
      const i = byKey.get(key);
      if (i === undefined) return { key, found: false, values: {}, updatedAt: null };
      const row = r.rows[i]!;
      return { key, found: true, values: Object.fromEntries(r.columns.map((col, k) => [col.name, row[k]])), updatedAt: r.updatedAt[i] ?? null };
    }),
  };
}

function printValues(values: Record<string, unknown>): void {
  const rows = Object.entries(values).map(([k, v]) => [k, fmtValue(v)]);
  if (rows.length > 0) out('\n' + formatTable(['COLUMN', 'VALUE'], rows));
}

async function getFeatures(table: string, keys: string[], o: CommonOpts & { at?: string }): Promise<void> {
  const c = clientOf(o);
  const q = keys.map((k) => `key=${encodeURIComponent(k)}`).join('&') + (o.at !== undefined ? `&at=${encodeURIComponent(o.at)}` : '');
  let served: ServedAnswer | undefined;
  try {
    served = await c.get<ServedAnswer>(`/api/features/${encodeURIComponent(table)}?${q}`);
  } catch (e) {
    // 404: no served store table of that name (or no store at all): look for a job's embedded output instead.
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  if (served) {
    if (o.json) { printJson(served); } else {
      for (const r of served.results) {
        out(formatPairs([
          ['table', `${served.table} (served store table)`], ['key', r.key], ['found', r.found ? 'yes' : 'no'],
          ['as of', fmtTime(served.asOf)], ['window end', fmtTime(served.windowEnd)], ['watermark', fmtTime(served.watermark)],
          ['lag', fmtMs(served.lagMs)], ['stale', served.stale ? 'yes' : 'no'], ['incomplete', served.incomplete.join(', ') || '-'],
          ['last event', fmtTime(r.lastEventTime)],
        ]));
        printValues(r.values);
      }
    }
    return;
  }
  const a = await fromJobResults(c, table, keys);
  if (!a) throw new CliError(`no served table and no job output named '${table}' (list jobs with \`freshet jobs\`)`);
  if (o.at !== undefined) throw new CliError(`--at reads a served store table; '${table}' is the embedded output of job '${a.job}', which keeps only the latest values`);
  if (o.json) printJson(a);
  else {
    for (const r of a.results) {
      out(formatPairs([
        ['table', `${a.table} (output of job ${a.job}, version ${a.version}, ${a.state})`], ['key', r.key],
        ['found', r.found ? 'yes' : a.complete ? 'no' : `no (among the ${RESULTS_LIMIT} most recently updated keys)`],
        ['as of', fmtTime(a.asOf)], ['updated', fmtTime(r.updatedAt)], ['watermark', fmtTime(a.watermark)], ['lag', fmtMs(a.lagMs)],
      ]));
      printValues(r.values);
    }
  }
  if (a.results.some((r) => !r.found)) {
    process.stderr.write(`error: no value for key ${a.results.filter((r) => !r.found).map((r) => `'${r.key}'`).join(', ')} in '${table}' (key: ${a.entityKey.join(' | ')})\n`);
    process.exitCode = 1;
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Adds `apply`, `jobs` and `get` to the CLI. */
export function registerPlatformCommands(program: Command): void {
  common(program.command('apply')
    .description('create or update feature jobs from JSON job specs (a file or a folder); idempotent')
    .requiredOption('-f, --file <path>', 'a job spec (JSON object or array) or a folder of *.json specs')
    .option('--dry-run', 'show the plan (validated by the platform) without applying it')
    .option('--force', 'send a new version even when nothing visible changed (e.g. a secret value)'))
    .action((o: ApplyOpts) => run(() => apply(o)));

  const jobs = program.command('jobs').description('feature jobs on the platform: list, show, start, stop, restart');
  common(jobs.command('list', { isDefault: true }).description('every job with state, throughput, watermark and last checkpoint'))
    .action((o: CommonOpts) => run(() => listJobs(o)));
  common(jobs.command('show <name>').description("a job's spec and status"))
    .action((name: string, o: CommonOpts) => run(() => showJob(name, o)));
  for (const action of ['start', 'stop', 'restart'] as const) {
    const what = { start: 'start a job (restoring from its newest checkpoint)', stop: 'stop a job (it writes a final checkpoint)', restart: 'stop and start a job from its newest checkpoint' }[action];
    common(jobs.command(`${action} <name>`).description(what))
      .action((name: string, o: CommonOpts) => run(() => jobAction(action, name, o)));
  }

  common(program.command('get <table> <keys...>')
    .description('read feature values with freshness: a served store table, else the latest values of a job output')
    .option('--at <time>', 'read time (epoch ms or ISO-8601; served store tables only)'))
    .action((table: string, keys: string[], o: CommonOpts & { at?: string }) => run(() => getFeatures(table, keys, o)));
}
