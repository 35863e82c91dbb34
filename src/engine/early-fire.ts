/**
 * Early firing of window aggregates (Flink's `table.exec.emit.early-fire.enabled/delay`, plus Freshet's count
 * trigger): partial results of open windows are emitted before the window ends, as an updating changelog — +I the
 * first time, -U(previous)/+U(new) when the partial result changed since it was last emitted — and the final result
 * at window end completes it, so the materialized output converges to exactly the result without early firing.
 *
 * Processing-time contract (the runner wires it): operators with early firing expose `onProcessingTime(now)`, which
 * the runner calls after every batch and about every 50 ms while the job is idle. A delay trigger is armed by the
 * first change after the previous firing and fires at the first `onProcessingTime` call at least `delayMs` later,
 * emitting every window whose partial result changed since it was last emitted.
 */
import type { Row } from '../common/row.js';
import { RowKind } from '../common/row.js';
import type { EarlyFire } from '../program/program.js';
import type { BatchBuilder } from './operator.js';
import { rowsEqual } from './row-equality.js';

export interface EarlyFirePolicy {
  /** Processing-time interval between firings, ms; 0 when there is no delay trigger. */
  delayMs: number;
  /** Fire a window-key after this many rows into it; 0 when there is no count trigger. */
  count: number;
}

/**
 * The effective policy, or undefined when early firing is off. As in Flink, a delay of 0 means "fire on every
 * element", which is the count trigger with count 1.
 */
export function earlyFirePolicy(e: EarlyFire | undefined): EarlyFirePolicy | undefined {
  if (e === undefined) return undefined;
  let delayMs = e.delayMs !== undefined && e.delayMs > 0 ? e.delayMs : 0;
  let count = e.count !== undefined && e.count > 0 ? Math.floor(e.count) : 0;
  if (e.delayMs === 0) { count = 1; delayMs = 0; }
  if (delayMs === 0 && count === 0) return undefined;
  return { delayMs, count };
}

/** A processing-time trigger armed by the first change after a firing (see the module comment). */
export class DelayTrigger {
  /** Time at which the armed trigger fires; undefined when not armed. */
  due: number | undefined = undefined;
  constructor(readonly delayMs: number) {}
  get armed(): boolean { return this.due !== undefined; }
  /** Arms the trigger to fire `delayMs` after `now` (callers read the clock only when not armed). */
  arm(now: number): void { this.due = now + this.delayMs; }
  /** True (and disarmed) when armed and due at `now`. */
  take(now: number): boolean {
    if (this.due === undefined || now < this.due) return false;
    this.due = undefined;
    return true;
  }
}

/**
 * Pushes the change from the previously emitted result `prev` to `next`: +I when nothing was emitted, -U/+U when
 * it differs, nothing when equal. Returns the row now materialized downstream (`next`, or `prev` when unchanged).
 */
export function pushResultChange(out: BatchBuilder, prev: Row | undefined, next: Row): Row {
  if (prev === undefined) { out.push(next, RowKind.Insert); return next; }
  if (rowsEqual(prev, next)) return prev;
  out.push(prev, RowKind.UpdateBefore);
  out.push(next, RowKind.UpdateAfter);
  return next;
}
