/**
 * Hands batches to a connector's SinkWriter. Writers may be asynchronous: the operator keeps the pending promise so
 * the runtime can await it before the next batch and before a checkpoint completes.
 */
import type { Batch } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import { Operator, type OperatorContext } from '../operator.js';
import type { SinkWriter } from '../connector-api.js';

export class SinkOperator extends Operator {
  private pending: Promise<void>[] = [];
  constructor(id: string, fields: RowField[], ctx: OperatorContext, readonly writer: SinkWriter) {
    super(id, fields, ctx);
  }
  process(batch: Batch): void {
    this.rowsIn += batch.rows.length;
    // The batch arrays may be reused upstream only after process returns; copy for async writers.
    const copy: Batch = { rows: batch.rows.slice(), kinds: batch.kinds.slice() };
    const r = this.writer.write(copy);
    if (r) this.pending.push(r);
  }
  async drain(): Promise<void> {
    while (this.pending.length) {
      const p = this.pending;
      this.pending = [];
      await Promise.all(p);
    }
  }
  override snapshot(): unknown { return this.writer.snapshot?.(); }
}
