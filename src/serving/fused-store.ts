/**
 * Offline fusion on the read side (docs/offline.md): a KvStore view that merges a feature table's streaming tiles
 * with the tiles an offline backfill wrote to its offline layer (`<table>~offline`), so readFeatures (and every
 * caller of it: HTTP serving, checks, training sets) reads fused values without knowing about fusion.
 *
 * The boundary B is recorded by the backfill in the online table's meta `fusion` (never guessed). Events with
 * ts < B come from the offline layer, events with ts >= B from the stream. Per tile part (a head tile at position p
 * of granularity g, or a tail copy at p whose source tile starts at p - w):
 *   offline part used  iff source start < B          (the offline layer holds only events before B)
 *   online part used   iff source start + g > B      (the tile holds events at or after B)
 * and when both are used (a tile straddling B) their accumulators are merged with the aggregation algebra's merge.
 * This counts each event exactly once provided an online tile straddling B holds no event before B: B is a multiple
 * of the coarsest tile size (no tile straddles it), or the stream itself drops events before B (its `boundary`).
 * The backfill checks this before recording B.
 *
 * Cost per readTiles batch: the online and offline records are read by two concurrent readTiles calls (same
 * requests, two table names; node-redis pipelines them into one round trip); the `fusion` and `tiles` metas are
 * cached for metaTtlMs. Tables without a `fusion` meta are read straight through. A fused text is kept per tile while
 * both of its inputs read back as the same texts (FusedTexts), so unchanged tiles cost no parse and no stringify, and
 * readers that cache by text (read-features.ts) get the same string back.
 */
import type { AggFunction } from '../aggregates/agg-function.js';
import { encodeAcc } from '../aggregates/index.js';
import type { KvStore, StoredValue, TileRead, TileWrite, VersionedWrite } from '../engine/kv-store-api.js';
import {
  META_LAYOUT, META_PROGRESS, decodeTileAcc, resolveTiled, type TileLayoutMeta, type TileProgress, type TileValue,
} from '../engine/operators/tile-sink-operator.js';
import { META_FUSION, type FusionMeta } from '../plan/rules/tile-features.js';

export { META_FUSION, type FusionMeta };

export interface FusedStoreOptions {
  /** How long the fusion and layout metas are reused (default 1 s). */
  metaTtlMs?: number;
}

interface TableFusion { fusion: FusionMeta | null; fns: Map<string, AggFunction>; loadedAt: number }

/** Most fused tile texts kept (all tables; emptied when full, like the serving caches). */
const FUSED_TEXTS = 200_000;

/** A fused tile text and the two texts it was made of (undefined: the side had no tile). */
interface FusedText { on: string | undefined; off: string | undefined; out: string | undefined }

/**
 * Fused texts per table and tile (`key \0 granularity \0 start`), valid for one boundary and offline table: a tile's
 * fused text depends only on its two input texts, its position and granularity, the boundary and the functions.
 */
interface FusedTexts { boundary: number; offlineTable: string; byTile: Map<string, FusedText> }

export class FusedStore implements KvStore {
  readonly kind: string;
  private readonly cache = new Map<string, TableFusion>();
  /** Per table: the last progress text read and its rewrite. */
  private readonly progress = new Map<string, { text: string; from: number | null; out: string }>();
  private readonly ttl: number;
  private readonly fusedTexts = new Map<string, FusedTexts>();
  private fusedCount = 0;

  constructor(readonly inner: KvStore, opts: FusedStoreOptions = {}) {
    this.kind = inner.kind;
    this.ttl = opts.metaTtlMs ?? 1000;
  }

  open(): Promise<void> { return this.inner.open(); }
  close(): Promise<void> { return this.inner.close(); }
  multiGet(table: string, keys: readonly string[]): Promise<(StoredValue | null)[]> { return this.inner.multiGet(table, keys); }
  multiPut(table: string, writes: readonly VersionedWrite[]): Promise<number> { return this.inner.multiPut(table, writes); }
  writeTiles(table: string, writes: readonly TileWrite[]): Promise<number> { return this.inner.writeTiles(table, writes); }
  putMeta(table: string, name: string, value: string): Promise<void> { return this.inner.putMeta(table, name, value); }
  async flush(): Promise<void> { await this.inner.flush?.(); }

  /** The table's fusion record (cached), or null when it has no offline layer. */
  async fusionOf(table: string): Promise<FusionMeta | null> {
    return (await this.load(table)).fusion;
  }

  private async load(table: string): Promise<TableFusion> {
    const hit = this.cache.get(table);
    if (hit !== undefined && Date.now() - hit.loadedAt < this.ttl) return hit;
    const [f, l] = await Promise.all([this.inner.getMeta(table, META_FUSION), this.inner.getMeta(table, META_LAYOUT)]);
    const fusion = f === null ? null : JSON.parse(f) as FusionMeta;
    const fns = new Map<string, AggFunction>();
    if (l !== null) for (const c of (JSON.parse(l) as TileLayoutMeta).spec.calls) fns.set(c.id, resolveTiled(c));
    const tf = { fusion, fns, loadedAt: Date.now() };
    this.cache.set(table, tf);
    return tf;
  }

  /** The job's progress with `boundary` replaced by the start of the offline layer (readers flag windows before it). */
  async getMeta(table: string, name: string): Promise<string | null> {
    const text = await this.inner.getMeta(table, name);
    if (name !== META_PROGRESS || text === null) return text;
    const { fusion } = await this.load(table);
    if (fusion === null) return text;
    // The progress changes once per job flush while reads come thousands of times a second: rewrite it once per text.
    const last = this.progress.get(table);
    if (last !== undefined && last.text === text && last.from === fusion.from) return last.out;
    const p = JSON.parse(text) as TileProgress;
    const out = JSON.stringify({ ...p, boundary: fusion.from });
    this.progress.set(table, { text, from: fusion.from, out });
    return out;
  }

  async readTiles(table: string, reads: readonly TileRead[]): Promise<Map<number, string>[]> {
    const tf = await this.load(table);
    const fusion = tf.fusion;
    if (fusion === null) return this.inner.readTiles(table, reads);
    const [on, off] = await Promise.all([this.inner.readTiles(table, reads), this.inner.readTiles(fusion.offlineTable, reads)]);
    const b = fusion.boundary;
    let memo = this.fusedTexts.get(table);
    if (memo === undefined || memo.boundary !== b || memo.offlineTable !== fusion.offlineTable) {
      if (memo !== undefined) this.fusedCount -= memo.byTile.size;
      memo = { boundary: b, offlineTable: fusion.offlineTable, byTile: new Map() };
      this.fusedTexts.set(table, memo);
    }
    const out: Map<number, string>[] = new Array(reads.length);
    for (let i = 0; i < reads.length; i++) out[i] = this.fuseRecords(memo, reads[i]!, on[i]!, off[i]!, tf.fns);
    return out;
  }

  /** mergeRecords through the table's fused texts. */
  private fuseRecords(memo: FusedTexts, r: TileRead, on: Map<number, string>, off: Map<number, string>, fns: Map<string, AggFunction>): Map<number, string> {
    const out = new Map<number, string>();
    const g = r.granularityMs;
    const add = (pos: number): void => {
      const a = on.get(pos), o = off.get(pos);
      const id = `${r.key}\0${g}\0${pos}`;
      let f = memo.byTile.get(id);
      if (f === undefined || f.on !== a || f.off !== o) {
        const v = fuseValue(a === undefined ? undefined : JSON.parse(a) as FusableValue, o === undefined ? undefined : JSON.parse(o) as FusableValue, pos, g, memo.boundary, fns);
        if (f === undefined) {
          if (this.fusedCount >= FUSED_TEXTS) { for (const m of this.fusedTexts.values()) m.byTile.clear(); this.fusedCount = 0; }
          this.fusedCount++;
        }
        f = { on: a, off: o, out: v === undefined ? undefined : JSON.stringify(v) };
        memo.byTile.set(id, f);
      }
      if (f.out !== undefined) out.set(pos, f.out);
    };
    for (const pos of on.keys()) add(pos);
    for (const pos of off.keys()) if (!on.has(pos)) add(pos);
    return out;
  }
}

/** Fuses one record's positions (see the module comment for which parts each side contributes). */
export function mergeRecords(on: Map<number, string>, off: Map<number, string>, g: number, b: number, fns: Map<string, AggFunction>): Map<number, string> {
  const out = new Map<number, string>();
  const positions = new Set<number>([...on.keys(), ...off.keys()]);
  for (const pos of positions) {
    const a = on.get(pos), o = off.get(pos);
    const v = fuseValue(a === undefined ? undefined : JSON.parse(a) as FusableValue, o === undefined ? undefined : JSON.parse(o) as FusableValue, pos, g, b, fns);
    if (v !== undefined) out.set(pos, JSON.stringify(v));
  }
  return out;
}

/** Tile value fields this view knows (TileValue plus the exact layouts' edge entries, docs/serving.md "Exact edges"). */
interface FusableValue extends TileValue {
  E?: string; Eb?: number; D?: Record<string, string>; Db?: Record<string, number>;
}

function fuseValue(on: FusableValue | undefined, off: FusableValue | undefined, pos: number, g: number, b: number, fns: Map<string, AggFunction>): TileValue | undefined {
  const v: FusableValue = {};
  const useOn = (src: number): boolean => src + g > b;
  const useOff = (src: number): boolean => src < b;
  const a = useOn(pos) ? on : undefined, o = useOff(pos) ? off : undefined;
  const h = mergeParts(a?.h, o?.h, fns);
  if (h !== undefined) {
    v.h = h;
    const x = Math.max(a?.x ?? -Infinity, o?.x ?? -Infinity);
    if (x !== -Infinity) v.x = x;
  }
  const e = mergeEntries(a?.E, a?.Eb, o?.E, o?.Eb, fns);
  if (e !== undefined) { v.E = e.text; if (e.bucket > 1) v.Eb = e.bucket; }
  const windows = new Set<string>([...Object.keys(on?.t ?? {}), ...Object.keys(off?.t ?? {}), ...Object.keys(on?.D ?? {}), ...Object.keys(off?.D ?? {})]);
  for (const wk of windows) {
    const src = pos - Number(wk);
    const ta = useOn(src) ? on : undefined, to = useOff(src) ? off : undefined;
    const t = mergeParts(ta?.t?.[wk], to?.t?.[wk], fns);
    if (t !== undefined) {
      (v.t ??= {})[wk] = t;
      const x = Math.max(ta?.tx?.[wk] ?? -Infinity, to?.tx?.[wk] ?? -Infinity);
      if (x !== -Infinity) (v.tx ??= {})[wk] = x;
    }
    const d = mergeEntries(ta?.D?.[wk], ta?.Db?.[wk], to?.D?.[wk], to?.Db?.[wk], fns);
    if (d !== undefined) { (v.D ??= {})[wk] = d.text; if (d.bucket > 1) (v.Db ??= {})[wk] = d.bucket; }
  }
  return v.h === undefined && v.t === undefined && v.E === undefined && v.D === undefined ? undefined : v;
}

/**
 * Edge entries of one slice from both sides. One side only: kept as stored. Both (a finest slice straddling a stream
 * boundary that is not aligned: the two sides hold different event times): the entries are concatenated in event-time
 * order and stay separate (entries are per event time; merging equal times is not needed because the sides are disjoint).
 */
function mergeEntries(a: string | undefined, ab: number | undefined, b: string | undefined, bb: number | undefined,
  _fns: Map<string, AggFunction>): { text: string; bucket: number } | undefined {
  if (a === undefined && b === undefined) return undefined;
  if (b === undefined) return { text: a!, bucket: ab ?? 1 };
  if (a === undefined) return { text: b, bucket: bb ?? 1 };
  const all = [...(JSON.parse(a) as [number, ...unknown[]][]), ...(JSON.parse(b) as [number, ...unknown[]][])].sort((x, y) => x[0] - y[0]);
  return { text: JSON.stringify(all), bucket: Math.max(ab ?? 1, bb ?? 1) };
}

/** Merges two parts (call id → encoded accumulator); a part present on one side only is kept as stored. */
function mergeParts(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined, fns: Map<string, AggFunction>): Record<string, unknown> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out: Record<string, unknown> = { ...a };
  for (const [id, enc] of Object.entries(b)) {
    if (!(id in out)) { out[id] = enc; continue; }
    const fn = fns.get(id);
    if (fn === undefined) continue;
    out[id] = encodeAcc(fn, fn.merge(decodeTileAcc(fn, a, id), decodeTileAcc(fn, b, id)));
  }
  return out;
}
