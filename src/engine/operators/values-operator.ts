/** VALUES as a bounded source: emits its rows once, then the final watermark. */
import type { Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import { Operator, WATERMARK_MAX, type OperatorContext } from '../operator.js';

export class ValuesOperator extends Operator {
  constructor(id: string, fields: RowField[], ctx: OperatorContext, private readonly rows: Row[]) {
    super(id, fields, ctx, 1);
  }
  process(): void { throw new Error('internal: VALUES has no upstream'); }
  start(): void {
    this.emit({ rows: this.rows.map((r) => r.slice()), kinds: this.rows.map(() => RowKind.Insert) });
    this.watermark(WATERMARK_MAX, 0);
  }
}
