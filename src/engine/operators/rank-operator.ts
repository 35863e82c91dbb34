/**
 * Top-N by ROW_NUMBER (Flink's AppendOnlyTopNFunction / RetractableTopNFunction): per partition, the rows ranked
 * rankStart..rankEnd by the order keys, maintained as a changelog so that the materialized output always equals the
 * current top-N of the materialized input.
 *
 * State per partition: the rows sorted by the order keys. Ties are broken by arrival order (a new row goes after the
 * rows that compare equal to it), so the ranking is deterministic. When the input is known to be append-only
 * (`inputUpdating === false` on the op) only the first rankEnd rows are kept; otherwise every row is kept, because a
 * retraction promotes the row below the top-N.
 *
 * Output with `rankNumber` (row number appended as BIGINT): a change is emitted per rank position whose occupant
 * changed, as Flink does: -U(old row, r)/+U(new row, r); +I(row, r) when the position was empty; -D(row, r) when it
 * becomes empty. Without the row number: +I for a row entering the top-N, -D for a row leaving it.
 *
 * A retraction (-U/-D) removes the last stored row equal (all columns) to it among those with the same sort key; a
 * retraction of a row not in state is counted (`rankRetractionsNotFound`) and otherwise ignored, as Flink does.
 *
 * State TTL (`ttl.ms`): a partition not touched for that long (processing time) is dropped without emitting
 * anything, as Flink's state TTL does; the next row of that partition starts it afresh.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import { compareValues, type EvalContext } from '../../functions/index.js';
import type { ProgramOp, SortKey } from '../../program/program.js';
import { makeKeyFn, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { rowsEqual } from '../row-equality.js';

export type RankOp = Extract<ProgramOp, { kind: 'rank' }> & {
  /** False when the planner knows the input is append-only (+I only): state is then bounded by rankEnd rows. */
  inputUpdating?: boolean;
};

export type RowComparator = (a: Row, b: Row) => number;

/** Compares rows by sort keys; NULLs are placed first or last per key regardless of direction. */
export function makeRowComparator(keys: readonly SortKey[]): RowComparator {
  const idx = keys.map((k) => k.index);
  const desc = keys.map((k) => k.desc);
  const nullsFirst = keys.map((k) => k.nullsFirst);
  const n = keys.length;
  return (a, b) => {
    for (let j = 0; j < n; j++) {
      const x = a[idx[j]!], y = b[idx[j]!];
      if (x === y) continue;
      if (x === null) return nullsFirst[j] ? -1 : 1;
      if (y === null) return nullsFirst[j] ? 1 : -1;
      const c = compareValues(x, y);
      if (c !== 0) return desc[j] ? -c : c;
    }
    return 0;
  };
}

/** First index whose row compares greater than `row` (insertion point after equal rows: stable ties). */
export function upperBound(rows: readonly Row[], row: Row, cmp: RowComparator): number {
  let lo = 0, hi = rows.length;
  // Fast path for rows arriving in order (appended at the end).
  if (hi > 0 && cmp(rows[hi - 1]!, row) <= 0) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(rows[mid]!, row) <= 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** `row` with `n` appended (the row number column). */
export function withRowNumber(row: Row, n: number): Row {
  const w = row.length;
  const out = new Array<unknown>(w + 1);
  for (let i = 0; i < w; i++) out[i] = row[i];
  out[w] = n;
  return out;
}

interface Partition {
  /** Sorted rows (only the first rankEnd when the input is append-only). */
  rows: Row[];
  /** Last access, processing time (only maintained with a TTL). */
  t: number;
}

export class RankOperator extends Operator {
  private state = new Map<unknown, Partition>();
  private readonly keyFn: KeyFn;
  private readonly cmp: RowComparator;
  /** 0-based first and last (inclusive) positions of the emitted range. */
  private readonly lo: number;
  private readonly hi: number;
  private readonly appendOnly: boolean;
  private readonly rowNumber: boolean;
  private readonly ttlMs: number;
  private nextSweep = 0;

  constructor(p: RankOp, ctx: OperatorContext, _evalCtx: EvalContext, inputFields: RowField[][]) {
    super(p.id, p.fields, ctx);
    this.keyFn = makeKeyFn(p.partitionKeys, inputFields[0] ?? []);
    this.cmp = makeRowComparator(p.orderKeys);
    this.lo = Math.max(0, p.rankStart - 1);
    this.hi = p.rankEnd - 1;
    this.appendOnly = p.inputUpdating === false;
    this.rowNumber = p.rankNumber;
    this.ttlMs = p.ttl?.ms ?? 0;
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const out = new BatchBuilder();
    const now = this.ttlMs > 0 ? this.expire() : 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const key = this.keyFn(row);
      let part = this.state.get(key);
      if (part !== undefined && this.ttlMs > 0 && part.t + this.ttlMs <= now) {
        this.state.delete(key);
        part = undefined;
      }
      const kind = kinds[i]!;
      if (kind === RowKind.Insert || kind === RowKind.UpdateAfter) {
        if (part === undefined) { part = { rows: [], t: now }; this.state.set(key, part); }
        part.t = now;
        this.insert(part, row, out);
      } else {
        if (this.appendOnly) { this.ctx.badRow(this.id, row, 'retraction on a Top-N whose input was planned as append-only'); continue; }
        if (part === undefined) { this.ctx.metrics.inc('rankRetractionsNotFound'); continue; }
        part.t = now;
        this.retract(part, row, out);
        if (part.rows.length === 0) this.state.delete(key);
      }
      if (out.size >= 1024) this.emit(out.take());
    }
    this.emit(out.take());
  }

  private insert(part: Partition, row: Row, out: BatchBuilder): void {
    const a = part.rows;
    const pos = upperBound(a, row, this.cmp);
    const { lo, hi } = this;
    if (pos > hi) {
      if (!this.appendOnly) a.splice(pos, 0, row);
      return;
    }
    const oldLen = a.length;
    if (pos === oldLen) a.push(row); else a.splice(pos, 0, row);
    if (this.rowNumber) {
      // Positions pos..hi shift down by one: each occupied position gets the new occupant.
      const last = Math.min(hi, a.length - 1);
      for (let p = Math.max(pos, lo); p <= last; p++) {
        if (p < oldLen) out.push(withRowNumber(a[p + 1]!, p + 1), RowKind.UpdateBefore);
        out.push(withRowNumber(a[p]!, p + 1), p < oldLen ? RowKind.UpdateAfter : RowKind.Insert);
      }
    } else {
      // The row previously at hi (now hi + 1) leaves; the row now at max(pos, lo) enters.
      if (hi + 1 < a.length) out.push(a[hi + 1]!, RowKind.Delete);
      const enter = Math.max(pos, lo);
      if (enter < a.length) out.push(a[enter]!, RowKind.Insert);
    }
    if (this.appendOnly && a.length > hi + 1) a.length = hi + 1;
  }

  private retract(part: Partition, row: Row, out: BatchBuilder): void {
    const a = part.rows;
    const cmp = this.cmp;
    const ub = upperBound(a, row, cmp);
    let pos = -1;
    for (let i = ub - 1; i >= 0 && cmp(a[i]!, row) === 0; i--) {
      if (rowsEqual(a[i]!, row)) { pos = i; break; }
    }
    if (pos < 0) { this.ctx.metrics.inc('rankRetractionsNotFound'); return; }
    const { lo, hi } = this;
    const oldLen = a.length;
    if (pos > hi) { a.splice(pos, 1); return; }
    if (this.rowNumber) {
      const last = Math.min(hi, oldLen - 1);
      for (let p = Math.max(pos, lo); p <= last; p++) {
        out.push(withRowNumber(a[p]!, p + 1), p + 1 < oldLen ? RowKind.UpdateBefore : RowKind.Delete);
        if (p + 1 < oldLen) out.push(withRowNumber(a[p + 1]!, p + 1), RowKind.UpdateAfter);
      }
    } else {
      // The row at max(pos, lo) leaves (the retracted row, or the first of the range shifting above it);
      // the row at hi + 1 enters.
      const leave = Math.max(pos, lo);
      if (leave < oldLen) out.push(a[leave]!, RowKind.Delete);
      if (hi + 1 < oldLen) out.push(a[hi + 1]!, RowKind.Insert);
    }
    if (pos === oldLen - 1) a.pop(); else a.splice(pos, 1);
  }

  /** Drops partitions idle longer than the TTL (swept at most once per TTL period); returns the current time. */
  private expire(): number {
    const now = this.ctx.now();
    if (now >= this.nextSweep) {
      const limit = now - this.ttlMs;
      for (const [k, part] of this.state) if (part.t <= limit) this.state.delete(k);
      this.nextSweep = now + this.ttlMs;
    }
    return now;
  }

  override snapshot(): unknown { return { state: this.state }; }
  override restore(s: unknown): void {
    this.state = (s as { state: Map<unknown, Partition> }).state;
    this.nextSweep = 0;
  }

  /** Rows held in state (for tests and metrics). */
  get stateRows(): number {
    let n = 0;
    for (const p of this.state.values()) n += p.rows.length;
    return n;
  }
}
