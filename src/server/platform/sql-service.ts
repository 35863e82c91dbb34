/**
 * SQL over the data dictionary for the platform: the session catalog of registered sources, the table/column list
 * the editor completes from, full validation (parse, bind, connector options, plan: the same compiler that runs
 * jobs) with positioned diagnostics, and bounded previews (each embedded-log source read up to its end as of the
 * request, `scan.bounded.mode = latest-offset`, with a row limit and a timeout).
 */
import type { Diagnostic, Span } from '../../common/diagnostics.js';
import { Catalog } from '../../catalog/catalog.js';
import type { Dictionary } from '../../catalog/dictionary/dictionary.js';
import { registerDictionary } from '../../catalog/dictionary/register-dictionary.js';
import { computedTimeExpr } from '../../catalog/dictionary/source-ddl.js';
import { tableNamesOf, type SourceDefinition, type TypeSchema } from '../../catalog/dictionary/source-model.js';
import { typeToString, type RowField } from '../../common/types.js';
import { compileSql, runSql } from '../../runtime/sql-session.js';
import { rowToJsonArray, type JsonValue } from './value-json.js';
import { registerFeatures, type FeatureTable } from './feature-tables.js';

export interface DiagnosticJson { code: string; severity: string; message: string; hint?: string; span?: Span }
export interface ColumnJson { name: string; type: string }

export const toDiagnosticJson = (d: Diagnostic): DiagnosticJson => ({
  code: d.code, severity: d.severity, message: d.message, ...(d.hint ? { hint: d.hint } : {}), ...(d.span ? { span: d.span } : {}),
});
export const columnsOf = (fields: readonly RowField[]): ColumnJson[] => fields.map((f) => ({ name: f.name, type: typeToString(f.type) }));

/**
 * A fresh catalog holding every dictionary source (secrets included: runtime use only, never returned) and the
 * feature tables published by platform jobs (lookup-able store tables; a source of the same name wins).
 */
export async function dictionaryCatalog(dictionary: Dictionary, logDir: string, bounded = false, features: readonly FeatureTable[] = [], baseDir = '.'): Promise<{ catalog: Catalog; sources: SourceDefinition[] }> {
  const catalog = new Catalog();
  const sources = await dictionary.store.list();
  const embedded = sources.filter((s) => s.kind === 'embedded-log');
  registerDictionary(catalog, embedded, { logDir, ...(bounded ? { extraOptions: { 'scan.bounded.mode': 'latest-offset' } } : {}) });
  registerDictionary(catalog, sources.filter((s) => s.kind !== 'embedded-log'), { logDir });
  registerFeatures(catalog, features, baseDir);
  return { catalog, sources };
}

export interface CatalogTable {
  table: string;
  source: string;
  type?: string;
  columns: (ColumnJson & { computed?: boolean; eventTime?: boolean })[];
  eventTimeColumn?: string;
  watermarkDelayMs?: number;
}

function tableOf(table: string, source: string, s: TypeSchema, type?: string): CatalogTable {
  const columns: CatalogTable['columns'] = s.fields.map((f) => ({ name: f.name, type: f.type, ...(f.name === s.eventTimeColumn ? { eventTime: true } : {}) }));
  for (const f of s.fields) {
    if (computedTimeExpr(f)) {
      const name = f.timeColumn ?? `${f.name}_ltz`;
      columns.push({ name, type: 'TIMESTAMP_LTZ(3)', computed: true, ...(name === s.eventTimeColumn ? { eventTime: true } : {}) });
    }
  }
  if (s.procTimeColumn) columns.push({ name: s.procTimeColumn, type: 'TIMESTAMP_LTZ(3)', computed: true });
  return {
    table, source, columns, ...(type ? { type } : {}),
    ...(s.eventTimeColumn ? { eventTimeColumn: s.eventTimeColumn, watermarkDelayMs: s.watermarkDelayMs ?? 5000 } : {}),
  };
}

/** Every SQL table of the dictionary with its columns (the editor's schema browser and completion). */
export async function catalogTables(dictionary: Dictionary): Promise<CatalogTable[]> {
  const out: CatalogTable[] = [];
  for (const s of await dictionary.list()) {
    if (s.types) for (const [t, ts] of Object.entries(s.types)) out.push(tableOf(`${s.name}.${t}`, s.name, ts, t));
    else out.push(tableOf(tableNamesOf(s)[0]!, s.name, s.schema ?? { fields: [] }));
  }
  return out;
}

export interface ValidateResult { ok: boolean; diagnostics: DiagnosticJson[]; columns: ColumnJson[]; queries: number; updating: boolean }

/** Compiles `sql` against the dictionary: every diagnostic with its position, and the result columns. */
export async function validateSql(dictionary: Dictionary, logDir: string, sql: string, baseDir: string, features: readonly FeatureTable[] = []): Promise<ValidateResult> {
  const { catalog } = await dictionaryCatalog(dictionary, logDir, false, features, baseDir);
  const c = compileSql(sql, { catalog, baseDir });
  const q = c.queries[c.queries.length - 1];
  return {
    ok: !c.diagnostics.some((d) => d.severity === 'error'),
    diagnostics: c.diagnostics.map(toDiagnosticJson),
    columns: q ? columnsOf(q.fields) : [],
    queries: c.queries.length,
    updating: q?.updating ?? false,
  };
}

export interface PreviewResult {
  ok: boolean;
  diagnostics: DiagnosticJson[];
  columns: ColumnJson[];
  rows: JsonValue[][];
  /** More rows existed than `limit`. */
  truncated: boolean;
  /** The timeout stopped the run before every source reached its end: the rows are a partial result. */
  timedOut: boolean;
  elapsedMs: number;
}

/** Runs `sql` over the sources' data up to their current end; at most `limit` rows, at most `timeoutMs`. */
export async function previewSql(dictionary: Dictionary, logDir: string, sql: string, baseDir: string, limit: number, timeoutMs: number, features: readonly FeatureTable[] = []): Promise<PreviewResult> {
  const t0 = Date.now();
  const { catalog } = await dictionaryCatalog(dictionary, logDir, true, features, baseDir);
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const r = await runSql(sql, { catalog, baseDir, signal: ac.signal });
    const q = r.results[r.results.length - 1];
    const rows = q ? q.rows.slice(0, limit).map((row) => rowToJsonArray(row, q.fields)) : [];
    return {
      ok: !r.diagnostics.some((d) => d.severity === 'error'),
      diagnostics: r.diagnostics.map(toDiagnosticJson),
      columns: q ? columnsOf(q.fields) : [],
      rows, truncated: (q?.rows.length ?? 0) > limit, timedOut: ac.signal.aborted, elapsedMs: Date.now() - t0,
    };
  } finally {
    clearTimeout(timer);
  }
}
