/**
 * What the PostgreSQL catalogs (the data dictionary's store, the platform's job store) share: a pool that never
 * crashes the process when an idle connection loses its server, a validated schema name, tables created once on first
 * use (retried after a failure, so a catalog that was down at start works when it comes back), and transactions.
 */
import pg from 'pg';

export interface PostgresCatalogOptions {
  /** A postgres:// URL. */
  url: string;
  /** Schema holding the tables (created when missing; default `public`). */
  schema?: string;
  /** Pool size. */
  max: number;
  /** Bounded waits for connecting and per query (ms); unbounded when left out. */
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
}

export class PostgresCatalog {
  readonly pool: pg.Pool;
  /** The schema as a quoted SQL identifier, e.g. `"public"`. */
  readonly schema: string;
  private ready: Promise<void> | undefined;

  /** `ddl(schema)` returns the CREATE ... IF NOT EXISTS statements of the catalog's tables. */
  constructor(o: PostgresCatalogOptions, private readonly ddl: (schema: string) => string) {
    this.pool = new pg.Pool({
      connectionString: o.url, max: o.max,
      ...(o.connectTimeoutMs !== undefined ? { connectionTimeoutMillis: o.connectTimeoutMs } : {}),
      ...(o.queryTimeoutMs !== undefined ? { query_timeout: o.queryTimeoutMs } : {}),
    });
    // An idle client losing its server must not crash the process; the next query reports the error.
    this.pool.on('error', () => undefined);
    const schema = o.schema ?? 'public';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new Error(`invalid PostgreSQL schema name '${schema}'`);
    this.schema = `"${schema}"`;
  }

  /** Creates the schema and tables once; a failed attempt is forgotten so the next call retries. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await this.pool.query(this.ddl(this.schema));
    })();
    this.ready.catch(() => { this.ready = undefined; });
    return this.ready;
  }

  /** A query after init. */
  async query(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    await this.init();
    return this.pool.query(text, values);
  }

  /** Runs fn in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.init();
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /** Drops the schema with everything in it (tests use a schema of their own); the next call creates it again. */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    this.ready = undefined;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
