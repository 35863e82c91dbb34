/**
 * The PostgreSQL dictionary store (`FRESHET_CATALOG_URL=postgres://...`), for teams sharing one dictionary.
 * Tables (created on first use, in `schema`, default `public`): freshet_sources (current definition per name),
 * freshet_source_versions (every saved version), freshet_source_stats, freshet_source_lineage; documents are jsonb.
 * Compare-and-set is a conditional INSERT/UPDATE in one transaction; stats merges lock the row (SELECT ... FOR UPDATE).
 */
import { PostgresCatalog } from '../postgres-catalog.js';
import type { DictionaryStore } from './dictionary-store.js';
import { versionConflict } from './dictionary-store.js';
import { mergeStats, type SourceDefinition, type SourceStats, type StatsDelta } from './source-model.js';

export interface PostgresStoreOptions {
  /** A postgres:// URL. */
  url: string;
  /** Schema holding the tables (created when missing). */
  schema?: string;
  /** Pool size (default 4). */
  max?: number;
}

export class PostgresDictionaryStore implements DictionaryStore {
  readonly kind = 'postgres' as const;
  private readonly db: PostgresCatalog;

  constructor(opts: PostgresStoreOptions) {
    this.db = new PostgresCatalog({ url: opts.url, schema: opts.schema, max: opts.max ?? 4 }, (s) => `
        CREATE TABLE IF NOT EXISTS ${s}.freshet_sources (name text PRIMARY KEY, version integer NOT NULL, definition jsonb NOT NULL);
        CREATE TABLE IF NOT EXISTS ${s}.freshet_source_versions (name text NOT NULL, version integer NOT NULL, definition jsonb NOT NULL,
          saved_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (name, version));
        CREATE TABLE IF NOT EXISTS ${s}.freshet_source_stats (name text PRIMARY KEY, stats jsonb NOT NULL);
        CREATE TABLE IF NOT EXISTS ${s}.freshet_source_lineage (name text PRIMARY KEY, features jsonb NOT NULL);`);
  }

  async get(name: string): Promise<SourceDefinition | undefined> {
    const r = await this.db.query(`SELECT definition FROM ${this.db.schema}.freshet_sources WHERE name = $1`, [name]);
    return r.rows[0]?.definition as SourceDefinition | undefined;
  }

  async list(): Promise<SourceDefinition[]> {
    const r = await this.db.query(`SELECT definition FROM ${this.db.schema}.freshet_sources ORDER BY name COLLATE "C"`);
    return r.rows.map((x: { definition: SourceDefinition }) => x.definition);
  }

  async put(def: SourceDefinition, expectedVersion: number): Promise<void> {
    const doc = JSON.stringify(def);
    const conflict = await this.db.tx(async (c) => {
      const r = expectedVersion === 0
        ? await c.query(`INSERT INTO ${this.db.schema}.freshet_sources (name, version, definition) VALUES ($1, $2, $3::jsonb) ON CONFLICT (name) DO NOTHING RETURNING name`, [def.name, def.version, doc])
        : await c.query(`UPDATE ${this.db.schema}.freshet_sources SET version = $2, definition = $3::jsonb WHERE name = $1 AND version = $4 RETURNING name`, [def.name, def.version, doc, expectedVersion]);
      if (r.rowCount === 0) {
        const cur = await c.query(`SELECT version FROM ${this.db.schema}.freshet_sources WHERE name = $1`, [def.name]);
        return (cur.rows[0]?.version as number | undefined) ?? 0;
      }
      await c.query(`INSERT INTO ${this.db.schema}.freshet_source_versions (name, version, definition) VALUES ($1, $2, $3::jsonb)
        ON CONFLICT (name, version) DO UPDATE SET definition = EXCLUDED.definition, saved_at = now()`, [def.name, def.version, doc]);
      return undefined;
    });
    if (conflict !== undefined) throw versionConflict(def.name, expectedVersion, conflict);
  }

  async history(name: string): Promise<SourceDefinition[]> {
    const r = await this.db.query(`SELECT definition FROM ${this.db.schema}.freshet_source_versions WHERE name = $1 ORDER BY version`, [name]);
    return r.rows.map((x: { definition: SourceDefinition }) => x.definition);
  }

  async delete(name: string): Promise<boolean> {
    return this.db.tx(async (c) => {
      const r = await c.query(`DELETE FROM ${this.db.schema}.freshet_sources WHERE name = $1`, [name]);
      await c.query(`DELETE FROM ${this.db.schema}.freshet_source_versions WHERE name = $1`, [name]);
      await c.query(`DELETE FROM ${this.db.schema}.freshet_source_stats WHERE name = $1`, [name]);
      await c.query(`DELETE FROM ${this.db.schema}.freshet_source_lineage WHERE name = $1`, [name]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  async getStats(name: string): Promise<SourceStats | undefined> {
    const r = await this.db.query(`SELECT stats FROM ${this.db.schema}.freshet_source_stats WHERE name = $1`, [name]);
    return r.rows[0]?.stats as SourceStats | undefined;
  }

  async updateStats(name: string, delta: StatsDelta, now: number): Promise<SourceStats> {
    return this.db.tx(async (c) => {
      await c.query(`INSERT INTO ${this.db.schema}.freshet_source_stats (name, stats) VALUES ($1, $2::jsonb) ON CONFLICT (name) DO NOTHING`,
        [name, JSON.stringify(mergeStats(undefined, {}, now))]);
      const cur = await c.query(`SELECT stats FROM ${this.db.schema}.freshet_source_stats WHERE name = $1 FOR UPDATE`, [name]);
      const next = mergeStats(cur.rows[0]?.stats as SourceStats | undefined, delta, now);
      await c.query(`UPDATE ${this.db.schema}.freshet_source_stats SET stats = $2::jsonb WHERE name = $1`, [name, JSON.stringify(next)]);
      return next;
    });
  }

  async getLineage(name: string): Promise<string[]> {
    const r = await this.db.query(`SELECT features FROM ${this.db.schema}.freshet_source_lineage WHERE name = $1`, [name]);
    return (r.rows[0]?.features as string[] | undefined) ?? [];
  }

  async setLineage(name: string, features: readonly string[]): Promise<void> {
    await this.db.query(`INSERT INTO ${this.db.schema}.freshet_source_lineage (name, features) VALUES ($1, $2::jsonb)
      ON CONFLICT (name) DO UPDATE SET features = EXCLUDED.features`, [name, JSON.stringify([...features])]);
  }

  /** Drops the schema with everything in it (tests use a schema of their own). */
  async dropSchema(): Promise<void> {
    await this.db.dropSchema();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
