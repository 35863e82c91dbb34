/**
 * The session catalog pre-filled with every source registered in the data dictionary, so scripts can read
 * `app_events.order` without DDL. Uses the PostgreSQL catalog when FRESHET_CATALOG_URL is set, else the embedded
 * store in the data directory — and only when one exists (a plain `freshet sql` run creates nothing).
 */
import { existsSync } from 'node:fs';
import { Catalog } from '../catalog/catalog.js';
import type { Diagnostic } from '../common/diagnostics.js';
import { Dictionary } from '../catalog/dictionary/dictionary.js';
import { openDictionaryStore } from '../catalog/dictionary/open-store.js';
import { dataDir, dictionaryDirOf, logDirOf } from '../catalog/dictionary/data-dir.js';

export async function dictionaryCatalog(env: Record<string, string | undefined> = process.env): Promise<{ catalog: Catalog; diagnostics: Diagnostic[]; tables: string[] }> {
  const catalog = new Catalog();
  const hasPg = (env['FRESHET_CATALOG_URL'] ?? '') !== '';
  if (!hasPg && !existsSync(dictionaryDirOf(dataDir(env)))) return { catalog, diagnostics: [], tables: [] };
  const store = openDictionaryStore(env);
  try {
    const r = await new Dictionary(store).toCatalog(catalog, { logDir: logDirOf(dataDir(env)) });
    return { catalog, ...r };
  } finally {
    await (store as { close?: () => Promise<void> | void }).close?.();
  }
}
