// An in-memory KvStore for the serving tests and bench: the versioned-write rule of src/engine/kv-store-api.ts, one
// Map per (table, key, granularity) record, and counters of calls and per-record requests so tests can check the
// read budget (at most 3 tile requests per key per table).
import type { KvStore, StoredValue, TileRead, TileWrite, VersionedWrite } from '../../src/engine/kv-store-api.js';

interface TileCell { version: number; value: string | null }

export class MemoryKvStore implements KvStore {
  readonly kind = 'memory';
  private rows = new Map<string, StoredValue & { deleted: boolean }>();
  private tiles = new Map<string, Map<number, TileCell>>();
  private meta = new Map<string, string>();
  /** Calls per method. */
  readonly calls = { multiGet: 0, multiPut: 0, writeTiles: 0, readTiles: 0, expireTiles: 0, getMeta: 0, putMeta: 0 };
  /** TileRead requests received (one per record read). */
  tileRequests = 0;
  /** Tile writes applied / rejected as not newer. */
  applied = 0;
  rejected = 0;
  /** Every TileRead received, for inspection. */
  lastReads: TileRead[] = [];

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  resetCounters(): void {
    for (const k of Object.keys(this.calls) as (keyof MemoryKvStore['calls'])[]) this.calls[k] = 0;
    this.tileRequests = 0;
  }

  async multiGet(table: string, keys: readonly string[]): Promise<(StoredValue | null)[]> {
    this.calls.multiGet++;
    return keys.map((k) => {
      const r = this.rows.get(`${table}\u0000${k}`);
      return r === undefined || r.deleted ? null : { value: r.value, version: r.version, ...(r.writtenAt !== undefined ? { writtenAt: r.writtenAt } : {}) };
    });
  }

  async multiPut(table: string, writes: readonly VersionedWrite[]): Promise<number> {
    this.calls.multiPut++;
    let n = 0;
    for (const w of writes) {
      const id = `${table}\u0000${w.key}`;
      const cur = this.rows.get(id);
      if (cur !== undefined && cur.version >= w.version) continue;
      this.rows.set(id, { value: w.value ?? '', version: w.version, writtenAt: Date.now(), deleted: w.value === null });
      n++;
    }
    return n;
  }

  private record(table: string, key: string, g: number, create: boolean): Map<number, TileCell> | undefined {
    const id = `${table}\u0000${key}\u0000${g}`;
    let m = this.tiles.get(id);
    if (m === undefined && create) { m = new Map(); this.tiles.set(id, m); }
    return m;
  }

  async writeTiles(table: string, writes: readonly TileWrite[]): Promise<number> {
    this.calls.writeTiles++;
    let n = 0;
    for (const w of writes) {
      const m = this.record(table, w.key, w.granularityMs, true)!;
      const cur = m.get(w.start);
      if (cur !== undefined && cur.version >= w.version) { this.rejected++; continue; }
      m.set(w.start, { version: w.version, value: w.value });
      n++;
    }
    this.applied += n;
    return n;
  }

  async readTiles(table: string, reads: readonly TileRead[]): Promise<Map<number, string>[]> {
    this.calls.readTiles++;
    this.tileRequests += reads.length;
    this.lastReads = [...reads];
    return reads.map((r) => {
      const out = new Map<number, string>();
      const m = this.record(table, r.key, r.granularityMs, false);
      if (m === undefined) return out;
      for (const [start, cell] of m) if (start >= r.from && start < r.to && cell.value !== null) out.set(start, cell.value);
      return out;
    });
  }

  async expireTiles(table: string, key: string, granularityMs: number, before: number): Promise<void> {
    this.calls.expireTiles++;
    const m = this.record(table, key, granularityMs, false);
    if (m === undefined) return;
    for (const start of [...m.keys()]) if (start < before) m.delete(start);
  }

  async getMeta(table: string, name: string): Promise<string | null> {
    this.calls.getMeta++;
    return this.meta.get(`${table}\u0000${name}`) ?? null;
  }

  async putMeta(table: string, name: string, value: string): Promise<void> {
    this.calls.putMeta++;
    this.meta.set(`${table}\u0000${name}`, value);
  }

  /** Stored tile cells of one record (tests). */
  record_(table: string, key: string, g: number): Map<number, TileCell> {
    return this.record(table, key, g, false) ?? new Map();
  }

  /** Every stored tile cell as `record start version value`, sorted (tests compare stores). */
  dump(): string[] {
    const out: string[] = [];
    for (const [id, m] of this.tiles) for (const [start, c] of m) out.push(`${id.replace(/\u0000/g, '/')} ${start} ${c.version} ${c.value}`);
    return out.sort();
  }

  /** Number of stored tile cells over all records (tests, bench). */
  tileCount(): number {
    let n = 0;
    for (const m of this.tiles.values()) n += m.size;
    return n;
  }
}
