/**
 * OVER aggregation: `agg(...) OVER (PARTITION BY k ORDER BY time RANGE|ROWS BETWEEN ... PRECEDING AND CURRENT ROW)`.
 * Output: each input row followed by its aggregate values.
 *
 * Event time (Flink's RowTime*PrecedingFunction): rows wait per key until the watermark reaches their timestamp,
 * then are processed in timestamp order. RANGE: all rows with the same timestamp are peers — they are added
 * together, the frame [ts - range, ts] is trimmed by retracting older rows, and every peer gets the same values.
 * ROWS: rows are processed one by one (ties in arrival order), keeping the last n+1 rows. A row whose timestamp is not
 * after the last timestamp processed for its key is late: dropped and counted.
 * Processing time: rows are processed on arrival with the wall clock as their time.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { AggCallDesc, OverSpec } from '../../plan/logical-plan.js';
import { AggSet } from '../agg-set.js';
import { makeKeyFn, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';
import { TimerQueue } from '../timer-queue.js';

interface OverState {
  /** Rows waiting for the watermark, by timestamp (event time only). */
  pending: Map<number, Row[]>;
  /** Rows inside the current frame, oldest first, from index `head`. */
  buf: Row[];
  bufTs: number[];
  head: number;
  accs: unknown[];
  /** Last timestamp processed for this key. */
  last: number;
}

export class OverAggregateOperator extends Operator {
  private state = new Map<unknown, OverState>();
  private timers = new TimerQueue<unknown>();
  private readonly aggs: AggSet;
  private readonly keyFn: KeyFn;
  private readonly width: number;

  constructor(id: string, fields: RowField[], ctx: OperatorContext, inputFields: RowField[], private readonly over: OverSpec, calls: AggCallDesc[]) {
    super(id, fields, ctx);
    this.aggs = new AggSet(calls);
    this.keyFn = makeKeyFn(over.partitionKeys, inputFields);
    this.width = inputFields.length;
  }

  private stateOf(key: unknown): OverState {
    let s = this.state.get(key);
    if (s === undefined) {
      s = { pending: new Map(), buf: [], bufTs: [], head: 0, accs: this.aggs.create(), last: -Infinity };
      this.state.set(key, s);
    }
    return s;
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    this.rowsIn += rows.length;
    const ok = this.over.orderKey;
    if (this.over.procTime) {
      const out = new BatchBuilder();
      const now = this.ctx.now();
      for (let i = 0; i < rows.length; i++) {
        if (kinds[i] !== RowKind.Insert) { this.ctx.badRow(this.id, rows[i]!, 'OVER aggregation requires an append-only input'); continue; }
        const s = this.stateOf(this.keyFn(rows[i]!));
        this.processRows(s, [rows[i]!], Math.max(now, s.last), out);
      }
      this.emit(out.take());
      return;
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (kinds[i] !== RowKind.Insert) { this.ctx.badRow(this.id, row, 'OVER aggregation requires an append-only input'); continue; }
      const ts = row[ok] as number | null;
      if (ts === null) { this.ctx.badRow(this.id, row, 'ORDER BY time attribute is NULL'); continue; }
      const key = this.keyFn(row);
      const s = this.stateOf(key);
      if (ts <= s.last) { this.ctx.metrics.inc('lateRowsDropped'); continue; }
      let list = s.pending.get(ts);
      if (list === undefined) { list = []; s.pending.set(ts, list); this.timers.register(ts, key); }
      list.push(row);
    }
  }

  protected override onWatermark(wm: number): void {
    const out = new BatchBuilder();
    for (let t = this.timers.pollUpTo(wm); t !== undefined; t = this.timers.pollUpTo(wm)) {
      const [ts, keys] = t;
      for (const key of keys) {
        const s = this.state.get(key);
        if (s === undefined) continue;
        const rows = s.pending.get(ts);
        if (rows === undefined) continue;
        s.pending.delete(ts);
        this.processRows(s, rows, ts, out);
      }
      if (out.size >= 1024) this.emit(out.take());
    }
    this.emit(out.take());
  }

  private processRows(s: OverState, rows: Row[], ts: number, out: BatchBuilder): void {
    const { aggs, over } = this;
    const lower = over.lower;
    if (over.mode === 'RANGE') {
      for (const r of rows) { aggs.add(s.accs, r); s.buf.push(r); s.bufTs.push(ts); }
      if (lower.kind === 'preceding') {
        const limit = ts - lower.range!;
        while (s.head < s.buf.length && s.bufTs[s.head]! < limit) { aggs.retract(s.accs, s.buf[s.head]!); s.head++; }
        this.compact(s);
      } else if (lower.kind === 'current') {
        // RANGE BETWEEN CURRENT ROW AND CURRENT ROW: only peers.
        while (s.head < s.buf.length && s.bufTs[s.head]! < ts) { aggs.retract(s.accs, s.buf[s.head]!); s.head++; }
        this.compact(s);
      } else {
        s.buf.length = 0; s.bufTs.length = 0; s.head = 0; // unbounded: no retraction needed, keep no rows
      }
      const vals = new Array<unknown>(aggs.size);
      aggs.results(s.accs, vals, 0);
      for (const r of rows) out.push(this.outRow(r, vals), RowKind.Insert);
    } else {
      const keep = lower.kind === 'preceding' ? lower.rows! + 1 : lower.kind === 'current' ? 1 : Infinity;
      for (const r of rows) {
        aggs.add(s.accs, r);
        if (keep !== Infinity) {
          s.buf.push(r); s.bufTs.push(ts);
          while (s.buf.length - s.head > keep) { aggs.retract(s.accs, s.buf[s.head]!); s.head++; }
          this.compact(s);
        }
        const vals = new Array<unknown>(aggs.size);
        aggs.results(s.accs, vals, 0);
        out.push(this.outRow(r, vals), RowKind.Insert);
      }
    }
    s.last = ts;
  }

  private outRow(r: Row, vals: unknown[]): Row {
    const o = new Array<unknown>(this.width + vals.length);
    for (let i = 0; i < this.width; i++) o[i] = r[i];
    for (let i = 0; i < vals.length; i++) o[this.width + i] = vals[i];
    return o;
  }

  private compact(s: OverState): void {
    if (s.head > 1024 && s.head * 2 > s.buf.length) {
      s.buf = s.buf.slice(s.head);
      s.bufTs = s.bufTs.slice(s.head);
      s.head = 0;
    }
  }

  override snapshot(): unknown { return { state: this.state, timers: this.timers.snapshot() }; }
  override restore(st: unknown): void {
    const s = st as { state: Map<unknown, OverState>; timers: unknown };
    this.state = s.state;
    this.timers.restore(s.timers);
  }
}
