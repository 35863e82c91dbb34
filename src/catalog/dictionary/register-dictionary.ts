/**
 * Makes every dictionary source a table of the session catalog, so SQL can read `orders` or `app_events.order`
 * without writing DDL: the generated CREATE TABLE text (source-ddl.ts) is parsed and stored like user DDL, which
 * keeps one path for binding, validation and explain. Tables the session declared itself are not replaced.
 */
import { diag, type Diagnostic } from '../../common/diagnostics.js';
import type { CreateTable } from '../../sql/ast.js';
import { parseScript } from '../../sql/index.js';
import { Catalog, objectKey } from '../catalog.js';
import { DictionaryErrors as E } from './dictionary-error-codes.js';
import { sourceTablesDdl, type DdlOptions } from './source-ddl.js';
import type { SourceDefinition } from './source-model.js';

export interface RegisterOptions extends DdlOptions {
  /** Directory relative paths resolve against (default: the current directory). */
  baseDir?: string;
  /** Replace tables of the same name already in the catalog (default false: the session's own DDL wins). */
  replace?: boolean;
}

/** Parses one generated CREATE TABLE statement. */
export function parseCreateTable(text: string): { ddl?: CreateTable; diagnostics: Diagnostic[] } {
  const parsed = parseScript(text);
  const st = parsed.statements?.[0];
  if (parsed.diagnostics.some((d) => d.severity === 'error') || !st || st.kind !== 'CreateTable') {
    return { diagnostics: parsed.diagnostics.length > 0 ? [...parsed.diagnostics] : [diag(E.InvalidSource, 'generated DDL is not a CREATE TABLE statement')] };
  }
  return { ddl: st, diagnostics: [] };
}

/**
 * Registers the tables of `sources` in `catalog`. Returns the registered table names and the diagnostics of
 * sources whose DDL did not parse (they are skipped, the others registered).
 */
export function registerDictionary(catalog: Catalog, sources: readonly SourceDefinition[], opts: RegisterOptions = {}): { tables: string[]; diagnostics: Diagnostic[] } {
  const tables: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const src of sources) {
    for (const t of sourceTablesDdl(src, opts)) {
      const { ddl, diagnostics: ds } = parseCreateTable(t.ddl);
      if (!ddl) {
        for (const d of ds) diagnostics.push({ ...d, message: `source '${src.name}' (table ${t.table}): ${d.message}`, source: `dictionary:${src.name}` });
        continue;
      }
      const name = objectKey(ddl.name);
      if (!opts.replace && catalog.has(ddl.name)) continue;
      catalog.put({ kind: 'table', name, ddl, baseDir: opts.baseDir ?? process.cwd(), temporary: false });
      tables.push(name);
    }
  }
  return { tables, diagnostics };
}
