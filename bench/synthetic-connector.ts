/**
 * A benchmark-only source: `'connector' = 'synthetic'` generates (k STRING, v INT, ts TIMESTAMP(3)) rows in poll()
 * with a tiny LCG, so a benchmark measures the engine and not JSON parsing or disk. Options: `rows`, `keys`,
 * `step-ms` (event time advance per row), `disorder-ms`.
 */
import type { ConnectorFactory, ScanSource, TableContext } from '../src/engine/connector-api.js';
import type { Row } from '../src/common/row.js';

class SyntheticSource implements ScanSource {
  readonly bounded = true;
  private pos = 0;
  private readonly rows: number;
  private readonly keys: number;
  private readonly step: number;
  private readonly disorder: number;
  private readonly keyNames: string[];
  constructor(ctx: TableContext) {
    this.rows = Number(ctx.options['rows'] ?? 1_000_000);
    this.keys = Number(ctx.options['keys'] ?? 1000);
    this.step = Number(ctx.options['step-ms'] ?? 10);
    this.disorder = Number(ctx.options['disorder-ms'] ?? 0);
    this.keyNames = Array.from({ length: this.keys }, (_, i) => `user_${i}`);
  }
  async open(position?: unknown): Promise<void> { this.pos = (position as number | undefined) ?? 0; }
  async poll(max: number): Promise<Row[] | null> {
    if (this.pos >= this.rows) return null;
    const end = Math.min(this.rows, this.pos + max);
    const out: Row[] = new Array(end - this.pos);
    const base = 1704067200000;
    for (let i = this.pos, j = 0; i < end; i++, j++) {
      const h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
      const disorder = this.disorder ? h % this.disorder : 0;
      out[j] = [this.keyNames[h % this.keys]!, (h >>> 8) % 1000, base + i * this.step - disorder];
    }
    this.pos = end;
    return out;
  }
  position(): unknown { return this.pos; }
  async close(): Promise<void> {}
}

export const syntheticConnector: ConnectorFactory = {
  identifier: 'synthetic',
  options: { rows: { description: 'rows to generate' }, keys: { description: 'distinct keys' }, 'step-ms': { description: 'event-time step' }, 'disorder-ms': { description: 'max disorder' } },
  validate: () => [],
  createSource: (ctx) => new SyntheticSource(ctx),
};
