// The DictionaryStore contract on the embedded LMDB store (a fresh directory per test).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { storeContract } from './store-contract.js';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

storeContract('embedded store', async () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'freshet-lmdb-'));
  dirs.push(d);
  return new LmdbDictionaryStore(d);
});
