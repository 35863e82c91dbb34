/**
 * A connector lookup that wraps every scan source, sink and online store of a job to measure it without touching
 * the engine's per-row path: rows read per source (for throughput), the wall time of the last input, Kafka consumer
 * lag, and for tables whose dictionary schema names an event-time column the largest event time seen, from which the
 * source watermark follows as Flink's bounded-out-of-orderness strategy defines it (max event time − delay). The
 * job's watermark is the minimum over its event-time sources.
 *
 * Outputs: rows written per sink table, and end-to-end latency measured per batch where the store acknowledges the
 * write (the promise a sink's write returns, a tile store's writeTiles). The engine polls, processes and hands a
 * batch to its sinks synchronously, so the batch a write belongs to is the one polled last: its arrival (poll) time
 * gives arrival → store write; its event time is the newest event time of the written rows when the output has a
 * TIMESTAMP column named `window_end` or one marked as rowtime, else the newest event time of that input batch.
 * Observations are queued here and drained by the monitoring collector.
 */
import type { Batch, Row } from '../../common/row.js';
import type { ConnectorLookup, CheckpointInfo } from '../../engine/job-runner.js';
import type { ConnectorFactory, ScanSource, SinkContext, SinkWriter, TableContext } from '../../engine/connector-api.js';
import type { KvStore } from '../../engine/kv-store-api.js';
import { Metrics } from '../../engine/metrics.js';
import { DEFAULT_WATERMARK_DELAY_MS, topicOf, type SourceDefinition, type TypeSchema } from '../../catalog/dictionary/source-model.js';

/** Consumer lag of one partition: high watermark − position (the offset of the next message to read). */
export interface PartitionLag { topic: string; partition: number; lag: number }

/** Live figures of one source table of a job. */
export interface SourceStats {
  table: string;
  rowsIn: number;
  /** Wall time of the last non-empty poll; undefined before the first row. */
  lastInputAt: number | undefined;
  /** Per-partition consumer lag as of the last refreshLag (Kafka sources only). */
  lag: PartitionLag[] | undefined;
}

/** Live figures of one output table (sink or tile store) of a job. */
export interface OutputStats { table: string; rowsOut: number; writes: number }

/** One acknowledged store write: seconds from the batch's arrival, and from its event time when known. */
export interface LatencyObservation { output: string; arrivalSec: number; eventSec: number | undefined }

/** Most queued observations kept between two drains (older ones are dropped). */
const QUEUE_LIMIT = 10_000;

/** Live counters of one job's run; read by the job manager's metrics tick and by the monitoring collector. */
export class SourceMeter {
  rowsIn = 0;
  /** Per event-time source: max event time seen (epoch ms, -Infinity before the first row) and the delay. */
  readonly eventTime: { table: string; max: number; delayMs: number }[] = [];
  readonly sources = new Map<string, SourceStats>();
  readonly outputs = new Map<string, OutputStats>();
  /** The engine's counters of this run (late rows, bad rows, bad records, checkpoints), shared with the runner. */
  readonly engine = new Metrics();
  /** Engine counters as restored from the checkpoint when the sources opened (what this run did not count). */
  engineBaseline: Record<string, number> | undefined;
  /** Arrival wall time and newest event time of the batch polled last (the one the engine is processing). */
  batchArrival = 0;
  batchEventMax = -Infinity;
  latencies: LatencyObservation[] = [];
  checkpoints: CheckpointInfo[] = [];
  lastCheckpoint: CheckpointInfo | undefined;
  checkpointFailures = 0;
  /** Open sources able to report consumer lag. */
  readonly lagSources = new Map<string, { consumerLag(): Promise<PartitionLag[]> }>();

  /** Minimum over event-time sources of (max event time − delay); undefined before every source has a row. */
  watermark(): number | undefined {
    if (this.eventTime.length === 0) return undefined;
    let min = Infinity;
    for (const e of this.eventTime) min = Math.min(min, e.max - e.delayMs);
    return Number.isFinite(min) ? min : undefined;
  }

  /** RunOptions.onCheckpoint of the job's run. */
  readonly onCheckpoint = (c: CheckpointInfo): void => {
    if (c.error) this.checkpointFailures++;
    else this.lastCheckpoint = c;
    if (this.checkpoints.length < QUEUE_LIMIT) this.checkpoints.push(c);
  };

  source(table: string): SourceStats {
    let s = this.sources.get(table);
    if (!s) { s = { table, rowsIn: 0, lastInputAt: undefined, lag: undefined }; this.sources.set(table, s); }
    return s;
  }

  output(table: string): OutputStats {
    let o = this.outputs.get(table);
    if (!o) { o = { table, rowsOut: 0, writes: 0 }; this.outputs.set(table, o); }
    return o;
  }

  observe(output: string, arrival: number, eventTime: number, at: number): void {
    if (this.latencies.length >= QUEUE_LIMIT) return;
    this.latencies.push({ output, arrivalSec: Math.max(0, at - arrival) / 1000, eventSec: Number.isFinite(eventTime) ? Math.max(0, at - eventTime) / 1000 : undefined });
  }

  /** Drains the queued latency observations and checkpoint reports. */
  drain(): { latencies: LatencyObservation[]; checkpoints: CheckpointInfo[] } {
    const out = { latencies: this.latencies, checkpoints: this.checkpoints };
    this.latencies = [];
    this.checkpoints = [];
    return out;
  }

  /** Asks every lag-reporting source for its consumer lag (a broker round trip each; call every few seconds). */
  async refreshLag(): Promise<void> {
    for (const [table, src] of this.lagSources) {
      try { this.source(table).lag = await src.consumerLag(); } catch { /* broker unreachable: keep the last figure */ }
    }
  }
}

interface TimeProbe { field: string; scale: number; delayMs: number }

/** Event-time probes of dictionary sources, keyed by `topic\0discriminatorValue`. */
export function timeProbes(sources: readonly SourceDefinition[]): Map<string, TimeProbe> {
  const m = new Map<string, TimeProbe>();
  const add = (topic: string, type: string, s: TypeSchema): void => {
    const col = s.eventTimeColumn;
    if (!col) return;
    const f = s.fields.find((x) => x.name === col || x.timeColumn === col || (x.timestampFormat?.startsWith('epoch') && `${x.name}_ltz` === col));
    if (!f) return;
    // Text with a pattern is parsed by a computed column: the raw field is not a number, so no probe.
    if (f.name !== col && !f.timestampFormat?.startsWith('epoch')) return;
    m.set(`${topic}\0${type}`, { field: f.name, scale: f.timestampFormat === 'epoch-seconds' ? 1000 : 1, delayMs: s.watermarkDelayMs ?? DEFAULT_WATERMARK_DELAY_MS });
  };
  for (const s of sources) {
    if (s.types) for (const [t, ts] of Object.entries(s.types)) add(topicOf(s), t, ts);
    else if (s.schema) add(topicOf(s), '', s.schema);
  }
  return m;
}

class MeteredSource implements ScanSource {
  private readonly stats: SourceStats;
  constructor(private readonly inner: ScanSource, private readonly meter: SourceMeter, private readonly table: string,
    private readonly probe?: { index: number; scale: number; slot: SourceMeter['eventTime'][number] }) {
    this.stats = meter.source(table);
  }
  get bounded(): boolean { return this.inner.bounded; }
  open(position?: unknown): Promise<void> {
    this.closedAt = undefined;
    // The runner restores its counters before it opens the sources: what they hold now was counted by earlier runs.
    this.meter.engineBaseline ??= this.meter.engine.toJSON();
    const lagging = this.inner as Partial<{ consumerLag(): Promise<PartitionLag[]> }>;
    if (typeof lagging.consumerLag === 'function') this.meter.lagSources.set(this.table, lagging as { consumerLag(): Promise<PartitionLag[]> });
    return this.inner.open(position);
  }
  async poll(max: number): Promise<Row[] | null> {
    const rows = await this.inner.poll(max);
    if (rows && rows.length > 0) {
      const now = Date.now();
      this.meter.rowsIn += rows.length;
      this.stats.rowsIn += rows.length;
      this.stats.lastInputAt = now;
      this.meter.batchArrival = now;
      let batchMax = -Infinity;
      const p = this.probe;
      if (p) {
        for (let i = 0; i < rows.length; i++) {
          const v = rows[i]![p.index];
          if (typeof v === 'number' && v * p.scale > batchMax) batchMax = v * p.scale;
        }
        if (batchMax > p.slot.max) p.slot.max = batchMax;
      }
      this.meter.batchEventMax = batchMax;
    }
    return rows;
  }
  /**
   * The engine takes its final checkpoint on abort after closing the sources, and a closed embedded-log source
   * reports an empty position (which would restore from offset 0 onto restored state): keep the position as of
   * close so that checkpoint resumes exactly where the run stopped.
   */
  position(): unknown { return this.closedAt !== undefined ? this.closedAt : this.inner.position(); }
  close(): Promise<void> {
    this.closedAt = this.inner.position();
    this.meter.lagSources.delete(this.table);
    return this.inner.close();
  }
  private closedAt: unknown = undefined;
  lastPartitions(): readonly number[] | undefined { return this.inner.lastPartitions?.(); }
}

/** Index of the output column whose value is the event time of a written row, or -1 (see the file comment). */
function eventTimeColumn(ctx: TableContext): number {
  const isTs = (k: string): boolean => k === 'TIMESTAMP' || k === 'TIMESTAMP_LTZ';
  const f = ctx.physicalFields;
  const named = f.findIndex((x) => isTs(x.type.kind) && x.name.toLowerCase() === 'window_end');
  return named >= 0 ? named : f.findIndex((x) => isTs(x.type.kind) && x.type.timeAttr === 'rowtime');
}

/** A sink writer that counts rows and observes latency when the store acknowledges each write. */
function meteredSink(inner: SinkWriter, meter: SourceMeter, ctx: SinkContext): SinkWriter {
  const stats = meter.output(ctx.tableName);
  const tsIdx = eventTimeColumn(ctx);
  return {
    open: () => inner.open(),
    write(batch: Batch) {
      stats.rowsOut += batch.rows.length;
      stats.writes++;
      const arrival = meter.batchArrival;
      let ev = meter.batchEventMax;
      if (tsIdx >= 0) {
        ev = -Infinity;
        for (let i = 0; i < batch.rows.length; i++) {
          const v = batch.rows[i]![tsIdx];
          if (typeof v === 'number' && v > ev) ev = v;
        }
      }
      const r = inner.write(batch);
      if (arrival === 0) return r;
      if (r === undefined) { meter.observe(ctx.tableName, arrival, ev, Date.now()); return r; }
      return r.then(() => { meter.observe(ctx.tableName, arrival, ev, Date.now()); });
    },
    flush: () => inner.flush(),
    close: () => inner.close(),
    ...(inner.snapshot ? { snapshot: () => inner.snapshot!() } : {}),
    ...(inner.restore ? { restore: (st: unknown) => inner.restore!(st) } : {}),
  };
}

/** An online store whose tile writes count and observe latency when acknowledged (tiled feature tables). */
function meteredStore(inner: KvStore, meter: SourceMeter, table: string): KvStore {
  const stats = meter.output(table);
  const writeTiles: KvStore['writeTiles'] = async (t, writes) => {
    const arrival = meter.batchArrival, ev = meter.batchEventMax;
    const n = await inner.writeTiles(t, writes);
    stats.rowsOut += writes.length;
    stats.writes++;
    if (arrival !== 0) meter.observe(table, arrival, ev, Date.now());
    return n;
  };
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'writeTiles') return writeTiles;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Wraps `base` so that every source, sink and online store created through it reports to `meter`. */
export function meteredConnectors(base: ConnectorLookup, meter: SourceMeter, probes: Map<string, TimeProbe>): ConnectorLookup {
  const cache = new Map<string, ConnectorFactory>();
  return {
    get(id: string): ConnectorFactory | undefined {
      const f = base.get(id);
      if (!f || (!f.createSource && !f.createSink && !f.createStore)) return f;
      let w = cache.get(id);
      if (!w) {
        const extra: Partial<ConnectorFactory> = {};
        if (f.createSource) {
          extra.createSource = (ctx: TableContext): ScanSource => {
            const inner = f.createSource!(ctx);
            const probe = probes.get(`${ctx.options['topic'] ?? ''}\0${ctx.options['freshet.discriminator.value'] ?? ''}`);
            const index = probe ? ctx.physicalFields.findIndex((x) => x.name === probe.field) : -1;
            if (!probe || index < 0) return new MeteredSource(inner, meter, ctx.tableName);
            const slot = { table: ctx.tableName, max: -Infinity, delayMs: probe.delayMs };
            meter.eventTime.push(slot);
            return new MeteredSource(inner, meter, ctx.tableName, { index, scale: probe.scale, slot });
          };
        }
        if (f.createSink) extra.createSink = (ctx: SinkContext): SinkWriter => meteredSink(f.createSink!(ctx), meter, ctx);
        if (f.createStore) {
          extra.createStore = (ctx: TableContext): KvStore => meteredStore(f.createStore!(ctx), meter, ctx.options['table']?.trim() || ctx.tableName);
        }
        w = Object.assign(Object.create(f) as ConnectorFactory, extra);
        cache.set(id, w);
      }
      return w;
    },
  };
}
