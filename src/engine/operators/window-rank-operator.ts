/**
 * Window Top-N and window deduplication (Flink's WindowRankOperator / WindowDeduplicateOperator): input rows carry
 * window_start and window_end columns (from a window TVF or a window aggregate). Rows are buffered per
 * (window, partition), keeping only the best rankEnd rows in sort order; when the watermark reaches window_end - 1
 * the rows ranked rankStart..rankEnd are emitted as +I (with the row number when requested) and the window's state
 * is freed. Output is append-only.
 *
 * Ties: by arrival order (the first arrived ranks first). Exception, window deduplication keeping the last row
 * (rank 1 only, ordered DESC by a time attribute; or `tiesKeepLast` set on the op): the last arrived wins a tie, as
 * Flink's keep-last deduplication replaces the kept row when rowtime >= kept rowtime.
 *
 * Rows of a window that already fired are late: dropped and counted (`lateRowsDropped`). Retractions are
 * dead-lettered (window Top-N input is append-only).
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';
import type { ProgramOp } from '../../program/program.js';
import { makeKeyFn, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { TimerQueue } from '../timer-queue.js';
import { makeRowComparator, upperBound, withRowNumber, type RowComparator } from './rank-operator.js';

export type WindowRankOp = Extract<ProgramOp, { kind: 'windowRank' }> & {
  /** Ties go to the last arrived row (keep-last window deduplication); derived from the order key when absent. */
  tiesKeepLast?: boolean;
};

/** Per window end: window start -> partition key -> the best rows, sorted. */
type WindowsByEnd = Map<number, Map<unknown, Row[]>>;

export class WindowRankOperator extends Operator {
  private state = new Map<number, WindowsByEnd>();
  private timers = new TimerQueue<number>();
  private readonly keyFn: KeyFn;
  private readonly cmp: RowComparator;
  private readonly lo: number;
  private readonly hi: number;
  private readonly tiesKeepLast: boolean;

  constructor(private readonly p: WindowRankOp, ctx: OperatorContext, _evalCtx: EvalContext, inputFields: RowField[][]) {
    super(p.id, p.fields, ctx);
    const fields = inputFields[0] ?? [];
    this.keyFn = makeKeyFn(p.partitionKeys, fields);
    this.cmp = makeRowComparator(p.orderKeys);
    this.lo = Math.max(0, p.rankStart - 1);
    this.hi = p.rankEnd - 1;
    const k0 = p.orderKeys[0];
    this.tiesKeepLast = p.tiesKeepLast ?? (p.rankStart <= 1 && p.rankEnd === 1 && p.orderKeys.length === 1
      && k0 !== undefined && k0.desc && fields[k0.index]?.type.timeAttr !== undefined);
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const wm = this.currentWatermark;
    const { windowStart: si, windowEnd: ei } = this.p;
    const keep = this.hi + 1;
    const cmp = this.cmp;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const kind = kinds[i]!;
      if (kind === RowKind.UpdateBefore || kind === RowKind.Delete) {
        this.ctx.badRow(this.id, row, 'window Top-N input must be append-only; a retraction was received');
        continue;
      }
      const start = row[si], end = row[ei];
      if (typeof start !== 'number' || typeof end !== 'number') { this.ctx.badRow(this.id, row, 'window_start or window_end is NULL'); continue; }
      if (end - 1 <= wm) { this.ctx.metrics.inc('lateRowsDropped'); continue; }
      let byStart = this.state.get(end);
      if (byStart === undefined) {
        byStart = new Map();
        this.state.set(end, byStart);
        this.timers.register(end, end);
      }
      let parts = byStart.get(start);
      if (parts === undefined) { parts = new Map(); byStart.set(start, parts); }
      const key = this.keyFn(row);
      const buf = parts.get(key);
      if (buf === undefined) { parts.set(key, [row]); continue; }
      let pos: number;
      if (this.tiesKeepLast) {
        // Lower bound: before the rows comparing equal, so the later row wins the tie.
        let l = 0, h = buf.length;
        while (l < h) { const m = (l + h) >>> 1; if (cmp(buf[m]!, row) < 0) l = m + 1; else h = m; }
        pos = l;
      } else {
        pos = upperBound(buf, row, cmp);
      }
      if (pos >= keep) continue;
      if (pos === buf.length) buf.push(row); else buf.splice(pos, 0, row);
      if (buf.length > keep) buf.length = keep;
    }
  }

  protected override onWatermark(wm: number): void {
    const out = new BatchBuilder();
    const { lo, hi } = this;
    const rowNumber = this.p.rankNumber;
    for (let t = this.timers.pollUpTo(wm + 1); t !== undefined; t = this.timers.pollUpTo(wm + 1)) {
      const end = t[0];
      const byStart = this.state.get(end);
      if (byStart === undefined) continue;
      this.state.delete(end);
      for (const parts of byStart.values()) {
        for (const buf of parts.values()) {
          const last = Math.min(hi, buf.length - 1);
          for (let r = lo; r <= last; r++) out.push(rowNumber ? withRowNumber(buf[r]!, r + 1) : buf[r]!, RowKind.Insert);
        }
        if (out.size >= 1024) this.emit(out.take());
      }
    }
    this.emit(out.take());
  }

  override snapshot(): unknown { return { state: this.state, timers: this.timers.snapshot() }; }
  override restore(s: unknown): void {
    const st = s as { state: Map<number, WindowsByEnd>; timers: unknown };
    this.state = st.state;
    this.timers.restore(st.timers);
  }
}
