// /metrics and the JSON series of a real platform job: a store-output job reading the embedded log, checkpointing;
// the Prometheus text parses and holds the labelled series (records in/out per job, source and output, latency
// histograms, checkpoints, state size, serving QPS/latency); the JSON endpoints give the same figures over time;
// rule and webhook routes honour roles and never return webhook URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addOrders, api, parsePrometheus, SPEND, withPlatform } from './platform-rig.js';
import { until } from './webhook-receiver.js';

test('/metrics: Prometheus text with the labelled series of a running job and of serving', async () => {
  await withPlatform(async ({ app }) => {
    await addOrders(app, [1, 2, 3]);
    assert.equal((await api(app, 'POST', '/api/jobs', SPEND)).status, 201);
    await until('rows written', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/features/user_spend?key=u1', headers: { authorization: 'Bearer tok-viewer' } });
      return r.statusCode === 200 && r.body.includes('"found":true') ? true : undefined;
    });
    await addOrders(app, [4, 5]);
    // /metrics needs no token.
    const parsed = await until('figures in /metrics', async () => {
      const r = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /text\/plain/);
      const p = parsePrometheus(r.body);
      const v = (name: string, labels: Record<string, string>): number | undefined => p.samples.find((s) => s.name === name && Object.entries(labels).every(([k, x]) => s.labels[k] === x))?.value;
      return v('freshet_job_records_in_total', { job: 'spend' }) === 5 && (v('freshet_checkpoints_total', { job: 'spend' }) ?? 0) > 0 ? p : undefined;
    });
    const find = (name: string, labels: Record<string, string>) => parsed.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, x]) => s.labels[k] === x));
    assert.equal(parsed.types.get('freshet_job_records_in_total'), 'counter');
    assert.equal(parsed.types.get('freshet_arrival_to_store_seconds'), 'histogram');
    assert.equal(find('freshet_source_records_in_total', { job: 'spend', source: 'orders' })[0]?.value, 5);
    // Changes per key: u1 (1, 3, 5) and u0 (2, 4) — each row once as +I/+U; the sink skips nothing here.
    assert.ok(find('freshet_output_records_out_total', { job: 'spend', output: 'user_spend' })[0]!.value >= 5);
    assert.equal(find('freshet_job_up', { job: 'spend' })[0]?.value, 1);
    assert.equal(find('freshet_job_failed', { job: 'spend' })[0]?.value, 0);
    const buckets = find('freshet_arrival_to_store_seconds_bucket', { job: 'spend', output: 'user_spend' });
    assert.ok(buckets.length > 5 && buckets.some((b) => b.labels['le'] === '+Inf' && b.value >= 1), 'arrival → store histogram observed');
    assert.ok(find('freshet_event_to_store_seconds_count', { job: 'spend', output: 'user_spend' })[0]!.value >= 1);
    assert.ok(find('freshet_state_size_bytes', { job: 'spend' })[0]!.value > 0);
    assert.ok(find('freshet_checkpoint_duration_seconds_count', { job: 'spend' })[0]!.value > 0);
    assert.ok(find('freshet_watermark_delay_seconds', { job: 'spend' })[0]!.value > 0);
    assert.equal(find('freshet_dead_letters_total', { job: 'spend' })[0]?.value, 0);
    assert.ok(find('freshet_alerts_firing', { rule: 'job-failed', severity: 'critical' }).length === 1);
    // Event time → store write: the events are from 2025, so at least months.
    const p99 = await until('p99 series', async () => (await api<{ series: { v: number[] }[] }>(app, 'GET', '/api/metrics/series?name=freshet_event_to_store_p99_seconds&job=spend')).body.series[0]?.v.at(-1));
    assert.ok(p99 > 86_400 * 30, `event-time latency ${p99}`);
    // Serving: QPS and latency per table.
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    const s = parsePrometheus(r.body).samples;
    const served = s.find((x) => x.name === 'freshet_serving_requests_total' && x.labels['table'] === 'user_spend' && x.labels['status'] === '200');
    assert.ok(served && served.value >= 1);
    assert.ok(s.some((x) => x.name === 'freshet_serving_latency_seconds_count' && x.labels['table'] === 'user_spend' && x.value >= 1));
  });
});

test('JSON series and job charts over time; overview per job', async () => {
  await withPlatform(async ({ app }) => {
    await addOrders(app, [1, 2, 3]);
    assert.equal((await api(app, 'POST', '/api/jobs', SPEND)).status, 201);
    const cat = await api<{ intervalMs: number; metrics: { name: string; type: string }[] }>(app, 'GET', '/api/metrics', undefined, 'tok-viewer');
    assert.equal(cat.status, 200);
    assert.equal(cat.body.intervalMs, 200);
    assert.ok(cat.body.metrics.some((x) => x.name === 'freshet_kafka_consumer_lag'));
    const series = await until('a few points', async () => {
      const r = await api<{ series: { labels: Record<string, string>; t: number[]; v: number[] }[] }>(app, 'GET', '/api/metrics/series?name=freshet_job_records_in_total&job=spend');
      const s = r.body.series[0];
      return s && s.v.length >= 3 && s.v.at(-1) === 3 ? s : undefined;
    });
    assert.deepEqual(series.labels, { job: 'spend' });
    assert.ok(series.t.every((t, i) => i === 0 || t > series.t[i - 1]!), 'increasing time');
    const rate = await api<{ series: { v: number[] }[] }>(app, 'GET', '/api/metrics/series?name=freshet_job_records_in_total&job=spend&rate=true');
    assert.ok(rate.body.series[0]!.v.every((x) => x >= 0));
    const charts = await api<{ charts: { id: string; series: { label: string; v: number[] }[] }[] }>(app, 'GET', '/api/metrics/jobs/spend');
    assert.deepEqual(charts.body.charts.map((c) => c.id), ['records', 'sources', 'outputs', 'latency', 'event-latency', 'watermark', 'lag', 'idle', 'checkpoint', 'state', 'problems']);
    assert.deepEqual(charts.body.charts.find((c) => c.id === 'records')!.series.map((s) => s.label), ['in', 'out']);
    const ov = await api<{ jobs: { job: string; recordsIn: number; up: number }[] }>(app, 'GET', '/api/metrics/overview');
    assert.equal(ov.body.jobs[0]?.job, 'spend');
    assert.equal(ov.body.jobs[0]?.recordsIn, 3);
    assert.equal((await api(app, 'GET', '/api/metrics/series?name=nope')).status, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/api/metrics' })).statusCode, 401, 'the JSON API needs a token');
    // A deleted job's figures go away.
    assert.equal((await api(app, 'DELETE', '/api/jobs/spend')).status, 204);
    await until('series gone', async () => ((await app.inject({ method: 'GET', url: '/metrics' })).body.includes('job="spend"') ? undefined : true));
  });
});

test('rule and webhook routes: roles, validation naming the field, URLs never returned', async () => {
  await withPlatform(async ({ app }) => {
    const rule = { id: 'slow-serving', name: 'Slow serving', metric: 'freshet_serving_latency_p99_seconds', op: '>', threshold: 0.5, forSec: 30, severity: 'warning' };
    assert.equal((await api(app, 'POST', '/api/alerts/rules', rule, 'tok-viewer')).status, 403);
    const c = await api<{ rule: { id: string; reduce: string; enabled: boolean } }>(app, 'POST', '/api/alerts/rules', rule, 'tok-editor');
    assert.equal(c.status, 201);
    assert.equal(c.body.rule.reduce, 'last');
    assert.equal((await api(app, 'POST', '/api/alerts/rules', rule, 'tok-editor')).status, 400, 'id exists');
    const bad = await api<{ error: { field: string } }>(app, 'POST', '/api/alerts/rules', { ...rule, id: 'x', metric: 'freshet_nope' }, 'tok-editor');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'metric');
    const put = await api<{ rule: { threshold: number } }>(app, 'PUT', '/api/alerts/rules/slow-serving', { ...rule, threshold: 1 }, 'tok-editor');
    assert.equal(put.body.rule.threshold, 1);
    const builtin = await api<{ rule: { threshold: number; builtin: boolean } }>(app, 'PUT', '/api/alerts/rules/kafka-lag', { threshold: 5 }, 'tok-editor');
    assert.equal(builtin.status, 200);
    assert.deepEqual([builtin.body.rule.threshold, builtin.body.rule.builtin], [5, true]);
    assert.equal((await api(app, 'DELETE', '/api/alerts/rules/kafka-lag')).status, 400);
    assert.equal((await api(app, 'DELETE', '/api/alerts/rules/slow-serving', undefined, 'tok-editor')).status, 403, 'delete needs admin');
    assert.equal((await api(app, 'DELETE', '/api/alerts/rules/slow-serving')).status, 204);
    assert.equal((await api(app, 'GET', '/api/alerts/rules/slow-serving')).status, 404);
    const rules = await api<{ rules: { id: string }[] }>(app, 'GET', '/api/alerts/rules', undefined, 'tok-viewer');
    assert.deepEqual(rules.body.rules.map((r) => r.id), ['job-failed', 'job-restarting', 'kafka-lag', 'no-input', 'latency-p99', 'checkpoint-failing', 'dead-letters-rising', 'check-mismatch']);
    const secret = 'https://hooks.example.com/services/T000/B000/SECRET';
    const h = await api<{ webhook: { id: string; url: string } }>(app, 'POST', '/api/alerts/webhooks', { id: 'slack', kind: 'slack', url: secret }, 'tok-editor');
    assert.equal(h.status, 201);
    assert.equal(h.body.webhook.url, '***');
    const list = await app.inject({ method: 'GET', url: '/api/alerts/webhooks', headers: { authorization: 'Bearer tok-viewer' } });
    assert.ok(!list.body.includes('SECRET') && list.body.includes('"slack"'));
    assert.equal((await api(app, 'POST', '/api/alerts/webhooks', { url: 'ftp://x' }, 'tok-editor')).status, 400);
    assert.equal((await api(app, 'POST', '/api/alerts/webhooks', { kind: 'teams', url: 'https://x' }, 'tok-editor')).status, 400);
    assert.equal((await api(app, 'DELETE', '/api/alerts/webhooks/slack')).status, 204);
    assert.equal((await api(app, 'GET', '/api/alerts/history')).status, 200);
  });
});
