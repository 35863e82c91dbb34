/**
 * The offline twin reader: Parquet folders with hive date partitions, CSV and JSON-lines files and DuckDB tables are
 * read as rows of the source table (timestamps as epoch ms), restricted to [from, to) and in event-time order; the
 * dictionary validates twins; the fusion record written by batch is the document serving reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { T } from '../../src/common/types.js';
import { createOfflineConnector, offlineOptions } from '../../src/batch/offline-connector.js';
import { duckConnect, sqlString } from '../../src/batch/duckdb.js';
import type { FusionRecord } from '../../src/batch/fusion-record.js';
import { META_FUSION as BATCH_META } from '../../src/batch/fusion-record.js';
import { META_FUSION, type FusionMeta } from '../../src/serving/fused-store.js';
import { validateSource } from '../../src/catalog/dictionary/source-validation.js';
import type { OfflineTwin } from '../../src/catalog/dictionary/source-model.js';
import type { Row } from '../../src/common/row.js';
import { DAY, dailyEvents, writeParquetTwin } from './offline-helpers.js';

const fields = [{ name: 'id', type: T.bigint() }, { name: 'k', type: T.string() }, { name: 'v', type: T.int() }, { name: 'ts', type: T.timestamp(3) }];

async function readAll(twin: OfflineTwin, from?: number, to?: number, progress?: (r: number, t: number) => void): Promise<Row[]> {
  const f = createOfflineConnector(progress);
  const options = offlineOptions(twin, 'ts', { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  const ctx = { tableName: 'ev', physicalFields: fields, options, baseDir: '.', reporter: { badRecord: () => undefined } };
  assert.deepEqual(f.validate(ctx, 'source'), []);
  const s = f.createSource!(ctx);
  await s.open();
  const out: Row[] = [];
  for (let b = await s.poll(500); b !== null; b = await s.poll(500)) out.push(...b);
  await s.close();
  return out;
}

test('parquet, csv, json and duckdb twins read in time order within [from, to)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-offsrc-'));
  try {
    const events = dailyEvents(2000, 10, 5, 3);
    await writeParquetTwin(dir, events);
    const from = events[0]!.ts + 3 * DAY + 1, to = events[0]!.ts + 6 * DAY;
    const want = events.filter((e) => e.ts >= from && e.ts < to).map((e) => [e.id, e.k, e.v, e.ts]);
    let total = -1, read = 0;
    const parquet = await readAll({ format: 'parquet', path: join(dir, 'twin'), partitionColumn: 'dt' }, from, to, (r, t) => { read = r; total = t; });
    assert.deepEqual(parquet, want);
    assert.equal(total, want.length);
    assert.equal(read, want.length);
    const c = await duckConnect();
    try {
      await c.run(`COPY (SELECT * EXCLUDE (dt) FROM read_parquet(${sqlString(join(dir, 'twin', '**', '*.parquet'))}, hive_partitioning = true)) TO ${sqlString(join(dir, 'ev.csv'))} (FORMAT csv, HEADER true)`);
      await c.run(`ATTACH ${sqlString(join(dir, 'hist.duckdb'))} AS h`);
      await c.run(`CREATE TABLE h.events AS SELECT id, k, v, epoch_ms(ts) AS ts FROM read_csv(${sqlString(join(dir, 'ev.csv'))}, header = true)`);
      await c.run('DETACH h');
    } finally {
      c.closeSync();
    }
    assert.deepEqual(await readAll({ format: 'csv', path: join(dir, 'ev.csv') }, from, to), want);
    assert.deepEqual(await readAll({ format: 'duckdb', path: join(dir, 'hist.duckdb'), table: 'events' }, from, to), want, 'epoch-ms time column');
    writeFileSync(join(dir, 'ev.jsonl'), events.map((e) => JSON.stringify({ id: e.id, k: e.k, v: e.v, ts: new Date(e.ts).toISOString().replace('T', ' ').replace('Z', '') })).join('\n'));
    assert.deepEqual(await readAll({ format: 'json', path: join(dir, 'ev.jsonl') }, from, to), want);
    assert.equal((await readAll({ format: 'parquet', path: join(dir, 'twin') })).length, events.length, 'no range: everything');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the dictionary validates offline twins', () => {
  const base = { name: 'ev', kind: 'kafka', connection: { bootstrapServers: 'h:1' }, format: { kind: 'json' }, schema: { fields: [{ name: 'k', type: 'STRING', nullable: true }] }, tags: [], samples: [] };
  assert.deepEqual(validateSource({ ...base, offline: { format: 'parquet', path: 'history/', partitionColumn: 'dt' } }), []);
  const bad = validateSource({ ...base, offline: { format: 'parquet' } }).map((d) => d.message).join('\n');
  assert.match(bad, /offline.path/);
  assert.match(validateSource({ ...base, offline: { format: 'xls', path: 'a' } }).map((d) => d.message).join('\n'), /offline.format/);
  assert.match(validateSource({ ...base, offline: { format: 'duckdb', path: 'a.db' } }).map((d) => d.message).join('\n'), /offline.table/);
});

test('the fusion record batch writes is the document serving reads', () => {
  const r: FusionRecord = { format: 1, offlineTable: 't~offline', boundary: 1, from: null, generation: 1, builtAt: 2, events: 3, reason: 'backfill' };
  const m: FusionMeta = r; // both declarations must stay assignable both ways
  const back: FusionRecord = m;
  assert.equal(BATCH_META, META_FUSION);
  assert.equal(back.boundary, 1);
});
