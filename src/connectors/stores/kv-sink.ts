/**
 * Upsert sink into an online store (the `redis`, `embedded-kv` and `aerospike` connectors). Each row's key is its
 * primary key (store-key.ts), its value the row's JSON (row-codec.ts); +I/+U put the row, -D writes a tombstone,
 * -U is ignored (the +U that follows carries the new row).
 *
 * Exactly-once by versions, not by transactions: the sink keeps a change counter per key and gives each change of a
 * key the next version, `generation * 2^32 + counter`. The counters are part of the checkpoint (snapshot/restore),
 * so after a crash the job restores them, replays from the checkpointed source position, and re-derives exactly the
 * versions it wrote before; the store ignores writes whose version is not newer, so values never go back and the
 * final contents equal an uninterrupted run's. The generation is taken at a fresh start (not a restore) as one more
 * than the table's stored `sink-generation` meta, so a new run of the same script over an existing table overwrites
 * the old run's rows instead of being ignored as stale.
 *
 * Each `write(batch)` coalesces the batch per key (the last change wins; its version is the highest) and sends one
 * multiPut (one pipelined round trip); `flush()` waits for every multiPut in flight and for the store's durability.
 *
 * With a changed-keys topic (changed-keys.ts) each batch's writes are announced once the multiPut returned: all of
 * them when all applied, else those the store holds afterwards (one multiGet decides: a replayed write the store
 * already holds from the crashed run is announced, one superseded by a newer version is not). flush() makes the
 * store durable first and then commits the announcements, so an announced change is always in the store.
 */
import type { Batch, Row } from '../../common/row.js';
import { typeToString } from '../../common/types.js';
import type { KvStore, VersionedWrite } from '../../engine/kv-store-api.js';
import type { SinkContext, SinkWriter } from '../connector.js';
import type { ChangedKeysPublisher, ChangedKeysState } from './changed-keys.js';
import { createRowCodec, type RowCodec } from './row-codec.js';
import { sortedKeyColumns, storeKeyFn, type StoreKeyFn } from './store-key.js';

/** Changes per key per generation before the counter would spill into the generation. */
const COUNTER_SPAN = 2 ** 32;
/** Generations that keep versions below 2^53. */
const MAX_GENERATION = 2 ** 21 - 1;

export const GENERATION_META = 'sink-generation';

/** The sink's checkpointed state. */
export interface KvSinkState {
  generation: number;
  counters: Map<string, number>;
  changedKeys?: ChangedKeysState;
}

export class KvSink implements SinkWriter {
  private readonly keyFn: StoreKeyFn;
  private readonly codec: RowCodec;
  private counters = new Map<string, number>();
  private generation = 0;
  private restored = false;
  private pending: Promise<number>[] = [];
  private failure: Error | undefined;
  /** Writes applied / sent since open (stale replays are sent but not applied). */
  applied = 0;
  sent = 0;

  constructor(private readonly ctx: SinkContext, readonly store: KvStore, readonly table: string,
    readonly changedKeys?: ChangedKeysPublisher) {
    this.keyFn = storeKeyFn(sortedKeyColumns(ctx.primaryKey), ctx.physicalFields);
    this.codec = createRowCodec(ctx.physicalFields);
  }

  async restore(state: unknown): Promise<void> {
    const s = state as KvSinkState | undefined;
    if (s === undefined || s === null) return;
    this.generation = s.generation;
    this.counters = new Map(s.counters);
    this.restored = true;
    this.changedKeys?.restore(s.changedKeys);
  }

  async open(): Promise<void> {
    await this.store.open();
    if (this.changedKeys) {
      try {
        await this.changedKeys.open();
      } catch (e) {
        await this.store.close().catch(() => undefined);
        throw e;
      }
    }
    if (!this.restored) {
      const prev = Number(await this.store.getMeta(this.table, GENERATION_META) ?? '0');
      this.generation = (Number.isSafeInteger(prev) && prev >= 0 ? prev : 0) + 1;
      if (this.generation > MAX_GENERATION) throw new Error(`online table '${this.table}' has been rewritten ${MAX_GENERATION} times; clear it`);
      await this.store.putMeta(this.table, GENERATION_META, String(this.generation));
      await this.store.putMeta(this.table, 'schema', JSON.stringify({
        columns: this.ctx.physicalFields.map((f) => ({ name: f.name, type: typeToString(f.type, false) })),
        primaryKey: sortedKeyColumns(this.ctx.primaryKey).map((i) => this.ctx.physicalFields[i]!.name),
      }));
    }
  }

  write(batch: Batch): Promise<void> | void {
    if (this.failure) throw this.failure;
    const { rows, kinds } = batch;
    const byKey = new Map<string, VersionedWrite>();
    const base = this.generation * COUNTER_SPAN;
    for (let i = 0; i < rows.length; i++) {
      const kind = kinds[i]!;
      if (kind === 1) continue; // -U: the following +U carries the row
      const row = rows[i]!;
      const key = this.keyFn(row);
      if (key === undefined) {
        this.ctx.reporter.badRecord('a primary key column is NULL', safeJson(row), `table '${this.ctx.tableName}'`);
        continue;
      }
      const n = (this.counters.get(key) ?? 0) + 1;
      this.counters.set(key, n);
      byKey.set(key, { key, value: kind === 3 ? null : this.codec.encode(row), version: base + n });
    }
    if (byKey.size === 0) return;
    const writes = [...byKey.values()];
    this.sent += writes.length;
    const put = this.store.multiPut(this.table, writes);
    const p = this.changedKeys ? put.then((n) => this.announce(writes, n)) : put;
    p.then((n) => { this.applied += n; }, (e: Error) => { this.failure ??= e; });
    this.pending.push(p);
    // The runner awaits this before the next batch: backpressure, and errors surface on the batch that caused them.
    return p.then(() => undefined);
  }

  /** Announces the writes of one multiPut (n of them applied) on the changed-keys topic; resolves to n. */
  private async announce(writes: VersionedWrite[], n: number): Promise<number> {
    let held: boolean[] | undefined;
    if (n < writes.length) {
      // Some were not applied: a replay of what a crashed run wrote (the store holds that very version; announce it,
      // the crashed run may not have), or superseded by a newer version (do not announce).
      const stored = await this.store.multiGet(this.table, writes.map((w) => w.key));
      held = writes.map((w, i) => stored[i]?.version === w.version || (w.value === null && stored[i] === null));
    }
    await this.changedKeys!.announce(writes, held);
    return n;
  }

  async flush(): Promise<void> {
    const p = this.pending;
    this.pending = [];
    await Promise.all(p);
    if (this.failure) throw this.failure;
    await this.store.flush?.();
    // After the store: an announced (committed) change is durable in the store.
    await this.changedKeys?.commit();
  }

  snapshot(): KvSinkState {
    return {
      generation: this.generation, counters: new Map(this.counters),
      ...(this.changedKeys ? { changedKeys: this.changedKeys.snapshot() } : {}),
    };
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      try {
        await this.changedKeys?.close();
      } finally {
        await this.store.close();
      }
    }
  }
}

function safeJson(row: Row): string {
  try {
    return JSON.stringify(row, (_k, v: unknown) => (v instanceof Map ? [...v] : v instanceof Uint8Array ? [...v] : v));
  } catch {
    return String(row);
  }
}
