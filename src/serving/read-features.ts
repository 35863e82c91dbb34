/**
 * Fresh-at-read feature values: for each entity key, the feature table's columns at time t, merged from the tiles
 * covering each window (read-plan.ts), with freshness metadata: the as-of time, the served window end, the key's last
 * event time, the job's watermark and lag, and flags when the answer is stale or incomplete.
 *
 * Store cost per call: one readTiles batch holding at most one request per level (≤ 3) per key, issued together with
 * one getMeta of the job's progress; the table layout (meta `tiles`) is cached per store for layoutTtlMs.
 * CPU per call (the serving tier is CPU-bound): read plans are cached per finest slice, the progress meta is parsed
 * only when its text changes, and tiles are kept parsed and decoded while the store returns the same text for them,
 * so a read of unchanged tiles only compares texts and merges accumulators.
 *
 * Semantics (docs/serving.md): in an exact layout (the OVER form) a feature over window w read at t aggregates exactly
 * the events with t - w < ts <= t; otherwise (HOP form, older layouts) the events with ts in [E - w, E),
 * E = floor(t / g0) * g0 + g0, g0 the table's finest tile size.
 */
import { FreshetError, diag } from '../common/diagnostics.js';
import type { AggFunction } from '../aggregates/agg-function.js';
import { decodeAcc } from '../aggregates/index.js';
import type { SqlType } from '../common/types.js';
import type { KvStore, TileRead } from '../engine/kv-store-api.js';
import {
  META_LAYOUT, META_PROGRESS, TILE_FORMAT, decodeTileAcc, resolveTiled,
  type TileLayoutMeta, type TileProgress, type TileValue,
} from '../engine/operators/tile-sink-operator.js';
import { callsByLevel, callsOfWindow, ceilTo, floorTo, windowEndFor, type TileSinkSpec } from '../plan/rules/tile-features.js';
import { planRead, planReadExact, type ReadPlan } from './read-plan.js';

export const ServingErrors = {
  UnknownTable: 'SERVE001',
  BadRequest: 'SERVE002',
  UnsupportedLayout: 'SERVE003',
} as const;

export interface ReadOptions {
  /** Lag (t - watermark) above which the answer is flagged stale. Default 60 s. */
  staleAfterMs?: number;
  /** Use this layout instead of reading meta `tiles` (tests, embedded use). */
  spec?: TileSinkSpec;
  /** How long a layout read from the store is reused. Default 10 s. */
  layoutTtlMs?: number;
}

export interface KeyFeatures {
  key: string;
  /** Column name → value (runtime representation: TIMESTAMP as epoch ms, DECIMAL as number, ...). */
  values: Record<string, unknown>;
  /** Newest event time of the key inside the longest window (null when none). */
  lastEventTime: number | null;
  /** False when no tile of the key holds any event of any window (the values are the empty aggregates). */
  found: boolean;
}

export interface FeatureAnswer {
  table: string;
  /** The read time t. */
  asOf: number;
  /** Exclusive end of the served windows: t + 1 in exact layouts, else E (the end of t's finest slice). */
  windowEnd: number;
  /**
   * Precision of the window bounds in ms: 1 when exact; the finest tile size in slice-precision layouts; a bucket
   * size when a boundary slice held more distinct event times than the table's `tile.edge-entries`.
   */
  precisionMs: number;
  /** The job's watermark at its last flush (null when it has not flushed). */
  watermark: number | null;
  /** t - watermark in ms (null without a watermark). */
  lagMs: number | null;
  /** True when lagMs > staleAfterMs: events before t may not be in the answer yet. */
  stale: boolean;
  /**
   * Why part of the answer may be missing: 'no-progress' (the job has not flushed), 'expired' (t is older than the
   * tiles kept), 'tails-pending' (t is further ahead of the job than the tail copies written), 'before-boundary'
   * (the window reaches before the stream's start and no backfill is recorded).
   */
  incomplete: string[];
  results: KeyFeatures[];
}

interface Layout {
  spec: TileSinkSpec;
  fns: AggFunction[];
  loadedAt: number;
  /** Per call: its index in the finest level's calls (the order of head edge entries), or -1. */
  slot0: number[];
  /** The finest level's calls in the order of head edge entries (slot j → call). */
  slotCalls0: number[];
  /** Per window of spec.windows: its calls, in the order of its edge entries. */
  windowCalls: number[][];
  /** Per window of spec.windows: per call, its index in windowCalls (the order of the window's `D` entries), or -1. */
  windowSlots: number[][];
  /** Per window of spec.windows: the calls its features use, in feature order (what a read merges). */
  mergeCalls: number[][];
  /** Per window of spec.windows: the window length as text (the key of tail copies and `D` entries). */
  windowKeys: string[];
  /** Per feature: the index of its window in spec.windows. */
  featureWindow: number[];
  /** The longest window. */
  maxWindow: number;
  /** Whether some column is a key column (the store key is split only then). */
  hasKeyColumn: boolean;
  /** Parsed and decoded tiles per store key, per level, per position (see TileCache). */
  parsed: TileCache;
  /** Read plans by slice (see planFor); cleared when it grows past PLAN_CACHE_ENTRIES. */
  plans: Map<number, CachedPlan>;
  /** The last progress meta read and its parse (the meta changes at most once per job flush). */
  progressText: string | null;
  progress: TileProgress | undefined;
}

/**
 * Tiles as they were last read: the stored text (the cache entry is used only while the store returns the same
 * text), the parsed value and, decoded lazily, the accumulators of each part by call index. Decoded accumulators are
 * only ever the `other` argument of AggFunction.merge (never modified, agg-function.ts), so they can be shared by reads.
 */
interface CachedTile {
  text: string;
  value: StoredTile;
  /** Head part by call index (undefined: not decoded yet). */
  h?: (unknown)[] | null;
  /** Tail copy per window index. */
  t?: ((unknown)[] | null | undefined)[];
  /** Head edge entries `E`, decoded. */
  e?: DecodedEntries;
  /** `D` edge entries per window index, decoded (null: none). */
  d?: (DecodedEntries | null | undefined)[];
}

/** A tile value with the exact layouts' edge entries (docs/serving.md "Exact edges"). */
interface StoredTile extends TileValue {
  E?: string; Eb?: number; D?: Record<string, string>; Db?: Record<string, number>;
}

/** Edge entries: per distinct event time, its offset from the slice start and the decoded accumulators by slot. */
type DecodedEntries = [dt: number, ...accs: unknown[]][];

interface TileCache {
  byKey: Map<string, (Map<number, CachedTile> | undefined)[]>;
  size: number;
}

interface CachedPlan {
  plan: ReadPlan;
  /** Indices of the levels the plan reads. */
  levels: number[];
  /** Max window end minus the longest window (for 'before-boundary'). */
  start: number;
}

/**
 * Most parsed tile values kept per table (FRESHET_SERVING_CACHE_ENTRIES; 0 disables). Serving stores that keep tile
 * texts between reads (the embedded store's tileReadCache) are given the same bound.
 */
export const SERVING_CACHE_ENTRIES = Number(globalThis.process?.env?.['FRESHET_SERVING_CACHE_ENTRIES'] ?? 200_000);
const PARSE_CACHE_ENTRIES = SERVING_CACHE_ENTRIES;
/** Most read plans kept per table: one per finest slice read recently (an hour of minute slices is 60). */
const PLAN_CACHE_ENTRIES = 4096;

const layouts = new WeakMap<KvStore, Map<string, Layout>>();

function bindLayout(spec: TileSinkSpec): Layout {
  const slot0 = new Array<number>(spec.calls.length).fill(-1);
  const slotCalls0 = callsByLevel(spec)[0]!;
  slotCalls0.forEach((c, j) => { slot0[c] = j; });
  const windowCalls = spec.windows.map((w) => callsOfWindow(spec, w));
  const windowSlots = windowCalls.map((order) => {
    const pos = new Array<number>(spec.calls.length).fill(-1);
    order.forEach((c, j) => { pos[c] = j; });
    return pos;
  });
  const mergeCalls = spec.windows.map((w) => {
    const calls = new Set<number>();
    for (const f of spec.features) if (f.windowMs === w) calls.add(f.call);
    return [...calls];
  });
  return {
    spec, fns: spec.calls.map(resolveTiled), loadedAt: Date.now(), slot0, slotCalls0, windowCalls, windowSlots, mergeCalls,
    windowKeys: spec.windows.map((w) => String(w)),
    featureWindow: spec.features.map((f) => spec.windows.indexOf(f.windowMs)),
    maxWindow: Math.max(...spec.windows),
    hasKeyColumn: spec.columns.some((c) => c.kind === 'key'),
    parsed: { byKey: new Map(), size: 0 }, plans: new Map(), progressText: null, progress: undefined,
  };
}

/** The table's tile layout from meta `tiles` (cached), or a user error when the table has none. */
export async function loadLayout(store: KvStore, table: string, ttlMs = 10_000): Promise<Layout> {
  let m = layouts.get(store);
  if (m === undefined) { m = new Map(); layouts.set(store, m); }
  const hit = m.get(table);
  if (hit !== undefined && Date.now() - hit.loadedAt < ttlMs) return hit;
  const text = await store.getMeta(table, META_LAYOUT);
  if (text === null) {
    throw new FreshetError(diag(ServingErrors.UnknownTable, `no tiled feature table '${table}' in the ${store.kind} store`, undefined,
      'the table appears once a job writing it has flushed'));
  }
  const meta = JSON.parse(text) as TileLayoutMeta;
  if (meta.format !== TILE_FORMAT) {
    throw new FreshetError(diag(ServingErrors.UnsupportedLayout, `table '${table}' uses tile format ${meta.format}; this Freshet reads format ${TILE_FORMAT}`), 'internal');
  }
  const l = bindLayout(meta.spec);
  // A reloaded, unchanged layout keeps its caches (reloads happen every layoutTtlMs).
  if (hit !== undefined && JSON.stringify(hit.spec) === JSON.stringify(l.spec)) {
    l.parsed = hit.parsed;
    l.plans = hit.plans;
    l.progressText = hit.progressText;
    l.progress = hit.progress;
  }
  m.set(table, l);
  return l;
}

/**
 * The read plan at t, cached per finest slice: an exact plan depends on t only through floor(t, g0) except for its
 * `end` (t + 1), a slice-precision plan only through E. Cached plans are shared: callers never modify them.
 */
function planFor(layout: Layout, t: number): { plan: ReadPlan; levels: number[]; start: number } {
  const spec = layout.spec;
  const exact = spec.exact === true;
  const g0 = spec.granularities[0]!;
  const slot = exact ? floorTo(t, g0) : windowEndFor(spec.granularities, t);
  let c = layout.plans.get(slot);
  if (c === undefined) {
    const plan = exact ? planReadExact(spec, t) : planRead(spec, slot);
    const levels: number[] = [];
    for (let i = 0; i < plan.ranges.length; i++) if (plan.ranges[i] !== undefined) levels.push(i);
    c = { plan, levels, start: 0 };
    if (layout.plans.size >= PLAN_CACHE_ENTRIES) layout.plans.clear();
    layout.plans.set(slot, c);
  }
  const end = exact ? t + 1 : c.plan.end;
  const plan = end === c.plan.end ? c.plan : { ...c.plan, end };
  return { plan, levels: c.levels, start: end - layout.maxWindow };
}

/** Reads the features of `keys` at time `t` (epoch ms). */
export async function readFeatures(store: KvStore, table: string, keys: readonly string[], t: number, opts: ReadOptions = {}): Promise<FeatureAnswer> {
  const layout = opts.spec ? specLayout(opts.spec) : await loadLayout(store, table, opts.layoutTtlMs);
  const spec = layout.spec;
  const exact = spec.exact === true;
  const { plan, levels: levelsRead, start } = planFor(layout, t);
  const end = plan.end;
  const reads: TileRead[] = new Array(keys.length * levelsRead.length);
  let n = 0;
  for (let k = 0; k < keys.length; k++) {
    for (let j = 0; j < levelsRead.length; j++) {
      const i = levelsRead[j]!;
      const r = plan.ranges[i]!;
      reads[n++] = { key: keys[k]!, granularityMs: spec.granularities[i]!, from: r.from, to: r.to };
    }
  }
  const [maps, progressText] = await Promise.all([
    reads.length > 0 ? store.readTiles(table, reads) : Promise.resolve([] as Map<number, string>[]),
    store.getMeta(table, META_PROGRESS),
  ]);
  let progress: TileProgress | undefined;
  if (progressText === null) progress = undefined;
  else if (progressText === layout.progressText) progress = layout.progress;
  else {
    progress = JSON.parse(progressText) as TileProgress;
    layout.progressText = progressText;
    layout.progress = progress;
  }
  const results: KeyFeatures[] = new Array(keys.length);
  const perKey = levelsRead.length;
  const levelMaps: (Map<number, string> | undefined)[] = new Array(spec.granularities.length);
  const precision = { ms: exact ? 1 : spec.granularities[0]! };
  for (let k = 0; k < keys.length; k++) {
    levelMaps.fill(undefined);
    for (let j = 0; j < perKey; j++) levelMaps[levelsRead[j]!] = maps[k * perKey + j];
    results[k] = mergeKey(layout, plan, t, keys[k]!, levelMaps, precision);
  }
  const watermark = progress?.watermark ?? null;
  const lagMs = watermark === null ? null : t - watermark;
  const stale = lagMs !== null && lagMs > (opts.staleAfterMs ?? 60_000);
  return {
    table, asOf: t, windowEnd: end, precisionMs: precision.ms, watermark, lagMs, stale,
    incomplete: incompleteReasons(spec, plan, t, start, progress), results,
  };
}

const specLayouts = new WeakMap<TileSinkSpec, Layout>();
function specLayout(spec: TileSinkSpec): Layout {
  let l = specLayouts.get(spec);
  if (l === undefined) { l = bindLayout(spec); specLayouts.set(spec, l); }
  return l;
}

/** `start`: the plan's end minus the longest window. */
function incompleteReasons(spec: TileSinkSpec, plan: ReadPlan, t: number, start: number, p: TileProgress | undefined): string[] {
  if (p === undefined) return ['no-progress'];
  const out: string[] = [];
  if (p.retainedFrom !== null && t < p.retainedFrom) out.push('expired');
  const g = spec.granularities;
  // Exact reads also need the edge entries at t's slice, written once that position is due.
  const edgeThrough = p.tailsThrough[0];
  let pending = plan.edge !== undefined && edgeThrough !== null && edgeThrough !== undefined && plan.edge >= edgeThrough;
  for (let i = 0; i < g.length - 1 && !pending; i++) {
    const through = p.tailsThrough[i];
    if (through === null || through === undefined) continue;
    if (ceilTo(plan.end, g[i + 1]!) > through && plan.windows.some((w) => w.top > i)) pending = true;
  }
  if (pending) out.push('tails-pending');
  if (p.boundary !== null && start < p.boundary) out.push('before-boundary');
  return out;
}

/** The cached tiles of one key (created on first use; a new key counts as one cache entry). */
function keyTiles(cache: TileCache, key: string, levels: number): (Map<number, CachedTile> | undefined)[] {
  let e = cache.byKey.get(key);
  if (e === undefined) {
    if (cache.size >= PARSE_CACHE_ENTRIES) clearCache(cache);
    e = new Array<Map<number, CachedTile> | undefined>(levels);
    cache.byKey.set(key, e);
    cache.size++;
  }
  return e;
}

/** Full: start over (cheaper than LRU bookkeeping on every read; the hot set refills within a few reads). */
function clearCache(cache: TileCache): void {
  cache.byKey.clear();
  cache.size = 0;
}

/** The tile at `pos` of `level` with stored text `text`, from the cache when the text is unchanged. */
function tileOf(cache: TileCache, key: string, tiles: (Map<number, CachedTile> | undefined)[] | undefined, level: number, pos: number,
  text: string): CachedTile {
  if (tiles === undefined) return { text, value: JSON.parse(text) as StoredTile };
  let m = tiles[level];
  if (m === undefined) { m = new Map(); tiles[level] = m; }
  const hit = m.get(pos);
  if (hit !== undefined && hit.text === text) return hit;
  const c: CachedTile = { text, value: JSON.parse(text) as StoredTile };
  if (hit === undefined) {
    if (cache.size >= PARSE_CACHE_ENTRIES) {
      // Start over, keeping this key's (now empty) array registered: the tiles this read already resolved stay valid.
      clearCache(cache);
      tiles.fill(undefined);
      m = new Map();
      tiles[level] = m;
      cache.byKey.set(key, tiles);
    }
    cache.size++;
  }
  m.set(pos, c);
  return c;
}

/** Decodes a part (call id → encoded accumulator) into accumulators by call index; null when the part is absent. */
function decodePart(layout: Layout, part: Record<string, unknown> | undefined): unknown[] | null {
  if (part === undefined) return null;
  const { spec, fns } = layout;
  const out = new Array<unknown>(spec.calls.length);
  for (let c = 0; c < out.length; c++) out[c] = decodeTileAcc(fns[c]!, part, spec.calls[c]!.id);
  return out;
}

/*
 * The part accessors decode a part on first use and then drop its parsed JSON from `value` (the decoded form replaces
 * it), so a cached tile holds each part once: the cache's heap, and the garbage collector's marking work, stay small.
 */
function headOf(layout: Layout, tile: CachedTile): unknown[] | null {
  if (tile.h === undefined) { tile.h = decodePart(layout, tile.value.h); tile.value.h = undefined; }
  return tile.h;
}

function tailOf(layout: Layout, tile: CachedTile, wi: number): unknown[] | null {
  const t = (tile.t ??= new Array<unknown[] | null | undefined>(layout.spec.windows.length));
  let d = t[wi];
  if (d === undefined) {
    const raw = tile.value.t;
    const wk = layout.windowKeys[wi]!;
    d = decodePart(layout, raw?.[wk]);
    t[wi] = d;
    if (raw !== undefined && raw[wk] !== undefined) raw[wk] = undefined as unknown as Record<string, unknown>;
  }
  return d;
}

/** The head edge entries `E` of an edge tile (undefined when it has none). */
function edgeEntriesOf(layout: Layout, tile: CachedTile): DecodedEntries | undefined {
  if (tile.e === undefined && tile.value.E !== undefined) {
    tile.e = decodeEntries(layout.fns, tile.value.E, layout.slotCalls0);
    tile.value.E = undefined;
  }
  return tile.e;
}

/** The `D` edge entries of window `wi` of an edge tile (undefined when it has none). */
function windowEntriesOf(layout: Layout, tile: CachedTile, wi: number): DecodedEntries | undefined {
  const ds = (tile.d ??= new Array<DecodedEntries | null | undefined>(layout.spec.windows.length));
  let d = ds[wi];
  if (d === undefined) {
    const raw = tile.value.D;
    const wk = layout.windowKeys[wi]!;
    const text = raw?.[wk];
    d = text === undefined ? null : decodeEntries(layout.fns, text, layout.windowCalls[wi]!);
    ds[wi] = d;
    if (text !== undefined) raw![wk] = undefined as unknown as string;
  }
  return d ?? undefined;
}

/** Parses edge entries `[[dt, acc...], ...]`, decoding the accumulator of slot j with the function of `order[j]`. */
function decodeEntries(fns: AggFunction[], text: string, order: number[]): DecodedEntries {
  const entries = JSON.parse(text) as unknown[][];
  const out: DecodedEntries = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const d: [number, ...unknown[]] = [e[0] as number];
    for (let j = 1; j < e.length; j++) {
      const c = order[j - 1];
      d.push(c === undefined ? undefined : decodeAcc(fns[c]!, e[j]));
    }
    out[i] = d;
  }
  return out;
}

/** Per-read merge state of one key (module scratch: reads are synchronous between awaits, so one instance suffices). */
const scratch = { found: false, last: -Infinity, precision: 1 };

/** Merges one key's tiles into its feature values (`precision.ms` grows when coarse edge entries were used). */
function mergeKey(layout: Layout, plan: ReadPlan, t: number, key: string, levelMaps: (Map<number, string> | undefined)[],
  precision: { ms: number }): KeyFeatures {
  const { spec, fns } = layout;
  const cache = layout.parsed;
  let cached: (Map<number, CachedTile> | undefined)[] | undefined;
  if (PARSE_CACHE_ENTRIES > 0) {
    cached = keyTiles(cache, key, spec.granularities.length);
  }
  // Per level: the tiles read, in store order (positions ascending), resolved through the cache.
  const L = levelMaps.length;
  const tiles: (CachedTile[] | undefined)[] = new Array(L);
  const positions: (number[] | undefined)[] = new Array(L);
  let edgeTile: CachedTile | undefined;
  for (let level = 0; level < L; level++) {
    const m = levelMaps[level];
    if (m === undefined) continue;
    const ts: CachedTile[] = [], ps: number[] = [];
    for (const [pos, text] of m) {
      const c = tileOf(cache, key, cached, level, pos, text);
      ts.push(c); ps.push(pos);
      if (level === 0 && pos === plan.edge) edgeTile = c;
    }
    tiles[level] = ts; positions[level] = ps;
  }
  const st = scratch;
  st.found = false;
  st.last = -Infinity;
  st.precision = precision.ms;
  // Per window: merged accumulators by call index.
  const accs: unknown[][] = new Array(plan.windows.length);
  for (let wi = 0; wi < plan.windows.length; wi++) {
    const wp = plan.windows[wi]!;
    const calls = layout.mergeCalls[wi]!;
    const acc = new Array<unknown>(spec.calls.length);
    for (let j = 0; j < calls.length; j++) acc[calls[j]!] = fns[calls[j]!]!.create();
    if (plan.edge !== undefined && edgeTile !== undefined) {
      // The two partial slices of (t - w, t]: events of t's slice at or before t, and of the slice holding t - w after it.
      const ev = edgeTile.value;
      const w = wp.windowMs;
      if (ev.x !== undefined && ev.x <= t) {
        // Every event of t's slice is at or before t (the usual live read): the head tile as a whole.
        const h = headOf(layout, edgeTile);
        if (h !== null) mergePart(fns, calls, acc, h, st);
        if (ev.x > st.last) st.last = ev.x;
      } else {
        const e = edgeEntriesOf(layout, edgeTile);
        if (e !== undefined) {
          mergeEntries(fns, e, plan.edge, layout.slot0, calls, acc, true, t, st);
          if ((ev.Eb ?? 1) > st.precision) st.precision = ev.Eb!;
        }
      }
      const d = windowEntriesOf(layout, edgeTile, wi);
      if (d !== undefined) {
        mergeEntries(fns, d, plan.edge - w, layout.windowSlots[wi]!, calls, acc, false, t - w, st);
        const b = ev.Db?.[layout.windowKeys[wi]!] ?? 1;
        if (b > st.precision) st.precision = b;
      }
    }
    for (let i = 0; i < L; i++) {
      const ts = tiles[i];
      if (ts === undefined) continue;
      const ps = positions[i]!;
      const h = wp.head[i]!, tl = wp.tail[i]!;
      for (let j = 0; j < ts.length; j++) {
        const pos = ps[j]!, tile = ts[j]!;
        let part: unknown[] | null;
        if (pos >= h.from && pos < h.to) {
          part = headOf(layout, tile);
          const x = tile.value.x;
          if (x !== undefined && x > st.last) st.last = x;
        } else if (pos >= tl.from && pos < tl.to) {
          part = tailOf(layout, tile, wi);
          const x = tile.value.tx?.[layout.windowKeys[wi]!];
          if (x !== undefined && x > st.last) st.last = x;
        } else {
          continue;
        }
        if (part !== null) mergePart(fns, calls, acc, part, st);
      }
    }
    accs[wi] = acc;
  }
  precision.ms = st.precision;
  const last = st.last;
  const keyParts = layout.hasKeyColumn ? splitKey(key, spec.keyColumns.length) : undefined;
  const values: Record<string, unknown> = {};
  for (const col of spec.columns) {
    switch (col.kind) {
      case 'key': values[col.name] = parseKeyPart(keyParts![col.part] ?? key, col.type); break;
      case 'feature': {
        const f = spec.features[col.feature]!;
        values[col.name] = fns[f.call]!.result(accs[layout.featureWindow[col.feature]!]![f.call]);
        break;
      }
      case 'lastEventTime': values[col.name] = last === -Infinity ? null : last; break;
      case 'windowStart': values[col.name] = plan.end - col.windowMs; break;
      case 'windowEnd': values[col.name] = plan.end; break;
      case 'windowTime': values[col.name] = plan.end - 1; break;
    }
  }
  return { key, values, lastEventTime: last === -Infinity ? null : last, found: st.found };
}

/** Merges the decoded accumulators `part` (by call index) of `calls` into `acc`. */
function mergePart(fns: AggFunction[], calls: number[], acc: unknown[], part: unknown[], st: { found: boolean }): void {
  for (let j = 0; j < calls.length; j++) {
    const c = calls[j]!;
    const a = part[c];
    if (a === undefined) continue;
    acc[c] = fns[c]!.merge(acc[c], a);
    st.found = true;
  }
}

/**
 * Merges the decoded edge entries (dt relative to `base`, accumulators at slots `pos[call]`) into `acc` for `calls`:
 * those with event time <= bound (`atOrBefore`) or > bound.
 */
function mergeEntries(fns: AggFunction[], entries: DecodedEntries, base: number, pos: number[], calls: number[],
  acc: unknown[], atOrBefore: boolean, bound: number, st: { found: boolean; last: number }): void {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const ts = base + e[0];
    if (atOrBefore ? ts > bound : ts <= bound) continue;
    if (ts > st.last) st.last = ts;
    for (let k = 0; k < calls.length; k++) {
      const c = calls[k]!;
      const j = pos[c]!;
      if (j < 0) continue;
      const d = e[j + 1];
      if (d === undefined) continue;
      acc[c] = fns[c]!.merge(acc[c], d);
      st.found = true;
    }
  }
}

/** Splits a composite store key (`a\|b|1` → ['a|b', '1']); see connectors/stores/store-key.ts. */
export function splitKey(key: string, parts: number): string[] {
  if (parts <= 1) return [key];
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key[i]!;
    if (ch === '\\' && i + 1 < key.length) { cur += key[++i]; continue; }
    if (ch === '|') { out.push(cur); cur = ''; continue; }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function parseKeyPart(text: string, type: SqlType): unknown {
  switch (type.kind) {
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT': case 'DOUBLE': case 'DECIMAL': {
      const n = Number(text);
      return Number.isNaN(n) && text !== 'NaN' ? text : n;
    }
    case 'BOOLEAN': return text === 'true' ? true : text === 'false' ? false : text;
    default: return text;
  }
}
