/**
 * Persistent alerting state in an LMDB environment under the platform's data directory (`<data>/platform/monitoring`):
 * user rules and overrides of built-in rules, webhooks (their URLs are secrets: stored here, never returned by the
 * API), the alert instances currently pending or firing (so a restart neither re-notifies a firing alert nor forgets
 * to resolve it), and the alert history (newest `historyLimit` events).
 */
import { open, type RootDatabase } from 'lmdb';
import type { AlertRule, Severity } from './alert-rules.js';
import type { Labels } from './samples.js';

export type WebhookKind = 'json' | 'slack';

export interface Webhook {
  id: string;
  name: string;
  kind: WebhookKind;
  /** Secret: never returned by the API. */
  url: string;
  /** Only alerts of at least this severity (default info: all). */
  minSeverity?: Severity;
  /** Re-send a still-firing alert after this many seconds (default 4 h; 0 never). */
  repeatIntervalSec?: number;
}

export type AlertState = 'pending' | 'firing';

export interface AlertInstance {
  fingerprint: string;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  labels: Labels;
  state: AlertState;
  /** When the condition started to hold (epoch ms). */
  since: number;
  firedAt?: number;
  value: number;
  threshold: number;
  summary: string;
  /** Per webhook id, when this firing was last sent (dedup and repeat interval). */
  notifiedAt: Record<string, number>;
}

export interface AlertEvent {
  at: number;
  kind: 'firing' | 'resolved';
  fingerprint: string;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  labels: Labels;
  value: number;
  threshold: number;
  summary: string;
  /** firing: when the condition started; resolved: when it fired. */
  since: number;
}

const pad = (n: number): string => String(n).padStart(15, '0');

export class AlertStore {
  private db: RootDatabase | undefined;
  private seq = 0;

  constructor(readonly path: string, readonly historyLimit = 10_000) {}

  private get d(): RootDatabase {
    this.db ??= open({ path: this.path });
    return this.db;
  }

  rules(): AlertRule[] { return [...this.d.getRange({ start: 'rule:', end: 'rule;' })].map((e) => e.value as AlertRule); }
  async putRule(r: AlertRule): Promise<void> { await this.d.put(`rule:${r.id}`, r); }
  async deleteRule(id: string): Promise<void> { await this.d.remove(`rule:${id}`); }

  webhooks(): Webhook[] { return [...this.d.getRange({ start: 'hook:', end: 'hook;' })].map((e) => e.value as Webhook); }
  async putWebhook(w: Webhook): Promise<void> { await this.d.put(`hook:${w.id}`, w); }
  async deleteWebhook(id: string): Promise<void> { await this.d.remove(`hook:${id}`); }

  active(): AlertInstance[] { return [...this.d.getRange({ start: 'active:', end: 'active;' })].map((e) => e.value as AlertInstance); }
  async putActive(a: AlertInstance): Promise<void> { await this.d.put(`active:${a.fingerprint}`, a); }
  async deleteActive(fingerprint: string): Promise<void> { await this.d.remove(`active:${fingerprint}`); }

  async addEvent(e: AlertEvent): Promise<void> {
    this.seq = (this.seq + 1) % 1000;
    await this.d.put(`hist:${pad(e.at)}:${String(this.seq).padStart(3, '0')}`, e);
    const n = this.d.getKeysCount({ start: 'hist:', end: 'hist;' });
    if (n > this.historyLimit) {
      const old = [...this.d.getKeys({ start: 'hist:', end: 'hist;', limit: n - this.historyLimit })];
      for (const k of old) await this.d.remove(k);
    }
  }

  /** History events, newest first. */
  history(limit = 100, filter?: { ruleId?: string; fingerprint?: string }): AlertEvent[] {
    const out: AlertEvent[] = [];
    for (const { value } of this.d.getRange({ start: 'hist;', end: 'hist:', reverse: true })) {
      const e = value as AlertEvent;
      if (filter?.ruleId && e.ruleId !== filter.ruleId) continue;
      if (filter?.fingerprint && e.fingerprint !== filter.fingerprint) continue;
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  async close(): Promise<void> {
    const d = this.db;
    this.db = undefined;
    if (d) await d.close();
  }
}
