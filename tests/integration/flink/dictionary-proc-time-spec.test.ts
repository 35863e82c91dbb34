// Flink job specs of scripts that read dictionary sources with a processing-time column (no cluster needed): the
// generated `proc_time AS PROCTIME()` column reaches Flink in the declared table (single type, `$.type` types read by
// freshet-json, and header types declared as a hidden table plus a view), so a lookup join at `o.proc_time` runs there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJobSpecFromScript } from '../../../src/flink/build-job-spec.js';
import { sourceTablesDdl } from '../../../src/catalog/dictionary/source-ddl.js';
import type { SourceDefinition, TypeSchema } from '../../../src/catalog/dictionary/source-model.js';
import { parseScript } from '../../../src/sql/index.js';

const SCHEMA: TypeSchema = {
  fields: [
    { name: 'user_id', type: 'STRING', nullable: true },
    { name: 'amount', type: 'INT', nullable: true },
    { name: 'ts', type: 'BIGINT', nullable: true, timestampFormat: 'epoch-millis', timeColumn: 'ts_ltz' },
  ],
  eventTimeColumn: 'ts_ltz',
  procTimeColumn: 'proc_time',
};

const source = (parts: Partial<SourceDefinition>): SourceDefinition => ({
  name: 'orders', kind: 'kafka', connection: { bootstrapServers: 'b:9092' }, format: { kind: 'json' }, tags: [], samples: [],
  createdAt: '1970-01-01T00:00:00.000Z', updatedAt: '1970-01-01T00:00:00.000Z', version: 1, ...parts,
});

const FEATURES = `CREATE TABLE user_features (user_id STRING, tier STRING, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'redis', 'host' = 'r');
CREATE TABLE out1 (user_id STRING, amount INT, tier STRING) WITH ('connector' = 'blackhole');
`;

const errors = (r: ReturnType<typeof buildJobSpecFromScript>): string[] => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);

test('a single-type source: its DDL with the PROCTIME() column is declared, the lookup join reads it', () => {
  const tables = sourceTablesDdl(source({ schema: SCHEMA }));
  const r = buildJobSpecFromScript(`${FEATURES}
INSERT INTO out1 SELECT o.user_id, o.amount, f.tier FROM orders AS o
  JOIN user_features FOR SYSTEM_TIME AS OF o.proc_time AS f ON o.user_id = f.user_id;
`, { name: 'enrich', dictionaryTables: tables });
  assert.deepEqual(errors(r), []);
  const sql = r.spec!.statements.map((s) => s.sql);
  assert.equal(sql.length, 4, sql.join('\n---\n'));
  assert.match(sql[0]!, /^CREATE TABLE `?orders`? \(/);
  // Column order as generated: physical, computed time, processing time, then the watermark.
  const cols = sql[0]!.slice(sql[0]!.indexOf('(') + 1, sql[0]!.indexOf('WATERMARK'));
  assert.deepEqual(cols.split(',').map((c) => c.trim()).filter(Boolean).map((c) => c.replace(/`/g, '')),
    ['user_id STRING', 'amount INT', 'ts BIGINT', 'ts_ltz AS TO_TIMESTAMP_LTZ(ts', '3)', 'proc_time AS PROCTIME()']);
  assert.match(sql[0]!, /WATERMARK FOR `?ts_ltz`? AS `?ts_ltz`? - INTERVAL '5' SECOND/);
  assert.match(sql[3]!, /FOR SYSTEM_TIME AS OF `?o`?\.`?proc_time`?/);
  assert.deepEqual(r.spec!.requires, ['redis']);
  for (const s of sql) assert.deepEqual(parseScript(s).diagnostics, [], s);
});

test('multi-type sources: the column is in each $.type table and in the view of a header type', () => {
  const types = { order: SCHEMA, click: { fields: [{ name: 'user_id', type: 'STRING', nullable: true }], procTimeColumn: 'pt' } };
  const byPath = buildJobSpecFromScript(`${FEATURES}
INSERT INTO out1 SELECT o.user_id, o.amount, f.tier FROM app_events.\`order\` AS o
  JOIN user_features FOR SYSTEM_TIME AS OF o.proc_time AS f ON o.user_id = f.user_id;
`, { name: 'enrich', dictionaryTables: sourceTablesDdl(source({ name: 'app_events', discriminator: { path: '$.type' }, types })) });
  assert.deepEqual(errors(byPath), []);
  const table = byPath.spec!.statements.map((s) => s.sql).find((s) => s.startsWith('CREATE TABLE app_events.'));
  assert.ok(table);
  assert.match(table, /`?proc_time`? AS PROCTIME\(\)/);
  assert.match(table, /'format' = 'freshet-json'/);

  const byHeader = buildJobSpecFromScript(`${FEATURES}
INSERT INTO out1 SELECT o.user_id, o.amount, f.tier FROM app_events.\`order\` AS o
  JOIN user_features FOR SYSTEM_TIME AS OF o.proc_time AS f ON o.user_id = f.user_id;
`, { name: 'enrich', dictionaryTables: sourceTablesDdl(source({ name: 'app_events', discriminator: { path: 'header:kind' }, types })) });
  assert.deepEqual(errors(byHeader), []);
  const sql = byHeader.spec!.statements.map((s) => s.sql);
  const hidden = sql.find((s) => /^CREATE TABLE .*__freshet_all_/.test(s));
  const view = sql.find((s) => s.startsWith('CREATE VIEW'));
  assert.ok(hidden && view, sql.join('\n---\n'));
  assert.match(hidden, /`?proc_time`? AS PROCTIME\(\)/);
  assert.match(view, /`proc_time` FROM/);
});
