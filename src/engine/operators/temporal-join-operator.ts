/**
 * Event-time temporal join `JOIN versioned FOR SYSTEM_TIME AS OF left.rowtime` (Flink's TemporalRowTimeJoinOperator),
 * INNER or LEFT. Input 0 (left, probe side) is append-only; input 1 is the versioned table's changelog: +I/+U add a
 * version valid from right[rightTime], -D a deletion from that time, -U is ignored (an update's new version arrives
 * as +U). Versions are kept per key by time; a later message with the same time replaces the earlier one.
 *
 * Left rows are buffered per key until the combined watermark reaches their time, then each joins the latest version
 * with time <= its time: when that version exists, is not a deletion and the residual condition holds, +I(left ++
 * version); otherwise LEFT emits +I(left ++ nulls) and INNER nothing. Left rows are never dropped as late: a row
 * behind the watermark is joined at the next watermark advance against the versions still kept.
 *
 * Timers, as Flink: each key has one event timer at the smallest pending time (left rows and newly arrived versions);
 * when it fires (watermark >= timer) every buffered left row of the key with time <= watermark is emitted, in arrival
 * order, then versions older than the newest version <= watermark are dropped (that one is kept, even a deletion),
 * and the timer is re-armed at the earliest remaining left time. Output order: keys by timer time (ties in
 * registration order), rows of a key in arrival order. Output is append-only (+I).
 * NULL join keys never match: right rows with a NULL key are dropped, left ones find no version.
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
import { JoinRows } from './join/join-rows.js';

interface KeyState {
  /** Buffered left rows in arrival order. */
  l: Row[];
  /** Version times, ascending, and the versions (null = deleted from that time). */
  vt: number[];
  vr: (Row | null)[];
  /** The key's registered timer, or null; a queued timer with another time was superseded. */
  timer: number | null;
}

export interface TemporalJoinState { keys: Map<unknown, KeyState>; timers: unknown }

export class TemporalJoinOperator extends Operator {
  private state = new Map<unknown, KeyState>();
  private timers = new TimerQueue<unknown>();
  private readonly outer: boolean;
  private readonly leftTime: number;
  private readonly rightTime: number;
  private readonly rightKeys: number[];
  private readonly keyFns: [KeyFn, KeyFn];
  private readonly rows: JoinRows;

  constructor(p: Extract<ProgramOp, { kind: 'temporalJoin' }>, ctx: OperatorContext, evalCtx: EvalContext, inputFields: RowField[][]) {
    super(p.id, p.fields, ctx, 2);
    const lf = inputFields[0] ?? [];
    const rf = inputFields[1] ?? [];
    this.outer = p.joinType === 'LEFT';
    this.leftTime = p.leftTime;
    this.rightTime = p.rightTime;
    this.rightKeys = p.rightKeys;
    this.keyFns = makeJoinKeyFns(p.leftKeys, p.rightKeys, lf, rf);
    this.rows = new JoinRows(lf.length, rf.length, p.condition, evalCtx, ctx, p.id);
  }

  private keyState(key: unknown): KeyState {
    let st = this.state.get(key);
    if (st === undefined) { st = { l: [], vt: [], vr: [], timer: null }; this.state.set(key, st); }
    return st;
  }

  private registerSmallest(st: KeyState, key: unknown, time: number): void {
    if (st.timer === null || st.timer > time) {
      st.timer = time;
      this.timers.register(time, key);
    }
  }

  process(batch: Batch, input: number): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    if (input === 0) {
      for (let i = 0; i < n; i++) {
        const row = rows[i]!;
        const kind = kinds[i]!;
        if (kind !== RowKind.Insert && kind !== RowKind.UpdateAfter) { this.ctx.badRow(this.id, row, 'temporal join probe side must be append-only'); continue; }
        const t = row[this.leftTime] as number | null;
        if (t === null) { this.ctx.badRow(this.id, row, 'temporal join time attribute is NULL'); continue; }
        const key = this.keyFns[0](row);
        const st = this.keyState(key);
        st.l.push(row);
        this.registerSmallest(st, key, t);
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const kind = kinds[i]!;
      if (kind === RowKind.UpdateBefore) continue;
      if (hasNullKey(row, this.rightKeys)) continue;
      const t = row[this.rightTime] as number | null;
      if (t === null) { this.ctx.badRow(this.id, row, 'versioned table time attribute is NULL'); continue; }
      const key = this.keyFns[1](row);
      const st = this.keyState(key);
      const version = kind === RowKind.Delete ? null : row;
      // Binary search for the insertion point; an equal time replaces the version.
      const vt = st.vt;
      let lo = 0, hi = vt.length;
      if (hi > 0 && vt[hi - 1]! < t) lo = hi;
      else while (lo < hi) { const mid = (lo + hi) >> 1; if (vt[mid]! < t) lo = mid + 1; else hi = mid; }
      if (lo < vt.length && vt[lo] === t) st.vr[lo] = version;
      else { vt.splice(lo, 0, t); st.vr.splice(lo, 0, version); }
      this.registerSmallest(st, key, t);
    }
  }

  protected override onWatermark(wm: number): void {
    const out = new BatchBuilder();
    for (let t = this.timers.pollUpTo(wm); t !== undefined; t = this.timers.pollUpTo(wm)) {
      const [time, keys] = t;
      for (const key of keys) {
        const st = this.state.get(key);
        if (st === undefined || st.timer !== time) continue;
        st.timer = null;
        this.fire(st, key, wm, out);
      }
      if (out.size >= 1024) this.emit(out.take());
    }
    this.emit(out.take());
  }

  private fire(st: KeyState, key: unknown, wm: number, out: BatchBuilder): void {
    const jr = this.rows;
    const lt = this.leftTime;
    const { vt, vr } = st;
    let pending = 0;
    let nextTime = Infinity;
    const l = st.l;
    for (let i = 0; i < l.length; i++) {
      const row = l[i]!;
      const t = row[lt] as number;
      if (t > wm) {
        l[pending++] = row;
        if (t < nextTime) nextTime = t;
        continue;
      }
      // Latest version with time <= t.
      let lo = 0, hi = vt.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (vt[mid]! <= t) lo = mid + 1; else hi = mid; }
      const version = lo > 0 ? vr[lo - 1]! : null;
      if (version !== null && jr.matches(row, version)) out.push(jr.joined(row, version), RowKind.Insert);
      else if (this.outer) out.push(jr.withNullRight(row), RowKind.Insert);
    }
    l.length = pending;
    // Keep the newest version <= wm and everything newer.
    let firstNewer = 0;
    while (firstNewer < vt.length && vt[firstNewer]! <= wm) firstNewer++;
    const drop = firstNewer - 1;
    if (drop > 0) { vt.splice(0, drop); vr.splice(0, drop); }
    if (nextTime < Infinity) { st.timer = nextTime; this.timers.register(nextTime, key); }
    if (l.length === 0 && vt.length === 0 && st.timer === null) this.state.delete(key);
  }

  /** Buffered left rows plus kept versions, for tests and metrics. */
  get stateSize(): number {
    let n = 0;
    for (const st of this.state.values()) n += st.l.length + st.vt.length;
    return n;
  }

  override snapshot(): unknown { return { keys: this.state, timers: this.timers.snapshot() } satisfies TemporalJoinState; }
  override restore(s: unknown): void {
    const st = s as TemporalJoinState;
    this.state = st.keys;
    this.timers.restore(st.timers);
  }
}
