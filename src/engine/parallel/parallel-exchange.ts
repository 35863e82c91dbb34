/**
 * Main-thread side of parallel execution: owns the workers, the routers (inputs of keyed parallel operators) and the
 * merges (outputs of parallel producers), and moves events between them in rounds.
 *
 * A round sends every worker its queued events (one message per worker), waits for all replies, then applies the
 * replies in worker index order to the merges — which feed main-thread operators or routers of the next keyed stage,
 * possibly queueing a further round. `pump()` runs rounds until nothing is queued: afterwards every worker has
 * acknowledged everything the current source batch caused, which is the aligned barrier a checkpoint needs.
 * Determinism: the events a worker receives depend only on the input and P (routing is by a stable key hash; merges
 * apply replies in worker order), so a run, and a run restored from its checkpoint, see the same sequences.
 */
import type { RowField } from '../../common/types.js';
import type { Program, ProgramOp } from '../../program/program.js';
import type { OperatorContext } from '../operator.js';
import { routingKeyFn } from './key-hash.js';
import { exchangeLayout, type ExchangeLayout } from './exchange-layout.js';
import { MergeOperator, Outbox, RouterOperator } from './exchange-operators.js';
import type { DeadLetterMsg, OpState, Reply, WorkerInit } from './messages.js';
import { WorkerPool } from './worker-pool.js';

export interface ExchangeHooks {
  /** Adds a worker's metric increments to the job's metrics. */
  metrics(entries: [string, number][]): void;
  deadLetters(list: DeadLetterMsg[]): void;
  /** Awaits the main thread's asynchronous operators (called before applying a watermark or idleness change). */
  flushMainAsync(): Promise<void>;
}

export class ParallelExchange {
  readonly layout: ExchangeLayout;
  readonly outbox: Outbox;
  /** One merge per exchange edge (index = edge index). */
  readonly merges: MergeOperator[];
  private readonly opIndex = new Map<string, number>();
  private pool: WorkerPool | undefined;

  constructor(readonly program: Program, readonly parallelism: number, private readonly ctx: OperatorContext, private readonly hooks: ExchangeHooks) {
    this.layout = exchangeLayout(program);
    this.outbox = new Outbox(parallelism);
    const byId = new Map(program.operators.map((p) => [p.id, p]));
    this.merges = this.layout.edges.map((e, i) => new MergeOperator(`~merge${i}:${e.from}>${e.to}`, byId.get(e.from)!.fields, ctx, parallelism));
    this.layout.parallelOps.forEach((p, i) => this.opIndex.set(p.id, i));
  }

  /** True when the plan has anything to run in the workers. */
  get active(): boolean { return this.layout.parallelOps.length > 0; }

  isParallel(id: string): boolean { return this.layout.plan.parallel.has(id); }

  /** The merge standing in for parallel producer `from` at input `input` of `to`. */
  mergeFor(to: string, input: number): MergeOperator {
    const i = this.layout.edges.findIndex((e) => e.to === to && e.input === input);
    if (i < 0) throw new Error(`internal: no exchange edge into ${to}#${input}`);
    return this.merges[i]!;
  }

  /** The router feeding input `input` of keyed parallel operator `p` (its inputs produce `inFields`). */
  routerFor(p: ProgramOp, input: number, inFields: RowField[][]): RouterOperator {
    return new RouterOperator(`~route:${p.id}#${input}`, inFields[input] ?? [], this.ctx, this.outbox, this.opIndex.get(p.id)!, input,
      routingKeyFn(p, input, inFields));
  }

  async start(init: (index: number) => WorkerInit): Promise<void> {
    this.pool = await WorkerPool.start(this.parallelism, init);
  }

  private get workers(): WorkerPool {
    if (!this.pool) throw new Error('internal: parallel workers not started');
    return this.pool;
  }

  /** Queues a processing-time tick for every worker. */
  processingTime(now: number): void { this.outbox.broadcast({ k: 4, now }); }

  /** Queues `finish()` of parallel operator `id` on every worker. */
  finish(id: string): void { this.outbox.broadcast({ k: 3, op: this.opIndex.get(id)! }); }

  /** Runs rounds until no events are queued (see the file comment). */
  async pump(): Promise<void> {
    while (!this.outbox.empty) {
      const queues = this.outbox.take();
      const empty: Reply = { t: 'done', events: [], metrics: [], dead: [] };
      const replies = await Promise.all(queues.map((events, i) => (events.length ? this.workers.request(i, { t: 'run', events }) : Promise.resolve(empty))));
      for (let w = 0; w < replies.length; w++) {
        const r = replies[w]!;
        if (r.t !== 'done') throw new Error(`internal: unexpected reply ${r.t}`);
        if (r.metrics.length) this.hooks.metrics(r.metrics);
        if (r.dead.length) this.hooks.deadLetters(r.dead);
        for (const ev of r.events) {
          const m = this.merges[ev.edge]!;
          if (ev.k === 0) { m.process({ rows: ev.rows, kinds: ev.kinds as never }, w); continue; }
          await this.hooks.flushMainAsync();
          if (ev.k === 1) m.watermark(ev.wm, w);
          else m.setInputIdle(w, ev.idle);
        }
      }
      await this.hooks.flushMainAsync();
    }
  }

  /** Operator states of every worker, in worker order (call after pump(): nothing is in flight). */
  async snapshot(): Promise<OpState[]> {
    const replies = await this.workers.all(() => ({ t: 'snapshot' }));
    return replies.map((r) => (r.t === 'snapshot' ? r.ops : {}));
  }

  async restore(states: OpState[]): Promise<void> {
    await this.workers.all((i) => ({ t: 'restore', ops: states[i] ?? {} }));
  }

  /** Rows in/out per parallel operator, summed over the workers. */
  async stats(): Promise<Map<string, { rowsIn: number; rowsOut: number }>> {
    const out = new Map<string, { rowsIn: number; rowsOut: number }>();
    for (const r of await this.workers.all(() => ({ t: 'stats' }))) {
      if (r.t !== 'stats') continue;
      for (const [id, i, o] of r.ops) {
        const s = out.get(id) ?? { rowsIn: 0, rowsOut: 0 };
        s.rowsIn += i;
        s.rowsOut += o;
        out.set(id, s);
      }
    }
    return out;
  }

  async close(): Promise<void> { await this.pool?.close(); }
}
