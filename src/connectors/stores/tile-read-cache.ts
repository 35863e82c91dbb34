/**
 * A reader's cache of the embedded store's tile texts, validated by per-key stamps, so a serving read of tiles that
 * did not change costs one small LMDB get instead of up to three range scans that decode ~10 KB of text.
 *
 * Every write of a key's tiles (writeTiles, writeTilesUnconditional, expireTiles) also writes the key's stamp record
 * with a number no earlier write used (embedded-kv-store.ts). A reader reads the stamp *before* the tiles, so what it
 * caches under stamp s is at least as new as s: while the stored stamp is still s, the cached tiles are the stored
 * ones; once it moved, the key's entry is dropped and read again. Keys without a stamp (tiles written by a Freshet
 * that did not keep stamps) are never cached.
 *
 * Per key and granularity the cache holds one covered interval [from, to) of tile starts and the tiles stored inside
 * it (ascending starts), grown by reads that overlap or touch it and replaced by a read that does not. The texts
 * returned are the cached string instances, so a caller that caches by text (read-features.ts) compares pointers.
 * Bounded by the number of tile texts held across tables: when full it starts over (cheaper than LRU bookkeeping on
 * every read; the hot set refills within a few reads).
 */

/** The tiles of one key cached under one stamp. */
export interface KeyTiles {
  stamp: number;
  /** Per granularity (ms): the covered interval and the tiles inside it. */
  levels: Map<number, Covered>;
}

interface Covered {
  from: number;
  to: number;
  /** Tile starts in [from, to), ascending, and their texts. */
  starts: number[];
  texts: string[];
}

export class TileReadCache {
  private readonly tables = new Map<string, Map<string, KeyTiles>>();
  private held = 0;

  /** `maxTiles`: most tile texts held (> 0). */
  constructor(readonly maxTiles: number) {}

  /** Tile texts held now. */
  get size(): number { return this.held; }

  /** The entry of `key` valid at `stamp`: the cached one when its stamp is `stamp`, else a new empty one. */
  entry(table: string, key: string, stamp: number): KeyTiles {
    if (this.held >= this.maxTiles) this.clear();
    let keys = this.tables.get(table);
    if (keys === undefined) { keys = new Map(); this.tables.set(table, keys); }
    const e = keys.get(key);
    if (e !== undefined) {
      if (e.stamp === stamp) return e;
      for (const c of e.levels.values()) this.held -= c.starts.length;
      e.levels.clear();
      e.stamp = stamp;
      return e;
    }
    const n: KeyTiles = { stamp, levels: new Map() };
    keys.set(key, n);
    return n;
  }

  /** The cached tiles of [from, to) at granularity `g` (a new map), or undefined when the interval is not covered. */
  lookup(e: KeyTiles, g: number, from: number, to: number): Map<number, string> | undefined {
    const c = e.levels.get(g);
    if (c === undefined || from < c.from || to > c.to) return undefined;
    const out = new Map<number, string>();
    const { starts, texts } = c;
    for (let i = lowerBound(starts, from); i < starts.length && starts[i]! < to; i++) out.set(starts[i]!, texts[i]!);
    return out;
  }

  /**
   * Records what a read of [from, to) at granularity `g` returned (`read`: starts ascending, as the store returns them)
   * in `e`, an entry just returned by `entry` (the bound is checked there, so one key's reads may pass it briefly).
   */
  fill(e: KeyTiles, g: number, from: number, to: number, read: Map<number, string>): void {
    if (from >= to) return;
    const c = e.levels.get(g);
    if (c === undefined || to < c.from || from > c.to) {
      // Nothing cached at this level, or disjoint: the read becomes the level's interval.
      if (c !== undefined) this.held -= c.starts.length;
      const starts: number[] = [], texts: string[] = [];
      for (const [s, t] of read) { starts.push(s); texts.push(t); }
      e.levels.set(g, { from, to, starts, texts });
      this.held += starts.length;
      return;
    }
    // Overlapping or touching: the cached tiles outside [from, to), the read ones inside.
    const starts: number[] = [], texts: string[] = [];
    let i = 0;
    for (; i < c.starts.length && c.starts[i]! < from; i++) { starts.push(c.starts[i]!); texts.push(c.texts[i]!); }
    for (const [s, t] of read) { starts.push(s); texts.push(t); }
    while (i < c.starts.length && c.starts[i]! < to) i++;
    for (; i < c.starts.length; i++) { starts.push(c.starts[i]!); texts.push(c.texts[i]!); }
    this.held += starts.length - c.starts.length;
    c.from = Math.min(c.from, from);
    c.to = Math.max(c.to, to);
    c.starts = starts;
    c.texts = texts;
  }

  /** Drops everything. */
  clear(): void {
    this.tables.clear();
    this.held = 0;
  }
}

/** The first index i with a[i] >= x (a ascending). */
function lowerBound(a: number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}
