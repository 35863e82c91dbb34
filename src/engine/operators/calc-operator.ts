/** Fused filter + projection, compiled to one JavaScript loop per batch. Rows whose evaluation fails are dead-lettered. */
import type { Batch, Row } from '../../common/row.js';
import { Operator, type OperatorContext } from '../operator.js';
import { compileCalc, type CalcFn } from '../codegen.js';
import type { BExpr } from '../../plan/bound-expr.js';
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';

export class CalcOperator extends Operator {
  private readonly fn: CalcFn;
  private readonly onError: (row: unknown[], err: unknown) => void;
  constructor(id: string, fields: RowField[], ctx: OperatorContext, evalCtx: EvalContext, condition: BExpr | undefined, projection: BExpr[] | null) {
    super(id, fields, ctx);
    this.fn = compileCalc(condition, projection, evalCtx);
    this.onError = (row: Row, err: unknown) => ctx.badRow(id, row, err instanceof Error ? err.message : String(err));
  }
  process(batch: Batch): void {
    this.rowsIn += batch.rows.length;
    const out: Batch = { rows: [], kinds: [] };
    this.fn(batch.rows, batch.kinds, out.rows, out.kinds, this.onError);
    this.emit(out);
  }
}
