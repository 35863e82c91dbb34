/**
 * The embedded dictionary store: an LMDB environment in `<data dir>/dictionary` (safe for several processes, e.g.
 * the server and the CLI, and crash-safe). Keys: `src:<name>` current definition, `hist:<name>:<version padded>`
 * every version, `stats:<name>`, `lineage:<name>`. Compare-and-set and stats merges run in synchronous LMDB write
 * transactions.
 */
import { mkdirSync } from 'node:fs';
import { open, type RootDatabase } from 'lmdb';
import type { DictionaryStore } from './dictionary-store.js';
import { versionConflict } from './dictionary-store.js';
import { mergeStats, type SourceDefinition, type SourceStats, type StatsDelta } from './source-model.js';

const pad = (v: number): string => String(v).padStart(10, '0');

export class LmdbDictionaryStore implements DictionaryStore {
  readonly kind = 'embedded' as const;
  private readonly db: RootDatabase<unknown, string>;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.db = open<unknown, string>({ path: dir, compression: false, encoding: 'json' });
  }

  async get(name: string): Promise<SourceDefinition | undefined> {
    return this.db.get(`src:${name}`) as SourceDefinition | undefined;
  }

  async list(): Promise<SourceDefinition[]> {
    const out: SourceDefinition[] = [];
    for (const { value } of this.db.getRange({ start: 'src:', end: 'src;' })) out.push(value as SourceDefinition);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async put(def: SourceDefinition, expectedVersion: number): Promise<void> {
    let actual = 0;
    const ok = await this.db.transaction(() => {
      const cur = this.db.get(`src:${def.name}`) as SourceDefinition | undefined;
      actual = cur?.version ?? 0;
      if (actual !== expectedVersion) return false;
      void this.db.put(`src:${def.name}`, def);
      void this.db.put(`hist:${def.name}:${pad(def.version)}`, def);
      return true;
    });
    if (!ok) throw versionConflict(def.name, expectedVersion, actual);
  }

  async history(name: string): Promise<SourceDefinition[]> {
    const out: SourceDefinition[] = [];
    for (const { value } of this.db.getRange({ start: `hist:${name}:`, end: `hist:${name};` })) out.push(value as SourceDefinition);
    return out;
  }

  async delete(name: string): Promise<boolean> {
    return this.db.transaction(() => {
      const existed = this.db.get(`src:${name}`) !== undefined;
      for (const key of this.db.getKeys({ start: `hist:${name}:`, end: `hist:${name};` })) void this.db.remove(key);
      void this.db.remove(`src:${name}`);
      void this.db.remove(`stats:${name}`);
      void this.db.remove(`lineage:${name}`);
      return existed;
    });
  }

  async getStats(name: string): Promise<SourceStats | undefined> {
    return this.db.get(`stats:${name}`) as SourceStats | undefined;
  }

  async updateStats(name: string, delta: StatsDelta, now: number): Promise<SourceStats> {
    return this.db.transaction(() => {
      const next = mergeStats(this.db.get(`stats:${name}`) as SourceStats | undefined, delta, now);
      void this.db.put(`stats:${name}`, next);
      return next;
    });
  }

  async getLineage(name: string): Promise<string[]> {
    return (this.db.get(`lineage:${name}`) as string[] | undefined) ?? [];
  }

  async setLineage(name: string, features: readonly string[]): Promise<void> {
    await this.db.put(`lineage:${name}`, [...features]);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
