/**
 * `CROSS JOIN UNNEST(expr) [WITH ORDINALITY]` and `LEFT JOIN UNNEST(expr) ON TRUE`: one output row per element of the
 * ARRAY or MAP that `expr` yields for the input row: input fields ++ element columns (++ ordinality, BIGINT, 1-based).
 * Element columns: an ARRAY of ROW contributes the ROW's fields flattened (a NULL element gives NULLs); any other
 * ARRAY element is one column; a MAP entry contributes key and value (in the map's iteration order). `elementFields`
 * is the number of element columns. A NULL or empty collection yields no row (CROSS) or one row with NULL element
 * columns and NULL ordinality (LEFT). Every output row carries its input row's kind, so retractions of the input
 * retract exactly the rows its insertion produced. Rows whose expression fails are dead-lettered.
 */
import type { Batch, Row } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';
import type { ProgramOp } from '../../program/program.js';
import { compileExpr, type RowFn } from '../codegen.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';

export type UnnestOp = Extract<ProgramOp, { kind: 'unnest' }>;

export class UnnestOperator extends Operator {
  private readonly fn: RowFn;
  private readonly width: number;
  private readonly nElem: number;
  private readonly ordinality: boolean;
  private readonly left: boolean;
  /** ARRAY whose elements are ROWs flattened into columns. */
  private readonly flatten: boolean;

  constructor(p: UnnestOp, ctx: OperatorContext, evalCtx: EvalContext, inputFields: RowField[][]) {
    super(p.id, p.fields, ctx);
    this.fn = compileExpr(p.expr, evalCtx);
    this.width = (inputFields[0] ?? []).length;
    this.nElem = p.elementFields;
    this.ordinality = p.withOrdinality;
    this.left = p.left;
    const t = p.expr.type;
    if (t.kind !== 'ARRAY' && t.kind !== 'MAP') throw new Error(`internal: UNNEST of ${t.kind} in ${p.id}`);
    this.flatten = t.kind === 'ARRAY' && t.element?.kind === 'ROW';
    if (t.kind === 'MAP' && this.nElem !== 2) throw new Error(`internal: UNNEST of a MAP must contribute 2 columns in ${p.id}`);
  }

  /** A new output row holding the input columns; the rest is filled by the caller. */
  private base(row: Row): Row {
    const w = this.width;
    const out = new Array<unknown>(w + this.nElem + (this.ordinality ? 1 : 0));
    for (let i = 0; i < w; i++) out[i] = row[i];
    return out;
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const out = new BatchBuilder();
    const w = this.width, ne = this.nElem, ordIdx = w + ne;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const kind = kinds[i]!;
      let coll: unknown;
      try {
        coll = this.fn(row);
      } catch (err) {
        this.ctx.badRow(this.id, row, `UNNEST expression failed: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      let produced = 0;
      if (Array.isArray(coll)) {
        for (let j = 0; j < coll.length; j++) {
          const o = this.base(row);
          const el = coll[j] as unknown;
          if (this.flatten) {
            const r = el as unknown[] | null;
            for (let f = 0; f < ne; f++) o[w + f] = r === null || r === undefined ? null : (r[f] ?? null);
          } else {
            o[w] = el ?? null;
          }
          if (this.ordinality) o[ordIdx] = j + 1;
          out.push(o, kind);
          produced++;
        }
      } else if (coll instanceof Map) {
        for (const [k, v] of coll) {
          const o = this.base(row);
          o[w] = k;
          o[w + 1] = v ?? null;
          produced++;
          if (this.ordinality) o[ordIdx] = produced;
          out.push(o, kind);
        }
      }
      if (produced === 0 && this.left) {
        const o = this.base(row);
        for (let f = w; f < o.length; f++) o[f] = null;
        out.push(o, kind);
      }
      if (out.size >= 4096) this.emit(out.take());
    }
    this.emit(out.take());
  }
}
