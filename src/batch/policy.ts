/**
 * Checks with the table's policy applied (docs/offline.md "Correction by policy"): every check run by Freshet — the
 * CLI, the platform's offline tasks, a schedule — goes through checkWithPolicy, so a check that alerts on a table whose
 * policy says `autoCorrect` is followed at once by the correction of its affected keys. The audit record then says
 * `trigger: 'policy'`, `reason: 'policy'` and links the check id.
 *
 * Invariants:
 *   - a correction runs only when the check alerted (a rate above the threshold) and found affected keys;
 *   - a correction that cannot run (the stream has not closed the positions yet, OFF007) does not fail the check:
 *     the check is kept and the reason is returned in `correctionError`, so the next check retries.
 */
import { FreshetError, type Diagnostic, diag } from '../common/diagnostics.js';
import { BatchErrors } from './batch-error-codes.js';
import { getCheckPolicy, runCheck, type CheckOptions, type CheckPolicy, type CheckResult } from './check.js';
import { correct, type CorrectionResult } from './correct.js';
import type { OfflineProgress } from './offline-connector.js';

export interface PolicyCheckOptions extends CheckOptions {
  /** Who runs it (kept in the audit of an automatic correction). */
  by?: string;
  /** Progress of the correction's rebuild, after the check. */
  onCorrectProgress?: OfflineProgress;
  signal?: AbortSignal;
}

export interface PolicyCheckResult {
  check: CheckResult;
  policy: CheckPolicy;
  /** The automatic correction (null when none ran). */
  correction: CorrectionResult | null;
  /** Why the policy's correction could not run (null when it ran or was not due). */
  correctionError: Diagnostic | null;
}

/** Whether a check calls for an automatic correction under `policy`. */
export function correctionDue(check: CheckResult, policy: CheckPolicy): boolean {
  return policy.autoCorrect && check.alert && check.affected.length > 0;
}

/** Runs a check and, when the table's policy says so and the check alerts, the correction of its affected keys. */
export async function checkWithPolicy(o: PolicyCheckOptions): Promise<PolicyCheckResult> {
  const check = await runCheck(o);
  const policy = await getCheckPolicy(o.store, check.table);
  if (!correctionDue(check, policy)) return { check, policy, correction: null, correctionError: null };
  try {
    const correction = await correct({
      ...o, check, reason: 'policy', trigger: 'policy', by: o.by ?? 'policy',
      ...(o.onCorrectProgress ? { onProgress: o.onCorrectProgress } : {}),
    });
    return { check, policy, correction, correctionError: null };
  } catch (e) {
    if (e instanceof FreshetError && e.diagnostics[0] !== undefined) return { check, policy, correction: null, correctionError: e.diagnostics[0] };
    return { check, policy, correction: null, correctionError: diag(BatchErrors.BadRequest, `automatic correction failed: ${(e as Error).message}`) };
  }
}
