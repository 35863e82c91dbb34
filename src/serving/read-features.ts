/**
 * Fresh-at-read feature values: for each entity key, the feature table's columns at time t, merged from the tiles
 * covering each window (read-plan.ts), with freshness metadata: the as-of time, the served window end, the key's last
 * event time, the job's watermark and lag, and flags when the answer is stale or incomplete.
 *
 * Store cost per call: one readTiles batch holding at most one request per level (≤ 3) per key, issued together with
 * one getMeta of the job's progress; the table layout (meta `tiles`) is cached per store for layoutTtlMs.
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
import { callsByLevel, callsOfWindow, ceilTo, windowEndFor, type TileSinkSpec } from '../plan/rules/tile-features.js';
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
  /** Per window of spec.windows: its calls, in the order of its edge entries. */
  windowCalls: number[][];
  /** Parsed tile values by `level|key|position`, reused while the stored text is unchanged (parsing dominates reads). */
  parsed: Map<string, { text: string; value: TileValue }>;
}

/** Most parsed tile values kept per table (FRESHET_SERVING_CACHE_ENTRIES; 0 disables). */
const PARSE_CACHE_ENTRIES = Number(globalThis.process?.env?.['FRESHET_SERVING_CACHE_ENTRIES'] ?? 200_000);

const layouts = new WeakMap<KvStore, Map<string, Layout>>();

function bindLayout(spec: TileSinkSpec): Layout {
  const slot0 = new Array<number>(spec.calls.length).fill(-1);
  callsByLevel(spec)[0]!.forEach((c, j) => { slot0[c] = j; });
  return {
    spec, fns: spec.calls.map(resolveTiled), loadedAt: Date.now(), slot0, windowCalls: spec.windows.map((w) => callsOfWindow(spec, w)),
    parsed: new Map(),
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
  // A reloaded, unchanged layout keeps its parse cache (reloads happen every layoutTtlMs).
  if (hit !== undefined && JSON.stringify(hit.spec) === JSON.stringify(l.spec)) l.parsed = hit.parsed;
  m.set(table, l);
  return l;
}

/** Reads the features of `keys` at time `t` (epoch ms). */
export async function readFeatures(store: KvStore, table: string, keys: readonly string[], t: number, opts: ReadOptions = {}): Promise<FeatureAnswer> {
  const layout = opts.spec ? specLayout(opts.spec) : await loadLayout(store, table, opts.layoutTtlMs);
  const spec = layout.spec;
  const exact = spec.exact === true;
  const plan = exact ? planReadExact(spec, t) : planRead(spec, windowEndFor(spec.granularities, t));
  const end = plan.end;
  const levelsRead: number[] = [];
  plan.ranges.forEach((r, i) => { if (r !== undefined) levelsRead.push(i); });
  const reads: TileRead[] = [];
  for (const key of keys) {
    for (const i of levelsRead) {
      const r = plan.ranges[i]!;
      reads.push({ key, granularityMs: spec.granularities[i]!, from: r.from, to: r.to });
    }
  }
  const [maps, progressText] = await Promise.all([
    reads.length > 0 ? store.readTiles(table, reads) : Promise.resolve([] as Map<number, string>[]),
    store.getMeta(table, META_PROGRESS),
  ]);
  const progress = progressText === null ? undefined : JSON.parse(progressText) as TileProgress;
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
    incomplete: incompleteReasons(spec, plan, t, progress), results,
  };
}

const specLayouts = new WeakMap<TileSinkSpec, Layout>();
function specLayout(spec: TileSinkSpec): Layout {
  let l = specLayouts.get(spec);
  if (l === undefined) { l = bindLayout(spec); specLayouts.set(spec, l); }
  return l;
}

function incompleteReasons(spec: TileSinkSpec, plan: ReadPlan, t: number, p: TileProgress | undefined): string[] {
  if (p === undefined) return ['no-progress'];
  const out: string[] = [];
  if (p.retainedFrom !== null && t < p.retainedFrom) out.push('expired');
  const g = spec.granularities;
  // Exact reads also need the edge entries at t's slice, written once that position is due.
  const edgeThrough = p.tailsThrough[0];
  if (plan.edge !== undefined && edgeThrough !== null && edgeThrough !== undefined && plan.edge >= edgeThrough) out.push('tails-pending');
  for (let i = 0; i < g.length - 1 && !out.includes('tails-pending'); i++) {
    const through = p.tailsThrough[i];
    if (through === null || through === undefined) continue;
    if (plan.windows.some((w) => w.top > i) && ceilTo(plan.end, g[i + 1]!) > through) { out.push('tails-pending'); break; }
  }
  if (p.boundary !== null && plan.end - Math.max(...spec.windows) < p.boundary) out.push('before-boundary');
  return out;
}

/** Merges one key's tiles into its feature values (`precision.ms` grows when coarse edge entries were used). */
function mergeKey(layout: Layout, plan: ReadPlan, t: number, key: string, levelMaps: (Map<number, string> | undefined)[],
  precision: { ms: number }): KeyFeatures {
  const { spec, fns } = layout;
  const cache = layout.parsed;
  const parsed: (Map<number, TileValue> | undefined)[] = levelMaps.map((m, level) => {
    if (m === undefined) return undefined;
    const out = new Map<number, TileValue>();
    for (const [pos, text] of m) {
      if (PARSE_CACHE_ENTRIES <= 0) { out.set(pos, JSON.parse(text) as TileValue); continue; }
      const id = `${level}|${pos}|${key}`;
      const hit = cache.get(id);
      if (hit !== undefined && hit.text === text) { out.set(pos, hit.value); continue; }
      const value = JSON.parse(text) as TileValue;
      if (cache.size >= PARSE_CACHE_ENTRIES) cache.clear();
      cache.set(id, { text, value });
      out.set(pos, value);
    }
    return out;
  });
  let found = false;
  let last = -Infinity;
  // Per window, per call: merged accumulator.
  const accs = new Map<number, unknown[]>();
  for (const wp of plan.windows) {
    const calls = new Set<number>();
    for (const f of spec.features) if (f.windowMs === wp.windowMs) calls.add(f.call);
    const acc = new Array<unknown>(spec.calls.length);
    for (const c of calls) acc[c] = fns[c]!.create();
    const wKey = String(wp.windowMs);
    if (plan.edge !== undefined) {
      // The two partial slices of (t - w, t]: events of t's slice at or before t, and of the slice holding t - w after it.
      const ev = parsed[0]?.get(plan.edge);
      if (ev !== undefined) {
        const w = wp.windowMs;
        if (ev.x !== undefined && ev.x <= t) {
          // Every event of t's slice is at or before t (the usual live read): the head tile as a whole.
          for (const c of calls) {
            const a = decodeTileAcc(fns[c]!, ev.h, spec.calls[c]!.id);
            if (a === undefined) continue;
            acc[c] = fns[c]!.merge(acc[c], a);
            found = true;
          }
          if (ev.x > last) last = ev.x;
        } else if (ev.E !== undefined) {
          const x = mergeEntries(fns, ev.E, plan.edge, layout.slot0, calls, acc, (ts) => ts <= t);
          if (x.any) found = true;
          if (x.newest > last) last = x.newest;
          if ((ev.Eb ?? 1) > precision.ms) precision.ms = ev.Eb!;
        }
        const d = ev.D?.[wKey];
        if (d !== undefined) {
          const order = layout.windowCalls[spec.windows.indexOf(w)]!;
          const pos = new Array<number>(spec.calls.length).fill(-1);
          order.forEach((c, j) => { pos[c] = j; });
          const x = mergeEntries(fns, d, plan.edge - w, pos, calls, acc, (ts) => ts > t - w);
          if (x.any) found = true;
          if (x.newest > last) last = x.newest;
          const b = ev.Db?.[wKey] ?? 1;
          if (b > precision.ms) precision.ms = b;
        }
      }
    }
    for (let i = 0; i < parsed.length; i++) {
      const tiles = parsed[i];
      if (tiles === undefined) continue;
      const h = wp.head[i]!, tl = wp.tail[i]!;
      for (const [pos, v] of tiles) {
        let part: Record<string, unknown> | undefined;
        if (pos >= h.from && pos < h.to) {
          part = v.h;
          if (v.x !== undefined && v.x > last) last = v.x;
        } else if (pos >= tl.from && pos < tl.to) {
          part = v.t?.[wKey];
          const x = v.tx?.[wKey];
          if (x !== undefined && x > last) last = x;
        }
        if (part === undefined) continue;
        for (const c of calls) {
          const a = decodeTileAcc(fns[c]!, part, spec.calls[c]!.id);
          if (a === undefined) continue;
          acc[c] = fns[c]!.merge(acc[c], a);
          found = true;
        }
      }
    }
    accs.set(wp.windowMs, acc);
  }
  const keyParts = spec.columns.some((c) => c.kind === 'key') ? splitKey(key, spec.keyColumns.length) : [];
  const values: Record<string, unknown> = {};
  for (const col of spec.columns) {
    switch (col.kind) {
      case 'key': values[col.name] = parseKeyPart(keyParts[col.part] ?? key, col.type); break;
      case 'feature': {
        const f = spec.features[col.feature]!;
        values[col.name] = fns[f.call]!.result(accs.get(f.windowMs)![f.call]);
        break;
      }
      case 'lastEventTime': values[col.name] = last === -Infinity ? null : last; break;
      case 'windowStart': values[col.name] = plan.end - col.windowMs; break;
      case 'windowEnd': values[col.name] = plan.end; break;
      case 'windowTime': values[col.name] = plan.end - 1; break;
    }
  }
  return { key, values, lastEventTime: last === -Infinity ? null : last, found };
}

/**
 * Merges the edge entries `text` (`[[dt, acc...], ...]`, dt relative to `base`, accumulators at positions `pos[call]`)
 * whose event time passes `keep` into `acc` for `calls`.
 */
function mergeEntries(fns: AggFunction[], text: string, base: number, pos: number[], calls: Set<number>,
  acc: unknown[], keep: (ts: number) => boolean): { any: boolean; newest: number } {
  const entries = JSON.parse(text) as unknown[][];
  let any = false, newest = -Infinity;
  for (const e of entries) {
    const ts = base + (e[0] as number);
    if (!keep(ts)) continue;
    if (ts > newest) newest = ts;
    for (const c of calls) {
      const j = pos[c]!;
      if (j < 0) continue;
      const d = e[j + 1];
      if (d === undefined) continue;
      acc[c] = fns[c]!.merge(acc[c], decodeAcc(fns[c]!, d));
      any = true;
    }
  }
  return { any, newest };
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
