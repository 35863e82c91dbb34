/**
 * Checkpoint/restore property: a job checkpointed at random points, stopped abruptly (halted, or killed with
 * SIGKILL), and restored in a new process — possibly several times — ends with exactly the output of an
 * uninterrupted run: the same final SELECT result and the same (exactly-once) filesystem sink contents.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomEvents, writeEvents, mulberry32 } from '../support/random-events.js';

const CLI = ['--import', import.meta.resolve('tsx'), join(process.cwd(), 'src/cli/main.ts')];
let dir = '';

const script = (sinkDir: string): string => `
CREATE TABLE ev (
  id BIGINT, k STRING, g INT, v INT, d DOUBLE, s STRING, ts TIMESTAMP(3), ts_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'ev.json', 'format' = 'json');
CREATE TABLE win_out (k STRING, ws TIMESTAMP(3), c BIGINT, q BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '${sinkDir}', 'format' = 'json');
INSERT INTO win_out
  SELECT k, window_start, COUNT(*), CAST(SUM(v) AS BIGINT)
  FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTE))
  GROUP BY k, window_start, window_end;
SELECT k, COUNT(*) AS c, SUM(v) AS sv, MAX(r) AS max_r, MIN(ts) AS first_ts
FROM (SELECT k, v, ts, COUNT(*) OVER (PARTITION BY g ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW) AS r FROM ev)
GROUP BY k;
`;

function run(args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [...CLI, 'sql', ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function sinkRows(sinkDir: string): string[] {
  if (!existsSync(sinkDir)) return [];
  return readdirSync(sinkDir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(sinkDir, f), 'utf8').split('\n').filter(Boolean)).sort();
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-chk-'));
  writeEvents(join(dir, 'ev.json'), randomEvents(3000, 42));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('halt at random points and restore in new processes gives the uninterrupted output', async () => {
  writeFileSync(join(dir, 'job-ref.sql'), script('ref-out'));
  const ref = run(['-f', 'job-ref.sql', '--batch-size', '50', '-q'], dir);
  assert.equal(ref.code, 0, ref.err);
  const refRows = ref.out.trim().split('\n').sort();
  const refSink = sinkRows(join(dir, 'ref-out'));
  assert.ok(refRows.length > 3 && refSink.length > 100);

  const rnd = mulberry32(7);
  for (let trial = 0; trial < 3; trial++) {
    const sink = `out-${trial}`;
    const chk = join(dir, `chk-${trial}`);
    writeFileSync(join(dir, `job-${trial}.sql`), script(sink));
    // Crash twice at random batch counts, restoring each time, then finish.
    let restore: string[] = [];
    for (let crash = 0; crash < 2; crash++) {
      const halt = 3 + Math.floor(rnd() * 40);
      const r = run(['-f', `job-${trial}.sql`, '--batch-size', '50', '--checkpoint-dir', chk, '--checkpoint-every-batches', String(1 + Math.floor(rnd() * 5)), '--halt-after-batches', String(halt), '-q', ...restore], dir);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, '', 'a halted run prints nothing');
      if (readdirSync(chk).some((f) => f.endsWith('.bin'))) restore = ['--from-checkpoint', chk];
    }
    const fin = run(['-f', `job-${trial}.sql`, '--batch-size', '50', '--checkpoint-dir', chk, '--checkpoint-every-batches', '4', '-q', ...restore], dir);
    assert.equal(fin.code, 0, fin.err);
    assert.deepEqual(fin.out.trim().split('\n').sort(), refRows, `trial ${trial}: final SELECT result`);
    assert.deepEqual(sinkRows(join(dir, sink)), refSink, `trial ${trial}: exactly-once sink contents`);
  }
});

test('SIGKILL during a run and restore from the checkpoint directory gives the uninterrupted output', async () => {
  writeFileSync(join(dir, 'job-kill-ref.sql'), script('kill-ref-out'));
  const ref = run(['-f', 'job-kill-ref.sql', '--batch-size', '10', '-q'], dir);
  const refRows = ref.out.trim().split('\n').sort();
  writeFileSync(join(dir, 'job-kill.sql'), script('kill-out'));
  const chk = join(dir, 'chk-kill');
  const child = spawn(process.execPath, [...CLI, 'sql', '-f', 'job-kill.sql', '--batch-size', '10', '--checkpoint-dir', chk, '--checkpoint-every-batches', '5', '-q'], { cwd: dir, stdio: 'ignore' });
  // Kill as soon as a few checkpoints exist (the run is not over by then: it needs ~300+ batches).
  await new Promise<void>((resolve) => {
    const iv = setInterval(() => {
      if (existsSync(chk) && readdirSync(chk).filter((f) => f.endsWith('.bin')).length >= 2) { clearInterval(iv); child.kill('SIGKILL'); resolve(); }
    }, 5);
    child.on('exit', () => { clearInterval(iv); resolve(); });
  });
  await new Promise((r) => child.on('exit', r).listenerCount('exit') && setTimeout(r, 50));
  const fin = run(['-f', 'job-kill.sql', '--batch-size', '10', '--checkpoint-dir', chk, '--checkpoint-every-batches', '5', '--from-checkpoint', chk, '-q'], dir);
  assert.equal(fin.code, 0, fin.err);
  assert.deepEqual(fin.out.trim().split('\n').sort(), refRows);
  assert.deepEqual(sinkRows(join(dir, 'kill-out')), sinkRows(join(dir, 'kill-ref-out')));
});

const script2 = `
CREATE TABLE ev (
  id BIGINT, k STRING, g INT, v INT, d DOUBLE, s STRING, ts TIMESTAMP(3), ts_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'ev.json', 'format' = 'json');
SELECT a.k, a.c, b.s FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) a LEFT JOIN (SELECT k, SUM(v) AS s FROM ev WHERE g = 1 GROUP BY k) b ON a.k = b.k;
SELECT g, k, c, rn FROM (SELECT g, k, c, ROW_NUMBER() OVER (PARTITION BY g ORDER BY c DESC, k) AS rn FROM (SELECT g, k, COUNT(*) AS c FROM ev GROUP BY g, k)) WHERE rn <= 2;
SELECT k, window_start, COUNT(*) AS c FROM TABLE(SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), INTERVAL '20' SECOND)) GROUP BY k, window_start, window_end;
SELECT x.id, y.id AS other FROM ev x JOIN ev y ON x.k = y.k AND x.ts BETWEEN y.ts - INTERVAL '5' SECOND AND y.ts WHERE x.g = 0 AND y.g = 2;
SELECT k, id FROM (SELECT k, id, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM ev) WHERE rn = 1;
`;

test('joins, Top-N, sessions and dedup restore exactly after halts at random points', () => {
  writeFileSync(join(dir, 'job2.sql'), script2);
  const ref = run(['-f', 'job2.sql', '--batch-size', '40', '-q'], dir);
  assert.equal(ref.code, 0, ref.err);
  const refRows = ref.out.trim().split('\n').sort();
  assert.ok(refRows.length > 50);
  const rnd = mulberry32(99);
  for (let trial = 0; trial < 2; trial++) {
    const chk = join(dir, `chk2-${trial}`);
    let restore: string[] = [];
    for (let crash = 0; crash < 2; crash++) {
      const r = run(['-f', 'job2.sql', '--batch-size', '40', '--checkpoint-dir', chk, '--checkpoint-every-batches', String(1 + Math.floor(rnd() * 6)),
        '--halt-after-batches', String(5 + Math.floor(rnd() * 50)), '-q', ...restore], dir);
      assert.equal(r.code, 0, r.err);
      if (existsSync(chk) && readdirSync(chk).some((f) => f.endsWith('.bin'))) restore = ['--from-checkpoint', chk];
    }
    const fin = run(['-f', 'job2.sql', '--batch-size', '40', '--checkpoint-dir', chk, '-q', ...restore], dir);
    assert.equal(fin.code, 0, fin.err);
    assert.deepEqual(fin.out.trim().split('\n').sort(), refRows, `trial ${trial}`);
  }
});

test('a graceful stop (SIGINT) takes a final checkpoint; restoring from it gives the uninterrupted output', async () => {
  writeFileSync(join(dir, 'job-int.sql'), script('int-out'));
  writeFileSync(join(dir, 'job-int-ref.sql'), script('int-ref-out'));
  const ref = run(['-f', 'job-int-ref.sql', '--batch-size', '10', '-q'], dir);
  const chk = join(dir, 'chk-int');
  const child = spawn(process.execPath, [...CLI, 'sql', '-f', 'job-int.sql', '--batch-size', '1', '--checkpoint-dir', chk, '--checkpoint-every-batches', '400', '-q'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((r) => child.on('exit', r));
  // Interrupt once the job is processing: its first periodic checkpoint shows it is past start-up.
  const ids = (): number[] => (existsSync(chk) ? readdirSync(chk) : []).map((f) => /^chk-(\d+)\.bin$/.exec(f)).filter((m) => m !== null).map((m) => Number(m![1]));
  while (ids().length === 0) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGINT');
  await exited;
  assert.ok(readdirSync(chk).some((f) => f.endsWith('.bin')), 'the stop wrote a checkpoint');
  const fin = run(['-f', 'job-int.sql', '--batch-size', '10', '--from-checkpoint', chk, '-q'], dir);
  assert.equal(fin.code, 0, fin.err);
  assert.deepEqual(fin.out.trim().split('\n').sort(), ref.out.trim().split('\n').sort());
  assert.deepEqual(sinkRows(join(dir, 'int-out')), sinkRows(join(dir, 'int-ref-out')));
});
