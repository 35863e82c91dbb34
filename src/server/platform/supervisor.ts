/**
 * The restart policy of embedded jobs: a job that fails while it should be running is restarted from its last
 * checkpoint after an exponentially growing delay (`initialMs`, doubled up to `maxMs`), unless it already failed
 * `limit` times within the last `windowMs` — then it stays failed with its last error. Pure bookkeeping (no timers),
 * so the policy is testable with a fake clock; job-manager.ts schedules the restarts.
 *
 * Invariant: the delay of the n-th failure in the window is min(maxMs, initialMs * multiplier^(n-1)); failures older
 * than the window are forgotten, so a job that fails rarely is always restarted.
 */

export interface RestartPolicy {
  /** Delay before the first restart (ms). */
  initialMs: number;
  /** Largest delay (ms). */
  maxMs: number;
  /** Growth factor of the delay per failure in the window. */
  multiplier: number;
  /** Failures within `windowMs` after which the job is marked failed (0 = never restart). */
  limit: number;
  /** Window (ms) failures are counted over. */
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialMs: 1000, maxMs: 60_000, multiplier: 2, limit: 5, windowMs: 10 * 60_000 };

/** What to do after a failure: restart after `delayMs`, or give up (the job is failed). */
export type RestartDecision = { restart: true; delayMs: number; attempt: number } | { restart: false; failures: number };

/** Reads a policy from the environment (`FRESHET_RESTART_INITIAL_MS`, `_MAX_MS`, `_LIMIT`, `_WINDOW_MS`) over a base. */
export function restartPolicyFromEnv(env: Record<string, string | undefined> = process.env, base: RestartPolicy = DEFAULT_RESTART_POLICY): RestartPolicy {
  const num = (k: string, d: number): number => {
    const v = env[k];
    if (v === undefined || v === '') return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${k} must be a non-negative number, got '${v}'`);
    return n;
  };
  return {
    initialMs: num('FRESHET_RESTART_INITIAL_MS', base.initialMs),
    maxMs: num('FRESHET_RESTART_MAX_MS', base.maxMs),
    multiplier: base.multiplier,
    limit: num('FRESHET_RESTART_LIMIT', base.limit),
    windowMs: num('FRESHET_RESTART_WINDOW_MS', base.windowMs),
  };
}

/** The failure history of one job under a policy. */
export class RestartTracker {
  private failures: number[] = [];
  /** Restarts scheduled since the job was last started by a user (shown in the job status). */
  restarts = 0;

  constructor(readonly policy: RestartPolicy) {}

  /** Records a failure at `now` and decides. */
  onFailure(now: number): RestartDecision {
    const p = this.policy;
    this.failures = this.failures.filter((t) => now - t < p.windowMs);
    this.failures.push(now);
    const n = this.failures.length;
    if (n > p.limit) return { restart: false, failures: n };
    this.restarts++;
    const delayMs = Math.min(p.maxMs, p.initialMs * p.multiplier ** (n - 1));
    return { restart: true, delayMs: Math.round(delayMs), attempt: n };
  }

  /** Forgets all failures (a user start, restart or new version). */
  reset(): void {
    this.failures = [];
    this.restarts = 0;
  }
}
