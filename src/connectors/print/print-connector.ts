/**
 * The `print` sink connector: prints every change as Flink does, `+I[1, abc]`, one per line, prefixed by
 * `<print-identifier>> ` when an identifier is set, to standard output or (with `standard-error`) standard error.
 * The embedded engine writes with one writer, so there is no `<subtask>>` prefix.
 *
 * Output goes through a `PrintOutput` so the CLI can redirect it: pass one to `createPrintConnector`, or put a
 * `printOutput` on the sink context.
 */
import type { Diagnostic } from '../../common/diagnostics.js';
import type { Batch } from '../../common/row.js';
import type { ConnectorFactory, SinkContext, SinkWriter, TableContext } from '../connector.js';
import { booleanOption, checkOptionKeys, roleDiag } from '../option-validation.js';
import { createRowPrinter } from './flink-row-text.js';

/** Receives printed lines (without the trailing newline). */
export type PrintOutput = (line: string, toStandardError: boolean) => void;

/** A sink context that may carry its own output (the CLI's, a test's). */
export interface PrintSinkContext extends SinkContext {
  printOutput?: PrintOutput;
}

export const processOutput: PrintOutput = (line, toStandardError) => {
  (toStandardError ? process.stderr : process.stdout).write(line + '\n');
};

const OPTIONS: ConnectorFactory['options'] = {
  'print-identifier': { description: "Prefix of every printed line ('<identifier>> ')." },
  'standard-error': { default: 'false', description: 'Print to standard error instead of standard output.' },
  'sink.parallelism': { description: 'Accepted for compatibility; the embedded engine prints with one writer.' },
};

export class PrintSink implements SinkWriter {
  private readonly print: ReturnType<typeof createRowPrinter>;
  private readonly prefix: string;
  private readonly toStderr: boolean;
  rowsWritten = 0;

  constructor(ctx: SinkContext, private readonly output: PrintOutput) {
    this.print = createRowPrinter(ctx.physicalFields);
    const id = ctx.options['print-identifier'];
    this.prefix = id !== undefined && id !== '' ? `${id}> ` : '';
    this.toStderr = booleanOption(ctx, 'standard-error', false, []);
  }

  async open(): Promise<void> {}

  write(batch: Batch): void {
    const { rows, kinds } = batch;
    if (rows.length === 0) return;
    // One write per batch: a line per row, joined.
    let text = '';
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) text += '\n';
      text += this.prefix + this.print(rows[i]!, kinds[i]!);
    }
    this.rowsWritten += rows.length;
    this.output(text, this.toStderr);
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export function createPrintConnector(output: PrintOutput = processOutput): ConnectorFactory {
  const factory: ConnectorFactory = {
    identifier: 'print',
    options: OPTIONS,
    validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] {
      const out = checkOptionKeys(factory, ctx);
      if (role === 'source') out.push(roleDiag(ctx, 'print', role));
      booleanOption(ctx, 'standard-error', false, out);
      return out;
    },
    createSink(ctx: SinkContext): SinkWriter {
      return new PrintSink(ctx, (ctx as PrintSinkContext).printOutput ?? output);
    },
  };
  return factory;
}

export const printConnector = createPrintConnector();
