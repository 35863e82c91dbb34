// The JobSpecStore contract on disk (JobStore) and in PostgreSQL (PostgresJobStore, a schema of its own per test),
// and the PostgreSQL leader election: one holder per job, a standby gets the lock when the holder's connection dies
// (its backend is terminated, as when the process is killed) and the holder is told at its next check (fencing); a
// holder that stops polling (a frozen process) loses its session after the idle timeout, so the standby takes over.
// The PostgreSQL parts need a server (`bash scripts/postgres.sh start`); they skip with the reason otherwise, and
// FRESHET_REQUIRE_POSTGRES=1 makes that a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PG_URL, pgSkipReason } from '../support/postgres.js';
import { JobStore } from '../../src/server/platform/job-store.js';
import { PostgresJobStore } from '../../src/server/platform/postgres-job-store.js';
import { LeaderElection } from '../../src/server/platform/leader-election.js';
import type { JobSpecStore } from '../../src/server/platform/job-spec-store.js';
import type { JobSpec } from '../../src/server/platform/job-spec.js';

const url = PG_URL;
const unreachable = (await pgSkipReason()) ?? false;

const spec = (name: string, version: number): JobSpec => ({
  name, version, owner: 'o', tags: [], entityKey: ['k'], sources: ['s'], sql: `SELECT ${version} AS k`, outputs: [], options: {},
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
} as unknown as JobSpec);

function contract(kind: string, open: () => Promise<{ s: JobSpecStore; done: () => Promise<void> }>, skip: () => string | false): void {
  test(`${kind} job store: versions immutable, latest wins, desired state, delete`, async (t) => {
    const why = skip();
    if (why) { t.skip(why); return; }
    const { s, done } = await open();
    try {
      assert.deepEqual(await s.names(), []);
      assert.equal(await s.get('b'), undefined);
      assert.equal(await s.desired('b'), 'stopped');
      await s.put(spec('b', 1));
      await s.put(spec('a', 1));
      await s.put(spec('b', 2));
      await assert.rejects(s.put(spec('b', 2)), /version 2 exists/);
      assert.deepEqual(await s.names(), ['a', 'b']);
      assert.deepEqual(await s.versions('b'), [1, 2]);
      assert.equal((await s.get('b'))!.sql, 'SELECT 2 AS k');
      assert.equal((await s.get('b', 1))!.sql, 'SELECT 1 AS k');
      assert.equal(await s.get('b', 3), undefined);
      assert.deepEqual((await s.history('b')).map((x) => x.version), [1, 2]);
      await s.setDesired('b', 'running');
      assert.equal(await s.desired('b'), 'running');
      await s.setDesired('b', 'stopped');
      assert.equal(await s.desired('b'), 'stopped');
      await s.delete('b');
      assert.deepEqual(await s.names(), ['a']);
      assert.deepEqual(await s.versions('b'), []);
      assert.equal(await s.desired('b'), 'stopped');
    } finally {
      await done();
    }
  });
}

contract('file', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-jobstore-'));
  return { s: new JobStore(dir), done: () => rm(dir, { recursive: true, force: true }) };
}, () => false);

let n = 0;
const pgStore = (): PostgresJobStore => new PostgresJobStore({ url, schema: `freshet_j_${process.pid}_${Date.now()}_${n++}` });
contract('postgres', async () => {
  const s = pgStore();
  return { s, done: async () => { await s.dropSchema(); await s.close(); } };
}, () => unreachable);

test('postgres job store: owners and ping', async (t) => {
  if (unreachable) { t.skip(unreachable); return; }
  const s = pgStore();
  try {
    await s.ping();
    assert.equal(await s.owner('j'), undefined);
    await s.setOwner('j', 'inst-1');
    assert.equal((await s.owner('j'))!.instance, 'inst-1');
    await s.setOwner('j', 'inst-2');
    assert.equal((await s.owner('j'))!.instance, 'inst-2');
    await s.setOwner('j', undefined);
    assert.equal(await s.owner('j'), undefined);
  } finally {
    await s.dropSchema();
    await s.close();
  }
});

test('leader election: one holder per job; a dead holder\'s lock passes to the standby; the holder learns it lost', async (t) => {
  if (unreachable) { t.skip(unreachable); return; }
  const job = `job-${process.pid}-${Date.now()}`;
  const a = new LeaderElection({ url, instanceId: 'a' });
  const b = new LeaderElection({ url, instanceId: 'b' });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const lost: [string[], string][] = [];
    a.onLost((names, reason) => lost.push([names, reason]));
    assert.equal(await a.tryAcquire(job), true);
    assert.equal(await a.tryAcquire(job), true, 'idempotent for the holder');
    assert.equal(await b.tryAcquire(job), false);
    assert.equal(await b.tryAcquire(`${job}-other`), true, 'locks are per job');
    assert.deepEqual(a.heldNames(), [job]);
    // A graceful release hands it over at once.
    await a.release(job);
    assert.equal(a.holds(job), false);
    assert.equal(await b.tryAcquire(job), true);
    await b.release(job);
    assert.equal(await a.tryAcquire(job), true);

    // The holder's session dies (as when its process is killed): the standby gets the lock.
    const pid = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'freshet-leader-a'`);
    assert.equal(pid.rows.length, 1);
    await admin.query('SELECT pg_terminate_backend($1)', [pid.rows[0]!.pid]);
    const t0 = Date.now();
    let got = false;
    while (!got && Date.now() - t0 < 5000) {
      got = await b.tryAcquire(job);
      if (!got) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(got, 'the standby acquired the lock of the dead holder');
    // Fencing: the old holder finds out (at the latest at its next check) and drops the job.
    await a.check();
    assert.equal(a.holds(job), false);
    assert.equal(lost.length, 1);
    assert.deepEqual(lost[0]![0], [job]);
    // It reconnects, but cannot take the lock back while b holds it.
    assert.equal(await a.check(), true);
    assert.equal(await a.tryAcquire(job), false);
    // Closing releases everything.
    await b.close();
    assert.equal(await a.tryAcquire(job), true);
  } finally {
    await a.close();
    await b.close();
    await admin.end();
  }
});

test('leader election: a holder that stops polling loses its lock after the session timeout', async (t) => {
  if (unreachable) { t.skip(unreachable); return; }
  const job = `frozen-${process.pid}-${Date.now()}`;
  const a = new LeaderElection({ url, instanceId: 'frozen-a', sessionTimeoutMs: 400 });
  const b = new LeaderElection({ url, instanceId: 'frozen-b' });
  try {
    const lost: string[][] = [];
    a.onLost((names) => lost.push(names));
    assert.equal(await a.tryAcquire(job), true);
    // Polling keeps the session: still held after more than the timeout.
    for (let i = 0; i < 4; i++) { await new Promise((r) => setTimeout(r, 150)); assert.equal(await a.check(), true); }
    assert.equal(await b.tryAcquire(job), false);
    // "Frozen": no round trip for longer than the timeout.
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(await b.tryAcquire(job), true, 'the standby got the lock of the stuck holder');
    assert.equal(a.holds(job), false, 'the stuck holder was told when its session ended');
    assert.deepEqual(lost, [[job]]);
  } finally {
    await a.close();
    await b.close();
  }
});
