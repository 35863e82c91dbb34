// The supervisor: the restart policy's arithmetic (backoff, cap, limit, window) and the job manager applying it to a
// real job whose source throws: restarts with growing delays and is marked failed with the last error after the
// limit; a job that fails once mid-run restarts from its last checkpoint and ends with exactly the oracle's counts;
// a run that cannot even be prepared (its connectors cannot be set up) is a failure the supervisor retries too.
// Lifecycle events (onJobEvent) are checked along the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { EmbeddedLog } from '../../src/connectors/embedded-log/embedded-log.js';
import type { ConnectorFactory, ScanSource, TableContext } from '../../src/engine/connector-api.js';
import type { ConnectorLookup } from '../../src/engine/job-runner.js';
import { JobManager, onJobEvent, type JobEvent } from '../../src/server/platform/job-manager.js';
import { RestartTracker, restartPolicyFromEnv, type RestartPolicy } from '../../src/server/platform/supervisor.js';
import { ingestEvents } from '../../src/server/ingest.js';
import { until as pollUntil } from '../support/until.js';

test('restart policy: exponential delays, capped, limit within the window, old failures forgotten', () => {
  const t = new RestartTracker({ initialMs: 100, maxMs: 500, multiplier: 2, limit: 4, windowMs: 10_000 });
  const d = [0, 1, 2, 3].map((i) => t.onFailure(1000 + i));
  assert.deepEqual(d, [
    { restart: true, delayMs: 100, attempt: 1 }, { restart: true, delayMs: 200, attempt: 2 },
    { restart: true, delayMs: 400, attempt: 3 }, { restart: true, delayMs: 500, attempt: 4 },
  ]);
  assert.deepEqual(t.onFailure(2000), { restart: false, failures: 5 });
  assert.equal(t.restarts, 4);
  // Outside the window the history is gone: the next failure is a first one again.
  assert.deepEqual(t.onFailure(20_000), { restart: true, delayMs: 100, attempt: 1 });
  t.reset();
  assert.equal(t.restarts, 0);
  const never = new RestartTracker({ initialMs: 1, maxMs: 1, multiplier: 2, limit: 0, windowMs: 1 });
  assert.deepEqual(never.onFailure(0), { restart: false, failures: 1 });
  assert.equal(restartPolicyFromEnv({ FRESHET_RESTART_LIMIT: '7', FRESHET_RESTART_INITIAL_MS: '5' }).limit, 7);
  assert.equal(restartPolicyFromEnv({ FRESHET_RESTART_INITIAL_MS: '5' }).initialMs, 5);
  assert.throws(() => restartPolicyFromEnv({ FRESHET_RESTART_LIMIT: 'x' }), /FRESHET_RESTART_LIMIT/);
});

/**
 * Controls the wrapped embedded-log sources: `failAlways` throws on every poll, `failOnce` on the next poll only;
 * `setupFailures` makes that many runs fail while their connectors are set up.
 */
interface Faults { failAlways: boolean; failOnce: boolean; polls: number; setupFailures?: number }

function faultyConnectors(f: Faults): (base: ConnectorLookup) => ConnectorLookup {
  return (base) => {
    if ((f.setupFailures ?? 0) > 0) { f.setupFailures!--; throw new Error('catalog unreachable'); }
    return faulty(base, f);
  };
}

function faulty(base: ConnectorLookup, f: Faults): ConnectorLookup {
  return ({
    get(id: string): ConnectorFactory | undefined {
      const fac = base.get(id);
      if (id !== 'embedded-log' || !fac?.createSource) return fac;
      const createSource = (ctx: TableContext): ScanSource => {
        const inner = fac.createSource!(ctx);
        return {
          bounded: inner.bounded,
          open: (p) => inner.open(p),
          async poll(max) {
            f.polls++;
            if (f.failAlways) throw new Error('boom: the source broke');
            if (f.failOnce) { f.failOnce = false; throw new Error('boom once'); }
            return inner.poll(max);
          },
          position: () => inner.position(),
          close: () => inner.close(),
          ...(inner.lastPartitions ? { lastPartitions: () => inner.lastPartitions!() } : {}),
        };
      };
      return Object.assign(Object.create(fac) as ConnectorFactory, { createSource });
    },
  });
}

interface Env { jobs: JobManager; dictionary: Dictionary; log: EmbeddedLog; faults: Faults; events: JobEvent[]; dir: string }

async function withManager(policy: RestartPolicy, fn: (e: Env) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-supervisor-'));
  const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const dictionary = new Dictionary(store);
  const logDir = path.join(dir, 'log');
  const log = await EmbeddedLog.open(logDir);
  const faults: Faults = { failAlways: false, failOnce: false, polls: 0 };
  const jobs = new JobManager({ dictionary, logDir, root: path.join(dir, 'platform'), kvPath: path.join(dir, 'kv'), baseDir: dir, restartPolicy: policy, connectors: faultyConnectors(faults), instanceId: 'test-1' });
  const events: JobEvent[] = [];
  const off = onJobEvent((ev) => { if (ev.instance === 'test-1') events.push(ev); });
  try {
    await dictionary.create({ name: 'orders', samples: [{ user_id: 'u0', amount: 1 }] });
    await fn({ jobs, dictionary, log, faults, events, dir });
  } finally {
    off();
    await jobs.close();
    await log.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function addOrders(e: Env, from: number, to: number): Promise<void> {
  const s = (await e.dictionary.getForRuntime('orders'))!;
  const msgs = [];
  for (let i = from; i < to; i++) msgs.push({ value: { user_id: `u${i % 7}`, amount: i } });
  const r = await ingestEvents(e.dictionary, e.log, s, msgs);
  assert.equal(r.appended, to - from);
}

const until = <T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> => pollUntil(what, fn, ms, 25);

const JOB = {
  name: 'spend', owner: 'ops', entityKey: ['user_id'], sources: ['orders'],
  sql: 'SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY user_id',
  options: { 'execution.checkpointing.interval': '50 ms' },
};

test('a job whose source keeps failing restarts with backoff and is marked failed after the limit', { timeout: 60_000 }, async () => {
  await withManager({ initialMs: 40, maxMs: 1000, multiplier: 2, limit: 3, windowMs: 60_000 }, async (e) => {
    await addOrders(e, 0, 10);
    e.faults.failAlways = true;
    await e.jobs.create(JOB);
    const failed = await until('failed event', () => e.events.find((ev) => ev.kind === 'failed'));
    const restarting = e.events.filter((ev) => ev.kind === 'restarting');
    assert.deepEqual(restarting.map((ev) => ev.attempt), [1, 2, 3]);
    assert.deepEqual(restarting.map((ev) => ev.nextAttemptAt! - ev.at), [40, 80, 160], 'exponential backoff');
    assert.deepEqual(restarting.map((ev) => ev.restarts), [1, 2, 3]);
    assert.match(restarting[0]!.error!, /boom: the source broke/);
    assert.match(failed.error!, /boom: the source broke/);
    assert.equal(failed.restarts, 3);
    // Each restart really ran again (one run per attempt, plus the first).
    for (let i = 1; i < restarting.length; i++) {
      assert.ok(restarting[i]!.at - restarting[i - 1]!.at >= restarting[i - 1]!.nextAttemptAt! - restarting[i - 1]!.at - 5, 'the delay was waited');
    }
    const st = await e.jobs.status('spend');
    assert.equal(st.state, 'failed');
    assert.equal(st.restarts, 3);
    assert.match(st.errors[0]!.message, /boom: the source broke/);
    assert.equal(st.nextAttemptAt, undefined);
    const pollsAfterFail = e.faults.polls;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(e.faults.polls, pollsAfterFail, 'no restart after the limit');

    // A user start clears the history and runs again (now healthy).
    e.faults.failAlways = false;
    const st2 = await e.jobs.start('spend');
    assert.equal(st2.restarts, 0);
    await until('running', async () => ((await e.jobs.status('spend')).state === 'running' ? true : undefined));
    await until('results', async () => ((await e.jobs.results('spend', 100)).rows.length === 7 ? true : undefined));
  });
});

test('a job that fails once mid-run restarts from its last checkpoint and counts every event exactly once', { timeout: 60_000 }, async () => {
  await withManager({ initialMs: 100, maxMs: 1000, multiplier: 2, limit: 3, windowMs: 60_000 }, async (e) => {
    await addOrders(e, 0, 200);
    await e.jobs.create(JOB);
    await until('first checkpoint', async () => ((await e.jobs.status('spend')).checkpoints > 0 ? true : undefined));
    await addOrders(e, 200, 400);
    await until('rows 0..400 counted', async () => {
      const r = await e.jobs.results('spend', 100);
      return r.rows.reduce((a, row) => a + Number(row[1]), 0) === 400 ? true : undefined;
    });
    // Let a checkpoint cover part of the input, then break the source once and keep producing.
    await new Promise((r) => setTimeout(r, 120));
    e.faults.failOnce = true;
    await addOrders(e, 400, 700);
    const restarting = await until('restarting event', () => e.events.find((ev) => ev.kind === 'restarting'));
    assert.match(restarting.error!, /boom once/);
    assert.equal(restarting.attempt, 1);
    const mid = await e.jobs.status('spend');
    assert.ok(mid.state === 'restarting' || mid.state === 'starting' || mid.state === 'running', mid.state);
    await addOrders(e, 700, 1000);
    const expected = new Map<string, { n: number; total: number }>();
    for (let i = 0; i < 1000; i++) {
      const x = expected.get(`u${i % 7}`) ?? { n: 0, total: 0 };
      x.n++; x.total += i;
      expected.set(`u${i % 7}`, x);
    }
    await until('all 1000 events counted', async () => {
      const r = await e.jobs.results('spend', 100);
      return r.rows.reduce((a, row) => a + Number(row[1]), 0) === 1000 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 200)); // a double count would show up now
    const r = await e.jobs.results('spend', 100);
    const got = new Map(r.rows.map((row) => [String(row[0]), { n: Number(row[1]), total: Number(row[2]) }]));
    assert.deepEqual(got, expected);
    const st = await e.jobs.status('spend');
    assert.equal(st.state, 'running');
    assert.equal(st.restarts, 1);
    assert.match(st.restoredFrom ?? '', /^chk-\d+\.bin$/, 'the restart restored a checkpoint');
    const kinds = e.events.map((ev) => ev.kind);
    assert.deepEqual(kinds.filter((k) => k === 'started').length, 2, kinds.join(','));
    assert.ok(kinds.indexOf('restarting') < kinds.lastIndexOf('started'));
    await e.jobs.stop('spend');
    assert.equal(e.events[e.events.length - 1]!.kind, 'stopped');
    assert.equal(e.events[e.events.length - 1]!.reason, 'stopped');
  });
});

test('a run that cannot be prepared is retried by the supervisor', { timeout: 60_000 }, async () => {
  await withManager({ initialMs: 30, maxMs: 1000, multiplier: 2, limit: 5, windowMs: 60_000 }, async (e) => {
    await addOrders(e, 0, 20);
    e.faults.setupFailures = 2;
    await e.jobs.create(JOB);
    await until('running', async () => ((await e.jobs.status('spend')).state === 'running' ? true : undefined));
    const restarting = e.events.filter((ev) => ev.kind === 'restarting');
    assert.deepEqual(restarting.map((ev) => ev.attempt), [1, 2]);
    assert.match(restarting[0]!.error!, /catalog unreachable/);
    assert.equal((await e.jobs.status('spend')).restarts, 2);
    await until('results', async () => ((await e.jobs.results('spend', 100)).rows.length === 7 ? true : undefined));
  });
});
