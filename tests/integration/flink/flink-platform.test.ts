/**
 * The platform's Flink routes against the real local session cluster (scripts/flink.sh): a bounded job deployed with
 * the FlinkDeployer is listed by GET /api/flink/jobs with its state and record counts and described by
 * GET /api/flink/jobs/{id}; an unbounded job is listed RUNNING, then stopped with a savepoint through the API (editor).
 * Skips with the reason when no cluster answers or the template jar is not built (fails with FRESHET_REQUIRE_FLINK=1).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { FlinkDeployer } from '../../../src/flink/flink-deployer.js';
import { Dictionary } from '../../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../../src/catalog/dictionary/lmdb-store.js';
import { createPlatformServer } from '../../../src/server/platform/platform-server.js';
import type { FlinkJobDetail, FlinkJobSummary } from '../../../src/server/platform/flink-jobs.js';
import { FLINK_URL, buildSpec, cancelStarted, eventually, flinkSkipReason, lockCluster } from './flink-helpers.js';

let skip: string | undefined;
let unlock: (() => void) | undefined;
let dir = '';
let app: FastifyInstance | undefined;
let store: LmdbDictionaryStore | undefined;
const deployer = new FlinkDeployer({ url: FLINK_URL, pollMs: 200 });
const started: string[] = [];
const TOKENS = { generated: false, tokens: [{ token: 'tok-editor', role: 'editor' as const, name: 'e' }, { token: 'tok-viewer', role: 'viewer' as const, name: 'v' }] };
const H = (t = 'tok-viewer'): Record<string, string> => ({ authorization: `Bearer ${t}` });

before(async () => {
  skip = await flinkSkipReason();
  if (skip) return;
  unlock = await lockCluster();
  dir = mkdtempSync(join(tmpdir(), 'freshet-flink-platform-'));
  store = new LmdbDictionaryStore(join(dir, 'dictionary'));
  app = (await createPlatformServer({
    dictionary: new Dictionary(store), logDir: join(dir, 'log'), platformDir: join(dir, 'platform'), tokens: TOKENS, baseDir: dir,
    kvPath: join(dir, 'kv'), resumeJobs: false, flink: { url: FLINK_URL },
  })).app;
});

after(async () => {
  await cancelStarted(deployer, started);
  await app?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  unlock?.();
});

const specOf = (sql: string, name: string): ReturnType<typeof buildSpec> => buildSpec(sql, { name, baseDir: dir });

async function list(): Promise<{ configured: boolean; url: string; webUrl: string; jobs: FlinkJobSummary[] }> {
  const r = await app!.inject({ method: 'GET', url: '/api/flink/jobs?limit=50', headers: H() });
  assert.equal(r.statusCode, 200, r.body);
  return JSON.parse(r.body) as { configured: boolean; url: string; webUrl: string; jobs: FlinkJobSummary[] };
}

const rows = (n: number): string => Array.from({ length: n }, (_, i) => JSON.stringify({ user_id: `u${i % 3}`, amount: i })).join('\n') + '\n';

test('a bounded job deployed to Flink is listed with its state and counts, and described in detail', async (t) => {
  if (skip) return t.skip(skip);
  const input = join(dir, 'bounded-in');
  mkdirSync(input, { recursive: true });
  writeFileSync(join(input, 'a.json'), rows(37));
  const name = `platform-bounded-${process.pid}`;
  const id = await deployer.deploy(specOf(`
CREATE TABLE ev (user_id STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json');
CREATE TABLE big (user_id STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'bounded-out')}', 'format' = 'json');
INSERT INTO big SELECT user_id, amount FROM ev WHERE amount > 10;
`, name));
  started.push(id);
  await deployer.waitForState(id, ['FINISHED'], 120_000);

  const l = await list();
  assert.equal(l.configured, true);
  assert.equal(l.url, FLINK_URL.replace(/\/+$/, ''));
  const j = l.jobs.find((x) => x.id === id);
  assert.ok(j, `job ${id} listed`);
  assert.equal(j.name, name);
  assert.equal(j.state, 'FINISHED');
  assert.equal(j.recordsIn, 37, 'records the source read');
  assert.ok(j.endTime !== null && j.endTime >= j.startTime);
  assert.ok(j.durationMs > 0 && j.durationMs === j.endTime - j.startTime, `duration ${j.durationMs}`);
  assert.equal(j.webUrl, `${FLINK_URL.replace(/\/+$/, '')}/#/job/completed/${id}/overview`);
  // Newest first.
  const starts = l.jobs.map((x) => x.startTime);
  assert.deepEqual(starts, [...starts].sort((a, b) => b - a));

  const d = await app!.inject({ method: 'GET', url: `/api/flink/jobs/${id}`, headers: H() });
  assert.equal(d.statusCode, 200, d.body);
  const job = (JSON.parse(d.body) as { job: FlinkJobDetail }).job;
  assert.equal(job.state, 'FINISHED');
  assert.ok(job.vertices.length >= 1);
  assert.ok(job.vertices.every((v) => v.status === 'FINISHED'));
  assert.equal(Math.max(...job.vertices.map((v) => v.readRecords)), 37);

  const unknown = await app!.inject({ method: 'GET', url: `/api/flink/jobs/${'0'.repeat(32)}`, headers: H() });
  assert.equal(unknown.statusCode, 404, unknown.body);
});

test('an unbounded job is listed RUNNING, then an editor stops it with a savepoint through the API', async (t) => {
  if (skip) return t.skip(skip);
  const input = join(dir, 'stream-in');
  mkdirSync(input, { recursive: true });
  writeFileSync(join(input, 'a.json'), rows(5));
  const name = `platform-stream-${process.pid}`;
  const id = await deployer.deploy(specOf(`
SET 'execution.checkpointing.interval' = '1 s';
CREATE TABLE ev (user_id STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'source.monitor-interval' = '300 ms');
CREATE TABLE sink (user_id STRING, amount INT) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT user_id, amount FROM ev;
`, name));
  started.push(id);
  await deployer.waitUntilRunning(id);
  const running = await eventually('the job listed RUNNING with its rows read and a checkpoint', async () => {
    const j = (await list()).jobs.find((x) => x.id === id);
    return j && j.state === 'RUNNING' && j.recordsIn === 5 && j.checkpoints.completed > 0 ? j : undefined;
  }, 60_000);
  assert.equal(running.endTime, null);
  assert.ok(running.checkpoints.lastAt !== null && running.checkpoints.lastAt >= running.startTime);
  assert.match(running.webUrl, new RegExp(`/#/job/running/${id}/overview$`));

  const denied = await app!.inject({ method: 'POST', url: `/api/flink/jobs/${id}/stop`, headers: H('tok-viewer'), payload: {} });
  assert.equal(denied.statusCode, 403);
  const r = await app!.inject({ method: 'POST', url: `/api/flink/jobs/${id}/stop`, headers: H('tok-editor'), payload: {} });
  assert.equal(r.statusCode, 200, r.body);
  const stopped = JSON.parse(r.body) as { savepoint: string; state: string };
  assert.match(stopped.savepoint, /savepoint-/);
  assert.equal(stopped.state, 'FINISHED');
  assert.equal((await deployer.job(id)).state, 'FINISHED');
  const after = (await list()).jobs.find((x) => x.id === id);
  assert.equal(after?.state, 'FINISHED');
});
