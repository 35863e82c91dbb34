/**
 * Runs a Flink SQL script end to end on the embedded engine: compile (parse, bind, validate connector options,
 * plan, lower), execute, and materialize the results of its SELECTs (with the final ORDER BY / LIMIT applied).
 * Used by the CLI, the tests and (later) the server.
 */
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../common/diagnostics.js';
import { diag } from '../common/diagnostics.js';
import type { Row } from '../common/row.js';
import type { RowField } from '../common/types.js';
import { compileScript, type CompiledScript, type CompileOptions } from '../program/script-compiler.js';
import type { TableDef } from '../plan/logical-plan.js';
import type { Catalog } from '../catalog/catalog.js';
import { JobRunner, type RunSummary, type ConnectorLookup, type CheckpointInfo } from '../engine/job-runner.js';
import type { Metrics } from '../engine/metrics.js';
import { getConnector, connectorIdentifiers } from '../connectors/registry.js';
import { ConnectorErrors } from '../connectors/connector-error-codes.js';
import { compareValues } from '../functions/index.js';
import { parseDuration } from './duration.js';

export interface SqlRunOptions {
  /** Directory relative paths in the script resolve against (default: the current directory). */
  baseDir?: string;
  /** Streams every change of every SELECT (`--changelog`, unbounded queries). */
  onChange?: (query: string, row: Row, kind: number, fields: RowField[]) => void;
  checkpointDir?: string;
  restoreFrom?: string;
  checkpointEveryBatches?: number;
  haltAfterBatches?: number;
  batchSize?: number;
  /** Worker threads for keyed stages (overrides `parallelism.default`). */
  parallelism?: number;
  signal?: AbortSignal;
  /** Extra configuration, as if SET before the script. */
  config?: Record<string, string>;
  /** Called when the job starts; `unbounded` is true when any source never ends. */
  onStart?: (info: { unbounded: boolean }) => void;
  /** Connector lookup (default: the built-in registry). */
  connectors?: ConnectorLookup;
  /** A catalog with tables already registered (the data dictionary's sources), extended by the script's DDL. */
  catalog?: Catalog;
  /** The engine's counters (late, bad rows, checkpoints...), to read them live while the job runs (monitoring). */
  metrics?: Metrics;
  /** Told about every checkpoint attempt (duration, size, failure). */
  onCheckpoint?: (info: CheckpointInfo) => void;
}

export interface QueryResult { name: string; fields: RowField[]; rows: Row[]; updating: boolean }

export interface SqlRunResult {
  compiled: CompiledScript;
  diagnostics: Diagnostic[];
  summary?: RunSummary;
  results: QueryResult[];
}

const BUILTIN: ConnectorLookup = { get: getConnector };

export function validateTable(def: TableDef, role: 'source' | 'sink', updating: boolean, connectors: ConnectorLookup = BUILTIN): Diagnostic[] {
  const id = def.options['connector'];
  if (id === undefined) return [];
  const f = connectors.get(id);
  const span = def.optionSpans?.['connector'];
  if (!f) return [diag(ConnectorErrors.UnknownConnector, `table '${def.name}': unknown connector '${id}'`, span, `available connectors: ${connectorIdentifiers().join(', ')}`)];
  if (role === 'source' && !f.createSource) return [diag(ConnectorErrors.UnsupportedRole, `table '${def.name}': connector '${id}' can only be written to`, span)];
  if (role === 'sink' && !f.createSink) return [diag(ConnectorErrors.UnsupportedRole, `table '${def.name}': connector '${id}' can only be read`, span)];
  const ctx = {
    tableName: def.name, physicalFields: def.physicalFields, options: def.options, baseDir: def.baseDir,
    reporter: { badRecord: () => undefined }, primaryKey: def.primaryKey, updating,
    ...(def.optionSpans ? { optionSpans: def.optionSpans } : {}),
  };
  return f.validate(ctx, role);
}

export function compileSql(text: string, opts: Pick<SqlRunOptions, 'baseDir' | 'config' | 'connectors' | 'catalog'> = {}): CompiledScript {
  const lookup = opts.connectors ?? BUILTIN;
  const co: CompileOptions = { baseDir: resolve(opts.baseDir ?? '.'), validateTable: (d, r, u) => validateTable(d, r, u, lookup) };
  if (opts.catalog) co.catalog = opts.catalog;
  if (opts.config) co.config = opts.config;
  return compileScript(text, co);
}

function sortRows(rows: Row[], orderBy: { index: number; desc: boolean; nullsFirst: boolean }[]): Row[] {
  return rows.slice().sort((a, b) => {
    for (const o of orderBy) {
      const x = a[o.index], y = b[o.index];
      if (x === y) continue;
      if (x === null) return o.nullsFirst ? -1 : 1;
      if (y === null) return o.nullsFirst ? 1 : -1;
      const c = compareValues(x, y);
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
}

export async function runSql(text: string, opts: SqlRunOptions = {}): Promise<SqlRunResult> {
  const compiled = compileSql(text, opts);
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !compiled.program) return { compiled, diagnostics: compiled.diagnostics, results: [] };
  const cfg = compiled.program.config;
  const interval = cfg['execution.checkpointing.interval'] !== undefined ? parseDuration(cfg['execution.checkpointing.interval']) : undefined;
  const idle = cfg['table.exec.source.idle-timeout'] !== undefined ? parseDuration(cfg['table.exec.source.idle-timeout']) : undefined;
  const restoreFrom = opts.restoreFrom ?? cfg['execution.savepoint.path'];
  const tolerableRaw = cfg['execution.checkpointing.tolerable-failed-checkpoints'];
  const tolerable = tolerableRaw !== undefined && /^\d+$/.test(tolerableRaw.trim()) ? Number(tolerableRaw.trim()) : undefined;
  const runner = new JobRunner(compiled.program, {
    connectors: opts.connectors ?? BUILTIN,
    ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
    ...(opts.parallelism !== undefined ? { parallelism: opts.parallelism } : {}),
    ...(opts.checkpointDir !== undefined ? { checkpointDir: opts.checkpointDir } : {}),
    ...(interval !== undefined ? { checkpointIntervalMs: interval } : {}),
    ...(opts.checkpointEveryBatches !== undefined ? { checkpointEveryBatches: opts.checkpointEveryBatches } : {}),
    ...(restoreFrom !== undefined ? { restoreFrom } : {}),
    ...(opts.haltAfterBatches !== undefined ? { haltAfterBatches: opts.haltAfterBatches } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onChange ? { onChange: changeListener(compiled, opts.onChange) } : {}),
    ...(idle !== undefined ? { idleTimeoutMs: idle } : {}),
    ...(opts.onStart ? { onStart: opts.onStart } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.onCheckpoint ? { onCheckpoint: opts.onCheckpoint } : {}),
    ...(tolerable !== undefined ? { tolerableCheckpointFailures: tolerable } : {}),
    timeZone: cfg['table.local-time-zone'] ?? 'UTC',
  });
  const summary = await runner.run();
  const results: QueryResult[] = compiled.queries.map((q) => {
    let rows = summary.results.get(q.name)?.rows ?? [];
    const p = q.presentation;
    if (p && p.orderBy.length) rows = sortRows(rows, p.orderBy);
    if (p && (p.offset !== undefined || p.limit !== undefined)) rows = rows.slice(p.offset ?? 0, p.limit === undefined ? undefined : (p.offset ?? 0) + p.limit);
    return { name: q.name, fields: q.fields, rows, updating: q.updating };
  });
  return { compiled, diagnostics: compiled.diagnostics, summary, results };
}

function changeListener(c: CompiledScript, f: NonNullable<SqlRunOptions['onChange']>): (q: string, row: Row, kind: number) => void {
  const fields = new Map(c.queries.map((q) => [q.name, q.fields]));
  return (q, row, kind) => f(q, row, kind, fields.get(q) ?? []);
}

export function scriptDir(file: string): string {
  return dirname(resolve(file));
}
