/**
 * Runs a program (src/program) on the embedded engine: instantiates operators, polls sources round-robin in batches,
 * advances watermarks after each batch, takes checkpoints between batches and restores from them.
 *
 * Determinism (what makes restore-and-replay exact): batch boundaries come from the sources' positions, sources are
 * polled in a fixed round-robin order whose cursor is checkpointed, and watermarks are emitted at batch boundaries.
 * Given the same input, a restored run therefore produces exactly the output of an uninterrupted one.
 *
 * Parallelism (`parallelism.default`, or RunOptions.parallelism): with P > 1 the keyed stages run in P worker threads
 * (see parallel/parallel-exchange.ts); sources, sinks, collects and unkeyed operators stay on this thread, and after
 * every source batch the runner pumps the exchange until every worker has acknowledged it, so batch boundaries,
 * watermarks and checkpoints keep the meaning they have on one thread. P = 1 never starts a worker.
 */
import { createHash } from 'node:crypto';
import type { Row } from '../common/row.js';
import { FreshetError, diag } from '../common/diagnostics.js';
import type { Program, ProgramOp } from '../program/program.js';
import type { ConnectorFactory, ScanSource, SinkWriter } from './connector-api.js';
import { Metrics } from './metrics.js';
import { Operator, WATERMARK_MAX, type OperatorContext } from './operator.js';
import { SourceOperator } from './operators/source-operator.js';
import { CollectOperator, type ChangeListener } from './operators/collect-operator.js';
import { SinkOperator } from './operators/sink-operator.js';
import { ValuesOperator } from './operators/values-operator.js';
import { CheckpointStore, type CheckpointData } from './checkpoint-store.js';
import { TileSinkOperator } from './operators/tile-sink-operator.js';
import type { KvStore } from './kv-store-api.js';
import { compileExpr } from './codegen.js';
import type { BExpr } from '../plan/bound-expr.js';
import { LookupJoinOperator } from './operators/lookup-join-operator.js';
import type { EvalContext } from '../functions/index.js';
import { createOperator } from './parallel/operator-factory.js';
import { ParallelExchange } from './parallel/parallel-exchange.js';
import { routingKeys } from './parallel/key-hash.js';
import type { OpState } from './parallel/messages.js';

export interface ConnectorLookup { get(identifier: string): ConnectorFactory | undefined }

export interface DeadLetter { operator: string; reason: string; raw: string }

export interface RunOptions {
  connectors: ConnectorLookup;
  /** Rows per source poll (default 4096). */
  batchSize?: number;
  checkpointDir?: string;
  /** Checkpoint every this many milliseconds of wall time (`execution.checkpointing.interval`). */
  checkpointIntervalMs?: number;
  /** Checkpoint every this many source batches (deterministic; used by tests). */
  checkpointEveryBatches?: number;
  /** Checkpoint file or directory to restore from (`execution.savepoint.path`). */
  restoreFrom?: string;
  timeZone?: string;
  /** Streams every change of a SELECT result. */
  onChange?: (collect: string, row: Row, kind: number) => void;
  /** Stop (as a crash would) after this many source batches, without finishing. For tests. */
  haltAfterBatches?: number;
  signal?: AbortSignal;
  /** Maximum dead letters kept in memory for the summary (all are counted). */
  deadLetterLimit?: number;
  /** Unbounded-source idle timeout (`table.exec.source.idle-timeout`), ms; 0 disables. */
  idleTimeoutMs?: number;
  /** Called once sources are open, telling whether any source is unbounded (the CLI then streams changes). */
  onStart?: (info: { unbounded: boolean }) => void;
  /** Worker threads for keyed stages; overrides the program's `parallelism.default` (default 1: no workers). */
  parallelism?: number;
  /** Counters to update (a monitor reads them live while the job runs); default a fresh Metrics. */
  metrics?: Metrics;
  /** Told about every checkpoint attempt: its id, wall duration, size, and the error when it failed. */
  onCheckpoint?: (info: CheckpointInfo) => void;
  /**
   * Consecutive checkpoint failures tolerated before the job fails (`execution.checkpointing.tolerable-failed-checkpoints`,
   * default 0 as in Flink: the first failure fails the job). Failures are counted in `checkpointFailures` either way.
   */
  tolerableCheckpointFailures?: number;
}

/** One checkpoint attempt, as RunOptions.onCheckpoint reports it. */
export interface CheckpointInfo { id: number; durationMs: number; bytes: number; error?: Error }

/** How a run was parallelized. */
export interface ParallelismInfo {
  /** The configured parallelism. */
  requested: number;
  /** Worker threads actually used (1 when the plan has no keyed stage that can run in parallel). */
  effective: number;
  /** Operators kept on the main thread, and why. */
  notes: string[];
}

/** A checkpoint of a parallel run: CheckpointData plus each worker's operator states. */
interface ParallelCheckpointData extends CheckpointData {
  parallel?: { parallelism: number; workers: OpState[] };
}

export interface RunSummary {
  finished: boolean;
  durationMs: number;
  batches: number;
  checkpoints: number;
  restoredFrom?: number;
  metrics: Record<string, number>;
  deadLetters: DeadLetter[];
  results: Map<string, { fields: ProgramOp['fields']; rows: Row[] }>;
  operators: { id: string; rowsIn: number; rowsOut: number }[];
  parallelism?: ParallelismInfo;
}

interface SourceSlot { op: SourceOperator; source: ScanSource; finished: boolean; idleSince: number; idle: boolean }

export function programHash(p: Program): string {
  return createHash('sha256').update(JSON.stringify(p.operators)).digest('hex').slice(0, 16);
}

export class JobRunner {
  readonly metrics: Metrics;
  readonly deadLetters: DeadLetter[] = [];
  private readonly ops = new Map<string, Operator>();
  private readonly order: Operator[] = [];
  private readonly sources: SourceSlot[] = [];
  private readonly sinks: SinkOperator[] = [];
  private readonly collects: CollectOperator[] = [];
  private readonly values: ValuesOperator[] = [];
  private readonly closers: (() => Promise<void>)[] = [];
  /** Online stores of tiled feature tables: opened before the run, closed after. */
  private readonly stores: KvStore[] = [];
  private readonly ctx: OperatorContext;
  private readonly evalCtx: EvalContext;
  /** Set when keyed stages run in worker threads (effective parallelism > 1). */
  private readonly exchange: ParallelExchange | undefined;
  readonly parallelism: ParallelismInfo;
  private readonly programOps: Map<string, ProgramOp>;

  constructor(readonly program: Program, readonly opts: RunOptions) {
    this.metrics = opts.metrics ?? new Metrics();
    const limit = opts.deadLetterLimit ?? 1000;
    this.ctx = {
      metrics: this.metrics,
      now: () => Date.now(),
      badRow: (operator, row, reason) => {
        this.metrics.inc('badRows');
        if (this.deadLetters.length < limit) this.deadLetters.push({ operator, reason, raw: safeJson(row) });
      },
    };
    this.evalCtx = { timeZone: opts.timeZone ?? program.config['table.local-time-zone'] ?? 'UTC', now: () => Date.now() };
    this.programOps = new Map(program.operators.map((p) => [p.id, p]));
    const requested = resolveParallelism(program, opts);
    let exchange: ParallelExchange | undefined;
    const notes: string[] = [];
    if (requested > 1) {
      exchange = new ParallelExchange(program, requested, this.ctx, {
        metrics: (entries) => { for (const [k, v] of entries) this.metrics.inc(k, v); },
        deadLetters: (list) => { for (const d of list) if (this.deadLetters.length < limit) this.deadLetters.push(d); },
        flushMainAsync: () => this.flushAsyncOperators(),
      });
      notes.push(...exchange.layout.plan.notes);
      if (!exchange.active) {
        notes.push('no keyed operator with key columns: the job runs on one thread');
        exchange = undefined;
      }
    }
    this.exchange = exchange;
    this.parallelism = { requested, effective: exchange ? requested : 1, notes };
    for (const op of program.operators) this.build(op);
  }

  /** Reporter given to connectors for records they cannot decode. */
  private reporterFor(table: string): { badRecord(reason: string, raw: string, where: string): void } {
    return {
      badRecord: (reason, raw, where) => {
        this.metrics.inc('badRecords');
        this.metrics.inc(`badRecords.${table}`);
        if (this.deadLetters.length < (this.opts.deadLetterLimit ?? 1000)) this.deadLetters.push({ operator: `${table} (${where})`, reason, raw });
      },
    };
  }

  private factory(options: Record<string, string>, table: string): ConnectorFactory {
    const id = options['connector'];
    const f = id === undefined ? undefined : this.opts.connectors.get(id);
    if (!f) throw new FreshetError(diag('RUN501', `table '${table}' uses unknown connector '${id}'`));
    return f;
  }

  private build(p: ProgramOp): void {
    const ex = this.exchange;
    if (ex?.isParallel(p.id)) { this.wireParallel(p, ex); return; }
    const inputs = p.inputs.map((i, idx) => {
      // A parallel producer reaches a main-thread operator through the merge of its P instances.
      const op = ex?.isParallel(i) ? ex.mergeFor(p.id, idx) : this.ops.get(i);
      if (!op) throw new Error(`internal: operator ${p.id} reads unknown input ${i}`);
      return op;
    });
    let op: Operator;
    switch (p.kind) {
      case 'source': {
        const f = this.factory(p.table.options, p.table.name);
        if (!f.createSource) throw new FreshetError(diag('RUN502', `connector '${f.identifier}' of table '${p.table.name}' cannot be read`));
        const source = f.createSource({
          tableName: p.table.name, physicalFields: p.table.physicalFields, options: p.table.options,
          baseDir: p.table.baseDir, reporter: this.reporterFor(p.table.name),
          ...(p.table.optionSpans ? { optionSpans: p.table.optionSpans } : {}),
        });
        const so = new SourceOperator(p.id, p.table, this.ctx, this.evalCtx);
        this.sources.push({ op: so, source, finished: false, idleSince: Date.now(), idle: false });
        op = so;
        break;
      }
      case 'values': {
        // VALUES rows are bound expressions (constants, casts, arithmetic): evaluated once here.
        const rows = (p.rows as BExpr[][]).map((r) => r.map((e) => compileExpr(e, this.evalCtx)([])));
        const v = new ValuesOperator(p.id, p.fields, this.ctx, rows);
        this.values.push(v);
        op = v;
        break;
      }
      case 'collect': {
        const listener: ChangeListener | undefined = this.opts.onChange ? (row, kind) => this.opts.onChange!(p.name, row, kind) : undefined;
        const c = new CollectOperator(p.id, p.fields, this.ctx, p.name, listener);
        this.collects.push(c);
        op = c;
        break;
      }
      case 'sink': {
        const f = this.factory(p.table.options, p.table.name);
        if (!f.createSink) throw new FreshetError(diag('RUN503', `connector '${f.identifier}' of table '${p.table.name}' cannot be written`));
        const writer: SinkWriter = f.createSink({
          tableName: p.table.name, physicalFields: p.table.physicalFields, options: p.table.options,
          baseDir: p.table.baseDir, reporter: this.reporterFor(p.table.name),
          primaryKey: p.upsertKeys, updating: p.updating,
          ...(p.table.optionSpans ? { optionSpans: p.table.optionSpans } : {}),
        });
        const s = new SinkOperator(p.id, p.fields, this.ctx, writer);
        this.sinks.push(s);
        op = s;
        break;
      }
      case 'tileSink': {
        const f = this.factory(p.table.options, p.table.name);
        if (!f.createStore) throw new FreshetError(diag('RUN505', `connector '${f.identifier}' of table '${p.table.name}' is not an online store`));
        const store = f.createStore({
          tableName: p.table.name, physicalFields: p.table.physicalFields, options: p.table.options,
          baseDir: p.table.baseDir, reporter: this.reporterFor(p.table.name),
          ...(p.table.optionSpans ? { optionSpans: p.table.optionSpans } : {}),
        });
        this.stores.push(store);
        // Tiles live under the same store table name as the sink's rows: the `table` option, else the SQL name.
        const storeTable = p.table.options['table']?.trim() || p.table.name;
        const maxRows = Number(p.table.options['sink.buffer-flush.max-rows'] ?? 0);
        op = new TileSinkOperator({ ...p.spec, table: storeTable }, this.ctx, this.evalCtx, inputs[0]!.fields, store,
          { id: p.id, ...(maxRows > 0 ? { flushRows: maxRows } : {}) });
        break;
      }
      default: op = this.buildExtended(p, inputs);
    }
    inputs.forEach((inp, idx) => inp.outputs.push({ op, input: idx }));
    this.ops.set(p.id, op);
    this.order.push(op);
  }

  /**
   * A parallel operator is instantiated in the workers only. A keyed one gets a router per input here (fed by the
   * main-thread producer, or by the merge of a parallel producer: a re-route between keyed stages); a stateless one
   * is chained after its producers inside each worker and needs nothing on this thread.
   */
  private wireParallel(p: ProgramOp, ex: ParallelExchange): void {
    if (routingKeys(p) === undefined) return;
    const inFields = p.inputs.map((i) => this.programOps.get(i)!.fields);
    p.inputs.forEach((i, idx) => {
      const up = ex.isParallel(i) ? ex.mergeFor(p.id, idx) : this.ops.get(i);
      if (!up) throw new Error(`internal: operator ${p.id} reads unknown input ${i}`);
      up.outputs.push({ op: ex.routerFor(p, idx, inFields), input: 0 });
    });
  }

  /**
   * Operators with asynchronous work (lookup joins) buffer rows in process() and complete them in flushAsync(); the
   * runner awaits them in topological order after every batch and watermark, so nothing is in flight at a checkpoint.
   */
  private async flushAsyncOperators(): Promise<void> {
    for (const op of this.order) {
      const f = (op as { flushAsync?: () => Promise<void> }).flushAsync;
      if (f) await f.call(op);
    }
  }

  /** Processing-time timers (early firing by delay): called after every batch and while sources are idle. */
  private fireProcessingTime(): void {
    const now = Date.now();
    for (const op of this.order) {
      const f = (op as { onProcessingTime?: (now: number) => void }).onProcessingTime;
      if (f) f.call(op, now);
    }
    this.exchange?.processingTime(now);
  }

  /** Connector-free operators come from the shared factory (the workers build theirs the same way); lookup joins here. */
  private buildExtended(p: ProgramOp, inputs: Operator[]): Operator {
    const inFields = inputs.map((i) => i.fields);
    const made = createOperator(p, inFields, { ctx: this.ctx, evalCtx: this.evalCtx });
    if (made) return made;
    switch (p.kind) {
      case 'lookupJoin': {
        const f = this.factory(p.table.options, p.table.name);
        if (!f.createLookup) {
          throw new FreshetError(diag('RUN504', `connector '${f.identifier}' of table '${p.table.name}' cannot look up rows by key`, undefined,
            'lookup joins (FOR SYSTEM_TIME AS OF a processing-time attribute) need a connector with lookup support'));
        }
        const source = f.createLookup({
          tableName: p.table.name, physicalFields: p.table.physicalFields, options: p.table.options,
          baseDir: p.table.baseDir, reporter: this.reporterFor(p.table.name), keyColumns: p.lookupKeys,
          ...(p.table.optionSpans ? { optionSpans: p.table.optionSpans } : {}),
        });
        const lj = new LookupJoinOperator(p, this.ctx, this.evalCtx, inFields, source);
        this.closers.push(() => lj.close());
        return lj;
      }
      default: throw new FreshetError(diag('PLAN401', `operator '${p.kind}' is not supported by the embedded engine yet`));
    }
  }

  async run(): Promise<RunSummary> {
    const ex = this.exchange;
    if (!ex) return this.runGuarded();
    const timeZone = this.evalCtx.timeZone;
    const deadLetterLimit = this.opts.deadLetterLimit ?? 1000;
    await ex.start((index) => ({ program: this.program, index, parallelism: ex.parallelism, timeZone, deadLetterLimit }));
    try {
      return await this.runGuarded();
    } finally {
      await ex.close();
    }
  }

  /**
   * Runs the job; when it fails, closes every source, sink and lookup source before rethrowing, so a connected
   * client (Kafka, Redis) never keeps the process alive after an error.
   */
  private async runGuarded(): Promise<RunSummary> {
    try {
      return await this.runJob();
    } catch (err) {
      const quietly = async (f: () => Promise<void>): Promise<void> => { try { await f(); } catch { /* already failing */ } };
      for (const slot of this.sources) if (!slot.finished) await quietly(() => slot.source.close());
      for (const s of this.sinks) await quietly(() => s.writer.close());
      for (const c of this.closers) await quietly(c);
      for (const st of this.stores) await quietly(() => st.close());
      throw err;
    }
  }

  /** Moves rows between this thread and the workers until every worker has acknowledged everything queued. */
  private async pump(): Promise<void> {
    if (this.exchange) await this.exchange.pump();
  }

  private async runJob(): Promise<RunSummary> {
    const t0 = Date.now();
    const ex = this.exchange;
    const o = this.opts;
    const store = o.checkpointDir ? new CheckpointStore(o.checkpointDir) : undefined;
    let checkpointId = 0;
    let restoredFrom: number | undefined;
    let nextSource = 0;
    const hash = programHash(this.program);

    let restored: ParallelCheckpointData | undefined;
    if (o.restoreFrom) {
      restored = await CheckpointStore.load(o.restoreFrom);
      if (!restored) throw new FreshetError(diag('RUN510', `no checkpoint found at '${o.restoreFrom}'`));
      if (restored.programHash !== hash) {
        throw new FreshetError(diag('RUN511', `checkpoint ${restored.id} was taken by a different program`, undefined,
          'a checkpoint can only be restored into the same SQL; start without it or revert the change'));
      }
      const savedParallelism = restored.parallel?.parallelism ?? 1;
      if (savedParallelism !== this.parallelism.effective) {
        throw new FreshetError(diag('RUN512', `checkpoint ${restored.id} was taken with parallelism ${savedParallelism}, this job runs with parallelism ${this.parallelism.effective}`, undefined,
          `restore with SET 'parallelism.default' = '${savedParallelism}'; keyed state is not re-sharded to a different parallelism`));
      }
      if (ex && restored.parallel) await ex.restore(restored.parallel.workers);
      for (const [id, s] of Object.entries(restored.operators)) {
        const op = this.ops.get(id) ?? ex?.merges.find((m) => m.id === id);
        if (!op) continue;
        op.restoreBase(s.base as { inputs: number[]; current: number });
        if (s.state !== undefined) op.restore(s.state);
      }
      for (const [k, v] of Object.entries(restored.metrics)) this.metrics.counters.set(k, v);
      nextSource = restored.nextSource;
      checkpointId = restored.id;
      restoredFrom = restored.id;
    }
    for (const s of this.sinks) {
      const st = restored?.operators[s.id]?.state;
      if (restored && s.writer.restore) await s.writer.restore(st);
      await s.writer.open();
    }
    for (const st of this.stores) await st.open();
    for (let i = 0; i < this.sources.length; i++) {
      const slot = this.sources[i]!;
      const saved = restored?.sources.find((x) => x.id === slot.op.id);
      slot.finished = saved?.finished ?? false;
      if (!slot.finished) await slot.source.open(saved?.position);
    }
    o.onStart?.({ unbounded: this.sources.some((s) => !s.source.bounded) });
    if (!restored) for (const v of this.values) v.start();
    await this.pump();

    const batchSize = o.batchSize ?? 4096;
    let batches = 0;
    let checkpoints = 0;
    let lastCheckpointAt = Date.now();
    let batchesSinceCheckpoint = 0;
    const interval = o.checkpointIntervalMs ?? 0;

    let failedInARow = 0;
    const takeCheckpoint = async (): Promise<void> => {
      if (!store) return;
      const started = Date.now();
      try {
        const bytes = await writeCheckpoint();
        failedInARow = 0;
        o.onCheckpoint?.({ id: checkpointId, durationMs: Date.now() - started, bytes });
      } catch (e) {
        this.metrics.inc('checkpointFailures');
        failedInARow++;
        const error = e instanceof Error ? e : new Error(String(e));
        o.onCheckpoint?.({ id: checkpointId, durationMs: Date.now() - started, bytes: 0, error });
        if (failedInARow > (o.tolerableCheckpointFailures ?? 0)) throw e;
        // Tolerated: the next attempt comes one interval later, as after a success.
        lastCheckpointAt = Date.now();
        batchesSinceCheckpoint = 0;
      }
    };
    const writeCheckpoint = async (): Promise<number> => {
      if (!store) return 0;
      for (const s of this.sinks) { await s.drain(); await s.writer.flush(); }
      checkpointId++;
      const operators: CheckpointData['operators'] = {};
      for (const op of this.order) operators[op.id] = { base: op.snapshotBase(), state: op.snapshot() };
      let parallel: ParallelCheckpointData['parallel'];
      if (ex) {
        // Aligned barrier: pump() has run after the last batch, so every worker has acknowledged it.
        for (const m of ex.merges) operators[m.id] = { base: m.snapshotBase(), state: undefined };
        parallel = { parallelism: ex.parallelism, workers: await ex.snapshot() };
      }
      const data: ParallelCheckpointData = {
        version: 1, id: checkpointId, programHash: hash, takenAt: Date.now(),
        sources: this.sources.map((s) => ({ id: s.op.id, position: s.finished ? null : s.source.position(), finished: s.finished })),
        nextSource, operators, metrics: this.metrics.toJSON(),
        ...(parallel ? { parallel } : {}),
      };
      const bytes = store.prepare(data); // synchronous: captures state at this instant
      await store.write(checkpointId, bytes);
      checkpoints++;
      this.metrics.inc('checkpoints');
      this.metrics.inc('checkpointBytes', bytes.length);
      lastCheckpointAt = Date.now();
      batchesSinceCheckpoint = 0;
      return bytes.length;
    };

    let halted = false;
    while (this.sources.some((s) => !s.finished)) {
      if (o.signal?.aborted) break;
      let gotData = false;
      const n = this.sources.length;
      for (let k = 0; k < n; k++) {
        const idx = nextSource;
        nextSource = (nextSource + 1) % n;
        const slot = this.sources[idx]!;
        if (slot.finished) continue;
        const rows = await slot.source.poll(batchSize);
        if (rows === null) {
          slot.finished = true;
          await slot.source.close();
          slot.op.watermark(WATERMARK_MAX, 0);
        } else if (rows.length > 0) {
          gotData = true;
          if (slot.idle) { slot.idle = false; slot.op.setInputIdle(0, false); }
          slot.idleSince = Date.now();
          slot.op.ingest(rows, slot.source.lastPartitions?.(), slot.source.heldPartitions?.());
          await this.flushAsyncOperators();
          slot.op.flushWatermark();
          await this.flushAsyncOperators();
        } else if (o.idleTimeoutMs && !slot.idle && Date.now() - slot.idleSince > o.idleTimeoutMs) {
          // Idle source: stop holding back the combined watermark until it produces again.
          slot.idle = true;
          slot.op.setInputIdle(0, true);
          this.metrics.inc('sourcesMarkedIdle');
        }
        this.fireProcessingTime();
        await this.pump();
        for (const s of this.sinks) await s.drain();
        batches++;
        batchesSinceCheckpoint++;
        if (o.haltAfterBatches !== undefined && batches >= o.haltAfterBatches) { halted = true; break; }
        if (store && ((o.checkpointEveryBatches && batchesSinceCheckpoint >= o.checkpointEveryBatches)
          || (interval > 0 && Date.now() - lastCheckpointAt >= interval))) {
          await takeCheckpoint();
        }
      }
      if (halted) break;
      if (!gotData && this.sources.some((s) => !s.finished)) {
        await new Promise((r) => setTimeout(r, 5));
        this.fireProcessingTime();
        await this.pump();
      }
    }

    const finished = !halted && !o.signal?.aborted;
    if (finished && ex) {
      // End of input in topological order across threads: each operator finishes after everything upstream of it.
      await this.flushAsyncOperators();
      for (const p of this.program.operators) {
        if (ex.isParallel(p.id)) ex.finish(p.id);
        else this.ops.get(p.id)?.finish();
        await this.flushAsyncOperators();
        await this.pump();
      }
      for (const s of this.sinks) { await s.drain(); await s.writer.flush(); }
    } else if (finished) {
      await this.flushAsyncOperators();
      for (const op of this.order) op.finish();
      await this.flushAsyncOperators();
      for (const s of this.sinks) { await s.drain(); await s.writer.flush(); }
    }
    // A graceful stop takes a final checkpoint while sources and sinks are still open (a closed source no longer
    // knows its position; a closed sink cannot flush).
    if (!finished && store && o.signal?.aborted) await takeCheckpoint();
    for (const s of this.sinks) await s.writer.close();
    for (const c of this.closers) await c();
    for (const st of this.stores) { await st.flush?.(); await st.close(); }
    for (const slot of this.sources) if (!slot.finished) await slot.source.close();

    const results = new Map<string, { fields: ProgramOp['fields']; rows: Row[] }>();
    for (const c of this.collects) results.set(c.name, { fields: c.fields, rows: c.result() });
    let operators = this.order.map((op) => ({ id: op.id, rowsIn: op.rowsIn, rowsOut: op.rowsOut }));
    if (ex) {
      const stats = await ex.stats();
      operators = this.program.operators.map((p) => {
        const op = this.ops.get(p.id);
        const st = op ? { rowsIn: op.rowsIn, rowsOut: op.rowsOut } : stats.get(p.id) ?? { rowsIn: 0, rowsOut: 0 };
        return { id: p.id, ...st };
      });
    }
    return {
      finished, durationMs: Date.now() - t0, batches, checkpoints,
      ...(restoredFrom !== undefined ? { restoredFrom } : {}),
      metrics: this.metrics.toJSON(), deadLetters: this.deadLetters, results, operators,
      ...(this.parallelism.requested > 1 ? { parallelism: this.parallelism } : {}),
    };
  }
}

/** RunOptions.parallelism, else the program's `parallelism.default`, else 1; anything but a positive integer is refused. */
function resolveParallelism(program: Program, opts: RunOptions): number {
  const raw = opts.parallelism ?? program.config['parallelism.default'];
  if (raw === undefined) return 1;
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new FreshetError(diag('RUN513', `parallelism must be a positive integer (at most 256), got '${raw}'`, undefined,
      "e.g. SET 'parallelism.default' = '2'"));
  }
  return n;
}

function safeJson(row: unknown): string {
  try {
    return JSON.stringify(row, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : typeof v === 'bigint' ? String(v) : v));
  } catch {
    return String(row);
  }
}
