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
 */
import type { Batch, Row } from '../../common/row.js';
import { typeToString } from '../../common/types.js';
import type { KvStore, VersionedWrite } from '../../engine/kv-store-api.js';
import type { SinkContext, SinkWriter } from '../connector.js';
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

  constructor(private readonly ctx: SinkContext, readonly store: KvStore, readonly table: string) {
    this.keyFn = storeKeyFn(sortedKeyColumns(ctx.primaryKey), ctx.physicalFields);
    this.codec = createRowCodec(ctx.physicalFields);
  }

  async restore(state: unknown): Promise<void> {
    const s = state as KvSinkState | undefined;
    if (s === undefined || s === null) return;
    this.generation = s.generation;
    this.counters = new Map(s.counters);
    this.restored = true;
  }

  async open(): Promise<void> {
    await this.store.open();
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
    const p = this.store.multiPut(this.table, writes);
    p.then((n) => { this.applied += n; }, (e: Error) => { this.failure ??= e; });
    this.pending.push(p);
    // The runner awaits this before the next batch: backpressure, and errors surface on the batch that caused them.
    return p.then(() => undefined);
  }

  async flush(): Promise<void> {
    const p = this.pending;
    this.pending = [];
    await Promise.all(p);
    if (this.failure) throw this.failure;
    await this.store.flush?.();
  }

  snapshot(): KvSinkState {
    return { generation: this.generation, counters: new Map(this.counters) };
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.store.close();
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
