/**
 * Messages between the main thread and the parallel workers. Everything here is structured-clone data. Events are
 * applied strictly in order, which is what keeps per-key order, and rows-before-watermark order, across threads.
 */
import type { Row } from '../../common/row.js';
import type { Program } from '../../program/program.js';

/** Main → worker: an input of parallel operator `op` (index into ExchangeLayout.parallelOps). */
export type InEvent =
  | { k: 0; op: number; input: number; rows: Row[]; kinds: number[] }
  | { k: 1; op: number; input: number; wm: number }
  | { k: 2; op: number; input: number; idle: boolean }
  /** End of input: `finish()` the operator. */
  | { k: 3; op: number }
  /** Processing-time tick (the main thread's clock, so every worker sees the same instant). */
  | { k: 4; now: number };

/** Worker → main: an output on exchange edge `edge` (index into ExchangeLayout.edges). */
export type OutEvent =
  | { k: 0; edge: number; rows: Row[]; kinds: number[] }
  | { k: 1; edge: number; wm: number }
  | { k: 2; edge: number; idle: boolean };

export interface DeadLetterMsg { operator: string; reason: string; raw: string }

export type OpState = Record<string, { base: unknown; state: unknown }>;

export type Request =
  | { t: 'run'; events: InEvent[] }
  | { t: 'snapshot' }
  | { t: 'restore'; ops: OpState }
  | { t: 'stats' };

export type Reply =
  | { t: 'ready' }
  | { t: 'done'; events: OutEvent[]; metrics: [string, number][]; dead: DeadLetterMsg[] }
  | { t: 'snapshot'; ops: OpState }
  | { t: 'ok' }
  | { t: 'stats'; ops: [string, number, number][] }
  | { t: 'error'; message: string; diagnostics?: unknown[] };

export interface WorkerInit {
  program: Program;
  index: number;
  parallelism: number;
  timeZone: string;
  deadLetterLimit: number;
}
