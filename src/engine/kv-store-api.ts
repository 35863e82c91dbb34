/**
 * The online store interface (Redis, the embedded LMDB store, Aerospike). Every implementation passes the shared
 * contract suite in tests/stores/. Layout and semantics are identical across stores, so the serving layer, the
 * embedded engine and the Flink template job read and write the same data.
 *
 * Values are versioned: a write applies only when its version is greater than the stored version for that key (or
 * tile), atomically on the server — so a replay after a crash (which re-writes the same versions) is idempotent and a
 * reader never sees a value go backwards. Versions are derived from the job's checkpoint epoch and the position of
 * the change within it, never from wall clock.
 */

/** A stored row of a feature table: the encoded value and its version. */
export interface StoredValue {
  /** JSON text of the row (column name → value, as rendered by the feature table's types). */
  value: string;
  version: number;
  /** When the value was written (epoch ms, store clock) — freshness metadata for serving. */
  writtenAt?: number;
}

/** A write of a whole row (`put`) or its deletion (`delete`) at a version. */
export interface VersionedWrite {
  key: string;
  /** JSON text of the row; null deletes the row (a tombstone that still carries the version). */
  value: string | null;
  version: number;
}

/**
 * Tiles: partial aggregates of a sliding-window feature per entity key, per time slice. A tile is addressed by
 * (table, key, granularity in ms, tile start); its value is the encoded accumulator (src/aggregates/encode.ts).
 * One granularity of one key is one store record (a hash / bin map), so a read of any window costs one request per
 * granularity used (at most 3).
 */
export interface TileWrite {
  key: string;
  granularityMs: number;
  start: number;
  /** JSON text of the encoded accumulators of the table's tiled features at this tile; null removes the tile. */
  value: string | null;
  version: number;
}

export interface TileRead {
  key: string;
  granularityMs: number;
  /** Tile starts wanted, inclusive from, exclusive to. */
  from: number;
  to: number;
}

export interface KvStore {
  readonly kind: string;
  /**
   * True on a store view written by one bounded bulk load (an offline build, src/batch/layer-store.ts): the tile sink
   * then writes each position once, when no later row can change it (TileSinkOperator bulk mode). Absent elsewhere.
   */
  readonly bulkLoad?: boolean;
  open(): Promise<void>;
  /** Latest row per key (null when absent or deleted), in key order. One round trip for the whole batch. */
  multiGet(table: string, keys: readonly string[]): Promise<(StoredValue | null)[]>;
  /** Applies each write whose version is newer than the stored one; returns how many applied. Atomic per key. */
  multiPut(table: string, writes: readonly VersionedWrite[]): Promise<number>;
  /** Applies tile writes with the same version rule, per tile. */
  writeTiles(table: string, writes: readonly TileWrite[]): Promise<number>;
  /**
   * Bulk load, optional: writes every tile as given, without reading the stored version first, in as few requests or
   * transactions as the store allows. Only for a writer that owns `table` and writes versions newer than any stored
   * there, each position at most once or in ascending versions (an offline build of a new generation into its own layer,
   * src/batch/layer-store.ts): the version rule of writeTiles then holds without the check. Returns the writes applied.
   */
  writeTilesUnconditional?(table: string, writes: readonly TileWrite[]): Promise<number>;
  /** Tiles per read request: map tile start → JSON value, in request order. One round trip for the whole batch. */
  readTiles(table: string, reads: readonly TileRead[]): Promise<Map<number, string>[]>;
  /** Removes tiles older than `before` (retention). */
  expireTiles?(table: string, key: string, granularityMs: number, before: number): Promise<void>;
  /** Table metadata (schema, job watermark, tile boundary for offline fusion): small JSON documents. */
  getMeta(table: string, name: string): Promise<string | null>;
  putMeta(table: string, name: string, value: string): Promise<void>;
  /**
   * Resolves when every write acknowledged so far is durable as far as the store offers it (the embedded store: synced
   * to disk; Redis: acknowledged by the server, on disk per its own appendonly/save settings). Optional: stores whose
   * acknowledged writes are already durable need not implement it.
   */
  flush?(): Promise<void>;
  close(): Promise<void>;
}
