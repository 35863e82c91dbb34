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
 *     that no position composed from it can change (rows at or behind the watermark are late and dropped).
 *   - tail copies are written when due: position q of level i once q is before the end of the block (size g_{i+1})
 *     after the one holding the operator clock (max of watermark and newest event time), so store records stay small;
 *     meta `tailsThrough` tells readers up to where tails are complete.
 *   - rows before `boundary` belong to the offline backfill (docs/serving.md "Offline fusion") and are dropped.
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
import { TimerQueue } from '../timer-queue.js';

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
}

interface Tile {
  /** Accumulators of callsByLevel[level], in that order. */
  a: unknown[];
  /** Exact layouts, finest level: event time → accumulators of the events at that time (as `a`). */
  e?: Map<number, unknown[]>;
  /** Change counter: rows added. */
  c: number;
  /** Newest event time added. */
  x: number;
}

interface KeyState {
  /** Per level: tile start → tile. */
  lv: Map<number, Tile>[];
  /** Per level: the store positions before this were expired for this key. */
  ex: number[];
}

export class TileSinkOperator extends Operator {
  private state = new Map<string, KeyState>();
  /** Per level: key → positions to write on the next flush. */
  private dirty: Map<string, Set<number>>[];
  /** Per level: tail positions not yet due → keys. */
  private pending: TimerQueue<string>[];
  /** Eviction time → keys with a tile that may be dropped then. */
  private evict = new TimerQueue<string>();
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
    this.pending = this.g.map(() => new TimerQueue<string>());
    this.due = this.g.map(() => -Infinity);
    this.versionBase = opts.versionBase ?? 0;
    this.flushRows = opts.flushRows ?? 0;
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
        st = { lv: this.g.map(() => new Map<number, Tile>()), ex: this.g.map(() => -Infinity) };
        this.state.set(key, st);
      }
      for (let i = 0; i < this.levels; i++) this.addToLevel(st, key, i, ts, row);
    }
  }

  private addToLevel(st: KeyState, key: string, i: number, ts: number, row: Row): void {
    const g = this.g[i]!;
    const p = floorTo(ts, g);
    const tiles = st.lv[i]!;
    let tile = tiles.get(p);
    const calls = this.levelCalls[i]!;
    if (tile === undefined) {
      const a = new Array<unknown>(calls.length);
      for (let j = 0; j < calls.length; j++) a[j] = this.fns[calls[j]!]!.create();
      tile = { a, c: 0, x: ts };
      if (i === 0 && this.exact) tile.e = new Map();
      tiles.set(p, tile);
      this.evict.register(p + g + this.keep[i]!, key);
    }
    const a = tile.a;
    let ent: unknown[] | undefined;
    if (tile.e !== undefined) {
      ent = tile.e.get(ts);
      if (ent === undefined) {
        ent = new Array<unknown>(calls.length);
        for (let j = 0; j < calls.length; j++) ent[j] = this.fns[calls[j]!]!.create();
        tile.e.set(ts, ent);
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
    this.markDirty(i, key, p);
    const tails = this.shiftW[i]!;
    const due = this.due[i]!;
    for (let k = 0; k < tails.length; k++) {
      const q = p + tails[k]!;
      if (q < due) this.markDirty(i, key, q);
      else this.pending[i]!.register(q, key);
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
    for (let i = 0; i < this.levels; i++) {
      const q = this.pending[i]!;
      const due = this.due[i]!;
      for (let t = q.pollUpTo(due - 1); t !== undefined; t = q.pollUpTo(due - 1)) {
        for (const key of t[1]) this.markDirty(i, key, t[0]);
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
    for (let k = 0; k < writes.length; k += this.chunk) work.push(this.store.writeTiles(this.spec.table, writes.slice(k, k + this.chunk)));
    await Promise.all(work);
    if (writes.length > 0) this.ctx.metrics.inc('tileWrites', writes.length);
    if (this.store.expireTiles) {
      const ex: Promise<void>[] = [];
      for (const e of expiries) ex.push(this.store.expireTiles(this.spec.table, e.key, e.g, e.before));
      await Promise.all(ex);
    }
    // Progress last: a reader that sees the new watermark also sees every tile written before it.
    if (metaChanged) await this.store.putMeta(this.spec.table, META_PROGRESS, JSON.stringify({ ...meta, flushedAt: this.now() }));
  }

  /** The stored value of position q of level i for key state st; undefined when no tile contributes. */
  private compose(st: KeyState, i: number, q: number): { value: string; version: number } | undefined {
    const tiles = st.lv[i]!;
    const head = tiles.get(q);
    let version = 0;
    const v: TileValue = {};
    const calls = this.spec.calls;
    if (head !== undefined) {
      version += head.c;
      const h: Record<string, unknown> = {};
      const lc = this.levelCalls[i]!;
      for (let j = 0; j < lc.length; j++) h[calls[lc[j]!]!.id] = encodeAcc(this.fns[lc[j]!]!, head.a[j]);
      v.h = h;
      v.x = head.x;
    }
    if (head?.e !== undefined) {
      const enc = this.encodeEntries(head.e, this.levelCalls[0]!);
      v.E = enc.text;
      if (enc.bucket > 1) v.Eb = enc.bucket;
    }
    const tails = this.tailW[i]!;
    const shifted = this.shiftW[i]!;
    for (let k = 0; k < shifted.length; k++) {
      const w = shifted[k]!;
      const src = tiles.get(q - w);
      if (src === undefined) continue;
      version += src.c;
      const tk = tails.indexOf(w);
      if (tk >= 0) {
        const part: Record<string, unknown> = {};
        for (const c of this.tailCalls[i]![tk]!) part[calls[c]!.id] = encodeAcc(this.fns[c]!, src.a[this.slot[i]![c]!]);
        (v.t ??= {})[String(w)] = part;
        (v.tx ??= {})[String(w)] = src.x;
      }
      if (src.e !== undefined) {
        const enc = this.encodeEntries(src.e, this.edgeCalls[this.spec.windows.indexOf(w)]!);
        (v.D ??= {})[String(w)] = enc.text;
        if (enc.bucket > 1) (v.Db ??= {})[String(w)] = enc.bucket;
      }
    }
    if (version === 0) return undefined;
    return { value: JSON.stringify(v), version: this.versionBase + version };
  }

  /**
   * Edge entries of a finest-level tile as stored: `[[dt, acc of calls[0], ...], ...]` by event time, dt relative to
   * the slice start. Beyond `edgeEntries` distinct times, entries are merged into buckets (the smallest power-of-two
   * ms that fits), each entry then standing at its bucket's start: reads are exact to that bucket.
   */
  private encodeEntries(e: Map<number, unknown[]>, callsOut: readonly number[]): { text: string; bucket: number } {
    const lc = this.levelCalls[0]!;
    const slot0 = this.slot[0]!;
    let times = [...e.keys()].sort((x, y) => x - y);
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
      times = [];
    }
    const out: unknown[] = [];
    for (const r of rows) {
      const item: unknown[] = [r.t - base];
      for (const c of callsOut) item.push(encodeAcc(this.fns[c]!, r.acc[slot0[c]!]));
      out.push(item);
    }
    return { text: JSON.stringify(out), bucket };
  }

  /** Drops tiles past their retention; returns the store expiries to issue (throttled per key and level). */
  private evictTiles(): { key: string; g: number; before: number }[] {
    const out: { key: string; g: number; before: number }[] = [];
    const wm = this.currentWatermark;
    if (wm === -Infinity) return out;
    const horizons = this.storeHorizons();
    for (let t = this.evict.pollUpTo(wm); t !== undefined; t = this.evict.pollUpTo(wm)) {
      for (const key of t[1]) {
        const st = this.state.get(key);
        if (st === undefined) continue;
        let left = 0;
        for (let i = 0; i < this.levels; i++) {
          const tiles = st.lv[i]!;
          const limit = wm - this.g[i]! - this.keep[i]!;
          for (const p of tiles.keys()) if (p <= limit) tiles.delete(p);
          left += tiles.size;
          const h = horizons[i]!;
          if (h !== undefined && h - st.ex[i]! >= (this.g[i + 1] ?? this.g[i]! * 60)) {
            st.ex[i] = h;
            out.push({ key, g: this.g[i]!, before: h });
          }
        }
        if (left === 0) this.state.delete(key);
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

  /** Keys with state and tiles held (for memory accounting and tests). */
  stats(): { keys: number; tiles: number } {
    let tiles = 0;
    for (const st of this.state.values()) for (const m of st.lv) tiles += m.size;
    return { keys: this.state.size, tiles };
  }

  override snapshot(): unknown {
    return {
      state: this.state, dirty: this.dirty, pending: this.pending.map((p) => p.snapshot()), evict: this.evict.snapshot(),
      maxTs: this.maxTs, versionBase: this.versionBase,
    };
  }

  override restore(s: unknown): void {
    const st = s as { state: Map<string, KeyState>; dirty: Map<string, Set<number>>[]; pending: unknown[]; evict: unknown; maxTs: number; versionBase: number };
    this.state = st.state;
    this.dirty = st.dirty;
    st.pending.forEach((p, i) => this.pending[i]!.restore(p));
    this.evict.restore(st.evict);
    this.maxTs = st.maxTs;
    this.versionBase = st.versionBase;
    this.lastProgress = '';
    this.layoutWritten = false;
    this.updateDue();
  }
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
