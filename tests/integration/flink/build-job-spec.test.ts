/**
 * Building Flink job specs from scripts (no cluster needed): SET → config, DDL/INSERT re-printed in order, Freshet-only
 * options dropped with warnings, Freshet-only features rejected at their position, relative paths made absolute, the
 * statement spans that locate Flink's errors, and the program-argument encoding the template reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { buildJobSpecFromScript, type BuildJobSpecResult } from '../../../src/flink/build-job-spec.js';
import { locateStatementError } from '../../../src/flink/flink-deployer.js';
import { summarizeFlinkError } from '../../../src/flink/flink-rest-client.js';
import { jobSpecFromProgramArgs, jobSpecProgramArgs } from '../../../src/flink/job-spec.js';
import { FreshetError, diag } from '../../../src/common/diagnostics.js';
import { parseScript } from '../../../src/sql/index.js';

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
CREATE TABLE d (x INT) WITH ('connector' = 'redis');
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
  assert.match(errs[4]!.message, /connector 'redis' is not supported on the Flink engine/);
  assert.match(errs[5]!.message, /multi-type topics/);
  assert.match(errs[6]!.message, /CREATE TABLE \.\.\. AS SELECT/);
  // A cluster with its own connector jar can allow more connectors.
  assert.deepEqual(errors(build(`CREATE TABLE d (x INT) WITH ('connector' = 'redis'); INSERT INTO d VALUES (1);`, { extraConnectors: ['redis'] })), []);
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
  const spans = build(SCRIPT).spans!;
  const located = locateStatementError(new FreshetError(diag('FLINK752', `Flink POST /jars/run failed (HTTP 400): ${summary}`)), spans) as FreshetError;
  assert.equal(located.diagnostics[0]!.span?.line, 11);
  assert.match(located.diagnostics[0]!.message, /^Flink rejected the statement: SQL validation failed\. Column 'amout'/);
  const other = new FreshetError(diag('FLINK750', 'no cluster'));
  assert.equal(locateStatementError(other, spans), other);
});
