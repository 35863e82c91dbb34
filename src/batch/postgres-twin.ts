/**
 * Reading a PostgreSQL offline twin (source-model.ts OfflineTwin, format 'postgres': url + table + timeColumn) as rows
 * of a Freshet table, with the `pg` client: the same contract as the DuckDB reader of offline-query.ts — each physical
 * column converted on the server to Freshet's runtime representation (src/common/types.ts: timestamps as epoch ms,
 * integers and decimals as numbers), rows restricted to event times in [from, to) and in event-time order.
 *
 * The rows stream through a server-side cursor (DECLARE ... NO SCROLL CURSOR / FETCH FORWARD n) inside one
 * REPEATABLE READ, READ ONLY transaction, so the progress total (count) and the rows come from the same snapshot and
 * memory stays bounded by one fetch. The time predicate is written on the raw column, so an index on it serves both
 * the range and the ORDER BY. A restore skips rows with MOVE FORWARD.
 */
import pg from 'pg';
import { FreshetError, diag } from '../common/diagnostics.js';
import type { Row } from '../common/row.js';
import type { RowField } from '../common/types.js';
import type { OfflineTwin } from '../catalog/dictionary/source-model.js';
import { BatchErrors } from './batch-error-codes.js';
import { sqlIdent } from './duckdb.js';
import type { TimeRange } from './offline-query.js';

/** Rows fetched per round trip. */
export const PG_FETCH_ROWS = 4096;

const CURSOR = 'freshet_twin';

export interface PostgresQuery {
  /** The SELECT returning the table's physical columns in order, converted, filtered and sorted. */
  sql: string;
  /** SELECT count(*) over the same rows (progress totals). */
  countSql: string;
}

function unreadable(message: string, hint?: string): FreshetError {
  return new FreshetError(diag(BatchErrors.OfflineUnreadable, message, undefined, hint));
}

function requireOpt(v: string | undefined, name: string): string {
  if (v === undefined || v.trim() === '') throw new FreshetError(diag(BatchErrors.BadTwin, `the postgres offline twin needs '${name}'`));
  return v;
}

/** Column name → PostgreSQL type text (format_type) of a table or view, in column order. */
export async function describePgTable(client: pg.ClientBase, table: string): Promise<Map<string, string>> {
  let rows: { name: string; type: string }[];
  try {
    rows = (await client.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, [sqlIdent(table, true)])).rows;
  } catch (e) {
    throw unreadable(`cannot read the PostgreSQL offline twin '${table}': ${(e as Error).message}`, 'check the table name (schema.table) and the connection URL');
  }
  return new Map(rows.map((r) => [r.name, r.type]));
}

const isTimestamp = (t: string): boolean => /^timestamp/i.test(t);
const isDate = (t: string): boolean => /^date$/i.test(t);
const isText = (t: string): boolean => /^(text|character|char|varchar|name)/i.test(t);

/** Builds the query of `fields` (physical, in order) over the table, filtered to `range` on `timeColumn`. */
export function buildPostgresQuery(table: string, columns: Map<string, string>, fields: readonly RowField[], timeColumn: string, range: TimeRange): PostgresQuery {
  const cols = new Map([...columns].map(([k, v]) => [k.toLowerCase(), { name: k, type: v }]));
  const select = fields.map((f) => convert(cols.get(f.name.toLowerCase()), f));
  const tc = cols.get(timeColumn.toLowerCase());
  if (tc === undefined) {
    throw unreadable(`the PostgreSQL offline twin has no time column '${timeColumn}' (columns: ${[...columns.keys()].join(', ')})`,
      "set the twin's timeColumn to the column holding the event time");
  }
  const t = sqlIdent(tc.name);
  // Bounds in the column's own type, exact to the millisecond (no float seconds).
  const bound = (ms: number): string => {
    const n = Math.round(ms);
    if (/^timestamp with time zone/i.test(tc.type)) return `(TIMESTAMPTZ '1970-01-01 00:00:00+00' + ${n}::BIGINT * INTERVAL '1 millisecond')`;
    if (isTimestamp(tc.type)) return `(TIMESTAMP '1970-01-01 00:00:00' + ${n}::BIGINT * INTERVAL '1 millisecond')`;
    if (isDate(tc.type)) return `(DATE '1970-01-01' + ${Math.floor(ms / 86_400_000)}::INTEGER)`;
    if (isText(tc.type)) throw unreadable(`the time column '${tc.name}' of the PostgreSQL offline twin is text (${tc.type})`, 'use a timestamp, date or epoch-millisecond column');
    return String(n);
  };
  const where: string[] = [];
  if (range.from !== undefined && Number.isFinite(range.from)) where.push(`${t} >= ${bound(range.from)}`);
  if (range.to !== undefined && Number.isFinite(range.to)) where.push(`${t} < ${bound(range.to)}`);
  const w = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  const from = sqlIdent(table, true);
  return { sql: `SELECT ${select.join(', ')} FROM ${from}${w} ORDER BY ${t}`, countSql: `SELECT count(*)::float8 AS n FROM ${from}${w}` };
}

/**
 * The select expression giving field `f` from a column of PostgreSQL type `col.type`. Every value leaves the server
 * as float8, boolean or text, which `pg` parses to a JS number, boolean or string: no per-row conversion here.
 */
function convert(col: { name: string; type: string } | undefined, f: RowField): string {
  const out = sqlIdent(f.name);
  if (col === undefined) return `NULL AS ${out}`;
  const c = sqlIdent(col.name);
  switch (f.type.kind) {
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ':
      // Millisecond precision, truncated like the DuckDB reader (epoch_ms); a timestamp without time zone is UTC.
      // extract() is numeric from PostgreSQL 14 on; the ::numeric keeps older servers' float seconds from
      // flooring 123 ms to 122.
      if (isTimestamp(col.type)) return `floor(extract(epoch FROM ${c})::numeric * 1000)::float8 AS ${out}`;
      if (isDate(col.type) || isText(col.type)) return `floor(extract(epoch FROM ${c}::timestamp)::numeric * 1000)::float8 AS ${out}`;
      return `${c}::float8 AS ${out}`;
    case 'DATE':
      return `(${c}::date - DATE '1970-01-01')::float8 AS ${out}`;
    case 'TIME':
      return `floor(extract(epoch FROM ${c}::time)::numeric * 1000)::float8 AS ${out}`;
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT': case 'DOUBLE':
      return `${c}::float8 AS ${out}`;
    case 'DECIMAL':
      return `round(${c}::numeric, ${f.type.scale ?? 0})::float8 AS ${out}`;
    case 'BOOLEAN':
      return `${c}::boolean AS ${out}`;
    case 'CHAR': case 'VARCHAR':
      return `${c}::text AS ${out}`;
    default:
      throw unreadable(`column '${f.name}' of type ${f.type.kind} cannot be read from an offline twin yet`,
        'offline twins support character, numeric, boolean, date, time and timestamp columns');
  }
}

/** A cursor over a PostgreSQL twin: open, fetch until null, close. */
export class PostgresTwinReader {
  private client: pg.Client | undefined;
  private done = false;
  /** Rows the query returns in all (set by open when `count` is asked for). */
  total = 0;

  constructor(private readonly twin: OfflineTwin, private readonly fields: readonly RowField[], private readonly timeColumn: string,
    private readonly range: TimeRange) {}

  /** Connects, starts the snapshot, counts (when asked) and declares the cursor; then skips `skip` rows. */
  async open(count: boolean, skip = 0): Promise<void> {
    const url = requireOpt(this.twin.url, 'url');
    const table = requireOpt(this.twin.table, 'table');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'freshet-offline' });
    try {
      await client.connect();
    } catch (e) {
      throw unreadable(`cannot connect to the PostgreSQL offline twin: ${(e as Error).message}`, 'check the twin\'s url (postgres://user@host:port/db)');
    }
    this.client = client;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const q = buildPostgresQuery(table, await describePgTable(client, table), this.fields, this.timeColumn, this.range);
      if (count) this.total = Number((await client.query<{ n: number }>(q.countSql)).rows[0]!.n);
      await client.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${q.sql}`);
      if (skip > 0) await client.query(`MOVE FORWARD ${Math.floor(skip)} IN ${CURSOR}`);
    } catch (e) {
      await this.close();
      if (e instanceof FreshetError) throw e;
      throw unreadable(`cannot read the PostgreSQL offline twin '${table}': ${(e as Error).message}`);
    }
  }

  /** The next rows in event-time order (at most PG_FETCH_ROWS), or null at the end. */
  async fetch(): Promise<Row[] | null> {
    if (this.done || this.client === undefined) return null;
    const r = await this.client.query<Row>({ text: `FETCH FORWARD ${PG_FETCH_ROWS} FROM ${CURSOR}`, rowMode: 'array' });
    if (r.rows.length === 0) { this.done = true; return null; }
    if (r.rows.length < PG_FETCH_ROWS) this.done = true;
    return r.rows;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c === undefined) return;
    await c.query('ROLLBACK').catch(() => undefined);
    await c.end().catch(() => undefined);
  }
}
