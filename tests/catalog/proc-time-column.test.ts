// The processing-time column of dictionary sources: its place in the generated DDL, inference's proposal (proc_time,
// suffixed on a clash, renamed or left out on request), validation with field paths, sources stored without it
// unchanged, and a lookup join `FOR SYSTEM_TIME AS OF s.proc_time` against an embedded-kv table on the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Catalog } from '../../src/catalog/catalog.js';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { inferSchema } from '../../src/catalog/dictionary/infer-schema.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { parseCreateTable, registerDictionary } from '../../src/catalog/dictionary/register-dictionary.js';
import { sourceTablesDdl, typeSchemaDdl } from '../../src/catalog/dictionary/source-ddl.js';
import type { TypeSchema } from '../../src/catalog/dictionary/source-model.js';
import { validateSource } from '../../src/catalog/dictionary/source-validation.js';
import { FreshetError } from '../../src/common/diagnostics.js';
import { EmbeddedLog } from '../../src/connectors/embedded-log/embedded-log.js';
import { runOnCatalog, sourceDef, withTempDir } from './helpers.js';

const j = (...xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x));
const T0 = Date.UTC(2024, 0, 1, 10, 0, 0);

const ORDERS: TypeSchema = {
  fields: [
    { name: 'user_id', type: 'STRING', nullable: true },
    { name: 'amount', type: 'DOUBLE', nullable: true },
    { name: 'ts', type: 'BIGINT', nullable: true, timestampFormat: 'epoch-millis', timeColumn: 'ts_ltz' },
  ],
  eventTimeColumn: 'ts_ltz',
  watermarkDelayMs: 5000,
};

test('DDL: the column comes after the physical and computed time columns, before the watermark', () => {
  const ddl = typeSchemaDdl(['orders'], { ...ORDERS, procTimeColumn: 'proc_time' }, { connector: 'embedded-log', topic: 'orders', format: 'json' });
  assert.equal(ddl, [
    'CREATE TABLE `orders` (',
    '  `user_id` STRING,',
    '  `amount` DOUBLE,',
    '  `ts` BIGINT,',
    '  `ts_ltz` AS TO_TIMESTAMP_LTZ(`ts`, 3),',
    '  `proc_time` AS PROCTIME(),',
    "  WATERMARK FOR `ts_ltz` AS `ts_ltz` - INTERVAL '5' SECOND",
    ') WITH (',
    "  'connector' = 'embedded-log',",
    "  'topic' = 'orders',",
    "  'format' = 'json'",
    ')',
  ].join('\n'));
  const parsed = parseCreateTable(ddl).ddl;
  assert.ok(parsed, ddl);
  // A schema without a watermark ends with the column.
  const plain = typeSchemaDdl(['t'], { fields: [{ name: 'a', type: 'INT', nullable: true }], procTimeColumn: 'pt' }, { connector: 'blackhole' });
  assert.match(plain, /`a` INT,\n {2}`pt` AS PROCTIME\(\)\n\) WITH/);
});

test('sources stored without the field keep their DDL unchanged (no column)', () => {
  const def = sourceDef('orders', { schema: ORDERS });
  const [t] = sourceTablesDdl(def, { logDir: '/log' });
  assert.doesNotMatch(t!.ddl, /PROCTIME/);
  assert.equal(t!.ddl.split('\n').filter((l) => l.startsWith('  `')).length, 4, t!.ddl);
  // Multi-type: each type has its own column (or none).
  const multi = sourceDef('ev', {
    discriminator: { path: '$.type' },
    types: { a: { fields: [{ name: 'x', type: 'INT', nullable: true }], procTimeColumn: 'pt_a' }, b: { fields: [{ name: 'y', type: 'INT', nullable: true }] } },
  });
  const tables = sourceTablesDdl(multi, { logDir: '/log' });
  assert.match(tables[0]!.ddl, /`pt_a` AS PROCTIME\(\)/);
  assert.doesNotMatch(tables[1]!.ddl, /PROCTIME/);
});

test('inference proposes proc_time, suffixed when a column has that name; renamed or left out on request', () => {
  const r = inferSchema(j({ id: 1, ts: T0 }), { name: 'orders' });
  assert.equal(r.schema!.procTimeColumn, 'proc_time');
  assert.match(r.ddl, /`ts_ltz` AS TO_TIMESTAMP_LTZ\(`ts`, 3\),\n {2}`proc_time` AS PROCTIME\(\),\n {2}WATERMARK FOR/);

  assert.equal(inferSchema(j({ proc_time: 'x' })).schema!.procTimeColumn, 'proc_time_1');
  assert.equal(inferSchema(j({ proc_time: 'x', proc_time_1: 2 })).schema!.procTimeColumn, 'proc_time_2');
  // A computed time column is a column too (`proc_time` as a field's timeColumn cannot come from inference, whose
  // computed names end in _ltz; a field named proc_time_ltz makes the computed name of proc_time proc_time_ltz2).
  const clash = inferSchema(j({ proc_time: T0, proc_time_1: 1 }));
  assert.deepEqual([clash.schema!.fields[0]!.timeColumn, clash.schema!.procTimeColumn], ['proc_time_ltz', 'proc_time_2']);

  const renamed = inferSchema(j({ id: 1 }), { procTimeColumn: 'arrived' });
  assert.equal(renamed.schema!.procTimeColumn, 'arrived');
  assert.match(renamed.ddl, /`arrived` AS PROCTIME\(\)/);
  for (const none of [false, null] as const) {
    const r2 = inferSchema(j({ id: 1 }), { procTimeColumn: none });
    assert.equal(r2.schema!.procTimeColumn, undefined);
    assert.doesNotMatch(r2.ddl, /PROCTIME/);
  }

  const types = inferSchema(j({ type: 'a', x: 1 }, { type: 'b', proc_time: 2 }), { discriminator: '$.type', name: 'ev' });
  assert.deepEqual(Object.fromEntries(Object.entries(types.types!).map(([k, s]) => [k, s.procTimeColumn])), { a: 'proc_time', b: 'proc_time_1' });

  const bad = inferSchema(j({ id: 1 }), { procTimeColumn: 'not ok' });
  assert.deepEqual(bad.warnings.map((w) => [w.code, w.severity, w.source]), [['DICT201', 'error', 'procTimeColumn']]);
  assert.equal(bad.ddl, '');
  const taken = inferSchema(j({ id: 1 }), { procTimeColumn: 'id' });
  assert.deepEqual(taken.warnings.map((w) => [w.code, w.severity, w.source]), [['DICT201', 'error', 'procTimeColumn']]);
  assert.match(taken.warnings[0]!.message, /'id' clashes/);
});

test('validation: an identifier that clashes with no field, computed column or reserved name', () => {
  const check = (schema: Record<string, unknown>): [string | undefined, string][] =>
    validateSource({ name: 's', kind: 'embedded-log', connection: {}, format: { kind: 'json' }, tags: [], samples: [], schema })
      .map((d) => [d.source, d.message]);
  assert.deepEqual(check({ ...ORDERS, procTimeColumn: 'proc_time' }), []);
  const cases: [unknown, RegExp][] = [
    ['proc time', /must be a column name/],
    ['1pt', /must be a column name/],
    ['', /must be a column name/],
    [42, /must be a column name/],
    ['amount', /clashes with a field/],
    ['ts_ltz', /clashes with the computed time column of schema\.fields\[2\]/],
    ['__freshet_headers', /reserved/],
  ];
  for (const [pt, re] of cases) {
    const got = check({ ...ORDERS, procTimeColumn: pt });
    assert.equal(got.length, 1, `${JSON.stringify(pt)}: ${JSON.stringify(got)}`);
    assert.equal(got[0]![0], 'schema.procTimeColumn');
    assert.match(got[0]![1], re);
  }
  const asEventTime = check({ fields: ORDERS.fields, procTimeColumn: 'pt', eventTimeColumn: 'pt' });
  assert.deepEqual(asEventTime.map((x) => x[0]), ['schema.eventTimeColumn']);
  assert.match(asEventTime[0]![1], /is the processing-time column/);
  // Per type of a multi-type source, with the type's path.
  const multi = validateSource({
    name: 's', kind: 'embedded-log', connection: {}, format: { kind: 'json' }, tags: [], samples: [],
    discriminator: { path: '$.type' }, types: { order: { fields: [{ name: 'pt', type: 'INT' }], procTimeColumn: 'pt' } },
  });
  assert.deepEqual(multi.map((d) => d.source), ['types.order.procTimeColumn']);
});

test('the dictionary: created from samples with the column, renamed, removed by an edit, infer options checked', async () => {
  await withTempDir(async (dir) => {
    const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
    try {
      const d = new Dictionary(store);
      const a = await d.create({ name: 'a', samples: j({ id: 1 }) });
      assert.equal(a.source.schema!.procTimeColumn, 'proc_time');
      const b = await d.create({ name: 'b', samples: j({ id: 1 }), infer: { procTimeColumn: 'seen_at' } });
      assert.equal(b.source.schema!.procTimeColumn, 'seen_at');
      const c = await d.create({ name: 'c', samples: j({ id: 1 }), infer: { procTimeColumn: false } });
      assert.equal(c.source.schema!.procTimeColumn, undefined);
      const { procTimeColumn: _pt, ...without } = a.source.schema!;
      const edited = await d.update('a', { schema: without });
      assert.equal(edited.source.schema!.procTimeColumn, undefined);
      assert.equal(edited.source.version, 2);
      await assert.rejects(d.create({ name: 'e', samples: j({ id: 1 }), infer: { procTimeColumn: 'id' } }), (e: unknown) => {
        assert.ok(e instanceof FreshetError);
        assert.deepEqual(e.diagnostics.map((x) => x.source), ['infer.procTimeColumn']);
        assert.match(e.diagnostics[0]!.message, /^infer\.procTimeColumn: 'id' clashes/);
        return true;
      });
      await assert.rejects(d.update('b', { schema: { ...b.source.schema!, procTimeColumn: 'id' } }), (e: unknown) => {
        assert.ok(e instanceof FreshetError);
        assert.deepEqual(e.diagnostics.map((x) => x.source), ['schema.procTimeColumn']);
        return true;
      });
    } finally {
      await store.close();
    }
  });
});

test('engine: SELECT * includes the column, and a lookup join FOR SYSTEM_TIME AS OF s.proc_time reads an embedded-kv table', async () => {
  await withTempDir(async (dir) => {
    const logDir = path.join(dir, 'log');
    const kvDir = path.join(dir, 'kv');
    const events = [
      { user_id: 'u1', amount: 10.5, ts: T0 + 1_000 },
      { user_id: 'u2', amount: 2, ts: T0 + 2_000 },
      { user_id: 'u3', amount: 7, ts: T0 + 3_000 },
    ];
    const log = await EmbeddedLog.open(logDir);
    await log.append('orders', events.map((e) => ({ value: e, key: e.user_id })));
    await log.close();
    const inferred = inferSchema(events.map((e) => JSON.stringify(e)), { name: 'orders' });
    assert.deepEqual(inferred.warnings, []);
    assert.equal(inferred.schema!.procTimeColumn, 'proc_time');
    // Each run is its own job over a fresh session catalog holding the dictionary's tables.
    const catalog = (): Catalog => {
      const c = new Catalog();
      const reg = registerDictionary(c, [sourceDef('orders', { schema: inferred.schema! })], {
        logDir, baseDir: dir, extraOptions: { 'scan.bounded.mode': 'latest-offset' },
      });
      assert.deepEqual(reg, { tables: ['orders'], diagnostics: [] });
      return c;
    };

    const before = Date.now();
    const all = await runOnCatalog('SELECT * FROM orders', catalog(), dir);
    const after = Date.now();
    const [result] = [...all.summary.results.values()];
    assert.deepEqual(result!.fields.map((x) => x.name), ['user_id', 'amount', 'ts', 'ts_ltz', 'proc_time']);
    const rows = all.rows[0]!.slice().sort((x, y) => (x[2] as number) - (y[2] as number));
    assert.deepEqual(rows.map((r) => r.slice(0, 4)), events.map((e) => [e.user_id, e.amount, e.ts, e.ts]));
    for (const r of rows) assert.ok(typeof r[4] === 'number' && r[4] >= before - 1 && r[4] <= after + 1, `proc_time ${String(r[4])} within the run`);

    // An earlier job writes the feature table; the lookup join reads it at each order's processing time.
    const kvDdl = `CREATE TABLE user_features (user_id STRING, tier STRING, PRIMARY KEY (user_id) NOT ENFORCED)
      WITH ('connector' = 'embedded-kv', 'path' = '${kvDir}', 'table' = 'user_features');`;
    await runOnCatalog(`${kvDdl}
      INSERT INTO user_features VALUES ('u1', 'gold'), ('u2', 'silver');`, catalog(), dir);
    const joined = await runOnCatalog(`${kvDdl}
      SELECT o.user_id, o.amount, f.tier
      FROM orders AS o LEFT JOIN user_features FOR SYSTEM_TIME AS OF o.proc_time AS f ON o.user_id = f.user_id;`, catalog(), dir);
    assert.deepEqual(joined.rows[0]!.slice().sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      [['u1', 10.5, 'gold'], ['u2', 2, 'silver'], ['u3', 7, null]]);
    // An inner join drops the order whose user has no features.
    const inner = await runOnCatalog(`${kvDdl}
      SELECT o.user_id, f.tier FROM orders AS o JOIN user_features FOR SYSTEM_TIME AS OF o.proc_time AS f ON o.user_id = f.user_id;`, catalog(), dir);
    assert.deepEqual(inner.rows[0]!.map((r) => r[0]).sort(), ['u1', 'u2']);
  });
});
