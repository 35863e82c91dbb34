// Small JSON client of the monitoring and alerting API (/api/metrics/..., /api/alerts/...), with the types those
// routes answer; errors become ApiError like the typed client's.
import { ApiError, getToken, type ApiErrorBody } from './api.js';

export type Labels = Record<string, string>;
export interface ChartSeries { label: string; labels: Labels; t: number[]; v: number[] }
export interface Chart { id: string; title: string; unit: string; series: ChartSeries[] }
export interface AlertInstance { fingerprint: string; ruleId: string; ruleName: string; severity: string; labels: Labels; state: 'pending' | 'firing'; since: number; firedAt?: number; value: number; threshold: number; summary: string }
export interface AlertEvent { at: number; kind: 'firing' | 'resolved'; fingerprint: string; ruleId: string; ruleName: string; severity: string; labels: Labels; value: number; threshold: number; summary: string; since: number }
export interface AlertRule {
  id: string; name: string; metric: string; match?: Labels; reduce: string; windowSec?: number; op: string; threshold: number;
  thresholdMetric?: { metric: string; match?: Labels }; forSec: number; severity: string; labels?: Labels; summary?: string; enabled: boolean; builtin?: boolean;
}
export interface Webhook { id: string; name: string; kind: 'json' | 'slack'; url: '***'; minSeverity?: string; repeatIntervalSec?: number }
export interface JobOverview {
  job: string; up?: number; failed?: number; recordsInPerSec?: number; recordsOutPerSec?: number; recordsIn?: number; recordsOut?: number;
  arrivalP99?: number; eventP99?: number; watermarkDelay?: number; lag?: number; stateBytes?: number; deadLetters?: number; late?: number;
  checkpointFailures?: number; restarts?: number; alertsFiring: number;
}
export interface MetricInfo { name: string; type: string; help: string; labels: string[]; series: number }

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${getToken() ?? ''}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) as unknown : undefined;
  if (!res.ok) {
    const e = (json as { error?: ApiErrorBody } | undefined)?.error ?? { code: String(res.status), message: res.statusText || `HTTP ${res.status}` };
    throw new ApiError(res.status, e as ApiErrorBody);
  }
  return json as T;
}
