/**
 * Stores the offline path writes tiles through:
 *   - LayerStore: a view of a KvStore for one offline build — never expires tiles (the tile writer would otherwise drop
 *     old positions behind its clock, and history is what the offline layer is for), adds the build's version base to
 *     every write (a rebuild's generation g writes versions g·2^40 + n, newer than any earlier build's), and does not
 *     close the store it wraps (the caller owns it). With `unconditional`, tile writes use the wrapped store's bulk
 *     write (KvStore.writeTilesUnconditional: no read of the stored version) when it has one: the build owns the layer
 *     table and writes each position once (the tile sink's bulk mode) at versions of a new generation, above every
 *     stored one, so the check could never refuse a write. One build writes a layer at a time (backfill.ts).
 *   - ScratchStore: an in-memory KvStore with the versioned-write rule, for tiles that live only as long as one
 *     check or training set.
 */
import type { KvStore, StoredValue, TileRead, TileWrite, VersionedWrite } from '../engine/kv-store-api.js';

/** Version step between offline builds (generations): above any count of rows one build adds to a position. */
export const GENERATION_STEP = 2 ** 40;

export class LayerStore implements KvStore {
  readonly kind: string;
  /** A bounded bulk load: the tile sink writes each position once, when final (TileSinkOperator bulk mode). */
  readonly bulkLoad = true;
  constructor(private readonly inner: KvStore, private readonly versionBase: number, private readonly opts: { unconditional?: boolean } = {}) {
    this.kind = inner.kind;
  }
  async open(): Promise<void> { /* opened by the owner */ }
  async close(): Promise<void> { /* closed by the owner */ }
  multiGet(table: string, keys: readonly string[]): Promise<(StoredValue | null)[]> { return this.inner.multiGet(table, keys); }
  multiPut(table: string, writes: readonly VersionedWrite[]): Promise<number> {
    return this.inner.multiPut(table, writes.map((w) => ({ ...w, version: w.version + this.versionBase })));
  }
  writeTiles(table: string, writes: readonly TileWrite[]): Promise<number> {
    const base = this.versionBase;
    let out = writes;
    if (base !== 0) {
      const copy = new Array<TileWrite>(writes.length);
      for (let j = 0; j < writes.length; j++) {
        const w = writes[j]!;
        copy[j] = { key: w.key, granularityMs: w.granularityMs, start: w.start, value: w.value, version: w.version + base };
      }
      out = copy;
    }
    const inner = this.inner;
    return this.opts.unconditional === true && inner.writeTilesUnconditional !== undefined
      ? inner.writeTilesUnconditional(table, out) : inner.writeTiles(table, out);
  }
  readTiles(table: string, reads: readonly TileRead[]): Promise<Map<number, string>[]> { return this.inner.readTiles(table, reads); }
  getMeta(table: string, name: string): Promise<string | null> { return this.inner.getMeta(table, name); }
  putMeta(table: string, name: string, value: string): Promise<void> { return this.inner.putMeta(table, name, value); }
  async flush(): Promise<void> { await this.inner.flush?.(); }
}

interface Cell { version: number; value: string | null }

export class ScratchStore implements KvStore {
  readonly kind = 'scratch';
  private readonly rows = new Map<string, StoredValue>();
  private readonly tiles = new Map<string, Map<number, Cell>>();
  private readonly meta = new Map<string, string>();
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  async multiGet(table: string, keys: readonly string[]): Promise<(StoredValue | null)[]> {
    return keys.map((k) => this.rows.get(`${table}\u0000${k}`) ?? null);
  }
  async multiPut(table: string, writes: readonly VersionedWrite[]): Promise<number> {
    let n = 0;
    for (const w of writes) {
      const id = `${table}\u0000${w.key}`;
      const cur = this.rows.get(id);
      if (cur !== undefined && cur.version >= w.version) continue;
      if (w.value === null) this.rows.delete(id); else this.rows.set(id, { value: w.value, version: w.version });
      n++;
    }
    return n;
  }
  async writeTiles(table: string, writes: readonly TileWrite[]): Promise<number> {
    let n = 0;
    for (const w of writes) {
      const id = `${table}\u0000${w.key}\u0000${w.granularityMs}`;
      let m = this.tiles.get(id);
      if (m === undefined) { m = new Map(); this.tiles.set(id, m); }
      const cur = m.get(w.start);
      if (cur !== undefined && cur.version >= w.version) continue;
      m.set(w.start, { version: w.version, value: w.value });
      n++;
    }
    return n;
  }
  async readTiles(table: string, reads: readonly TileRead[]): Promise<Map<number, string>[]> {
    return reads.map((r) => {
      const out = new Map<number, string>();
      const m = this.tiles.get(`${table}\u0000${r.key}\u0000${r.granularityMs}`);
      if (m === undefined) return out;
      // Records are small (a key's positions at one level); a scan beats keeping them sorted for these short-lived stores.
      for (const [start, c] of m) if (start >= r.from && start < r.to && c.value !== null) out.set(start, c.value);
      return out;
    });
  }
  async getMeta(table: string, name: string): Promise<string | null> { return this.meta.get(`${table}\u0000${name}`) ?? null; }
  async putMeta(table: string, name: string, value: string): Promise<void> { this.meta.set(`${table}\u0000${name}`, value); }
  /** Keys with at least one tile in `table`, sorted. */
  keys(table: string): string[] {
    const out = new Set<string>();
    const prefix = `${table}\u0000`;
    for (const id of this.tiles.keys()) if (id.startsWith(prefix)) out.add(id.slice(prefix.length, id.lastIndexOf('\u0000')));
    return [...out].sort();
  }
  /** Tile cells held (tests, bench). */
  tileCount(): number { let n = 0; for (const m of this.tiles.values()) n += m.size; return n; }
}
