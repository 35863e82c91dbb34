/**
 * Chooses the dictionary store from the environment: PostgreSQL when `FRESHET_CATALOG_URL` is a postgres:// URL,
 * otherwise the embedded store in `<data dir>/dictionary`.
 */
import type { DictionaryStore } from './dictionary-store.js';
import { dataDir, dictionaryDirOf } from './data-dir.js';
import { LmdbDictionaryStore } from './lmdb-store.js';
import { PostgresDictionaryStore } from './postgres-store.js';

export function openDictionaryStore(env: Record<string, string | undefined> = process.env): DictionaryStore {
  const url = env['FRESHET_CATALOG_URL'];
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`FRESHET_CATALOG_URL must be a postgres:// URL, got '${url.replace(/:[^:@/]*@/, ':***@')}'`);
    return new PostgresDictionaryStore({ url });
  }
  return new LmdbDictionaryStore(dictionaryDirOf(dataDir(env)));
}
