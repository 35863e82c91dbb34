/**
 * The `nexmark` scan source: emits NexmarkGenerator events in order, `events.num` of them when bounded.
 *
 * Position: `{ events, seed, baseTime }` where `events` is the number of events emitted. The base time defaults to
 * the wall-clock time of the first open and is part of the position, so a restored run continues the same stream.
 *
 * Throttling only with `rate.limited` = 'true': events are then released in groups of a tenth of a second of event
 * time (at least 1), each once its first event's event-time offset has elapsed on the wall clock since open. Batch sizes depend
 * only on the position and `max`, never on timing, so restores replay the same batches.
 */
import type { Row, Value } from '../../common/row.js';
import type { ScanSource, SourcePosition, TableContext } from '../connector.js';
import type { DatagenClock } from '../datagen/datagen-source.js';
import { NexmarkGenerator } from './nexmark-generator.js';
import { NEXMARK_COLUMNS, type NexmarkConfig } from './nexmark-options.js';

export interface NexmarkPosition {
  events: number;
  seed: number;
  baseTime: number;
}

const MAX_WAIT_MS = 50;

export class NexmarkSource implements ScanSource {
  readonly bounded: boolean;
  private gen: NexmarkGenerator | undefined;
  private emitted = 0;
  private seed = 0;
  private baseTime = 0;
  private openedAt = 0;
  private emittedAtOpen = 0;
  /** Generator slot of each physical column, or undefined when the table is declared in the standard order. */
  private readonly slots: number[] | undefined;
  private readonly group: number;

  constructor(ctx: TableContext, private readonly config: NexmarkConfig, private readonly clock: DatagenClock) {
    this.bounded = Number.isFinite(config.events);
    const slots = ctx.physicalFields.map((f) => (NEXMARK_COLUMNS as readonly string[]).indexOf(f.name));
    this.slots = slots.length === 4 && slots.every((s, i) => s === i) ? undefined : slots;
    this.group = Math.max(1, Math.floor(Math.min(config.firstEventRate, config.nextEventRate) / 10));
  }

  async open(position?: SourcePosition): Promise<void> {
    if (position !== undefined && position !== null) {
      const p = position as NexmarkPosition;
      this.emitted = p.events;
      this.seed = p.seed;
      this.baseTime = p.baseTime;
    } else {
      this.emitted = 0;
      this.seed = this.config.seed;
      this.baseTime = this.config.baseTime ?? this.clock.now();
    }
    this.gen = new NexmarkGenerator(this.config, this.seed, this.baseTime);
    this.openedAt = this.clock.now();
    this.emittedAtOpen = this.emitted;
  }

  /** The generator in use (after open), for tests and tools. */
  generator(): NexmarkGenerator {
    if (!this.gen) throw new Error('NexmarkSource.generator() called before open()');
    return this.gen;
  }

  async poll(max: number): Promise<Row[] | null> {
    const gen = this.gen!;
    const total = this.config.events;
    if (this.emitted >= total) return null;
    let n = Math.min(max, total - this.emitted);
    if (this.config.rateLimited) {
      n = Math.min(n, this.group);
      const dueAt = this.openedAt + gen.offsetMs(this.emitted) - gen.offsetMs(this.emittedAtOpen);
      const wait = dueAt - this.clock.now();
      if (wait > 0) {
        await this.clock.sleep(Math.min(wait, MAX_WAIT_MS));
        if (this.clock.now() < dueAt) return [];
      }
    }
    if (n <= 0) return [];
    const rows: Row[] = new Array(n);
    const start = this.emitted;
    const slots = this.slots;
    if (slots === undefined) {
      for (let k = 0; k < n; k++) rows[k] = gen.event(start + k);
    } else {
      for (let k = 0; k < n; k++) {
        const ev = gen.event(start + k);
        const row: Value[] = new Array(slots.length);
        for (let c = 0; c < slots.length; c++) row[c] = ev[slots[c]!] ?? null;
        rows[k] = row;
      }
    }
    this.emitted += n;
    return rows;
  }

  position(): SourcePosition {
    return { events: this.emitted, seed: this.seed, baseTime: this.baseTime } satisfies NexmarkPosition;
  }

  async close(): Promise<void> {}
}
