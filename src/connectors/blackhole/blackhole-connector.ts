/**
 * The `blackhole` sink connector: accepts every change (inserts, updates, deletes) and discards it, counting rows.
 * Useful to run a query for its side effects or to measure throughput without a sink's cost.
 */
import type { Diagnostic } from '../../common/diagnostics.js';
import type { Batch } from '../../common/row.js';
import type { ConnectorFactory, SinkWriter, TableContext } from '../connector.js';
import { checkOptionKeys, roleDiag } from '../option-validation.js';

export class BlackholeSink implements SinkWriter {
  rowsWritten = 0;
  async open(): Promise<void> {}
  write(batch: Batch): void { this.rowsWritten += batch.rows.length; }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export const blackholeConnector: ConnectorFactory = {
  identifier: 'blackhole',
  options: {},
  validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] {
    const out = checkOptionKeys(blackholeConnector, ctx);
    if (role === 'source') out.push(roleDiag(ctx, 'blackhole', role));
    return out;
  },
  createSink(): SinkWriter {
    return new BlackholeSink();
  },
};
