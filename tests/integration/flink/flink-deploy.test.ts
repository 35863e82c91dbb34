/**
 * Freshet scripts on a real Flink session cluster (scripts/flink.sh), deployed through the REST API with the template
 * jar: a bounded filesystem job and (when a Kafka broker is up) a bounded Kafka job whose output files must equal the
 * embedded engine's for the same SQL, and an unbounded job taken through savepoint, stop and resume with its keyed
 * state intact. Skips with the reason when no cluster answers or the jar is not built (fails instead with
 * FRESHET_REQUIRE_FLINK=1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '../../../src/flink/job-spec.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { buildSpec, eventually, flinkTestFile, kafkaSkip, seededRandom, sinkLines } from './flink-helpers.js';
import { BOOTSTRAP, createTopic, freshTopic, produce } from '../kafka/kafka-helpers.js';


const file = flinkTestFile({ tmpPrefix: 'freshet-flink-' });
const { deployer, dir } = file;

interface Ev { user_id: string; amount: number; ts: string }

/** Events one second apart (in order, so both engines see the same watermarks) for a few users. */
function events(n: number, users: number, seed: number, startSecond = 0): Ev[] {
  const rnd = seededRandom(seed);
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const ms = Date.UTC(2024, 0, 1) + (startSecond + i) * 1000;
    out.push({ user_id: `u${Math.floor(rnd() * users)}`, amount: Math.floor(rnd() * 1000), ts: new Date(ms).toISOString().replace('T', ' ').replace('Z', '') });
  }
  return out;
}

/** Writes a file so that a monitoring source never sees it half written (hidden name first, then rename). */
function writeAtomically(path: string, text: string): void {
  const tmp = join(path, '..', `.${Date.now()}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** The feature SQL of the comparison tests, writing under `out`. */
function featureSql(sourceTable: string, out: string): string {
  return `
${sourceTable}
CREATE TABLE per_window (user_id STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total INT, biggest INT)
  WITH ('connector' = 'filesystem', 'path' = '${out}/per_window', 'format' = 'json');
CREATE TABLE labelled (user_id STRING, amount INT, label STRING, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${out}/labelled', 'format' = 'csv');
INSERT INTO per_window
SELECT user_id, window_start, window_end, COUNT(*), SUM(amount), MAX(amount)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY user_id, window_start, window_end;
INSERT INTO labelled
SELECT UPPER(user_id), amount * 2, CASE WHEN amount > 500 THEN 'high' ELSE 'low' END, ts
FROM ev WHERE MOD(amount, 3) <> 0;
`;
}

const specOf = (sql: string, name: string): JobSpec => buildSpec(sql, { name, baseDir: dir });

async function runBoth(sql: (out: string) => string, name: string): Promise<void> {
  const flinkOut = join(dir, name, 'flink'), embeddedOut = join(dir, name, 'embedded');
  const t0 = Date.now();
  const id = await file.deploy(specOf(sql(flinkOut), name));
  await deployer.waitForState(id, ['FINISHED'], 120_000);
  const flinkMs = Date.now() - t0;
  const res = await runSql(sql(embeddedOut), { baseDir: dir });
  assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);
  for (const table of ['per_window', 'labelled']) {
    const f = sinkLines(join(flinkOut, table)).sort(), e = sinkLines(join(embeddedOut, table)).sort();
    assert.ok(f.length > 10, `${table}: Flink wrote ${f.length} lines`);
    assert.deepEqual(f, e, `${table}: Flink and the embedded engine differ`);
  }
  process.stderr.write(`# ${name}: Flink job deployed and finished in ${flinkMs} ms\n`);
}

test('bounded filesystem job: Flink output equals the embedded engine', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const input = join(dir, 'fs-in');
  mkdirSync(input, { recursive: true });
  writeFileSync(join(input, 'events.json'), events(400, 7, 42).map((e) => JSON.stringify(e)).join('\n') + '\n');
  await runBoth((out) => featureSql(`CREATE TABLE ev (user_id STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'fs-in', 'format' = 'json');`, out), 'fs');
});

test('bounded Kafka job: Flink output equals the embedded engine', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const noKafka = await kafkaSkip(); // here Kafka is optional
  if (noKafka) return t.skip(noKafka);
  const topic = freshTopic('flink');
  await createTopic(topic, 1);
  await produce(topic, events(300, 5, 7).map((e) => ({ key: e.user_id, value: JSON.stringify(e) })));
  await runBoth((out) => featureSql(`CREATE TABLE ev (user_id STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = 'freshet-flink-test', 'scan.startup.mode' = 'earliest-offset',
        'scan.bounded.mode' = 'latest-offset', 'format' = 'json');`, out), 'kafka');
});

test('unbounded job: savepoint, stop with savepoint, resume keeps keyed state and read positions', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const input = join(dir, 'stream-in'), out = join(dir, 'stream-out');
  mkdirSync(input, { recursive: true });
  // A row-format filesystem sink makes a part file visible when it rolls (at a checkpoint after the rollover
  // interval), so both are short here.
  const sql = `
SET 'execution.checkpointing.interval' = '1 s';
CREATE TABLE ev (user_id STRING, amount INT, ts TIMESTAMP(3), pt AS PROCTIME())
  WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'source.monitor-interval' = '300 ms');
CREATE TABLE running (user_id STRING, amount INT, n BIGINT, total INT)
  WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json',
        'sink.rolling-policy.rollover-interval' = '1 s', 'sink.rolling-policy.check-interval' = '500 ms');
INSERT INTO running
SELECT user_id, amount,
  COUNT(*) OVER (PARTITION BY user_id ORDER BY pt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
  SUM(amount) OVER (PARTITION BY user_id ORDER BY pt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
FROM ev;
`;
  const spec = specOf(sql, 'stream');
  const first = events(60, 4, 3), second = events(45, 4, 9, 60);
  writeAtomically(join(input, 'a.json'), first.map((e) => JSON.stringify(e)).join('\n') + '\n');

  const id1 = await file.deploy(spec);
  await deployer.waitUntilRunning(id1);
  await eventually('the first file in the sink', () => (sinkLines(out).length >= first.length ? true : undefined));
  const sp1 = await deployer.savepoint(id1);
  assert.match(sp1, /savepoint-/);
  assert.equal((await deployer.job(id1)).state, 'RUNNING', 'a savepoint leaves the job running');
  const sp2 = await deployer.stopWithSavepoint(id1);
  assert.notEqual(sp2, sp1);
  assert.equal((await deployer.job(id1)).state, 'FINISHED');
  assert.equal(sinkLines(out).length, first.length, 'exactly the first file, once');

  // While the job is stopped a second file arrives; the resumed job must read only it and continue the counts.
  writeAtomically(join(input, 'b.json'), second.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const id2 = await file.deploy(spec, { savepointPath: sp2 });
  await deployer.waitUntilRunning(id2);
  await eventually('both files in the sink', () => (sinkLines(out).length >= first.length + second.length ? true : undefined));
  const m = await deployer.metrics(id2);
  assert.equal(m.state, 'RUNNING');
  assert.equal(m.checkpoints.restoredFrom?.replace(/^file:/, ''), sp2.replace(/^file:/, ''));
  await deployer.cancel(id2);
  assert.equal((await deployer.job(id2)).state, 'CANCELED');

  const rows = sinkLines(out).map((l) => JSON.parse(l) as { user_id: string; amount: number; n: number; total: number });
  assert.equal(rows.length, first.length + second.length, 'no row lost or repeated across the restore');
  // Per user: the running counts are exactly 1..k (state restored: the second run continued, it did not restart at
  // 1) and each running total is the previous one plus the row's amount.
  const all = [...first, ...second];
  const byUser = new Map<string, typeof rows>();
  for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
  for (const [user, rs] of byUser) {
    rs.sort((a, b) => a.n - b.n);
    const expected = all.filter((e) => e.user_id === user);
    assert.deepEqual(rs.map((r) => r.n), expected.map((_, i) => i + 1), `counts of ${user}`);
    let total = 0;
    for (const r of rs) { total += r.amount; assert.equal(r.total, total, `running total of ${user} at ${r.n}`); }
    assert.equal(total, expected.reduce((s, e) => s + e.amount, 0));
  }
});

test('multi-type Kafka topic: each type table reads its messages on Flink as on the embedded engine', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const noKafka = await kafkaSkip();
  if (noKafka) return t.skip(noKafka);
  const topic = freshTopic('flink-multi');
  await createTopic(topic, 1);
  const msgs: string[] = [];
  for (let i = 0; i < 300; i++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace('T', ' ').replace('Z', '');
    if (i % 3 === 0) msgs.push(JSON.stringify({ meta: { kind: 'order' }, user_id: `u${i % 7}`, amount: i, ts }));
    else if (i % 3 === 1) msgs.push(JSON.stringify({ meta: { kind: 'click' }, user_id: `u${i % 5}`, page: `/p${i % 4}`, ts }));
    else msgs.push(i % 2 === 0 ? JSON.stringify({ meta: { kind: 'other' }, x: 1 }) : JSON.stringify({ meta: { kind: 7 }, user_id: 'n', amount: 1, ts }));
  }
  msgs.push('not json at all');
  await produce(topic, msgs.map((value) => ({ value })));
  const kafka = (table: string, cols: string, kind: string): string => `CREATE TABLE ${table} (${cols}, ts TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = 'freshet-flink-multi', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.ignore-parse-errors' = 'true', 'freshet.discriminator' = '$.meta.kind', 'freshet.discriminator.value' = '${kind}');`;
  const sql = (out: string): string => `
${kafka('orders', 'user_id STRING, amount INT', 'order')}
${kafka('clicks', 'user_id STRING, page STRING', 'click')}
${kafka('sevens', 'user_id STRING, amount INT', '7')}
CREATE TABLE all_rows (kind STRING, user_id STRING, detail STRING, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${out}/all_rows', 'format' = 'json');
INSERT INTO all_rows
SELECT 'order', user_id, CAST(amount AS STRING), ts FROM orders
UNION ALL SELECT 'click', user_id, page, ts FROM clicks
UNION ALL SELECT 'seven', user_id, CAST(amount AS STRING), ts FROM sevens;
`;
  const flinkOut = join(dir, 'multi', 'flink'), embeddedOut = join(dir, 'multi', 'embedded');
  const spec = specOf(sql(flinkOut), 'multi');
  assert.deepEqual(spec.requires, ['multi-type']);
  assert.match(spec.statements[0]!.sql, /'format' = 'freshet-json'/);
  const id = await file.deploy(spec);
  await deployer.waitForState(id, ['FINISHED'], 120_000);
  const res = await runSql(sql(embeddedOut), { baseDir: dir });
  assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);
  const f = sinkLines(join(flinkOut, 'all_rows')).sort(), e = sinkLines(join(embeddedOut, 'all_rows')).sort();
  assert.equal(f.filter((l) => l.includes('"kind":"order"')).length, 100);
  assert.equal(f.filter((l) => l.includes('"kind":"click"')).length, 100);
  assert.equal(f.filter((l) => l.includes('"kind":"seven"')).length, 50, 'a number discriminator matches its text');
  assert.deepEqual(f, e, 'Flink and the embedded engine read the same rows per type');
});
