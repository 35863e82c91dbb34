/**
 * Delivers alert notifications to webhooks: a generic JSON payload or a Slack-compatible one (`{text, blocks}`, for
 * Slack incoming webhooks and compatible receivers). A delivery is retried with exponential backoff on network
 * errors and 5xx/429 answers; every attempt of one notification carries the same `X-Freshet-Dedup-Key` (the alert's
 * fingerprint, its firing time and the notification kind) so a receiver can drop duplicates of a retried request.
 */
import type { AlertEvent, AlertInstance, Webhook } from './alert-store.js';

export interface Notification {
  status: 'firing' | 'resolved';
  /** A repeat of a still-firing alert (repeat interval). */
  repeat: boolean;
  alert: AlertInstance | AlertEvent;
  at: number;
  /** Where the alert was raised (platform instance). */
  instance: string;
  /** Link to the alert in the UI, when the public URL is known. */
  url?: string;
}

export interface RetryPolicy { attempts: number; initialMs: number; maxMs: number; timeoutMs: number }

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialMs: 500, maxMs: 30_000, timeoutMs: 5000 };

const firedAt = (a: AlertInstance | AlertEvent): number => ('firedAt' in a && a.firedAt !== undefined ? a.firedAt : a.since);

export function dedupKey(n: Notification): string {
  return `${n.alert.fingerprint}:${firedAt(n.alert)}:${n.status}${n.repeat ? `:${n.at}` : ''}`;
}

/** The generic JSON payload. */
export function jsonPayload(n: Notification): Record<string, unknown> {
  const a = n.alert;
  return {
    version: 1, source: 'freshet', status: n.status, repeat: n.repeat, dedupKey: dedupKey(n), instance: n.instance,
    alert: {
      fingerprint: a.fingerprint, rule: a.ruleId, name: a.ruleName, severity: a.severity, labels: a.labels,
      value: a.value, threshold: a.threshold, summary: a.summary,
      startsAt: new Date(firedAt(a)).toISOString(),
      ...(n.status === 'resolved' ? { endsAt: new Date(n.at).toISOString() } : {}),
    },
    ...(n.url ? { url: n.url } : {}),
  };
}

/** The Slack-compatible payload. */
export function slackPayload(n: Notification): { text: string; blocks: unknown[] } {
  const a = n.alert;
  const icon = n.status === 'resolved' ? ':white_check_mark:' : a.severity === 'critical' ? ':rotating_light:' : ':warning:';
  const head = `${n.status === 'resolved' ? 'RESOLVED' : 'FIRING'}${n.repeat ? ' (repeat)' : ''} [${a.severity}] ${a.ruleName}`;
  const text = `${icon} ${head}: ${a.summary}`;
  const labels = Object.entries(a.labels).map(([k, v]) => `${k}=\`${v}\``).join('  ');
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${head}*\n${a.summary}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${labels || 'no labels'} · value ${a.value} · threshold ${a.threshold} · ${n.instance}` }] },
    ],
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * POSTs `n` to `hook`, retrying failed attempts with backoff; resolves to whether it was delivered (never throws).
 * `signal` aborts waiting retries (platform shutdown).
 */
export async function deliver(hook: Webhook, n: Notification, retry: RetryPolicy = DEFAULT_RETRY, signal?: AbortSignal): Promise<{ ok: boolean; attempts: number; error?: string }> {
  const body = JSON.stringify(hook.kind === 'slack' ? slackPayload(n) : jsonPayload(n));
  let error = '';
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    if (signal?.aborted) break;
    try {
      const res = await fetch(hook.url, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', 'x-freshet-dedup-key': dedupKey(n), 'user-agent': 'freshet-alerts' },
        signal: AbortSignal.timeout(retry.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, attempts: attempt };
      error = `HTTP ${res.status}`;
      // A 4xx other than 429 will not get better by retrying.
      if (res.status < 500 && res.status !== 429) return { ok: false, attempts: attempt, error };
    } catch (e) {
      error = (e as Error).message;
    }
    if (attempt < retry.attempts) await sleep(Math.min(retry.maxMs, retry.initialMs * 2 ** (attempt - 1)));
  }
  return { ok: false, attempts: retry.attempts, error };
}
