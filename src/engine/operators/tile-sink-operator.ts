/**
 * The streaming side of tiled sliding-window features (docs/serving.md): consumes the rows feeding an OVER RANGE /
 * HOP aggregation whose sink is a KV-store feature table, keeps per key per time slice partial aggregates (tiles) at up
 * to three granularities, and on every flush writes the changed tiles to the store with versions, plus the job's
 * watermark to the table's meta. Emits nothing downstream: the store is its output.
 *
 * Store layout per key and level i (granularity g_i): the value at position q holds
 *   h  the head: accumulators of the events with ts in [q, q + g_i) (calls used at level i), x = their newest ts;
 *   t  tail copies: for each window w whose top level is coarser than i, the accumulators of the tile at q - w
 *      (tx: its newest ts).
 * so that a read at any time needs, per level, one contiguous range of positions around now (serving/read-plan.ts).
 *
 * Invariants:
 *   - versions: the version of position q is the sum of the change counters (rows added) of the tiles it is composed
 *     of. Counters live in checkpointed state and only grow, so values never go backwards in the store and a replay
 *     from a checkpoint re-writes the same (version, value) pairs: idempotent under the store's newer-version rule.
 *   - a tile p of level i stays in state until the watermark passes p + g_i + (longest tail window of level i): after
 *     that no position composed from it can change (rows at or behind the watermark are late and dropped). Once the
 *     watermark passes p + g_i - 1 the tile can no longer change and is kept closed (tile-sink-state.ts ClosedTile):
 *     positions composed from it are byte for byte those composed from the live tile.
 *   - timers: a key has at most one live entry in `wake` (KeyState.w: its next tile end or eviction) and, per level,
 *     a `pending` entry at or before each of its copy positions not yet due (one entry covers all: when it fires,
 *     every copy now due is marked and the key is registered at its next one).
 *   - tail copies are written when due: position q of level i once q is before the end of the block (size g_{i+1})
 *     after the one holding the operator clock (max of watermark and newest event time), so store records stay small;
 *     meta `tailsThrough` tells readers up to where tails are complete.
 *   - rows before `boundary` belong to the offline backfill (docs/serving.md "Offline fusion") and are dropped.
 *   - bulk mode (offline builds): each position is written once, at the first flush after the watermark passed its
 *     end, with the (version, value) the default mode writes last; no store expiry.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField, SqlType } from '../../common/types.js';
import type { AggFunction } from '../../aggregates/agg-function.js';
import { decodeAcc, encodeAcc, resolveAggregate } from '../../aggregates/index.js';
import type { EvalContext } from '../../functions/function-def.js';
import {
  DEFAULT_EDGE_ENTRIES, callsByLevel, callsOfWindow, floorTo, shiftedWindowsOf, tailWindowsOf, type TileSinkSpec, type TiledCall,
} from '../../plan/rules/tile-features.js';
import type { KvStore, TileWrite } from '../kv-store-api.js';
import { Operator, type OperatorContext } from '../operator.js';
import {
  KeyQueue, LEVEL_SPAN, closedHeadItems, closedItems, insertedKey, insertedSlot, lowerBound, removedKeys, removedSlots, type ClosedTile, type KeyState, type LiveTile, type TileSlot,
} from './tile-sink-state.js';

/** Tile value format version, stored in meta `tiles`. */
export const TILE_FORMAT = 1;

/** Decoded tile value: call id → encoded accumulator (see src/aggregates/encode.ts). */
export interface TileValue {
  h?: Record<string, unknown>;
  /** Newest event time in the head tile. */
  x?: number;
  /** Window length (ms, as text) → call id → encoded accumulator of the tile `window` earlier. */
  t?: Record<string, Record<string, unknown>>;
  /** Window length → newest event time of the tile `window` earlier. */
  tx?: Record<string, number>;
  /**
   * Exact layouts, finest level: the head tile's edge entries, JSON text of `[[dt, acc...], ...]` sorted by dt (event
   * time - q), accumulators of callsByLevel[0] in that order (src/aggregates/encode.ts). Kept as text so a reader
   * parses only the one position whose entries it needs.
   */
  E?: string;
  /** Bucket size (ms) of E's entries when the slice had more distinct event times than `edgeEntries` (absent: 1). */
  Eb?: number;
  /** Exact layouts, finest level: window length → the edge entries of the tile `window` earlier, calls of that window. */
  D?: Record<string, string>;
  /** Window length → bucket size of D's entries (absent: 1). */
  Db?: Record<string, number>;
}

/** Meta `watermark` document written on every flush that moved it. */
export interface TileProgress {
  /** Combined input watermark (null before the first one, or at end of input it is the newest event time). */
  watermark: number | null;
  /** Newest event time seen. */
  maxEventTime: number | null;
  /** Per level: tail copies are written for positions before this (null = all, after end of input). */
  tailsThrough: (number | null)[];
  /** Reads at or after this time find every tile they need (older ones may be expired). */
  retainedFrom: number | null;
  /** Wall clock of the flush (epoch ms). */
  flushedAt: number;
  /** Rows owned by the offline backfill: event times before this were not written by the stream. */
  boundary: number | null;
}

/** Meta `tiles` document: the layout, so readers need nothing but the table name. */
export interface TileLayoutMeta { format: number; spec: TileSinkSpec }

export const META_LAYOUT = 'tiles';
export const META_PROGRESS = 'watermark';

export interface TileSinkOptions {
  /** Operator id (the program op id, for checkpoints). */
  id?: string;
  /**
   * Entity key string of an input row (pass connectors/stores/store-key.ts storeKeyFn(spec.keyColumns, inputFields)).
   * The built-in encoder covers character, numeric and boolean keys with the same encoding.
   */
  keyFn?: (row: Row) => string | undefined;
  /** Offline fusion boundary: rows with earlier event times are left to the backfill. */
  boundary?: number;
  /** Wall clock for meta (tests). */
  now?: () => number;
  /** Tile writes per store request. */
  writeChunk?: number;
  /**
   * Write only once this many rows arrived since the last write (and at end of input / before a checkpoint). Default:
   * after every batch, for the freshest reads. Bulk loads (offline backfills) set it high: each position is then
   * composed and written once per many rows instead of once per batch. Safe for exactly-once: unwritten positions
   * are in the checkpointed dirty sets and are written after a restore.
   */
  flushRows?: number;
  /**
   * Added to every version. A job started without restoring a checkpoint over a table an earlier run wrote must use a
   * larger base (e.g. run generation × 2^40) so its writes are newer; a restored job keeps the checkpointed base.
   */
  versionBase?: number;
  /**
   * Bulk mode, for bounded loads that own their table (offline builds; default: the store's `bulkLoad` flag): each
   * position is composed and written once, at the first flush after the watermark passed its end (no row can change
   * it then), or at end of input, instead of at every flush that follows a change. The store ends with the same
   * (version, value) per position as in the default mode (the last write there is of the final tiles); positions are
   * not readable before they are final, so streaming jobs never use it.
   */
  bulk?: boolean;
}

/** Checkpoint format of the operator's state (1: Maps of live tiles, read for migration; 2: compact key state). */
const STATE_FORMAT = 2;

/** Parsed closed tile: see ClosedTile. */
type ClosedParts = [c: number, dx: number, h: unknown[] | 0, entries?: unknown[][], bucket?: number];

/** Format-1 checkpoint state (before compact tiles). */
interface StateV1 {
  state: Map<string, { lv: Map<number, LiveTile>[]; ex: number[] }>;
  dirty: Map<string, Set<number>>[]; pending: { byTime: Map<number, Set<string>>; times: number[] }[]; evict: unknown;
  maxTs: number; versionBase: number;
}

interface StateV2 {
  v: 2; state: Map<string, KeyState>; dirty: Map<string, Set<number>>[]; pending: unknown[]; wake: unknown; polled: number[];
  maxTs: number; versionBase: number;
  /** Bulk mode: per level, the positions not yet written (KeyQueue snapshots). */
  final?: unknown[];
}

export class TileSinkOperator extends Operator {
  private state = new Map<string, KeyState>();
  /** Per level: key → positions to write on the next flush. */
  private dirty: Map<string, Set<number>>[];
  /**
   * Per level: tail / edge copies not yet due → keys. One registration per key and level, at or before the key's
   * earliest position not yet due (>= polled); when it fires, every position of the key now due is marked and the key
   * is registered again at its next one.
   */
  private pending: KeyQueue[];
  /** Per level: `due` at the last poll of `pending` (positions before it were marked dirty when they became due). */
  private polled: number[];
  /** Watermark time → keys with a tile to close (compact) or evict then; one registration per key (KeyState.w). */
  private wake = new KeyQueue();
  private maxTs = -Infinity;
  private lastProgress = '';
  private layoutWritten = false;

  private readonly g: number[];
  private readonly levels: number;
  private readonly fns: AggFunction[];
  private readonly levelCalls: number[][];
  /** Per level, per call index: position in the tile's accumulator array, or -1. */
  private readonly slot: number[][];
  private readonly tailW: number[][];
  /** Per level: windows w for which position q carries part of tile q - w (tails; edges at level 0 when exact). */
  private readonly shiftW: number[][];
  private readonly exact: boolean;
  private readonly edgeCap: number;
  /** Per window of spec.windows: its calls (the order of its D entries). */
  private readonly edgeCalls: number[][];
  /** Per window of spec.windows: its D entries are the finest level's E entries (same calls). */
  private readonly edgeSame: boolean[];
  /** Per level, per tail window: the calls of that window (indices into calls). */
  private readonly tailCalls: number[][][];
  /** Per level: how long a tile stays in state after its end (longest tail window). */
  private readonly keep: number[];
  private readonly argIdx: number[];
  private readonly argMulti: (number[] | undefined)[];
  private readonly filterIdx: number[];
  private readonly keyFn: (row: Row) => string | undefined;
  private readonly timeCol: number;
  private readonly boundary: number;
  private readonly now: () => number;
  private readonly chunk: number;
  private due: number[];
  private versionBase: number;
  private readonly flushRows: number;
  private rowsSinceFlush = 0;
  private readonly bulk: boolean;
  /**
   * Per call: JSON text of its id, for composing `{id: acc}` from closed tiles' text pieces. Undefined when two calls
   * share an id (an object keeps one of them): compose then parses closed tiles instead.
   */
  private readonly idKeys: string[] | undefined;
  /**
   * Bulk mode, per level: time pos + g - 1 (when the watermark makes position pos final) → keys with a position pos to
   * write. Registered when a tile p is created, for p and each copy position p + w no other tile of the key feeds
   * (once per key and position).
   */
  private final: KeyQueue[];

  constructor(readonly spec: TileSinkSpec, ctx: OperatorContext, _evalCtx: EvalContext | undefined, inputFields: RowField[],
    private readonly store: KvStore, opts: TileSinkOptions = {}) {
    super(opts.id ?? `TileSink(${spec.table})`, [], ctx);
    this.g = spec.granularities;
    this.levels = this.g.length;
    this.fns = spec.calls.map(resolveTiled);
    this.levelCalls = callsByLevel(spec);
    this.slot = this.levelCalls.map((cs) => {
      const s = new Array<number>(spec.calls.length).fill(-1);
      cs.forEach((c, j) => { s[c] = j; });
      return s;
    });
    this.tailW = tailWindowsOf(spec);
    this.tailCalls = this.tailW.map((ws) => ws.map((w) => callsOfWindow(spec, w)));
    this.shiftW = shiftedWindowsOf(spec);
    this.exact = spec.exact === true;
    this.edgeCap = spec.edgeEntries ?? DEFAULT_EDGE_ENTRIES;
    this.edgeCalls = spec.windows.map((w) => callsOfWindow(spec, w));
    const lc0 = this.levelCalls[0]!;
    this.edgeSame = this.edgeCalls.map((cs) => cs.length === lc0.length && cs.every((c, j) => c === lc0[j]));
    this.keep = this.shiftW.map((ws) => (ws.length === 0 ? 0 : Math.max(...ws)));
    this.argIdx = spec.calls.map((c) => (c.args.length === 1 ? c.args[0]! : -1));
    this.argMulti = spec.calls.map((c) => (c.args.length > 1 ? c.args : undefined));
    this.filterIdx = spec.calls.map((c) => (c.filterArg === undefined ? -1 : c.filterArg));
    this.keyFn = opts.keyFn ?? defaultKeyFn(spec.keyColumns, inputFields);
    this.timeCol = spec.timeColumn;
    this.boundary = opts.boundary ?? -Infinity;
    this.now = opts.now ?? Date.now;
    this.chunk = opts.writeChunk ?? 4096;
    this.dirty = this.g.map(() => new Map());
    this.pending = this.g.map(() => new KeyQueue());
    this.polled = this.g.map(() => -Infinity);
    this.due = this.g.map(() => -Infinity);
    this.versionBase = opts.versionBase ?? 0;
    this.flushRows = opts.flushRows ?? 0;
    this.bulk = opts.bulk ?? store.bulkLoad === true;
    this.final = this.g.map(() => new KeyQueue());
    const ids = spec.calls.map((c) => c.id);
    this.idKeys = new Set(ids).size === ids.length ? ids.map((id) => JSON.stringify(id)) : undefined;
  }

  process(batch: Batch, _input = 0): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const tc = this.timeCol;
    this.rowsSinceFlush += n;
    for (let r = 0; r < n; r++) {
      const row = rows[r]!;
      if (kinds[r] !== RowKind.Insert) { this.ctx.badRow(this.id, row, 'tiled features require an append-only input'); continue; }
      const ts = row[tc] as number | null;
      if (ts === null || ts === undefined) { this.ctx.badRow(this.id, row, 'event time attribute is NULL'); continue; }
      if (ts <= this.currentWatermark) { this.ctx.metrics.inc('lateRowsDropped'); continue; }
      if (ts < this.boundary) { this.ctx.metrics.inc('rowsBeforeTileBoundary'); continue; }
      const key = this.keyFn(row);
      if (key === undefined) { this.ctx.badRow(this.id, row, 'entity key is NULL'); continue; }
      if (ts > this.maxTs) { this.maxTs = ts; this.updateDue(); }
      let st = this.state.get(key);
      if (st === undefined) {
        st = { id: key, k: [], t: [], w: Infinity };
        this.state.set(key, st);
      }
      for (let i = 0; i < this.levels; i++) this.addToLevel(st, key, i, ts, row);
    }
  }

  private addToLevel(st: KeyState, key: string, i: number, ts: number, row: Row): void {
    const g = this.g[i]!;
    const p = floorTo(ts, g);
    const kk = p + i * LEVEL_SPAN;
    const calls = this.levelCalls[i]!;
    let idx = st.k.length;
    if (idx === 0 || st.k[idx - 1]! !== kk) idx = lowerBound(st.k, kk);
    else idx--;
    let tile: LiveTile;
    if (idx < st.k.length && st.k[idx] === kk) {
      const s = st.t[idx]!;
      // A closed tile ended at or before the watermark: its rows are late and were dropped before.
      if (typeof s === 'string') throw new Error(`internal: row at ${ts} added to closed tile ${p} of ${this.spec.table}`);
      tile = s;
    } else {
      const a = new Array<unknown>(calls.length);
      for (let j = 0; j < calls.length; j++) a[j] = this.fns[calls[j]!]!.create();
      tile = { a, c: 0, x: ts };
      this.onNewTile(st, i, p);
      st.k = insertedKey(st.k, idx, kk);
      st.t = insertedSlot(st.t, idx, tile);
    }
    const a = tile.a;
    let ent: unknown[] | undefined;
    if (i === 0 && this.exact && (tile.e !== undefined || (tile.c > 0 && ts !== tile.x))) {
      // Edge entries per event time; a tile whose rows all share one time keeps none (the entry is `a`).
      let e = tile.e;
      if (e === undefined) {
        const first = new Array<unknown>(calls.length);
        for (let j = 0; j < calls.length; j++) { const fn = this.fns[calls[j]!]!; first[j] = decodeAcc(fn, encodeAcc(fn, a[j])); }
        e = tile.e = new Map([[tile.x, first]]);
      }
      ent = e.get(ts);
      if (ent === undefined) {
        ent = new Array<unknown>(calls.length);
        for (let j = 0; j < calls.length; j++) ent[j] = this.fns[calls[j]!]!.create();
        e.set(ts, ent);
      }
    }
    for (let j = 0; j < calls.length; j++) {
      const c = calls[j]!;
      const f = this.filterIdx[c]!;
      if (f >= 0 && row[f] !== true) continue;
      const ai = this.argIdx[c]!;
      const multi = this.argMulti[c];
      const v = multi !== undefined ? multi.map((m) => row[m]) : ai >= 0 ? row[ai] : true;
      const fn = this.fns[c]!;
      a[j] = fn.add(a[j], v);
      if (ent !== undefined) ent[j] = fn.add(ent[j], v);
    }
    tile.c++;
    if (ts > tile.x) tile.x = ts;
    // Bulk mode: the positions this tile feeds were registered when it was created (onNewTile).
    if (this.bulk) return;
    this.markDirty(i, key, p);
    const tails = this.shiftW[i]!;
    const due = this.due[i]!;
    for (let k = 0; k < tails.length; k++) {
      const q = p + tails[k]!;
      if (q < due) this.markDirty(i, key, q);
    }
  }

  /** Registers a new tile p of level i (before it is inserted): its wake time, and its first copy not yet due. */
  private onNewTile(st: KeyState, i: number, p: number): void {
    const key = st.id;
    const g = this.g[i]!;
    const keep = this.keep[i]!;
    const wakeAt = keep > 0 ? p + g - 1 : p + g;
    if (wakeAt < st.w) { this.wake.register(wakeAt, key); st.w = wakeAt; }
    const tails = this.shiftW[i]!;
    if (this.bulk) {
      // One registration per key and position: the first tile feeding a position registers it (its feeders all stay
      // in state until it is written, see composeFinal).
      const f = this.final[i]!;
      if (!this.fedByOther(st, i, p)) f.register(p + g - 1, key);
      for (let k = 0; k < tails.length; k++) {
        const q = p + tails[k]!;
        if (!this.fedByOther(st, i, q)) f.register(q + g - 1, key);
      }
      return;
    }
    if (tails.length === 0) return;
    const due = this.due[i]!;
    let q = Infinity;
    for (let k = 0; k < tails.length && q === Infinity; k++) if (p + tails[k]! >= due) q = p + tails[k]!;
    // Every copy of the key not yet due has a registration at or before it: register q unless one precedes it.
    if (q !== Infinity && q < this.nextCopy(st, i, due)) this.pending[i]!.register(q, key);
  }

  /** Bulk mode: whether a tile of the key in state (the new one is not inserted yet) feeds position q of level i. */
  private fedByOther(st: KeyState, i: number, q: number): boolean {
    if (this.find(st, i, q) >= 0) return true;
    const tails = this.shiftW[i]!;
    for (let k = 0; k < tails.length; k++) if (this.find(st, i, q - tails[k]!) >= 0) return true;
    return false;
  }

  /** The key's earliest tail / edge copy position at level i that is >= from (Infinity if none). */
  private nextCopy(st: KeyState, i: number, from: number): number {
    const tails = this.shiftW[i]!;
    const base = i * LEVEL_SPAN, top = base + LEVEL_SPAN / 2;
    let best = Infinity;
    for (let k = 0; k < tails.length; k++) {
      const w = tails[k]!;
      const j = lowerBound(st.k, base + Math.max(from - w, -LEVEL_SPAN / 2));
      if (j < st.k.length && st.k[j]! < top) best = Math.min(best, st.k[j]! - base + w);
    }
    return best;
  }

  /** Marks dirty the key's copy positions at level i in [from, to). */
  private markCopies(st: KeyState, key: string, i: number, from: number, to: number): void {
    const tails = this.shiftW[i]!;
    const base = i * LEVEL_SPAN, top = base + LEVEL_SPAN / 2;
    for (let k = 0; k < tails.length; k++) {
      const w = tails[k]!;
      for (let j = lowerBound(st.k, base + Math.max(from - w, -LEVEL_SPAN / 2)); j < st.k.length; j++) {
        const kk = st.k[j]!;
        if (kk >= top || kk - base + w >= to) break;
        this.markDirty(i, key, kk - base + w);
      }
    }
  }

  private markDirty(level: number, key: string, pos: number): void {
    const m = this.dirty[level]!;
    let s = m.get(key);
    if (s === undefined) { s = new Set(); m.set(key, s); }
    s.add(pos);
  }

  /** The operator clock: newest of watermark and event time; at end of input (watermark +inf) everything is due. */
  private updateDue(): void {
    const wm = this.currentWatermark;
    for (let i = 0; i < this.levels; i++) {
      if (this.shiftW[i]!.length === 0) continue;
      if (wm === Infinity) { this.due[i] = Infinity; continue; }
      const clock = Math.max(wm, this.maxTs);
      if (clock === -Infinity) continue;
      const b = this.g[i + 1] ?? this.g[i]!;
      this.due[i] = floorTo(clock, b) + 2 * b;
    }
  }

  protected override onWatermark(_wm: number): void {
    this.updateDue();
  }

  /** Writes changed tiles (and due tail copies), then the progress meta; evicts tiles no write can need any more. */
  async flushAsync(): Promise<void> {
    if (this.rowsSinceFlush < this.flushRows && this.currentWatermark !== Infinity) return;
    this.rowsSinceFlush = 0;
    this.updateDue();
    const writes: TileWrite[] = [];
    if (this.bulk) this.composeFinal(writes);
    else this.composeDirty(writes);
    const expiries = this.evictTiles();
    const meta = this.progress();
    const metaText = JSON.stringify(meta);
    const metaChanged = metaText !== this.lastProgress;
    if (metaChanged) this.lastProgress = metaText;
    const work: Promise<unknown>[] = [];
    if (!this.layoutWritten) {
      this.layoutWritten = true;
      const layout: TileLayoutMeta = { format: TILE_FORMAT, spec: this.spec };
      await this.store.putMeta(this.spec.table, META_LAYOUT, JSON.stringify(layout));
    }
    // Bulk mode: one request for the whole flush (a bulk store sorts it into key order and writes it in large batches).
    const chunk = this.bulk ? Math.max(this.chunk, writes.length) : this.chunk;
    for (let k = 0; k < writes.length; k += chunk) work.push(this.store.writeTiles(this.spec.table, chunk >= writes.length ? writes : writes.slice(k, k + chunk)));
    await Promise.all(work);
    if (writes.length > 0) this.ctx.metrics.inc('tileWrites', writes.length);
    // Bulk mode keeps history: a bulk load writes a layer that reads before the job clock need (no store expiry).
    if (this.store.expireTiles && !this.bulk) {
      const ex: Promise<void>[] = [];
      for (const e of expiries) ex.push(this.store.expireTiles(this.spec.table, e.key, e.g, e.before));
      await Promise.all(ex);
    }
    // Progress last: a reader that sees the new watermark also sees every tile written before it.
    if (metaChanged) await this.store.putMeta(this.spec.table, META_PROGRESS, JSON.stringify({ ...meta, flushedAt: this.now() }));
  }

  /**
   * Bulk mode: composes every position the watermark made final since the last flush (all at end of input). Runs
   * before evictTiles, which keeps every tile until the watermark passes its end plus its longest copy window: the
   * sources of a position final at this flush are all still in state.
   */
  private composeFinal(writes: TileWrite[]): void {
    const wm = this.currentWatermark;
    for (let i = 0; i < this.levels; i++) {
      const q = this.final[i]!;
      const g = this.g[i]!, keep = this.keep[i]!;
      for (let t = q.pollUpTo(wm); t !== undefined; t = q.pollUpTo(wm)) {
        const pos = t[0] - g + 1;
        for (const key of t[1]) {
          const st = this.state.get(key);
          if (st === undefined) continue;
          // The head tile is final: close it now (as evictTiles would next), so that it is encoded once, and both
          // this position and its later copies are composed from its text.
          if (keep > 0) {
            const hi = this.find(st, i, pos);
            if (hi >= 0 && typeof st.t[hi] !== 'string') st.t[hi] = this.close(st.t[hi] as LiveTile, i, pos);
          }
          const w = this.compose(st, i, pos);
          if (w !== undefined) writes.push({ key, granularityMs: g, start: pos, value: flat(w.value), version: w.version });
        }
      }
    }
  }

  /** Default mode: composes the positions changed since the last flush and the tail copies now due. */
  private composeDirty(writes: TileWrite[]): void {
    for (let i = 0; i < this.levels; i++) {
      const q = this.pending[i]!;
      const due = this.due[i]!;
      if (this.shiftW[i]!.length > 0) {
        const from = this.polled[i]!;
        // A key's first entry covers all its copies now due; later (stale or repeated) entries are skipped.
        const seen = new Set<string>();
        for (let t = q.pollUpTo(due - 1); t !== undefined; t = q.pollUpTo(due - 1)) {
          for (const key of t[1]) {
            const st = this.state.get(key);
            if (st === undefined || seen.has(key)) continue;
            seen.add(key);
            this.markCopies(st, key, i, Math.max(t[0], from), due);
            const next = this.nextCopy(st, i, due);
            if (next !== Infinity) q.register(next, st.id);
          }
        }
        this.polled[i] = due;
      }
      const g = this.g[i]!;
      for (const [key, positions] of this.dirty[i]!) {
        const st = this.state.get(key);
        if (st === undefined) continue;
        for (const pos of positions) {
          const w = this.compose(st, i, pos);
          if (w !== undefined) writes.push({ key, granularityMs: g, start: pos, value: w.value, version: w.version });
        }
      }
      this.dirty[i]!.clear();
    }
  }

  /** Index of tile p of level i in st, or -1. */
  private find(st: KeyState, i: number, p: number): number {
    const kk = p + i * LEVEL_SPAN;
    const j = lowerBound(st.k, kk);
    return j < st.k.length && st.k[j] === kk ? j : -1;
  }

  /**
   * The stored value of position q of level i for key state st; undefined when no tile contributes. Built as text in
   * the property order `JSON.stringify` gives the TileValue object (h, x, E, Eb, then t/tx/D/Db in order of first use;
   * window keys ascending), from live accumulators or from closed tiles' stored texts.
   */
  private compose(st: KeyState, i: number, q: number): { value: string; version: number } | undefined {
    const edge = i === 0 && this.exact;
    const calls = this.spec.calls;
    let version = 0;
    let out = '';
    const hi = this.find(st, i, q);
    if (hi >= 0) {
      const head = st.t[hi]!;
      let hText: string, x: number, eText: string | undefined, bucket = 1;
      if (typeof head === 'string' && this.idKeys !== undefined) {
        const v = closedItems(head);
        version += Number(v[0]);
        x = q + Number(v[1]);
        hText = objectText(this.idKeys, this.levelCalls[i]!, closedHeadItems(v), this.slot[i]!);
        if (v.length > 3) { eText = v[3]!; if (v.length > 4) bucket = Number(v[4]); }
      } else if (typeof head === 'string') {
        const v = JSON.parse(head) as ClosedParts;
        version += v[0];
        x = q + v[1];
        hText = JSON.stringify(this.closedHead(v, i));
        if (v[3] !== undefined) { eText = JSON.stringify(v[3]); bucket = v[4] ?? 1; }
      } else {
        version += head.c;
        x = head.x;
        const h: Record<string, unknown> = {};
        const lc = this.levelCalls[i]!;
        for (let j = 0; j < lc.length; j++) h[calls[lc[j]!]!.id] = encodeAcc(this.fns[lc[j]!]!, head.a[j]);
        hText = JSON.stringify(h);
        if (edge) { const r = this.entriesOf(head, this.levelCalls[0]!); eText = JSON.stringify(r.rows); bucket = r.bucket; }
      }
      out = `"h":${hText},"x":${x}`;
      if (eText !== undefined) { out += `,"E":${JSON.stringify(eText)}`; if (bucket > 1) out += `,"Eb":${bucket}`; }
    }
    const tails = this.tailW[i]!;
    const shifted = this.shiftW[i]!;
    let t: string | undefined, tx: string | undefined, d: string | undefined, db: string | undefined;
    let order = '';
    for (let k = 0; k < shifted.length; k++) {
      const w = shifted[k]!;
      const si = this.find(st, i, q - w);
      if (si < 0) continue;
      const src = st.t[si]!;
      if (typeof src === 'string' && this.idKeys !== undefined) {
        // Closed source, from its text's pieces (no parse).
        const v = closedItems(src);
        version += Number(v[0]);
        const tk = tails.indexOf(w);
        if (tk >= 0) {
          const part = objectText(this.idKeys, this.tailCalls[i]![tk]!, closedHeadItems(v), this.slot[i]!);
          if (t === undefined) { t = ''; tx = ''; order += 'T'; } else { t += ','; tx += ','; }
          t += `"${w}":${part}`;
          tx += `"${w}":${q - w + Number(v[1])}`;
        }
        if (edge) {
          const wi = this.spec.windows.indexOf(w);
          const bucket = v.length > 4 ? Number(v[4]) : 1;
          let text: string;
          if (this.edgeSame[wi]) text = v[3]!;
          else {
            const slot0 = this.slot[0]!, ec = this.edgeCalls[wi]!;
            text = JSON.stringify((JSON.parse(v[3]!) as unknown[][]).map((r) => { const o: unknown[] = [r[0]]; for (const c of ec) o.push(r[1 + slot0[c]!]); return o; }));
          }
          if (d === undefined) { d = ''; order += 'D'; } else d += ',';
          d += `"${w}":${JSON.stringify(text)}`;
          if (bucket > 1) {
            if (db === undefined) { db = ''; order += 'B'; } else db += ',';
            db += `"${w}":${bucket}`;
          }
        }
        continue;
      }
      const closed = typeof src === 'string' ? JSON.parse(src) as ClosedParts : undefined;
      version += closed !== undefined ? closed[0] : (src as LiveTile).c;
      const tk = tails.indexOf(w);
      if (tk >= 0) {
        const part: Record<string, unknown> = {};
        const tc = this.tailCalls[i]![tk]!;
        if (closed !== undefined) {
          const h = this.closedHead(closed, i);
          for (const c of tc) part[calls[c]!.id] = h[calls[c]!.id];
        } else {
          for (const c of tc) part[calls[c]!.id] = encodeAcc(this.fns[c]!, (src as LiveTile).a[this.slot[i]![c]!]);
        }
        const sx = closed !== undefined ? q - w + closed[1] : (src as LiveTile).x;
        if (t === undefined) { t = ''; tx = ''; order += 'T'; } else { t += ','; tx += ','; }
        t += `"${w}":${JSON.stringify(part)}`;
        tx += `"${w}":${sx}`;
      }
      if (edge) {
        const wi = this.spec.windows.indexOf(w);
        let text: string, bucket: number;
        if (closed !== undefined) {
          const rows = closed[3]!;
          bucket = closed[4] ?? 1;
          if (this.edgeSame[wi]) text = JSON.stringify(rows);
          else {
            const slot0 = this.slot[0]!, ec = this.edgeCalls[wi]!;
            text = JSON.stringify(rows.map((r) => { const o: unknown[] = [r[0]]; for (const c of ec) o.push(r[1 + slot0[c]!]); return o; }));
          }
        } else {
          const r = this.entriesOf(src as LiveTile, this.edgeCalls[wi]!);
          text = JSON.stringify(r.rows);
          bucket = r.bucket;
        }
        if (d === undefined) { d = ''; order += 'D'; } else d += ',';
        d += `"${w}":${JSON.stringify(text)}`;
        if (bucket > 1) {
          if (db === undefined) { db = ''; order += 'B'; } else db += ',';
          db += `"${w}":${bucket}`;
        }
      }
    }
    if (version === 0) return undefined;
    for (const o of order) {
      const part = o === 'T' ? `"t":{${t!}},"tx":{${tx!}}` : o === 'D' ? `"D":{${d!}}` : `"Db":{${db!}}`;
      out = out === '' ? part : `${out},${part}`;
    }
    return { value: `{${out}}`, version: this.versionBase + version };
  }

  /** The encoded head `{callId: acc}` of a closed tile (its single edge entry when not stored). Slow path: see idKeys. */
  private closedHead(v: ClosedParts, i: number): Record<string, unknown> {
    const accs = v[2] !== 0 ? v[2] : v[3]![0]!.slice(1);
    const lc = this.levelCalls[i]!;
    const h: Record<string, unknown> = {};
    for (let j = 0; j < lc.length; j++) h[this.spec.calls[lc[j]!]!.id] = accs[j];
    return h;
  }

  /** Closes a live tile p of level i (the watermark passed its end): the ClosedTile text it is kept as. */
  private close(tile: LiveTile, i: number, p: number): ClosedTile {
    const lc = this.levelCalls[i]!;
    if (i === 0 && this.exact && tile.e === undefined && this.edgeCap >= 1) {
      // One event time (most tiles of sparse keys): its single entry is the head, what entriesOf gives, directly.
      const item: unknown[] = [tile.x - p];
      for (let j = 0; j < lc.length; j++) item.push(encodeAcc(this.fns[lc[j]!]!, tile.a[j]));
      return flat(JSON.stringify([tile.c, tile.x - p, 0, [item]]));
    }
    if (i === 0 && this.exact) {
      const r = this.entriesOf(tile, lc);
      const h = r.rows.length !== 1 || r.bucket !== 1 ? this.encodedHead(tile, lc) : 0;
      return flat(JSON.stringify(r.bucket > 1 ? [tile.c, tile.x - p, h, r.rows, r.bucket] : [tile.c, tile.x - p, h, r.rows]));
    }
    return flat(JSON.stringify([tile.c, tile.x - p, this.encodedHead(tile, lc)]));
  }

  /** The encoded accumulators of a live tile, in the order of its level's calls `lc`. */
  private encodedHead(tile: LiveTile, lc: readonly number[]): unknown[] {
    const h = new Array<unknown>(lc.length);
    for (let j = 0; j < lc.length; j++) h[j] = encodeAcc(this.fns[lc[j]!]!, tile.a[j]);
    return h;
  }

  /**
   * Edge entries of a live finest-level tile as stored: `[[dt, acc of calls[0], ...], ...]` by event time, dt relative
   * to the slice start. Beyond `edgeEntries` distinct times, entries are merged into buckets (the smallest power-of-two
   * ms that fits), each entry then standing at its bucket's start: reads are exact to that bucket.
   */
  private entriesOf(tile: LiveTile, callsOut: readonly number[]): { rows: unknown[][]; bucket: number } {
    const e = tile.e ?? new Map([[tile.x, tile.a]]);
    const lc = this.levelCalls[0]!;
    const slot0 = this.slot[0]!;
    const times = [...e.keys()].sort((x, y) => x - y);
    const base = floorTo(times[0]!, this.g[0]!);
    let bucket = 1;
    let rows: { t: number; acc: unknown[] }[];
    if (times.length <= this.edgeCap) {
      rows = times.map((t) => ({ t, acc: e.get(t)! }));
    } else {
      do {
        bucket *= 2;
        let n = 0, prev = NaN;
        for (const t of times) { const b = floorTo(t, bucket); if (b !== prev) { n++; prev = b; } }
        if (n <= this.edgeCap) break;
      } while (bucket < this.g[0]!);
      rows = [];
      for (const t of times) {
        const b = floorTo(t, bucket);
        const src = e.get(t)!;
        const last = rows[rows.length - 1];
        if (last !== undefined && last.t === b) {
          for (let j = 0; j < lc.length; j++) last.acc[j] = this.fns[lc[j]!]!.merge(last.acc[j], src[j]);
        } else {
          const acc = new Array<unknown>(lc.length);
          for (let j = 0; j < lc.length; j++) acc[j] = this.fns[lc[j]!]!.merge(this.fns[lc[j]!]!.create(), src[j]);
          rows.push({ t: b, acc });
        }
      }
    }
    const out: unknown[][] = [];
    for (const r of rows) {
      const item: unknown[] = [r.t - base];
      for (const c of callsOut) item.push(encodeAcc(this.fns[c]!, r.acc[slot0[c]!]));
      out.push(item);
    }
    return { rows: out, bucket };
  }

  /**
   * Wakes the keys whose next tile end or eviction the watermark reached: closes their ended tiles (kept compact while
   * later copies need them), drops tiles past their retention, and returns the store expiries to issue (throttled per
   * key and level; checked, as always, when a key drops tiles).
   */
  private evictTiles(): { key: string; g: number; before: number }[] {
    const out: { key: string; g: number; before: number }[] = [];
    const wm = this.currentWatermark;
    if (wm === -Infinity) return out;
    let horizons: (number | undefined)[] | undefined;
    for (let t = this.wake.pollUpTo(wm); t !== undefined; t = this.wake.pollUpTo(wm)) {
      for (const key of t[1]) {
        const st = this.state.get(key);
        // Stale entry: the key was woken earlier in this pass (w moved past the watermark) or re-registered earlier.
        if (st === undefined || st.w > t[0]) continue;
        st.w = Infinity;
        let next = Infinity;
        let evicted = false;
        for (let i = 0; i < this.levels; i++) {
          // Level i's block of tiles [a, b): ended tiles are a prefix (evicted first), live ones a suffix (closed next).
          const base = i * LEVEL_SPAN;
          const a = lowerBound(st.k, base - LEVEL_SPAN / 2);
          let b = lowerBound(st.k, base + LEVEL_SPAN / 2, a);
          const g = this.g[i]!, keep = this.keep[i]!;
          let e = a;
          while (e < b && st.k[e]! - base + g + keep <= wm) e++;
          if (e > a) {
            st.k = removedKeys(st.k, a, e);
            st.t = removedSlots(st.t, a, e);
            b -= e - a;
            evicted = true;
          }
          if (a === b) continue;
          let live = b;
          while (live > a && typeof st.t[live - 1] !== 'string') live--;
          if (keep > 0) {
            for (; live < b; live++) {
              const p = st.k[live]! - base;
              if (p + g - 1 > wm) break;
              st.t[live] = this.close(st.t[live] as LiveTile, i, p);
            }
          }
          // Next wake of this level: the first tile's eviction (its end if still live), the first live tile's end.
          const p0 = st.k[a]! - base;
          next = Math.min(next, typeof st.t[a] === 'string' || keep === 0 ? p0 + g + keep : p0 + g - 1);
          if (keep > 0 && live < b) next = Math.min(next, st.k[live]! - base + g - 1);
        }
        if (!evicted) {
          if (next !== Infinity) { this.wake.register(next, st.id); st.w = next; }
          continue;
        }
        horizons ??= this.storeHorizons();
        for (let i = 0; i < this.levels; i++) {
          const h = horizons[i]!;
          if (h !== undefined && h - (st.ex?.[i] ?? -Infinity) >= (this.g[i + 1] ?? this.g[i]! * 60)) {
            (st.ex ??= this.g.map(() => -Infinity))[i] = h;
            out.push({ key, g: this.g[i]!, before: h });
          }
        }
        if (st.k.length === 0) this.state.delete(key);
        else { this.wake.register(next, st.id); st.w = next; }
      }
    }
    return out;
  }

  /**
   * Per level: store positions before this are not needed by reads at t >= clock - retentionMs (the head block of
   * the next level, or the start of the longest window topped at this level).
   */
  private storeHorizons(): (number | undefined)[] {
    const clock = Math.max(this.currentWatermark === Infinity ? -Infinity : this.currentWatermark, this.maxTs);
    if (clock === -Infinity) return this.g.map(() => undefined);
    const e = floorTo(clock - this.spec.retentionMs, this.g[0]!);
    return this.g.map((g, i) => {
      let h = Infinity;
      if (this.shiftW[i]!.length > 0) h = Math.min(h, floorTo(e, this.g[i + 1] ?? g));
      for (const w of this.spec.windows) if (this.topOf(w) === i) h = Math.min(h, floorTo(e - w, g));
      return h === Infinity ? undefined : h;
    });
  }

  private topOf(w: number): number {
    let k = 0;
    for (let i = 1; i < this.levels; i++) if (w % this.g[i]! === 0) k = i;
    return k;
  }

  private progress(): Omit<TileProgress, 'flushedAt'> {
    const wm = this.currentWatermark;
    const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const clock = Math.max(wm === Infinity ? -Infinity : wm, this.maxTs);
    return {
      watermark: wm === Infinity ? fin(this.maxTs) : fin(wm),
      maxEventTime: fin(this.maxTs),
      tailsThrough: this.due.map((d, i) => (this.shiftW[i]!.length === 0 || d === Infinity ? null : fin(d) ?? -1)),
      retainedFrom: clock === -Infinity ? null : clock - this.spec.retentionMs,
      boundary: fin(this.boundary),
    };
  }

  override finish(): void { this.updateDue(); }

  /** Keys with state, tiles held, and how many of them are closed (compact) (for memory accounting and tests). */
  stats(): { keys: number; tiles: number; closed: number } {
    let tiles = 0, closed = 0;
    for (const st of this.state.values()) {
      tiles += st.k.length;
      for (const s of st.t) if (typeof s === 'string') closed++;
    }
    return { keys: this.state.size, tiles, closed };
  }

  override snapshot(): unknown {
    const s: StateV2 = {
      v: STATE_FORMAT, state: this.state, dirty: this.dirty, pending: this.pending.map((p) => p.snapshot()), wake: this.wake.snapshot(),
      polled: this.polled, maxTs: this.maxTs, versionBase: this.versionBase,
      ...(this.bulk ? { final: this.final.map((f) => f.snapshot()) } : {}),
    };
    return s;
  }

  override restore(s: unknown): void {
    const v = (s as { v?: unknown }).v;
    if (v === undefined && (s as { evict?: unknown }).evict !== undefined) this.restoreV1(s as StateV1);
    else if (v === STATE_FORMAT) {
      const st = s as StateV2;
      this.state = st.state;
      this.dirty = st.dirty;
      st.pending.forEach((p, i) => this.pending[i]!.restore(p));
      this.wake.restore(st.wake);
      this.polled = st.polled;
      this.maxTs = st.maxTs;
      this.versionBase = st.versionBase;
      st.final?.forEach((f, i) => this.final[i]!.restore(f));
    } else {
      throw new Error(`TileSink(${this.spec.table}): checkpoint state format ${String(v)} is not supported (this version reads 1 and ${STATE_FORMAT})`);
    }
    this.lastProgress = '';
    this.layoutWritten = false;
    this.updateDue();
  }

  /**
   * Format 1 (Maps of live tiles, one pending registration per copy, one eviction registration per tile): tiles are
   * taken over as live tiles (closed when their key next wakes); the old registrations stay valid wake-ups. Copies
   * below the earliest old pending registration were all marked when they became due.
   */
  private restoreV1(st: StateV1): void {
    this.state = new Map();
    for (const [key, old] of st.state) {
      const ks: number[] = [], ts: TileSlot[] = [];
      old.lv.forEach((m, i) => {
        for (const p of [...m.keys()].sort((a, b) => a - b)) { ks.push(p + i * LEVEL_SPAN); ts.push(m.get(p)!); }
      });
      this.state.set(key, { id: key, k: ks, t: ts, w: -Infinity, ex: old.ex });
    }
    this.dirty = st.dirty;
    st.pending.forEach((p, i) => this.pending[i]!.restore(p));
    this.wake.restore(st.evict);
    this.maxTs = st.maxTs;
    this.versionBase = st.versionBase;
    this.updateDue();
    this.polled = this.pending.map((p, i) => Math.min(p.first(), this.due[i]!));
  }
}

/**
 * `{id: acc, ...}` as JSON.stringify writes it, for calls `want` (indices into the spec's calls, in that order), the
 * accumulators being `accs`, JSON pieces in the order of the level's calls (slot: call → index there).
 */
function objectText(idKeys: readonly string[], want: readonly number[], accs: readonly string[], slot: readonly number[]): string {
  let s = '{';
  for (let j = 0; j < want.length; j++) {
    const c = want[j]!;
    s += (j === 0 ? '' : ',') + idKeys[c]! + ':' + accs[slot[c]!]!;
  }
  return s + '}';
}

/**
 * `s` stored flat: JSON.stringify builds longer texts as a tree of concatenated pieces (about 1.5 times the memory of
 * the text); reading a character makes the engine copy it into one flat string, and the tree is dropped at the next GC.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** The aggregate function of a tiled call (append-only variants: tiles never retract). */
export function resolveTiled(c: TiledCall): AggFunction {
  const res = resolveAggregate({ name: c.name, argTypes: c.argTypes, distinct: c.distinct, literalArgs: c.literalArgs ?? [], needRetraction: false, grouped: true });
  if (!res.ok) throw new Error(`internal: tiled aggregate ${c.id} did not resolve: ${res.message}`);
  return res.create();
}

/** Decodes the accumulator of call `fn` from a tile value part; undefined when absent. */
export function decodeTileAcc(fn: AggFunction, part: Record<string, unknown> | undefined, id: string): unknown {
  if (part === undefined) return undefined;
  const d = part[id];
  return d === undefined ? undefined : decodeAcc(fn, d);
}

/** The store key encoding of connectors/stores/store-key.ts for character, numeric and boolean key columns. */
function defaultKeyFn(columns: readonly number[], fields: readonly RowField[]): (row: Row) => string | undefined {
  const simple = (t: SqlType): boolean => ['CHAR', 'VARCHAR', 'BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL'].includes(t.kind);
  for (const c of columns) {
    const t = fields[c]?.type;
    if (!t || !simple(t)) {
      return () => { throw new Error(`internal: TileSinkOperator needs options.keyFn for key column type ${t?.kind ?? '?'}`); };
    }
  }
  const text = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));
  if (columns.length === 1) {
    const c = columns[0]!;
    return (row) => { const v = row[c]; return v === null || v === undefined ? undefined : text(v); };
  }
  return (row) => {
    let out = '';
    for (let i = 0; i < columns.length; i++) {
      const v = row[columns[i]!];
      if (v === null || v === undefined) return undefined;
      const s = text(v);
      out += (i === 0 ? '' : '|') + (s.includes('\\') || s.includes('|') ? s.replace(/[\\|]/g, '\\$&') : s);
    }
    return out;
  };
}
