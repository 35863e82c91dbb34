// Each built-in alert rule fires in a test that provokes it on a real platform with real engine jobs, and resolves
// when the cause goes away; a webhook receiver (a local HTTP server) gets exactly one firing and one resolved
// notification per alert. Thresholds are lowered through the API (PUT on the built-in rule) to keep tests short.
// The Kafka lag rule is in kafka-lag.test.ts (it needs a broker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { addOrders, api, SPEND, withPlatform } from './platform-rig.js';
import { startReceiver, until, type Receiver } from './webhook-receiver.js';

interface Alert { ruleId: string; state: string; labels: Record<string, string>; summary: string }
interface Note { status: string; alert: { rule: string; labels: Record<string, string>; summary: string } }

async function tune(app: FastifyInstance, id: string, change: Record<string, unknown>): Promise<void> {
  const r = await api(app, 'PUT', `/api/alerts/rules/${id}`, change, 'tok-editor');
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

const firing = async (app: FastifyInstance, rule: string): Promise<Alert | undefined> =>
  (await api<{ alerts: Alert[] }>(app, 'GET', '/api/alerts')).body.alerts.find((a) => a.ruleId === rule && a.state === 'firing');

const notes = (rx: Receiver, rule: string): Note[] => rx.received.map((x) => x.body as unknown as Note).filter((n) => n.alert.rule === rule);

async function hook(app: FastifyInstance, rx: Receiver): Promise<void> {
  assert.equal((await api(app, 'POST', '/api/alerts/webhooks', { id: 'test', url: rx.url }, 'tok-editor')).status, 201);
}

/**
 * Deploys `spec` stopped, puts a file where its checkpoint directory goes (so every checkpoint fails), and starts
 * it; returns the file's path (remove it to make checkpoints work again).
 */
async function startBlocked(app: FastifyInstance, dir: string, spec: typeof SPEND): Promise<string> {
  assert.equal((await api(app, 'POST', '/api/jobs?start=false', spec)).status, 201);
  const ck = path.join(dir, 'platform', 'checkpoints', spec.name);
  await mkdir(path.dirname(ck), { recursive: true });
  await writeFile(ck, 'not a directory');
  assert.equal((await api(app, 'POST', `/api/jobs/${spec.name}/start`, {}, 'tok-editor')).status, 200);
  return ck;
}

/** Waits for the rule's firing and resolved notifications; checks there was exactly one of each. */
async function firedAndResolved(app: FastifyInstance, rx: Receiver, rule: string, resolve: () => Promise<void>): Promise<Note> {
  await until(`${rule} firing notification`, () => (notes(rx, rule).some((n) => n.status === 'firing') ? true : undefined));
  await resolve();
  await until(`${rule} resolved notification`, () => (notes(rx, rule).some((n) => n.status === 'resolved') ? true : undefined));
  await new Promise((r) => setTimeout(r, 600)); // a few more evaluations: no duplicates
  const ns = notes(rx, rule);
  assert.deepEqual(ns.map((n) => n.status), ['firing', 'resolved'], `${rule}: one firing, one resolved`);
  const hist = (await api<{ events: { kind: string; ruleId: string }[] }>(app, 'GET', `/api/alerts/history?rule=${rule}`)).body.events;
  assert.deepEqual(hist.map((e) => e.kind), ['resolved', 'firing']);
  return ns[0]!;
}

test('no input: a job whose source delivers nothing fires; new events resolve it', async () => {
  await withPlatform(async ({ app }) => {
    const rx = await startReceiver();
    try {
      await hook(app, rx);
      await tune(app, 'no-input', { threshold: 1.5 });
      assert.equal((await api(app, 'POST', '/api/jobs', SPEND)).status, 201);
      const n = await firedAndResolved(app, rx, 'no-input', () => addOrders(app, [1, 2]));
      assert.deepEqual(n.alert.labels, { job: 'spend', source: 'orders' });
      assert.match(n.alert.summary, /^source orders of job spend delivered nothing for \d/);
    } finally { await rx.close(); }
  });
});

test('dead letters rising: malformed records in the source fire; a quiet window resolves', async () => {
  await withPlatform(async ({ app, server }) => {
    const rx = await startReceiver();
    try {
      await hook(app, rx);
      await tune(app, 'dead-letters-rising', { windowSec: 2 });
      await addOrders(app, [1]);
      assert.equal((await api(app, 'POST', '/api/jobs', SPEND)).status, 201);
      await until('job running', async () => ((await api<{ status: { state: string; rowsIn: number } }>(app, 'GET', '/api/jobs/spend')).body.status?.rowsIn === 1 ? true : undefined));
      const log = await server.openLog();
      // JSON (the log accepts only JSON) that does not decode as an order: counted, dead-lettered, skipped.
      await log.append('orders', ['{"order_id": 7, "user_id": "u1", "amount": 1.5, "ts": "2025-01-01T12:00:07Z"}', '[1, 2, 3]', '{"order_id": "x", "amount": "lots", "ts": "never"}']);
      const n = await firedAndResolved(app, rx, 'dead-letters-rising', async () => undefined);
      assert.deepEqual(n.alert.labels, { job: 'spend' });
      const count = Number(/dead-lettered (\d+) records in 2 s$/.exec(n.alert.summary)?.[1]);
      assert.ok(count >= 2, n.alert.summary);
      // Dead letters: the decoder's reports (malformed, one per bad field) and rows that failed evaluation.
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const malformed = Number(/freshet_malformed_records_total\{job="spend",source="orders"\} (\d+)\n/.exec(text)?.[1]);
      assert.ok(malformed >= 2 && malformed <= count, `${malformed} malformed of ${count}`);
      assert.match(text, new RegExp(`freshet_dead_letters_total\\{job="spend"\\} ${count}\n`));
      const st = (await api<{ status: { rowsIn: number; state: string } }>(app, 'GET', '/api/jobs/spend')).body.status;
      assert.equal(st.state, 'running');
    } finally { await rx.close(); }
  });
});

test('latency p99: store writes slower than the threshold fire; a user rule on event-time latency fires too', async () => {
  await withPlatform(async ({ app }) => {
    const rx = await startReceiver();
    try {
      await hook(app, rx);
      // Any acknowledged write takes more than a microsecond from its batch's arrival.
      await tune(app, 'latency-p99', { threshold: 0.000001, forSec: 0.4 });
      const user = { id: 'stale-events', name: 'Events older than a day when stored', metric: 'freshet_event_to_store_p99_seconds', op: '>', threshold: 86_400, severity: 'info', summary: '{{output}} stores events {{value}} s old' };
      assert.equal((await api(app, 'POST', '/api/alerts/rules', user, 'tok-editor')).status, 201);
      await addOrders(app, [1, 2, 3]);
      assert.equal((await api(app, 'POST', '/api/jobs', SPEND)).status, 201);
      const a = await until('latency alert', () => firing(app, 'latency-p99'));
      assert.deepEqual(a.labels, { job: 'spend', output: 'user_spend' });
      const u = await until('user rule alert', () => firing(app, 'stale-events'));
      assert.match(u.summary, /^user_spend stores events \d+/);
      // Raising the threshold above any real latency resolves both.
      await tune(app, 'latency-p99', { threshold: 60 });
      await api(app, 'PUT', '/api/alerts/rules/stale-events', { ...user, threshold: 1e12 }, 'tok-editor');
      await until('resolved', async () => ((await api<{ alerts: Alert[] }>(app, 'GET', '/api/alerts')).body.alerts.length === 0 ? true : undefined));
      await until('notifications', () => (rx.received.length === 4 ? true : undefined));
      assert.deepEqual(notes(rx, 'latency-p99').map((n) => n.status), ['firing', 'resolved']);
      assert.deepEqual(notes(rx, 'stale-events').map((n) => n.status), ['firing', 'resolved']);
    } finally { await rx.close(); }
  });
});

test('checkpoint failing: a job whose checkpoints cannot be written (tolerated failures) fires; writable again resolves', async () => {
  await withPlatform(async ({ app, dir }) => {
    const rx = await startReceiver();
    try {
      await hook(app, rx);
      await tune(app, 'checkpoint-failing', { windowSec: 2 });
      await addOrders(app, [1, 2]);
      const spec = { ...SPEND, options: { ...SPEND.options, 'execution.checkpointing.tolerable-failed-checkpoints': '1000000' } };
      const ck = await startBlocked(app, dir, spec);
      const n = await firedAndResolved(app, rx, 'checkpoint-failing', async () => {
        await rm(ck, { force: true });
      });
      assert.deepEqual(n.alert.labels, { job: 'spend' });
      const st = (await api<{ status: { state: string } }>(app, 'GET', '/api/jobs/spend')).body.status;
      assert.equal(st.state, 'running', 'tolerated failures do not fail the job');
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(text, /freshet_checkpoint_failures_total\{job="spend"\} [1-9]/);
    } finally { await rx.close(); }
  });
});

test('job failed and job restarting: a failing job is restarted by the supervisor, then failed; a fixed job resolves', async () => {
  await withPlatform(async ({ app, dir }) => {
    const rx = await startReceiver();
    try {
      await hook(app, rx);
      await tune(app, 'job-restarting', { windowSec: 3 });
      // The first checkpoint fails (not tolerated), so every run fails.
      await addOrders(app, [1, 2]);
      const ck = await startBlocked(app, dir, SPEND);
      const restarting = await until('job-restarting alert', () => firing(app, 'job-restarting'), 30_000);
      assert.deepEqual(restarting.labels, { job: 'spend' });
      const failed = await until('job-failed alert', () => firing(app, 'job-failed'), 30_000);
      assert.deepEqual(failed.labels, { job: 'spend' });
      assert.equal((await api<{ status: { state: string } }>(app, 'GET', '/api/jobs/spend')).body.status.state, 'failed');
      // Fixed: the directory is writable; a user restart runs the job and both alerts resolve.
      await rm(ck, { force: true });
      assert.equal((await api(app, 'POST', '/api/jobs/spend/restart', {}, 'tok-editor')).status, 200);
      await until('both resolved', async () => (!(await firing(app, 'job-failed')) && !(await firing(app, 'job-restarting')) ? true : undefined), 30_000);
      await until('notifications', () => (notes(rx, 'job-failed').length === 2 && notes(rx, 'job-restarting').length === 2 ? true : undefined));
      await new Promise((r) => setTimeout(r, 600));
      assert.deepEqual(notes(rx, 'job-failed').map((n) => n.status), ['firing', 'resolved']);
      assert.deepEqual(notes(rx, 'job-restarting').map((n) => n.status), ['firing', 'resolved']);
      // The job's lifecycle events are counted: two restarts, then failed; the user restart started it again.
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(text, /freshet_job_events_total\{job="spend",kind="restarting"\} 2\n/);
      assert.match(text, /freshet_job_events_total\{job="spend",kind="failed"\} 1\n/);
      assert.match(text, /freshet_job_restarts_total\{job="spend"\} \d+\n/);
    } finally { await rx.close(); }
  }, { restartPolicy: { initialMs: 100, maxMs: 200, multiplier: 2, limit: 2, windowMs: 60_000 } });
});

test('check mismatch: an offline check above its feature threshold fires; back under it resolves', async () => {
  await withPlatform(async ({ app, server }) => {
    const rx = await startReceiver();
    try {
      await hook(app, rx);
      let rate = 0.08;
      // Shaped as src/batch/check.ts checkMetrics gives them (one table over its threshold, one under).
      server.monitoring.addCheckProvider(() => [
        { name: 'freshet_feature_check_mismatch_rate', value: rate, labels: { table: 'user_spend' } },
        { name: 'freshet_feature_check_threshold', value: 0.05, labels: { table: 'user_spend' } },
        { name: 'freshet_feature_check_mismatch_rate', value: 0.01, labels: { table: 'clicks' } },
        { name: 'freshet_feature_check_threshold', value: 0.05, labels: { table: 'clicks' } },
      ]);
      const n = await firedAndResolved(app, rx, 'check-mismatch', async () => { rate = 0.01; });
      assert.deepEqual(n.alert.labels, { check: 'mismatch_rate', table: 'user_spend' });
      assert.equal(n.alert.summary, 'feature table user_spend: mismatch rate 0.08000 above its threshold 0.05000');
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(text, /freshet_check_value\{check="mismatch_rate",table="clicks"\} 0.01/);
    } finally { await rx.close(); }
  });
});
