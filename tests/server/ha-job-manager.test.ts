// Two job managers in one process sharing a PostgreSQL job store (a schema of its own), a checkpoint root, a
// dictionary and an embedded log, each with its own leader election: exactly one runs the job; the other shows
// where it runs; a new version saved on the non-leader restarts the leader on it; stop and start issued on the
// non-leader act on the leader; when the leader's lock session dies (fencing) it stops the job at once and the
// other manager takes over from the shared checkpoint, counting every event once. A job failing for good is
// recorded as stopped in the shared catalog (no other instance retries it) and a start on any instance runs it again.
// Needs PostgreSQL (skips with the reason otherwise; FRESHET_REQUIRE_POSTGRES=1 makes that a failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PG_URL, pgSkipReason } from '../support/postgres.js';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { EmbeddedLog } from '../../src/connectors/embedded-log/embedded-log.js';
import { JobManager, onJobEvent, type JobEvent } from '../../src/server/platform/job-manager.js';
import { LeaderElection } from '../../src/server/platform/leader-election.js';
import { PostgresJobStore } from '../../src/server/platform/postgres-job-store.js';
import { ingestEvents } from '../../src/server/ingest.js';
import type { ConnectorFactory, ScanSource, TableContext } from '../../src/engine/connector-api.js';
import type { ConnectorLookup } from '../../src/engine/job-runner.js';
import { until as pollUntil } from '../support/until.js';

const url = PG_URL;
const unreachable = (await pgSkipReason()) ?? false;

const until = <T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> => pollUntil(what, fn, ms, 25);

const USERS = 5;
function expected(n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) m.set(`u${i % USERS}`, (m.get(`u${i % USERS}`) ?? 0) + 1);
  return m;
}

test('HA job managers: one leader, edits and stop/start on the standby, fencing and takeover', { timeout: 120_000 }, async (t) => {
  if (unreachable) { t.skip(unreachable); return; }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-ha-mgr-'));
  const schema = `freshet_ha_${process.pid}_${Date.now()}`;
  const dictStore = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const dictionary = new Dictionary(dictStore);
  const logDir = path.join(dir, 'log');
  const log = await EmbeddedLog.open(logDir);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const events: JobEvent[] = [];
  const off = onJobEvent((ev) => { if (ev.instance.startsWith('m-')) events.push(ev); });
  const mk = (id: string): { jobs: JobManager; store: PostgresJobStore } => {
    const store = new PostgresJobStore({ url, schema });
    const jobs = new JobManager({
      dictionary, logDir, root: path.join(dir, id), kvPath: path.join(dir, `kv-${id}`), baseDir: dir, store,
      checkpointRoot: path.join(dir, 'checkpoints'), leader: new LeaderElection({ url, instanceId: id }), pollMs: 200,
    });
    return { jobs, store };
  };
  const m1 = mk('m-1'), m2 = mk('m-2');
  let sent = 0;
  const add = async (n: number): Promise<void> => {
    const s = (await dictionary.getForRuntime('orders'))!;
    const msgs = [];
    for (let i = 0; i < n; i++, sent++) msgs.push({ value: { user_id: `u${sent % USERS}`, amount: 1 } });
    await ingestEvents(dictionary, log, s, msgs);
  };
  const counts = async (jobs: JobManager): Promise<Map<string, number>> =>
    new Map((await jobs.results('spend', 100)).rows.map((r) => [String(r[0]), Number(r[1])]));
  try {
    await dictionary.create({ name: 'orders', samples: [{ user_id: 'u0', amount: 1 }] });
    await Promise.all([m1.jobs.resume(), m2.jobs.resume()]);
    await add(100);
    const job = {
      name: 'spend', owner: 'ops', entityKey: ['user_id'], sources: ['orders'],
      sql: 'SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id', options: { 'execution.checkpointing.interval': '50 ms' },
    };
    await m1.jobs.create(job);
    const leaderOf = async (): Promise<[JobManager, JobManager, string]> => until('one leader', async () => {
      const [s1, s2] = [await m1.jobs.status('spend'), await m2.jobs.status('spend')];
      if (s1.state === 'running' && s2.state !== 'running') return [m1.jobs, m2.jobs, 'm-1'] as [JobManager, JobManager, string];
      if (s2.state === 'running' && s1.state !== 'running') return [m2.jobs, m1.jobs, 'm-2'] as [JobManager, JobManager, string];
      return undefined;
    });
    let [leader, standby, leaderId] = await leaderOf();
    await until('100 counted', async () => ([...(await counts(leader)).values()].reduce((a, b) => a + b, 0) === 100 ? true : undefined));
    assert.equal((await standby.status('spend')).runningOn, leaderId);
    assert.equal((await leader.status('spend')).runningOn, leaderId);
    // Only the leader ran it.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await standby.status('spend')).state, 'stopped');

    // A new version saved on the standby: the leader restarts on it (from scratch: a different program).
    await standby.update('spend', { ...job, sql: 'SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY user_id' });
    await until('leader on v2', async () => {
      const s = await leader.status('spend');
      return s.version === 2 && s.state === 'running' ? true : undefined;
    });
    await until('v2 results', async () => {
      const r = await leader.results('spend', 100);
      return r.columns.length === 3 && r.rows.reduce((a, row) => a + Number(row[1]), 0) === 100 ? true : undefined;
    });

    // Stop on the standby stops the leader's run; start on the standby runs it again (on either instance).
    await standby.stop('spend');
    await until('stopped everywhere', async () => ((await leader.status('spend')).state === 'stopped' ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    assert.notEqual((await standby.status('spend')).state, 'running');
    await add(50);
    await standby.start('spend');
    [leader, standby, leaderId] = await leaderOf();
    await until('150 counted', async () => ([...(await counts(leader)).values()].reduce((a, b) => a + b, 0) === 150 ? true : undefined));
    assert.deepEqual(await counts(leader), expected(150));

    // Fencing: the leader's lock session is terminated; it stops the job and the other instance takes over.
    await new Promise((r) => setTimeout(r, 150)); // a checkpoint after the last batch
    const before = events.length;
    const pid = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [`freshet-leader-${leaderId}`]);
    assert.equal(pid.rows.length, 1);
    await admin.query('SELECT pg_terminate_backend($1)', [pid.rows[0]!.pid]);
    const t0 = Date.now();
    await until('the old leader is fenced', () => events.slice(before).find((e) => e.kind === 'leader-lost' && e.instance === leaderId));
    await until('the old leader stopped', async () => ((await leader.status('spend')).state === 'stopped' ? true : undefined));
    const newLeader = await until('a leader again', async () => {
      const [s1, s2] = [await m1.jobs.status('spend'), await m2.jobs.status('spend')];
      if (s1.state === 'running') return { jobs: m1.jobs, status: s1 };
      if (s2.state === 'running') return { jobs: m2.jobs, status: s2 };
      return undefined;
    });
    t.diagnostic(`takeover after the lock session died: ${Date.now() - t0} ms (now on ${newLeader.status.runningOn})`);
    assert.match(newLeader.status.restoredFrom ?? '', /^chk-\d+\.bin$/);
    const kinds = events.slice(before).map((e) => `${e.kind}@${e.instance}`);
    assert.ok(kinds.includes(`leader-lost@${leaderId}`), kinds.join(' '));
    assert.ok(kinds.some((k) => k.startsWith('leader-acquired@')), kinds.join(' '));
    await add(50);
    await until('200 counted', async () => ([...(await counts(newLeader.jobs)).values()].reduce((a, b) => a + b, 0) === 200 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await counts(newLeader.jobs), expected(200), 'every event counted once across the takeover');
  } finally {
    off();
    await m1.jobs.close();
    await m2.jobs.close();
    await m1.store.dropSchema().catch(() => undefined);
    await m1.store.close();
    await m2.store.close();
    await admin.end();
    await log.close();
    await dictStore.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/** Embedded-log sources that throw on every poll while `broken.on`. */
function breakable(broken: { on: boolean }): (base: ConnectorLookup) => ConnectorLookup {
  return (base) => ({
    get(id: string): ConnectorFactory | undefined {
      const fac = base.get(id);
      if (id !== 'embedded-log' || !fac?.createSource) return fac;
      const createSource = (ctx: TableContext): ScanSource => {
        const inner = fac.createSource!(ctx);
        return {
          bounded: inner.bounded, open: (p) => inner.open(p), position: () => inner.position(), close: () => inner.close(),
          async poll(max) { if (broken.on) throw new Error('broken source'); return inner.poll(max); },
        };
      };
      return Object.assign(Object.create(fac) as ConnectorFactory, { createSource });
    },
  });
}

test('HA job managers: a job failing for good stays failed everywhere until a start on any instance', { timeout: 120_000 }, async (t) => {
  if (unreachable) { t.skip(unreachable); return; }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-ha-fail-'));
  const schema = `freshet_haf_${process.pid}_${Date.now()}`;
  const dictStore = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const dictionary = new Dictionary(dictStore);
  const logDir = path.join(dir, 'log');
  const log = await EmbeddedLog.open(logDir);
  const broken = { on: true };
  const events: JobEvent[] = [];
  const off = onJobEvent((ev) => { if (ev.instance.startsWith('f-')) events.push(ev); });
  const mk = (id: string): { jobs: JobManager; store: PostgresJobStore } => {
    const store = new PostgresJobStore({ url, schema });
    const jobs = new JobManager({
      dictionary, logDir, root: path.join(dir, id), kvPath: path.join(dir, `kv-${id}`), baseDir: dir, store,
      checkpointRoot: path.join(dir, 'checkpoints'), leader: new LeaderElection({ url, instanceId: id }), pollMs: 100,
      restartPolicy: { initialMs: 30, maxMs: 100, multiplier: 2, limit: 2, windowMs: 60_000 }, connectors: breakable(broken),
    });
    return { jobs, store };
  };
  const m1 = mk('f-1'), m2 = mk('f-2');
  try {
    await dictionary.create({ name: 'orders', samples: [{ user_id: 'u0', amount: 1 }] });
    await ingestEvents(dictionary, log, (await dictionary.getForRuntime('orders'))!, [{ value: { user_id: 'u1', amount: 2 } }]);
    await Promise.all([m1.jobs.resume(), m2.jobs.resume()]);
    await m1.jobs.create({ name: 'spend', owner: 'ops', entityKey: ['user_id'], sources: ['orders'], sql: 'SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id' });
    const failed = await until('failed for good', () => events.find((e) => e.kind === 'failed'));
    assert.match(failed.error!, /broken source/);
    await until('desired stopped', async () => ((await m1.store.desired('spend')) === 'stopped' ? true : undefined));
    await new Promise((r) => setTimeout(r, 600)); // several polls: nobody takes it up again
    assert.equal(events.filter((e) => e.kind === 'failed').length, 1, events.map((e) => `${e.kind}@${e.instance}`).join(' '));
    assert.equal(events.filter((e) => e.kind === 'leader-acquired').length, 1, 'no other instance retried it');
    const onFailed = failed.instance === 'f-1' ? m1.jobs : m2.jobs;
    const other = failed.instance === 'f-1' ? m2.jobs : m1.jobs;
    assert.equal((await onFailed.status('spend')).state, 'failed');
    // Fixed, and started through the instance where it did not fail.
    broken.on = false;
    await other.start('spend');
    await until('running again', async () => ((await m1.jobs.status('spend')).state === 'running' || (await m2.jobs.status('spend')).state === 'running' ? true : undefined));
    assert.equal(await m1.store.desired('spend'), 'running');
  } finally {
    off();
    await m1.jobs.close();
    await m2.jobs.close();
    await m1.store.dropSchema().catch(() => undefined);
    await m1.store.close();
    await m2.store.close();
    await log.close();
    await dictStore.close();
    await rm(dir, { recursive: true, force: true });
  }
});
