// The alert engine over the time-series store, without a platform: pending → firing after `forSec`, one firing and
// one resolved notification per webhook however often the rule is evaluated, repeat intervals, retries with the same
// dedup key, the Slack-compatible payload, user rules over any metric, state and history surviving a restart, and
// webhook URLs never returned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AlertEngine } from '../../../src/server/monitoring/alert-engine.js';
import { AlertStore } from '../../../src/server/monitoring/alert-store.js';
import { TimeSeriesStore, increase, toRate } from '../../../src/server/monitoring/time-series-store.js';
import { LatencyWindow } from '../../../src/server/monitoring/latency-window.js';
import { normalizeRule, renderSummary } from '../../../src/server/monitoring/alert-rules.js';
import type { Sample } from '../../../src/server/monitoring/samples.js';
import { startReceiver } from './webhook-receiver.js';

const FAST = { attempts: 4, initialMs: 20, maxMs: 100, timeoutMs: 2000 };

interface Rig { engine: AlertEngine; store: AlertStore; series: TimeSeriesStore; clock: { t: number }; push(samples: Sample[]): Promise<void>; dir: string }

async function rig(dir: string, series = new TimeSeriesStore(100), clock = { t: 1_000_000 }): Promise<Rig> {
  const store = new AlertStore(dir);
  const engine = new AlertEngine({ store, series, intervalMs: 1000, instance: 'test', retry: FAST, now: () => clock.t });
  return {
    engine, store, series, clock, dir,
    async push(samples) { clock.t += 1000; series.append(clock.t, samples); await engine.evaluate(); },
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-alerts-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

const lag = (job: string, v: number): Sample => ({ name: 'freshet_source_lag', labels: { job, source: 'orders' }, value: v });

test('a rule goes pending, fires after its duration, notifies once per firing and resolves once', async () => {
  await withDir(async (dir) => {
    const rx = await startReceiver();
    const r = await rig(dir);
    try {
      await r.engine.putWebhook({ id: 'ops', url: rx.url, kind: 'json' });
      await r.engine.updateRule('kafka-lag', { ...r.engine.getRule('kafka-lag')!, threshold: 100, forSec: 3 });
      await r.push([lag('a', 50), lag('b', 500)]);
      assert.deepEqual(r.engine.alerts().map((a) => [a.labels['job'], a.state]), [['b', 'pending']]);
      await r.push([lag('a', 50), lag('b', 600)]);
      await r.push([lag('a', 50), lag('b', 700)]);
      assert.equal(r.engine.alerts()[0]!.state, 'pending', 'held 2 s of 3');
      await r.push([lag('a', 50), lag('b', 800)]);
      assert.equal(r.engine.alerts()[0]!.state, 'firing');
      // Keeps firing for a while: no more notifications (dedup; the default repeat interval is hours).
      for (let i = 0; i < 10; i++) await r.push([lag('a', 50), lag('b', 900 + i)]);
      await r.engine.settle();
      assert.equal(rx.received.length, 1);
      const fired = rx.received[0]!.body as { status: string; alert: { rule: string; labels: Record<string, string>; value: number; summary: string; severity: string } };
      assert.equal(fired.status, 'firing');
      assert.equal(fired.alert.rule, 'kafka-lag');
      assert.deepEqual(fired.alert.labels, { job: 'b', source: 'orders' });
      assert.equal(fired.alert.value, 800);
      assert.equal(fired.alert.summary, 'source orders of job b lags 800 records');
      // Lag drops: resolved exactly once.
      for (let i = 0; i < 5; i++) await r.push([lag('a', 50), lag('b', 10)]);
      await r.engine.settle();
      assert.equal(rx.received.length, 2);
      const resolved = rx.received[1]!.body as { status: string; alert: { fingerprint: string; endsAt?: string } };
      assert.equal(resolved.status, 'resolved');
      assert.ok(resolved.alert.endsAt);
      assert.notEqual(rx.received[0]!.headers['x-freshet-dedup-key'], rx.received[1]!.headers['x-freshet-dedup-key']);
      assert.deepEqual(r.engine.alerts(), []);
      const hist = r.engine.history(10);
      assert.deepEqual(hist.map((e) => [e.kind, e.labels['job']]), [['resolved', 'b'], ['firing', 'b']]);
    } finally {
      await r.engine.close(); await r.store.close(); await rx.close();
    }
  });
});

test('a pending alert whose condition stops holding is dropped without a notification or history', async () => {
  await withDir(async (dir) => {
    const rx = await startReceiver();
    const r = await rig(dir);
    try {
      await r.engine.putWebhook({ id: 'ops', url: rx.url });
      await r.engine.updateRule('kafka-lag', { ...r.engine.getRule('kafka-lag')!, threshold: 100, forSec: 10 });
      await r.push([lag('b', 500)]);
      await r.push([lag('b', 50)]);
      await r.engine.settle();
      assert.deepEqual(r.engine.alerts(), []);
      assert.equal(rx.received.length, 0);
      assert.deepEqual(r.engine.history(), []);
    } finally {
      await r.engine.close(); await r.store.close(); await rx.close();
    }
  });
});

test('repeat interval, minimum severity, Slack payload, and retries keep one dedup key', async () => {
  await withDir(async (dir) => {
    const json = await startReceiver({ failFirst: 2 });
    const slack = await startReceiver();
    const critical = await startReceiver();
    const r = await rig(dir);
    try {
      await r.engine.putWebhook({ id: 'json', url: json.url, repeatIntervalSec: 5 });
      await r.engine.putWebhook({ id: 'slack', url: slack.url, kind: 'slack', repeatIntervalSec: 0 });
      await r.engine.putWebhook({ id: 'crit', url: critical.url, minSeverity: 'critical' });
      await r.engine.updateRule('kafka-lag', { ...r.engine.getRule('kafka-lag')!, threshold: 100, forSec: 0 });
      for (let i = 0; i < 12; i++) await r.push([lag('b', 500)]);
      await r.engine.settle();
      // Fired at t1, repeated at t6 and t11 (every 5 s): three notifications, each after two 503s for the first.
      // (The first one arrives last: it waited for its retries.)
      assert.deepEqual(json.received.map((x) => (x.body as { repeat: boolean }).repeat).sort(), [false, true, true]);
      const ds = r.engine.deliveries.filter((d) => d.webhook === 'json');
      // The two 503s went to whichever requests came first (the repeats may overtake the first one's retries): five
      // attempts in all for three notifications, the first of them retried at least once.
      assert.equal(ds.reduce((n, d) => n + d.attempts, 0), 5);
      assert.ok(ds.find((d) => !d.repeat)!.attempts >= 2);
      assert.ok(ds.every((d) => d.ok));
      assert.equal(slack.received.length, 1, 'repeatIntervalSec 0: never repeated');
      const sb = slack.received[0]!.body as { text: string; blocks: { type: string }[] };
      assert.match(sb.text, /FIRING \[warning\] Kafka consumer lag high: source orders of job b lags 500 records/);
      assert.deepEqual(sb.blocks.map((b) => b.type), ['section', 'context']);
      assert.equal(critical.received.length, 0, 'a warning is below the critical webhook');
      // URLs are secrets.
      assert.ok(r.engine.webhooks().every((w) => w.url === '***'));
      assert.ok(!JSON.stringify(r.engine.webhooks()).includes('127.0.0.1'));
      // Changing a webhook without its URL keeps the URL.
      await r.engine.putWebhook({ id: 'slack', name: 'renamed' });
      assert.equal(r.store.webhooks().find((w) => w.id === 'slack')!.url, slack.url);
    } finally {
      await r.engine.close(); await r.store.close(); await json.close(); await slack.close(); await critical.close();
    }
  });
});

test('a retried delivery carries the same dedup key on every attempt', async () => {
  await withDir(async (dir) => {
    const keys: string[] = [];
    const http = await import('node:http');
    let n = 0;
    const server = http.createServer((req, res) => { keys.push(String(req.headers['x-freshet-dedup-key'])); req.resume(); res.statusCode = n++ < 2 ? 500 : 200; res.end(); });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const r = await rig(dir);
    try {
      await r.engine.putWebhook({ id: 'x', url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` });
      await r.push([{ name: 'freshet_job_failed', labels: { job: 'j' }, value: 1 }]);
      await r.engine.settle();
      assert.equal(keys.length, 3);
      assert.equal(new Set(keys).size, 1);
    } finally {
      await r.engine.close(); await r.store.close(); server.close();
    }
  });
});

test('firing state, rules and history survive a restart: no second firing notification, the resolve still comes', async () => {
  await withDir(async (dir) => {
    const rx = await startReceiver();
    const clock = { t: 5_000_000 };
    let r = await rig(dir, new TimeSeriesStore(100), clock);
    await r.engine.putWebhook({ id: 'ops', url: rx.url });
    await r.engine.createRule({ id: 'many-late', name: 'Late records', metric: 'freshet_late_records_total', reduce: 'increase', windowSec: 60, op: '>', threshold: 5, forSec: 0, severity: 'info' });
    const late = (v: number): Sample => ({ name: 'freshet_late_records_total', labels: { job: 'j' }, value: v });
    await r.push([late(0)]);
    await r.push([late(10)]);
    await r.engine.settle();
    assert.equal(rx.received.length, 1);
    await r.engine.close(); await r.store.close();
    // A new instance on the same directory (its series start empty, as after a platform restart).
    r = await rig(dir, new TimeSeriesStore(100), clock);
    try {
      assert.ok(r.engine.getRule('many-late'));
      assert.equal(r.engine.alerts()[0]?.state, 'firing');
      await r.push([late(20)]);
      await r.push([late(30)]);
      await r.engine.settle();
      assert.equal(rx.received.length, 1, 'not notified again after the restart');
      for (let i = 0; i < 3; i++) await r.push([late(30)]);
      clock.t += 120_000; // the increase window passes
      await r.push([late(30)]);
      await r.engine.settle();
      assert.deepEqual(rx.received.map((x) => (x.body as { status: string }).status), ['firing', 'resolved']);
      assert.deepEqual(r.engine.history().map((e) => e.kind), ['resolved', 'firing']);
    } finally {
      await r.engine.close(); await r.store.close(); await rx.close();
    }
  });
});

test('rules compare with another metric of the same labels; invalid rules are refused naming the field', async () => {
  await withDir(async (dir) => {
    const r = await rig(dir);
    try {
      const check = (name: string, table: string, v: number): Sample => ({ name: 'freshet_check_value', labels: { check: name, table }, value: v });
      await r.push([check('mismatch_rate', 'spend', 0.2), check('threshold', 'spend', 0.1), check('mismatch_rate', 'clicks', 0.2), check('threshold', 'clicks', 0.5), check('mismatch_rate', 'orphan', 0.9)]);
      const firing = r.engine.alerts().filter((a) => a.ruleId === 'check-mismatch');
      // clicks is under its threshold; orphan has no threshold series and is not compared.
      assert.deepEqual(firing.map((a) => [a.labels['table'], a.state, a.threshold]), [['spend', 'firing', 0.1]]);
      assert.equal(firing[0]!.summary, 'feature table spend: mismatch rate 0.2000 above its threshold 0.1000');
      assert.throws(() => normalizeRule({ name: 'x', metric: 'nope', op: '>', threshold: 1 }, 'x'), (e: Error & { diagnostics?: { source?: string }[] }) => e.diagnostics?.[0]?.source === 'metric');
      assert.throws(() => normalizeRule({ name: 'x', metric: 'freshet_job_up', op: '=>' as never, threshold: 1 }, 'x'), /op must be/);
      await assert.rejects(r.engine.deleteRule('job-failed'), /cannot be deleted/);
      await r.engine.updateRule('job-failed', { ...r.engine.getRule('job-failed')!, enabled: false });
      await r.push([{ name: 'freshet_job_failed', labels: { job: 'j' }, value: 1 }]);
      assert.ok(!r.engine.alerts().some((a) => a.ruleId === 'job-failed'), 'disabled');
      assert.equal(renderSummary(r.engine.getRule('no-input')!, { job: 'j', source: 's' }, 61, 60), 'source s of job j delivered nothing for 61 s');
    } finally {
      await r.engine.close(); await r.store.close();
    }
  });
});

test('series: rate and increase treat a decrease as a reset; latency windows give nearest-rank quantiles', () => {
  assert.deepEqual(toRate({ t: [0, 1000, 2000, 3000], v: [0, 10, 30, 5] }), { t: [1000, 2000, 3000], v: [10, 20, 5] });
  assert.equal(increase([3, 5, 9, 2, 4]), 2 + 4 + 2 + 2);
  const s = new TimeSeriesStore(3);
  for (let i = 1; i <= 5; i++) s.append(i * 1000, [{ name: 'm', labels: { job: 'a' }, value: i }]);
  assert.deepEqual(s.select('m')[0]!.v, [3, 4, 5], 'ring keeps the last 3');
  // A series not appended for `capacity` ticks is dropped.
  for (let i = 0; i < 3; i++) s.append(10_000 + i, []);
  assert.deepEqual(s.select('m'), []);
  const w = new LatencyWindow(10_000);
  for (let i = 1; i <= 100; i++) w.observe(i, i / 100);
  assert.equal(w.quantile(100, 0.99), 0.99);
  assert.equal(w.quantile(100, 0.5), 0.5);
  assert.equal(w.quantile(20_000, 0.5), undefined, 'all older than the window');
});
