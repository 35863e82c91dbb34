/**
 * Event-time interval join (Flink's TimeIntervalJoin / RowTimeIntervalJoin), INNER / LEFT / RIGHT / FULL, over
 * append-only inputs; output is append-only (+I). A pair matches when the join keys are equal (NULL never equals),
 * the residual condition is true and
 *     right.t + lowerMs <= left.t <= right.t + upperMs.
 * With leftRel = -lowerMs and rightRel = upperMs (Flink's leftRelativeSize / rightRelativeSize), a left row at time t
 * matches right rows in [t - rightRel, t + leftRel] and a right row at t matches left rows in [t - leftRel, t + rightRel].
 *
 * State per key: a cache per side (row time -> rows, each with an "emitted" flag for outer padding) and per side a
 * clean-up timer. The operator time is the combined watermark `wm`. Rules, exactly as Flink with
 * `table.exec.interval-join.min-cleanup-interval` = 0 (its default) and allowed lateness 0:
 *  - An arriving left row at t first scans the right cache, unless the operator-wide `rightExpiration` already
 *    reaches t + leftRel; the scan joins every cached right row in range (even one already expired but not yet
 *    removed) and then eagerly removes right rows with time <= rightExpiration := wm - rightRel - 1, emitting
 *    null-padded results for never-matched ones when the right side is preserved.
 *  - The row is cached iff wm < t + leftRel (a future right row, which has time > wm, can still match it); a clean-up
 *    timer at t + leftRel + 1 is registered when the key has none for that cache. Otherwise, on a preserved side, a
 *    row that matched nothing is emitted null-padded at once.
 *  - A timer at T fires when wm >= T: it removes the cached rows with time <= wm - rel - 1 (padding never-matched
 *    ones of a preserved side) and re-arms itself for the earliest remaining row.
 *  Right rows symmetrically. So a late row (behind the watermark) is NOT dropped: it joins whatever is still cached
 * on the other side, and is padded immediately (outer) if it matched nothing and can match no future row.
 *
 * Deliberate differences from Flink, for timestamps at or before the epoch only: Flink clamps its operator time to
 * >= 0 and treats a cache whose earliest remaining time is <= 0 as empty (dropping those rows); Freshet uses the
 * watermark as is and keeps such rows.
 *
 * Output watermark: a joined row can carry a time up to max(leftRel, rightRel) behind the input watermark, so Flink
 * holds the forwarded watermark back by `outputWatermarkDelay`; the runtime must apply it (see the field).
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';
import type { ProgramOp } from '../../program/program.js';
import type { KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { TimerQueue } from '../timer-queue.js';
import { hasNullKey, makeJoinKeyFns } from './join/join-keys.js';
import { JoinRows, leftIsOuter, rightIsOuter } from './join/join-rows.js';

/** A cached row and whether it has produced a joined result (only tracked for preserved sides). */
interface Cached { r: Row; e: boolean }
type Cache = Map<number, Cached[]>;
interface KeyState {
  l: Cache;
  r: Cache;
  /** Timer cleaning the left cache (Flink's rightTimerState), or null. */
  lt: number | null;
  /** Timer cleaning the right cache (Flink's leftTimerState), or null. */
  rt: number | null;
}

export interface IntervalJoinState { keys: Map<unknown, KeyState>; timers: unknown; leftExp: number; rightExp: number }

export class IntervalJoinOperator extends Operator {
  private state = new Map<unknown, KeyState>();
  private timers = new TimerQueue<unknown>();
  /** Times up to which each cache is known to be expired (operator-wide, as Flink; an approximation per key). */
  private leftExp = -Infinity;
  private rightExp = -Infinity;
  private readonly leftRel: number;
  private readonly rightRel: number;
  private readonly leftOuter: boolean;
  private readonly rightOuter: boolean;
  private readonly leftTime: number;
  private readonly rightTime: number;
  private readonly keys: [number[], number[]];
  private readonly keyFns: [KeyFn, KeyFn];
  private readonly rows: JoinRows;
  /**
   * How far (ms) the forwarded watermark must lag the input watermark: max(-lowerMs, upperMs), Flink's
   * getMaxOutputDelay. Joined rows and null-padded rows are never behind `input watermark - outputWatermarkDelay`.
   */
  readonly outputWatermarkDelay: number;

  constructor(p: Extract<ProgramOp, { kind: 'intervalJoin' }>, ctx: OperatorContext, evalCtx: EvalContext, inputFields: RowField[][]) {
    super(p.id, p.fields, ctx, 2);
    if (!(p.lowerMs <= p.upperMs)) throw new Error(`internal: interval join ${p.id} has lower bound ${p.lowerMs} > upper bound ${p.upperMs}`);
    const lf = inputFields[0] ?? [];
    const rf = inputFields[1] ?? [];
    this.leftRel = -p.lowerMs;
    this.rightRel = p.upperMs;
    this.outputWatermarkDelay = Math.max(this.leftRel, this.rightRel);
    this.leftOuter = leftIsOuter(p.joinType);
    this.rightOuter = rightIsOuter(p.joinType);
    this.leftTime = p.leftTime;
    this.rightTime = p.rightTime;
    this.keys = [p.leftKeys, p.rightKeys];
    this.keyFns = makeJoinKeyFns(p.leftKeys, p.rightKeys, lf, rf);
    this.rows = new JoinRows(lf.length, rf.length, p.condition, evalCtx, ctx, p.id);
  }

  /** Flink's calExpirationTime with allowed lateness 0: rows at or before it can match no future row. */
  private static expiration(wm: number, rel: number): number {
    return wm === Infinity ? Infinity : wm - rel - 1;
  }

  process(batch: Batch, input: number): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const isLeft = input === 0;
    const out = new BatchBuilder();
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      if (kinds[i] !== RowKind.Insert && kinds[i] !== RowKind.UpdateAfter) {
        this.ctx.badRow(this.id, row, 'interval join input must be append-only');
        continue;
      }
      const t = row[isLeft ? this.leftTime : this.rightTime] as number | null;
      if (t === null || t === undefined) { this.ctx.badRow(this.id, row, 'interval join time attribute is NULL'); continue; }
      if (isLeft) this.processLeft(row, t, out);
      else this.processRight(row, t, out);
    }
    this.emit(out.take());
  }

  private keyState(key: unknown): KeyState {
    let st = this.state.get(key);
    if (st === undefined) { st = { l: new Map(), r: new Map(), lt: null, rt: null }; this.state.set(key, st); }
    return st;
  }

  private processLeft(row: Row, t: number, out: BatchBuilder): void {
    const wm = this.currentWatermark;
    const jr = this.rows;
    const keyNull = hasNullKey(row, this.keys[0]);
    const key = this.keyFns[0](row);
    const st = this.state.get(key);
    const lower = t - this.rightRel;
    const upper = t + this.leftRel;
    let emitted = false;
    if (this.rightExp < upper) {
      this.rightExp = IntervalJoinOperator.expiration(wm, this.rightRel);
      if (st !== undefined) {
        const exp = this.rightExp;
        for (const [rt, list] of st.r) {
          if (!keyNull && rt >= lower && rt <= upper) {
            for (let j = 0; j < list.length; j++) {
              const c = list[j]!;
              if (jr.matches(row, c.r)) {
                out.push(jr.joined(row, c.r), RowKind.Insert);
                emitted = true;
                if (this.rightOuter) c.e = true;
              }
            }
          }
          if (rt <= exp) {
            if (this.rightOuter) for (const c of list) if (!c.e) out.push(jr.withNullLeft(c.r), RowKind.Insert);
            st.r.delete(rt);
          }
        }
      }
    }
    if (wm < upper) {
      const ks = st ?? this.keyState(key);
      let list = ks.l.get(t);
      if (list === undefined) { list = []; ks.l.set(t, list); }
      list.push({ r: row, e: emitted });
      if (ks.lt === null) this.registerCleanup(ks, key, t, true);
    } else if (!emitted && this.leftOuter) {
      out.push(jr.withNullRight(row), RowKind.Insert);
    }
  }

  private processRight(row: Row, t: number, out: BatchBuilder): void {
    const wm = this.currentWatermark;
    const jr = this.rows;
    const keyNull = hasNullKey(row, this.keys[1]);
    const key = this.keyFns[1](row);
    const st = this.state.get(key);
    const lower = t - this.leftRel;
    const upper = t + this.rightRel;
    let emitted = false;
    if (this.leftExp < upper) {
      this.leftExp = IntervalJoinOperator.expiration(wm, this.leftRel);
      if (st !== undefined) {
        const exp = this.leftExp;
        for (const [lt, list] of st.l) {
          if (!keyNull && lt >= lower && lt <= upper) {
            for (let j = 0; j < list.length; j++) {
              const c = list[j]!;
              if (jr.matches(c.r, row)) {
                out.push(jr.joined(c.r, row), RowKind.Insert);
                emitted = true;
                if (this.leftOuter) c.e = true;
              }
            }
          }
          if (lt <= exp) {
            if (this.leftOuter) for (const c of list) if (!c.e) out.push(jr.withNullRight(c.r), RowKind.Insert);
            st.l.delete(lt);
          }
        }
      }
    }
    if (wm < upper) {
      const ks = st ?? this.keyState(key);
      let list = ks.r.get(t);
      if (list === undefined) { list = []; ks.r.set(t, list); }
      list.push({ r: row, e: emitted });
      if (ks.rt === null) this.registerCleanup(ks, key, t, false);
    } else if (!emitted && this.rightOuter) {
      out.push(jr.withNullLeft(row), RowKind.Insert);
    }
  }

  /** Arms the clean-up timer of the left (isLeft) or right cache for a row at `rowTime`. */
  private registerCleanup(st: KeyState, key: unknown, rowTime: number, isLeft: boolean): void {
    if (isLeft) {
      const at = rowTime + this.leftRel + 1;
      this.timers.register(at, key);
      st.lt = at;
    } else {
      const at = rowTime + this.rightRel + 1;
      this.timers.register(at, key);
      st.rt = at;
    }
  }

  protected override onWatermark(wm: number): void {
    const out = new BatchBuilder();
    for (let t = this.timers.pollUpTo(wm); t !== undefined; t = this.timers.pollUpTo(wm)) {
      const [time, keys] = t;
      for (const key of keys) {
        const st = this.state.get(key);
        if (st === undefined) continue;
        // A timer that is not the key's current one for a cache was superseded: ignored (Flink compares too).
        if (st.rt === time) {
          this.rightExp = IntervalJoinOperator.expiration(wm, this.rightRel);
          this.removeExpired(st, key, false, this.rightExp, out);
        }
        if (st.lt === time) {
          this.leftExp = IntervalJoinOperator.expiration(wm, this.leftRel);
          this.removeExpired(st, key, true, this.leftExp, out);
        }
        if (st.l.size === 0 && st.r.size === 0 && st.lt === null && st.rt === null) this.state.delete(key);
      }
      if (out.size >= 1024) this.emit(out.take());
    }
    this.emit(out.take());
  }

  /** Removes the rows of one cache at or before `exp`, padding never-matched rows of a preserved side; re-arms. */
  private removeExpired(st: KeyState, key: unknown, isLeft: boolean, exp: number, out: BatchBuilder): void {
    const cache = isLeft ? st.l : st.r;
    const pad = isLeft ? this.leftOuter : this.rightOuter;
    const jr = this.rows;
    let earliest = Infinity;
    for (const [time, list] of cache) {
      if (time <= exp) {
        if (pad) for (const c of list) if (!c.e) out.push(isLeft ? jr.withNullRight(c.r) : jr.withNullLeft(c.r), RowKind.Insert);
        cache.delete(time);
      } else if (time < earliest) earliest = time;
    }
    if (earliest < Infinity) this.registerCleanup(st, key, earliest, isLeft);
    else if (isLeft) st.lt = null;
    else st.rt = null;
  }

  /** Number of cached rows (both sides), for tests and metrics. */
  get stateSize(): number {
    let n = 0;
    for (const st of this.state.values()) {
      for (const l of st.l.values()) n += l.length;
      for (const l of st.r.values()) n += l.length;
    }
    return n;
  }

  override snapshot(): unknown {
    return { keys: this.state, timers: this.timers.snapshot(), leftExp: this.leftExp, rightExp: this.rightExp } satisfies IntervalJoinState;
  }
  override restore(s: unknown): void {
    const st = s as IntervalJoinState;
    this.state = st.keys;
    this.timers.restore(st.timers);
    this.leftExp = st.leftExp;
    this.rightExp = st.rightExp;
  }

  protected override outputWatermark(wm: number): number {
    return wm === Infinity ? wm : wm - this.outputWatermarkDelay;
  }
}

