/**
 * Deduplication: `ROW_NUMBER() OVER (PARTITION BY keys ORDER BY time ASC|DESC) = 1`, with Flink's semantics
 * (ProcTime/RowTimeDeduplicateFunction, emitting immediately, not waiting for watermarks):
 *  - processing time, keep first: the first row per key is emitted (+I), later rows are ignored (append-only output);
 *  - processing time, keep last: +I for the first row, then -U(previous)/+U(new) for every later row;
 *  - event time, keep first: +I for the first row; a later-arriving row with a strictly smaller rowtime replaces the
 *    kept one (-U/+U);
 *  - event time, keep last: a row whose rowtime is >= the kept one's replaces it (-U/+U).
 * `rankNumber` appends the constant row number 1 (BIGINT). Input must be append-only: +I/+U rows are treated as
 * new rows, retractions (-U/-D) are dead-lettered (the planner uses a Top-N for updating input). A NULL rowtime is
 * dead-lettered.
 *
 * State TTL (`ttl.ms`): a key not seen for that long (processing time) is forgotten, so its next row is again a
 * first row (+I), as with Flink's state TTL.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';
import type { ProgramOp } from '../../program/program.js';
import { makeKeyFn, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { withRowNumber } from './rank-operator.js';

export type DeduplicateOp = Extract<ProgramOp, { kind: 'deduplicate' }>;

interface Kept {
  /** The emitted output row (with the row number when requested); null for processing-time keep-first. */
  r: Row | null;
  /** Rowtime of the kept row (event time only). */
  ts: number;
  /** Last access, processing time (only maintained with a TTL). */
  t: number;
}

export class DeduplicateOperator extends Operator {
  private state = new Map<unknown, Kept>();
  private readonly keyFn: KeyFn;
  private readonly timeCol: number;
  private readonly keepLast: boolean;
  private readonly procTime: boolean;
  private readonly rowNumber: boolean;
  private readonly ttlMs: number;
  private nextSweep = 0;

  constructor(p: DeduplicateOp, ctx: OperatorContext, _evalCtx: EvalContext, inputFields: RowField[][]) {
    super(p.id, p.fields, ctx);
    this.keyFn = makeKeyFn(p.keys, inputFields[0] ?? []);
    this.timeCol = p.timeCol;
    this.keepLast = p.keepLast;
    this.procTime = p.procTime;
    this.rowNumber = p.rankNumber;
    this.ttlMs = p.ttl?.ms ?? 0;
  }

  private output(row: Row): Row { return this.rowNumber ? withRowNumber(row, 1) : row; }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const out = new BatchBuilder();
    const now = this.ttlMs > 0 ? this.expire() : 0;
    const { procTime, keepLast, timeCol } = this;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const kind = kinds[i]!;
      if (kind === RowKind.UpdateBefore || kind === RowKind.Delete) {
        this.ctx.badRow(this.id, row, 'deduplication input must be append-only; a retraction was received');
        continue;
      }
      let ts = 0;
      if (!procTime) {
        const v = row[timeCol];
        if (typeof v !== 'number') { this.ctx.badRow(this.id, row, 'deduplication rowtime is NULL'); continue; }
        ts = v;
      }
      const key = this.keyFn(row);
      let kept = this.state.get(key);
      if (kept !== undefined && this.ttlMs > 0 && kept.t + this.ttlMs <= now) { this.state.delete(key); kept = undefined; }
      if (kept === undefined) {
        const r = procTime && !keepLast ? null : this.output(row);
        this.state.set(key, { r, ts, t: now });
        out.push(r ?? this.output(row), RowKind.Insert);
        continue;
      }
      kept.t = now;
      if (procTime && !keepLast) continue;
      const replace = procTime || (keepLast ? ts >= kept.ts : ts < kept.ts);
      if (!replace) continue;
      const r = this.output(row);
      out.push(kept.r!, RowKind.UpdateBefore);
      out.push(r, RowKind.UpdateAfter);
      kept.r = r;
      kept.ts = ts;
    }
    this.emit(out.take());
  }

  private expire(): number {
    const now = this.ctx.now();
    if (now >= this.nextSweep) {
      const limit = now - this.ttlMs;
      for (const [k, v] of this.state) if (v.t <= limit) this.state.delete(k);
      this.nextSweep = now + this.ttlMs;
    }
    return now;
  }

  override snapshot(): unknown { return { state: this.state }; }
  override restore(s: unknown): void {
    this.state = (s as { state: Map<unknown, Kept> }).state;
    this.nextSweep = 0;
  }
}
