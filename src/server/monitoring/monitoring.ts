/**
 * Monitoring and alerting of one platform instance: the collector (figures → samples + prom-client registry), the
 * last hour of series, and the alert engine, driven by one timer (every `intervalMs`, default 2 s): collect →
 * append to the series → evaluate the rules. `installMonitoring` mounts the routes (monitoring-routes.ts), measures
 * feature serving with a Fastify hook, and stops everything when the app closes.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { onJobEvent, type JobManager } from '../platform/job-manager.js';
import { AlertEngine } from './alert-engine.js';
import { AlertStore } from './alert-store.js';
import { MonitoringCollector, type CheckProvider, type MonitoredJobs } from './collector.js';
import { registerMonitoringRoutes } from './monitoring-routes.js';
import { TimeSeriesStore } from './time-series-store.js';
import type { RetryPolicy } from './webhook-notifier.js';

export interface MonitoringOptions {
  jobs: MonitoredJobs;
  /** Directory of the alerting state (LMDB), e.g. `<data>/platform/monitoring`. */
  dir: string;
  /** Collection and evaluation period (ms, default 2000). */
  intervalMs?: number;
  /** Points kept per series (default one hour at intervalMs). */
  capacity?: number;
  /** This instance's name in notifications. */
  instance?: string;
  retry?: RetryPolicy;
  publicUrl?: string;
  now?: () => number;
  /** How often Kafka consumer lag is asked of the brokers (ms, default 5000). */
  lagRefreshMs?: number;
  /** Start the timer (default true; tests may drive `tick()` themselves). */
  autoStart?: boolean;
}

export class Monitoring {
  readonly collector: MonitoringCollector;
  readonly series: TimeSeriesStore;
  readonly alerts: AlertEngine;
  readonly store: AlertStore;
  readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => number;
  /** The last tick's error, if it failed (monitoring keeps going). */
  lastError: Error | undefined;

  constructor(o: MonitoringOptions) {
    this.now = o.now ?? Date.now;
    this.intervalMs = o.intervalMs ?? 2000;
    this.collector = new MonitoringCollector(o.jobs, this.now, o.lagRefreshMs ?? 5000);
    this.series = new TimeSeriesStore(o.capacity ?? Math.ceil(3_600_000 / this.intervalMs));
    this.store = new AlertStore(o.dir);
    this.alerts = new AlertEngine({
      store: this.store, series: this.series, intervalMs: this.intervalMs, instance: o.instance ?? `${process.env['HOSTNAME'] ?? 'local'}:${process.pid}`,
      ...(o.retry ? { retry: o.retry } : {}), ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}), now: this.now,
    });
    if (o.autoStart ?? true) this.start();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { void this.tick(); }, this.intervalMs);
    this.timer.unref();
  }

  /** One collection + evaluation; concurrent calls share the one in progress. */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        this.collector.firing = this.alerts.firingSamples();
        const samples = await this.collector.collect();
        this.series.append(this.now(), samples);
        await this.alerts.evaluate();
        this.lastError = undefined;
      } catch (e) {
        this.lastError = e as Error;
      }
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Registers a provider of offline check results (`freshet_check_value{check=name, ...labels}`). */
  addCheckProvider(p: CheckProvider): void { this.collector.addCheckProvider(p); }

  /** The Prometheus text exposition, freshly collected. */
  async scrape(): Promise<string> {
    this.collector.firing = this.alerts.firingSamples();
    await this.collector.collect();
    return this.collector.registry.metrics();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.alerts.close();
    await this.store.close();
  }
}

/** The job manager as the collector sees it: its run meters (restarts come from its lifecycle events). */
export function monitoredJobs(jobs: JobManager): MonitoredJobs {
  return { runMeters: () => jobs.runMeters() };
}

export interface InstallMonitoringOptions extends Omit<MonitoringOptions, 'jobs' | 'dir'> {
  jobs: JobManager;
  /** Root of the platform's state; alerting state goes to `<platformDir>/monitoring`. */
  platformDir: string;
}

/** Creates the instance's monitoring, mounts its routes and the serving hook, and closes it with the app. */
export function installMonitoring(app: FastifyInstance, o: InstallMonitoringOptions): Monitoring {
  const { jobs, platformDir, ...rest } = o;
  const m = new Monitoring({ ...rest, jobs: monitoredJobs(jobs), dir: path.join(platformDir, 'monitoring') });
  // Feature serving: QPS and latency per table, measured around the whole request.
  app.addHook('onResponse', async (req, reply) => {
    if (req.routeOptions.url !== '/api/features/:table') return;
    const table = (req.params as { table?: string }).table ?? '';
    m.collector.observeServing(table, reply.statusCode, reply.elapsedTime / 1000);
  });
  // Lifecycle events of the jobs this instance runs (listeners are per process: several platforms may share one).
  const off = onJobEvent((ev) => { if (ev.instance === jobs.instanceId) m.collector.countJobEvent(ev.job, ev.kind); });
  registerMonitoringRoutes(app, m);
  app.addHook('onClose', async () => { off(); await m.close(); });
  return m;
}
