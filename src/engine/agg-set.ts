/**
 * The aggregate calls of one operator bound to their input columns: creates, updates and finalizes the accumulator
 * arrays that operators keep per key (per slice, per window). Invariant: `accs[i]` belongs to `fns[i]`; FILTER
 * (WHERE ...) rows are skipped per call; DISTINCT is implemented inside the aggregate (src/aggregates).
 */
import type { Row } from '../common/row.js';
import type { AggFunction } from '../aggregates/agg-function.js';
import { resolveAggregate } from '../aggregates/index.js';
import type { AggCallDesc } from '../plan/logical-plan.js';

export class AggSet {
  readonly fns: AggFunction[];
  private readonly argIdx: number[];
  private readonly filterIdx: number[];
  readonly size: number;

  constructor(readonly calls: AggCallDesc[]) {
    this.fns = calls.map((c) => {
      const res = resolveAggregate({ name: c.name, argTypes: c.argTypes, distinct: c.distinct, literalArgs: c.literalArgs ?? [] });
      if (!res.ok) throw new Error(`internal: aggregate ${c.name} did not resolve at runtime: ${res.message}`);
      return res.create();
    });
    this.argIdx = calls.map((c) => (c.args.length > 0 ? c.args[0]! : -1));
    this.filterIdx = calls.map((c) => (c.filterArg === undefined ? -1 : c.filterArg));
    this.size = calls.length;
  }

  create(): unknown[] {
    const accs = new Array<unknown>(this.size);
    for (let i = 0; i < this.size; i++) accs[i] = this.fns[i]!.create();
    return accs;
  }

  add(accs: unknown[], row: Row): void {
    for (let i = 0; i < this.size; i++) {
      const f = this.filterIdx[i]!;
      if (f >= 0 && row[f] !== true) continue;
      const a = this.argIdx[i]!;
      accs[i] = this.fns[i]!.add(accs[i], a >= 0 ? row[a] : true);
    }
  }

  retract(accs: unknown[], row: Row): void {
    for (let i = 0; i < this.size; i++) {
      const f = this.filterIdx[i]!;
      if (f >= 0 && row[f] !== true) continue;
      const a = this.argIdx[i]!;
      accs[i] = this.fns[i]!.retract(accs[i], a >= 0 ? row[a] : true);
    }
  }

  /** Merges `other` into `accs` (which is modified); `other` is unchanged. */
  merge(accs: unknown[], other: unknown[]): void {
    for (let i = 0; i < this.size; i++) accs[i] = this.fns[i]!.merge(accs[i], other[i]);
  }

  /** A fresh accumulator array equal to the merge of `parts` (none modified). */
  mergeAll(parts: unknown[][]): unknown[] {
    const accs = this.create();
    for (const p of parts) this.merge(accs, p);
    return accs;
  }

  /** Writes the results into `out` starting at `offset`. */
  results(accs: unknown[], out: unknown[], offset: number): void {
    for (let i = 0; i < this.size; i++) out[offset + i] = this.fns[i]!.result(accs[i]);
  }
}
