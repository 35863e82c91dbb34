/**
 * Correction (docs/offline.md): makes serving answer the offline truth for a checked time T by moving the fusion
 * boundary forward over closed positions — a new offline build up to B' = T's window end rounded up to the coarsest
 * tile size (at least the current boundary) — instead of writing into the streaming job's records. The running job
 * keeps its state and its versioned, replay-idempotent writes; its tiles before B' are simply no longer read. So
 * exactly-once is untouched, and a replay of the job cannot undo a correction.
 *
 * Positions must be closed: the stream's watermark must have passed B' (otherwise late-arriving stream events would
 * be hidden behind the boundary while the offline twin does not have them yet).
 *
 * Audit (meta `audit`, newest 200): when, why, by whom, the check it answers, boundary before and after, and per
 * affected key and column the served value at T before and after.
 */
import { FreshetError, diag } from '../common/diagnostics.js';
import type { KvStore } from '../engine/kv-store-api.js';
import { ceilTo } from '../plan/rules/tile-features.js';
import { BatchErrors } from './batch-error-codes.js';
import { backfill, coarsestOf, type BackfillResult } from './backfill.js';
import type { CheckResult } from './check.js';
import { appendMeta, readFusion, readJsonMeta, readProgress, META_AUDIT } from './fusion-record.js';
import type { OfflineProgress } from './offline-connector.js';
import type { FeatureReaders } from './readers.js';
import { featureSpec, type FeatureSource } from './tile-build.js';

export interface Change { key: string; column: string; old: unknown; new: unknown }

export interface AuditRecord {
  id: string;
  table: string;
  /** Wall clock of the correction. */
  at: number;
  reason: string;
  by: string;
  /** What started it: `manual` (on demand: CLI, API) or `policy` (a check that alerted on a table whose policy says autoCorrect). */
  trigger?: 'manual' | 'policy';
  /** The check it answers (null: on demand without a check). */
  checkId: string | null;
  /** The corrected time T. */
  checkedAt: number;
  boundaryBefore: number | null;
  boundaryAfter: number;
  generation: number;
  keysChanged: number;
  /** At most 1000. */
  changes: Change[];
}

export interface CorrectOptions extends FeatureSource {
  store: KvStore;
  readers: FeatureReaders;
  /** The check to correct (its time and affected keys), or a time T with the keys to audit. */
  check?: CheckResult;
  at?: number;
  keys?: readonly string[];
  reason?: string;
  by?: string;
  /** Kept in the audit (default `manual`). */
  trigger?: 'manual' | 'policy';
  onProgress?: OfflineProgress;
  signal?: AbortSignal;
  /** Also keep the offline layer's start (default: the current fusion record's `from`). */
  from?: number;
}

export interface CorrectionResult { audit: AuditRecord; backfill: BackfillResult }

export async function correct(o: CorrectOptions): Promise<CorrectionResult> {
  const at = o.check?.at ?? o.at;
  if (at === undefined) throw new FreshetError(diag(BatchErrors.BadRequest, 'a correction needs a check or a time'));
  const spec = featureSpec(o);
  const table = spec.table;
  const [fusion, progress] = await Promise.all([readFusion(o.store, table), readProgress(o.store, table)]);
  const target = Math.max(fusion?.boundary ?? -Infinity, ceilTo(at + 1, coarsestOf(spec)));
  const wm = progress?.watermark ?? null;
  if (wm === null || wm < target) {
    throw new FreshetError(diag(BatchErrors.NotClosed,
      `cannot correct '${table}' at ${new Date(at).toISOString()}: the boundary would move to ${new Date(target).toISOString()}, past the stream's watermark ${wm === null ? '(none)' : new Date(wm).toISOString()}`,
      undefined, 'correct once the stream has passed that time, or check an earlier time'));
  }
  const keys = [...new Set([...(o.check?.affected ?? []), ...(o.keys ?? [])])].sort();
  const before = keys.length > 0 ? await o.readers.served(table, keys, at) : undefined;
  const from = o.from ?? fusion?.from ?? undefined;
  const bf = await backfill({ ...o, boundary: target, reason: 'correction', ...(from !== undefined ? { from } : {}) });
  const after = keys.length > 0 ? await o.readers.served(table, keys, at) : undefined;
  const changes: Change[] = [];
  const changed = new Set<string>();
  const cols = spec.columns.filter((c) => c.kind === 'feature').map((c) => c.name);
  for (let i = 0; i < keys.length; i++) {
    const b = before!.results[i]!, a = after!.results[i]!;
    for (const c of cols) {
      const ov = b.values[c] ?? null, nv = a.values[c] ?? null;
      if (JSON.stringify(ov) === JSON.stringify(nv)) continue;
      changed.add(keys[i]!);
      if (changes.length < 1000) changes.push({ key: keys[i]!, column: c, old: ov, new: nv });
    }
  }
  const audit: AuditRecord = {
    id: `${table}@correction@${bf.fusion.generation}`, table, at: Date.now(), reason: o.reason ?? (o.check ? `check ${o.check.id}` : 'on demand'),
    by: o.by ?? 'freshet', trigger: o.trigger ?? 'manual', checkId: o.check?.id ?? null, checkedAt: at, boundaryBefore: fusion?.boundary ?? null, boundaryAfter: target,
    generation: bf.fusion.generation, keysChanged: changed.size, changes,
  };
  await appendMeta(o.store, table, META_AUDIT, audit, 200);
  return { audit, backfill: bf };
}

/** The correction audit of a table, oldest first. */
export async function listAudit(store: KvStore, table: string): Promise<AuditRecord[]> {
  return (await readJsonMeta<AuditRecord[]>(store, table, META_AUDIT)) ?? [];
}
