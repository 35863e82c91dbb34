/**
 * HTTP routes of monitoring and alerting:
 *   GET  /metrics                         Prometheus text exposition (no token: scrapers rarely send one; it carries
 *                                         figures only, no data or secrets; put it behind the network if that matters)
 *   GET  /api/metrics                     the metric catalogue with the number of series each has now
 *   GET  /api/metrics/series?name=…       JSON time series of the last hour (label filters: job, source, output,
 *                                         table, any other label; `since` = seconds back; `rate=true` for counters)
 *   GET  /api/metrics/overview            latest figures per job (the monitoring page's table)
 *   GET  /api/metrics/jobs/:name          the charts of one job (records in/out rates, latency, watermark delay,
 *                                         lag, checkpoints, state size, late/dropped/malformed/dead letters)
 *   GET  /api/alerts                      pending and firing alerts
 *   GET  /api/alerts/history              firing/resolved events, newest first (`limit`, `rule`)
 *   GET|POST /api/alerts/rules, GET|PUT|DELETE /api/alerts/rules/:id   rules (write: editor, delete: admin)
 *   GET|POST /api/alerts/webhooks, PUT|DELETE /api/alerts/webhooks/:id  webhooks (URLs are never returned)
 *   GET  /api/alerts/deliveries           the latest notification deliveries and their outcome
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FreshetError } from '../../common/diagnostics.js';
import { AlertErrors, type AlertRuleInput } from './alert-rules.js';
import { METRICS, METRIC_BY_NAME } from './metric-catalog.js';
import type { Monitoring } from './monitoring.js';
import type { Labels } from './samples.js';
import { toRate } from './time-series-store.js';

const TAG = ['monitoring'];

function sendError(reply: FastifyReply, e: unknown): FastifyReply {
  if (!(e instanceof FreshetError)) throw e;
  const d = e.diagnostics[0]!;
  const status = d.code === AlertErrors.UnknownRule || d.code === AlertErrors.UnknownWebhook ? 404 : 400;
  return reply.code(status).send({ error: { code: d.code, message: d.message, ...(d.source ? { field: d.source } : {}), ...(d.hint ? { hint: d.hint } : {}) } });
}

interface ChartSeries { label: string; labels: Labels; t: number[]; v: number[] }
interface Chart { id: string; title: string; unit: string; series: ChartSeries[] }

const RESERVED = new Set(['name', 'since', 'rate']);
/** A number of seconds in a query string (Ajv does not coerce here). */
const NUM = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' };

export function registerMonitoringRoutes(app: FastifyInstance, m: Monitoring): void {
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const text = await m.scrape();
    return reply.header('content-type', m.collector.registry.contentType).send(text);
  });

  app.get('/api/metrics', { schema: { tags: TAG, summary: 'Metric catalogue: names, types, labels, and series held now' } }, async () => {
    const counts = new Map(m.series.names().map((n) => [n.name, n.series]));
    return {
      intervalMs: m.intervalMs, retentionSec: Math.round((m.series.capacity * m.intervalMs) / 1000),
      metrics: METRICS.map((d) => ({ name: d.name, type: d.type, help: d.help, labels: d.labels, series: counts.get(d.type === 'histogram' ? `${d.name}` : d.name) ?? 0 })),
    };
  });

  const select = (name: string, match: Labels, sinceSec: number | undefined, rate: boolean): ChartSeries[] => {
    const since = sinceSec === undefined ? -Infinity : Date.now() - sinceSec * 1000;
    return m.series.select(name, match, since).map((s) => {
      const pts = rate ? toRate(s) : { t: s.t, v: s.v };
      const label = Object.entries(s.labels).filter(([k]) => k !== 'job').map(([k, v]) => `${k}=${v}`).join(' ') || name;
      return { label, labels: s.labels, t: pts.t.map((x) => x / 1000), v: pts.v };
    });
  };

  app.get<{ Querystring: Record<string, string> }>('/api/metrics/series', {
    schema: { tags: TAG, summary: 'Time series of one metric (last hour); t in epoch seconds', querystring: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, since: NUM, rate: { type: 'string', enum: ['true', 'false'] } }, additionalProperties: { type: 'string' } } },
  }, async (req, reply) => {
    const { name } = req.query;
    if (!METRIC_BY_NAME.has(name!) && m.series.select(name!).length === 0) {
      return reply.code(404).send({ error: { code: 'METRIC_UNKNOWN', message: `unknown metric '${name}'`, field: 'name', hint: 'list the metrics with GET /api/metrics' } });
    }
    const match: Labels = {};
    for (const [k, v] of Object.entries(req.query)) if (!RESERVED.has(k) && typeof v === 'string') match[k] = v;
    const q = req.query;
    return { name, series: select(name!, match, q['since'] === undefined ? undefined : Number(q['since']), q['rate'] === 'true') };
  });

  app.get('/api/metrics/overview', { schema: { tags: TAG, summary: 'Latest figures per job' } }, async () => {
    const rows = new Map<string, Record<string, number>>();
    const put = (job: string, k: string, v: number, sum = false): void => {
      const r = rows.get(job) ?? {};
      r[k] = sum ? (r[k] ?? 0) + v : Math.max(r[k] ?? -Infinity, v);
      rows.set(job, r);
    };
    const rateOf = (name: string, key: string): void => {
      for (const s of m.series.select(name, undefined, Date.now() - 15_000)) {
        const r = toRate(s);
        if (s.labels['job'] && r.v.length > 0) put(s.labels['job'], key, r.v[r.v.length - 1]!);
      }
    };
    const last = (name: string, key: string, sum = false): void => {
      for (const s of m.series.latest(name)) if (s.labels['job']) put(s.labels['job'], key, s.value, sum);
    };
    last('freshet_job_up', 'up');
    last('freshet_job_failed', 'failed');
    rateOf('freshet_job_records_in_total', 'recordsInPerSec');
    rateOf('freshet_job_records_out_total', 'recordsOutPerSec');
    last('freshet_job_records_in_total', 'recordsIn');
    last('freshet_job_records_out_total', 'recordsOut');
    last('freshet_arrival_to_store_p99_seconds', 'arrivalP99');
    last('freshet_event_to_store_p99_seconds', 'eventP99');
    last('freshet_watermark_delay_seconds', 'watermarkDelay');
    last('freshet_source_lag', 'lag', true);
    last('freshet_state_size_bytes', 'stateBytes');
    last('freshet_dead_letters_total', 'deadLetters');
    last('freshet_late_records_total', 'late');
    last('freshet_checkpoint_failures_total', 'checkpointFailures');
    last('freshet_job_restarts_total', 'restarts');
    const firing = new Map<string, number>();
    for (const a of m.alerts.alerts()) if (a.state === 'firing' && a.labels['job']) firing.set(a.labels['job'], (firing.get(a.labels['job']) ?? 0) + 1);
    const serving = m.series.latest('freshet_serving_qps').map((s) => ({
      table: s.labels['table'] ?? '', qps: s.value,
      p99: m.series.latest('freshet_serving_latency_p99_seconds', { table: s.labels['table'] ?? '' })[0]?.value ?? null,
    }));
    return {
      jobs: [...rows].sort((a, b) => a[0].localeCompare(b[0])).map(([job, r]) => ({ job, ...r, alertsFiring: firing.get(job) ?? 0 })),
      serving,
    };
  });

  app.get<{ Params: { name: string }; Querystring: { since?: string } }>('/api/metrics/jobs/:name', {
    schema: { tags: TAG, summary: 'Charts of one job (t in epoch seconds)', params: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, querystring: { type: 'object', properties: { since: NUM } } },
  }, async (req) => {
    const job = req.params.name, since = req.query.since === undefined ? undefined : Number(req.query.since);
    const c = (id: string, title: string, unit: string, parts: [string, boolean, string?][]): Chart => ({
      id, title, unit,
      series: parts.flatMap(([name, rate, prefix]) => select(name, { job }, since, rate).map((s) => ({ ...s, label: prefix ? `${prefix} ${s.label === name ? '' : s.label}`.trim() : s.label }))),
    });
    return {
      job,
      charts: [
        c('records', 'Records per second', '1/s', [['freshet_job_records_in_total', true, 'in'], ['freshet_job_records_out_total', true, 'out']]),
        c('sources', 'Records in per source', '1/s', [['freshet_source_records_in_total', true]]),
        c('outputs', 'Records out per output', '1/s', [['freshet_output_records_out_total', true]]),
        c('latency', 'Arrival → store write, p99 / p50', 's', [['freshet_arrival_to_store_p99_seconds', false, 'p99'], ['freshet_arrival_to_store_p50_seconds', false, 'p50']]),
        c('event-latency', 'Event time → store write, p99 / p50', 's', [['freshet_event_to_store_p99_seconds', false, 'p99'], ['freshet_event_to_store_p50_seconds', false, 'p50']]),
        c('watermark', 'Watermark delay', 's', [['freshet_watermark_delay_seconds', false, 'delay']]),
        c('lag', 'Kafka consumer lag', 'records', [['freshet_kafka_consumer_lag', false]]),
        c('idle', 'Seconds since last input', 's', [['freshet_source_idle_seconds', false]]),
        c('checkpoint', 'Checkpoint duration', 's', [['freshet_checkpoint_last_duration_seconds', false, 'duration']]),
        c('state', 'State size (last checkpoint)', 'bytes', [['freshet_state_size_bytes', false, 'state']]),
        c('problems', 'Late, dropped, malformed, dead-lettered per second', '1/s', [['freshet_late_records_total', true, 'late'], ['freshet_dropped_records_total', true, 'dropped'], ['freshet_malformed_records_total', true, 'malformed'], ['freshet_dead_letters_total', true, 'dead letters'], ['freshet_checkpoint_failures_total', true, 'checkpoint failures']]),
      ],
      alerts: m.alerts.alerts().filter((a) => a.labels['job'] === job),
    };
  });

  // Alerting.
  app.get('/api/alerts', { schema: { tags: TAG, summary: 'Pending and firing alerts' } }, async () => ({ alerts: m.alerts.alerts() }));
  app.get<{ Querystring: { limit?: string; rule?: string } }>('/api/alerts/history', {
    schema: { tags: TAG, summary: 'Alert history (firing and resolved), newest first', querystring: { type: 'object', properties: { limit: { type: 'string', pattern: '^[0-9]{1,5}$' }, rule: { type: 'string' } } } },
  }, async (req) => ({ events: m.alerts.history(Math.max(1, Number(req.query.limit ?? 100)), req.query.rule ? { ruleId: req.query.rule } : undefined) }));
  app.get('/api/alerts/deliveries', { schema: { tags: TAG, summary: 'Latest webhook deliveries' } }, async () => ({ deliveries: m.alerts.deliveries.slice(-100).reverse() }));

  app.get('/api/alerts/rules', { schema: { tags: TAG, summary: 'Alert rules (built-in and user-defined)' } }, async () => ({ rules: m.alerts.listRules() }));
  const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } };
  app.get<{ Params: { id: string } }>('/api/alerts/rules/:id', { schema: { tags: TAG, params: idParams } }, async (req, reply) => {
    const r = m.alerts.getRule(req.params.id);
    return r ? { rule: r } : reply.code(404).send({ error: { code: AlertErrors.UnknownRule, message: `unknown alert rule '${req.params.id}'` } });
  });
  const ruleBody = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, metric: { type: 'string' }, op: { type: 'string' }, threshold: { type: 'number' }, forSec: { type: 'number' }, windowSec: { type: 'number' }, reduce: { type: 'string' }, severity: { type: 'string' }, enabled: { type: 'boolean' }, summary: { type: 'string' }, match: { type: 'object' }, labels: { type: 'object' }, thresholdMetric: { type: 'object' } } };
  app.post<{ Body: AlertRuleInput }>('/api/alerts/rules', { schema: { tags: TAG, summary: 'Create a rule', body: ruleBody } }, async (req, reply) => {
    try { return reply.code(201).send({ rule: await m.alerts.createRule(req.body) }); } catch (e) { return sendError(reply, e); }
  });
  app.put<{ Params: { id: string }; Body: AlertRuleInput }>('/api/alerts/rules/:id', { schema: { tags: TAG, summary: 'Replace a rule (built-in: threshold, durations, severity, enabled)', params: idParams, body: ruleBody } }, async (req, reply) => {
    try { return { rule: await m.alerts.updateRule(req.params.id, req.body) }; } catch (e) { return sendError(reply, e); }
  });
  app.delete<{ Params: { id: string } }>('/api/alerts/rules/:id', { schema: { tags: TAG, params: idParams } }, async (req, reply) => {
    try { await m.alerts.deleteRule(req.params.id); return reply.code(204).send(); } catch (e) { return sendError(reply, e); }
  });

  const hookBody = { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' }, name: { type: 'string' }, kind: { type: 'string', enum: ['json', 'slack'] }, url: { type: 'string' }, minSeverity: { type: 'string', enum: ['info', 'warning', 'critical'] }, repeatIntervalSec: { type: 'number', minimum: 0 } }, additionalProperties: false };
  app.get('/api/alerts/webhooks', { schema: { tags: TAG, summary: 'Webhooks (URLs masked)' } }, async () => ({ webhooks: m.alerts.webhooks() }));
  app.post<{ Body: Record<string, unknown> }>('/api/alerts/webhooks', { schema: { tags: TAG, summary: 'Add a webhook (generic JSON or Slack-compatible)', body: { ...hookBody, required: ['url'] } } }, async (req, reply) => {
    try {
      if (typeof req.body['id'] === 'string' && m.alerts.webhooks().some((w) => w.id === req.body['id'])) {
        return reply.code(409).send({ error: { code: AlertErrors.InvalidWebhook, message: `webhook '${String(req.body['id'])}' exists`, field: 'id' } });
      }
      return reply.code(201).send({ webhook: await m.alerts.putWebhook(req.body) });
    } catch (e) { return sendError(reply, e); }
  });
  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/alerts/webhooks/:id', { schema: { tags: TAG, summary: 'Change a webhook (omit url to keep it)', params: idParams, body: hookBody } }, async (req, reply) => {
    try {
      if (!m.alerts.webhooks().some((w) => w.id === req.params.id)) return reply.code(404).send({ error: { code: AlertErrors.UnknownWebhook, message: `unknown webhook '${req.params.id}'` } });
      return { webhook: await m.alerts.putWebhook({ ...req.body, id: req.params.id }) };
    } catch (e) { return sendError(reply, e); }
  });
  app.delete<{ Params: { id: string } }>('/api/alerts/webhooks/:id', { schema: { tags: TAG, params: idParams } }, async (req, reply) => {
    try { await m.alerts.deleteWebhook(req.params.id); return reply.code(204).send(); } catch (e) { return sendError(reply, e); }
  });
}
