/**
 * Materializes the result of a SELECT: applies the changelog to a multiset of rows (+I/+U add, -U/-D remove), which
 * is what a materialized view of the query holds. Optionally streams each change to a listener (the CLI's
 * `--changelog` and unbounded SELECTs). Its state is checkpointed like any operator's, so a restored run ends with
 * the same result.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import { Operator, type OperatorContext } from '../operator.js';
import { makeKeyFn, type KeyFn } from '../keys.js';

export type ChangeListener = (row: Row, kind: RowKind) => void;

interface Entry { row: Row; n: number }

export class CollectOperator extends Operator {
  private view = new Map<unknown, Entry>();
  private readonly keyFn: KeyFn;
  /** Retractions of rows not in the view (a bug upstream if it ever happens); counted, never ignored silently. */
  unmatchedRetractions = 0;
  changes = 0;

  constructor(id: string, fields: RowField[], ctx: OperatorContext, readonly name: string, private readonly listener?: ChangeListener) {
    super(id, fields, ctx);
    this.keyFn = makeKeyFn(fields.map((_, i) => i).concat(fields.length === 1 ? [] : []), fields);
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    this.rowsIn += rows.length;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const kind = kinds[i]!;
      this.changes++;
      this.listener?.(row, kind);
      const key = this.keyFn(row);
      const e = this.view.get(key);
      if (kind === RowKind.Insert || kind === RowKind.UpdateAfter) {
        if (e) e.n++; else this.view.set(key, { row, n: 1 });
      } else if (e) {
        if (--e.n === 0) this.view.delete(key);
      } else {
        this.unmatchedRetractions++;
        this.ctx.metrics.inc('unmatchedRetractions');
      }
    }
  }

  /** The materialized rows, each repeated by its multiplicity. */
  result(): Row[] {
    const out: Row[] = [];
    for (const e of this.view.values()) for (let i = 0; i < e.n; i++) out.push(e.row);
    return out;
  }

  override snapshot(): unknown { return { view: this.view, changes: this.changes }; }
  override restore(s: unknown): void {
    const st = s as { view: Map<unknown, Entry>; changes: number };
    this.view = st.view;
    this.changes = st.changes;
  }
}
