/**
 * Computes a feature's tiles from offline data with the feature's own SQL on the embedded engine — the same
 * aggregation code, tile layout, call ids and encoding as the streaming job (src/engine/operators/tile-sink-operator.ts).
 *
 * How: the feature script is compiled as is; the program is cut down to the operators feeding the feature's tile
 * sink; every streaming source on that path is swapped for the `offline` connector reading its twin over the event
 * range [from, to) in event-time order; the tile sink writes to `targetTable` through a LayerStore (no expiry,
 * versions offset by the build's version base, unconditional bulk writes where the store has them) in its bulk mode
 * (each position written once, when final). The run is bounded: at its end the watermark reaches +infinity and
 * every tile and tail copy is written. Parallelism is 1 (the store view lives on this thread).
 */
import { FreshetError, diag } from '../common/diagnostics.js';
import type { OfflineTwin } from '../catalog/dictionary/source-model.js';
import { Catalog } from '../catalog/catalog.js';
import type { ConnectorFactory } from '../connectors/connector.js';
import { getConnector } from '../connectors/registry.js';
import type { KvStore } from '../engine/kv-store-api.js';
import { JobRunner, type ConnectorLookup } from '../engine/job-runner.js';
import type { TableDef } from '../plan/logical-plan.js';
import type { TileSinkSpec } from '../plan/rules/tile-features.js';
import type { Program, ProgramOp } from '../program/program.js';
import { compileSql } from '../runtime/sql-session.js';
import { BatchErrors } from './batch-error-codes.js';
import { createOfflineConnector, noTwinDiag, offlineOptions, type OfflineProgress } from './offline-connector.js';
import { LayerStore } from './layer-store.js';
import type { TimeRange } from './offline-query.js';

/** Connectors whose tables are streams: a backfill must read their twin instead. */
const STREAMING = new Set(['kafka', 'upsert-kafka', 'embedded-log', 'datagen', 'nexmark']);

export interface FeatureSource {
  /** The feature job's Flink SQL script (sources, the feature table, the INSERT). */
  script: string;
  /** The feature table: its store table name (the `table` option) or its SQL name. */
  feature: string;
  /** Offline twin per source SQL table name. */
  twins: Record<string, OfflineTwin>;
  /** Directory relative paths (script and twins) resolve against. */
  baseDir?: string;
  /** Tables registered beforehand (the data dictionary's sources). */
  catalog?: Catalog;
}

export interface TileBuildOptions extends FeatureSource {
  range: TimeRange;
  /** Opened store the tiles are written to (the caller closes it). */
  store: KvStore;
  /** Store table of the tiles. */
  targetTable: string;
  /** Added to every version written (LayerStore). */
  versionBase?: number;
  onProgress?: OfflineProgress;
  signal?: AbortSignal;
}

export interface TileBuildResult {
  spec: TileSinkSpec;
  /** Offline events read. */
  events: number;
  tileWrites: number;
  /** Rows the tile writer dropped as late (0 when the twin's order is respected). */
  lateRows: number;
  durationMs: number;
}

/** The feature's program reading offline twins, and its tile sink's spec, without running it. */
export function planOfflineBuild(src: FeatureSource, range: TimeRange, targetTable: string, lookup: ConnectorLookup): { program: Program; spec: TileSinkSpec } {
  // A copy: compiling adds the script's DDL to the catalog, and one feature source is planned several times.
  const compiled = compileSql(src.script, { baseDir: src.baseDir ?? '.', connectors: lookup, ...(src.catalog ? { catalog: copyCatalog(src.catalog) } : {}) });
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new FreshetError(errors);
  const program = compiled.program!;
  const byId = new Map(program.operators.map((o) => [o.id, o]));
  const sink = program.operators.find((o): o is Extract<ProgramOp, { kind: 'tileSink' }> =>
    o.kind === 'tileSink' && (storeName(o.table) === src.feature || o.table.name === src.feature));
  if (sink === undefined) {
    const plain = program.operators.some((o) => o.kind === 'sink' && (storeName(o.table) === src.feature || o.table.name === src.feature));
    throw new FreshetError(diag(BatchErrors.NotTiled, plain
      ? `feature table '${src.feature}' is written row by row, not as tiles: only sliding-window features (OVER RANGE, HOP) into a KV store can be backfilled`
      : `the script writes no feature table '${src.feature}'`, undefined, 'see docs/serving.md, "Which queries are tiled"'));
  }
  const keep = new Set<string>();
  const stack = [sink.id];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (keep.has(id)) continue;
    keep.add(id);
    for (const i of byId.get(id)?.inputs ?? []) stack.push(i);
  }
  const ops: ProgramOp[] = [];
  for (const op of program.operators) {
    if (!keep.has(op.id)) continue;
    if (op.kind === 'source') {
      const twin = src.twins[op.table.name];
      if (twin === undefined) {
        if (STREAMING.has(op.table.options['connector'] ?? '')) throw new FreshetError(noTwinDiag(op.table.name, BatchErrors.NoTwin));
        ops.push(op);
        continue;
      }
      ops.push({ ...op, table: { ...op.table, options: offlineOptions(twin, timeColumnOf(op.table, twin), range), baseDir: src.baseDir ?? op.table.baseDir } });
    } else if (op === sink) {
      // A bulk load: flush (compose the positions made final, write them in one request) once per many rows.
      ops.push({ ...sink, table: { ...sink.table, options: { ...sink.table.options, table: targetTable, 'sink.buffer-flush.max-rows': '200000' } } });
    } else {
      ops.push(op);
    }
  }
  return { program: { ...program, operators: ops }, spec: { ...sink.spec, table: storeName(sink.table) } };
}

/** Runs the feature over the twins' events in range, writing tiles to targetTable. */
export async function buildTiles(o: TileBuildOptions): Promise<TileBuildResult> {
  const t0 = Date.now();
  let events = 0;
  const offline = createOfflineConnector((read, total) => { events = read; o.onProgress?.(read, total); });
  // Unconditional tile writes: the build owns its target table and writes each position once (bulk mode).
  const layer = new LayerStore(o.store, o.versionBase ?? 0, { unconditional: true });
  const lookup = layerLookup(offline, layer);
  const { program, spec } = planOfflineBuild(o, o.range, o.targetTable, lookup);
  const runner = new JobRunner(program, { connectors: lookup, parallelism: 1, ...(o.signal ? { signal: o.signal } : {}) });
  const summary = await runner.run();
  return {
    spec, events, tileWrites: summary.metrics['tileWrites'] ?? 0, lateRows: summary.metrics['lateRowsDropped'] ?? 0, durationMs: Date.now() - t0,
  };
}

/** The feature's tile layout as the script defines it (no run). */
export function featureSpec(src: FeatureSource): TileSinkSpec {
  const lookup = layerLookup(createOfflineConnector(), undefined);
  return planOfflineBuild(src, {}, src.feature, lookup).spec;
}

/** Built-in connectors plus `offline`, with KV stores replaced by the layer view (when given). */
function layerLookup(offline: ConnectorFactory, layer: KvStore | undefined): ConnectorLookup {
  return {
    get(id: string): ConnectorFactory | undefined {
      if (id === offline.identifier) return offline;
      const f = getConnector(id);
      if (f === undefined || f.createStore === undefined || layer === undefined) return f;
      return { ...f, createStore: () => layer };
    },
  };
}

function copyCatalog(c: Catalog): Catalog {
  const out = new Catalog();
  for (const e of c.all()) out.put(e);
  return out;
}

function storeName(t: TableDef): string {
  const s = t.options['table']?.trim();
  return s === undefined || s === '' ? t.name : s;
}

/** The physical column holding the event time: the twin's, else the table's rowtime column when it is physical. */
function timeColumnOf(t: TableDef, twin: OfflineTwin): string {
  if (twin.timeColumn !== undefined) return twin.timeColumn;
  const wm = t.watermark;
  if (wm !== undefined && t.columns[wm.column]?.kind === 'physical') return t.fields[wm.column]!.name;
  throw new FreshetError(diag(BatchErrors.BadTwin, `source table '${t.name}': the event time is not a physical column; name the twin's time column`,
    undefined, "set offline.timeColumn (e.g. the epoch-millisecond field the rowtime is computed from)"));
}
