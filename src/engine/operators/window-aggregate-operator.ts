/**
 * Window aggregation over TUMBLE / HOP / CUMULATE with slicing (see ../windows.ts): per key, one accumulator per
 * slice; a timer per (window end, key) fires when the watermark reaches end - 1, merges the window's slices and
 * emits the final, append-only result [group keys..., aggregates..., window_start, window_end, window_time].
 *
 * Lateness (Flink's rule): a row whose slice belongs only to windows that have fired is dropped and counted; a row
 * whose slice's first window fired but a later one has not is still added (CUMULATE moves it to the first unfired
 * slice of its cycle, which belongs to exactly the unfired windows containing the row).
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { AggCallDesc, WindowSpec } from '../../plan/logical-plan.js';
import { AggSet } from '../agg-set.js';
import { makeKeyFn, project, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { SliceAssigner } from '../windows.js';
import { TimerQueue } from '../timer-queue.js';

interface KeySlices { k: Row; s: Map<number, unknown[]> }

export class WindowAggregateOperator extends Operator {
  private state = new Map<unknown, KeySlices>();
  private timers = new TimerQueue<unknown>();
  private readonly aggs: AggSet;
  private readonly keyFn: KeyFn;
  private readonly assigner: SliceAssigner;
  private readonly nKeys: number;

  constructor(id: string, fields: RowField[], ctx: OperatorContext, inputFields: RowField[], private readonly window: WindowSpec,
    private readonly groupKeys: number[], calls: AggCallDesc[]) {
    super(id, fields, ctx);
    this.aggs = new AggSet(calls);
    this.keyFn = makeKeyFn(groupKeys, inputFields);
    this.assigner = new SliceAssigner(window);
    this.nKeys = groupKeys.length;
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const tc = this.window.timeCol;
    const a = this.assigner;
    const wm = this.currentWatermark;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const ts = row[tc] as number | null;
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
    }
  }

  protected override onWatermark(wm: number): void {
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
          const row = new Array<unknown>(this.nKeys + this.aggs.size + 3);
          for (let i = 0; i < this.nKeys; i++) row[i] = ks.k[i];
          this.aggs.results(merged, row, this.nKeys);
          row[this.nKeys + this.aggs.size] = start;
          row[this.nKeys + this.aggs.size + 1] = end;
          row[this.nKeys + this.aggs.size + 2] = end - 1;
          out.push(row, RowKind.Insert);
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

  override snapshot(): unknown { return { state: this.state, timers: this.timers.snapshot() }; }
  override restore(s: unknown): void {
    const st = s as { state: Map<unknown, KeySlices>; timers: unknown };
    this.state = st.state;
    this.timers.restore(st.timers);
  }
}
