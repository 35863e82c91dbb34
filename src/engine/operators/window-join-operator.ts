/**
 * Window join (Flink's WindowJoinOperator), INNER / LEFT / RIGHT / FULL: both inputs are append-only window TVF
 * outputs carrying window_start / window_end columns. Rows are buffered per (window end, join key) in arrival order;
 * when the combined watermark reaches window_end - 1 the window fires: for each key (in first-arrival order) the
 * buffered left and right rows are joined (equal keys, NULL never equal, residual condition exactly true), unmatched
 * rows of a preserved side are null-padded, everything is emitted as +I and the window's state freed.
 *
 * As in Flink the window is identified by its end alone (both sides use the same windowing, so the end determines
 * the start). A row whose window has already fired (window_end - 1 <= watermark on arrival) is late: dropped and
 * counted in `lateRowsDropped`. Emission order per key: INNER/LEFT/FULL left rows in arrival order, each with its
 * matches in right arrival order (LEFT/FULL pad after each unmatched left row, FULL then pads unmatched right rows);
 * RIGHT iterates right rows, each with its left matches.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';
import type { JoinType, ProgramOp } from '../../program/program.js';
import type { KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { TimerQueue } from '../timer-queue.js';
import { hasNullKey, makeJoinKeyFns } from './join/join-keys.js';
import { JoinRows } from './join/join-rows.js';

interface WindowKey { l: Row[]; r: Row[] }
/** window end -> join key -> buffered rows. */
type Windows = Map<number, Map<unknown, WindowKey>>;

export interface WindowJoinState { windows: Windows; timers: unknown }

export class WindowJoinOperator extends Operator {
  private windows: Windows = new Map();
  /** Fire times (window end - 1), each with its window end as the only key. */
  private timers = new TimerQueue<number>();
  private readonly joinType: JoinType;
  private readonly ends: [number, number];
  private readonly keys: [number[], number[]];
  private readonly keyFns: [KeyFn, KeyFn];
  private readonly rows: JoinRows;
  private readonly rightMatched: boolean[] = [];

  constructor(p: Extract<ProgramOp, { kind: 'windowJoin' }>, ctx: OperatorContext, evalCtx: EvalContext, inputFields: RowField[][]) {
    super(p.id, p.fields, ctx, 2);
    const lf = inputFields[0] ?? [];
    const rf = inputFields[1] ?? [];
    this.joinType = p.joinType;
    this.ends = [p.leftWindow.end, p.rightWindow.end];
    this.keys = [p.leftKeys, p.rightKeys];
    this.keyFns = makeJoinKeyFns(p.leftKeys, p.rightKeys, lf, rf);
    this.rows = new JoinRows(lf.length, rf.length, p.condition, evalCtx, ctx, p.id);
  }

  process(batch: Batch, input: number): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const side = input === 0 ? 0 : 1;
    const endCol = this.ends[side];
    const keyFn = this.keyFns[side];
    const wm = this.currentWatermark;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const kind = kinds[i]!;
      if (kind !== RowKind.Insert && kind !== RowKind.UpdateAfter) { this.ctx.badRow(this.id, row, 'window join input must be append-only'); continue; }
      const end = row[endCol] as number | null;
      if (end === null) { this.ctx.badRow(this.id, row, 'window_end is NULL'); continue; }
      if (end - 1 <= wm) { this.ctx.metrics.inc('lateRowsDropped'); continue; }
      let win = this.windows.get(end);
      if (win === undefined) {
        win = new Map();
        this.windows.set(end, win);
        this.timers.register(end - 1, end);
      }
      const key = keyFn(row);
      let wk = win.get(key);
      if (wk === undefined) { wk = { l: [], r: [] }; win.set(key, wk); }
      (side === 0 ? wk.l : wk.r).push(row);
    }
  }

  protected override onWatermark(wm: number): void {
    const out = new BatchBuilder();
    for (let t = this.timers.pollUpTo(wm); t !== undefined; t = this.timers.pollUpTo(wm)) {
      for (const end of t[1]) {
        const win = this.windows.get(end);
        if (win === undefined) continue;
        this.windows.delete(end);
        for (const wk of win.values()) this.joinWindow(wk.l, wk.r, out);
      }
      if (out.size >= 1024) this.emit(out.take());
    }
    this.emit(out.take());
  }

  private joinWindow(ls: Row[], rs: Row[], out: BatchBuilder): void {
    const jr = this.rows;
    const type = this.joinType;
    // All rows of the bucket share the key; a NULL in it means nothing matches.
    const keyNull = ls.length > 0 ? hasNullKey(ls[0]!, this.keys[0]) : rs.length > 0 && hasNullKey(rs[0]!, this.keys[1]);
    const padLeft = type === 'LEFT' || type === 'FULL';
    const padRight = type === 'RIGHT' || type === 'FULL';
    if (rs.length === 0 || ls.length === 0 || keyNull) {
      if (padLeft) for (const l of ls) out.push(jr.withNullRight(l), RowKind.Insert);
      if (padRight) for (const r of rs) out.push(jr.withNullLeft(r), RowKind.Insert);
      return;
    }
    if (type === 'RIGHT') {
      for (const r of rs) {
        let matched = false;
        for (const l of ls) if (jr.matches(l, r)) { out.push(jr.joined(l, r), RowKind.Insert); matched = true; }
        if (!matched) out.push(jr.withNullLeft(r), RowKind.Insert);
      }
      return;
    }
    const rm = this.rightMatched;
    if (padRight) { rm.length = rs.length; rm.fill(false); }
    for (const l of ls) {
      let matched = false;
      for (let j = 0; j < rs.length; j++) {
        const r = rs[j]!;
        if (jr.matches(l, r)) {
          out.push(jr.joined(l, r), RowKind.Insert);
          matched = true;
          if (padRight) rm[j] = true;
        }
      }
      if (!matched && padLeft) out.push(jr.withNullRight(l), RowKind.Insert);
    }
    if (padRight) for (let j = 0; j < rs.length; j++) if (!rm[j]) out.push(jr.withNullLeft(rs[j]!), RowKind.Insert);
  }

  /** Buffered rows, for tests and metrics. */
  get stateSize(): number {
    let n = 0;
    for (const win of this.windows.values()) for (const wk of win.values()) n += wk.l.length + wk.r.length;
    return n;
  }

  override snapshot(): unknown { return { windows: this.windows, timers: this.timers.snapshot() } satisfies WindowJoinState; }
  override restore(s: unknown): void {
    const st = s as WindowJoinState;
    this.windows = st.windows;
    this.timers.restore(st.timers);
  }
}
