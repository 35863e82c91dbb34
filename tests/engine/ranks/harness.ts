/** Test harness for driving operators directly: a probe collecting output, materialization, snapshot round trips. */
import assert from 'node:assert/strict';
import { serialize, deserialize } from 'node:v8';
import type { Batch, Row } from '../../../src/common/row.js';
import { RowKind } from '../../../src/common/row.js';
import { Metrics } from '../../../src/engine/metrics.js';
import { Operator, type OperatorContext } from '../../../src/engine/operator.js';
import type { EvalContext } from '../../../src/functions/index.js';

export { mulberry32 } from '../../support/random-events.js';

export interface TestCtx extends OperatorContext {
  bad: { row: Row; reason: string }[];
  clock: { t: number };
}

export function makeCtx(): TestCtx {
  const bad: { row: Row; reason: string }[] = [];
  const clock = { t: 0 };
  return { metrics: new Metrics(), now: () => clock.t, badRow: (_id, row, reason) => { bad.push({ row, reason }); }, bad, clock };
}

export const evalCtx: EvalContext = { timeZone: 'UTC', now: () => 0 };

export class Probe extends Operator {
  rows: Row[] = [];
  kinds: RowKind[] = [];
  wms: number[] = [];
  /** Number of rows received before each watermark. */
  rowsAtWm: number[] = [];
  constructor() { super('probe', [], makeCtx()); }
  process(b: Batch): void {
    for (let i = 0; i < b.rows.length; i++) { this.rows.push(b.rows[i]!); this.kinds.push(b.kinds[i]!); }
  }
  protected override onWatermark(wm: number): void { this.wms.push(wm); this.rowsAtWm.push(this.rows.length); }
  changes(): string[] { return this.rows.map((r, i) => `${['+I', '-U', '+U', '-D'][this.kinds[i]!]}${JSON.stringify(r)}`); }
  clear(): void { this.rows = []; this.kinds = []; }
}

export function attach(op: Operator): Probe {
  const p = new Probe();
  op.outputs.push({ op: p, input: 0 });
  return p;
}

/** Applies a changelog to a multiset; fails on a retraction of a row not present. Returns sorted JSON rows. */
export class View {
  private m = new Map<string, number>();
  apply(rows: Row[], kinds: RowKind[], from = 0): void {
    for (let i = from; i < rows.length; i++) {
      const k = JSON.stringify(rows[i]);
      const add = kinds[i] === RowKind.Insert || kinds[i] === RowKind.UpdateAfter;
      const n = this.m.get(k) ?? 0;
      if (add) this.m.set(k, n + 1);
      else {
        assert.ok(n > 0, `retraction of a row not in the view: ${k}`);
        if (n === 1) this.m.delete(k); else this.m.set(k, n - 1);
      }
    }
  }
  rows(): string[] {
    const out: string[] = [];
    for (const [k, n] of this.m) for (let i = 0; i < n; i++) out.push(k);
    return out.sort();
  }
}

export function materialize(rows: Row[], kinds: RowKind[]): string[] {
  const v = new View();
  v.apply(rows, kinds);
  return v.rows();
}

export const sortedJson = (rows: Row[]): string[] => rows.map((r) => JSON.stringify(r)).sort();

/** Snapshot `from` (through v8 serialization, as checkpoints do) and restore it into `to`. */
export function transfer(from: Operator, to: Operator): void {
  const bytes = serialize({ base: from.snapshotBase(), state: from.snapshot() });
  const d = deserialize(bytes) as { base: { inputs: number[]; current: number }; state: unknown };
  to.restoreBase(d.base);
  if (d.state !== undefined) to.restore(d.state);
}

export const I = RowKind.Insert, UB = RowKind.UpdateBefore, UA = RowKind.UpdateAfter, D = RowKind.Delete;
