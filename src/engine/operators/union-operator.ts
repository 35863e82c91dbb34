/** UNION ALL: forwards every input; the watermark is the minimum over inputs (handled by the base class). */
import type { Batch } from '../../common/row.js';
import { Operator } from '../operator.js';

export class UnionOperator extends Operator {
  process(batch: Batch): void {
    this.rowsIn += batch.rows.length;
    this.emit(batch);
  }
}
