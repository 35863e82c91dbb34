/**
 * Lookup source over an online store: `JOIN features FOR SYSTEM_TIME AS OF s.proc_time ON s.k = features.k` reads the
 * row stored under the key (store-key.ts) built from the lookup key values. The lookup key columns must be the
 * table's primary key (the columns the sink keyed the rows by), in any order. Lookups issued in the same tick (the
 * engine's async lookup mode runs up to its capacity concurrently) are sent as one multiGet round trip.
 */
import type { Row } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { KvStore, StoredValue } from '../../engine/kv-store-api.js';
import type { LookupContext, LookupSource } from '../connector.js';
import { createRowCodec, type RowCodec } from './row-codec.js';
import { storeKeyFn, type StoreKeyFn } from './store-key.js';

const NONE: Row[] = [];

interface Waiter { key: string; resolve: (v: StoredValue | null) => void; reject: (e: Error) => void }

export class KvLookup implements LookupSource {
  private readonly keyFn: StoreKeyFn;
  private readonly codec: RowCodec;
  private queue: Waiter[] = [];
  private scheduled = false;

  constructor(ctx: LookupContext, readonly store: KvStore, readonly table: string) {
    // The key row holds the values of ctx.keyColumns in that order; encode them in table column order.
    const cols = ctx.keyColumns;
    const keyFields: RowField[] = cols.map((c) => ctx.physicalFields[c]!);
    const order = cols.map((c, i) => [c, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
    this.keyFn = storeKeyFn(order, keyFields);
    this.codec = createRowCodec(ctx.physicalFields);
  }

  async open(): Promise<void> {
    await this.store.open();
  }

  async lookup(key: Row): Promise<Row[]> {
    const k = this.keyFn(key);
    if (k === undefined) return NONE;
    const stored = await new Promise<StoredValue | null>((resolve, reject) => {
      this.queue.push({ key: k, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.drain());
      }
    });
    return stored === null ? NONE : [this.codec.decode(stored.value)];
  }

  private drain(): void {
    const q = this.queue;
    this.queue = [];
    this.scheduled = false;
    this.store.multiGet(this.table, q.map((w) => w.key)).then(
      (vals) => { for (let i = 0; i < q.length; i++) q[i]!.resolve(vals[i] ?? null); },
      (e: Error) => { for (const w of q) w.reject(e); });
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
