/**
 * Failover between two platform instances (`freshet start` child processes) sharing a PostgreSQL catalog (a fresh
 * database per run) and a checkpoint directory: a job `kafka topic -> GROUP BY user (COUNT, SUM) -> Redis` runs on
 * the instance holding its leader lock while events stream in; the leader is killed with SIGKILL mid-run, the standby
 * takes the lock within seconds and continues from the last checkpoint. A poller reads a sample of keys from Redis
 * throughout: no count and no version may ever decrease. At the end Redis equals a direct computation and DuckDB over
 * the produced events (exactly-once). Then the survivor is stopped with SIGTERM (exit 0, final checkpoint) and a
 * restarted first instance takes over from that checkpoint, and more events are still counted exactly once.
 * The takeover after the kill counts as an automatic restart of the job (`restarts` in its status, a `restarting`
 * job event), so the built-in "job restarting" alert fires on the new leader and resolves; a webhook receiver in the
 * test gets both notifications (checked when the instances serve the alerting API).
 *
 * Needs Kafka, Redis and PostgreSQL (skips with the reason otherwise; FRESHET_REQUIRE_KAFKA / _REDIS / _POSTGRES=1
 * make a missing one a failure). HA_EVENTS sets the number of events (default 120 000), HA_RATE events per second
 * (default 15 000).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freshDatabase, pgSkipReason } from '../../support/postgres.js';
import { mulberry32 } from '../../support/random-events.js';
import { assertDuckDbAgrees, pollMonotonic, type MonotonicPoller } from '../../support/spend-checks.js';
import { loadKafkaClient } from '../../../src/connectors/kafka/kafka-client.js';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason } from '../kafka/kafka-helpers.js';
import { REDIS_HOST, REDIS_PORT, redisSkipReason, testRedisStore } from '../../stores/store-helpers.js';
import { api, killInstance, startInstance, startReceiver, until, type Instance, type Receiver } from './platform-process.js';

const EVENTS = Number(process.env['HA_EVENTS'] ?? '120000');
const RATE = Number(process.env['HA_RATE'] ?? '15000');
const USERS = 500;
const SAMPLE = 40;

let skip: string | undefined;
before(async () => {
  const k = await kafkaSkipReason();
  const r = await redisSkipReason();
  const p = await pgSkipReason();
  skip = k ?? (r === false ? undefined : r) ?? p;
});

/** A long-lived producer sending `events[from..to)` at about `rate` per second (keyed by user: per-user order). */
async function produceRange(events: readonly { key: string; value: string }[], topic: string, from: number, to: number, rate: number, progress: { sent: number }): Promise<void> {
  const k = await loadKafkaClient();
  const p = new k.Producer({ 'bootstrap.servers': BOOTSTRAP, dr_cb: true, partitioner: 'murmur2_random', 'linger.ms': 5 }, {});
  let failed: Error | undefined;
  p.on('delivery-report', ((err: { message: string } | null) => { if (err) failed ??= new Error(err.message); }) as never);
  await new Promise<void>((resolve, reject) => p.connect({ timeout: 15_000 }, (err) => (err ? reject(new Error(err.message)) : resolve())));
  p.setPollInterval(20);
  const chunk = Math.max(1, Math.round(rate / 20));
  const t0 = Date.now();
  for (let i = from; i < to; i++) {
    const m = events[i]!;
    for (;;) {
      try { p.produce(topic, null, Buffer.from(m.value), Buffer.from(m.key), null); break; } catch (e) {
        if ((e as { code?: number }).code !== -184) throw e;
        await new Promise<void>((r) => p.flush(200, () => r()));
      }
    }
    progress.sent = i + 1;
    if ((i - from + 1) % chunk === 0) {
      const due = t0 + ((i - from + 1) / rate) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
  }
  await new Promise<void>((resolve, reject) => p.flush(30_000, (err) => (err ? reject(new Error(err.message)) : resolve())));
  await new Promise<void>((resolve) => p.disconnect(() => resolve()));
  if (failed) throw failed;
}

const checkpointIds = (dir: string): number[] => {
  try { return readdirSync(dir).map((f) => /^chk-(\d+)\.bin$/.exec(f)).filter((m) => m !== null).map((m) => Number(m![1])); } catch { return []; }
};

test('HA: the leader is SIGKILLed mid-run, the standby takes over within seconds, Redis equals the oracle', { timeout: 600_000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  const seed = Number(process.env['HA_SEED'] ?? String(Date.now() % 1_000_000));
  const random = mulberry32(seed);
  const tStart = Date.now();

  // The input and its expected result.
  const topic = freshTopic('ha-in');
  await createTopic(topic, 3);
  const expected = new Map<string, { cnt: number; total: number }>();
  const events = new Array<{ key: string; value: string }>(EVENTS);
  const expectedAt = (n: number): Map<string, { cnt: number; total: number }> => {
    const m = new Map<string, { cnt: number; total: number }>();
    for (let i = 0; i < n; i++) {
      const e = JSON.parse(events[i]!.value) as { user_id: string; amount: number };
      const x = m.get(e.user_id) ?? { cnt: 0, total: 0 };
      x.cnt++; x.total += e.amount;
      m.set(e.user_id, x);
    }
    return m;
  };
  for (let i = 0; i < EVENTS; i++) {
    const user = `u${Math.floor(random() * USERS)}`;
    const amount = Math.floor(random() * 1000) - 100;
    events[i] = { key: user, value: `{"user_id":"${user}","amount":${amount}}` };
  }
  for (const [u, x] of expectedAt(EVENTS)) expected.set(u, x);

  // The DuckDB oracle over all events must agree with the direct computation.
  const work = mkdtempSync(join(tmpdir(), 'freshet-ha-'));
  writeFileSync(join(work, 'events.json'), events.map((e) => e.value).join('\n') + '\n');
  await assertDuckDbAgrees(join(work, 'events.json'), expected);

  // A database of its own: the shared catalog.
  const { url: catalogUrl, drop: dropCatalog } = await freshDatabase('freshet_ha');
  const shared = join(work, 'checkpoints');
  const table = `ha_${topic.slice('freshet-test-'.length).replace(/[^A-Za-z0-9_]/g, '_')}`;
  const env = { FRESHET_CATALOG_URL: catalogUrl, FRESHET_CHECKPOINT_DIR: shared, FRESHET_RESTART_INITIAL_MS: '200' };
  const store = testRedisStore();
  await store.open();
  const owners = new pg.Client({ connectionString: catalogUrl });
  await owners.connect();
  const ownerOf = async (): Promise<string | undefined> => {
    const r = await owners.query<{ instance: string }>(`SELECT instance FROM freshet_job_owners WHERE name = 'spend'`).catch(() => ({ rows: [] as { instance: string }[] }));
    return r.rows[0]?.instance;
  };
  let a: Instance | undefined, b: Instance | undefined, a2: Instance | undefined;
  let rx: Receiver | undefined;
  let poller: MonotonicPoller | undefined;
  try {
    a = await startInstance('a', join(work, 'a'), ['--instance-id', 'a'], env);
    b = await startInstance('b', join(work, 'b'), ['--instance-id', 'b'], env);
    const byName: Record<string, Instance> = { a, b };
    for (const i of [a, b]) await until(`${i.name} ready`, async () => ((await api(i, 'GET', '/readyz')).status === 200 ? true : undefined));

    // The source and the job, registered through one instance, visible to both.
    const src = await api(a, 'POST', '/api/sources', { name: 'ev', kind: 'kafka', connection: { bootstrapServers: BOOTSTRAP, topic }, samples: [events[0]!.value, events[1]!.value] });
    assert.equal(src.status, 201, JSON.stringify(src.body));
    const job = {
      name: 'spend', owner: 'ops', entityKey: ['user_id'], sources: ['ev'],
      sql: 'SELECT user_id, COUNT(*) AS cnt, SUM(amount) AS total FROM ev GROUP BY user_id',
      outputs: [{ table, kind: 'store', store: 'redis', options: { host: REDIS_HOST, port: String(REDIS_PORT) } }],
      options: { 'execution.checkpointing.interval': '200 ms' },
    };
    // Alerting: a webhook receiver on both instances, the "job restarting" window shortened to keep the test short.
    rx = await startReceiver();
    let alerting = true;
    for (const i of [a, b]) {
      const h = await api(i, 'POST', '/api/alerts/webhooks', { id: 'ha-test', url: rx.url });
      if (h.status === 404) { alerting = false; break; }
      assert.equal(h.status, 201, JSON.stringify(h.body));
      const r = await api(i, 'PUT', '/api/alerts/rules/job-restarting', { windowSec: 4 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const c = await api(a, 'POST', '/api/jobs', job);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal((await api(b, 'GET', '/api/jobs/spend')).status, 200, 'the standby sees the job in the shared catalog');

    // Events stream in while the poller watches a sample of keys.
    const progress = { sent: 0 };
    const producing = produceRange(events, topic, 0, EVENTS, RATE, progress);
    const sample = Array.from({ length: SAMPLE }, (_, i) => `u${Math.floor((i * USERS) / SAMPLE)}`);
    poller = pollMonotonic(table, sample);
    const { seen } = poller;

    // Who leads, and kill it mid-run: after its checkpoints cover part of the input and Redis holds values.
    const leaderName = await until('a leader', ownerOf, 20_000);
    const leader = byName[leaderName]!;
    const standby = leader === a ? b : a;
    const ckDir = join(shared, 'spend');
    const killAtSent = Math.floor(EVENTS * (0.3 + random() * 0.2));
    await until('mid-run', async () => (progress.sent >= killAtSent && checkpointIds(ckDir).length > 0 && seen.size > 0 ? true : undefined), 120_000, 20);
    const before = await api(leader, 'GET', '/api/jobs/spend');
    assert.equal(before.body.status.state, 'running');
    assert.equal(before.body.status.runningOn, leaderName);
    const onStandby = await api(standby, 'GET', '/api/jobs/spend');
    assert.equal(onStandby.body.status.state, 'stopped', 'the standby does not run it');
    assert.equal(onStandby.body.status.runningOn, leaderName, 'the standby shows where it runs');
    const tKill = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;

    // The standby takes the lock and runs the job, restored from the shared checkpoints.
    await until('the standby owns the job', async () => ((await ownerOf()) === standby.name ? true : undefined), 30_000, 20);
    const st = await until('the standby runs the job', async () => {
      const r = await api(standby, 'GET', '/api/jobs/spend');
      return r.body.status?.state === 'running' ? r.body.status : undefined;
    }, 30_000, 20);
    const takeoverMs = Date.now() - tKill;
    assert.match(st.restoredFrom ?? '', /^chk-\d+\.bin$/, 'the standby restored the last checkpoint');
    assert.equal(st.runningOn, standby.name);
    assert.equal(st.restarts, 1, 'the takeover counts as an automatic restart');
    assert.ok(takeoverMs < 10_000, `takeover took ${takeoverMs} ms`);

    // The rest of the stream, then the store must equal the oracle.
    await producing;
    const users = [...expected.keys()].sort();
    const mismatch = async (): Promise<string | undefined> => {
      const got = await store.multiGet(table, users);
      for (let i = 0; i < users.length; i++) {
        const v = got[i];
        const e = expected.get(users[i]!)!;
        if (!v) return `${users[i]} missing`;
        const row = JSON.parse(v.value) as { cnt: number; total: number };
        if (row.cnt !== e.cnt || row.total !== e.total) return `${users[i]}: ${row.cnt}/${row.total}, expected ${e.cnt}/${e.total}`;
      }
      return undefined;
    };
    await until('Redis equals the oracle', async () => ((await mismatch()) === undefined ? true : undefined), 180_000, 200).catch(async (e: unknown) => {
      throw new Error(`${String(e)}: ${await mismatch()}; standby status ${JSON.stringify((await api(standby, 'GET', '/api/jobs/spend')).body.status)}`);
    });
    await new Promise((r) => setTimeout(r, 500)); // a replayed batch counted twice would show up now
    assert.equal(await mismatch(), undefined);
    const got = await store.multiGet(table, users);
    for (let i = 0; i < users.length; i++) assert.deepEqual(JSON.parse(got[i]!.value), { user_id: users[i], ...expected.get(users[i]!)! });
    t.diagnostic(`events=${EVENTS} rate=${RATE}/s users=${USERS} seed=${seed}; leader ${leaderName} killed after ${killAtSent} events sent; takeover ${takeoverMs} ms (restored ${st.restoredFrom})`);

    // The "job restarting" alert fired on the new leader after the takeover and resolved once the window passed.
    if (alerting) {
      interface Note { status: string; alert: { rule: string; labels: Record<string, string> } }
      const notes = (): Note[] => rx!.received.map((x) => x.body as unknown as Note).filter((n) => n.alert?.rule === 'job-restarting');
      await until('job-restarting fired and resolved', () => (notes().some((n) => n.status === 'resolved') ? true : undefined), 60_000, 100);
      const ns = notes();
      assert.deepEqual(ns.map((n) => n.status), ['firing', 'resolved'], 'one firing, one resolved notification');
      assert.deepEqual(ns[0]!.alert.labels, { job: 'spend' });
      t.diagnostic(`alert job-restarting: fired and resolved through the webhook receiver (${ns.length} notifications)`);
    } else {
      // TODO(lead): the instances do not serve /api/alerts/webhooks yet; once src/server/monitoring is wired into
      // `freshet start`, this branch is dead and the alert is checked above.
      t.diagnostic('alerting API not available in `freshet start`: the alert part was not checked');
    }

    // Graceful stop of the survivor (final checkpoint, leadership released), a restarted instance takes over and
    // continues exactly-once with more events.
    const idsBefore = Math.max(...checkpointIds(ckDir));
    standby.child.kill('SIGTERM');
    const ex = await standby.exited;
    assert.equal(ex.code, 0, `graceful exit: ${standby.stderr()}`);
    assert.ok(Math.max(...checkpointIds(ckDir)) > idsBefore, 'the shutdown wrote a final checkpoint');
    const lastCk = `chk-${Math.max(...checkpointIds(ckDir))}.bin`;
    a2 = await startInstance('a2', join(work, 'a2'), ['--instance-id', 'a2'], env);
    const st2 = await until('a2 runs the job', async () => {
      const r = await api(a2!, 'GET', '/api/jobs/spend');
      return r.body.status?.state === 'running' ? r.body.status : undefined;
    }, 30_000);
    assert.equal(st2.restoredFrom, lastCk, 'restored from the shutdown checkpoint');
    assert.equal(st2.restarts, 0, 'a graceful handover is not a restart');
    const extra = 2000;
    const more: { key: string; value: string }[] = [];
    for (let i = 0; i < extra; i++) {
      const user = users[i % users.length]!;
      more.push({ key: user, value: `{"user_id":"${user}","amount":1}` });
      const e = expected.get(user)!;
      e.cnt++; e.total += 1;
    }
    await produceRange(more, topic, 0, extra, 50_000, { sent: 0 });
    await until('Redis equals the oracle after the restart', async () => ((await mismatch()) === undefined ? true : undefined), 60_000, 200).catch(async (e: unknown) => {
      throw new Error(`${String(e)}: ${await mismatch()}`);
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await mismatch(), undefined);

    await poller.stop();
    assert.deepEqual(poller.violations, [], 'a polled value or version decreased');
    t.diagnostic(`poller: ${poller.polls()} polls of ${SAMPLE} keys, no decrease; total ${Date.now() - tStart} ms`);

  } finally {
    await poller?.stop().catch(() => undefined);
    await killInstance(a);
    await killInstance(b);
    await killInstance(a2);
    await store.close();
    await rx?.close();
    await owners.end().catch(() => undefined);
    await dropCatalog();
    rmSync(work, { recursive: true, force: true });
  }
});
