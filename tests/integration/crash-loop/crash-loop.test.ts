/**
 * Crash loop: a job `kafka (bounded) -> GROUP BY user (COUNT, SUM) -> redis` with an exactly-once changed-keys
 * topic runs in a child process (the CLI) with checkpoints every 200 ms, is killed with SIGKILL at random moments
 * at least MIN_KILLS times and restarted from its checkpoint directory each time until it finishes. A poller reads
 * a sample of keys from Redis throughout: no count and no version may ever decrease. At the end the Redis contents
 * must equal an uninterrupted run's and a direct computation over the produced events, and the changed-keys topic
 * (read_committed) must hold, per key, strictly increasing versions without repeats whose last row is the stored row.
 *
 * Needs Kafka and Redis (skips with the reason otherwise; FRESHET_REQUIRE_KAFKA=1 / FRESHET_REQUIRE_REDIS=1 make
 * that a failure). CRASH_LOOP_EVENTS sets the number of events (default 1 000 000), CRASH_LOOP_KILLS the minimum
 * number of kills (default 20).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce, readAll } from '../kafka/kafka-helpers.js';
import { REDIS_HOST, REDIS_PORT, redisSkipReason, testRedisStore } from '../../stores/store-helpers.js';
import { mulberry32 } from '../../support/random-events.js';
import { assertDuckDbAgrees, pollMonotonic } from '../../support/spend-checks.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EVENTS = Number(process.env['CRASH_LOOP_EVENTS'] ?? '1000000');
const MIN_KILLS = Number(process.env['CRASH_LOOP_KILLS'] ?? '20');
const USERS = 1000;
const SAMPLE = 50;

let skip: string | undefined;
before(async () => {
  const k = await kafkaSkipReason();
  const r = await redisSkipReason();
  skip = k ?? (r === false ? undefined : r);
});

function jobSql(inTopic: string, table: string, ckTopic: string, txPrefix: string): string {
  return `SET 'execution.checkpointing.interval' = '100 ms';
CREATE TABLE ev (user_id STRING, amount BIGINT) WITH ('connector' = 'kafka', 'topic' = '${inTopic}',
  'properties.bootstrap.servers' = '${BOOTSTRAP}', 'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset', 'format' = 'json');
CREATE TABLE feats (user_id STRING, cnt BIGINT, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH (
  'connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${table}',
  'changed-keys.topic' = '${ckTopic}', 'changed-keys.bootstrap-servers' = '${BOOTSTRAP}', 'changed-keys.values' = 'true',
  'changed-keys.delivery-guarantee' = 'exactly-once', 'changed-keys.transactional-id-prefix' = '${txPrefix}');
INSERT INTO feats SELECT user_id, COUNT(*), SUM(amount) FROM ev GROUP BY user_id;
`;
}

interface RunResult { code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number; killed: boolean }

/**
 * Runs the CLI on the script, restoring from the newest checkpoint of `ckDir` when there is one; kills it with
 * SIGKILL after the delay `killAfter` resolves to, unless it ended first.
 */
function runCli(script: string, ckDir: string, killAfter?: () => Promise<number>): Promise<RunResult> {
  const t0 = Date.now();
  let restore = false;
  try { restore = checkpointCount(ckDir) > 0; } catch { /* no directory yet: a fresh start */ }
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'sql', '-f', script,
    '--checkpoint-dir', ckDir, ...(restore ? ['--from-checkpoint', ckDir] : [])], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  let killed = false;
  let ended = false;
  if (killAfter) {
    void killAfter().then((ms) => setTimeout(() => { if (!ended) { killed = true; child.kill('SIGKILL'); } }, ms));
  }
  return new Promise((resolve) => {
    child.on('close', (code, signal) => { ended = true; resolve({ code, signal, stderr, ms: Date.now() - t0, killed }); });
  });
}

const checkpointCount = (dir: string): number => readdirSync(dir).filter((f) => /^chk-\d+\.bin$/.test(f)).length;

/** The id of the newest checkpoint in the directory, -1 when none. */
function newestCheckpoint(dir: string): number {
  try {
    return Math.max(-1, ...readdirSync(dir).map((f) => /^chk-(\d+)\.bin$/.exec(f)).filter((m) => m !== null).map((m) => Number(m![1])));
  } catch {
    return -1;
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Announcement { key: string; version: number; op: string; row?: Record<string, unknown>; table: string }

/** Checks the changed-keys topic of one run; returns the last announcement per key. */
async function checkChangedKeys(topic: string, table: string): Promise<Map<string, Announcement>> {
  const msgs = await readAll(topic, 'read_committed');
  const last = new Map<string, Announcement>();
  const keyPartition = new Map<string, number>();
  for (const m of msgs) {
    const a = JSON.parse(m.value!) as Announcement;
    assert.equal(a.table, table);
    assert.equal(m.key, a.key, 'message key is the entity key');
    const p = keyPartition.get(a.key);
    if (p === undefined) keyPartition.set(a.key, m.partition);
    else assert.equal(m.partition, p, `all announcements of ${a.key} in one partition`);
    const prev = last.get(a.key);
    assert.ok(prev === undefined || a.version > prev.version,
      `changed-keys: ${a.key} announced version ${a.version} after ${prev?.version} (repeat or decrease)`);
    last.set(a.key, a);
  }
  return last;
}

test('crash loop: SIGKILLed job restored from checkpoints gives exact Redis contents and exactly-once changed keys', { timeout: 900_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const seed = Number(process.env['CRASH_LOOP_SEED'] ?? String(Date.now() % 1_000_000));
  const random = mulberry32(seed);
  const tStart = Date.now();

  // Input: EVENTS events over USERS users, keyed by user (each user's events are in one partition, in order).
  const inTopic = freshTopic('crash-in');
  await createTopic(inTopic, 3);
  const expected = new Map<string, { cnt: number; total: number }>();
  const events = new Array<{ key: string; value: string }>(EVENTS);
  for (let i = 0; i < EVENTS; i++) {
    const user = `u${Math.floor(random() * USERS)}`;
    const amount = Math.floor(random() * 1000) - 100;
    events[i] = { key: user, value: `{"user_id":"${user}","amount":${amount}}` };
    const e = expected.get(user) ?? { cnt: 0, total: 0 };
    e.cnt++; e.total += amount;
    expected.set(user, e);
  }
  await produce(inTopic, events);
  // The DuckDB oracle computes the same feature in batch over the produced events; the direct computation above (and
  // so the store at the end) must equal it.
  const oracleDir = mkdtempSync(join(tmpdir(), 'freshet-crash-oracle-'));
  writeFileSync(join(oracleDir, 'events.json'), events.map((e) => e.value).join('\n') + '\n');
  events.length = 0;
  await assertDuckDbAgrees(join(oracleDir, 'events.json'), expected);
  rmSync(oracleDir, { recursive: true, force: true });
  const tProduced = Date.now();

  const work = mkdtempSync(join(tmpdir(), 'freshet-crash-loop-'));
  const suffix = inTopic.slice('freshet-test-'.length).replace(/[^A-Za-z0-9_-]/g, '_');
  const store = testRedisStore();
  await store.open();
  try {
    // 1. The uninterrupted run.
    const refTable = `ref_${suffix}`, refTopic = freshTopic('crash-ck-ref');
    await createTopic(refTopic, 3);
    const refScript = join(work, 'ref.sql');
    writeFileSync(refScript, jobSql(inTopic, refTable, refTopic, `freshet-test-${refTopic}`));
    const ref = await runCli(refScript, join(work, 'ck-ref'));
    assert.equal(ref.code, 0, `uninterrupted run failed: ${ref.stderr}`);
    const processing = Number(/finished in (\d+) ms/.exec(ref.stderr)?.[1] ?? String(ref.ms));
    const startup = Math.max(500, ref.ms - processing);

    // 2. The crash loop, with a poller over a sample of keys.
    const table = `crash_${suffix}`, ckTopic = freshTopic('crash-ck');
    await createTopic(ckTopic, 3);
    const script = join(work, 'job.sql');
    writeFileSync(script, jobSql(inTopic, table, ckTopic, `freshet-test-${ckTopic}`));
    const ckDir = join(work, 'ck');
    const sample = Array.from({ length: SAMPLE }, (_, i) => `u${Math.floor((i * USERS) / SAMPLE)}`);
    const poller = pollMonotonic(table, sample);

    // Kill moments: a quarter of the kills fall at a uniform moment of the start-up (process start, restore, Kafka
    // and Redis connections, read-back of the changed-keys tail); the others wait until the run wrote a checkpoint
    // of its own and then kill within [0, processing / MIN_KILLS], so the job needs more than MIN_KILLS runs. The
    // first kill comes only after the first checkpoint: a kill before any checkpoint is a fresh start, which by design
    // begins a new generation that overwrites the table (values would legitimately restart from zero).
    let kills = 0, runs = 0, startupKills = 0;
    const runTimes: number[] = [];
    const tLoop = Date.now();
    for (;;) {
      runs++;
      const killAfter = kills < MIN_KILLS ? async (): Promise<number> => {
        if (kills > 0 && random() < 0.25) { startupKills++; return Math.floor(random() * startup); }
        const before = newestCheckpoint(ckDir);
        await waitFor(() => newestCheckpoint(ckDir) > before, 120_000);
        return Math.floor(random() * (processing / (2 * MIN_KILLS)));
      } : undefined;
      const r = await runCli(script, ckDir, killAfter);
      runTimes.push(r.ms);
      if (r.killed && r.signal === 'SIGKILL') { kills++; continue; }
      assert.equal(r.code, 0, `run ${runs} failed (code ${r.code}, signal ${r.signal}): ${r.stderr}`);
      break;
    }
    const loopMs = Date.now() - tLoop;
    await poller.stop();
    t.diagnostic(`events=${EVENTS} users=${USERS} seed=${seed}; produce ${tProduced - tStart} ms; uninterrupted run ${ref.ms} ms (processing ${processing} ms)`);
    t.diagnostic(`crash loop: ${kills} kills (${startupKills} during start-up), ${runs} runs (${runs - 1} restarts), ${loopMs} ms; run times ms: ${runTimes.join(' ')}`);

    // 3. Checks.
    assert.deepEqual(poller.violations, [], 'a polled value or version decreased');
    const users = [...expected.keys()].sort();
    const got = await store.multiGet(table, users);
    const refGot = await store.multiGet(refTable, users);
    for (let i = 0; i < users.length; i++) {
      const u = users[i]!;
      assert.ok(got[i] && refGot[i], `${u} missing`);
      assert.deepEqual(JSON.parse(got[i]!.value), { user_id: u, ...expected.get(u)! }, `${u} vs direct computation`);
      assert.deepEqual(JSON.parse(got[i]!.value), JSON.parse(refGot[i]!.value), `${u} vs uninterrupted run`);
      assert.equal(got[i]!.version % 2 ** 32, refGot[i]!.version % 2 ** 32, `${u}: change counter vs uninterrupted run`);
    }
    for (const [topic, tbl, rows] of [[ckTopic, table, got], [refTopic, refTable, refGot]] as const) {
      const last = await checkChangedKeys(topic, tbl);
      assert.equal(last.size, users.length, `${topic}: every key announced`);
      for (let i = 0; i < users.length; i++) {
        const a = last.get(users[i]!)!;
        assert.equal(a.version, rows[i]!.version, `${users[i]}: last announced version is the stored one`);
        assert.deepEqual(a.row, JSON.parse(rows[i]!.value), `${users[i]}: last announced row is the stored one`);
      }
    }
    const announced = (await readAll(ckTopic, 'read_committed')).length;
    const refAnnounced = (await readAll(refTopic, 'read_committed')).length;
    t.diagnostic(`poller: ${poller.polls()} polls of ${SAMPLE} keys, no decrease; changed-keys messages: ${announced} (uninterrupted run: ${refAnnounced}); total ${Date.now() - tStart} ms`);
    assert.ok(kills >= MIN_KILLS, `only ${kills} kills (the job finished too early: lower the kill delays or raise CRASH_LOOP_EVENTS)`);
  } finally {
    await store.close();
    rmSync(work, { recursive: true, force: true });
  }
});
