/**
 * Unbounded GROUP BY with an updating result, as Flink's GroupAggFunction: per key one accumulator array and a row
 * count. An accumulate message adds, a retract message retracts; the operator emits +I for a new key, -U/+U when the
 * result changed, nothing when it did not, and -D when the key's last row was retracted (state then removed).
 * Retractions for keys without state are ignored (they belong to rows this operator never saw).
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { AggCallDesc } from '../../plan/logical-plan.js';
import { AggSet } from '../agg-set.js';
import { makeKeyFn, project, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { rowsEqual } from '../row-equality.js';

interface GroupState { k: Row; a: unknown[]; c: number; /** last update, processing time (state TTL) */ t?: number }

export class GroupAggregateOperator extends Operator {
  private state = new Map<unknown, GroupState>();
  private readonly aggs: AggSet;
  private readonly keyFn: KeyFn;
  private readonly nKeys: number;

  /**
   * `ttlMs` (`table.exec.state.ttl`): a key not updated for longer is forgotten, as Flink's state TTL does — its next
   * row starts a new group (+I), and no retraction is emitted for the forgotten result.
   */
  constructor(id: string, fields: RowField[], ctx: OperatorContext, inputFields: RowField[], private readonly groupKeys: number[], calls: AggCallDesc[],
    private readonly ttlMs?: number) {
    super(id, fields, ctx);
    this.aggs = new AggSet(calls);
    this.keyFn = makeKeyFn(groupKeys, inputFields);
    this.nKeys = groupKeys.length;
  }

  private resultRow(s: GroupState): Row {
    const out = new Array<unknown>(this.nKeys + this.aggs.size);
    for (let i = 0; i < this.nKeys; i++) out[i] = s.k[i];
    this.aggs.results(s.a, out, this.nKeys);
    return out;
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const out = new BatchBuilder();
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const kind = kinds[i]!;
      const acc = kind === RowKind.Insert || kind === RowKind.UpdateAfter;
      const key = this.keyFn(row);
      let s = this.state.get(key);
      if (s !== undefined && this.ttlMs !== undefined) {
        const now = this.ctx.now();
        if (now - (s.t ?? now) > this.ttlMs) { this.state.delete(key); this.ctx.metrics.inc('stateExpired'); s = undefined; } else s.t = now;
      }
      if (s === undefined) {
        if (!acc) continue;
        s = { k: project(row, this.groupKeys), a: this.aggs.create(), c: 0 };
        if (this.ttlMs !== undefined) s.t = this.ctx.now();
        this.state.set(key, s);
        this.aggs.add(s.a, row);
        s.c = 1;
        out.push(this.resultRow(s), RowKind.Insert);
        continue;
      }
      const prev = this.resultRow(s);
      if (acc) { this.aggs.add(s.a, row); s.c++; } else { this.aggs.retract(s.a, row); s.c--; }
      if (s.c <= 0) {
        this.state.delete(key);
        out.push(prev, RowKind.Delete);
        continue;
      }
      const next = this.resultRow(s);
      if (rowsEqual(prev, next)) continue;
      out.push(prev, RowKind.UpdateBefore);
      out.push(next, RowKind.UpdateAfter);
    }
    this.emit(out.take());
  }

  /** Frees expired keys (called by the runtime on processing-time ticks). */
  onProcessingTime(now: number): void {
    if (this.ttlMs === undefined || now - this.lastSweep < Math.max(1000, this.ttlMs / 10)) return;
    this.lastSweep = now;
    for (const [k, s] of this.state) if (now - (s.t ?? now) > this.ttlMs) { this.state.delete(k); this.ctx.metrics.inc('stateExpired'); }
  }
  private lastSweep = 0;

  override snapshot(): unknown { return this.state; }
  override restore(s: unknown): void { this.state = s as Map<unknown, GroupState>; }
  get stateSize(): number { return this.state.size; }
}
