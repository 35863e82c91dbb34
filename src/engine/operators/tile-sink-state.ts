/**
 * Per-key state of the TileSinkOperator, laid out for memory (docs/serving.md "Writer", State): a key holds one sorted
 * array of tile keys and one parallel array of tiles for all levels, sized exactly (no Map per key or per tile, no
 * growth slack). Open tiles are live objects; a tile the watermark has passed never changes again and is kept only as
 * the JSON text it is composed from (see ClosedTile).
 */

/** Tile key of position p at level i: p + i · 2^50. Levels form contiguous ascending blocks (|p| < 2^49). */
export const LEVEL_SPAN = 2 ** 50;

/** An open tile: rows may still be added. */
export interface LiveTile {
  /** Accumulators of the level's calls, in that order. */
  a: unknown[];
  /**
   * Exact layouts, finest level: event time → accumulators of the rows at that time. Absent while every row of the
   * tile has the same event time `x`: the single entry is then `a` itself (same rows added in the same order).
   */
  e?: Map<number, unknown[]>;
  /** Change counter: rows added. */
  c: number;
  /** Newest event time added. */
  x: number;
}

/**
 * A closed tile: JSON text of `[c, x - p, h, entries?, bucket?]` — the change counter, the newest event time relative
 * to the tile start, the encoded head accumulators `[acc...]` of the level's calls (0 when the tile has one unbucketed
 * edge entry: the head is that entry), the encoded edge entries `[[dt, acc...], ...]` as stored in `E` (exact finest level only) and
 * their bucket size when above 1. One flat string per tile; parsed only when a position composed from it is written.
 */
export type ClosedTile = string;

export type TileSlot = LiveTile | ClosedTile;

export interface KeyState {
  /** The key (the instance held by the state Map: queue entries share it instead of holding per-row copies). */
  id: string;
  /** Tile keys (p + level · LEVEL_SPAN), ascending. */
  k: number[];
  /** Tiles, parallel to k. */
  t: TileSlot[];
  /** Earliest time this key is registered at in the wake queue (Infinity: not registered). */
  w: number;
  /** Per level: the store positions before this were expired for this key (absent: none yet). */
  ex?: number[];
}

/** First index whose value is >= x (a.length when none). */
export function lowerBound(a: readonly number[], x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Small arrays are kept exactly sized: push and splice reserve room for 16 more elements, most of a small key's
 * memory. Inserting into or removing from a small array copies it (a few dozen bytes); larger ones are changed in
 * place. Number and tile arrays use separate functions: the engine types arrays by where they are allocated, and a
 * shared allocation site would store the tile keys as boxed numbers.
 */
const SMALL = 16;

/** `a` with `v` inserted at index i (a new array, or `a` itself when large). */
export function insertedKey(a: number[], i: number, v: number): number[] {
  const n = a.length;
  if (n >= SMALL) { a.splice(i, 0, v); return a; }
  const out = new Array<number>(n + 1);
  for (let j = 0; j < i; j++) out[j] = a[j]!;
  out[i] = v;
  for (let j = i; j < n; j++) out[j + 1] = a[j]!;
  return out;
}

/** `a` with `v` inserted at index i (a new array, or `a` itself when large). */
export function insertedSlot(a: TileSlot[], i: number, v: TileSlot): TileSlot[] {
  const n = a.length;
  if (n >= SMALL) { a.splice(i, 0, v); return a; }
  const out = new Array<TileSlot>(n + 1);
  for (let j = 0; j < i; j++) out[j] = a[j]!;
  out[i] = v;
  for (let j = i; j < n; j++) out[j + 1] = a[j]!;
  return out;
}

/** `a` without the elements [from, to) (a new array, or `a` itself when large). */
export function removedKeys(a: number[], from: number, to: number): number[] {
  const n = a.length;
  if (n > SMALL * 2) { a.splice(from, to - from); return a; }
  const out = new Array<number>(n - (to - from));
  for (let j = 0; j < from; j++) out[j] = a[j]!;
  for (let j = to; j < n; j++) out[j - to + from] = a[j]!;
  return out;
}

/** `a` without the elements [from, to) (a new array, or `a` itself when large). */
export function removedSlots(a: TileSlot[], from: number, to: number): TileSlot[] {
  const n = a.length;
  if (n > SMALL * 2) { a.splice(from, to - from); return a; }
  const out = new Array<TileSlot>(n - (to - from));
  for (let j = 0; j < from; j++) out[j] = a[j]!;
  for (let j = to; j < n; j++) out[j - to + from] = a[j]!;
  return out;
}

/**
 * Time → keys, polled in ascending time order, with keys in plain arrays (a key may appear more than once: callers
 * skip stale or repeated entries). Cheaper than a Set per time for one entry per key; checkpointable as is.
 */
export class KeyQueue {
  private byTime = new Map<number, string[]>();
  private times: number[] = [];

  register(time: number, key: string): void {
    const keys = this.byTime.get(time);
    if (keys !== undefined) { keys.push(key); return; }
    this.byTime.set(time, [key]);
    const t = this.times;
    if (t.length === 0 || t[t.length - 1]! < time) t.push(time);
    else t.splice(lowerBound(t, time), 0, time);
  }

  /** Removes and returns the earliest time <= limit with its keys, or undefined. */
  pollUpTo(limit: number): [number, string[]] | undefined {
    if (this.times.length === 0 || this.times[0]! > limit) return undefined;
    const time = this.times.shift()!;
    const keys = this.byTime.get(time)!;
    this.byTime.delete(time);
    return [time, keys];
  }

  /** The earliest time registered (Infinity when empty). */
  first(): number { return this.times.length === 0 ? Infinity : this.times[0]!; }

  snapshot(): unknown { return { byTime: this.byTime, times: this.times }; }

  /** Restores a snapshot of this class, or of TimerQueue (Sets of keys; format-1 checkpoints). */
  restore(s: unknown): void {
    const st = s as { byTime: Map<number, string[] | Set<string>>; times: number[] };
    this.byTime = new Map();
    for (const [t, keys] of st.byTime) this.byTime.set(t, Array.isArray(keys) ? keys : [...keys]);
    this.times = st.times;
  }
}

/**
 * The top-level items of a closed tile's text `[c, dx, h, entries?, bucket?]` as JSON substrings, without parsing
 * it: composing a position copies these pieces into the stored value, byte for byte what JSON.stringify gives the
 * parsed values (the text was written by JSON.stringify, whose output is canonical: no whitespace, the same numbers
 * and escapes after a round trip).
 */
export function closedItems(text: string): string[] {
  const out: string[] = [];
  arrayItems(text, 0, out);
  return out;
}

/**
 * The encoded head accumulators of a closed tile as JSON substrings, in the order of its level's calls: the items of
 * `h`, or, when h is 0 (one unbucketed edge entry), that entry's items after its dt.
 */
export function closedHeadItems(items: readonly string[]): string[] {
  const out: string[] = [];
  const h = items[2]!;
  if (h !== '0') { arrayItems(h, 0, out); return out; }
  const e = items[3]!;
  arrayItems(e, 1, out);
  out.shift();
  return out;
}

/** Pushes the items of the JSON array starting at text[at] (a '[') to out; returns the index after its ']'. */
function arrayItems(text: string, at: number, out: string[]): number {
  let i = at + 1;
  if (text.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    const e = valueEnd(text, i);
    out.push(text.slice(i, e));
    if (text.charCodeAt(e) === 93) return e + 1;
    i = e + 1;
  }
}

/** Index after the JSON value starting at text[i] (compact JSON: no whitespace). */
function valueEnd(text: string, i: number): number {
  let depth = 0;
  const n = text.length;
  for (; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) {
      // A string: skip to its closing quote (backslash escapes skip one character).
      for (i++; text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
      if (depth === 0) return i + 1;
    } else if (ch === 91 || ch === 123) {
      depth++;
    } else if (ch === 93 || ch === 125) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (ch === 44 && depth === 0) {
      return i;
    }
  }
  return i;
}
