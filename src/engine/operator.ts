/**
 * Runtime operator base. Operators are push-based: an upstream operator calls `process(batch, input)` on each of its
 * downstream operators; event time advances through `watermark(wm, input)`. The runtime owns state: each operator
 * exposes its state through `snapshot()`/`restore()`, called only between batches, so a checkpoint sees every operator
 * at the same consistent point.
 */
import type { Batch, Row } from '../common/row.js';
import { RowKind } from '../common/row.js';
import type { RowField } from '../common/types.js';
import type { Metrics } from './metrics.js';

export const WATERMARK_MIN = -Infinity;
export const WATERMARK_MAX = Infinity;

export interface Downstream { op: Operator; input: number }

export interface OperatorContext {
  metrics: Metrics;
  /** Wall clock for processing-time semantics. */
  now(): number;
  /** Reports a row that could not be processed (expression error): counted and kept as a dead letter. */
  badRow(opId: string, row: Row, reason: string): void;
}

export abstract class Operator {
  readonly outputs: Downstream[] = [];
  /** Per input, the last watermark received. */
  protected inputWatermarks: number[];
  /** Combined (minimum) input watermark; operators' event-time progress. */
  protected currentWatermark = WATERMARK_MIN;
  private idleInputs: boolean[];
  private idle = false;
  rowsIn = 0;
  rowsOut = 0;

  constructor(readonly id: string, readonly fields: RowField[], readonly ctx: OperatorContext, numInputs = 1) {
    this.inputWatermarks = new Array<number>(Math.max(1, numInputs)).fill(WATERMARK_MIN);
    this.idleInputs = new Array<boolean>(Math.max(1, numInputs)).fill(false);
  }

  /** Processes a batch from input `input`. Must not retain the batch arrays after returning. */
  abstract process(batch: Batch, input: number): void;

  /** Called when the combined watermark advances; fire timers here, then the base forwards the watermark. */
  protected onWatermark(_wm: number): void {}

  /** Receives a watermark from one input; advances the combined watermark (min over inputs) when it moves. */
  watermark(wm: number, input: number): void {
    if (wm <= this.inputWatermarks[input]!) return;
    this.inputWatermarks[input] = wm;
    this.advance();
  }

  /**
   * Idle inputs (`table.exec.source.idle-timeout`) do not hold back the combined watermark. An input that becomes
   * active again cannot move the watermark backwards; its rows behind the watermark are late. When every input is
   * idle the operator reports itself idle downstream.
   */
  setInputIdle(input: number, idle: boolean): void {
    if (this.idleInputs[input] === idle) return;
    this.idleInputs[input] = idle;
    const allIdle = this.idleInputs.every(Boolean);
    if (allIdle !== this.idle) {
      this.idle = allIdle;
      for (const d of this.outputs) d.op.setInputIdle(d.input, allIdle);
    }
    this.advance();
  }

  private advance(): void {
    let min = Infinity;
    let active = 0;
    for (let i = 0; i < this.inputWatermarks.length; i++) {
      if (this.idleInputs[i]) continue;
      active++;
      const w = this.inputWatermarks[i]!;
      if (w < min) min = w;
    }
    if (active === 0) return;
    if (min > this.currentWatermark) {
      this.currentWatermark = min;
      this.onWatermark(min);
      const out = this.outputWatermark(min);
      for (const d of this.outputs) d.op.watermark(out, d.input);
    }
  }

  /**
   * The watermark forwarded downstream for combined input watermark `wm`. Operators whose output rows may carry
   * times behind their input watermark (interval joins) hold it back.
   */
  protected outputWatermark(wm: number): number { return wm; }

  /** End of all input (after the final +infinity watermark). Flush anything buffered. */
  finish(): void {}

  /** Watermark progress, checkpointed by the runtime alongside the operator's own state. */
  snapshotBase(): { inputs: number[]; current: number } {
    return { inputs: [...this.inputWatermarks], current: this.currentWatermark };
  }
  restoreBase(b: { inputs: number[]; current: number }): void {
    this.inputWatermarks = [...b.inputs];
    this.currentWatermark = b.current;
  }

  /** Serializable state; must be a consistent copy or a structure not mutated until serialized. */
  snapshot(): unknown { return undefined; }
  restore(_state: unknown): void {}

  protected emit(batch: Batch): void {
    const n = batch.rows.length;
    if (n === 0) return;
    this.rowsOut += n;
    const outs = this.outputs;
    for (let i = 0; i < outs.length; i++) outs[i]!.op.process(batch, outs[i]!.input);
  }

  protected emitRow(row: Row, kind: RowKind = RowKind.Insert): void {
    this.emit({ rows: [row], kinds: [kind] });
  }
}

/** Collects rows into a batch and emits it in one go. */
export class BatchBuilder {
  rows: Row[] = [];
  kinds: RowKind[] = [];
  push(row: Row, kind: RowKind): void { this.rows.push(row); this.kinds.push(kind); }
  take(): Batch {
    const b = { rows: this.rows, kinds: this.kinds };
    this.rows = [];
    this.kinds = [];
    return b;
  }
  get size(): number { return this.rows.length; }
}
