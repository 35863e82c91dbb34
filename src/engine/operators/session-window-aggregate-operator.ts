/**
 * SESSION window TVF aggregation with Flink's merging semantics (MergingWindowSet / TimeWindow.mergeWindows): per
 * key (group keys ∪ the window's partition keys) every row opens the window [ts, ts + gap); windows that intersect —
 * Flink's TimeWindow.intersects, `a.start <= b.end && a.end >= b.start`, so windows that merely touch merge too, i.e.
 * rows exactly `gap` apart share a session — merge, and so do their accumulators (AggSet.merge). A session fires when
 * the watermark reaches end - 1 and emits [group keys..., aggregates..., window_start, window_end,
 * window_time = end - 1]; its state is then freed.
 *
 * Invariant: the open sessions of a key are sorted by start and pairwise non-intersecting; each open session's end
 * has a timer registered (timers of sessions extended or merged away are stale and fire nothing).
 *
 * Lateness (Flink's rule for merging windows): a row whose window, after merging with the open sessions, would
 * already have fired (end - 1 <= watermark) is dropped and counted. A row can only be late when it merges with no
 * open session, because open sessions end after the watermark.
 *
 * Input must be append-only: other row kinds are dead-lettered, as are rows with a NULL time attribute.
 *
 * Early firing (see ../early-fire.ts): partial session results are emitted as updates. When sessions merge, the
 * merged session takes over the partial row emitted by the earliest of them that had one (its next emission
 * retracts it with -U), and the partial rows of the others are retracted with -D at once, so the materialized output
 * still converges to the final sessions.
 *
 * Processing-time sessions (`window.procTime`): rows take the wall clock as their time and sessions fire from
 * `onProcessingTime(now)` (end - 1 <= now) and at the end of input.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';
import type { ProgramOp } from '../../program/program.js';
import { AggSet } from '../agg-set.js';
import { DelayTrigger, earlyFirePolicy, pushResultChange, type EarlyFirePolicy } from '../early-fire.js';
import { makeKeyFn, project, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { TimerQueue } from '../timer-queue.js';

export type SessionWindowAggregateOp = Extract<ProgramOp, { kind: 'sessionWindowAggregate' }>;

interface Session {
  s: number;
  e: number;
  a: unknown[];
  /** Early firing: the partial row last emitted for this session. */
  em?: Row | undefined;
  /** Early firing: rows added since the last count firing. */
  c?: number;
  /** Early firing: changed since the last delay firing. */
  d?: boolean;
}

interface KeySessions { k: Row; ss: Session[] }

export class SessionWindowAggregateOperator extends Operator {
  private state = new Map<unknown, KeySessions>();
  private timers = new TimerQueue<unknown>();
  private readonly aggs: AggSet;
  private readonly keyFn: KeyFn;
  private readonly groupKeys: number[];
  private readonly nKeys: number;
  private readonly gap: number;
  private readonly timeCol: number;
  private readonly procTime: boolean;
  private readonly early: EarlyFirePolicy | undefined;
  private readonly delay: DelayTrigger | undefined;
  /** Keys with sessions changed since the last delay firing. */
  private dirty = new Set<unknown>();
  /** Early-fire output produced while processing a batch. */
  private readonly earlyOut = new BatchBuilder();

  constructor(p: SessionWindowAggregateOp, ctx: OperatorContext, _evalCtx: EvalContext, inputFields: RowField[][]) {
    super(p.id, p.fields, ctx);
    const w = p.window;
    if (w.gap === undefined || !(w.gap > 0)) throw new Error(`internal: session window of ${p.id} has no positive gap`);
    this.gap = w.gap;
    this.timeCol = w.timeCol;
    this.procTime = w.procTime;
    this.groupKeys = p.groupKeys;
    this.nKeys = p.groupKeys.length;
    const keyCols = [...p.groupKeys];
    for (const k of w.partitionKeys ?? []) if (!keyCols.includes(k)) keyCols.push(k);
    this.keyFn = makeKeyFn(keyCols, inputFields[0] ?? []);
    this.aggs = new AggSet(p.aggs);
    this.early = earlyFirePolicy(p.earlyFire);
    this.delay = this.early && this.early.delayMs > 0 ? new DelayTrigger(this.early.delayMs) : undefined;
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const tc = this.timeCol;
    const gap = this.gap;
    const wm = this.currentWatermark;
    const procNow = this.procTime ? this.ctx.now() : 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      if (kinds[i] !== RowKind.Insert) { this.ctx.badRow(this.id, row, 'session window aggregation input must be append-only'); continue; }
      let ts: number;
      if (this.procTime) ts = procNow;
      else {
        const v = row[tc];
        if (typeof v !== 'number') { this.ctx.badRow(this.id, row, 'window time attribute is NULL'); continue; }
        ts = v;
      }
      const end = ts + gap;
      const key = this.keyFn(row);
      let ks = this.state.get(key);
      // Open sessions intersecting [ts, end): contiguous in the sorted list.
      let first = -1, last = -1;
      if (ks !== undefined) {
        const ss = ks.ss;
        for (let j = 0; j < ss.length; j++) {
          const s = ss[j]!;
          if (s.s > end) break;
          if (s.e >= ts) { if (first < 0) first = j; last = j; }
        }
      }
      let sess: Session;
      if (first < 0) {
        if (end - 1 <= wm) { this.ctx.metrics.inc('lateRowsDropped'); continue; }
        if (ks === undefined) {
          ks = { k: project(row, this.groupKeys), ss: [] };
          this.state.set(key, ks);
        }
        sess = { s: ts, e: end, a: this.aggs.create() };
        const ss = ks.ss;
        let j = ss.length;
        while (j > 0 && ss[j - 1]!.s > ts) j--;
        if (j === ss.length) ss.push(sess); else ss.splice(j, 0, sess);
        this.timers.register(end, key);
      } else {
        const ss = ks!.ss;
        sess = ss[first]!;
        const oldEnd = sess.e;
        if (ts < sess.s) sess.s = ts;
        if (end > sess.e) sess.e = end;
        if (last > first) {
          for (let j = first + 1; j <= last; j++) this.absorb(sess, ss[j]!);
          ss.splice(first + 1, last - first);
        }
        if (sess.e !== oldEnd) this.timers.register(sess.e, key);
      }
      this.aggs.add(sess.a, row);
      if (this.early !== undefined) this.touched(key, ks!, sess);
    }
    if (this.earlyOut.size > 0) this.emit(this.earlyOut.take());
  }

  /** Merges session `o` (to be removed) into `s`. */
  private absorb(s: Session, o: Session): void {
    if (o.s < s.s) s.s = o.s;
    if (o.e > s.e) s.e = o.e;
    this.aggs.merge(s.a, o.a);
    if (this.early === undefined) return;
    if (o.em !== undefined) {
      if (s.em === undefined) s.em = o.em;
      else this.earlyOut.push(o.em, RowKind.Delete);
    }
    if (o.c !== undefined) s.c = (s.c ?? 0) + o.c;
    if (o.d) s.d = true;
  }

  private touched(key: unknown, ks: KeySessions, sess: Session): void {
    const early = this.early!;
    if (early.count > 0) {
      sess.c = (sess.c ?? 0) + 1;
      if (sess.c >= early.count) {
        sess.c = 0;
        sess.em = pushResultChange(this.earlyOut, sess.em, this.resultRow(ks, sess));
      }
    }
    if (this.delay !== undefined) {
      sess.d = true;
      this.dirty.add(key);
      if (!this.delay.armed) this.delay.arm(this.ctx.now());
    }
  }

  private resultRow(ks: KeySessions, s: Session): Row {
    const nk = this.nKeys, na = this.aggs.size;
    const row = new Array<unknown>(nk + na + 3);
    for (let i = 0; i < nk; i++) row[i] = ks.k[i];
    this.aggs.results(s.a, row, nk);
    row[nk + na] = s.s;
    row[nk + na + 1] = s.e;
    row[nk + na + 2] = s.e - 1;
    return row;
  }

  protected override onWatermark(wm: number): void {
    if (!this.procTime) this.fireUpTo(wm);
  }

  /**
   * Processing-time hook (runner contract: called after every batch and about every 50 ms while idle): emits due
   * early-fire partial results and, for processing-time sessions, fires the sessions that ended.
   */
  onProcessingTime(now: number): void {
    if (this.procTime) this.fireUpTo(now);
    if (this.delay === undefined || !this.delay.take(now)) return;
    const out = new BatchBuilder();
    for (const key of this.dirty) {
      const ks = this.state.get(key);
      if (ks === undefined) continue;
      for (const s of ks.ss) {
        if (!s.d) continue;
        s.d = false;
        s.em = pushResultChange(out, s.em, this.resultRow(ks, s));
      }
    }
    this.dirty.clear();
    this.emit(out.take());
  }

  override finish(): void {
    if (this.procTime) this.fireUpTo(Infinity);
  }

  /** Fires every session with end - 1 <= limit, in ascending end order. */
  private fireUpTo(limit: number): void {
    const out = new BatchBuilder();
    const early = this.early !== undefined;
    for (let t = this.timers.pollUpTo(limit + 1); t !== undefined; t = this.timers.pollUpTo(limit + 1)) {
      const [time, keys] = t;
      for (const key of keys) {
        const ks = this.state.get(key);
        if (ks === undefined) continue;
        const ss = ks.ss;
        let kept = 0;
        for (let j = 0; j < ss.length; j++) {
          const s = ss[j]!;
          if (s.e <= time) {
            const row = this.resultRow(ks, s);
            if (early) pushResultChange(out, s.em, row);
            else out.push(row, RowKind.Insert);
          } else {
            ss[kept++] = s;
          }
        }
        ss.length = kept;
        if (kept === 0) this.state.delete(key);
      }
      if (out.size >= 1024) this.emit(out.take());
    }
    this.emit(out.take());
  }

  override snapshot(): unknown {
    return { state: this.state, timers: this.timers.snapshot(), dirty: this.dirty, due: this.delay?.due };
  }
  override restore(s: unknown): void {
    const st = s as { state: Map<unknown, KeySessions>; timers: unknown; dirty?: Set<unknown>; due?: number };
    this.state = st.state;
    this.timers.restore(st.timers);
    this.dirty = st.dirty ?? new Set();
    if (this.delay !== undefined) this.delay.due = st.due;
  }
}
