/**
 * Alert rules: a condition over the monitored series, held for a duration. A rule selects the series of one metric
 * (optionally filtered by labels), reduces each series over a window (`last` value, `rate`/`increase` of a counter,
 * `avg`/`max`/`min`), and compares the result with a threshold: a number, or the value of another metric's series
 * with the same labels (e.g. a check's mismatch ratio against that feature's threshold). Every series is its own
 * alert instance (one per job, source, ...), identified by the rule id and the series labels.
 *
 * The built-in rules cover the list with defaults that can be changed (or the rule disabled) through the
 * API; user rules can use any metric of metric-catalog.ts or a check provider's.
 */
import { FreshetError, diag } from '../../common/diagnostics.js';
import { METRIC_BY_NAME } from './metric-catalog.js';
import type { Labels } from './samples.js';

export const AlertErrors = {
  InvalidRule: 'ALERT001',
  UnknownRule: 'ALERT002',
  BuiltinRule: 'ALERT003',
  InvalidWebhook: 'ALERT004',
  UnknownWebhook: 'ALERT005',
} as const;

export type Reducer = 'last' | 'rate' | 'increase' | 'avg' | 'max' | 'min';
export type Op = '>' | '>=' | '<' | '<=' | '==' | '!=';
export type Severity = 'info' | 'warning' | 'critical';

export interface AlertRule {
  id: string;
  name: string;
  /** A metric name of the catalog (or `freshet_check_value`). */
  metric: string;
  /** Label filter: exact values, or `*` for "label present". */
  match?: Labels;
  reduce: Reducer;
  /** Window of rate/increase/avg/max/min, seconds (default 300). */
  windowSec?: number;
  op: Op;
  threshold: number;
  /** Compare with this metric's series of the same labels instead of `threshold` (series without one are skipped). */
  thresholdMetric?: { metric: string; match?: Labels };
  /** How long the condition must hold before the alert fires, seconds (0: at once). */
  forSec: number;
  severity: Severity;
  /** Extra labels on the alert (routing, team). */
  labels?: Labels;
  /** Message template: {{value}}, {{threshold}}, {{window}} and {{label}} of any series label, e.g. {{job}}. */
  summary?: string;
  enabled: boolean;
  builtin?: boolean;
}

export type AlertRuleInput = Omit<AlertRule, 'id' | 'builtin' | 'enabled' | 'forSec' | 'reduce' | 'severity'> & Partial<Pick<AlertRule, 'id' | 'enabled' | 'forSec' | 'reduce' | 'severity'>>;

const rule = (r: Omit<AlertRule, 'enabled' | 'builtin'>): AlertRule => ({ ...r, enabled: true, builtin: true });

/** The built-in rules with their default thresholds. */
export const BUILTIN_RULES: readonly AlertRule[] = [
  rule({ id: 'job-failed', name: 'Job failed', metric: 'freshet_job_failed', reduce: 'last', op: '>', threshold: 0, forSec: 0, severity: 'critical', summary: 'job {{job}} failed' }),
  rule({ id: 'job-restarting', name: 'Job restarting', metric: 'freshet_job_restarts_total', reduce: 'increase', windowSec: 600, op: '>', threshold: 0, forSec: 0, severity: 'warning', summary: 'job {{job}} restarted {{value}} times in {{window}}' }),
  rule({ id: 'kafka-lag', name: 'Kafka consumer lag high', metric: 'freshet_source_lag', reduce: 'last', op: '>', threshold: 100_000, forSec: 60, severity: 'warning', summary: 'source {{source}} of job {{job}} lags {{value}} records' }),
  rule({ id: 'no-input', name: 'No input', metric: 'freshet_source_idle_seconds', reduce: 'last', op: '>', threshold: 600, forSec: 0, severity: 'warning', summary: 'source {{source}} of job {{job}} delivered nothing for {{value}} s' }),
  rule({ id: 'latency-p99', name: 'Latency p99 high', metric: 'freshet_arrival_to_store_p99_seconds', reduce: 'last', op: '>', threshold: 5, forSec: 60, severity: 'warning', summary: 'p99 arrival → store latency of {{output}} (job {{job}}) is {{value}} s' }),
  rule({ id: 'checkpoint-failing', name: 'Checkpoint failing', metric: 'freshet_checkpoint_failures_total', reduce: 'increase', windowSec: 600, op: '>', threshold: 0, forSec: 0, severity: 'critical', summary: 'job {{job}}: {{value}} checkpoint failures in {{window}}' }),
  rule({ id: 'dead-letters-rising', name: 'Dead letters rising', metric: 'freshet_dead_letters_total', reduce: 'increase', windowSec: 300, op: '>', threshold: 0, forSec: 0, severity: 'warning', summary: 'job {{job}} dead-lettered {{value}} records in {{window}}' }),
  rule({ id: 'check-mismatch', name: 'Check mismatch above threshold', metric: 'freshet_check_value', match: { check: 'mismatch_rate' }, reduce: 'last', op: '>', threshold: 0, thresholdMetric: { metric: 'freshet_check_value', match: { check: 'threshold' } }, forSec: 0, severity: 'warning', summary: 'feature table {{table}}: mismatch rate {{value}} above its threshold {{threshold}}' }),
];

const REDUCERS: readonly Reducer[] = ['last', 'rate', 'increase', 'avg', 'max', 'min'];
const OPS: readonly Op[] = ['>', '>=', '<', '<=', '==', '!='];
const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export function compare(v: number, op: Op, t: number): boolean {
  switch (op) {
    case '>': return v > t;
    case '>=': return v >= t;
    case '<': return v < t;
    case '<=': return v <= t;
    case '==': return v === t;
    case '!=': return v !== t;
  }
}

const bad = (message: string, field: string, hint?: string): FreshetError => new FreshetError({ ...diag(AlertErrors.InvalidRule, message, undefined, hint), source: field });

function checkLabels(l: unknown, field: string): Labels | undefined {
  if (l === undefined) return undefined;
  if (l === null || typeof l !== 'object' || Array.isArray(l)) throw bad(`${field} must be an object of strings`, field);
  for (const [k, v] of Object.entries(l)) if (typeof v !== 'string') throw bad(`${field}.${k} must be a string`, `${field}.${k}`);
  return { ...(l as Labels) };
}

/** Whether `name` is a metric rules may use. */
export function knownMetric(name: string): boolean { return METRIC_BY_NAME.has(name); }

/** Validates a rule from the API; returns the normalized rule (defaults applied). Throws FreshetError naming the field. */
export function normalizeRule(input: AlertRuleInput, id: string): AlertRule {
  if (typeof input.name !== 'string' || input.name.trim() === '') throw bad('name is required', 'name');
  if (typeof input.metric !== 'string' || !knownMetric(input.metric)) {
    throw bad(`unknown metric '${String(input.metric)}'`, 'metric', 'list the metrics with GET /api/metrics');
  }
  const reduce = input.reduce ?? 'last';
  if (!REDUCERS.includes(reduce)) throw bad(`reduce must be one of ${REDUCERS.join(', ')}`, 'reduce');
  if (!OPS.includes(input.op)) throw bad(`op must be one of ${OPS.join(' ')}`, 'op');
  if (typeof input.threshold !== 'number' || !Number.isFinite(input.threshold)) throw bad('threshold must be a finite number', 'threshold');
  const forSec = input.forSec ?? 0;
  if (typeof forSec !== 'number' || forSec < 0 || !Number.isFinite(forSec)) throw bad('forSec must be a number of seconds ≥ 0', 'forSec');
  if (input.windowSec !== undefined && (typeof input.windowSec !== 'number' || input.windowSec <= 0)) throw bad('windowSec must be a positive number of seconds', 'windowSec');
  const severity = input.severity ?? 'warning';
  if (!SEVERITIES.includes(severity)) throw bad(`severity must be one of ${SEVERITIES.join(', ')}`, 'severity');
  if (input.thresholdMetric !== undefined && (typeof input.thresholdMetric?.metric !== 'string' || !knownMetric(input.thresholdMetric.metric))) {
    throw bad(`unknown metric '${String(input.thresholdMetric?.metric)}'`, 'thresholdMetric.metric');
  }
  const match = checkLabels(input.match, 'match');
  const labels = checkLabels(input.labels, 'labels');
  const tmMatch = input.thresholdMetric ? checkLabels(input.thresholdMetric.match, 'thresholdMetric.match') : undefined;
  return {
    id, name: input.name.trim(), metric: input.metric, reduce, op: input.op, threshold: input.threshold, forSec, severity,
    enabled: input.enabled ?? true,
    ...(match ? { match } : {}),
    ...(input.windowSec !== undefined ? { windowSec: input.windowSec } : {}),
    ...(input.thresholdMetric ? { thresholdMetric: { metric: input.thresholdMetric.metric, ...(tmMatch ? { match: tmMatch } : {}) } } : {}),
    ...(labels ? { labels } : {}),
    ...(typeof input.summary === 'string' ? { summary: input.summary } : {}),
  };
}

/** Renders a summary template. */
export function renderSummary(r: AlertRule, labels: Labels, value: number, threshold: number): string {
  const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toPrecision(4));
  const tpl = r.summary ?? `${r.name}: ${r.metric} ${r.op} {{threshold}} (value {{value}})`;
  const w = r.windowSec ?? 300;
  const window = w % 3600 === 0 ? `${w / 3600} h` : w % 60 === 0 ? `${w / 60} min` : `${w} s`;
  return tpl.replace(/\{\{\s*([a-zA-Z_][\w]*)\s*\}\}/g, (_m, k: string) => (k === 'value' ? fmt(value) : k === 'threshold' ? fmt(threshold) : k === 'window' ? window : labels[k] ?? ''));
}
