/**
 * Window table function without aggregation: appends window_start, window_end and window_time to each row, one
 * output row per window containing it (HOP and CUMULATE produce several). Rows all of whose windows have fired are
 * late: dropped and counted, as Flink does.
 */
import type { Batch, Row } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { WindowSpec } from '../../plan/logical-plan.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { SliceAssigner } from '../windows.js';

export class WindowTvfOperator extends Operator {
  private readonly assigner: SliceAssigner;
  constructor(id: string, fields: RowField[], ctx: OperatorContext, private readonly window: WindowSpec) {
    super(id, fields, ctx);
    this.assigner = new SliceAssigner(window);
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    this.rowsIn += rows.length;
    const out = new BatchBuilder();
    const tc = this.window.timeCol;
    // Processing-time windows are never late: a row belongs to the window of its arrival.
    const wm = this.window.procTime ? -Infinity : this.currentWatermark;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const ts = row[tc] as number | null;
      if (ts === null) { this.ctx.badRow(this.id, row, 'window time attribute is NULL'); continue; }
      for (const [start, end] of this.assigner.windowsOf(ts)) {
        if (end - 1 <= wm) { continue; }
        const r: Row = row.slice();
        r.push(start, end, end - 1);
        out.push(r, kinds[i]!);
      }
      if (this.assigner.windowsOf(ts).every(([, end]) => end - 1 <= wm)) this.ctx.metrics.inc('lateRowsDropped');
    }
    this.emit(out.take());
  }
}
