/**
 * The online stores the platform serves feature tables from: the embedded default store (always there, opened on
 * first use) and one store per distinct connection that a job publishes to (a Redis server, another embedded
 * directory), created through the store's SQL connector so options mean exactly what they mean in the job.
 */
import path from 'node:path';
import { getConnector } from '../../connectors/registry.js';
import { EmbeddedKvStore } from '../../connectors/stores/embedded-kv-store.js';
import type { KvStore } from '../../engine/kv-store-api.js';
import { connectionKey, type FeatureTable } from './feature-tables.js';

export class FeatureStores {
  private readonly byConnection = new Map<string, KvStore>();
  private readonly opening = new Map<KvStore, Promise<void>>();

  /** `embedded` is the default store; `embeddedPath` its directory (outputs without a path write there). */
  constructor(readonly embedded: KvStore, readonly embeddedPath: string, private readonly baseDir: string) {}

  /** The store `f` is written to (the default store for tables no job publishes), opened. */
  async storeFor(f: FeatureTable | undefined): Promise<KvStore> {
    const s = this.pick(f);
    let p = this.opening.get(s);
    if (p === undefined) {
      p = s.open();
      this.opening.set(s, p);
      // A failed open (server down) is retried by the next request.
      p.catch(() => this.opening.delete(s));
    }
    await p;
    return s;
  }

  private pick(f: FeatureTable | undefined): KvStore {
    if (f === undefined) return this.embedded;
    if (f.store === 'embedded-kv' && path.resolve(f.options['path'] ?? this.embeddedPath) === path.resolve(this.embeddedPath)) return this.embedded;
    const key = connectionKey(f);
    let s = this.byConnection.get(key);
    if (s === undefined) {
      const factory = getConnector(f.store);
      if (!factory?.createStore) throw new Error(`connector '${f.store}' is not an online store`);
      s = factory.createStore({ tableName: f.table, physicalFields: [], options: f.options, baseDir: this.baseDir, reporter: { badRecord: () => undefined } });
      this.byConnection.set(key, s);
    }
    return s;
  }

  /** Closes every store opened (the default one included). */
  async close(): Promise<void> {
    const all = [this.embedded, ...this.byConnection.values()];
    await Promise.all(all.map(async (s) => {
      const p = this.opening.get(s);
      if (p === undefined) return;
      try { await p; } catch { return; }
      await s.close();
    }));
    this.opening.clear();
    this.byConnection.clear();
  }
}

/** The default embedded store at `kvPath` (used when the platform is given none). */
export const defaultFeatureStore = (kvPath?: string): EmbeddedKvStore => new EmbeddedKvStore(kvPath ? { path: kvPath } : {});
