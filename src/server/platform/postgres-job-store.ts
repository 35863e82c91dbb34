/**
 * Job specs and desired states in PostgreSQL, for several platform instances sharing one catalog (high
 * availability). The same contract as the on-disk JobStore (job-store.ts): one row per version, never rewritten
 * (`freshet_job_versions`, primary key (name, version), so two instances saving the same version conflict instead
 * of overwriting each other), and one desired state per job (`freshet_job_desired`). `freshet_job_owners` records
 * which instance runs a job (written by the instance holding the job's leader lock; informational only — the lock,
 * not this row, decides who runs it). Tables are created on first use in `schema` (default `public`).
 */
import { PostgresCatalog } from '../../catalog/postgres-catalog.js';
import type { JobSpec } from './job-spec.js';
import type { DesiredState, JobSpecStore } from './job-spec-store.js';

export interface PostgresJobStoreOptions {
  url: string;
  schema?: string;
  /** Pool size (default 3). */
  max?: number;
}

export class PostgresJobStore implements JobSpecStore {
  readonly kind = 'postgres' as const;
  private readonly db: PostgresCatalog;

  constructor(o: PostgresJobStoreOptions) {
    this.db = new PostgresCatalog({ url: o.url, schema: o.schema, max: o.max ?? 3, connectTimeoutMs: 5000, queryTimeoutMs: 10_000 }, (s) => `
        CREATE TABLE IF NOT EXISTS ${s}.freshet_job_versions (name text NOT NULL, version integer NOT NULL, spec jsonb NOT NULL,
          saved_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (name, version));
        CREATE TABLE IF NOT EXISTS ${s}.freshet_job_desired (name text PRIMARY KEY, state text NOT NULL);
        CREATE TABLE IF NOT EXISTS ${s}.freshet_job_owners (name text PRIMARY KEY, instance text NOT NULL, since timestamptz NOT NULL DEFAULT now());`);
  }

  /** Cheap round trip (readiness). */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async names(): Promise<string[]> {
    const r = await this.db.query(`SELECT name FROM ${this.db.schema}.freshet_job_versions GROUP BY name ORDER BY name COLLATE "C"`);
    return r.rows.map((x: { name: string }) => x.name);
  }

  async versions(name: string): Promise<number[]> {
    const r = await this.db.query(`SELECT version FROM ${this.db.schema}.freshet_job_versions WHERE name = $1 ORDER BY version`, [name]);
    return r.rows.map((x: { version: number }) => x.version);
  }

  async get(name: string, version?: number): Promise<JobSpec | undefined> {
    const r = version === undefined
      ? await this.db.query(`SELECT spec FROM ${this.db.schema}.freshet_job_versions WHERE name = $1 ORDER BY version DESC LIMIT 1`, [name])
      : await this.db.query(`SELECT spec FROM ${this.db.schema}.freshet_job_versions WHERE name = $1 AND version = $2`, [name, version]);
    return r.rows[0]?.spec as JobSpec | undefined;
  }

  async history(name: string): Promise<JobSpec[]> {
    const r = await this.db.query(`SELECT spec FROM ${this.db.schema}.freshet_job_versions WHERE name = $1 ORDER BY version`, [name]);
    return r.rows.map((x: { spec: JobSpec }) => x.spec);
  }

  async put(spec: JobSpec): Promise<void> {
    const r = await this.db.query(`INSERT INTO ${this.db.schema}.freshet_job_versions (name, version, spec) VALUES ($1, $2, $3::jsonb)
      ON CONFLICT (name, version) DO NOTHING`, [spec.name, spec.version, JSON.stringify(spec)]);
    if (r.rowCount === 0) throw new Error(`job '${spec.name}' version ${spec.version} exists`);
  }

  async desired(name: string): Promise<DesiredState> {
    const r = await this.db.query(`SELECT state FROM ${this.db.schema}.freshet_job_desired WHERE name = $1`, [name]);
    return r.rows[0]?.state === 'running' ? 'running' : 'stopped';
  }

  /** Every job's desired state in one round trip (the leader loop polls this every second). */
  async allDesired(): Promise<Map<string, DesiredState>> {
    const r = await this.db.query(`SELECT v.name, coalesce(d.state, 'stopped') AS state FROM (SELECT DISTINCT name FROM ${this.db.schema}.freshet_job_versions) v
      LEFT JOIN ${this.db.schema}.freshet_job_desired d ON d.name = v.name`);
    return new Map(r.rows.map((x: { name: string; state: string }) => [x.name, x.state === 'running' ? 'running' : 'stopped']));
  }

  async setDesired(name: string, state: DesiredState): Promise<void> {
    await this.db.query(`INSERT INTO ${this.db.schema}.freshet_job_desired (name, state) VALUES ($1, $2)
      ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state`, [name, state]);
  }

  async delete(name: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.db.schema}.freshet_job_versions WHERE name = $1`, [name]);
    await this.db.query(`DELETE FROM ${this.db.schema}.freshet_job_desired WHERE name = $1`, [name]);
    await this.db.query(`DELETE FROM ${this.db.schema}.freshet_job_owners WHERE name = $1`, [name]);
  }

  async setOwner(name: string, instance: string | undefined): Promise<void> {
    if (instance === undefined) await this.db.query(`DELETE FROM ${this.db.schema}.freshet_job_owners WHERE name = $1`, [name]);
    else {
      await this.db.query(`INSERT INTO ${this.db.schema}.freshet_job_owners (name, instance, since) VALUES ($1, $2, now())
        ON CONFLICT (name) DO UPDATE SET instance = EXCLUDED.instance, since = EXCLUDED.since`, [name, instance]);
    }
  }

  async owner(name: string): Promise<{ instance: string; since: string } | undefined> {
    const r = await this.db.query(`SELECT instance, since FROM ${this.db.schema}.freshet_job_owners WHERE name = $1`, [name]);
    const row = r.rows[0] as { instance: string; since: Date } | undefined;
    return row ? { instance: row.instance, since: row.since.toISOString() } : undefined;
  }

  /** Drops the schema with everything in it (tests use a schema of their own). */
  async dropSchema(): Promise<void> {
    await this.db.dropSchema();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
