/**
 * Point-in-time training sets (docs/offline.md): for each request row (entity key, timestamp[, label]) the feature
 * table's values as of that timestamp, with no leakage from the future. The tiles are computed from the offline twins
 * (truth.ts) and read with serving's own read code at each request time, so a feature served at t equals its
 * training value at t by construction (same window semantics: t − w < ts ≤ t for OVER features).
 *
 * Requests come as rows or from a file (Parquet / CSV / JSON lines, read with DuckDB); the result is written as
 * Parquet or CSV with DuckDB's COPY. Reads are grouped by request time: one read per distinct time, all its keys at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FreshetError, diag } from '../common/diagnostics.js';
import type { SqlType } from '../common/types.js';
import { BatchErrors } from './batch-error-codes.js';
import { duckConnect, sqlIdent, sqlString } from './duckdb.js';
import type { OfflineProgress } from './offline-connector.js';
import type { FeatureReaders } from './readers.js';
import { featureSpec, type FeatureSource } from './tile-build.js';
import { buildTruth } from './truth.js';

export interface TrainingRequest { key: string; ts: number; label?: unknown }

export interface TrainingSetOptions extends FeatureSource {
  requests: readonly TrainingRequest[];
  readers: Pick<FeatureReaders, 'tiles'>;
  onProgress?: OfflineProgress;
}

export interface TrainingSet {
  /** Output columns: key, ts, label (when any request has one), then the feature columns. */
  columns: { name: string; type: SqlType | 'label' }[];
  rows: Record<string, unknown>[];
  offlineEvents: number;
}

export async function buildTrainingSet(o: TrainingSetOptions): Promise<TrainingSet> {
  const spec = featureSpec(o);
  const cols = spec.columns.filter((c) => c.kind === 'feature');
  const hasLabel = o.requests.some((r) => r.label !== undefined);
  const columns: TrainingSet['columns'] = [{ name: 'key', type: { kind: 'VARCHAR', nullable: false } as SqlType },
    { name: 'ts', type: { kind: 'TIMESTAMP', nullable: false, precision: 3 } as SqlType }];
  if (hasLabel) columns.push({ name: 'label', type: 'label' });
  for (const c of cols) columns.push({ name: c.name, type: c.type });
  if (o.requests.length === 0) return { columns, rows: [], offlineEvents: 0 };
  let minT = Infinity, maxT = -Infinity;
  for (const r of o.requests) {
    if (!Number.isFinite(r.ts)) throw new FreshetError(diag(BatchErrors.BadRequest, `request for key '${r.key}' has no valid timestamp`));
    if (r.ts < minT) minT = r.ts;
    if (r.ts > maxT) maxT = r.ts;
  }
  const truth = await buildTruth(o, spec, minT, maxT, o.onProgress);
  const byTime = new Map<number, number[]>();
  o.requests.forEach((r, i) => { let l = byTime.get(r.ts); if (l === undefined) { l = []; byTime.set(r.ts, l); } l.push(i); });
  const rows: Record<string, unknown>[] = new Array(o.requests.length);
  for (const [t, idx] of byTime) {
    const keys = [...new Set(idx.map((i) => o.requests[i]!.key))];
    const a = await o.readers.tiles(truth.store, truth.table, keys, t, truth.spec);
    const byKey = new Map(a.results.map((r) => [r.key, r]));
    for (const i of idx) {
      const req = o.requests[i]!;
      const res = byKey.get(req.key)!;
      const row: Record<string, unknown> = { key: req.key, ts: req.ts };
      if (hasLabel) row['label'] = req.label ?? null;
      for (const c of cols) row[c.name] = res.values[c.name] ?? null;
      rows[i] = row;
    }
  }
  return { columns, rows, offlineEvents: truth.build.events };
}

function duckType(t: SqlType | 'label'): string {
  if (t === 'label') return 'VARCHAR';
  switch (t.kind) {
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': return 'BIGINT';
    case 'FLOAT': case 'DOUBLE': case 'DECIMAL': return 'DOUBLE';
    case 'BOOLEAN': return 'BOOLEAN';
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return 'TIMESTAMP';
    default: return 'VARCHAR';
  }
}

/** Writes a training set as Parquet or CSV (by the extension of `file`, or `format`). Labels are written as text unless all are numbers. */
export async function writeTrainingSet(set: TrainingSet, file: string, format?: 'parquet' | 'csv'): Promise<void> {
  const fmt = format ?? (file.endsWith('.csv') ? 'csv' : 'parquet');
  const dir = mkdtempSync(path.join(tmpdir(), 'freshet-ts-'));
  const numericLabel = set.rows.every((r) => r['label'] === undefined || r['label'] === null || typeof r['label'] === 'number');
  try {
    const tmp = path.join(dir, 'rows.json');
    writeFileSync(tmp, set.rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).join('\n') + '\n');
    const spec = set.columns.map((c) => `${sqlIdent(c.name)}: ${sqlString(c.type === 'label' ? (numericLabel ? 'DOUBLE' : 'VARCHAR') : c.name === 'ts' || (typeof c.type === 'object' && (c.type.kind === 'TIMESTAMP' || c.type.kind === 'TIMESTAMP_LTZ')) ? 'DOUBLE' : duckType(c.type))}`).join(', ');
    const select = set.columns.map((c) => {
      const id = sqlIdent(c.name);
      const isTs = c.type !== 'label' && (c.type.kind === 'TIMESTAMP' || c.type.kind === 'TIMESTAMP_LTZ');
      return isTs ? `make_timestamp((${id} * 1000)::BIGINT) AS ${id}` : id;
    }).join(', ');
    const c = await duckConnect();
    try {
      await c.run(`COPY (SELECT ${select} FROM read_json(${sqlString(tmp)}, format = 'newline_delimited', columns = {${spec}}))
        TO ${sqlString(path.resolve(file))} (FORMAT ${fmt === 'csv' ? 'csv, HEADER true' : 'parquet'})`);
    } finally {
      c.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads request rows from a Parquet / CSV / JSON-lines file: key column, time column (timestamp or epoch ms), optional label. */
export async function readRequests(file: string, keyColumn = 'key', timeColumn = 'ts', labelColumn?: string): Promise<TrainingRequest[]> {
  const f = path.resolve(file);
  const rel = f.endsWith('.csv') ? `read_csv(${sqlString(f)}, header = true)` : f.endsWith('.parquet') ? `read_parquet(${sqlString(f)})` : `read_json(${sqlString(f)}, format = 'newline_delimited')`;
  const c = await duckConnect();
  try {
    const desc = new Map(((await c.runAndReadAll(`DESCRIBE SELECT * FROM ${rel}`)).getRows() as unknown[][]).map((r) => [String(r[0]), String(r[1])]));
    const tt = desc.get(timeColumn);
    if (!desc.has(keyColumn) || tt === undefined) {
      throw new FreshetError(diag(BatchErrors.BadRequest, `request file needs columns '${keyColumn}' and '${timeColumn}' (has ${[...desc.keys()].join(', ')})`));
    }
    const ts = /^TIMESTAMP|^DATE/i.test(tt) ? `epoch_ms(${sqlIdent(timeColumn)}::TIMESTAMP)::DOUBLE` : /CHAR/i.test(tt) ? `epoch_ms(${sqlIdent(timeColumn)}::TIMESTAMP)::DOUBLE` : `${sqlIdent(timeColumn)}::DOUBLE`;
    const label = labelColumn !== undefined ? `, ${sqlIdent(labelColumn)}` : '';
    const rows = (await c.runAndReadAll(`SELECT ${sqlIdent(keyColumn)}::VARCHAR, ${ts}${label} FROM ${rel}`)).getRows() as unknown[][];
    return rows.map((r) => ({ key: String(r[0]), ts: Number(r[1]), ...(labelColumn !== undefined ? { label: typeof r[2] === 'bigint' ? Number(r[2]) : r[2] } : {}) }));
  } finally {
    c.closeSync();
  }
}
