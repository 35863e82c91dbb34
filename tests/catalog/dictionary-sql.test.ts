// The dictionary's generated DDL runs on the engine: events appended to the embedded log, a schema inferred from
// them, the source registered in the catalog, and SQL over it gives the expected aggregates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Catalog } from '../../src/catalog/catalog.js';
import { inferSchema } from '../../src/catalog/dictionary/infer-schema.js';
import { registerDictionary } from '../../src/catalog/dictionary/register-dictionary.js';
import { EmbeddedLog } from '../../src/connectors/embedded-log/embedded-log.js';
import { runOnCatalog, sourceDef, withTempDir } from './helpers.js';

const T0 = Date.UTC(2024, 0, 1, 10, 0, 0);

test('epoch-millis events: inferred DDL gives a rowtime column usable by a tumbling window', async () => {
  await withTempDir(async (dir) => {
    const logDir = path.join(dir, 'log');
    const log = await EmbeddedLog.open(logDir);
    const events = [
      { user: 'a', amount: 10.5, ts: T0 + 1_000 },
      { user: 'b', amount: 2, ts: T0 + 30_000 },
      { user: 'a', amount: 4.25, ts: T0 + 61_000 },
      { user: 'b', amount: 1, ts: T0 + 119_000 },
      { user: 'a', amount: 100, ts: T0 + 185_000 },
    ];
    await log.ensureTopic('orders', 2);
    await log.append('orders', events.map((e) => ({ value: e, key: e.user })));
    await log.close();

    const inferred = inferSchema(events.map((e) => JSON.stringify(e)), { name: 'orders' });
    assert.deepEqual(inferred.warnings, []);
    assert.equal(inferred.schema!.eventTimeColumn, 'ts_ltz');
    assert.match(inferred.ddl, /`ts_ltz` AS TO_TIMESTAMP_LTZ\(`ts`, 3\)/);
    assert.match(inferred.ddl, /WATERMARK FOR `ts_ltz` AS `ts_ltz` - INTERVAL '5' SECOND/);

    const catalog = new Catalog();
    const reg = registerDictionary(catalog, [sourceDef('orders', { schema: inferred.schema! })], {
      logDir, baseDir: dir, extraOptions: { 'scan.bounded.mode': 'latest-offset' },
    });
    assert.deepEqual(reg, { tables: ['orders'], diagnostics: [] });

    const { rows } = await runOnCatalog(`
      SELECT window_start, COUNT(*) AS n, SUM(amount) AS total
      FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts_ltz), INTERVAL '1' MINUTE))
      GROUP BY window_start, window_end`, catalog, dir);
    const got = rows[0]!.map((r) => [r[0], r[1], r[2]]).sort((x, y) => (x[0] as number) - (y[0] as number));
    assert.deepEqual(got, [[T0, 2, 12.5], [T0 + 60_000, 2, 5.25], [T0 + 180_000, 1, 100]]);
  });
});

test('text and epoch timestamps of every inferred shape read to the right instants in SQL', async () => {
  await withTempDir(async (dir) => {
    const logDir = path.join(dir, 'log');
    const events = [
      { id: 1, at: '2024-05-01T12:00:00Z', local: '2024-05-01T12:00', off: '2024-05-01T14:00:00+02:00', legacy: '2024-05-01 12:00:00', sent_ts: 1714564800 },
      { id: 2, at: '2024-05-01T12:00:01.5Z', local: '2024-05-01T12:00:01', off: '2024-05-01T06:30:01.500-05:30', legacy: '2024-05-01 12:00:01', sent_ts: 1714564801 },
    ];
    const log = await EmbeddedLog.open(logDir);
    await log.append('ts_events', events.map((e) => ({ value: e })));
    await log.close();
    const inferred = inferSchema(events.map((e) => JSON.stringify(e)), { name: 'ts_events' });
    assert.equal(inferred.schema!.timestampStandard, 'ISO-8601');
    const catalog = new Catalog();
    registerDictionary(catalog, [sourceDef('ts_events', { schema: inferred.schema! })], { logDir, baseDir: dir, extraOptions: { 'scan.bounded.mode': 'latest-offset' } });
    const { rows, summary } = await runOnCatalog('SELECT id, at, local, off_ltz, legacy_ltz, sent_ts_ltz FROM ts_events', catalog, dir);
    assert.equal(summary.metrics['badRecords'] ?? 0, 0);
    const base = Date.UTC(2024, 4, 1, 12, 0, 0);
    assert.deepEqual(rows[0]!.sort((a, b) => (a[0] as number) - (b[0] as number)), [
      [1, base, base, base, base, base],
      [2, base + 1500, base + 1000, base + 1500, base + 1000, base + 1000],
    ]);
  });
});
