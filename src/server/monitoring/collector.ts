/**
 * Collects every monitored figure of one platform instance into samples (samples.ts) and into a prom-client
 * registry of its own (never the global default registry: several platforms may live in one process, as in tests).
 *
 * Sources of figures: the job manager's run meters (instrumented-connectors.ts: rows in/out per source/output,
 * last input, Kafka lag, latency and checkpoint observations, the engine's counters), the job states and
 * supervisor restarts (job statuses), serving requests (observed by a Fastify hook), registered check providers
 * (offline checks) and the alert engine's firing count.
 *
 * Counters are this instance's counts: per run, the increase of the run's counters since the collector first saw
 * them (the engine restores its counters from a checkpoint; the restored part was counted by an earlier run, and
 * a replay after restore counts again, as it is work done again).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SourceMeter } from '../platform/instrumented-connectors.js';
import { LatencyWindow } from './latency-window.js';
import { METRICS, type MetricDef } from './metric-catalog.js';
import { seriesKey, type Labels, type Sample } from './samples.js';

/** What the collector needs from the job manager (JobManager satisfies it). */
export interface MonitoredJobs {
  runMeters(): { name: string; version: number; state: string; meter: SourceMeter; changes: number; startedAt?: number }[];
  /**
   * Supervisor restarts per job, when the caller knows them another way; by default restarts are counted from the
   * job manager's `restarting` events (countJobEvent).
   */
  restartCounts?(): Promise<Map<string, number>>;
}

/**
 * A provider of offline check results, e.g. `[{name: 'mismatch_rate', value: 0.02, labels: {table: 'user_spend'}}]`
 * (src/batch/check.ts `checkMetrics` gives them); each becomes `freshet_check_value{check=<name>, ...labels}`, the
 * name without a `freshet_feature_check_` / `freshet_check_` prefix.
 */
export type CheckProvider = () => { name: string; value: number; labels?: Labels }[] | Promise<{ name: string; value: number; labels?: Labels }[]>;

/** Engine counter → the dropped-records reason label. */
const DROP_REASONS: Record<string, string> = { rowsBeforeTileBoundary: 'before_tile_boundary', lookupErrors: 'lookup_error' };

/** A provider's sample name as the `check` label: `freshet_feature_check_mismatch_rate` → `mismatch_rate`. */
export const checkName = (name: string): string => name.replace(/^freshet_(feature_)?check_/, '');

interface RunMemo { last: Map<string, number>; ready: boolean }

export class MonitoringCollector {
  readonly registry = new Registry();
  private readonly metrics = new Map<string, Counter | Gauge | Histogram>();
  private readonly totals = new Map<string, Sample>();
  private readonly memo = new WeakMap<SourceMeter, RunMemo>();
  private readonly windows = new Map<string, { kind: string; labels: Labels; w: LatencyWindow }>();
  private readonly checkProviders: CheckProvider[] = [];
  private checkGauge: { gauge: Gauge; labels: string[] } | undefined;
  private lastLagRefresh = 0;
  private lagInFlight: Promise<void> | undefined;
  /** Histogram series per job, removed with the job. */
  private readonly jobHistograms = new Map<string, Map<string, { h: Histogram; labels: Labels }>>();
  /** Firing alerts per rule/severity, set by the alert engine. */
  firing: Sample[] = [];

  constructor(private readonly jobs: MonitoredJobs, private readonly now: () => number = Date.now, readonly lagRefreshMs = 5000) {
    for (const def of METRICS) {
      if (def.name === 'freshet_check_value') continue;
      this.metrics.set(def.name, this.create(def));
    }
  }

  private create(def: MetricDef): Counter | Gauge | Histogram {
    const cfg = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [this.registry] };
    if (def.type === 'counter') return new Counter(cfg);
    if (def.type === 'histogram') return new Histogram({ ...cfg, buckets: [...(def.buckets ?? [])] });
    return new Gauge(cfg);
  }

  /** Registers a provider of offline check results (read at every collection). */
  addCheckProvider(p: CheckProvider): void { this.checkProviders.push(p); }

  private window(name: string, labels: Labels): LatencyWindow {
    const k = seriesKey(name, labels);
    let e = this.windows.get(k);
    if (!e) { e = { kind: name, labels: { ...labels }, w: new LatencyWindow() }; this.windows.set(k, e); }
    return e.w;
  }

  /** One serving request (the platform's onResponse hook). */
  observeServing(table: string, status: number, seconds: number): void {
    this.addTotal('freshet_serving_requests_total', { table, status: String(status) }, 1);
    (this.metrics.get('freshet_serving_latency_seconds') as Histogram).observe({ table }, seconds);
    this.window('serving', { table }).observe(this.now(), seconds);
  }

  private observeJob(h: Histogram, labels: Labels & { job: string }, v: number, name: string): void {
    h.observe(labels, v);
    let m = this.jobHistograms.get(labels.job);
    if (!m) { m = new Map(); this.jobHistograms.set(labels.job, m); }
    const k = seriesKey(name, labels);
    if (!m.has(k)) m.set(k, { h, labels: { ...labels } });
  }

  /** One job lifecycle event (the job manager's onJobEvent): `freshet_job_events_total{job, kind}`. */
  countJobEvent(job: string, kind: string): void {
    this.addTotal('freshet_job_events_total', { job, kind }, 1);
    if (kind === 'restarting') this.addTotal('freshet_job_restarts_total', { job }, 1);
  }

  private addTotal(name: string, labels: Labels, by: number): void {
    const k = seriesKey(name, labels);
    const s = this.totals.get(k);
    if (s) s.value += by;
    else this.totals.set(k, { name, labels, value: by });
  }

  /** Adds the increase of a run's counter `id` (current value `v`) to the instance total of `name{labels}`. */
  private delta(memo: RunMemo, id: string, v: number, name: string, labels: Labels): void {
    const prev = memo.last.get(id);
    memo.last.set(id, v);
    const d = prev === undefined ? v : v - prev;
    if (d > 0) this.addTotal(name, labels, d);
    else if (prev === undefined || d === 0) this.addTotal(name, labels, 0);
  }

  /**
   * Takes one collection: drains queued observations into histograms and latency windows, refreshes Kafka lag
   * (every `lagRefreshMs`), and returns every sample, also written into the prom-client registry.
   */
  async collect(): Promise<Sample[]> {
    const now = this.now();
    const out: Sample[] = [];
    const g = (name: string, labels: Labels, value: number): void => { out.push({ name, labels, value }); };
    const runs = this.jobs.runMeters();
    // Lag needs broker round trips: asked in the background, never holding up a collection (a slow broker delays
    // only the lag figures).
    if (now - this.lastLagRefresh >= this.lagRefreshMs && !this.lagInFlight) {
      this.lastLagRefresh = now;
      this.lagInFlight = Promise.all(runs.filter((r) => r.state === 'running').map((r) => r.meter.refreshLag())).then(() => undefined).finally(() => { this.lagInFlight = undefined; });
    }
    const restarts = this.jobs.restartCounts ? await this.jobs.restartCounts().catch(() => new Map<string, number>()) : new Map<string, number>();
    const eventHist = this.metrics.get('freshet_event_to_store_seconds') as Histogram;
    const arrivalHist = this.metrics.get('freshet_arrival_to_store_seconds') as Histogram;
    const ckHist = this.metrics.get('freshet_checkpoint_duration_seconds') as Histogram;
    for (const r of runs) {
      const job = r.name, m = r.meter, active = r.state === 'running' || r.state === 'starting';
      g('freshet_job_up', { job }, active ? 1 : 0);
      g('freshet_job_failed', { job }, r.state === 'failed' ? 1 : 0);
      g('freshet_job_restarting', { job }, r.state === 'restarting' ? 1 : 0);
      const rc = restarts.get(job);
      if (rc !== undefined) g('freshet_job_restarts_total', { job }, rc);
      else this.addTotal('freshet_job_restarts_total', { job }, 0);
      let memo = this.memo.get(m);
      if (!memo) { memo = { last: new Map(), ready: false }; this.memo.set(m, memo); }
      this.delta(memo, 'rowsIn', m.rowsIn, 'freshet_job_records_in_total', { job });
      let outRows = 0;
      for (const o of m.outputs.values()) { outRows += o.rowsOut; this.delta(memo, `out:${o.table}`, o.rowsOut, 'freshet_output_records_out_total', { job, output: o.table }); }
      // Without outputs the job's result is its changelog; a restored run starts from the previous run's count.
      if (m.outputs.size > 0) this.delta(memo, 'recordsOut', outRows, 'freshet_job_records_out_total', { job });
      else {
        if (!memo.last.has('recordsOut')) memo.last.set('recordsOut', r.changes);
        this.delta(memo, 'recordsOut', r.changes, 'freshet_job_records_out_total', { job });
      }
      for (const s of m.sources.values()) {
        this.delta(memo, `in:${s.table}`, s.rowsIn, 'freshet_source_records_in_total', { job, source: s.table });
        if (active) g('freshet_source_idle_seconds', { job, source: s.table }, Math.max(0, now - (s.lastInputAt ?? r.startedAt ?? now)) / 1000);
        // No partitions known yet (lag not measured): no sample, rather than a lag of 0 that would resolve an alert.
        if (s.lag && s.lag.length > 0 && active) {
          let sum = 0;
          for (const p of s.lag) { sum += p.lag; g('freshet_kafka_consumer_lag', { job, source: s.table, topic: p.topic, partition: String(p.partition) }, p.lag); }
          g('freshet_source_lag', { job, source: s.table }, sum);
        }
      }
      // Engine counters: only once the run restored them (its sources opened), so restored values are not counted.
      if (m.engineBaseline) {
        if (!memo.ready) { memo.ready = true; for (const [k, v] of Object.entries(m.engineBaseline)) memo.last.set(`e:${k}`, v); }
        const e = m.engine;
        this.delta(memo, 'e:lateRowsDropped', e.get('lateRowsDropped'), 'freshet_late_records_total', { job });
        for (const [c, reason] of Object.entries(DROP_REASONS)) this.delta(memo, `e:${c}`, e.get(c), 'freshet_dropped_records_total', { job, reason });
        this.delta(memo, 'e:badRows', e.get('badRows'), 'freshet_dead_letters_total', { job });
        this.delta(memo, 'e:badRecords', e.get('badRecords'), 'freshet_dead_letters_total', { job });
        for (const [k, v] of e.counters) {
          if (k.startsWith('badRecords.')) this.delta(memo, `e:${k}`, v, 'freshet_malformed_records_total', { job, source: k.slice('badRecords.'.length) });
        }
        this.delta(memo, 'e:checkpoints', e.get('checkpoints'), 'freshet_checkpoints_total', { job });
      }
      this.delta(memo, 'ckFailures', m.checkpointFailures, 'freshet_checkpoint_failures_total', { job });
      const wm = m.watermark();
      if (wm !== undefined && active) g('freshet_watermark_delay_seconds', { job }, Math.max(0, now - wm) / 1000);
      const { latencies, checkpoints } = m.drain();
      for (const l of latencies) {
        const labels = { job, output: l.output };
        this.observeJob(arrivalHist, labels, l.arrivalSec, 'arrival');
        this.window('arrival', labels).observe(now, l.arrivalSec);
        if (l.eventSec !== undefined) { this.observeJob(eventHist, labels, l.eventSec, 'event'); this.window('event', labels).observe(now, l.eventSec); }
      }
      for (const c of checkpoints) if (!c.error) this.observeJob(ckHist, { job }, c.durationMs / 1000, 'checkpoint');
      if (m.lastCheckpoint) {
        g('freshet_checkpoint_last_duration_seconds', { job }, m.lastCheckpoint.durationMs / 1000);
        g('freshet_checkpoint_size_bytes', { job }, m.lastCheckpoint.bytes);
        g('freshet_state_size_bytes', { job }, m.lastCheckpoint.bytes);
      }
    }
    // A deleted job's figures go away with it (stopped jobs keep theirs).
    const names = new Set(runs.map((r) => r.name));
    for (const [k, t] of this.totals) if (t.labels['job'] !== undefined && !names.has(t.labels['job'])) this.totals.delete(k);
    for (const [job, hs] of this.jobHistograms) {
      if (names.has(job)) continue;
      for (const { h, labels } of hs.values()) h.remove(labels);
      this.jobHistograms.delete(job);
    }
    for (const [k, { kind, labels, w }] of this.windows) {
      // An empty window yields no sample; it is made again by the next observation.
      if (w.count(now) === 0 || (labels['job'] !== undefined && !names.has(labels['job']))) { this.windows.delete(k); continue; }
      if (kind === 'serving') {
        g('freshet_serving_qps', labels, w.count(now) / (w.windowMs / 1000));
        const p99 = w.quantile(now, 0.99);
        if (p99 !== undefined) g('freshet_serving_latency_p99_seconds', labels, p99);
        continue;
      }
      for (const [q, suffix] of [[0.99, 'p99'], [0.5, 'p50']] as const) {
        const v = w.quantile(now, q);
        if (v !== undefined) g(`freshet_${kind}_to_store_${suffix}_seconds`, labels, v);
      }
    }
    for (const s of this.totals.values()) out.push({ name: s.name, labels: s.labels, value: s.value });
    out.push(...this.firing);
    out.push(...await this.checks());
    this.writeRegistry(out);
    return out;
  }

  private async checks(): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const p of this.checkProviders) {
      try {
        for (const c of await p()) if (Number.isFinite(c.value)) out.push({ name: 'freshet_check_value', labels: { ...(c.labels ?? {}), check: checkName(c.name) }, value: c.value });
      } catch { /* a failing provider must not stop monitoring */ }
    }
    return out;
  }

  /** Sets the registry's counters and gauges to the samples (histograms are observed directly). */
  private writeRegistry(samples: readonly Sample[]): void {
    for (const m of this.metrics.values()) if (!(m instanceof Histogram)) m.reset();
    const checkKeys = new Set<string>();
    for (const s of samples) if (s.name === 'freshet_check_value') for (const k of Object.keys(s.labels)) checkKeys.add(k);
    const keys = [...checkKeys].sort();
    if (keys.length > 0 && (!this.checkGauge || keys.some((k) => !this.checkGauge!.labels.includes(k)))) {
      if (this.checkGauge) this.registry.removeSingleMetric('freshet_check_value');
      const def = METRICS.find((d) => d.name === 'freshet_check_value')!;
      this.checkGauge = { gauge: new Gauge({ name: def.name, help: def.help, labelNames: keys, registers: [this.registry] }), labels: keys };
    }
    this.checkGauge?.gauge.reset();
    for (const s of samples) {
      if (s.name === 'freshet_check_value') {
        const labels: Labels = {};
        for (const k of this.checkGauge!.labels) labels[k] = s.labels[k] ?? '';
        this.checkGauge!.gauge.set(labels, s.value);
        continue;
      }
      const m = this.metrics.get(s.name);
      if (m instanceof Counter) m.inc(s.labels, s.value);
      else if (m instanceof Gauge) m.set(s.labels, s.value);
    }
  }
}
