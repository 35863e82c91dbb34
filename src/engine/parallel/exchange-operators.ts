/**
 * The operators that stand in for a thread boundary:
 *  - RouterOperator (main thread): the input of a keyed parallel operator. Sends each row to the worker owning its
 *    key; broadcasts watermarks and idleness to every worker, unchanged (the remote instance applies its own
 *    per-input watermark logic, so the router is transparent).
 *  - MergeOperator (main thread): the P worker instances of a producer as one upstream. Rows pass through in arrival
 *    order (per round, worker index order); its input watermark is the minimum over the P senders (the Operator base's
 *    multi-input logic, one input per worker), and it is idle when every sender is.
 *  - WorkerOutputOperator (worker): records what a parallel producer emits on an exchange edge, in order, for the
 *    reply to the main thread.
 */
import type { Batch, Row } from '../../common/row.js';
import { Operator, type OperatorContext } from '../operator.js';
import type { KeyFn } from '../keys.js';
import { hashKey } from './key-hash.js';
import type { InEvent, OutEvent } from './messages.js';
import type { RowField } from '../../common/types.js';

/** Per-worker queues of events to send in the next round. */
export class Outbox {
  queues: InEvent[][];
  constructor(readonly parallelism: number) { this.queues = Array.from({ length: parallelism }, () => []); }
  get empty(): boolean { return this.queues.every((q) => q.length === 0); }
  take(): InEvent[][] {
    const q = this.queues;
    this.queues = Array.from({ length: this.parallelism }, () => []);
    return q;
  }
  broadcast(ev: InEvent): void { for (const q of this.queues) q.push(ev); }
}

export class RouterOperator extends Operator {
  constructor(id: string, fields: RowField[], ctx: OperatorContext, private readonly outbox: Outbox,
    private readonly target: number, private readonly targetInput: number, private readonly keyFn: KeyFn) {
    super(id, fields, ctx);
  }

  process(batch: Batch, _input: number): void {
    const p = this.outbox.parallelism;
    const queues = this.outbox.queues;
    const { rows, kinds } = batch;
    this.rowsIn += rows.length;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const q = queues[hashKey(this.keyFn(row)) % p]!;
      let last = q[q.length - 1];
      if (last === undefined || last.k !== 0 || last.op !== this.target || last.input !== this.targetInput) {
        last = { k: 0, op: this.target, input: this.targetInput, rows: [], kinds: [] };
        q.push(last);
      }
      last.rows.push(row);
      last.kinds.push(kinds[i]!);
    }
    this.rowsOut += rows.length;
  }

  override watermark(wm: number, _input: number): void {
    if (wm <= this.inputWatermarks[0]!) return;
    this.inputWatermarks[0] = wm;
    this.currentWatermark = wm;
    this.outbox.broadcast({ k: 1, op: this.target, input: this.targetInput, wm });
  }

  override setInputIdle(_input: number, idle: boolean): void {
    this.outbox.broadcast({ k: 2, op: this.target, input: this.targetInput, idle });
  }
}

export class MergeOperator extends Operator {
  constructor(id: string, fields: RowField[], ctx: OperatorContext, parallelism: number) {
    super(id, fields, ctx, parallelism);
  }

  process(batch: Batch, _input: number): void {
    this.rowsIn += batch.rows.length;
    this.emit(batch);
  }
}

export class WorkerOutputOperator extends Operator {
  /** `sink.events` is replaced by the worker after each reply; this always appends to the current list. */
  constructor(id: string, fields: RowField[], ctx: OperatorContext, private readonly sink: { events: OutEvent[] }, private readonly edge: number) {
    super(id, fields, ctx);
  }

  process(batch: Batch, _input: number): void {
    const { rows, kinds } = batch;
    if (rows.length === 0) return;
    const out = this.sink.events;
    let last = out[out.length - 1];
    if (last === undefined || last.k !== 0 || last.edge !== this.edge) {
      last = { k: 0, edge: this.edge, rows: [] as Row[], kinds: [] };
      out.push(last);
    }
    for (let i = 0; i < rows.length; i++) { last.rows.push(rows[i]!); last.kinds.push(kinds[i]!); }
  }

  override watermark(wm: number, _input: number): void { this.sink.events.push({ k: 1, edge: this.edge, wm }); }
  override setInputIdle(_input: number, idle: boolean): void { this.sink.events.push({ k: 2, edge: this.edge, idle }); }
}
