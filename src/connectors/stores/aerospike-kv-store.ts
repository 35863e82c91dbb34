/**
 * The Aerospike online store (official `aerospike` client, an optional dependency loaded on first use: it is large
 * and native). Layout, the Redis layout in records and bins, in namespace `namespace` and one set per table (the
 * table name, or the connector's `set` option):
 *
 *   key "<key>"               bins { v: JSON row (absent in a tombstone), ver: version, at: written at (epoch ms) }
 *   key "<key>:t:<granMs>"    bin tiles: map tileStart → "<version>|<json>"   ("<version>|" = removed tile)
 *   key "meta:<name>"         bin m: string
 *
 * Rows: a batch is one batchWrite whose sub-writes carry a filter expression `ver < version or no ver`, so the check
 * and the write are atomic on the server; a filtered-out sub-write is a stale write, not an error. Duplicates of a
 * key within a batch are reduced to the highest version first (a batch does not order sub-commands on one key).
 * Tiles: read-modify-write of the granularity record guarded by its generation (check-and-set), retried on a
 * generation conflict; the records of one batch are done concurrently.
 *
 * Verified here only without a server (module loads, key/bin construction, tile merge logic); see docs/stores.md.
 */
import type { KvStore, StoredValue, TileRead, TileWrite, VersionedWrite } from '../../engine/kv-store-api.js';

export interface AerospikeKvOptions {
  /** Seed hosts, `host:port[,host:port...]` (default 127.0.0.1:3000). */
  hosts?: string;
  namespace: string;
  /** The set of every table this store writes; default: the table name as the set. */
  set?: string;
  user?: string;
  password?: string;
}

/* Minimal shape of the client library used here (its own typings are not needed to compile Freshet). */
/* eslint-disable @typescript-eslint/no-explicit-any */
type AerospikeModule = any;
type AsClient = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

let loaded: Promise<AerospikeModule> | undefined;

/** Loads the optional client library, with an actionable message when it is missing or not built. */
export function loadAerospike(): Promise<AerospikeModule> {
  loaded ??= import('aerospike' as string).then(
    (m: { default?: AerospikeModule }) => m.default ?? m,
    (e: Error) => {
      loaded = undefined;
      throw new Error(`the Aerospike client library is not available (${e.message.split('\n')[0]}); install it with: npm install --save-exact aerospike@6.7.1`);
    });
  return loaded;
}

/** True when the client library loads. */
export async function aerospikeAvailable(): Promise<boolean> {
  try { await loadAerospike(); return true; } catch { return false; }
}

/** The record user key of a tile granularity record. */
export const tileRecordKey = (key: string, granularityMs: number): string => `${key}:t:${granularityMs}`;
export const metaRecordKey = (name: string): string => `meta:${name}`;

/** Reduces a batch to one write per key, the highest version (later writes win ties, as in-order stores do). */
export function highestPerKey(writes: readonly VersionedWrite[]): VersionedWrite[] {
  const m = new Map<string, VersionedWrite>();
  for (const w of writes) {
    const cur = m.get(w.key);
    if (cur === undefined || w.version >= cur.version) m.set(w.key, w);
  }
  return [...m.values()];
}

/**
 * Applies tile writes to a granularity record's map (tileStart → "version|json"), per tile with the version rule;
 * returns the new map and how many writes applied. Pure: the store calls it inside its check-and-set loop.
 */
export function mergeTiles(current: ReadonlyMap<number, string>, writes: readonly TileWrite[]): { tiles: Map<number, string>; applied: number } {
  const tiles = new Map(current);
  let applied = 0;
  for (const w of writes) {
    const cur = tiles.get(w.start);
    if (cur !== undefined && Number(cur.slice(0, cur.indexOf('|'))) >= w.version) continue;
    tiles.set(w.start, `${w.version}|${w.value ?? ''}`);
    applied++;
  }
  return { tiles, applied };
}

/** Tiles of a stored map within [from, to), removed tiles skipped, in start order. */
export function tilesInRange(stored: ReadonlyMap<number, string>, from: number, to: number): Map<number, string> {
  const out: [number, string][] = [];
  for (const [start, s] of stored) {
    if (start < from || start >= to) continue;
    const bar = s.indexOf('|');
    if (bar >= 0 && bar < s.length - 1) out.push([start, s.slice(bar + 1)]);
  }
  out.sort((a, b) => a[0] - b[0]);
  return new Map(out);
}

function toMap(bin: unknown): Map<number, string> {
  if (bin instanceof Map) return new Map([...bin].map(([k, v]) => [Number(k), String(v)]));
  if (bin !== null && typeof bin === 'object') return new Map(Object.entries(bin).map(([k, v]) => [Number(k), String(v)]));
  return new Map();
}

export class AerospikeKvStore implements KvStore {
  readonly kind = 'aerospike';
  private as?: AerospikeModule;
  private client?: AsClient;

  constructor(private readonly opts: AerospikeKvOptions) {}

  async open(): Promise<void> {
    if (this.client) return;
    const as = await loadAerospike();
    const o = this.opts;
    this.as = as;
    this.client = await as.connect({
      hosts: o.hosts ?? '127.0.0.1:3000',
      ...(o.user !== undefined ? { user: o.user, password: o.password ?? '' } : {}),
    });
  }

  private key(table: string, userKey: string): unknown {
    return new this.as.Key(this.opts.namespace, this.opts.set ?? table, userKey);
  }

  private c(): AsClient {
    if (!this.client) throw new Error('Aerospike store is not open');
    return this.client;
  }

  async multiGet(table: string, keys: readonly string[]): Promise<(StoredValue | null)[]> {
    if (keys.length === 0) return [];
    const as = this.as;
    const results = await this.c().batchRead(keys.map((k) => ({ key: this.key(table, k), readAllBins: true })));
    return (results as { status: number; record?: { bins?: Record<string, unknown> } }[]).map((r) => {
      if (r.status === as.status.ERR_RECORD_NOT_FOUND) return null;
      if (r.status !== as.status.OK) throw new Error(`Aerospike batch read failed with status ${r.status}`);
      const b = r.record?.bins ?? {};
      if (typeof b['v'] !== 'string') return null;
      return { value: b['v'], version: Number(b['ver']), ...(b['at'] !== undefined ? { writtenAt: Number(b['at']) } : {}) };
    });
  }

  async multiPut(table: string, writes: readonly VersionedWrite[]): Promise<number> {
    if (writes.length === 0) return 0;
    const as = this.as, exp = as.exp, op = as.operations;
    const now = Date.now();
    const batch = highestPerKey(writes).map((w) => ({
      type: as.batchType.BATCH_WRITE,
      key: this.key(table, w.key),
      ops: [op.write('v', w.value), op.write('ver', w.version), op.write('at', now)],
      policy: new as.BatchWritePolicy({
        filterExpression: exp.or(exp.not(exp.binExists('ver')), exp.lt(exp.binInt('ver'), exp.int(w.version))),
      }),
    }));
    const results = await this.c().batchWrite(batch) as { status: number }[];
    let applied = 0;
    for (const r of results) {
      if (r.status === as.status.OK) applied++;
      else if (r.status !== as.status.FILTERED_OUT) throw new Error(`Aerospike batch write failed with status ${r.status}`);
    }
    return applied;
  }

  async writeTiles(table: string, writes: readonly TileWrite[]): Promise<number> {
    const groups = new Map<string, TileWrite[]>();
    for (const w of writes) {
      const k = tileRecordKey(w.key, w.granularityMs);
      const g = groups.get(k);
      if (g) g.push(w); else groups.set(k, [w]);
    }
    const counts = await Promise.all([...groups].map(([k, ws]) => this.casTiles(table, k, ws)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async casTiles(table: string, recordKey: string, writes: TileWrite[]): Promise<number> {
    const as = this.as, c = this.c();
    const key = this.key(table, recordKey);
    for (let attempt = 0; attempt < 20; attempt++) {
      let current = new Map<number, string>();
      let gen: number | undefined;
      try {
        const rec = await c.get(key);
        current = toMap(rec.bins?.['tiles']);
        gen = rec.gen;
      } catch (e) {
        if ((e as { code?: number }).code !== as.status.ERR_RECORD_NOT_FOUND) throw e;
      }
      const { tiles, applied } = mergeTiles(current, writes);
      if (applied === 0) return 0;
      const policy = gen === undefined
        ? new as.WritePolicy({ exists: as.policy.exists.CREATE })
        : new as.WritePolicy({ gen: as.policy.gen.EQ });
      try {
        await c.put(key, { tiles }, gen === undefined ? {} : { gen }, policy);
        return applied;
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code !== as.status.ERR_RECORD_GENERATION && code !== as.status.ERR_RECORD_EXISTS) throw e;
      }
    }
    throw new Error(`Aerospike tile record '${recordKey}' of table '${table}' kept changing; gave up after 20 attempts`);
  }

  async readTiles(table: string, reads: readonly TileRead[]): Promise<Map<number, string>[]> {
    if (reads.length === 0) return [];
    const as = this.as;
    const results = await this.c().batchRead(reads.map((r) => ({ key: this.key(table, tileRecordKey(r.key, r.granularityMs)), readAllBins: true })));
    return (results as { status: number; record?: { bins?: Record<string, unknown> } }[]).map((res, i) => {
      if (res.status === as.status.ERR_RECORD_NOT_FOUND) return new Map<number, string>();
      if (res.status !== as.status.OK) throw new Error(`Aerospike batch read failed with status ${res.status}`);
      return tilesInRange(toMap(res.record?.bins?.['tiles']), reads[i]!.from, reads[i]!.to);
    });
  }

  async expireTiles(table: string, key: string, granularityMs: number, before: number): Promise<void> {
    const as = this.as;
    try {
      await this.c().operate(this.key(table, tileRecordKey(key, granularityMs)),
        [as.maps.removeByKeyRange('tiles', Number.MIN_SAFE_INTEGER, before)]);
    } catch (e) {
      if ((e as { code?: number }).code !== as.status.ERR_RECORD_NOT_FOUND) throw e;
    }
  }

  async getMeta(table: string, name: string): Promise<string | null> {
    try {
      const rec = await this.c().get(this.key(table, metaRecordKey(name)));
      return typeof rec.bins?.['m'] === 'string' ? rec.bins['m'] : null;
    } catch (e) {
      if ((e as { code?: number }).code === this.as.status.ERR_RECORD_NOT_FOUND) return null;
      throw e;
    }
  }

  async putMeta(table: string, name: string, value: string): Promise<void> {
    await this.c().put(this.key(table, metaRecordKey(name)), { m: value });
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) c.close();
  }
}
