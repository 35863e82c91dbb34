/**
 * Feature tables published to online stores by platform jobs. A job's `store` output turns its SELECT into
 *   CREATE TABLE <table> (<result columns>, PRIMARY KEY (<entity key>) NOT ENFORCED) WITH ('connector' = ...);
 *   INSERT INTO <table> <SELECT>;
 * so the planner tiles sliding-window features (OVER RANGE / HOP per key) automatically, and every such table is
 * registered (the same DDL) in the catalog later jobs compile against, where it is a lookup-able table:
 *   JOIN user_features FOR SYSTEM_TIME AS OF o.proc_time AS f ON o.user_id = f.user_id
 *
 * Invariants: one feature table has one producing job (checked at deploy); secret options reach only the DDL the
 * engine runs, never what the API returns (`connection` is masked).
 */
import path from 'node:path';
import { FreshetError, diag, type Diagnostic } from '../../common/diagnostics.js';
import type { RowField } from '../../common/types.js';
import { typeToString } from '../../common/types.js';
import { objectKey, type Catalog } from '../../catalog/catalog.js';
import { parseCreateTable } from '../../catalog/dictionary/register-dictionary.js';
import { REDACTED } from '../../catalog/dictionary/source-model.js';
import type { JobSpec, OutputSpec, StoreKind } from './job-spec.js';
import { tileOptionProblem } from '../../connectors/stores/kv-connector.js';

/** Options a store output may set (in `options` or `secrets`), per store. */
/** The changed-keys topic (src/connectors/stores/changed-keys.ts): every store sink may announce changed keys. */
const CHANGED_KEYS_OPTIONS = ['changed-keys.topic', 'changed-keys.bootstrap-servers', 'changed-keys.values', 'changed-keys.delivery-guarantee', 'changed-keys.transactional-id-prefix'];
const STORE_OPTIONS: Record<StoreKind, readonly string[]> = {
  'embedded-kv': ['path', 'tile.granularities', 'tile.retention', 'tile.exact', 'tile.edge-entries', ...CHANGED_KEYS_OPTIONS],
  redis: ['host', 'port', 'database', 'username', 'password', 'connect-timeout', 'tile.granularities', 'tile.retention', 'tile.exact', 'tile.edge-entries', ...CHANGED_KEYS_OPTIONS],
};
/** Options that describe where the store is (one serving store per distinct connection). */
const CONNECTION_OPTIONS = ['path', 'host', 'port', 'database', 'username', 'password'];

export interface ColumnDef { name: string; type: string }

/** A published feature table: what `GET /api/features` lists and what the compile catalog registers. */
export interface FeatureTable {
  table: string;
  store: StoreKind;
  /** Producing job and its version. */
  job: string;
  version: number;
  entityKey: string[];
  columns: ColumnDef[];
  /** The job's sources (lineage: source → feature). */
  sources: string[];
  /** Connector options with secrets (runtime only; never returned). */
  options: Record<string, string>;
  /** Names of the options that came from secrets (masked in `connection`). */
  secretKeys: string[];
}

const quote = (id: string): string => `\`${id.replace(/`/g, '``')}\``;
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Column definitions of a result: types as DDL text without time-attribute markers. */
export function columnDefs(fields: readonly RowField[]): ColumnDef[] {
  return fields.map((f) => ({ name: f.name, type: typeToString(f.type, false) }));
}

/**
 * Checks a store output's shape and options; throws a FreshetError whose diagnostic names the field
 * (`outputs[i].store`, `outputs[i].options.<key>`, ...).
 */
export function checkStoreOutput(o: OutputSpec, i: number, code: string): void {
  const fail = (field: string, message: string, hint?: string): never => {
    throw new FreshetError({ ...diag(code, message, undefined, hint), source: `outputs[${i}].${field}` });
  };
  if (o.kind !== 'store') {
    if (o.store !== undefined) fail('store', `an '${o.kind}' output has no store`, "use kind 'store' to write an online store");
    return;
  }
  if (o.store === undefined) fail('store', "a 'store' output names its store: 'embedded-kv' or 'redis'");
  const allowed = STORE_OPTIONS[o.store!];
  for (const [where, m] of [['options', o.options], ['secrets', o.secrets]] as const) {
    for (const [k, v] of Object.entries(m ?? {})) {
      if (!allowed.includes(k)) fail(`${where}.${k}`, `unknown option '${k}' for a '${o.store}' output`, `supported: ${allowed.join(', ')}`);
      if (where === 'secrets' && o.options?.[k] !== undefined) fail(`${where}.${k}`, `option '${k}' is set both in options and in secrets`);
      if (v.trim() === '') fail(`${where}.${k}`, `option '${k}' must not be empty`);
      const tileProblem = tileOptionProblem(k, v);
      if (tileProblem !== undefined) fail(`${where}.${k}`, tileProblem);
      if ((k === 'port' || k === 'database' || k === 'connect-timeout') && v !== REDACTED && !/^\d{1,9}$/.test(v)) {
        fail(`${where}.${k}`, `option '${k}' must be a non-negative integer, got '${v}'`);
      }
    }
  }
}

/** The connector options of a store output (secrets merged in); `path` of embedded-kv resolved. */
export function storeOptions(o: OutputSpec, defaultKvPath: string, baseDir: string): Record<string, string> {
  const out: Record<string, string> = { connector: o.store!, ...(o.options ?? {}), ...(o.secrets ?? {}) };
  if (o.store === 'embedded-kv') out['path'] = out['path'] === undefined ? defaultKvPath : path.resolve(baseDir, out['path']);
  return out;
}

/** Columns as the feature table declares them: primary key columns are NOT NULL (as in Flink). */
export function tableColumns(columns: readonly ColumnDef[], entityKey: readonly string[]): ColumnDef[] {
  return columns.map((c) => (entityKey.includes(c.name) && !/ NOT NULL$/.test(c.type) ? { name: c.name, type: `${c.type} NOT NULL` } : c));
}

/** The CREATE TABLE text of a feature table. */
export function featureDdl(table: string, columns: readonly ColumnDef[], entityKey: readonly string[], options: Record<string, string>): string {
  const cols = tableColumns(columns, entityKey).map((c) => `  ${quote(c.name)} ${c.type}`);
  cols.push(`  PRIMARY KEY (${entityKey.map(quote).join(', ')}) NOT ENFORCED`);
  const opts = Object.entries(options).map(([k, v]) => `  ${lit(k)} = ${lit(v)}`);
  return `CREATE TABLE ${quote(table)} (\n${cols.join(',\n')}\n) WITH (\n${opts.join(',\n')}\n)`;
}

/**
 * The script a job runs: its SELECT unchanged when it has no store output, else one CREATE TABLE + INSERT INTO per
 * store output. `storeOutputs` pairs each store output with its index in `spec.outputs`.
 */
export function jobScript(spec: Pick<JobSpec, 'sql' | 'outputs' | 'entityKey'>, columns: readonly ColumnDef[], defaultKvPath: string, baseDir: string): string {
  const stores = spec.outputs.filter((o) => o.kind === 'store');
  if (stores.length === 0) return spec.sql;
  const select = spec.sql.trim().replace(/;\s*$/, '');
  const parts: string[] = [];
  for (const o of stores) {
    parts.push(`${featureDdl(o.table, columns, spec.entityKey, storeOptions(o, defaultKvPath, baseDir))};`);
    parts.push(`INSERT INTO ${quote(o.table)}\n${select};`);
  }
  return parts.join('\n');
}

/** Every feature table published by `specs` (the latest version of each stored job). */
export function publishedFeatures(specs: readonly JobSpec[], defaultKvPath: string, baseDir: string): FeatureTable[] {
  const out: FeatureTable[] = [];
  for (const s of specs) {
    if (!s.columns) continue;
    for (const o of s.outputs) {
      if (o.kind !== 'store' || o.store === undefined) continue;
      out.push({
        table: o.table, store: o.store, job: s.name, version: s.version, entityKey: s.entityKey, columns: tableColumns(s.columns, s.entityKey),
        sources: s.sources, options: storeOptions(o, defaultKvPath, baseDir), secretKeys: Object.keys(o.secrets ?? {}),
      });
    }
  }
  return out;
}

/** Where a feature table lives, secrets masked (what the API shows). */
export function maskedConnection(f: FeatureTable): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of CONNECTION_OPTIONS) {
    const v = f.options[k];
    if (v !== undefined) out[k] = f.secretKeys.includes(k) || k === 'password' ? REDACTED : v;
  }
  return out;
}

/** Identity of the store connection a feature table is written to (one serving store per distinct value). */
export function connectionKey(f: FeatureTable): string {
  return JSON.stringify([f.store, ...CONNECTION_OPTIONS.map((k) => f.options[k] ?? null)]);
}

/**
 * Registers feature tables in `catalog` as lookup-able tables (skipping names the catalog already has, e.g. a
 * dictionary source). Returns diagnostics of tables whose DDL did not parse (they are skipped).
 */
export function registerFeatures(catalog: Catalog, features: readonly FeatureTable[], baseDir: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const f of features) {
    const { ddl, diagnostics } = parseCreateTable(featureDdl(f.table, f.columns, f.entityKey, f.options));
    if (!ddl) { for (const d of diagnostics) out.push({ ...d, message: `feature table '${f.table}' (job ${f.job}): ${d.message}` }); continue; }
    if (catalog.has(ddl.name)) continue;
    catalog.put({ kind: 'table', name: objectKey(ddl.name), ddl, baseDir, temporary: false });
  }
  return out;
}
