/**
 * Window aggregation over TUMBLE / HOP / CUMULATE with slicing (see ../windows.ts): per key, one accumulator per
 * slice; a timer per (window end, key) fires when the watermark reaches end - 1, merges the window's slices and
 * emits the final, append-only result [group keys..., aggregates..., window_start, window_end, window_time].
 *
 * Lateness (Flink's rule): a row whose slice belongs only to windows that have fired is dropped and counted; a row
 * whose slice's first window fired but a later one has not is still added (CUMULATE moves it to the first unfired
 * slice of its cycle, which belongs to exactly the unfired windows containing the row).
 *
 * Early firing (`earlyFire`, see ../early-fire.ts): partial results of unfired windows are emitted as updates — on a
 * count trigger per (window, key) while processing, on the delay trigger from `onProcessingTime(now)` — and the
 * final result at window end is +I (never emitted) or -U/+U (changed), so the output becomes an updating changelog
 * whose materialization equals the result without early firing. Without early firing the path is unchanged: one
 * predictable branch per row and per fired window.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { AggCallDesc, WindowSpec } from '../../plan/logical-plan.js';
import type { EarlyFire } from '../../program/program.js';
import { AggSet } from '../agg-set.js';
import { DelayTrigger, earlyFirePolicy, pushResultChange, type EarlyFirePolicy } from '../early-fire.js';
import { makeKeyFn, project, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { SliceAssigner } from '../windows.js';
import { TimerQueue } from '../timer-queue.js';

interface KeySlices {
  k: Row;
  s: Map<number, unknown[]>;
  /** Early firing: window end -> the partial row last emitted. */
  em?: Map<number, Row>;
  /** Early firing (count trigger): window end -> rows added since its last count firing. */
  cnt?: Map<number, number>;
}

export class WindowAggregateOperator extends Operator {
  private state = new Map<unknown, KeySlices>();
  private timers = new TimerQueue<unknown>();
  private readonly aggs: AggSet;
  private readonly keyFn: KeyFn;
  private readonly assigner: SliceAssigner;
  private readonly nKeys: number;
  private readonly early: EarlyFirePolicy | undefined;
  private readonly delay: DelayTrigger | undefined;
  /** Early firing (delay trigger): key -> slice ends changed since the last firing. */
  private dirty = new Map<unknown, Set<number>>();
  private readonly earlyOut = new BatchBuilder();
  /** Distance between consecutive window ends containing a slice. */
  private readonly windowStep: number;

  constructor(id: string, fields: RowField[], ctx: OperatorContext, inputFields: RowField[], private readonly window: WindowSpec,
    private readonly groupKeys: number[], calls: AggCallDesc[], earlyFire?: EarlyFire) {
    super(id, fields, ctx);
    this.aggs = new AggSet(calls);
    this.keyFn = makeKeyFn(groupKeys, inputFields);
    this.assigner = new SliceAssigner(window);
    this.nKeys = groupKeys.length;
    this.early = earlyFirePolicy(earlyFire);
    this.delay = this.early && this.early.delayMs > 0 ? new DelayTrigger(this.early.delayMs) : undefined;
    this.windowStep = window.kind === 'HOP' ? window.slide! : this.assigner.sliceSize;
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const tc = this.window.timeCol;
    const a = this.assigner;
    const proc = this.window.procTime;
    // Processing-time windows: a row belongs to the window of its arrival time; "fired" progress is the clock's.
    const wm = proc ? this.procFired : this.currentWatermark;
    const now = proc ? this.ctx.now() : 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const ts = proc ? now : row[tc] as number | null;
      if (ts === null) { this.ctx.badRow(this.id, row, 'window time attribute is NULL'); continue; }
      let sliceEnd = a.sliceEnd(ts);
      if (sliceEnd - 1 <= wm) {
        if (a.lastWindowEnd(sliceEnd) - 1 <= wm) { this.ctx.metrics.inc('lateRowsDropped'); continue; }
        if (this.window.kind === 'CUMULATE') sliceEnd = a.firstUnfiredWindowEnd(sliceEnd, wm);
      }
      const key = this.keyFn(row);
      let ks = this.state.get(key);
      if (ks === undefined) {
        ks = { k: project(row, this.groupKeys), s: new Map() };
        this.state.set(key, ks);
      }
      let accs = ks.s.get(sliceEnd);
      if (accs === undefined) {
        accs = this.aggs.create();
        ks.s.set(sliceEnd, accs);
        this.timers.register(a.firstUnfiredWindowEnd(sliceEnd, wm), key);
      }
      const kind = kinds[i]!;
      if (kind === RowKind.Insert || kind === RowKind.UpdateAfter) this.aggs.add(accs, row);
      else this.aggs.retract(accs, row);
      if (this.early !== undefined) this.touched(key, ks, sliceEnd);
    }
    if (this.earlyOut.size > 0) this.emit(this.earlyOut.take());
  }

  /** Early firing bookkeeping after a row went into slice `sliceEnd` of key `key`. */
  private touched(key: unknown, ks: KeySlices, sliceEnd: number): void {
    const early = this.early!;
    if (early.count > 0) {
      const a = this.assigner;
      const cnt = ks.cnt ??= new Map();
      const last = a.lastWindowEnd(sliceEnd);
      for (let e = a.firstUnfiredWindowEnd(sliceEnd, this.currentWatermark); e <= last; e += this.windowStep) {
        const c = (cnt.get(e) ?? 0) + 1;
        if (c >= early.count) {
          cnt.set(e, 0);
          this.emitPartial(this.earlyOut, ks, e);
        } else cnt.set(e, c);
      }
    }
    if (this.delay !== undefined) {
      let set = this.dirty.get(key);
      if (set === undefined) { set = new Set(); this.dirty.set(key, set); }
      set.add(sliceEnd);
      if (!this.delay.armed) this.delay.arm(this.ctx.now());
    }
  }

  /** Emits the change of window `end`'s partial result for `ks` since it was last emitted. */
  private emitPartial(out: BatchBuilder, ks: KeySlices, end: number): void {
    const start = this.assigner.windowStartOf(end);
    const merged = this.aggs.create();
    let any = false;
    for (const [sliceEnd, accs] of ks.s) {
      if (sliceEnd > start && sliceEnd <= end) { this.aggs.merge(merged, accs); any = true; }
    }
    if (!any) return;
    const em = ks.em ??= new Map();
    em.set(end, pushResultChange(out, em.get(end), this.outputRow(ks, merged, start, end)));
  }

  private outputRow(ks: KeySlices, merged: unknown[], start: number, end: number): Row {
    const row = new Array<unknown>(this.nKeys + this.aggs.size + 3);
    for (let i = 0; i < this.nKeys; i++) row[i] = ks.k[i];
    this.aggs.results(merged, row, this.nKeys);
    row[this.nKeys + this.aggs.size] = start;
    row[this.nKeys + this.aggs.size + 1] = end;
    row[this.nKeys + this.aggs.size + 2] = end - 1;
    return row;
  }

  /**
   * Processing-time hook (runner contract: called after every batch and about every 50 ms while idle): with an
   * early-fire delay, emits the changed partial results of the unfired windows touched since the last firing.
   */
  onProcessingTime(now: number): void {
    if (this.window.procTime && now - 1 > this.procFired) {
      this.procFired = now - 1;
      this.fire(now - 1);
    }
    if (this.delay === undefined || !this.delay.take(now)) return;
    const out = new BatchBuilder();
    const a = this.assigner;
    const wm = this.currentWatermark;
    const ends = new Set<number>();
    for (const [key, slices] of this.dirty) {
      const ks = this.state.get(key);
      if (ks === undefined) continue;
      ends.clear();
      for (const sliceEnd of slices) {
        const last = a.lastWindowEnd(sliceEnd);
        for (let e = a.firstUnfiredWindowEnd(sliceEnd, wm); e <= last; e += this.windowStep) ends.add(e);
      }
      for (const e of [...ends].sort((x, y) => x - y)) this.emitPartial(out, ks, e);
      if (out.size >= 1024) this.emit(out.take());
    }
    this.dirty.clear();
    this.emit(out.take());
  }

  /** Processing time up to which windows have fired (processing-time windows only). */
  private procFired = -Infinity;

  protected override onWatermark(wm: number): void {
    if (!this.window.procTime) this.fire(wm);
  }

  /**
   * End of a bounded input: processing-time windows still open are fired, so a bounded run reports every window it
   * saw (event-time windows have already fired on the final +infinity watermark).
   */
  override finish(): void {
    if (this.window.procTime) { this.procFired = Infinity; this.fire(Infinity); }
    super.finish();
  }

  private fire(wm: number): void {
    const out = new BatchBuilder();
    const a = this.assigner;
    for (let t = this.timers.pollUpTo(wm + 1); t !== undefined; t = this.timers.pollUpTo(wm + 1)) {
      const [end, keys] = t;
      const start = a.windowStartOf(end);
      for (const key of keys) {
        const ks = this.state.get(key);
        if (ks === undefined) continue;
        const merged = this.aggs.create();
        let any = false;
        for (const [sliceEnd, accs] of ks.s) {
          if (sliceEnd > start && sliceEnd <= end) { this.aggs.merge(merged, accs); any = true; }
        }
        if (any) {
          const row = this.outputRow(ks, merged, start, end);
          if (this.early === undefined) out.push(row, RowKind.Insert);
          else {
            pushResultChange(out, ks.em?.get(end), row);
            ks.em?.delete(end);
            ks.cnt?.delete(end);
          }
        }
        // Drop slices no future window needs; re-arm the timer for the next window containing remaining slices.
        const next = a.nextWindowEnd(end);
        const keepAfter = next === undefined ? end : a.windowStartOf(next);
        for (const sliceEnd of ks.s.keys()) if (sliceEnd <= keepAfter) ks.s.delete(sliceEnd);
        if (ks.s.size === 0) this.state.delete(key);
        else if (next !== undefined) {
          let minSlice = Infinity;
          for (const sliceEnd of ks.s.keys()) if (sliceEnd < minSlice) minSlice = sliceEnd;
          this.timers.register(Math.max(next, a.firstWindowEnd(minSlice)), key);
        }
      }
      if (out.size >= 1024) this.emit(out.take());
    }
    this.emit(out.take());
  }

  override snapshot(): unknown {
    if (this.early === undefined) return { state: this.state, timers: this.timers.snapshot() };
    return { state: this.state, timers: this.timers.snapshot(), dirty: this.dirty, due: this.delay?.due };
  }
  override restore(s: unknown): void {
    const st = s as { state: Map<unknown, KeySlices>; timers: unknown; dirty?: Map<unknown, Set<number>>; due?: number };
    this.state = st.state;
    this.timers.restore(st.timers);
    this.dirty = st.dirty ?? new Map();
    if (this.delay !== undefined) this.delay.due = st.due;
  }
}
