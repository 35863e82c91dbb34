/**
 * Runs a program (src/program) on the embedded engine: instantiates operators, polls sources round-robin in batches,
 * advances watermarks after each batch, takes checkpoints between batches and restores from them.
 *
 * Determinism (what makes restore-and-replay exact): batch boundaries come from the sources' positions, sources are
 * polled in a fixed round-robin order whose cursor is checkpointed, and watermarks are emitted at batch boundaries.
 * Given the same input, a restored run therefore produces exactly the output of an uninterrupted one.
 */
import { createHash } from 'node:crypto';
import type { Row } from '../common/row.js';
import { FreshetError, diag } from '../common/diagnostics.js';
import type { Program, ProgramOp } from '../program/program.js';
import type { ConnectorFactory, ScanSource, SinkWriter } from './connector-api.js';
import { Metrics } from './metrics.js';
import { Operator, WATERMARK_MAX, type OperatorContext } from './operator.js';
import { SourceOperator } from './operators/source-operator.js';
import { CalcOperator } from './operators/calc-operator.js';
import { UnionOperator } from './operators/union-operator.js';
import { GroupAggregateOperator } from './operators/group-aggregate-operator.js';
import { WindowAggregateOperator } from './operators/window-aggregate-operator.js';
import { WindowTvfOperator } from './operators/window-tvf-operator.js';
import { OverAggregateOperator } from './operators/over-aggregate-operator.js';
import { CollectOperator, type ChangeListener } from './operators/collect-operator.js';
import { SinkOperator } from './operators/sink-operator.js';
import { ValuesOperator } from './operators/values-operator.js';
import { CheckpointStore, type CheckpointData } from './checkpoint-store.js';
import { JoinOperator } from './operators/join-operator.js';
import { IntervalJoinOperator } from './operators/interval-join-operator.js';
import { TemporalJoinOperator } from './operators/temporal-join-operator.js';
import { WindowJoinOperator } from './operators/window-join-operator.js';
import { RankOperator } from './operators/rank-operator.js';
import { DeduplicateOperator } from './operators/deduplicate-operator.js';
import { WindowRankOperator } from './operators/window-rank-operator.js';
import { SessionWindowAggregateOperator } from './operators/session-window-aggregate-operator.js';
import { UnnestOperator } from './operators/unnest-operator.js';
import { LookupJoinOperator } from './operators/lookup-join-operator.js';
import type { EvalContext } from '../functions/index.js';

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
}

interface SourceSlot { op: SourceOperator; source: ScanSource; finished: boolean; idleSince: number; idle: boolean }

export function programHash(p: Program): string {
  return createHash('sha256').update(JSON.stringify(p.operators)).digest('hex').slice(0, 16);
}

export class JobRunner {
  readonly metrics = new Metrics();
  readonly deadLetters: DeadLetter[] = [];
  private readonly ops = new Map<string, Operator>();
  private readonly order: Operator[] = [];
  private readonly sources: SourceSlot[] = [];
  private readonly sinks: SinkOperator[] = [];
  private readonly collects: CollectOperator[] = [];
  private readonly values: ValuesOperator[] = [];
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly ctx: OperatorContext;
  private readonly evalCtx: EvalContext;

  constructor(readonly program: Program, readonly opts: RunOptions) {
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
    const inputs = p.inputs.map((i) => {
      const op = this.ops.get(i);
      if (!op) throw new Error(`internal: operator ${p.id} reads unknown input ${i}`);
      return op;
    });
    const inFields = inputs[0]?.fields ?? [];
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
      case 'values': { const v = new ValuesOperator(p.id, p.fields, this.ctx, p.rows); this.values.push(v); op = v; break; }
      case 'calc': op = new CalcOperator(p.id, p.fields, this.ctx, this.evalCtx, p.condition, p.projection); break;
      case 'union': op = new UnionOperator(p.id, p.fields, this.ctx, p.inputs.length); break;
      case 'groupAggregate': op = new GroupAggregateOperator(p.id, p.fields, this.ctx, inFields, p.groupKeys, p.aggs); break;
      case 'windowTvf': op = new WindowTvfOperator(p.id, p.fields, this.ctx, p.window); break;
      case 'windowAggregate': op = new WindowAggregateOperator(p.id, p.fields, this.ctx, inFields, p.window, p.groupKeys, p.aggs, p.earlyFire); break;
      case 'overAggregate': op = new OverAggregateOperator(p.id, p.fields, this.ctx, inFields, p.over, p.aggs); break;
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
      default: op = this.buildExtended(p, inputs);
    }
    inputs.forEach((inp, idx) => inp.outputs.push({ op, input: idx }));
    this.ops.set(p.id, op);
    this.order.push(op);
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
  }

  /** Operators of the later engine features (joins, Top-N, sessions, ...), wired as they land. */
  private buildExtended(p: ProgramOp, inputs: Operator[]): Operator {
    const inFields = inputs.map((i) => i.fields);
    switch (p.kind) {
      case 'join': return new JoinOperator(p, this.ctx, this.evalCtx, inFields);
      case 'intervalJoin': return new IntervalJoinOperator(p, this.ctx, this.evalCtx, inFields);
      case 'temporalJoin': return new TemporalJoinOperator(p, this.ctx, this.evalCtx, inFields);
      case 'windowJoin': return new WindowJoinOperator(p, this.ctx, this.evalCtx, inFields);
      case 'rank': return new RankOperator(p, this.ctx, this.evalCtx, inFields);
      case 'deduplicate': return new DeduplicateOperator(p, this.ctx, this.evalCtx, inFields);
      case 'windowRank': return new WindowRankOperator(p, this.ctx, this.evalCtx, inFields);
      case 'sessionWindowAggregate': return new SessionWindowAggregateOperator(p, this.ctx, this.evalCtx, inFields);
      case 'unnest': return new UnnestOperator(p, this.ctx, this.evalCtx, inFields);
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
    const t0 = Date.now();
    const o = this.opts;
    const store = o.checkpointDir ? new CheckpointStore(o.checkpointDir) : undefined;
    let checkpointId = 0;
    let restoredFrom: number | undefined;
    let nextSource = 0;
    const hash = programHash(this.program);

    let restored: CheckpointData | undefined;
    if (o.restoreFrom) {
      restored = await CheckpointStore.load(o.restoreFrom);
      if (!restored) throw new FreshetError(diag('RUN510', `no checkpoint found at '${o.restoreFrom}'`));
      if (restored.programHash !== hash) {
        throw new FreshetError(diag('RUN511', `checkpoint ${restored.id} was taken by a different program`, undefined,
          'a checkpoint can only be restored into the same SQL; start without it or revert the change'));
      }
      for (const [id, s] of Object.entries(restored.operators)) {
        const op = this.ops.get(id);
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
    for (let i = 0; i < this.sources.length; i++) {
      const slot = this.sources[i]!;
      const saved = restored?.sources.find((x) => x.id === slot.op.id);
      slot.finished = saved?.finished ?? false;
      if (!slot.finished) await slot.source.open(saved?.position);
    }
    o.onStart?.({ unbounded: this.sources.some((s) => !s.source.bounded) });
    if (!restored) for (const v of this.values) v.start();

    const batchSize = o.batchSize ?? 4096;
    let batches = 0;
    let checkpoints = 0;
    let lastCheckpointAt = Date.now();
    let batchesSinceCheckpoint = 0;
    const interval = o.checkpointIntervalMs ?? 0;

    const takeCheckpoint = async (): Promise<void> => {
      if (!store) return;
      for (const s of this.sinks) { await s.drain(); await s.writer.flush(); }
      checkpointId++;
      const operators: CheckpointData['operators'] = {};
      for (const op of this.order) operators[op.id] = { base: op.snapshotBase(), state: op.snapshot() };
      const data: CheckpointData = {
        version: 1, id: checkpointId, programHash: hash, takenAt: Date.now(),
        sources: this.sources.map((s) => ({ id: s.op.id, position: s.finished ? null : s.source.position(), finished: s.finished })),
        nextSource, operators, metrics: this.metrics.toJSON(),
      };
      const bytes = store.prepare(data); // synchronous: captures state at this instant
      await store.write(checkpointId, bytes);
      checkpoints++;
      this.metrics.inc('checkpoints');
      this.metrics.inc('checkpointBytes', bytes.length);
      lastCheckpointAt = Date.now();
      batchesSinceCheckpoint = 0;
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
          slot.op.ingest(rows, slot.source.lastPartitions?.());
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
      }
    }

    const finished = !halted && !o.signal?.aborted;
    if (finished) {
      await this.flushAsyncOperators();
      for (const op of this.order) op.finish();
      await this.flushAsyncOperators();
      for (const s of this.sinks) { await s.drain(); await s.writer.flush(); }
    }
    for (const s of this.sinks) await s.writer.close();
    for (const c of this.closers) await c();
    for (const slot of this.sources) if (!slot.finished) await slot.source.close();
    if (!finished && store && o.signal?.aborted) await takeCheckpoint();

    const results = new Map<string, { fields: ProgramOp['fields']; rows: Row[] }>();
    for (const c of this.collects) results.set(c.name, { fields: c.fields, rows: c.result() });
    return {
      finished, durationMs: Date.now() - t0, batches, checkpoints,
      ...(restoredFrom !== undefined ? { restoredFrom } : {}),
      metrics: this.metrics.toJSON(), deadLetters: this.deadLetters, results,
      operators: this.order.map((op) => ({ id: op.id, rowsIn: op.rowsIn, rowsOut: op.rowsOut })),
    };
  }
}

function safeJson(row: unknown): string {
  try {
    return JSON.stringify(row, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : typeof v === 'bigint' ? String(v) : v));
  } catch {
    return String(row);
  }
}
