/**
 * The `offline` connector: a bounded scan of a source's offline twin (Parquet / CSV / JSON-lines files or folders with
 * hive date partitions, or a table of a DuckDB file, through the embedded DuckDB; or a PostgreSQL table through a
 * `pg` server-side cursor, postgres-twin.ts), in event-time order, restricted to event times in
 * [scan.from-millis, scan.to-millis). The offline path swaps a feature script's streaming source for
 * this connector so that backfills, checks and training sets run the feature's own SQL on the embedded engine: the
 * same aggregation code as the stream.
 *
 *   'connector' = 'offline', 'format' = 'parquet', 'path' = 'history/', 'time-column' = 'ts',
 *   'partition-column' = 'dt', 'scan.from-millis' = '...', 'scan.to-millis' = '...'
 *
 * Position (checkpoints): rows returned so far; a restore re-runs the (deterministic, ordered) query and skips them.
 * Ties in event time are ordered as DuckDB returns them; a restore is exact only when times are distinct or the
 * twin is one file (the backfill itself never restores: it is re-run from the start).
 */
import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { diag, type Diagnostic } from '../common/diagnostics.js';
import type { Row } from '../common/row.js';
import type { OfflineTwin } from '../catalog/dictionary/source-model.js';
import type { ConnectorFactory, ScanSource, TableContext } from '../connectors/connector.js';
import { ConnectorErrors } from '../connectors/connector-error-codes.js';
import { checkOptionKeys, optionDiag } from '../connectors/option-validation.js';
import { duckConnect } from './duckdb.js';
import { buildOfflineQuery, describeRelation, twinRelation, type TimeRange } from './offline-query.js';
import { PostgresTwinReader } from './postgres-twin.js';

export const OFFLINE_CONNECTOR = 'offline';

/** Rows read so far and the total the query will return (progress bars). */
export type OfflineProgress = (read: number, total: number) => void;

const FORMATS = ['parquet', 'csv', 'json', 'duckdb', 'postgres'];

/** The connector options of a twin read over [range.from, range.to). */
export function offlineOptions(twin: OfflineTwin, timeColumn: string, range: TimeRange): Record<string, string> {
  const o: Record<string, string> = { connector: OFFLINE_CONNECTOR, format: twin.format, 'time-column': twin.timeColumn ?? timeColumn };
  if (twin.path !== undefined) o['path'] = twin.path;
  if (twin.table !== undefined) o['table'] = twin.table;
  if (twin.url !== undefined) o['url'] = twin.url;
  if (twin.partitionColumn !== undefined) o['partition-column'] = twin.partitionColumn;
  if (range.from !== undefined && Number.isFinite(range.from)) o['scan.from-millis'] = String(range.from);
  if (range.to !== undefined && Number.isFinite(range.to)) o['scan.to-millis'] = String(range.to);
  return o;
}

/** The twin described by a table's options. */
export function twinOfOptions(options: Record<string, string>): OfflineTwin {
  const t: OfflineTwin = { format: (options['format'] ?? 'parquet') as OfflineTwin['format'] };
  if (options['path'] !== undefined) t.path = options['path'];
  if (options['table'] !== undefined) t.table = options['table'];
  if (options['url'] !== undefined) t.url = options['url'];
  if (options['time-column'] !== undefined) t.timeColumn = options['time-column'];
  if (options['partition-column'] !== undefined) t.partitionColumn = options['partition-column'];
  return t;
}

/** The connector; `onProgress` observes every source it creates (the backfill's progress bar). */
export function createOfflineConnector(onProgress?: OfflineProgress): ConnectorFactory {
  const factory: ConnectorFactory = {
    identifier: OFFLINE_CONNECTOR,
    options: {
      format: { description: 'parquet, csv, json (JSON lines), duckdb (a table of a DuckDB file) or postgres.', required: true },
      path: { description: 'File, glob or folder (hive partitions allowed) of the files; the DuckDB file for duckdb.' },
      table: { description: 'Table name for duckdb and postgres twins.' },
      url: { description: 'PostgreSQL connection string.' },
      'time-column': { description: 'Column holding the event time (timestamp or epoch milliseconds).', required: true },
      'partition-column': { description: 'Hive partition column holding the event date (dt=YYYY-MM-DD), used for pruning.' },
      'scan.from-millis': { description: 'Read events at or after this epoch-millisecond time.' },
      'scan.to-millis': { description: 'Read events before this epoch-millisecond time.' },
    },
    validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] {
      const out = checkOptionKeys(factory, ctx);
      if (role === 'sink') out.push(optionDiag(ctx, ConnectorErrors.UnsupportedRole, 'connector', "connector 'offline' can only be read"));
      const f = ctx.options['format'];
      if (f !== undefined && !FORMATS.includes(f)) out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'format', `unsupported offline format '${f}'`, `use one of ${FORMATS.join(', ')}`));
      const needs = f === 'postgres' ? ['url', 'table'] : f === 'duckdb' ? ['path', 'table'] : f !== undefined ? ['path'] : [];
      for (const k of needs) {
        if ((ctx.options[k] ?? '').trim() === '') out.push(optionDiag(ctx, ConnectorErrors.MissingOption, k, `offline format '${f}' needs option '${k}'`));
      }
      for (const k of ['scan.from-millis', 'scan.to-millis']) {
        const v = ctx.options[k];
        if (v !== undefined && !Number.isFinite(Number(v))) out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, k, `option '${k}' must be epoch milliseconds, got '${v}'`));
      }
      return out;
    },
    createSource(ctx: TableContext): ScanSource {
      return new OfflineScanSource(ctx, onProgress);
    },
  };
  return factory;
}

/** The `offline` connector without a progress observer. */
export const offlineConnector = createOfflineConnector();

class OfflineScanSource implements ScanSource {
  readonly bounded = true;
  private conn: DuckDBConnection | undefined;
  private result: DuckDBResult | undefined;
  private pg: PostgresTwinReader | undefined;
  private buffer: Row[] = [];
  private at = 0;
  private read = 0;
  private total = 0;
  private done = false;

  constructor(private readonly ctx: TableContext, private readonly onProgress?: OfflineProgress) {}

  async open(position?: unknown): Promise<void> {
    const o = this.ctx.options;
    const twin = twinOfOptions(o);
    const range: TimeRange = {};
    if (o['scan.from-millis'] !== undefined) range.from = Number(o['scan.from-millis']);
    if (o['scan.to-millis'] !== undefined) range.to = Number(o['scan.to-millis']);
    const skip = typeof position === 'object' && position !== null ? Number((position as { rows?: number }).rows ?? 0) : 0;
    if (twin.format === 'postgres') {
      // A server-side cursor over the table (postgres-twin.ts); a restore skips on the server.
      this.pg = new PostgresTwinReader(twin, this.ctx.physicalFields, o['time-column'] ?? 'ts', range);
      await this.pg.open(this.onProgress !== undefined, skip);
      this.total = this.pg.total;
      this.read = skip;
      this.onProgress?.(this.read, this.total);
      return;
    }
    const { from, setup } = twinRelation(twin, this.ctx.baseDir);
    this.conn = await duckConnect();
    for (const s of setup) await this.conn.run(s);
    const columns = await describeRelation(this.conn, from);
    const q = buildOfflineQuery(twin, from, setup, columns, this.ctx.physicalFields, o['time-column'] ?? 'ts', range);
    if (this.onProgress) {
      this.total = Number((await this.conn.runAndReadAll(q.countSql)).getRows()[0]![0]);
      this.onProgress(0, this.total);
    }
    this.result = await this.conn.stream(q.sql);
    while (this.read < skip) {
      const rows = await this.next(skip - this.read);
      if (rows === null) break;
    }
  }

  /** Up to max rows from the buffer (refilled a DuckDB chunk at a time), or null at the end. */
  private async next(max: number): Promise<Row[] | null> {
    if (this.at >= this.buffer.length) {
      if (this.done) return null;
      const rows = await this.fill();
      if (rows === null) { this.done = true; return null; }
      this.buffer = rows;
      this.at = 0;
    }
    const end = Math.min(this.buffer.length, this.at + max);
    const out = this.at === 0 && end === this.buffer.length ? this.buffer : this.buffer.slice(this.at, end);
    this.at = end;
    this.read += out.length;
    return out;
  }

  /** The next chunk of rows from DuckDB or the PostgreSQL cursor, or null at the end. */
  private async fill(): Promise<Row[] | null> {
    if (this.pg !== undefined) return this.pg.fetch();
    if (this.result === undefined) return null;
    const chunk = await this.result.fetchChunk();
    return chunk === null || chunk.rowCount === 0 ? null : chunk.getRows() as Row[];
  }

  async poll(max: number): Promise<Row[] | null> {
    const rows = await this.next(max);
    if (this.onProgress) this.onProgress(this.read, this.total);
    return rows;
  }

  position(): unknown { return { rows: this.read }; }

  async close(): Promise<void> {
    this.result = undefined;
    this.buffer = [];
    this.conn?.closeSync();
    this.conn = undefined;
    await this.pg?.close();
    this.pg = undefined;
  }
}

/** A diagnostic for a feature source without a twin (used by the backfill). */
export function noTwinDiag(table: string, code: string): Diagnostic {
  return diag(code, `source table '${table}' has no offline twin`, undefined,
    "register the source's history: offline: {format: 'parquet', path: '...'} in the data dictionary, or pass --offline table=format:path");
}
