/**
 * The embedded online store on LMDB: zero setup, data in `$FRESHET_DATA_DIR/kv` (or an explicit path), readable by
 * other processes on the same machine while a job writes (LMDB readers never block the writer).
 *
 * Layout (three named databases, ordered-binary array keys, msgpack values):
 *   rows   [table, key]                     → [version, writtenAt, json | null]   (null = tombstone with its version)
 *   tiles  [table, key, granularityMs, start] → [version, json | null]          (null = removed tile, version kept)
 *   meta   [table, name]                    → string
 * Each multiPut / writeTiles is one LMDB write transaction, so the version check and the write are atomic per key
 * (and per batch); LMDB serializes writers across processes too. Reads are synchronous memory-mapped lookups.
 * writeTilesUnconditional (bulk loads only) skips the version check and is not one transaction.
 */
import path from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { dataDir } from '../../catalog/dictionary/data-dir.js';
import type { KvStore, StoredValue, TileRead, TileWrite, VersionedWrite } from '../../engine/kv-store-api.js';

type RowRecord = [version: number, writtenAt: number, value: string | null];
type TileRecord = [version: number, value: string | null];

/** The default location: `<data dir>/kv`. */
export function defaultKvPath(): string {
  return path.join(dataDir(), 'kv');
}

export interface EmbeddedKvOptions {
  /** Directory of the LMDB environment (created when missing). Default `<data dir>/kv`. */
  path?: string;
}

export class EmbeddedKvStore implements KvStore {
  readonly kind = 'embedded';
  readonly path: string;
  private root?: RootDatabase;
  private rows?: Database<RowRecord, Key>;
  private tiles?: Database<TileRecord, Key>;
  private meta?: Database<string, Key>;

  constructor(opts: EmbeddedKvOptions = {}) {
    this.path = opts.path ?? defaultKvPath();
  }

  async open(): Promise<void> {
    if (this.root) return;
    const root = open({ path: this.path, maxDbs: 8 });
    this.root = root;
    this.rows = root.openDB<RowRecord, Key>({ name: 'rows' });
    this.tiles = root.openDB<TileRecord, Key>({ name: 'tiles' });
    this.meta = root.openDB<string, Key>({ name: 'meta' });
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
      for (const w of writes) {
        const k = [table, w.key, w.granularityMs, w.start];
        const cur = tiles.get(k);
        if (cur !== undefined && cur[0] >= w.version) continue;
        void tiles.put(k, [w.version, w.value]);
        applied++;
      }
    });
    return applied;
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
    let last: Promise<boolean> | undefined;
    for (let j = 0; j < order.length; j++) {
      const w = writes[order[j]!]!;
      k[1] = w.key; k[2] = w.granularityMs; k[3] = w.start;
      v[0] = w.version; v[1] = w.value;
      last = tiles.put(k, v);
    }
    await last;
    return writes.length;
  }

  readTiles(table: string, reads: readonly TileRead[]): Promise<Map<number, string>[]> {
    const tiles = this.db(this.tiles);
    return Promise.resolve(reads.map((r) => {
      const m = new Map<number, string>();
      for (const { key, value } of tiles.getRange({ start: [table, r.key, r.granularityMs, r.from], end: [table, r.key, r.granularityMs, r.to] })) {
        if (value[1] !== null) m.set((key as unknown[])[3] as number, value[1]);
      }
      return m;
    }));
  }

  async expireTiles(table: string, key: string, granularityMs: number, before: number): Promise<void> {
    const tiles = this.db(this.tiles);
    await this.root!.transaction(() => {
      for (const k of tiles.getKeys({ start: [table, key, granularityMs, -Number.MAX_VALUE], end: [table, key, granularityMs, before] })) {
        void tiles.remove(k);
      }
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
