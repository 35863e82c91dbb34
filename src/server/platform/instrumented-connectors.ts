/**
 * A connector lookup that wraps every scan source of a job to measure it without touching the engine: rows read
 * (for throughput) and, for tables whose dictionary schema names an event-time column, the largest event time
 * seen, from which the source watermark follows as Flink's bounded-out-of-orderness strategy defines it
 * (max event time − delay). The job's watermark is the minimum over its event-time sources.
 */
import type { Row } from '../../common/row.js';
import type { ConnectorLookup } from '../../engine/job-runner.js';
import type { ConnectorFactory, ScanSource, TableContext } from '../../engine/connector-api.js';
import { DEFAULT_WATERMARK_DELAY_MS, topicOf, type SourceDefinition, type TypeSchema } from '../../catalog/dictionary/source-model.js';

/** Live counters of one job's sources; read by the job manager's metrics tick. */
export class SourceMeter {
  rowsIn = 0;
  /** Per event-time source: max event time seen (epoch ms, -Infinity before the first row) and the delay. */
  readonly eventTime: { table: string; max: number; delayMs: number }[] = [];

  /** Minimum over event-time sources of (max event time − delay); undefined before every source has a row. */
  watermark(): number | undefined {
    if (this.eventTime.length === 0) return undefined;
    let min = Infinity;
    for (const e of this.eventTime) min = Math.min(min, e.max - e.delayMs);
    return Number.isFinite(min) ? min : undefined;
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
  constructor(private readonly inner: ScanSource, private readonly meter: SourceMeter, private readonly probe?: { index: number; scale: number; slot: SourceMeter['eventTime'][number] }) {}
  get bounded(): boolean { return this.inner.bounded; }
  open(position?: unknown): Promise<void> { this.closedAt = undefined; return this.inner.open(position); }
  async poll(max: number): Promise<Row[] | null> {
    const rows = await this.inner.poll(max);
    if (rows && rows.length > 0) {
      this.meter.rowsIn += rows.length;
      const p = this.probe;
      if (p) {
        let hi = p.slot.max;
        for (let i = 0; i < rows.length; i++) {
          const v = rows[i]![p.index];
          if (typeof v === 'number' && v * p.scale > hi) hi = v * p.scale;
        }
        p.slot.max = hi;
      }
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
    return this.inner.close();
  }
  private closedAt: unknown = undefined;
  lastPartitions(): readonly number[] | undefined { return this.inner.lastPartitions?.(); }
}

/** Wraps `base` so that every source created through it reports to `meter`. */
export function meteredConnectors(base: ConnectorLookup, meter: SourceMeter, probes: Map<string, TimeProbe>): ConnectorLookup {
  const cache = new Map<string, ConnectorFactory>();
  return {
    get(id: string): ConnectorFactory | undefined {
      const f = base.get(id);
      if (!f || !f.createSource) return f;
      let w = cache.get(id);
      if (!w) {
        const createSource = (ctx: TableContext): ScanSource => {
          const inner = f.createSource!(ctx);
          const probe = probes.get(`${ctx.options['topic'] ?? ''}\0${ctx.options['freshet.discriminator.value'] ?? ''}`);
          const index = probe ? ctx.physicalFields.findIndex((x) => x.name === probe.field) : -1;
          if (!probe || index < 0) return new MeteredSource(inner, meter);
          const slot = { table: ctx.tableName, max: -Infinity, delayMs: probe.delayMs };
          meter.eventTime.push(slot);
          return new MeteredSource(inner, meter, { index, scale: probe.scale, slot });
        };
        w = Object.assign(Object.create(f) as ConnectorFactory, { createSource });
        cache.set(id, w);
      }
      return w;
    },
  };
}
