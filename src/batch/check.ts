/**
 * Checking (docs/offline.md): recomputes a feature from offline data as of a time T and compares it with what serving
 * answers for T. Per feature column, as Airbnb Chronon reports consistency: mismatch, missing and extra rates, the
 * relative-error distribution (percentiles) and the worst keys. Results are kept in the table's meta `checks` (the
 * newest 50) with the alert threshold of the table's check policy (meta `check-policy`).
 *
 * Definitions (per checked key; keys = keys with offline events in the longest window before T, plus extra keys):
 *   missing   the offline truth has events, serving found none
 *   extra     serving found events, the offline truth has none
 *   mismatch  both found, some feature column differs by more than `tolerance` relative error
 *   relative error of a column: |served − truth| / max(|truth|, 1) (non-numeric values: 0 when equal, else 1)
 * Rates: mismatch / keys found on both sides, missing / keys found offline, extra / keys found online.
 * Alert: any of the three rates above the threshold.
 */
import type { KvStore } from '../engine/kv-store-api.js';
import { appendMeta, readJsonMeta, META_CHECKS, META_CHECK_POLICY } from './fusion-record.js';
import type { FeatureReaders } from './readers.js';
import { featureSpec, type FeatureSource } from './tile-build.js';
import { buildTruth } from './truth.js';

export interface CheckPolicy {
  /** Alert when a rate exceeds it (default 0.01). */
  threshold: number;
  /** Correct automatically after a check that alerts (the caller's scheduler acts on it). */
  autoCorrect: boolean;
}

export const DEFAULT_POLICY: CheckPolicy = { threshold: 0.01, autoCorrect: false };

export interface Distribution { p50: number; p90: number; p99: number; max: number; mean: number }

export interface ColumnCheck {
  name: string;
  compared: number;
  mismatches: number;
  mismatchRate: number;
  relError: Distribution;
}

export interface KeyDiff { key: string; column: string; served: unknown; truth: unknown; relError: number }

export interface CheckResult {
  id: string;
  table: string;
  /** The checked time T. */
  at: number;
  checkedAt: number;
  durationMs: number;
  keys: number;
  offlineFound: number;
  onlineFound: number;
  mismatches: number;
  missing: number;
  extra: number;
  mismatchRate: number;
  missingRate: number;
  extraRate: number;
  threshold: number;
  alert: boolean;
  columns: ColumnCheck[];
  /** The worst differences, largest relative error first. */
  worstKeys: KeyDiff[];
  /** Keys that differ in any way (mismatch, missing, extra), at most 1000. */
  affected: string[];
  /** Serving's incomplete reasons for T (a check of an incomplete answer is not trustworthy). */
  incomplete: string[];
  offlineEvents: number;
}

export interface CheckOptions extends FeatureSource {
  /** The opened online store (results and policy are kept in its table meta). */
  store: KvStore;
  readers: FeatureReaders;
  at: number;
  /** Extra keys to check (e.g. keys known to serving). */
  keys?: readonly string[];
  /** Relative error under which values are equal (default 1e-9). */
  tolerance?: number;
  worst?: number;
  /** Keep the result in the table meta (default true). */
  save?: boolean;
  now?: () => number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);

function relError(served: unknown, truth: unknown): number {
  if (served === truth) return 0;
  const a = num(served), b = num(truth);
  if (a !== undefined && b !== undefined) return Math.abs(a - b) / Math.max(Math.abs(b), 1);
  if ((served === null || served === undefined) && (truth === null || truth === undefined)) return 0;
  return JSON.stringify(served) === JSON.stringify(truth) ? 0 : 1;
}

function distribution(xs: number[]): Distribution {
  if (xs.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1]!, mean: s.reduce((a, x) => a + x, 0) / s.length };
}

export async function runCheck(o: CheckOptions): Promise<CheckResult> {
  const now = o.now ?? Date.now;
  const t0 = now();
  const spec = featureSpec(o);
  const truth = await buildTruth(o, spec, o.at, o.at);
  const keys = [...new Set([...truth.store.keys(truth.table), ...(o.keys ?? [])])].sort();
  const [t, s] = await Promise.all([
    o.readers.tiles(truth.store, truth.table, keys, o.at, truth.spec),
    o.readers.served(spec.table, keys, o.at),
  ]);
  const tol = o.tolerance ?? 1e-9;
  const cols = spec.columns.filter((c) => c.kind === 'feature').map((c) => c.name);
  const errs = cols.map(() => [] as number[]);
  const colMismatch = cols.map(() => 0);
  const diffs: KeyDiff[] = [];
  const affected: string[] = [];
  let offlineFound = 0, onlineFound = 0, both = 0, mismatches = 0, missing = 0, extra = 0;
  for (let i = 0; i < keys.length; i++) {
    const tr = t.results[i]!, sr = s.results[i]!;
    if (tr.found) offlineFound++;
    if (sr.found) onlineFound++;
    if (tr.found && !sr.found) { missing++; affected.push(tr.key); continue; }
    if (!tr.found && sr.found) { extra++; affected.push(tr.key); continue; }
    if (!tr.found) continue;
    both++;
    let bad = false;
    cols.forEach((c, j) => {
      const e = relError(sr.values[c], tr.values[c]);
      errs[j]!.push(e);
      if (e > tol) {
        bad = true;
        colMismatch[j]!++;
        diffs.push({ key: tr.key, column: c, served: sr.values[c] ?? null, truth: tr.values[c] ?? null, relError: e });
      }
    });
    if (bad) { mismatches++; affected.push(tr.key); }
  }
  const policy = (await readJsonMeta<CheckPolicy>(o.store, spec.table, META_CHECK_POLICY)) ?? DEFAULT_POLICY;
  const rate = (n: number, d: number): number => (d === 0 ? 0 : n / d);
  const mismatchRate = rate(mismatches, both), missingRate = rate(missing, offlineFound), extraRate = rate(extra, onlineFound);
  const result: CheckResult = {
    id: `${spec.table}@${o.at}@${t0}`, table: spec.table, at: o.at, checkedAt: t0, durationMs: now() - t0,
    keys: keys.length, offlineFound, onlineFound, mismatches, missing, extra, mismatchRate, missingRate, extraRate,
    threshold: policy.threshold, alert: Math.max(mismatchRate, missingRate, extraRate) > policy.threshold,
    columns: cols.map((name, j) => ({ name, compared: errs[j]!.length, mismatches: colMismatch[j]!, mismatchRate: rate(colMismatch[j]!, errs[j]!.length), relError: distribution(errs[j]!) })),
    worstKeys: diffs.sort((a, b) => b.relError - a.relError).slice(0, o.worst ?? 10),
    affected: affected.slice(0, 1000), incomplete: s.incomplete, offlineEvents: truth.build.events,
  };
  if (o.save !== false) await appendMeta(o.store, spec.table, META_CHECKS, result, 50);
  return result;
}

/** Stored check results of a table, oldest first. */
export async function listChecks(store: KvStore, table: string): Promise<CheckResult[]> {
  return (await readJsonMeta<CheckResult[]>(store, table, META_CHECKS)) ?? [];
}

export interface CheckSummary {
  table: string; at: number; checkedAt: number; mismatchRate: number; missingRate: number; extraRate: number; threshold: number; alert: boolean;
}

/** The newest check of a table, for alerting (null when never checked). */
export async function lastCheck(store: KvStore, table: string): Promise<CheckSummary | null> {
  const all = await listChecks(store, table);
  const c = all[all.length - 1];
  if (c === undefined) return null;
  return { table: c.table, at: c.at, checkedAt: c.checkedAt, mismatchRate: c.mismatchRate, missingRate: c.missingRate, extraRate: c.extraRate, threshold: c.threshold, alert: c.alert };
}

export async function getCheckPolicy(store: KvStore, table: string): Promise<CheckPolicy> {
  return (await readJsonMeta<CheckPolicy>(store, table, META_CHECK_POLICY)) ?? DEFAULT_POLICY;
}

export async function setCheckPolicy(store: KvStore, table: string, policy: Partial<CheckPolicy>): Promise<CheckPolicy> {
  const p = { ...(await getCheckPolicy(store, table)), ...policy };
  await store.putMeta(table, META_CHECK_POLICY, JSON.stringify(p));
  return p;
}

export interface MetricSample { name: string; value: number; labels: Record<string, string> }

/** Check results as metric samples (the monitoring work exports them). */
export function checkMetrics(checks: readonly CheckResult[]): MetricSample[] {
  const out: MetricSample[] = [];
  for (const c of checks) {
    const labels = { table: c.table };
    out.push({ name: 'freshet_feature_check_mismatch_rate', value: c.mismatchRate, labels });
    out.push({ name: 'freshet_feature_check_missing_rate', value: c.missingRate, labels });
    out.push({ name: 'freshet_feature_check_extra_rate', value: c.extraRate, labels });
    out.push({ name: 'freshet_feature_check_threshold', value: c.threshold, labels });
    out.push({ name: 'freshet_feature_check_alert', value: c.alert ? 1 : 0, labels });
    out.push({ name: 'freshet_feature_check_time_seconds', value: c.checkedAt / 1000, labels });
    for (const col of c.columns) {
      out.push({ name: 'freshet_feature_check_rel_error_p99', value: col.relError.p99, labels: { table: c.table, column: col.name } });
    }
  }
  return out;
}
