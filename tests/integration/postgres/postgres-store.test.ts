// The DictionaryStore contract on PostgreSQL. Needs a server: `bash scripts/postgres.sh start` (or set
// FRESHET_TEST_PG_URL). Each test works in a schema of its own, dropped afterwards. Skips, saying why, when no
// server answers.
import { PG_URL, pgSkipReason } from '../../support/postgres.js';
import { PostgresDictionaryStore } from '../../../src/catalog/dictionary/postgres-store.js';
import { storeContract } from '../../catalog/store-contract.js';

const url = PG_URL;
// Probed before the tests are declared, so a skip is decided (and its reason shown) per test.
// A missing server only skips here, even with FRESHET_REQUIRE_POSTGRES=1.
const unreachable = (await pgSkipReason(false)) ?? false;

let n = 0;
storeContract('postgres store', async () => {
  const schema = `freshet_t_${process.pid}_${Date.now()}_${n++}`;
  const s = new PostgresDictionaryStore({ url, schema });
  const close = s.close.bind(s);
  // Drop the test's schema when the test closes the store.
  s.close = async () => { await s.dropSchema(); await close(); };
  return s;
}, () => unreachable);
