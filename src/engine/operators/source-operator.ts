/**
 * Turns a connector's physical rows into table rows: places physical columns, evaluates computed columns, and
 * derives the source watermark from the WATERMARK clause (the maximum of the watermark expression over rows seen,
 * as Flink's bounded-out-of-orderness strategy). Rows whose rowtime is NULL or whose computed columns fail are
 * dead-lettered, never silently dropped.
 */
import type { Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { TableDef } from '../../plan/logical-plan.js';
import { Operator, WATERMARK_MIN, type OperatorContext } from '../operator.js';
import { compileExpr, type RowFn } from '../codegen.js';
import type { EvalContext } from '../../functions/index.js';

export class SourceOperator extends Operator {
  private readonly placements: [number, number][] = [];
  private readonly computed: [number, RowFn][] = [];
  private readonly wmFn: RowFn | undefined;
  private readonly rowtimeCol: number;
  private readonly width: number;
  /** Highest watermark candidate seen; emitted after each batch. */
  pendingWatermark = WATERMARK_MIN;
  /** Per-partition watermark candidates for partitioned sources; the source watermark is their minimum. */
  private partitionWm = new Map<number, number>();

  constructor(id: string, readonly table: TableDef, ctx: OperatorContext, evalCtx: EvalContext) {
    super(id, table.fields, ctx, 1);
    this.width = table.fields.length;
    table.columns.forEach((c, i) => {
      if (c.kind === 'physical') this.placements.push([i, c.physicalIndex]);
      else if (c.kind === 'computed') this.computed.push([i, compileExpr(c.expr, evalCtx)]);
    });
    this.wmFn = table.watermark ? compileExpr(table.watermark.expr, evalCtx) : undefined;
    this.rowtimeCol = table.watermark ? table.watermark.column : -1;
  }

  process(): void {
    throw new Error('internal: a source operator has no upstream');
  }

  /** Converts and emits one batch of physical rows; `partitions[i]` is row i's partition for partitioned sources. */
  ingest(physical: Row[], partitions?: readonly number[], held?: readonly number[]): void {
    const n = physical.length;
    this.rowsIn += n;
    const rows: Row[] = [];
    const kinds: RowKind[] = [];
    const { placements, computed, width, wmFn, rowtimeCol } = this;
    let wm = this.pendingWatermark;
    for (let i = 0; i < n; i++) {
      const p = physical[i]!;
      let row: Row;
      if (computed.length === 0 && placements.length === width && p.length === width) {
        row = p;
      } else {
        row = new Array<unknown>(width).fill(null);
        for (let j = 0; j < placements.length; j++) row[placements[j]![0]] = p[placements[j]![1]];
        try {
          for (let j = 0; j < computed.length; j++) row[computed[j]![0]] = computed[j]![1](row);
        } catch (err) {
          this.ctx.badRow(this.id, p, `computed column failed: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
      }
      if (wmFn) {
        if (row[rowtimeCol] === null) {
          this.ctx.badRow(this.id, p, `rowtime column '${this.table.fields[rowtimeCol]!.name}' is NULL`);
          continue;
        }
        const w = wmFn(row);
        if (typeof w === 'number') {
          if (partitions) {
            const p = partitions[i]!;
            const cur = this.partitionWm.get(p);
            if (cur === undefined || w > cur) this.partitionWm.set(p, w);
          } else if (w > wm) wm = w;
        }
      }
      rows.push(row);
      kinds.push(RowKind.Insert);
    }
    // Partitions that still owe their first rows hold the watermark back (their rows are not late when they come).
    const waiting = held !== undefined && held.some((p) => !this.partitionWm.has(p));
    if (partitions && this.partitionWm.size > 0 && !waiting) {
      let min = Infinity;
      for (const w of this.partitionWm.values()) if (w < min) min = w;
      if (min > wm) wm = min;
    }
    this.pendingWatermark = wm;
    this.emit({ rows, kinds });
  }

  /** Emits the pending watermark if it advanced. */
  flushWatermark(): void {
    if (this.wmFn && this.pendingWatermark > this.currentWatermark) this.watermark(this.pendingWatermark, 0);
  }

  override snapshot(): unknown { return { wm: this.pendingWatermark, cur: this.currentWatermark, parts: this.partitionWm }; }
  override restore(s: unknown): void {
    const st = s as { wm: number; cur: number; parts?: Map<number, number> };
    this.pendingWatermark = st.wm;
    if (st.parts) this.partitionWm = st.parts;
    this.currentWatermark = st.cur;
    this.inputWatermarks[0] = st.cur;
  }
}
