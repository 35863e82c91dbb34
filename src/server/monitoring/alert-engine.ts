/**
 * Evaluates the alert rules over the time-series store after every collection and drives each alert instance
 * (rule × series labels) through pending → firing → resolved:
 *   - the condition holds → pending (since now); it held for `forSec` → firing: a history event, one notification
 *     per webhook (dedup: an instance is notified once per firing, also across restarts since the instance state is
 *     persisted), then again every webhook's repeat interval while it keeps firing;
 *   - the condition stops holding (or the series disappears) → a pending instance is dropped silently, a firing one
 *     resolves: a history event and a resolved notification to the webhooks that were told it fired.
 * Deliveries run in the background with retries (webhook-notifier.ts) and never hold up evaluation.
 */
import { createHash } from 'node:crypto';
import { FreshetError, diag } from '../../common/diagnostics.js';
import { AlertErrors, BUILTIN_RULES, compare, normalizeRule, renderSummary, type AlertRule, type AlertRuleInput, type Severity } from './alert-rules.js';
import type { AlertEvent, AlertInstance, AlertStore, Webhook, WebhookKind } from './alert-store.js';
import { seriesKey, type Labels, type Sample } from './samples.js';
import { increase, type TimeSeriesStore } from './time-series-store.js';
import { DEFAULT_RETRY, deliver, type Notification, type RetryPolicy } from './webhook-notifier.js';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
const DEFAULT_REPEAT_SEC = 4 * 3600;

export interface AlertEngineOptions {
  store: AlertStore;
  series: TimeSeriesStore;
  /** Collection interval (ms): a `last` value older than three intervals counts as absent. */
  intervalMs: number;
  instance: string;
  retry?: RetryPolicy;
  now?: () => number;
  /** Base URL of the UI for links in notifications. */
  publicUrl?: string;
}

/** A webhook as the API shows it: the URL is never returned. */
export type WebhookView = Omit<Webhook, 'url'> & { url: '***' };

export interface DeliveryRecord { at: number; webhook: string; status: 'firing' | 'resolved'; repeat: boolean; fingerprint: string; ok: boolean; attempts: number; error?: string }

const fingerprintOf = (ruleId: string, labels: Labels): string => createHash('sha256').update(seriesKey(ruleId, labels)).digest('hex').slice(0, 16);

export class AlertEngine {
  private rules = new Map<string, AlertRule>();
  private active = new Map<string, AlertInstance>();
  private readonly now: () => number;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  /** The most recent deliveries (newest last), for the API and tests. */
  readonly deliveries: DeliveryRecord[] = [];

  constructor(private readonly o: AlertEngineOptions) {
    this.now = o.now ?? Date.now;
    for (const r of BUILTIN_RULES) this.rules.set(r.id, r);
    for (const r of o.store.rules()) this.rules.set(r.id, r.builtin ? { ...BUILTIN_RULES.find((b) => b.id === r.id)!, ...r, builtin: true } : r);
    for (const a of o.store.active()) this.active.set(a.fingerprint, a);
  }

  listRules(): AlertRule[] { return [...this.rules.values()]; }
  getRule(id: string): AlertRule | undefined { return this.rules.get(id); }

  async createRule(input: AlertRuleInput): Promise<AlertRule> {
    const id = input.id ?? `rule-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(id)) throw new FreshetError({ ...diag(AlertErrors.InvalidRule, 'id: letters, digits, _ . - (at most 64)'), source: 'id' });
    if (this.rules.has(id)) throw new FreshetError({ ...diag(AlertErrors.InvalidRule, `rule '${id}' exists`, undefined, `change it with PUT /api/alerts/rules/${id}`), source: 'id' });
    const r = normalizeRule(input, id);
    await this.o.store.putRule(r);
    this.rules.set(id, r);
    return r;
  }

  /** Replaces a user rule; for a built-in rule, changes its threshold, duration, severity, labels or enabled flag. */
  async updateRule(id: string, input: AlertRuleInput): Promise<AlertRule> {
    const cur = this.rules.get(id);
    if (!cur) throw new FreshetError(diag(AlertErrors.UnknownRule, `unknown alert rule '${id}'`));
    const r = cur.builtin
      ? { ...normalizeRule({ ...cur, ...input, metric: cur.metric, reduce: input.reduce ?? cur.reduce }, id), builtin: true as const }
      : normalizeRule(input, id);
    if (cur.builtin && r.metric !== cur.metric) throw new FreshetError({ ...diag(AlertErrors.BuiltinRule, `the metric of built-in rule '${id}' cannot change`), source: 'metric' });
    await this.o.store.putRule(r);
    this.rules.set(id, r);
    return r;
  }

  async deleteRule(id: string): Promise<void> {
    const cur = this.rules.get(id);
    if (!cur) throw new FreshetError(diag(AlertErrors.UnknownRule, `unknown alert rule '${id}'`));
    if (cur.builtin) throw new FreshetError(diag(AlertErrors.BuiltinRule, `built-in rule '${id}' cannot be deleted`, undefined, 'disable it with PUT {"enabled": false}'));
    await this.o.store.deleteRule(id);
    this.rules.delete(id);
  }

  webhooks(): WebhookView[] { return this.o.store.webhooks().map(({ url: _url, ...w }) => ({ ...w, url: '***' as const })); }

  async putWebhook(input: { id?: string; name?: string; kind?: WebhookKind; url?: string; minSeverity?: Severity; repeatIntervalSec?: number }): Promise<WebhookView> {
    const bad = (m: string, f: string): FreshetError => new FreshetError({ ...diag(AlertErrors.InvalidWebhook, m), source: f });
    const id = input.id ?? `hook-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const cur = this.o.store.webhooks().find((w) => w.id === id);
    const url = input.url ?? cur?.url;
    if (!url || !/^https?:\/\//.test(url)) throw bad('url must be an http(s) URL', 'url');
    try { new URL(url); } catch { throw bad('url is not a valid URL', 'url'); }
    const kind = input.kind ?? cur?.kind ?? 'json';
    if (kind !== 'json' && kind !== 'slack') throw bad("kind must be 'json' or 'slack'", 'kind');
    if (input.minSeverity !== undefined && !(input.minSeverity in SEVERITY_RANK)) throw bad('minSeverity must be info, warning or critical', 'minSeverity');
    if (input.repeatIntervalSec !== undefined && (typeof input.repeatIntervalSec !== 'number' || input.repeatIntervalSec < 0)) throw bad('repeatIntervalSec must be ≥ 0', 'repeatIntervalSec');
    const w: Webhook = {
      id, name: input.name ?? cur?.name ?? id, kind, url,
      ...((input.minSeverity ?? cur?.minSeverity) ? { minSeverity: input.minSeverity ?? cur!.minSeverity! } : {}),
      ...((input.repeatIntervalSec ?? cur?.repeatIntervalSec) !== undefined ? { repeatIntervalSec: input.repeatIntervalSec ?? cur!.repeatIntervalSec! } : {}),
    };
    await this.o.store.putWebhook(w);
    const { url: _u, ...view } = w;
    return { ...view, url: '***' };
  }

  async deleteWebhook(id: string): Promise<void> {
    if (!this.o.store.webhooks().some((w) => w.id === id)) throw new FreshetError(diag(AlertErrors.UnknownWebhook, `unknown webhook '${id}'`));
    await this.o.store.deleteWebhook(id);
  }

  /** Pending and firing alerts. */
  alerts(): AlertInstance[] { return [...this.active.values()].sort((a, b) => b.since - a.since); }

  history(limit?: number, filter?: { ruleId?: string; fingerprint?: string }): AlertEvent[] { return this.o.store.history(limit, filter); }

  /** Firing alerts per rule and severity, as samples for `freshet_alerts_firing`. */
  firingSamples(): Sample[] {
    const m = new Map<string, Sample>();
    for (const r of this.rules.values()) m.set(r.id, { name: 'freshet_alerts_firing', labels: { rule: r.id, severity: r.severity }, value: 0 });
    for (const a of this.active.values()) if (a.state === 'firing') { const s = m.get(a.ruleId); if (s) s.value++; }
    return [...m.values()];
  }

  /** Values of one rule per series (labels → value), as of now. */
  private values(r: AlertRule, now: number): { labels: Labels; value: number; threshold: number }[] {
    const out: { labels: Labels; value: number; threshold: number }[] = [];
    const windowMs = (r.windowSec ?? 300) * 1000;
    const fresh = now - 3 * this.o.intervalMs;
    const since = r.reduce === 'last' ? fresh : now - windowMs - this.o.intervalMs;
    let thresholds: Map<string, number> | undefined;
    if (r.thresholdMetric) {
      thresholds = new Map();
      const drop = new Set([...Object.keys(r.thresholdMetric.match ?? {}), ...Object.keys(r.match ?? {})]);
      for (const s of this.o.series.latest(r.thresholdMetric.metric, r.thresholdMetric.match)) {
        if (s.t >= fresh) thresholds.set(seriesKey('', strip(s.labels, drop)), s.value);
      }
    }
    const dropOwn = new Set([...Object.keys(r.thresholdMetric?.match ?? {}), ...Object.keys(r.match ?? {})]);
    for (const s of this.o.series.select(r.metric, r.match, since)) {
      if (s.v.length === 0 || s.t[s.t.length - 1]! < fresh) continue; // the series went away
      let value: number;
      switch (r.reduce) {
        case 'last': value = s.v[s.v.length - 1]!; break;
        case 'increase': value = increase(s.v); break;
        case 'rate': { const span = (s.t[s.t.length - 1]! - s.t[0]!) / 1000; value = span > 0 ? increase(s.v) / span : 0; break; }
        case 'avg': value = s.v.reduce((a, b) => a + b, 0) / s.v.length; break;
        case 'max': value = Math.max(...s.v); break;
        case 'min': value = Math.min(...s.v); break;
      }
      let threshold = r.threshold;
      if (thresholds) {
        const t = thresholds.get(seriesKey('', strip(s.labels, dropOwn)));
        if (t === undefined) continue;
        threshold = t;
      }
      out.push({ labels: s.labels, value, threshold });
    }
    return out;
  }

  /** One evaluation of every enabled rule (after a collection). */
  async evaluate(): Promise<void> {
    const now = this.now();
    const seen = new Set<string>();
    for (const r of this.rules.values()) {
      if (!r.enabled) continue;
      for (const { labels, value, threshold } of this.values(r, now)) {
        if (!compare(value, r.op, threshold)) continue;
        const all = { ...labels, ...(r.labels ?? {}) };
        const fp = fingerprintOf(r.id, labels);
        seen.add(fp);
        const summary = renderSummary(r, all, value, threshold);
        let a = this.active.get(fp);
        if (!a) {
          a = { fingerprint: fp, ruleId: r.id, ruleName: r.name, severity: r.severity, labels: all, state: 'pending', since: now, value, threshold, summary, notifiedAt: {} };
          this.active.set(fp, a);
        } else Object.assign(a, { value, threshold, summary, severity: r.severity, ruleName: r.name });
        if (a.state === 'pending' && now - a.since >= r.forSec * 1000) {
          a.state = 'firing';
          a.firedAt = now;
          await this.o.store.addEvent({ at: now, kind: 'firing', fingerprint: fp, ruleId: r.id, ruleName: r.name, severity: r.severity, labels: all, value, threshold, summary, since: a.since });
        }
        if (a.state === 'firing') this.notifyFiring(a, now);
        await this.o.store.putActive(a);
      }
    }
    for (const a of [...this.active.values()]) {
      if (seen.has(a.fingerprint)) continue;
      this.active.delete(a.fingerprint);
      await this.o.store.deleteActive(a.fingerprint);
      if (a.state !== 'firing') continue;
      const ev: AlertEvent = { at: now, kind: 'resolved', fingerprint: a.fingerprint, ruleId: a.ruleId, ruleName: a.ruleName, severity: a.severity, labels: a.labels, value: a.value, threshold: a.threshold, summary: a.summary, since: a.firedAt ?? a.since };
      await this.o.store.addEvent(ev);
      for (const h of this.o.store.webhooks()) {
        if (a.notifiedAt[h.id] !== undefined) this.send(h, { status: 'resolved', repeat: false, alert: { ...a }, at: now, instance: this.o.instance, ...this.link() });
      }
    }
  }

  private link(): { url?: string } { return this.o.publicUrl ? { url: `${this.o.publicUrl.replace(/\/$/, '')}/#/alerts` } : {}; }

  private notifyFiring(a: AlertInstance, now: number): void {
    for (const h of this.o.store.webhooks()) {
      if (SEVERITY_RANK[a.severity] < SEVERITY_RANK[h.minSeverity ?? 'info']) continue;
      const last = a.notifiedAt[h.id];
      const repeatMs = (h.repeatIntervalSec ?? DEFAULT_REPEAT_SEC) * 1000;
      if (last !== undefined && (repeatMs === 0 || now - last < repeatMs)) continue;
      a.notifiedAt[h.id] = now;
      this.send(h, { status: 'firing', repeat: last !== undefined, alert: { ...a, notifiedAt: { ...a.notifiedAt } }, at: now, instance: this.o.instance, ...this.link() });
    }
  }

  private send(h: Webhook, n: Notification): void {
    const p = deliver(h, n, this.o.retry ?? DEFAULT_RETRY, this.abort.signal).then((res) => {
      this.deliveries.push({ at: this.now(), webhook: h.id, status: n.status, repeat: n.repeat, fingerprint: n.alert.fingerprint, ...res });
      if (this.deliveries.length > 500) this.deliveries.splice(0, this.deliveries.length - 500);
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Waits for the deliveries in flight (tests, shutdown). */
  async settle(): Promise<void> { while (this.inflight.size > 0) await Promise.all([...this.inflight]); }

  /** Stops waiting retries; deliveries in flight finish their current attempt. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.settle();
  }
}

function strip(labels: Labels, drop: Set<string>): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) if (!drop.has(k)) out[k] = v;
  return out;
}
