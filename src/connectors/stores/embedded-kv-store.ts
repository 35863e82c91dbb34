/**
 * The embedded online store on LMDB: zero setup, data in `$FRESHET_DATA_DIR/kv` (or an explicit path), readable by
 * other processes on the same machine while a job writes (LMDB readers never block the writer).
 *
 * Layout (four named databases, ordered-binary array keys, msgpack values):
 *   rows   [table, key]                     → [version, writtenAt, json | null]   (null = tombstone with its version)
 *   tiles  [table, key, granularityMs, start] → [version, json | null]          (null = removed tile, version kept)
 *   stamps [table, key]                     → number: changes with every write of the key's tiles
 *          [0]                              → the last stamp handed out (a clock shared by all tables)
 *   meta   [table, name]                    → string
 * Each multiPut / writeTiles is one LMDB write transaction, so the version check and the write are atomic per key
 * (and per batch); LMDB serializes writers across processes too. Reads are synchronous memory-mapped lookups.
 * writeTilesUnconditional (bulk loads only) skips the version check and is not one transaction.
 *
 * Stamps let a reader keep tile texts between reads (`tileReadCache`, tile-read-cache.ts: the serving tier): a write
 * transaction takes the next clock value and stores it as the stamp of every key whose tiles it changed, so a key's
 * stamp equals a value seen before only while none of its tiles changed.
 */
import path from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { dataDir } from '../../catalog/dictionary/data-dir.js';
import type { KvStore, StoredValue, TileRead, TileWrite, VersionedWrite } from '../../engine/kv-store-api.js';
import { TileReadCache, type KeyTiles } from './tile-read-cache.js';

type RowRecord = [version: number, writtenAt: number, value: string | null];
type TileRecord = [version: number, value: string | null];

/** The key of the stamp clock in `stamps` (table keys are [string, string]). */
const CLOCK: Key = [0];

/** The default location: `<data dir>/kv`. */
export function defaultKvPath(): string {
  return path.join(dataDir(), 'kv');
}

export interface EmbeddedKvOptions {
  /** Directory of the LMDB environment (created when missing). Default `<data dir>/kv`. */
  path?: string;
  /**
   * Keep up to this many tile texts between readTiles calls, validated by the keys' stamps (tile-read-cache.ts); 0 or
   * absent: no cache. For readers that read the same keys again and again (serving); a writer gains nothing from it.
   */
  tileReadCache?: number;
}

export class EmbeddedKvStore implements KvStore {
  readonly kind = 'embedded';
  readonly path: string;
  private root?: RootDatabase;
  private rows?: Database<RowRecord, Key>;
  private tiles?: Database<TileRecord, Key>;
  private meta?: Database<string, Key>;
  private stamps?: Database<number, Key>;
  private readonly cache?: TileReadCache;

  constructor(opts: EmbeddedKvOptions = {}) {
    this.path = opts.path ?? defaultKvPath();
    if (opts.tileReadCache !== undefined && opts.tileReadCache > 0) this.cache = new TileReadCache(opts.tileReadCache);
  }

  async open(): Promise<void> {
    if (this.root) return;
    const root = open({ path: this.path, maxDbs: 8 });
    this.root = root;
    this.rows = root.openDB<RowRecord, Key>({ name: 'rows' });
    this.tiles = root.openDB<TileRecord, Key>({ name: 'tiles' });
    this.meta = root.openDB<string, Key>({ name: 'meta' });
    this.stamps = root.openDB<number, Key>({ name: 'stamps' });
  }

  private db<T>(d: T | undefined): T {
    if (d === undefined) throw new Error(`embedded store at ${this.path} is not open`);
    return d;
  }

  multiGet(table: string, keys: readonly string[]): Promise<(StoredValue | null)[]> {
    const rows = this.db(this.rows);
    const out: (StoredValue | null)[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const r = rows.get([table, keys[i]!]);
      out[i] = r === undefined || r[2] === null ? null : { value: r[2], version: r[0], writtenAt: r[1] };
    }
    return Promise.resolve(out);
  }

  async multiPut(table: string, writes: readonly VersionedWrite[]): Promise<number> {
    const rows = this.db(this.rows);
    let applied = 0;
    await this.root!.transaction(() => {
      const now = Date.now();
      for (const w of writes) {
        const k = [table, w.key];
        const cur = rows.get(k);
        if (cur !== undefined && cur[0] >= w.version) continue;
        void rows.put(k, [w.version, now, w.value]);
        applied++;
      }
    });
    return applied;
  }

  async writeTiles(table: string, writes: readonly TileWrite[]): Promise<number> {
    const tiles = this.db(this.tiles);
    let applied = 0;
    await this.root!.transaction(() => {
      const stamp = this.nextStamp();
      let last: string | undefined;
      for (const w of writes) {
        const k = [table, w.key, w.granularityMs, w.start];
        const cur = tiles.get(k);
        if (cur !== undefined && cur[0] >= w.version) continue;
        void tiles.put(k, [w.version, w.value]);
        applied++;
        // Writes come grouped by key (the tile sink's order); a key seen again later is stamped again, harmlessly.
        if (w.key !== last) { last = w.key; this.stampKey(table, w.key, stamp); }
      }
    });
    return applied;
  }

  /** Inside a write transaction: the next clock value (LMDB serializes write transactions, across processes too). */
  private nextStamp(): number {
    const stamps = this.db(this.stamps);
    const s = (stamps.get(CLOCK) ?? 0) + 1;
    void stamps.put(CLOCK, s);
    return s;
  }

  private stampKey(table: string, key: string, stamp: number): void {
    void this.db(this.stamps).put([table, key], stamp);
  }

  /**
   * Bulk load (KvStore.writeTilesUnconditional): no read of the stored version, puts in key order (neighbouring puts
   * share B-tree pages), outside an explicit transaction: lmdb-js encodes each put here and applies the batch in large
   * transactions on its write thread, so the B-tree work runs beside this thread. Resolves when the last put (hence
   * every one before it) is committed. Not atomic as a whole: the bulk loader's readers switch to its output only
   * once it recorded completion (backfill.ts writes the fusion record last).
   */
  async writeTilesUnconditional(table: string, writes: readonly TileWrite[]): Promise<number> {
    const tiles = this.db(this.tiles);
    const order = sortedTileOrder(writes);
    // One key and one value array for all puts: put encodes both into its write buffer before returning.
    const k: [string, string, number, number] = [table, '', 0, 0];
    const v: TileRecord = [0, null];
    // One stamp for the whole call, taken atomically; each key's stamp is written with its tiles.
    const stamp = await this.root!.transaction(() => this.nextStamp());
    let last: Promise<boolean> | undefined;
    let lastKey: string | undefined;
    for (let j = 0; j < order.length; j++) {
      const w = writes[order[j]!]!;
      k[1] = w.key; k[2] = w.granularityMs; k[3] = w.start;
      v[0] = w.version; v[1] = w.value;
      last = tiles.put(k, v);
      if (w.key !== lastKey) { lastKey = w.key; last = this.db(this.stamps).put([table, w.key], stamp); }
    }
    await last;
    return writes.length;
  }

  readTiles(table: string, reads: readonly TileRead[]): Promise<Map<number, string>[]> {
    const cache = this.cache;
    const out: Map<number, string>[] = new Array(reads.length);
    if (cache === undefined) {
      for (let i = 0; i < reads.length; i++) out[i] = this.readRange(table, reads[i]!);
      return Promise.resolve(out);
    }
    const stamps = this.db(this.stamps);
    let key: string | undefined;
    let entry: KeyTiles | undefined;
    for (let i = 0; i < reads.length; i++) {
      const r = reads[i]!;
      // The stamp is read before the key's tiles (tile-read-cache.ts says why that order keeps the cache right).
      if (r.key !== key) {
        key = r.key;
        const s = stamps.get([table, key]);
        entry = s === undefined ? undefined : cache.entry(table, key, s);
      }
      if (entry === undefined) { out[i] = this.readRange(table, r); continue; }
      const hit = cache.lookup(entry, r.granularityMs, r.from, r.to);
      if (hit !== undefined) { out[i] = hit; continue; }
      const m = this.readRange(table, r);
      cache.fill(entry, r.granularityMs, r.from, r.to, m);
      out[i] = m;
    }
    return Promise.resolve(out);
  }

  /** The tiles of one read, starts ascending (the store's key order). */
  private readRange(table: string, r: TileRead): Map<number, string> {
    const m = new Map<number, string>();
    for (const { key, value } of this.db(this.tiles).getRange({ start: [table, r.key, r.granularityMs, r.from], end: [table, r.key, r.granularityMs, r.to] })) {
      if (value[1] !== null) m.set((key as unknown[])[3] as number, value[1]);
    }
    return m;
  }

  async expireTiles(table: string, key: string, granularityMs: number, before: number): Promise<void> {
    const tiles = this.db(this.tiles);
    await this.root!.transaction(() => {
      let removed = false;
      for (const k of tiles.getKeys({ start: [table, key, granularityMs, -Number.MAX_VALUE], end: [table, key, granularityMs, before] })) {
        void tiles.remove(k);
        removed = true;
      }
      if (removed) this.stampKey(table, key, this.nextStamp());
    });
  }

  getMeta(table: string, name: string): Promise<string | null> {
    return Promise.resolve(this.db(this.meta).get([table, name]) ?? null);
  }

  async putMeta(table: string, name: string, value: string): Promise<void> {
    await this.db(this.meta).put([table, name], value);
  }

  async flush(): Promise<void> {
    if (this.root) await this.root.flushed;
  }

  async close(): Promise<void> {
    const r = this.root;
    if (!r) return;
    this.root = undefined;
    this.rows = this.tiles = this.meta = undefined;
    this.stamps = undefined;
    this.cache?.clear();
    await r.flushed;
    await r.close();
  }
}

/**
 * Indices of `writes` by (key, granularity, start): the store's key order, up to how strings compare. A counting sort
 * by key rank (sorting the distinct keys only), stable, so the tile writer's per-key order (granularity, then start)
 * is kept; a key whose writes are out of that order is sorted on its own.
 */
function sortedTileOrder(writes: readonly TileWrite[]): Uint32Array {
  const n = writes.length;
  const rank = new Map<string, number>();
  for (let j = 0; j < n; j++) rank.set(writes[j]!.key, 0);
  const keys = [...rank.keys()].sort();
  const start = new Uint32Array(keys.length + 1);
  for (let r = 0; r < keys.length; r++) rank.set(keys[r]!, r);
  const ranks = new Uint32Array(n);
  for (let j = 0; j < n; j++) { const r = rank.get(writes[j]!.key)!; ranks[j] = r; start[r + 1]!++; }
  for (let r = 0; r < keys.length; r++) start[r + 1]! += start[r]!;
  const order = new Uint32Array(n);
  const fill = start.slice(0, keys.length);
  for (let j = 0; j < n; j++) order[fill[ranks[j]!]!++] = j;
  const before = (a: number, b: number): number => writes[a]!.granularityMs - writes[b]!.granularityMs || writes[a]!.start - writes[b]!.start;
  for (let r = 0; r < keys.length; r++) {
    const lo = start[r]!, hi = start[r + 1]!;
    for (let j = lo + 1; j < hi; j++) {
      if (before(order[j - 1]!, order[j]!) > 0) { order.subarray(lo, hi).sort(before); break; }
    }
  }
  return order;
}
