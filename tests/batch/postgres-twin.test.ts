/**
 * PostgreSQL offline twins (format 'postgres': url + table + timeColumn), read through a `pg` server-side cursor:
 * rows in event-time order within [from, to), converted like the DuckDB reader (timestamp, timestamptz and
 * epoch-millisecond time columns), resumable from a position; and a backfill from a PostgreSQL table writes exactly
 * the tiles (values and versions) a backfill from the same events in Parquet writes, and serves the oracle's values.
 *
 * Needs PostgreSQL (`bash scripts/postgres.sh start`, port FRESHET_PG_PORT, default 15432, or FRESHET_TEST_PG_URL);
 * skips with the reason otherwise, and FRESHET_REQUIRE_POSTGRES=1 makes that a failure. Each run works in a schema
 * of its own, dropped afterwards.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_URL, pgSkipReason } from '../support/postgres.js';
import { T } from '../../src/common/types.js';
import type { Row } from '../../src/common/row.js';
import type { OfflineTwin } from '../../src/catalog/dictionary/source-model.js';
import { createOfflineConnector, offlineOptions } from '../../src/batch/offline-connector.js';
import { backfill } from '../../src/batch/backfill.js';
import { ScratchStore } from '../../src/batch/layer-store.js';
import type { TileWrite } from '../../src/engine/kv-store-api.js';
import { parseTwins } from '../../src/cli/offline-commands.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { FusedStore } from '../../src/serving/fused-store.js';
import { DAY, HOUR, MIN, dailyEvents, featureScript, oracle, writeParquetTwin, type Ev } from './offline-helpers.js';

const url = PG_URL;
const unreachable = (await pgSkipReason()) ?? false;

const schema = `freshet_twin_${process.pid}_${Date.now().toString(36)}`;
const start = Date.UTC(2026, 0, 1);
const events: Ev[] = dailyEvents(3000, 30, 6, 11, start);
let admin: pg.Client | undefined;

const fields = [{ name: 'id', type: T.bigint() }, { name: 'k', type: T.string() }, { name: 'v', type: T.int() }, { name: 'ts', type: T.timestamp(3) }];

before(async () => {
  if (unreachable) return;
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  // Three spellings of the event time: timestamp (UTC), timestamptz, and epoch milliseconds. Rows are inserted in a
  // shuffled order so that the reader's ORDER BY is what puts them in time order.
  await admin.query(`CREATE TABLE ${schema}.ev (id BIGINT, k TEXT, v INTEGER, ts TIMESTAMP(3))`);
  await admin.query(`CREATE TABLE ${schema}.ev_tz (id BIGINT, k VARCHAR(16), v SMALLINT, ts TIMESTAMPTZ)`);
  await admin.query(`CREATE TABLE ${schema}.ev_ms (id INTEGER, k TEXT, v NUMERIC(6, 0), ts_ms BIGINT)`);
  const shuffled = [...events].sort((a, b) => ((a.id * 7919) % 3001) - ((b.id * 7919) % 3001));
  const cols = [shuffled.map((e) => e.id), shuffled.map((e) => e.k), shuffled.map((e) => e.v), shuffled.map((e) => e.ts)];
  const ms = `TIMESTAMP '1970-01-01' + t * INTERVAL '1 millisecond'`;
  await admin.query(`INSERT INTO ${schema}.ev SELECT i, k, v, ${ms} FROM unnest($1::bigint[], $2::text[], $3::int[], $4::bigint[]) AS u(i, k, v, t)`, cols);
  await admin.query(`INSERT INTO ${schema}.ev_tz SELECT i, k, v, (${ms}) AT TIME ZONE 'UTC' FROM unnest($1::bigint[], $2::text[], $3::int[], $4::bigint[]) AS u(i, k, v, t)`, cols);
  await admin.query(`INSERT INTO ${schema}.ev_ms SELECT i, k, v, t FROM unnest($1::bigint[], $2::text[], $3::int[], $4::bigint[]) AS u(i, k, v, t)`, cols);
  await admin.query(`CREATE INDEX ON ${schema}.ev (ts)`);
});

after(async () => {
  if (admin === undefined) return;
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await admin.end();
});

/** Every row the offline connector reads from the twin over [from, to); `stopAfter` rows, then a restore from the position. */
async function readTwin(twin: OfflineTwin, timeColumn: string, range: { from?: number; to?: number }, progress?: (r: number, t: number) => void): Promise<Row[]> {
  const f = createOfflineConnector(progress);
  const ctx = { tableName: 'ev', physicalFields: fields, options: offlineOptions(twin, timeColumn, range), baseDir: '.', reporter: { badRecord: () => undefined } };
  assert.deepEqual(f.validate(ctx, 'source'), []);
  const s = f.createSource!(ctx);
  await s.open();
  const out: Row[] = [];
  try {
    for (let b = await s.poll(700); b !== null; b = await s.poll(700)) out.push(...b);
  } finally {
    await s.close();
  }
  return out;
}

test('a PostgreSQL twin is read in time order within [from, to), for timestamp, timestamptz and epoch-ms time columns', async (t) => {
  if (unreachable) { t.skip(unreachable); return; }
  const from = start + 3 * DAY + 1, to = start + 9 * DAY + 17;
  const want = events.filter((e) => e.ts >= from && e.ts < to).map((e) => [e.id, e.k, e.v, e.ts]);
  assert.ok(want.length > 500);
  let read = -1, total = -1;
  const rows = await readTwin({ format: 'postgres', url, table: `${schema}.ev` }, 'ts', { from, to }, (r, n) => { read = r; total = n; });
  assert.deepEqual(rows, want);
  assert.equal(total, want.length, 'progress total from the same snapshot');
  assert.equal(read, want.length);
  assert.deepEqual(await readTwin({ format: 'postgres', url, table: `${schema}.ev_tz` }, 'ts', { from, to }), want, 'timestamptz');
  assert.deepEqual(await readTwin({ format: 'postgres', url, table: `${schema}.ev_ms`, timeColumn: 'ts_ms' }, 'ts', { from, to }),
    want.map((r) => [r[0], r[1], r[2], null]), 'epoch-ms time column (the twin names it; the field ts is not a column: NULL), NUMERIC and INTEGER as numbers');
  assert.equal((await readTwin({ format: 'postgres', url, table: `${schema}.ev` }, 'ts', {})).length, events.length, 'no range: everything');
  // Bounds are exact to the millisecond: an event exactly at `from` is in, one exactly at `to` is out.
  const e = events[1234]!;
  const edge = await readTwin({ format: 'postgres', url, table: `${schema}.ev` }, 'ts', { from: e.ts, to: events[1236]!.ts });
  assert.deepEqual(edge.map((r) => r[0]), [e.id, events[1235]!.id]);
});

test('a PostgreSQL twin read resumes from its position (server-side MOVE)', async (t) => {
  if (unreachable) { t.skip(unreachable); return; }
  const f = createOfflineConnector();
  const ctx = { tableName: 'ev', physicalFields: fields, options: offlineOptions({ format: 'postgres', url, table: `${schema}.ev` }, 'ts', {}), baseDir: '.', reporter: { badRecord: () => undefined } };
  const s1 = f.createSource!(ctx);
  await s1.open();
  const first: Row[] = [];
  while (first.length < 1500) first.push(...(await s1.poll(500))!);
  const pos = s1.position();
  await s1.close();
  const s2 = f.createSource!(ctx);
  await s2.open(pos);
  const rest: Row[] = [];
  for (let b = await s2.poll(5000); b !== null; b = await s2.poll(5000)) rest.push(...b);
  await s2.close();
  assert.deepEqual([...first, ...rest].map((r) => r[0]), events.map((x) => x.id));
});

test('a PostgreSQL twin with a missing table or time column, or without url, is reported', async (t) => {
  if (unreachable) { t.skip(unreachable); return; }
  await assert.rejects(readTwin({ format: 'postgres', url, table: `${schema}.nope` }, 'ts', {}), (e: Error & { diagnostics?: { code: string }[] }) => e.diagnostics?.[0]?.code === 'OFF001');
  await assert.rejects(readTwin({ format: 'postgres', url, table: `${schema}.ev` }, 'when', {}), /no time column 'when'/);
  const f = createOfflineConnector();
  const opts = offlineOptions({ format: 'postgres', table: 'ev' }, 'ts', {});
  const ds = f.validate({ tableName: 'ev', physicalFields: fields, options: opts, baseDir: '.', reporter: { badRecord: () => undefined } }, 'source');
  assert.match(ds.map((d) => d.message).join('\n'), /needs option 'url'/);
});

test('the CLI names PostgreSQL twins as table=postgres:pgTable[:timeColumn]@url', () => {
  assert.deepEqual(parseTwins(['ev=postgres:public.events:ts_ms@postgres://u@h:5432/db', 'b=postgres:b@postgres://h/db']), {
    ev: { format: 'postgres', table: 'public.events', timeColumn: 'ts_ms', url: 'postgres://u@h:5432/db' },
    b: { format: 'postgres', table: 'b', url: 'postgres://h/db' },
  });
});

/** A scratch store remembering every tile write that applied (the newest version per tile). */
class RecordingStore extends ScratchStore {
  readonly cells = new Map<string, { version: number; value: string | null }>();
  override async writeTiles(table: string, writes: readonly TileWrite[]): Promise<number> {
    for (const w of writes) {
      const id = `${table}|${w.key}|${w.granularityMs}|${w.start}`;
      const cur = this.cells.get(id);
      if (cur === undefined || cur.version < w.version) this.cells.set(id, { version: w.version, value: w.value });
    }
    return super.writeTiles(table, writes);
  }
}

test('a backfill from a PostgreSQL table writes the same tiles as from the same events in Parquet', async (t) => {
  if (unreachable) { t.skip(unreachable); return; }
  const dir = mkdtempSync(join(tmpdir(), 'freshet-pgtwin-'));
  try {
    await writeParquetTwin(dir, events);
    // The stream is not needed: the feature is served from the offline layer alone below the boundary.
    const script = featureScript(`'connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json'`, join(dir, 'kv'), `'7' DAY`);
    const boundary = start + 25 * DAY;
    const run = async (twin: OfflineTwin): Promise<RecordingStore> => {
      const store = new RecordingStore();
      const r = await backfill({ script, feature: 'user_30d', baseDir: dir, store, boundary, from: start + 2 * DAY, twins: { ev: twin } });
      assert.equal(r.build.events, events.filter((e) => e.ts >= start + 2 * DAY && e.ts < boundary).length);
      assert.equal(r.build.lateRows, 0);
      return store;
    };
    const fromParquet = await run({ format: 'parquet', path: join(dir, 'twin'), partitionColumn: 'dt' });
    const fromPg = await run({ format: 'postgres', url, table: `${schema}.ev` });
    assert.ok(fromParquet.cells.size > 1000, `tiles written: ${fromParquet.cells.size}`);
    assert.deepEqual(fromPg.cells, fromParquet.cells, 'same tiles, values and versions');

    const inRange = events.filter((e) => e.ts >= start + 2 * DAY);
    const keys = [...new Set(events.map((e) => e.k))].sort();
    const fused = new FusedStore(fromPg, { metaTtlMs: 0 });
    const times = [boundary - 1, boundary - 3 * DAY - 5 * HOUR - 7 * MIN, inRange[900]!.ts, inRange[300]!.ts + 7 * DAY];
    for (const at of times) {
      const a = await readFeatures(fused, 'user_30d', keys, at);
      for (const res of a.results) {
        const o = oracle(inRange, res.key, at, 7 * DAY);
        assert.equal(Number(res.values['cnt']), o.cnt, `count of ${res.key} at ${new Date(at).toISOString()}`);
        assert.equal(res.values['total'], o.total, `sum of ${res.key} at ${new Date(at).toISOString()}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
