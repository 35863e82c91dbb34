/**
 * The offline path on the command line (docs/offline.md), run locally against the feature script and its store:
 *   freshet backfill <feature> -f job.sql --offline ev=parquet:history/ [--from T] [--to T] [--stream-from T]
 *   freshet check <feature> -f job.sql --offline ... --at T [--threshold 0.01]
 *   freshet correct <feature> -f job.sql --offline ... --at T [--reason text]
 *   freshet training-set <feature> -f job.sql --offline ... --requests req.parquet --out train.parquet
 * Offline twins: by default those the data dictionary registers on the sources (`offline` of a source definition),
 * read from a platform (`--server URL`, token `--token` or $FRESHET_API_TOKEN) or from the local dictionary when there
 * is one; `--offline table=format:path[:partitionColumn[:timeColumn]]` names a source table's twin explicitly
 * (repeatable; overrides the dictionary's for that table; `--no-dictionary` uses only these); a PostgreSQL table is
 * `table=postgres:pgTable[:timeColumn]@postgres://user@host:port/db`.
 * Times are ISO-8601 or epoch ms. The store is the one the script's feature table names (embedded-kv, redis, ...).
 * Output: a short report on stdout (`--json` for the full document); a progress bar on stderr when it is a terminal.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FreshetError, diag, formatDiagnostic } from '../common/diagnostics.js';
import { dataDir, dictionaryDirOf } from '../catalog/dictionary/data-dir.js';
import type { DictionaryStore } from '../catalog/dictionary/dictionary-store.js';
import { openDictionaryStore } from '../catalog/dictionary/open-store.js';
import type { OfflineTwin, SourceDefinition } from '../catalog/dictionary/source-model.js';
import { getConnector } from '../connectors/registry.js';
import type { KvStore } from '../engine/kv-store-api.js';
import { compileSql, scriptDir } from '../runtime/sql-session.js';
import { backfill, scheduleRefresh } from '../batch/backfill.js';
import { BatchErrors } from '../batch/batch-error-codes.js';
import { runCheck, setCheckPolicy } from '../batch/check.js';
import { twinsOfSources } from '../batch/dictionary-twins.js';
import { checkWithPolicy } from '../batch/policy.js';
import { correct } from '../batch/correct.js';
import type { FeatureReaders } from '../batch/readers.js';
import type { FeatureSource } from '../batch/tile-build.js';
import { buildTrainingSet, readRequests, writeTrainingSet } from '../batch/training-set.js';
import { readFeatures } from '../serving/read-features.js';
import { FusedStore } from '../serving/fused-store.js';
import { ApiError, PlatformClient } from './platform-client.js';

interface OfflineOpts { file: string; offline?: string[]; json?: boolean; server?: string; token?: string; dictionary?: boolean }

class CliError extends Error {}

/** Parses ISO-8601 or epoch ms. */
export function parseTime(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() !== '' && Number.isFinite(n)) return n;
  const d = Date.parse(text);
  if (Number.isNaN(d)) throw new CliError(`${what}: cannot read '${text}' as a time (ISO-8601 or epoch ms)`);
  return d;
}

/** `table=format:path[:partitionColumn[:timeColumn]]` or `table=postgres:pgTable[:timeColumn]@url` → twins. */
export function parseTwins(specs: readonly string[]): Record<string, OfflineTwin> {
  const out: Record<string, OfflineTwin> = {};
  for (const s of specs) {
    // PostgreSQL: the URL holds ':' and '@', so it comes last, after the first '@'.
    const pgm = /^([^=]+)=postgres:([^:@]+)(?::([^@]+))?@(.+)$/.exec(s);
    if (pgm) {
      out[pgm[1]!] = { format: 'postgres', table: pgm[2]!, url: pgm[4]!, ...(pgm[3] ? { timeColumn: pgm[3] } : {}) };
      continue;
    }
    const m = /^([^=]+)=(parquet|csv|json|duckdb):(.+)$/.exec(s);
    if (!m) throw new CliError(`--offline '${s}': expected table=format:path[:partitionColumn[:timeColumn]] (format parquet, csv, json or duckdb) or table=postgres:pgTable[:timeColumn]@url`);
    const [path, part, time] = m[3]!.split(':');
    const twin: OfflineTwin = { format: m[2] as OfflineTwin['format'], path: path! };
    if (m[2] === 'duckdb') { if (part) twin.table = part; } else if (part) twin.partitionColumn = part;
    if (time) twin.timeColumn = time;
    out[m[1]!] = twin;
  }
  return out;
}

/**
 * The offline twins registered in the data dictionary: a platform's (`--server`), else the local dictionary when one
 * exists (FRESHET_CATALOG_URL, or `<data dir>/dictionary`); null when there is none to ask. An explicit --server that
 * cannot be reached is an error; a local dictionary that cannot be opened is a warning.
 */
export async function registeredTwins(o: Pick<OfflineOpts, 'server' | 'token' | 'dictionary'>, env: Record<string, string | undefined> = process.env):
  Promise<{ twins: Record<string, OfflineTwin>; from: string } | null> {
  if (o.dictionary === false) return null;
  if (o.server !== undefined) {
    const token = o.token ?? env['FRESHET_API_TOKEN'];
    const client = new PlatformClient({ url: o.server, ...(token ? { token } : {}), timeoutMs: 30_000 });
    try {
      const r = await client.request<{ sources: SourceDefinition[] }>('GET', '/api/sources');
      return { twins: twinsOfSources(r.sources), from: `the platform at ${client.url}` };
    } catch (e) {
      throw new CliError(`--server: cannot read the data dictionary of ${client.url}: ${e instanceof ApiError ? `${e.code}: ${e.message}` : (e as Error).message}`);
    }
  }
  const catalogUrl = env['FRESHET_CATALOG_URL'];
  if ((catalogUrl === undefined || catalogUrl === '') && !existsSync(dictionaryDirOf(dataDir(env)))) return null;
  let store: DictionaryStore | undefined;
  try {
    store = openDictionaryStore(env);
    return { twins: twinsOfSources(await store.list()), from: catalogUrl ? 'the shared catalog (FRESHET_CATALOG_URL)' : `the data dictionary in ${dataDir(env)}` };
  } catch (e) {
    process.stderr.write(`warning: cannot read the data dictionary (${(e as Error).message.split('\n')[0]}): only --offline twins are used\n`);
    return null;
  } finally {
    await store?.close();
  }
}

/**
 * The feature's script and twins: the dictionary's registered twins by default, `--offline` overriding them per
 * table. Says on stderr where the twins come from.
 */
async function sourceOf(feature: string, o: OfflineOpts): Promise<FeatureSource> {
  const script = readFileSync(o.file, 'utf8');
  const given = parseTwins(o.offline ?? []);
  const registered = await registeredTwins(o);
  const twins = { ...(registered?.twins ?? {}), ...given };
  const fromDictionary = Object.keys(registered?.twins ?? {}).filter((t) => given[t] === undefined);
  if (fromDictionary.length > 0) process.stderr.write(`offline twins of ${fromDictionary.join(', ')} from ${registered!.from}\n`);
  return { script, feature, twins, baseDir: scriptDir(o.file) };
}

/** Opens the store of the script's feature table. */
async function openStore(src: FeatureSource): Promise<KvStore> {
  const c = compileSql(src.script, { baseDir: src.baseDir ?? '.' });
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new FreshetError(errors);
  const op = c.program!.operators.find((p) => p.kind === 'tileSink' && ((p.table.options['table'] ?? p.table.name) === src.feature || p.table.name === src.feature));
  if (op === undefined || op.kind !== 'tileSink') throw new CliError(`the script writes no tiled feature table '${src.feature}'`);
  const f = getConnector(op.table.options['connector'] ?? '');
  if (f?.createStore === undefined) throw new CliError(`feature table '${src.feature}' is not in an online store`);
  const store = f.createStore({ tableName: op.table.name, physicalFields: op.table.physicalFields, options: op.table.options, baseDir: op.table.baseDir, reporter: { badRecord: () => undefined } });
  await store.open();
  return store;
}

const tiles: FeatureReaders['tiles'] = (s, table, keys, t, spec) => readFeatures(s, table, keys, t, { spec });

function readersOf(store: KvStore): FeatureReaders {
  const fused = new FusedStore(store, { metaTtlMs: 0 });
  return { tiles, served: (table, keys, t) => readFeatures(fused, table, keys, t) };
}

/** A progress bar on stderr (terminals only), redrawn at most every 200 ms. */
function progressBar(label: string): (read: number, total: number) => void {
  if (!process.stderr.isTTY) return () => undefined;
  let last = 0;
  return (read, total) => {
    const now = Date.now();
    if (now - last < 200 && read < total) return;
    last = now;
    const frac = total > 0 ? Math.min(1, read / total) : 0;
    const width = 30, filled = Math.round(frac * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${read}/${total} events`);
    if (read >= total) process.stderr.write('\n');
  };
}

async function guarded(f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    if (e instanceof FreshetError) for (const d of e.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    else process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

const iso = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

function common(c: Command): Command {
  return c.requiredOption('-f, --file <script>', 'the feature job SQL script')
    .option('--offline <twin...>', 'offline twin of a source table: table=format:path[:partitionColumn[:timeColumn]] or table=postgres:pgTable[:timeColumn]@url')
    .option('--server <url>', "a Freshet platform whose data dictionary registers the sources' offline twins (default: the local dictionary, when there is one)")
    .option('--token <token>', 'API token of --server (default $FRESHET_API_TOKEN)')
    .option('--no-dictionary', "use only --offline twins, not the data dictionary's")
    .option('--json', 'print the full JSON document');
}

/** Runs the daily refresh (scheduleRefresh) until SIGINT/SIGTERM, logging each run. */
async function refreshDaily(feature: string, src: FeatureSource, store: KvStore, at: string): Promise<void> {
  const m = /^(\d{1,2}):(\d{2})$/.exec(at.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new FreshetError(diag(BatchErrors.BadRequest, `--daily: cannot read '${at}' as HH:MM (UTC)`));
  const offsetMs = (Number(m[1]) * 60 + Number(m[2])) * 60_000;
  await new Promise<void>((resolve) => {
    const s = scheduleRefresh({
      ...src, store, offsetMs,
      onDone: (r) => process.stdout.write(`${new Date().toISOString()} refreshed ${feature}: boundary ${iso(r.fusion.boundary)}, ${r.build.events} events\n`),
      onError: (e) => process.stderr.write(`${new Date().toISOString()} refresh of ${feature} failed: ${e instanceof Error ? e.message : String(e)}\n`),
    });
    process.stdout.write(`refreshing ${feature} daily at ${at} UTC; next run ${new Date(s.next()).toISOString()} (Ctrl-C to stop)\n`);
    // The schedule's timer does not hold the process open: this interval does, until a signal.
    const hold = setInterval(() => undefined, 3_600_000);
    const stop = (): void => { s.stop(); clearInterval(hold); resolve(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function registerOfflineCommands(program: Command): void {
  common(program.command('backfill <feature>').description('compute a feature\'s older tiles from offline data and record the fusion boundary'))
    .option('--from <time>', 'earliest event time to backfill (default: all offline history)')
    .option('--to <time>', "the boundary: events before it are served from offline data (default: the stream's watermark, floored to the coarsest tile)")
    .option('--stream-from <time>', "the stream's oldest event time; the boundary must not be before it")
    .option('--daily [at]', "after the backfill, keep running and refresh every day at this UTC time (HH:MM, default 02:00), moving the boundary up to the stream's watermark and at most yesterday")
    .action((feature: string, o: OfflineOpts & { from?: string; to?: string; streamFrom?: string; daily?: string | boolean }) => guarded(async () => {
      const src = await sourceOf(feature, o);
      const store = await openStore(src);
      try {
        const r = await backfill({
          ...src, store, onProgress: progressBar(`backfill ${feature}`),
          ...(o.from !== undefined ? { from: parseTime(o.from, '--from') } : {}),
          ...(o.to !== undefined ? { boundary: parseTime(o.to, '--to') } : {}),
          ...(o.streamFrom !== undefined ? { streamFrom: parseTime(o.streamFrom, '--stream-from') } : {}),
        });
        if (o.json) { process.stdout.write(JSON.stringify(r.fusion, null, 2) + '\n'); return; }
        const rate = r.build.durationMs > 0 ? Math.round(r.build.events / (r.build.durationMs / 1000)) : 0;
        process.stdout.write(`backfilled ${feature}: ${r.build.events} events (${rate} events/s), ${r.build.tileWrites} tile writes, generation ${r.fusion.generation}\n`
          + `boundary ${iso(r.fusion.boundary)} (was ${iso(r.previous?.boundary ?? null)}): events before it are served from ${r.fusion.offlineTable}\n`);
        if (o.daily !== undefined && o.daily !== false) await refreshDaily(feature, src, store, o.daily === true ? '02:00' : o.daily);
      } finally {
        await store.close();
      }
    }));

  common(program.command('check <feature>').description('recompute a feature from offline data at a time and compare with what serving answers'))
    .requiredOption('--at <time>', 'the time T to check')
    .option('--threshold <rate>', 'set the alert threshold of the table (kept with its check policy)')
    .option('--auto-correct', "set the table's policy to correct the affected keys right after a check that alerts")
    .option('--no-auto-correct', "set the table's policy to alert only")
    .action((feature: string, o: OfflineOpts & { at: string; threshold?: string; autoCorrect?: boolean }) => guarded(async () => {
      const src = await sourceOf(feature, o);
      const store = await openStore(src);
      try {
        if (o.threshold !== undefined || o.autoCorrect !== undefined) {
          await setCheckPolicy(store, feature, {
            ...(o.threshold !== undefined ? { threshold: Number(o.threshold) } : {}),
            ...(o.autoCorrect !== undefined ? { autoCorrect: o.autoCorrect } : {}),
          });
        }
        const p = await checkWithPolicy({ ...src, store, readers: readersOf(store), at: parseTime(o.at, '--at'), by: `policy (check by ${process.env['USER'] ?? 'cli'})` });
        const r = p.check;
        // Exit status 2: the check alerted and nothing corrected it (with --json too, for scripts).
        if (r.alert && p.correction === null) process.exitCode = 2;
        if (o.json) { process.stdout.write(JSON.stringify({ ...r, correction: p.correction?.audit ?? null, correctionError: p.correctionError }, null, 2) + '\n'); return; }
        const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
        process.stdout.write(`check ${feature} at ${iso(r.at)}: ${r.keys} keys, mismatch ${pct(r.mismatchRate)}, missing ${pct(r.missingRate)}, extra ${pct(r.extraRate)}`
          + ` (threshold ${pct(r.threshold)})${r.alert ? ' ALERT' : ''}\n`);
        for (const c of r.columns) process.stdout.write(`  ${c.name}: mismatch ${pct(c.mismatchRate)}, rel. error p50 ${c.relError.p50.toPrecision(3)} p99 ${c.relError.p99.toPrecision(3)} max ${c.relError.max.toPrecision(3)}\n`);
        for (const w of r.worstKeys) process.stdout.write(`  worst: ${w.key} ${w.column} served ${String(w.served)} offline ${String(w.truth)}\n`);
        if (p.correction !== null) {
          const a = p.correction.audit;
          process.stdout.write(`corrected by policy: boundary ${iso(a.boundaryBefore)} -> ${iso(a.boundaryAfter)}, ${a.keysChanged} keys changed (audit ${a.id})\n`);
        } else if (p.correctionError !== null) {
          process.stderr.write(`the policy's correction could not run: ${formatDiagnostic(p.correctionError)}\n`);
        }
      } finally {
        await store.close();
      }
    }));

  common(program.command('correct <feature>').description('serve the offline truth up to a checked time (moves the fusion boundary; audited)'))
    .requiredOption('--at <time>', 'the time T to correct')
    .option('--reason <text>', 'why (kept in the audit)')
    .action((feature: string, o: OfflineOpts & { at: string; reason?: string }) => guarded(async () => {
      const src = await sourceOf(feature, o);
      const store = await openStore(src);
      try {
        const readers = readersOf(store);
        const at = parseTime(o.at, '--at');
        const check = await runCheck({ ...src, store, readers, at, save: false });
        const r = await correct({ ...src, store, readers, check, ...(o.reason ? { reason: o.reason } : {}), by: process.env['USER'] ?? 'cli' });
        if (o.json) { process.stdout.write(JSON.stringify(r.audit, null, 2) + '\n'); return; }
        process.stdout.write(`corrected ${feature}: boundary ${iso(r.audit.boundaryBefore)} -> ${iso(r.audit.boundaryAfter)}, ${r.audit.keysChanged} keys changed at ${iso(at)}\n`);
      } finally {
        await store.close();
      }
    }));

  common(program.command('training-set <feature>').description('point-in-time feature values for (key, timestamp[, label]) requests'))
    .requiredOption('--requests <file>', 'Parquet, CSV or JSON-lines file of requests')
    .requiredOption('--out <file>', 'output file (.parquet or .csv)')
    .option('--key-column <name>', 'request key column', 'key')
    .option('--time-column <name>', 'request time column (timestamp or epoch ms)', 'ts')
    .option('--label-column <name>', 'request label column')
    .action((feature: string, o: OfflineOpts & { requests: string; out: string; keyColumn: string; timeColumn: string; labelColumn?: string }) => guarded(async () => {
      const src = await sourceOf(feature, o);
      const requests = await readRequests(o.requests, o.keyColumn, o.timeColumn, o.labelColumn);
      const t0 = Date.now();
      const set = await buildTrainingSet({ ...src, requests, readers: { tiles }, onProgress: progressBar(`training-set ${feature}`) });
      await writeTrainingSet(set, o.out);
      process.stdout.write(`wrote ${set.rows.length} rows to ${o.out} (${set.offlineEvents} offline events, ${Date.now() - t0} ms)\n`);
    }));
}
