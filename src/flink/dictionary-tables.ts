/**
 * The data dictionary's sources as Flink DDL, for scripts that read `app_events.order` without declaring it: the
 * spec builder prepends the CREATE TABLE of each dictionary table the script references (see
 * BuildJobSpecOptions.dictionaryTables), so the job runs on Flink as it runs on the embedded engine. Secrets are
 * included (the spec builder moves them out of the SQL text into the spec's `secrets`).
 */
import { existsSync } from 'node:fs';
import { Dictionary } from '../catalog/dictionary/dictionary.js';
import { openDictionaryStore } from '../catalog/dictionary/open-store.js';
import { dataDir, dictionaryDirOf } from '../catalog/dictionary/data-dir.js';
import { sourceTablesDdl, type TableDdl } from '../catalog/dictionary/source-ddl.js';

/** Every dictionary table's DDL (none when no dictionary exists: PostgreSQL via FRESHET_CATALOG_URL or the data dir). */
export async function dictionaryTablesForFlink(env: Record<string, string | undefined> = process.env): Promise<TableDdl[]> {
  const hasPg = (env['FRESHET_CATALOG_URL'] ?? '') !== '';
  if (!hasPg && !existsSync(dictionaryDirOf(dataDir(env)))) return [];
  const store = openDictionaryStore(env);
  try {
    const dict = new Dictionary(store);
    const out: TableDdl[] = [];
    for (const s of await dict.list()) {
      const full = await dict.getForRuntime(s.name);
      if (full) out.push(...sourceTablesDdl(full));
    }
    return out;
  } finally {
    await (store as { close?: () => Promise<void> | void }).close?.();
  }
}
