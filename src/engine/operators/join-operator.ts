/**
 * Regular (unbounded) equi-join over two possibly updating inputs, INNER / LEFT / RIGHT / FULL, with Flink's
 * StreamingJoinOperator semantics. Input 0 is the left side, input 1 the right; output = left fields ++ right fields.
 *
 * State, per side: join key -> bucket of stored records, a record being a distinct row (identified by its unique key
 * when the input declares one, otherwise by its full value) with its multiplicity `n` and, for a preserved (outer)
 * side, `a` = the number of rows of the other side it currently joins with ("associations"; each copy of a
 * duplicated row has the same matches, so one count serves all copies).
 *
 * Per input row, its matches are the other side's visible records with the same key for which the residual
 * condition is exactly true (NULL keys never match and are never stored: an unmatchable row needs no state).
 * Output, as Flink:
 *  - accumulate (+I/+U) on a preserved side: no match -> +I(row ++ nulls); else, when the other side is preserved,
 *    -D(nulls ++ other) for every matched copy whose `a` was 0, then +I(row ++ other) per matched copy.
 *  - accumulate on a non-preserved side: per matched copy, when the other side is preserved: -D(nulls ++ other) if its
 *    `a` was 0, then +I(row ++ other); otherwise the input kind (+I or +U) of row ++ other.
 *  - retract (-U/-D): no match -> -D(row ++ nulls) on a preserved side; else each joined row is retracted (-D on a
 *    preserved side, the input kind -U/-D otherwise), then +I(nulls ++ other) for every copy whose `a` drops to 0.
 * So an inner join forwards the input's row kind (+U/-U stay updates), outer joins emit +I/-D. The materialized
 * output after every batch equals the batch join of the materialized inputs. A retraction is joined even when its
 * row is not (or no longer, after TTL) in state, because the joined rows it retracts may still be downstream.
 *
 * State TTL (`ttl`, per side, Flink's `table.exec.state.ttl` / STATE_TTL hint): a record expires `ttl` ms after its
 * last write (creation, multiplicity or association change; reads do not refresh, as Flink's OnCreateAndWrite) on
 * the processing-time clock `ctx.now()`; expired records are invisible and removed (counted in `stateExpired`).
 * Removal is lazy on access plus a full sweep at most once per TTL period; output does not depend on sweep timing.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';
import type { ProgramOp } from '../../program/program.js';
import { makeKeyFn, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { hasNullKey, makeJoinKeyFns } from './join/join-keys.js';
import { JoinRows, leftIsOuter, rightIsOuter } from './join/join-rows.js';

/** A distinct stored row: value, multiplicity, associations (outer sides), last write time (ms, when TTL is on). */
interface JoinRecord { r: Row; n: number; a: number; t: number }
type Bucket = Map<unknown, JoinRecord>;
type SideState = Map<unknown, Bucket>;

export interface JoinOperatorState { left: SideState; right: SideState }

export class JoinOperator extends Operator {
  private sides: [SideState, SideState] = [new Map(), new Map()];
  private readonly keys: [number[], number[]];
  private readonly keyFns: [KeyFn, KeyFn];
  /** Record identity within a bucket: the unique key when declared, else the whole row. */
  private readonly idFns: [KeyFn, KeyFn];
  private readonly uniqueIds: [boolean, boolean];
  private readonly outer: [boolean, boolean];
  private readonly ttl: [number, number];
  private readonly rows: JoinRows;
  /** Matches of the current input row (reused; cleared per row). */
  private readonly matched: JoinRecord[] = [];
  private nextSweep = -Infinity;

  constructor(p: Extract<ProgramOp, { kind: 'join' }>, ctx: OperatorContext, evalCtx: EvalContext, inputFields: RowField[][]) {
    super(p.id, p.fields, ctx, 2);
    const lf = inputFields[0] ?? [];
    const rf = inputFields[1] ?? [];
    this.keys = [p.leftKeys, p.rightKeys];
    this.keyFns = makeJoinKeyFns(p.leftKeys, p.rightKeys, lf, rf);
    const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    const lu = p.leftUniqueKeys !== undefined && p.leftUniqueKeys.length > 0 ? p.leftUniqueKeys : undefined;
    const ru = p.rightUniqueKeys !== undefined && p.rightUniqueKeys.length > 0 ? p.rightUniqueKeys : undefined;
    this.idFns = [makeKeyFn(lu ?? all(lf.length), lf), makeKeyFn(ru ?? all(rf.length), rf)];
    this.uniqueIds = [lu !== undefined, ru !== undefined];
    this.outer = [leftIsOuter(p.joinType), rightIsOuter(p.joinType)];
    const ttlOf = (v: number | undefined): number => (v !== undefined && v > 0 ? v : 0);
    this.ttl = [ttlOf(p.ttl?.leftMs ?? p.ttl?.ms), ttlOf(p.ttl?.rightMs ?? p.ttl?.ms)];
    this.rows = new JoinRows(lf.length, rf.length, p.condition, evalCtx, ctx, p.id);
  }

  process(batch: Batch, input: number): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    const side = input === 0 ? 0 : 1;
    const ttlOn = this.ttl[0] > 0 || this.ttl[1] > 0;
    const now = ttlOn ? this.ctx.now() : 0;
    if (ttlOn && now >= this.nextSweep) this.sweep(now);
    const out = new BatchBuilder();
    for (let i = 0; i < n; i++) this.processRow(rows[i]!, kinds[i]!, side, now, out);
    this.emit(out.take());
  }

  private processRow(row: Row, kind: RowKind, side: 0 | 1, now: number, out: BatchBuilder): void {
    const isLeft = side === 0;
    const otherSide = isLeft ? 1 : 0;
    const inOuter = this.outer[side];
    const otherOuter = this.outer[otherSide];
    const otherTtl = this.ttl[otherSide];
    const nullKey = hasNullKey(row, this.keys[side]);
    const key = nullKey ? undefined : this.keyFns[side](row);
    const jr = this.rows;

    // Matches on the other side (expired records are dropped on the way).
    const m = this.matched;
    m.length = 0;
    let total = 0;
    if (!nullKey) {
      const other = this.sides[otherSide];
      const bucket = other.get(key);
      if (bucket !== undefined && otherTtl === 0) {
        for (const rec of bucket.values()) {
          if (isLeft ? jr.matches(row, rec.r) : jr.matches(rec.r, row)) { m.push(rec); total += rec.n; }
        }
      } else if (bucket !== undefined) {
        for (const [id, rec] of bucket) {
          if (rec.t + otherTtl <= now) { bucket.delete(id); this.ctx.metrics.inc('stateExpired', rec.n); continue; }
          if (isLeft ? jr.matches(row, rec.r) : jr.matches(rec.r, row)) { m.push(rec); total += rec.n; }
        }
        if (bucket.size === 0) other.delete(key);
      }
    }

    if (kind === RowKind.Insert || kind === RowKind.UpdateAfter) {
      if (inOuter) {
        if (total === 0) {
          out.push(isLeft ? jr.withNullRight(row) : jr.withNullLeft(row), RowKind.Insert);
          if (!nullKey) this.add(side, key, row, 0, now);
          return;
        }
        if (otherOuter) {
          for (let j = 0; j < m.length; j++) {
            const rec = m[j]!;
            const a0 = rec.a;
            if (a0 === 0) for (let c = 0; c < rec.n; c++) out.push(isLeft ? jr.withNullLeft(rec.r) : jr.withNullRight(rec.r), RowKind.Delete);
            rec.a = a0 + 1;
            rec.t = now;
          }
        }
        for (let j = 0; j < m.length; j++) {
          const rec = m[j]!;
          for (let c = 0; c < rec.n; c++) out.push(isLeft ? jr.joined(row, rec.r) : jr.joined(rec.r, row), RowKind.Insert);
        }
        this.add(side, key, row, total, now);
        return;
      }
      if (!nullKey) this.add(side, key, row, 0, now);
      if (otherOuter) {
        for (let j = 0; j < m.length; j++) {
          const rec = m[j]!;
          const a0 = rec.a;
          for (let c = 0; c < rec.n; c++) {
            if (a0 === 0) out.push(isLeft ? jr.withNullLeft(rec.r) : jr.withNullRight(rec.r), RowKind.Delete);
            out.push(isLeft ? jr.joined(row, rec.r) : jr.joined(rec.r, row), RowKind.Insert);
          }
          rec.a = a0 + 1;
          rec.t = now;
        }
      } else {
        for (let j = 0; j < m.length; j++) {
          const rec = m[j]!;
          for (let c = 0; c < rec.n; c++) out.push(isLeft ? jr.joined(row, rec.r) : jr.joined(rec.r, row), kind);
        }
      }
      return;
    }

    // Retraction (-U / -D).
    if (!nullKey) this.retract(side, key, row, now);
    if (total === 0) {
      if (inOuter) out.push(isLeft ? jr.withNullRight(row) : jr.withNullLeft(row), RowKind.Delete);
      return;
    }
    const outKind = inOuter ? RowKind.Delete : kind;
    for (let j = 0; j < m.length; j++) {
      const rec = m[j]!;
      for (let c = 0; c < rec.n; c++) out.push(isLeft ? jr.joined(row, rec.r) : jr.joined(rec.r, row), outKind);
    }
    if (otherOuter) {
      for (let j = 0; j < m.length; j++) {
        const rec = m[j]!;
        const a0 = rec.a;
        if (a0 === 1) for (let c = 0; c < rec.n; c++) out.push(isLeft ? jr.withNullLeft(rec.r) : jr.withNullRight(rec.r), RowKind.Insert);
        rec.a = a0 - 1;
        rec.t = now;
      }
    }
  }

  /** Adds one copy of `row` with `assoc` associations (Flink overwrites the association count of equal rows). */
  private add(side: 0 | 1, key: unknown, row: Row, assoc: number, now: number): void {
    const state = this.sides[side];
    let bucket = state.get(key);
    if (bucket === undefined) { bucket = new Map(); state.set(key, bucket); }
    const id = this.idFns[side](row);
    const rec = bucket.get(id);
    if (rec !== undefined) {
      const ttl = this.ttl[side];
      if (ttl > 0 && rec.t + ttl <= now) {
        // Expired: invisible; removing and re-inserting keeps the bucket order independent of sweep timing.
        bucket.delete(id);
        this.ctx.metrics.inc('stateExpired', rec.n);
      } else {
        if (this.uniqueIds[side]) { rec.r = row; rec.n = 1; } else rec.n++;
        rec.a = assoc;
        rec.t = now;
        return;
      }
    }
    bucket.set(id, { r: row, n: 1, a: assoc, t: now });
  }

  /** Removes one copy of `row` (by unique key when declared). Unknown rows are ignored. */
  private retract(side: 0 | 1, key: unknown, row: Row, now: number): void {
    const state = this.sides[side];
    const bucket = state.get(key);
    if (bucket === undefined) return;
    const id = this.idFns[side](row);
    const rec = bucket.get(id);
    if (rec === undefined) return;
    const ttl = this.ttl[side];
    if (ttl > 0 && rec.t + ttl <= now) {
      bucket.delete(id);
      this.ctx.metrics.inc('stateExpired', rec.n);
    } else if (this.uniqueIds[side] || rec.n <= 1) {
      bucket.delete(id);
    } else {
      rec.n--;
      rec.t = now;
    }
    if (bucket.size === 0) state.delete(key);
  }

  /** Drops every expired record; runs at most once per (shortest) TTL period. */
  private sweep(now: number): void {
    let period = Infinity;
    for (let side = 0; side < 2; side++) {
      const ttl = this.ttl[side]!;
      if (ttl <= 0) continue;
      if (ttl < period) period = ttl;
      const state = this.sides[side]!;
      for (const [key, bucket] of state) {
        for (const [id, rec] of bucket) {
          if (rec.t + ttl <= now) { bucket.delete(id); this.ctx.metrics.inc('stateExpired', rec.n); }
        }
        if (bucket.size === 0) state.delete(key);
      }
    }
    this.nextSweep = now + period;
  }

  /** Number of stored distinct records (both sides), for tests and metrics. */
  get stateSize(): number {
    let n = 0;
    for (const s of this.sides) for (const b of s.values()) n += b.size;
    return n;
  }

  override snapshot(): unknown { return { left: this.sides[0], right: this.sides[1] } satisfies JoinOperatorState; }
  override restore(s: unknown): void {
    const st = s as JoinOperatorState;
    this.sides = [st.left, st.right];
    this.nextSweep = -Infinity;
  }
}
