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
