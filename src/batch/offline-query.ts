/**
 * The DuckDB query reading an offline twin (source-model.ts OfflineTwin) as rows of a Freshet table: the twin's
 * relation (read_parquet / read_csv / read_json over a file, glob or folder with hive partitions, or a table of an
 * attached DuckDB file), each physical column converted to Freshet's runtime representation (src/common/types.ts:
 * timestamps as epoch ms, integers and decimals as numbers), rows restricted to event times in [from, to) and ordered
 * by event time (the engine treats rows behind the watermark as late, so the order matters).
 *
 * Pruning: the time predicate is written on the raw column so DuckDB can skip Parquet row groups by their min/max
 * statistics, and on the hive date partition column (when the twin names one) so whole folders are skipped.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FreshetError, diag } from '../common/diagnostics.js';
import type { RowField } from '../common/types.js';
import type { OfflineTwin } from '../catalog/dictionary/source-model.js';
import { BatchErrors } from './batch-error-codes.js';
import { sqlIdent, sqlString } from './duckdb.js';

export interface TimeRange {
  /** Inclusive lower bound of event times (epoch ms); undefined: from the start. */
  from?: number;
  /** Exclusive upper bound; undefined: to the end. */
  to?: number;
}

export interface OfflineQuery {
  /** The SELECT returning the table's physical columns in order, converted, filtered and sorted. */
  sql: string;
  /** SELECT count(*) over the same rows (progress totals). */
  countSql: string;
  /** Statements to run first on the connection (ATTACH of a DuckDB file). */
  setup: string[];
}

let attachSeq = 0;

/** The FROM relation of a file or DuckDB-table twin, and the setup statements it needs (not for postgres twins). */
export function twinRelation(twin: OfflineTwin, baseDir = '.'): { from: string; setup: string[] } {
  const hive = twin.partitionColumn !== undefined ? ', hive_partitioning = true' : '';
  switch (twin.format) {
    case 'parquet': return { from: `read_parquet(${sqlString(fileGlob(twin, baseDir, 'parquet'))}, union_by_name = true${hive})`, setup: [] };
    case 'csv': return { from: `read_csv(${sqlString(fileGlob(twin, baseDir, 'csv'))}, header = true, union_by_name = true${hive})`, setup: [] };
    case 'json': return { from: `read_json(${sqlString(fileGlob(twin, baseDir, 'json'))}, format = 'newline_delimited', union_by_name = true${hive})`, setup: [] };
    case 'duckdb': {
      const file = path.resolve(baseDir, requireOpt(twin.path, 'path'));
      if (!existsSync(file)) throw unreadable(`DuckDB file '${file}' does not exist`);
      const alias = `freshet_twin_${++attachSeq}`;
      return { from: `${alias}.${sqlIdent(requireOpt(twin.table, 'table'), true)}`, setup: [`ATTACH ${sqlString(file)} AS ${alias} (READ_ONLY)`] };
    }
    case 'postgres':
      // DuckDB's postgres extension cannot be loaded offline: PostgreSQL twins are read with `pg` (postgres-twin.ts).
      throw new FreshetError(diag(BatchErrors.BadTwin, 'PostgreSQL offline twins are read through a pg cursor, not DuckDB',
        undefined, 'read them with the offline connector (postgres-twin.ts)'));
  }
}

function requireOpt(v: string | undefined, name: string): string {
  if (v === undefined || v.trim() === '') throw new FreshetError(diag(BatchErrors.BadTwin, `the offline twin needs '${name}'`));
  return v;
}

function unreadable(message: string, hint?: string): FreshetError {
  return new FreshetError(diag(BatchErrors.OfflineUnreadable, message, undefined, hint));
}

/** A folder means every file of the format below it (any depth: hive partitions); a file or glob is used as is. */
function fileGlob(twin: OfflineTwin, baseDir: string, ext: string): string {
  const p = path.resolve(baseDir, requireOpt(twin.path, 'path'));
  if (/[*?[]/.test(p)) return p;
  if (!existsSync(p)) throw unreadable(`offline path '${p}' does not exist`);
  if (statSync(p).isDirectory()) return path.join(p, '**', `*.${ext === 'json' ? 'json*' : ext}`);
  return p;
}

/** Column name → DuckDB type text of the relation (DESCRIBE). */
export async function describeRelation(conn: DuckDBConnection, from: string): Promise<Map<string, string>> {
  let rows: unknown[][];
  try {
    rows = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRows() as unknown[][];
  } catch (e) {
    throw unreadable(`cannot read the offline twin: ${(e as Error).message.split('\n')[0]}`, 'check the path/glob and the format');
  }
  return new Map(rows.map((r) => [String(r[0]), String(r[1])]));
}

const isTimestampType = (t: string): boolean => /^TIMESTAMP/i.test(t) && !/TIME ZONE|TZ/i.test(t);
const isTimestampTz = (t: string): boolean => /^TIMESTAMP.*(TIME ZONE|TZ)/i.test(t);
const isDateType = (t: string): boolean => /^DATE$/i.test(t);

/** Builds the query of `fields` (physical, in order) over the twin, filtered to `range` on `timeColumn`. */
export function buildOfflineQuery(twin: OfflineTwin, from: string, setup: string[], columns: Map<string, string>, fields: readonly RowField[],
  timeColumn: string, range: TimeRange): OfflineQuery {
  const cols = new Map([...columns].map(([k, v]) => [k.toLowerCase(), { name: k, type: v }]));
  const select = fields.map((f) => convert(cols.get(f.name.toLowerCase()), f));
  const tc = cols.get(timeColumn.toLowerCase());
  if (tc === undefined) {
    throw unreadable(`the offline twin has no time column '${timeColumn}' (columns: ${[...columns.keys()].join(', ')})`,
      "set the twin's timeColumn to the column holding the event time");
  }
  const t = sqlIdent(tc.name);
  const where: string[] = [];
  const bound = (ms: number): string => {
    if (isTimestampType(tc.type)) return `make_timestamp(${Math.round(ms) * 1000}::BIGINT)`;
    if (isTimestampTz(tc.type)) return `make_timestamp(${Math.round(ms) * 1000}::BIGINT)::TIMESTAMPTZ`;
    if (isDateType(tc.type)) return `(DATE '1970-01-01' + ${Math.floor(ms / 86_400_000)}::INTEGER)`;
    return String(ms);
  };
  if (range.from !== undefined && Number.isFinite(range.from)) where.push(`${t} >= ${bound(range.from)}`);
  if (range.to !== undefined && Number.isFinite(range.to)) where.push(`${t} < ${bound(range.to)}`);
  const pc = twin.partitionColumn !== undefined ? cols.get(twin.partitionColumn.toLowerCase()) : undefined;
  if (pc !== undefined) {
    const day = (ms: number): string => `DATE ${sqlString(new Date(Math.floor(ms / 86_400_000) * 86_400_000).toISOString().slice(0, 10))}`;
    const p = `${sqlIdent(pc.name)}::DATE`;
    if (range.from !== undefined && Number.isFinite(range.from)) where.push(`${p} >= ${day(range.from)}`);
    if (range.to !== undefined && Number.isFinite(range.to)) where.push(`${p} <= ${day(range.to)}`);
  }
  const w = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  return {
    sql: `SELECT ${select.join(', ')} FROM ${from}${w} ORDER BY ${t}`,
    countSql: `SELECT count(*)::DOUBLE FROM ${from}${w}`,
    setup,
  };
}

/** The select expression giving field `f` in Freshet's runtime representation from a column of DuckDB type `col.type`. */
function convert(col: { name: string; type: string } | undefined, f: { name: string; type: RowField['type'] }): string {
  const out = sqlIdent(f.name);
  if (col === undefined) return `NULL AS ${out}`;
  const c = sqlIdent(col.name);
  switch (f.type.kind) {
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ':
      if (isTimestampType(col.type) || isTimestampTz(col.type)) return `epoch_ms(${c})::DOUBLE AS ${out}`;
      if (isDateType(col.type)) return `epoch_ms(${c}::TIMESTAMP)::DOUBLE AS ${out}`;
      if (/CHAR|TEXT|STRING/i.test(col.type)) return `epoch_ms(TRY_CAST(${c} AS TIMESTAMP))::DOUBLE AS ${out}`;
      return `${c}::DOUBLE AS ${out}`;
    case 'DATE':
      return `datediff('day', DATE '1970-01-01', ${c}::DATE)::DOUBLE AS ${out}`;
    case 'TIME':
      return `(epoch_ms(TIMESTAMP '1970-01-01' + ${c}::TIME))::DOUBLE AS ${out}`;
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT': case 'DOUBLE':
      return `${c}::DOUBLE AS ${out}`;
    case 'DECIMAL':
      return `round(${c}::DOUBLE, ${f.type.scale ?? 0}) AS ${out}`;
    case 'BOOLEAN':
      return `${c}::BOOLEAN AS ${out}`;
    case 'CHAR': case 'VARCHAR':
      return `${c}::VARCHAR AS ${out}`;
    default:
      throw unreadable(`column '${f.name}' of type ${f.type.kind} cannot be read from an offline twin yet`,
        'offline twins support character, numeric, boolean, date, time and timestamp columns');
  }
}
