/**
 * Recognises sliding-window features written into an online-store table and describes them as tiled features
 * (docs/serving.md): `agg(...) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL w PRECEDING AND CURRENT ROW)`
 * and `... FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), slide, w)) GROUP BY k, window_start, window_end`, when the sink's
 * connector is a KV store and its PRIMARY KEY is the PARTITION BY / GROUP BY key. Such a sink is not maintained row
 * by row: the engine keeps per key per time slice partial aggregates (tiles) and serving merges the tiles covering
 * the window at read time, so a feature decays without new events.
 *
 * Also the tile layout shared by the writer (engine) and the readers (serving, offline backfill): granularities,
 * the top level of each window and which levels carry tail copies. Pure functions of the spec; browser-safe.
 */
import type { RowField, SqlType } from '../../common/types.js';
import { isIntegral, isNumeric } from '../../common/types.js';
import { resolveAggregate } from '../../aggregates/index.js';
import type { BExpr } from '../bound-expr.js';
import type { AggCallDesc, LogicalNode, TableDef } from '../logical-plan.js';

/** Connector identifiers of the online KV stores whose tables can hold tiled features. */
export const KV_STORE_CONNECTORS: readonly string[] = ['redis', 'embedded-kv', 'aerospike'];

/** Aggregates whose result depends on the order rows are added; tiles merge in any order, so they are not tiled. */
const ORDER_SENSITIVE = new Set(['FIRST_VALUE', 'LAST_VALUE', 'LISTAGG', 'ARRAY_AGG']);

/** One distinct aggregate call kept in tiles (several features may share it, one per window). */
export interface TiledCall {
  /** Stable identity inside tile values, e.g. `SUM(amount)`, `COUNT(DISTINCT item) FILTER $f3`. */
  id: string;
  name: string;
  /** Input column indices (of the operator's input) of the arguments; empty for COUNT(*). */
  args: number[];
  argTypes: SqlType[];
  distinct: boolean;
  filterArg?: number;
  literalArgs?: unknown[];
  resultType: SqlType;
}

/** A served feature: an aggregate call over a window. */
export interface TiledFeature {
  /** Output column name in the feature table. */
  name: string;
  /** Index into TileSinkSpec.calls. */
  call: number;
  /** Window length in ms (a multiple of granularities[0]). */
  windowMs: number;
  type: SqlType;
}

/** What each column of the feature table is at read time. */
export type TiledColumn =
  | { name: string; type: SqlType; kind: 'key'; /** position in keyColumns */ part: number }
  | { name: string; type: SqlType; kind: 'feature'; feature: number }
  /** The newest event time of the key inside the longest window (the OVER form's ORDER BY column). */
  | { name: string; type: SqlType; kind: 'lastEventTime' }
  /** HOP form: bounds of the window the value covers. */
  | { name: string; type: SqlType; kind: 'windowStart' | 'windowEnd' | 'windowTime'; windowMs: number };

export interface TileSinkSpec {
  version: 1;
  /** Feature table name (the store's table). */
  table: string;
  source: 'over' | 'hop';
  /** Input columns of the entity key, in table column order of the PRIMARY KEY (the store-key encoding order). */
  keyColumns: number[];
  /** Input column of the event time attribute. */
  timeColumn: number;
  /** Distinct window lengths, ascending. */
  windows: number[];
  /** Tile sizes in ms, ascending, at most 3, each dividing the next; the first divides every window. */
  granularities: number[];
  calls: TiledCall[];
  features: TiledFeature[];
  /** The feature table's columns in table order. */
  columns: TiledColumn[];
  /** Reads at t >= watermark - retentionMs are complete; older tiles are expired from the store. */
  retentionMs: number;
  /**
   * Millisecond-exact reads (OVER form): a read at t covers exactly (t - w, t]. The finest level then also stores the
   * events of each slice per event time ("edge entries"), for the slice holding t and the slice holding t - w
   * (docs/serving.md, "Exact edges"). Absent in layouts written before exact reads: slice precision.
   */
  exact?: boolean;
  /** Most edge entries stored per slice; beyond it entries are merged into buckets of a power-of-two ms. */
  edgeEntries?: number;
}

export type TilePlanResult = { ok: true; spec: TileSinkSpec } | { ok: false; reason: string };

/** The tiled description of `INSERT INTO table <plan>`, or undefined when the sink is not a tiled feature table. */
export function planTiledSink(plan: LogicalNode, table: TableDef): TileSinkSpec | undefined {
  const r = explainTiledSink(plan, table);
  return r.ok ? r.spec : undefined;
}

const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;

/** Default most edge entries per slice in the store (`tile.edge-entries`). */
export const DEFAULT_EDGE_ENTRIES = 256;

/**
 * As planTiledSink, with the reason when the shape is close but cannot be tiled (a KV-store sink whose query is an
 * OVER / HOP aggregation), so the compiler can report it. Sinks that are not KV stores give reason 'not a KV store'.
 */
export function explainTiledSink(plan: LogicalNode, table: TableDef): TilePlanResult {
  const connector = table.options['connector'];
  if (connector === undefined || !KV_STORE_CONNECTORS.includes(connector)) return no('not a KV store sink');
  if (table.primaryKey.length === 0) return no(`table '${table.name}' has no PRIMARY KEY`);
  const target = table.physicalFields;
  // Sink column i is expression exprs[i] over `node` (identity when there is no projection on top).
  let node = plan;
  let exprs: BExpr[];
  if (node.kind === 'sink') {
    const inner = node.input;
    exprs = target.map((f, i) => {
      const c = node.kind === 'sink' ? node.columnMap[i] : undefined;
      return c === undefined || c < 0 ? { kind: 'lit', value: null, type: f.type } as BExpr : { kind: 'col', index: c, type: inner.fields[c]!.type } as BExpr;
    });
    node = inner;
  } else {
    exprs = node.fields.map((f, i) => ({ kind: 'col', index: i, type: f.type }) as BExpr);
  }
  if (exprs.length !== target.length) return no('the query does not produce the table columns');
  while (node.kind === 'project') {
    const p = node;
    const next: BExpr[] = [];
    for (const e of exprs) {
      const s = substitute(e, p.exprs);
      if (s === undefined) return no('feature columns must be aggregates, the key or the time column (no expressions over them)');
      next.push(s);
    }
    exprs = next;
    node = p.input;
  }
  // Each sink column is now a column of `node`, possibly under a value-preserving numeric cast.
  const cols: number[] = [];
  for (let i = 0; i < exprs.length; i++) {
    const c = columnOf(exprs[i]!);
    if (c === undefined) return no(`column '${target[i]!.name}' is not a plain aggregate, key or time column`);
    cols.push(c);
  }
  const pkTable = [...table.primaryKey].sort((a, b) => a - b);
  const pkNames = new Set(pkTable.map((i) => table.fields[i]!.name));
  const physIndex = (fieldIndex: number): number => target.findIndex((f) => f.name === table.fields[fieldIndex]!.name);

  if (node.kind === 'overAggregate') {
    const o = node.over;
    if (o.procTime) return no('processing-time OVER windows cannot be tiled');
    if (o.mode !== 'RANGE' || o.lower.kind !== 'preceding' || o.lower.range === undefined) {
      return no('only RANGE BETWEEN INTERVAL ... PRECEDING AND CURRENT ROW windows can be tiled');
    }
    const w = o.lower.range;
    if (!(w > 0)) return no('the window length must be positive');
    const width = node.input.fields.length;
    const inputFields = node.input.fields;
    const keyCols = new Map<number, number>(); // table physical index -> input column
    const columns: TiledColumn[] = [];
    const calls: TiledCall[] = [];
    const features: TiledFeature[] = [];
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      const f = target[i]!;
      if (c < width) {
        if (o.partitionKeys.includes(c)) {
          if (!pkNames.has(f.name)) return no(`column '${f.name}' (a PARTITION BY key) must be part of the PRIMARY KEY`);
          keyCols.set(i, c);
          columns.push({ name: f.name, type: f.type, kind: 'key', part: -1 });
        } else if (c === o.orderKey) {
          columns.push({ name: f.name, type: f.type, kind: 'lastEventTime' });
        } else {
          return no(`column '${f.name}' is a per-row input column; a tiled feature table holds only the key, aggregates and the event time`);
        }
      } else {
        const agg = node.aggs[c - width]!;
        const r = addFeature(agg, f, w, calls, features, inputFields);
        if (typeof r === 'string') return no(r);
        columns.push({ name: f.name, type: f.type, kind: 'feature', feature: r });
      }
    }
    const keyRes = keyColumns(pkTable, physIndex, keyCols, o.partitionKeys, columns, target);
    if (typeof keyRes === 'string') return no(keyRes);
    if (features.length === 0) return no('the table has no aggregate column');
    const g = granularitiesFor([w], table.options['tile.granularities'], undefined);
    if (typeof g === 'string') return no(g);
    return { ok: true, spec: finish(table, 'over', keyRes, o.orderKey, [w], g, calls, features, columns) };
  }

  if (node.kind === 'windowAggregate') {
    const win = node.window;
    if (win.kind !== 'HOP') return no(`${win.kind} windows are not sliding; only HOP (and OVER RANGE) features are tiled`);
    if (win.procTime) return no('processing-time windows cannot be tiled');
    if (win.offset !== 0) return no('HOP windows with an offset cannot be tiled');
    const slide = win.slide!;
    const w = win.size;
    if (w % slide !== 0) return no('the HOP size must be a multiple of the slide');
    const nKeys = node.groupKeys.length;
    const inputFields = node.input.fields;
    const keyCols = new Map<number, number>();
    const columns: TiledColumn[] = [];
    const calls: TiledCall[] = [];
    const features: TiledFeature[] = [];
    const nAggs = node.aggs.length;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      const f = target[i]!;
      if (c < nKeys) {
        if (!pkNames.has(f.name)) return no(`column '${f.name}' (a GROUP BY key) must be part of the PRIMARY KEY`);
        keyCols.set(i, node.groupKeys[c]!);
        columns.push({ name: f.name, type: f.type, kind: 'key', part: -1 });
      } else if (c < nKeys + nAggs) {
        const r = addFeature(node.aggs[c - nKeys]!, f, w, calls, features, inputFields);
        if (typeof r === 'string') return no(r);
        columns.push({ name: f.name, type: f.type, kind: 'feature', feature: r });
      } else {
        const which = c - nKeys - nAggs;
        columns.push({ name: f.name, type: f.type, kind: which === 0 ? 'windowStart' : which === 1 ? 'windowEnd' : 'windowTime', windowMs: w });
      }
    }
    const keyRes = keyColumns(pkTable, physIndex, keyCols, node.groupKeys, columns, target);
    if (typeof keyRes === 'string') return no(keyRes);
    if (features.length === 0) return no('the table has no aggregate column');
    const g = granularitiesFor([w], table.options['tile.granularities'], slide);
    if (typeof g === 'string') return no(g);
    return { ok: true, spec: finish(table, 'hop', keyRes, win.timeCol, [w], g, calls, features, columns) };
  }
  return no('the query is not an OVER RANGE or HOP aggregation');
}

function no(reason: string): TilePlanResult { return { ok: false, reason }; }

function finish(table: TableDef, source: 'over' | 'hop', keyColumns: number[], timeColumn: number, windows: number[], granularities: number[],
  calls: TiledCall[], features: TiledFeature[], columns: TiledColumn[]): TileSinkSpec {
  const retention = parseDurationMs(table.options['tile.retention'] ?? '') ?? HOUR;
  const spec: TileSinkSpec = { version: 1, table: table.name, source, keyColumns, timeColumn, windows, granularities, calls, features, columns, retentionMs: retention };
  // The OVER form's frame is per millisecond: serve it exactly unless the table opts out ('tile.exact' = 'false').
  if (source === 'over' && table.options['tile.exact']?.trim().toLowerCase() !== 'false') {
    spec.exact = true;
    const n = Number(table.options['tile.edge-entries'] ?? DEFAULT_EDGE_ENTRIES);
    spec.edgeEntries = Number.isInteger(n) && n > 0 ? n : DEFAULT_EDGE_ENTRIES;
  }
  return spec;
}

/** Key columns in table order; every PRIMARY KEY column must be a partition key and every partition key present. */
function keyColumns(pkTable: number[], physIndex: (i: number) => number, keyCols: Map<number, number>, partitionKeys: number[],
  columns: TiledColumn[], target: RowField[]): number[] | string {
  const out: number[] = [];
  for (const pk of pkTable) {
    const phys = physIndex(pk);
    const c = keyCols.get(phys);
    if (c === undefined) return `PRIMARY KEY column '${target[phys]?.name ?? pk}' must be the PARTITION BY / GROUP BY key`;
    const col = columns[phys]!;
    if (col.kind === 'key') col.part = out.length;
    out.push(c);
  }
  if (out.length !== keyCols.size) return 'every key column written must be part of the PRIMARY KEY';
  for (const k of partitionKeys) if (!out.includes(k)) return 'the PRIMARY KEY must be exactly the PARTITION BY / GROUP BY key';
  return out;
}

function addFeature(agg: AggCallDesc, f: RowField, windowMs: number, calls: TiledCall[], features: TiledFeature[], inputFields: RowField[]): number | string {
  if (ORDER_SENSITIVE.has(agg.name)) return `${agg.name} depends on row order and cannot be served from tiles`;
  const res = resolveAggregate({ name: agg.name, argTypes: agg.argTypes, distinct: agg.distinct, literalArgs: agg.literalArgs ?? [], needRetraction: false, grouped: true });
  if (!res.ok) return res.message;
  const argNames = agg.args.map((a) => inputFields[a]?.name ?? `$${a}`);
  const id = `${agg.name}(${agg.distinct ? 'DISTINCT ' : ''}${agg.args.length === 0 ? '*' : argNames.join(', ')})`
    + (agg.filterArg !== undefined ? ` FILTER ${inputFields[agg.filterArg]?.name ?? `$${agg.filterArg}`}` : '');
  let call = calls.findIndex((c) => c.id === id);
  if (call < 0) {
    call = calls.length;
    const tc: TiledCall = { id, name: agg.name, args: agg.args, argTypes: agg.argTypes, distinct: agg.distinct, resultType: agg.resultType };
    if (agg.filterArg !== undefined) tc.filterArg = agg.filterArg;
    if (agg.literalArgs) tc.literalArgs = agg.literalArgs;
    calls.push(tc);
  }
  features.push({ name: f.name, call, windowMs, type: f.type });
  return features.length - 1;
}

/** Replaces column references of `e` by `exprs`; undefined when the result is not a (cast) column. */
function substitute(e: BExpr, exprs: BExpr[]): BExpr | undefined {
  if (e.kind === 'col') return exprs[e.index];
  if (e.kind === 'cast' && !e.try) {
    const inner = substitute(e.arg, exprs);
    return inner === undefined ? undefined : { ...e, arg: inner };
  }
  if (e.kind === 'lit') return e;
  return undefined;
}

/** The column under `e` when `e` is a column or a cast that keeps the JS value (numeric widening). */
function columnOf(e: BExpr): number | undefined {
  if (e.kind === 'col') return e.index;
  if (e.kind === 'cast' && !e.try && e.arg.kind === 'col') {
    const from = e.arg.type, to = e.type;
    if (from.kind === to.kind) return e.arg.index;
    if (isIntegral(from) && (isIntegral(to) || to.kind === 'DOUBLE' || to.kind === 'FLOAT')) return e.arg.index;
    if (isNumeric(from) && to.kind === 'DOUBLE') return e.arg.index;
  }
  return undefined;
}

/** Parses `60000`, `500 ms`, `10 s`, `1 min`, `2 h`, `7 d`; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(ms|s|sec|second|seconds|m|min|minute|minutes|h|hour|hours|d|day|days)?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const mult = unit === 'ms' ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? MIN : unit.startsWith('h') ? HOUR : DAY;
  return n * mult;
}

/**
 * Default tile sizes for windows `windows` (docs/serving.md): the finest is the HOP slide, else 1 minute for windows of
 * an hour or more that are whole minutes, else 1 second, else the gcd with 1 s; then 1 hour and 1 day when some window
 * is a multiple of them at least twice as long. `option` (`tile.granularities`, e.g. '1 min, 1 h, 1 d') overrides.
 */
export function granularitiesFor(windows: readonly number[], option: string | undefined, finest: number | undefined): number[] | string {
  let g: number[];
  if (option !== undefined && option.trim() !== '') {
    g = [];
    for (const part of option.split(',')) {
      const v = parseDurationMs(part);
      if (v === undefined || v <= 0) return `tile.granularities: cannot read '${part.trim()}' as a duration`;
      g.push(v);
    }
  } else {
    let f = finest;
    if (f === undefined) {
      const allMin = windows.every((w) => w >= HOUR && w % MIN === 0);
      f = allMin ? MIN : windows.every((w) => w % 1000 === 0) ? 1000 : windows.reduce((a, w) => gcd(a, w), 1000);
    }
    g = [f];
    for (const unit of [HOUR, DAY]) {
      if (unit > g[g.length - 1]! && unit % g[g.length - 1]! === 0 && windows.some((w) => w % unit === 0 && w >= 2 * unit)) g.push(unit);
    }
  }
  if (g.length > 3) return 'tile.granularities: at most 3 tile sizes';
  for (let i = 1; i < g.length; i++) {
    if (g[i]! <= g[i - 1]! || g[i]! % g[i - 1]! !== 0) return 'tile.granularities: each tile size must be a multiple of the previous one';
  }
  for (const w of windows) if (w % g[0]! !== 0) return `the window of ${w} ms is not a multiple of the finest tile size ${g[0]} ms`;
  return g;
}

function gcd(a: number, b: number): number { while (b) [a, b] = [b, a % b]; return a; }

// ---- Layout shared by the tile writer and the readers -------------------------------------------------------------

/** The coarsest level (index into granularities) dividing `windowMs`: the level covering the middle of the window. */
export function topLevelOf(granularities: readonly number[], windowMs: number): number {
  let k = 0;
  for (let i = 1; i < granularities.length; i++) if (windowMs % granularities[i]! === 0) k = i;
  return k;
}

/**
 * Per level, the windows whose tiles at that level need tail copies (windows whose top level is coarser): the tile at
 * position p is also written, as a tail copy for window w, at position p + w (docs/serving.md, "Layout").
 */
export function tailWindowsOf(spec: Pick<TileSinkSpec, 'granularities' | 'windows'>): number[][] {
  return spec.granularities.map((_, i) => spec.windows.filter((w) => topLevelOf(spec.granularities, w) > i));
}

/** Per level, the calls kept in tiles of that level (calls of features whose window's top level is at least it). */
export function callsByLevel(spec: Pick<TileSinkSpec, 'granularities' | 'features' | 'calls'>): number[][] {
  return spec.granularities.map((_, i) => {
    const set = new Set<number>();
    for (const f of spec.features) if (topLevelOf(spec.granularities, f.windowMs) >= i) set.add(f.call);
    return [...set].sort((a, b) => a - b);
  });
}

/**
 * Per level, the windows w for which position q also carries something of the tile at q - w: the tail copies
 * (tailWindowsOf) and, at the finest level of an exact layout, the edge entries of every window.
 */
export function shiftedWindowsOf(spec: Pick<TileSinkSpec, 'granularities' | 'windows' | 'exact'>): number[][] {
  const tails = tailWindowsOf(spec);
  if (spec.exact === true) tails[0] = [...spec.windows];
  return tails;
}

/** Calls of the features of window `windowMs`. */
export function callsOfWindow(spec: Pick<TileSinkSpec, 'features'>, windowMs: number): number[] {
  const set = new Set<number>();
  for (const f of spec.features) if (f.windowMs === windowMs) set.add(f.call);
  return [...set].sort((a, b) => a - b);
}

// ---- Offline fusion record (written by src/batch, read by src/serving; docs/offline.md) ------------------------------

/** Meta name of the fusion record on the online feature table. */
export const META_FUSION = 'fusion';

/** Store table of a feature table's offline layer (same layout and key encoding as the online table). */
export const offlineTableOf = (table: string): string => `${table}~offline`;

/** The fusion record: where the offline layer is and which events it owns (written by the backfill, never guessed). */
export interface FusionMeta {
  format: 1;
  /** Store table holding the offline layer's tiles. */
  offlineTable: string;
  /** Events with ts < boundary are served from the offline layer, the others from the stream. */
  boundary: number;
  /** Earliest event time the offline layer covers (null: the twin's whole history). */
  from: number | null;
  /** Build generation of the offline layer (versions g·2^40 + n). */
  generation: number;
  /** Wall clock of the build (epoch ms). */
  builtAt: number;
  /** Offline events the build read. */
  events: number;
  /** Why the boundary was set: 'backfill', 'refresh', 'correction'. */
  reason: string;
}

export const floorTo = (t: number, g: number): number => Math.floor(t / g) * g;
export const ceilTo = (t: number, g: number): number => Math.ceil(t / g) * g;

/** The end (exclusive) of the served window for a read at time t: the end of t's finest slice. */
export function windowEndFor(granularities: readonly number[], t: number): number {
  return floorTo(t, granularities[0]!) + granularities[0]!;
}
