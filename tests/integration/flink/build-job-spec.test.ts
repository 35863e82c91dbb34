/**
 * Building Flink job specs from scripts (no cluster needed): SET → config, DDL/INSERT re-printed in order, Freshet-only
 * options dropped with warnings, Freshet-only features rejected at their position, relative paths made absolute, the
 * statement spans that locate Flink's errors, and the program-argument encoding the template reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { buildJobSpecFromScript, isSecretOption, type BuildJobSpecResult } from '../../../src/flink/build-job-spec.js';
import { explainFlinkScript } from '../../../src/flink/explain-flink.js';
import { locateStatementError } from '../../../src/flink/flink-deployer.js';
import { summarizeFlinkError } from '../../../src/flink/flink-rest-client.js';
import { jobSpecFromProgramArgs, jobSpecProgramArgs, redactJobSpec } from '../../../src/flink/job-spec.js';
import { FreshetError, diag } from '../../../src/common/diagnostics.js';
import { parseScript } from '../../../src/sql/index.js';
import { sourceTablesDdl } from '../../../src/catalog/dictionary/source-ddl.js';
import type { SourceDefinition } from '../../../src/catalog/dictionary/source-model.js';

const SCRIPT = `
SET 'execution.checkpointing.interval' = '5 s';
SET 'table.exec.state.ttl' = '1 h';
SET 'freshet.debug' = 'true';
CREATE TABLE ev (user_id STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'data/in', 'format' = 'json', 'freshet.max-record-bytes' = '100');
CREATE TABLE out1 (user_id STRING, total INT) WITH ('connector' = 'filesystem', 'path' = 'file:///tmp/out1', 'format' = 'csv');
CREATE VIEW big AS SELECT * FROM ev WHERE amount > 10;
SELECT * FROM big;
EXECUTE STATEMENT SET BEGIN
  INSERT INTO out1 SELECT user_id, amount FROM big;
  INSERT INTO out1 /*+ OPTIONS('sink.parallelism' = '1', 'freshet.x' = 'y') */ SELECT user_id, -amount FROM big;
END;
RESET 'table.exec.state.ttl';
`;

function build(text: string, extra: Partial<Parameters<typeof buildJobSpecFromScript>[1]> = {}): BuildJobSpecResult {
  return buildJobSpecFromScript(text, { name: 'features', baseDir: '/work/scripts', ...extra });
}

const errors = (r: BuildJobSpecResult): string[] => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);

test('a script becomes config plus DDL and INSERT statements in order, each re-parseable', () => {
  const r = build(SCRIPT, { config: { 'parallelism.default': '2' } });
  assert.deepEqual(errors(r), []);
  const spec = r.spec!;
  assert.equal(spec.version, 1);
  assert.equal(spec.name, 'features');
  // RESET removed the state TTL again; the default from the options stays; freshet.* is not passed on.
  assert.deepEqual(spec.config, { 'parallelism.default': '2', 'execution.checkpointing.interval': '5 s' });
  assert.deepEqual(spec.statements.map((s) => s.kind), ['ddl', 'ddl', 'ddl', 'insert', 'insert']);
  const [ev, out1, view, ins1, ins2] = spec.statements.map((s) => s.sql);
  assert.match(ev!, /^CREATE TABLE ev \(/);
  assert.match(ev!, new RegExp(`'path' = '${resolve('/work/scripts', 'data/in')}'`));
  assert.doesNotMatch(ev!, /freshet/);
  assert.match(out1!, /'path' = 'file:\/\/\/tmp\/out1'/);
  assert.match(view!, /^CREATE VIEW big AS/);
  assert.match(ins1!, /^INSERT INTO out1\nSELECT user_id, amount/);
  assert.match(ins2!, /OPTIONS\('sink.parallelism' = '1'\)/);
  assert.doesNotMatch(ins2!, /freshet/);
  // Every printed statement parses again (the Flink side gets valid SQL).
  for (const s of spec.statements) assert.deepEqual(parseScript(s.sql).diagnostics, [], s.sql);
  // Spans point at the script statements the spec statements came from.
  assert.equal(r.spans!.length, 5);
  assert.equal(r.spans![0]!.line, 5);
  assert.equal(r.spans![3]!.line, 11);
  assert.equal(r.spans![4]!.line, 12);
  // Warnings: SET freshet.debug, the table option, the SELECT, the hint option.
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning');
  assert.deepEqual(warnings.map((d) => [d.code, d.span?.line]), [['FLINK710', 4], ['FLINK710', 6], ['FLINK710', 9], ['FLINK710', 12]]);
});

test('Freshet-only features are rejected at their position', () => {
  const r = build(`
SET 'freshet.exec.emit.early-fire.count' = '10';
CREATE TABLE a (x INT) WITH ('connector' = 'embedded-log', 'topic' = 't', 'format' = 'json');
CREATE TABLE b (x INT) WITH ('connector' = 'embedded-kv');
CREATE TABLE c (x INT) WITH ('connector' = 'synthetic');
CREATE TABLE d (x INT) WITH ('connector' = 'jdbc');
CREATE TABLE e (x INT) WITH ('connector' = 'kafka', 'topic' = 't', 'freshet.discriminator' = '$.type', 'freshet.discriminator.value' = 'x');
CREATE TABLE f WITH ('connector' = 'blackhole') AS SELECT 1 AS x;
INSERT INTO d SELECT x FROM a;
`);
  assert.equal(r.spec, undefined);
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errs.map((d) => [d.code, d.span?.line]), [
    ['FLINK702', 2], ['FLINK701', 3], ['FLINK701', 4], ['FLINK701', 5], ['FLINK701', 6], ['FLINK703', 7], ['FLINK703', 8],
  ]);
  assert.match(errs[0]!.message, /count-triggered early firing .* not supported on the Flink engine/);
  assert.match(errs[0]!.hint!, /table\.exec\.emit\.early-fire\.delay/);
  assert.match(errs[1]!.message, /connector 'embedded-log' is Freshet-only: not supported on the Flink engine/);
  assert.match(errs[3]!.message, /connector 'synthetic' is Freshet-only/);
  assert.match(errs[4]!.message, /connector 'jdbc' is not supported on the Flink engine/);
  assert.match(errs[5]!.message, /multi-type topics/);
  assert.match(errs[6]!.message, /CREATE TABLE \.\.\. AS SELECT/);
  // A cluster with its own connector jar can allow more connectors.
  assert.deepEqual(errors(build(`CREATE TABLE d (x INT) WITH ('connector' = 'jdbc'); INSERT INTO d VALUES (1);`, { extraConnectors: ['jdbc'] })), []);
});

test('a script without INSERT is an error; parse errors are passed through', () => {
  assert.deepEqual(errors(build(`CREATE TABLE t (x INT) WITH ('connector' = 'datagen'); SELECT * FROM t;`)).map((e) => e.slice(0, 8)), ['FLINK704']);
  const bad = build('CREATE TABLE (');
  assert.equal(bad.spec, undefined);
  assert.ok(bad.diagnostics.some((d) => d.code.startsWith('SQL')), JSON.stringify(bad.diagnostics));
});

test('the spec travels as base64 program arguments and comes back equal', () => {
  const spec = build(SCRIPT).spec!;
  const args = jobSpecProgramArgs(spec);
  assert.equal(args[0], '--spec-base64');
  assert.match(args[1]!, /^[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(jobSpecFromProgramArgs(args), JSON.parse(JSON.stringify(spec)));
});

test("Flink's errors are summarised and located at the failing statement", () => {
  const trace = [
    'org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.',
    '\tat org.apache.flink.runtime.webmonitor.handlers.JarRunHandler.lambda$handleRequest$1(JarRunHandler.java:114)',
    'Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: statement 3 failed: SQL validation failed. Column \'amout\' not found in any table',
    'Caused by: org.apache.calcite.sql.validate.SqlValidatorException: Column \'amout\' not found in any table',
  ].join('\n');
  const summary = summarizeFlinkError(trace);
  assert.equal(summary, "statement 3 failed: SQL validation failed. Column 'amout' not found in any table");
  assert.equal(summarizeFlinkError('x\nCaused by: a.B: first\nCaused by: c.D: inner'), 'c.D: inner');
  // A connector's validation error, wrapped by the planner, is appended to main()'s message.
  assert.equal(summarizeFlinkError([
    'Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: Unable to create a sink for writing table \'f\'.',
    'Caused by: org.apache.flink.table.api.ValidationException: Unable to create a sink for writing table \'f\'.',
    "Caused by: org.apache.flink.table.api.ValidationException: option 'hosts' must be 'host[:port][,host[:port]...]', got 'h:x'",
  ].join('\n')), "Unable to create a sink for writing table 'f'.: option 'hosts' must be 'host[:port][,host[:port]...]', got 'h:x'");
  const spans = build(SCRIPT).spans!;
  const located = locateStatementError(new FreshetError(diag('FLINK752', `Flink POST /jars/run failed (HTTP 400): ${summary}`)), spans) as FreshetError;
  assert.equal(located.diagnostics[0]!.span?.line, 11);
  assert.match(located.diagnostics[0]!.message, /^Flink rejected the statement: SQL validation failed\. Column 'amout'/);
  const other = new FreshetError(diag('FLINK750', 'no cluster'));
  assert.equal(locateStatementError(other, spans), other);
});

test('redis feature tables: the template connector is required, secrets leave the SQL text, Freshet-only options are refused', () => {
  const script = `
CREATE TABLE ev (user_id STRING, amount INT) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'b:9092',
  'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.plain.PlainLoginModule required password="k''s";', 'format' = 'json');
CREATE TABLE f (user_id STRING, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = 'r', 'password' = 'hunter2', 'table' = 'user_features');
INSERT INTO f SELECT user_id, COUNT(*) FROM ev GROUP BY user_id;
`;
  const r = build(script);
  assert.deepEqual(errors(r), []);
  const spec = r.spec!;
  assert.deepEqual(spec.requires, ['redis', 'secrets']);
  assert.deepEqual(spec.secrets, { s0: 'org.apache.kafka.common.security.plain.PlainLoginModule required password="k\'s";', s1: 'hunter2' });
  const sql = spec.statements.map((s) => s.sql).join('\n');
  assert.doesNotMatch(sql, /hunter2|PlainLoginModule/);
  assert.match(sql, /'password' = '\{\{freshet-secret:s1\}\}'/);
  assert.match(sql, /'properties\.sasl\.jaas\.config' = '\{\{freshet-secret:s0\}\}'/);
  // Shown for people without the values; the program arguments still carry them to the template.
  const x = explainFlinkScript(script, { name: 'f' });
  assert.match(x.text, /requires: sql, redis, secrets/);
  assert.match(x.text, /secrets: s0, s1 \(values passed beside the SQL, not shown\)/);
  assert.doesNotMatch(x.text, /hunter2/);
  assert.deepEqual(redactJobSpec(spec).secrets, { s0: '******', s1: '******' });
  assert.equal(jobSpecFromProgramArgs(jobSpecProgramArgs(spec))?.secrets?.['s1'], 'hunter2');
  assert.equal(isSecretOption('properties.ssl.keystore.password'), true);
  assert.equal(isSecretOption('password-file-path'), true);
  assert.equal(isSecretOption('host'), false);
  assert.equal(isSecretOption('sink.buffer-flush.interval'), false);

  const bad = build(`
CREATE TABLE f (user_id STRING, n BIGINT) WITH ('connector' = 'redis');
INSERT INTO f SELECT 'a', 1;
`);
  assert.deepEqual(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.span?.line]), [['FLINK703', 2]]);
  assert.match(errors(bad)[0]!, /declares no PRIMARY KEY/);

  // The changed-keys topic runs on the template's connectors: its options stay (a SASL config leaves the SQL text).
  const ck = build(`
CREATE TABLE g (user_id STRING, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'redis', 'changed-keys.topic' = 'c',
  'changed-keys.bootstrap-servers' = 'b:9092', 'changed-keys.delivery-guarantee' = 'exactly-once', 'changed-keys.transactional-id-prefix' = 'j',
  'changed-keys.properties.sasl.jaas.config' = 'secret-jaas');
INSERT INTO g SELECT 'a', 1;
`);
  assert.deepEqual(errors(ck), []);
  assert.deepEqual(ck.spec!.requires, ['changed-keys', 'redis', 'secrets']);
  const ckDdl = ck.spec!.statements[0]!.sql;
  for (const o of ["'changed-keys.topic' = 'c'", "'changed-keys.delivery-guarantee' = 'exactly-once'", "'changed-keys.transactional-id-prefix' = 'j'"]) assert.ok(ckDdl.includes(o), o);
  assert.doesNotMatch(ckDdl, /secret-jaas/);
});

test('aerospike feature tables: the template connector is required, the password leaves the SQL text', () => {
  const script = `
CREATE TABLE ev (user_id STRING, amount INT, pt AS PROCTIME()) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'b:9092', 'format' = 'json');
CREATE TABLE f (user_id STRING, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'aerospike', 'hosts' = 'a1:3000,a2', 'namespace' = 'features', 'set' = 'uf', 'username' = 'svc', 'password' = 's3cret',
        'table' = 'user_features');
CREATE TABLE r (user_id STRING, m BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'redis', 'host' = 'r');
CREATE TABLE out1 (user_id STRING, amount INT, n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO f SELECT user_id, COUNT(*) FROM ev GROUP BY user_id;
INSERT INTO out1 SELECT e.user_id, e.amount, f.n FROM ev AS e JOIN f FOR SYSTEM_TIME AS OF e.pt AS f ON e.user_id = f.user_id;
`;
  const r = build(script);
  assert.deepEqual(errors(r), []);
  const spec = r.spec!;
  assert.deepEqual(spec.requires, ['aerospike', 'redis', 'secrets']);
  assert.deepEqual(spec.secrets, { s0: 's3cret' });
  const ddl = spec.statements.find((s) => /'connector' = 'aerospike'/.test(s.sql))!.sql;
  assert.doesNotMatch(ddl, /s3cret/);
  assert.match(ddl, /'password' = '\{\{freshet-secret:s0\}\}'/);
  assert.match(ddl, /'username' = 'svc'/, 'the user name is not a secret (as for redis)');
  for (const o of ["'hosts' = 'a1:3000,a2'", "'namespace' = 'features'", "'set' = 'uf'", "'table' = 'user_features'"]) assert.ok(ddl.includes(o), o);
  assert.equal(spec.statements.filter((s) => s.kind === 'insert').length, 2);
  const x = explainFlinkScript(script, { name: 'f' });
  assert.match(x.text, /requires: sql, aerospike, redis, secrets/);
  assert.doesNotMatch(x.text, /s3cret/);

  const bad = build(`
CREATE TABLE f (user_id STRING, n BIGINT) WITH ('connector' = 'aerospike', 'namespace' = 'features');
CREATE TABLE g (user_id STRING, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'aerospike', 'namespace' = 'features', 'changed-keys.topic' = 'c');
INSERT INTO g SELECT 'a', 1;
`);
  assert.deepEqual(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.span?.line]), [['FLINK703', 2]]);
  assert.match(errors(bad)[0]!, /uses connector 'aerospike', an upsert sink keyed by entity, but declares no PRIMARY KEY/);
  assert.deepEqual(build(`
CREATE TABLE g (user_id STRING, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'aerospike', 'namespace' = 'features', 'changed-keys.topic' = 'c');
INSERT INTO g SELECT 'a', 1;
`).spec?.requires, ['aerospike', 'changed-keys']);
});

test('multi-type tables read through the template format freshet-json; other formats are refused', () => {
  const r = build(`
CREATE TABLE orders (user_id STRING, amount INT) WITH ('connector' = 'kafka', 'topic' = 'ev', 'format' = 'json',
  'json.ignore-parse-errors' = 'true', 'freshet.discriminator' = '$.meta.kind', 'freshet.discriminator.value' = 'order');
CREATE TABLE out1 (user_id STRING, amount INT) WITH ('connector' = 'blackhole');
INSERT INTO out1 SELECT * FROM orders;
`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.spec!.requires, ['multi-type']);
  const ddl = r.spec!.statements[0]!.sql;
  assert.match(ddl, /'format' = 'freshet-json'/);
  assert.match(ddl, /'freshet-json\.ignore-parse-errors' = 'true'/);
  assert.match(ddl, /'freshet-json\.discriminator' = '\$\.meta\.kind'/);
  assert.match(ddl, /'freshet-json\.discriminator\.value' = 'order'/);
  assert.doesNotMatch(ddl, /'freshet\.discriminator|'json\./);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'warning'), [], 'nothing dropped');

  const bad = build(`
CREATE TABLE a (x INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'csv', 'freshet.discriminator' = 'header:type', 'freshet.discriminator.value' = 'a');
CREATE TABLE b (x INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'csv', 'freshet.discriminator' = '$.type', 'freshet.discriminator.value' = 'b');
CREATE TABLE c (x INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json', 'freshet.discriminator' = '$.type');
CREATE TABLE d (x INT) WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json', 'freshet.discriminator' = 'header:type', 'freshet.discriminator.value' = 'a');
INSERT INTO a SELECT x FROM b;
`);
  assert.deepEqual(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.span?.line]), [['FLINK703', 2], ['FLINK703', 3], ['FLINK703', 4], ['FLINK703', 5]]);
  assert.match(errors(bad)[0]!, /need 'format' = 'json'/);
  assert.match(errors(bad)[1]!, /need 'format' = 'json'/);
  assert.match(errors(bad)[2]!, /needs both/);
  assert.match(errors(bad)[3]!, /header discriminators need the 'kafka' connector/);
});

test("header discriminators: a hidden table with the headers metadata column and a view selecting the type", () => {
  const r = build(`
CREATE TABLE \`order\` (user_id STRING, amount INT, ts TIMESTAMP(3), pt AS PROCTIME(), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'ev', 'format' = 'json', 'freshet.discriminator' = 'header:event-type', 'freshet.discriminator.value' = 'ordér''s');
CREATE TABLE out1 (user_id STRING, amount INT) WITH ('connector' = 'blackhole');
INSERT INTO out1 SELECT user_id, amount FROM \`order\`;
`);
  assert.deepEqual(errors(r), []);
  assert.equal(r.spec!.requires, undefined, 'plain Flink SQL');
  const [hidden, view] = r.spec!.statements.map((s) => s.sql);
  assert.match(hidden!, /^CREATE TABLE `?__freshet_all_order`? \(/);
  assert.match(hidden!, /`?__freshet_headers`? MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL/);
  assert.match(hidden!, /WATERMARK FOR `?ts`? AS/);
  assert.match(hidden!, /'json\.ignore-parse-errors' = 'true'/, 'other types never fail the job');
  assert.doesNotMatch(hidden!, /freshet\.discriminator/);
  const hex = Buffer.from("ordér's", 'utf8').toString('hex');
  assert.equal(view, `CREATE VIEW \`order\` AS SELECT \`user_id\`, \`amount\`, \`ts\`, \`pt\` FROM \`__freshet_all_order\` WHERE \`__freshet_headers\`['event-type'] = X'${hex}'`);
  assert.equal(r.spec!.statements.length, 4);
});

test('dictionary tables the script reads are declared in the spec, multi-type ones through freshet-json', () => {
  const def: SourceDefinition = {
    name: 'app_events', kind: 'kafka', version: 1,
    connection: { bootstrapServers: 'b:9092', topic: 'app-events', secrets: { 'sasl.jaas.config': 'pw-123' } },
    format: { kind: 'json' },
    discriminator: { path: '$.type' },
    types: {
      order: { fields: [{ name: 'user_id', type: 'STRING', nullable: true }, { name: 'amount', type: 'INT', nullable: true }] },
      click: { fields: [{ name: 'user_id', type: 'STRING', nullable: true }] },
    },
  } as unknown as SourceDefinition;
  const tables = sourceTablesDdl(def);
  const r = build(`
CREATE TABLE out1 (user_id STRING, amount INT) WITH ('connector' = 'blackhole');
INSERT INTO out1 SELECT user_id, amount FROM app_events.\`order\`;
`, { dictionaryTables: tables });
  assert.deepEqual(errors(r), []);
  const sql = r.spec!.statements.map((s) => s.sql);
  assert.equal(sql.length, 4, sql.join('\n---\n'));
  assert.match(sql[0]!, /^CREATE DATABASE IF NOT EXISTS app_events/);
  assert.match(sql[1]!, /^CREATE TABLE app_events\.`order`/);
  assert.match(sql[1]!, /'format' = 'freshet-json'/);
  assert.match(sql[1]!, /'freshet-json\.discriminator\.value' = 'order'/);
  assert.doesNotMatch(sql.join('\n'), /pw-123/, 'the source secret is not in the SQL');
  assert.deepEqual(r.spec!.secrets, { s0: 'pw-123' });
  assert.deepEqual(r.spec!.requires, ['multi-type', 'secrets']);
  assert.ok(!sql.some((x) => /click/.test(x)), 'tables the script does not read are left out');
  // A table the script declares itself wins over the dictionary's.
  const own = build(`
CREATE TABLE app_events.\`order\` (user_id STRING, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE out1 (user_id STRING, amount INT) WITH ('connector' = 'blackhole');
INSERT INTO out1 SELECT user_id, amount FROM app_events.\`order\`;
`, { dictionaryTables: tables });
  assert.equal(own.spec!.statements.length, 3);
});

test('tiled feature tables (fresh-at-read sliding windows) become the tile writer\'s projection; what it lacks is FLINK703', () => {
  const ddl = `CREATE TABLE ev (k STRING, v INT, p DOUBLE, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = 'b:9092', 'format' = 'json');
CREATE TABLE f (k STRING, c BIGINT, s INT, a DOUBLE, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = 'h', 'password' = 'pw', 'table' = 'feat', 'tile.retention' = '2 h');
`;
  const tiled = buildJobSpecFromScript(`${ddl}INSERT INTO f SELECT k, COUNT(*) OVER w, SUM(v) OVER w, AVG(p + 1) OVER w FROM ev WHERE v > 0
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);`, { name: 't' });
  assert.deepEqual(tiled.diagnostics.filter((x) => x.severity === 'error'), []);
  const spec = tiled.spec!;
  assert.deepEqual(spec.requires, ['redis', 'secrets', 'tiles']);
  const sqls = spec.statements.map((x) => x.sql);
  const ddlTiles = sqls.find((x) => x.startsWith('CREATE TABLE `__freshet_tiles_feat`'));
  assert.ok(ddlTiles, sqls.join('\n'));
  assert.match(ddlTiles, /\(`k0` STRING, `ts` TIMESTAMP\(3\), `a1` INT, `a2` DOUBLE\)/);
  // The connection travels (the password as its secret placeholder), the layout in 'freshet.tiles'.
  assert.match(ddlTiles, /'host' = 'h', 'password' = '\{\{freshet-secret:s0\}\}', 'table' = 'feat', 'freshet\.tiles' = '/);
  assert.doesNotMatch(ddlTiles, /pw/);
  const cfg = JSON.parse(ddlTiles.slice(ddlTiles.indexOf("'freshet.tiles' = '") + 19, -2).replace(/''/g, "'")) as {
    spec: { table: string; windows: number[]; retentionMs: number; calls: { id: string }[] }; layout: string; keyCount: number; timeColumn: number;
    calls: { fn: string; kind?: string; arg: number; filter: number }[];
  };
  assert.equal(cfg.spec.table, 'feat');
  assert.deepEqual(cfg.spec.windows, [3_600_000]);
  assert.equal(cfg.spec.retentionMs, 7_200_000);
  assert.deepEqual(cfg.spec.calls.map((c) => c.id), ['COUNT(*)', 'SUM(v)', 'AVG($e4)']);
  assert.deepEqual(cfg.calls, [{ fn: 'COUNT', arg: -1, filter: -1 }, { fn: 'SUM', kind: 'INT', arg: 2, filter: -1 }, { fn: 'AVG', kind: 'DOUBLE', arg: 3, filter: -1 }]);
  assert.equal(cfg.layout, JSON.stringify({ format: 1, spec: cfg.spec }));
  assert.deepEqual([cfg.keyCount, cfg.timeColumn], [1, 1]);
  assert.equal(spec.statements[spec.statements.length - 1]!.sql,
    'INSERT INTO `__freshet_tiles_feat`\nSELECT CAST(k AS STRING) AS `k0`, CAST(ts AS TIMESTAMP(3)) AS `ts`, CAST(v AS INT) AS `a1`, CAST(p + 1 AS DOUBLE) AS `a2` FROM ev WHERE v > 0');

  // What the Flink tile writer does not implement is refused at the INSERT, with the reason.
  const refused = (select: string, window = "INTERVAL '1' HOUR"): string => {
    const r = buildJobSpecFromScript(`${ddl}INSERT INTO f SELECT k, ${select}, SUM(v) OVER w, AVG(p) OVER w FROM ev
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN ${window} PRECEDING AND CURRENT ROW);`, { name: 't' });
    assert.equal(r.spec, undefined);
    const d = r.diagnostics.find((x) => x.code === 'FLINK703');
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.equal(d.span?.line, 5);
    return d.message;
  };
  assert.match(refused('COUNT(DISTINCT v) OVER w'), /tiled sliding-window feature.*DISTINCT aggregates are not tiled yet/);
  // The HOP form projects the windowed table's rows (the writer slices them), FILTER flags included.
  const hop = buildJobSpecFromScript(`${ddl}INSERT INTO f SELECT k, COUNT(*) FILTER (WHERE v > 3), SUM(v), AVG(p)
FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR)) WHERE p > 0 GROUP BY k, window_start, window_end;`, { name: 't' });
  assert.deepEqual(hop.diagnostics.filter((x) => x.severity === 'error'), []);
  assert.equal(hop.spec!.statements[hop.spec!.statements.length - 1]!.sql,
    'INSERT INTO `__freshet_tiles_feat`\nSELECT CAST(k AS STRING) AS `k0`, CAST(`ts` AS TIMESTAMP(3)) AS `ts`, CAST((v > 3) IS TRUE AS BOOLEAN) AS `f0`, '
    + 'CAST(v AS INT) AS `a1`, CAST(p AS DOUBLE) AS `a2` FROM `ev` WHERE p > 0');
  const hopOnWindow = buildJobSpecFromScript(`${ddl}INSERT INTO f SELECT k, COUNT(*), SUM(v), AVG(p)
FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR)) WHERE window_start > TIMESTAMP '2024-01-01 00:00:00'
GROUP BY k, window_start, window_end;`, { name: 't' });
  // Not a tiled shape for the embedded planner either (it filters windows): a plain upsert table on both engines.
  assert.deepEqual(hopOnWindow.diagnostics.filter((x) => x.severity === 'error'), []);
  assert.ok(!hopOnWindow.spec!.requires!.includes('tiles'));
  // The same table written row by row (a GROUP BY) runs on Flink with Freshet's Redis connector.
  const plain = buildJobSpecFromScript(`${ddl}INSERT INTO f SELECT k, COUNT(*), SUM(v), AVG(p) FROM ev GROUP BY k;`, { name: 't' });
  assert.deepEqual(plain.diagnostics.filter((x) => x.severity === 'error'), []);
  assert.ok(plain.spec?.requires?.includes('redis'));
  assert.ok(!plain.spec?.requires?.includes('tiles'));
});

test('a tiled aerospike feature table becomes the tile writer\'s projection into an aerospike tile table (no FLINK703)', () => {
  const r = build(`CREATE TABLE ev (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = 'b:9092', 'format' = 'json');
CREATE TABLE f (k STRING, c BIGINT, s INT, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'aerospike', 'hosts' = 'a1:3000,a2', 'namespace' = 'features', 'set' = 'fs', 'username' = 'svc', 'password' = 'pw',
        'table' = 'feat', 'tile.retention' = '2 h');
INSERT INTO f SELECT k, COUNT(*) OVER w, SUM(v) OVER w FROM ev
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);`);
  assert.deepEqual(errors(r), []);
  const spec = r.spec!;
  assert.deepEqual(spec.requires, ['aerospike', 'secrets', 'tiles']);
  const ddlTiles = spec.statements.find((x) => x.sql.startsWith('CREATE TABLE `__freshet_tiles_feat`'))!.sql;
  // The aerospike connection travels (the password as its secret placeholder), then the store table and the layout.
  assert.match(ddlTiles, /^CREATE TABLE `__freshet_tiles_feat` \(`k0` STRING, `ts` TIMESTAMP\(3\), `a1` INT\) WITH \('connector' = 'aerospike', 'hosts' = 'a1:3000,a2', 'namespace' = 'features', 'set' = 'fs', 'username' = 'svc', 'password' = '\{\{freshet-secret:s0\}\}', 'table' = 'feat', 'freshet\.tiles' = '/);
  assert.doesNotMatch(ddlTiles, /'pw'|tile\.retention/);
  assert.deepEqual(spec.secrets, { s0: 'pw' });
  const cfg = JSON.parse(ddlTiles.slice(ddlTiles.indexOf("'freshet.tiles' = '") + 19, -2).replace(/''/g, "'")) as { spec: { table: string; retentionMs: number } };
  assert.deepEqual([cfg.spec.table, cfg.spec.retentionMs], ['feat', 7_200_000]);
  assert.equal(spec.statements[spec.statements.length - 1]!.sql,
    'INSERT INTO `__freshet_tiles_feat`\nSELECT CAST(k AS STRING) AS `k0`, CAST(ts AS TIMESTAMP(3)) AS `ts`, CAST(v AS INT) AS `a1` FROM ev');
});
