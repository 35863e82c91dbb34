// The DictionaryStore contract on PostgreSQL. Needs a server: `bash scripts/postgres.sh start` (or set
// FRESHET_TEST_PG_URL). Each test works in a schema of its own, dropped afterwards. Skips, saying why, when no
// server answers.
import pg from 'pg';
import { PostgresDictionaryStore } from '../../../src/catalog/dictionary/postgres-store.js';
import { storeContract } from '../../catalog/store-contract.js';

const url = process.env['FRESHET_TEST_PG_URL'] ?? `postgres://postgres@127.0.0.1:${process.env['FRESHET_PG_PORT'] ?? '15432'}/freshet_test`;
async function probe(): Promise<string | false> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return false;
  } catch (e) {
    return `no PostgreSQL at ${url} (${(e as Error).message}); start one with: bash scripts/postgres.sh start`;
  } finally {
    await c.end().catch(() => undefined);
  }
}
// Probed before the tests are declared, so a skip is decided (and its reason shown) per test.
const unreachable = await probe();

let n = 0;
storeContract('postgres store', async () => {
  const schema = `freshet_t_${process.pid}_${Date.now()}_${n++}`;
  const s = new PostgresDictionaryStore({ url, schema });
  const close = s.close.bind(s);
  // Drop the test's schema when the test closes the store.
  s.close = async () => { await s.dropSchema(); await close(); };
  return s;
}, () => unreachable);
