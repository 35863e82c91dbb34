/**
 * The PostgreSQL the integration tests use: the server `bash scripts/postgres.sh start` runs on 127.0.0.1 at
 * FRESHET_PG_PORT (default 15432) with the database freshet_test, or FRESHET_TEST_PG_URL. Tests probe it once before
 * they are declared, so each test can skip with the reason; FRESHET_REQUIRE_POSTGRES=1 turns a missing server into
 * a failure for the tests that honour it.
 */
import pg from 'pg';

/** The admin URL of the test server (its database freshet_test). */
export const PG_URL = process.env['FRESHET_TEST_PG_URL'] ?? `postgres://postgres@127.0.0.1:${process.env['FRESHET_PG_PORT'] ?? '15432'}/freshet_test`;

/**
 * Undefined when the server answers; otherwise why not (with how to start one). Throws instead when `require` is on
 * (by default: FRESHET_REQUIRE_POSTGRES=1).
 */
export async function pgSkipReason(require = process.env['FRESHET_REQUIRE_POSTGRES'] === '1'): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (e) {
    const reason = `no PostgreSQL at ${PG_URL} (${(e as Error).message}); start one with: bash scripts/postgres.sh start`;
    if (require) throw new Error(`FRESHET_REQUIRE_POSTGRES=1 but ${reason}`);
    return reason;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A database of its own on the test server (created now), its URL, and how to drop it (forcing sessions out). */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const db = `${prefix}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  return {
    url: PG_URL.replace(/\/[^/]*$/, `/${db}`),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    },
  };
}
