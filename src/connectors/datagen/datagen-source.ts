/**
 * The datagen source. Row i is a pure function of (seed, i, base time): its random values come from a stream
 * re-seeded per row (row-random.ts) and its logical time ("now", used by TIMESTAMP/DATE/TIME columns) is
 * `baseTime + i * 1000 / rows-per-second`, i.e. the time the row is due at the configured rate.
 *
 * Position: `{ emitted, seed, baseTime }`. The seed and base time default to a random seed and the wall-clock time of
 * the first open; they are part of the position, so a restored run continues the same data even without
 * `freshet.seed`. With `freshet.seed` and `freshet.base-time` set, every run produces the same rows.
 *
 * Throttling: rows are released in groups of rows-per-second / 10 (at least 1), a group only once its time has come.
 * Batch sizes therefore depend only on the position and `max`, never on timing (restores replay the same batches);
 * poll waits up to 50 ms for a group that is almost due and otherwise returns an empty batch.
 *
 * Bounded when `number-of-rows` is set or a column uses a sequence: it ends at whichever limit comes first.
 */
import type { Row, Value } from '../../common/row.js';
import type { ScanSource, SourcePosition, TableContext } from '../connector.js';
import type { DatagenConfig } from './datagen-options.js';
import { compileGenerator, type Generator } from './field-generators.js';
import { RowRandom, seed32 } from './row-random.js';

export interface DatagenClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: DatagenClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface DatagenPosition {
  emitted: number;
  seed: number;
  baseTime: number;
}

const MAX_WAIT_MS = 50;

export class DatagenSource implements ScanSource {
  readonly bounded: boolean;
  /** Total rows when bounded, else Infinity. */
  readonly total: number;
  private readonly generators: Generator[];
  private readonly rng = new RowRandom();
  private readonly group: number;
  private emitted = 0;
  private seed = 0;
  private seedBits = 0;
  private baseTime = 0;
  private openedAt = 0;
  private emittedAtOpen = 0;

  constructor(ctx: TableContext, private readonly config: DatagenConfig, private readonly clock: DatagenClock = systemClock) {
    this.generators = ctx.physicalFields.map((f, i) => compileGenerator(f.type, config.fields[i]!));
    let total = config.numberOfRows ?? Infinity;
    for (const spec of config.fields) {
      if (spec.kind === 'sequence') total = Math.min(total, Math.floor(spec.end! - spec.start!) + 1);
    }
    this.total = total;
    this.bounded = Number.isFinite(total);
    this.group = Math.max(1, Math.floor(config.rowsPerSecond / 10));
  }

  async open(position?: SourcePosition): Promise<void> {
    if (position !== undefined && position !== null) {
      const p = position as DatagenPosition;
      this.emitted = p.emitted;
      this.seed = p.seed;
      this.baseTime = p.baseTime;
    } else {
      this.emitted = 0;
      this.seed = this.config.seed ?? Math.floor(Math.random() * 2 ** 32);
      this.baseTime = this.config.baseTime ?? this.clock.now();
    }
    this.seedBits = seed32(this.seed);
    this.openedAt = this.clock.now();
    this.emittedAtOpen = this.emitted;
  }

  async poll(max: number): Promise<Row[] | null> {
    if (this.emitted >= this.total) return null;
    const n = Math.min(max, this.total - this.emitted, this.group);
    if (n <= 0) return [];
    // The group is due once the rows before it, beyond the first group, have had their time.
    const dueAt = this.openedAt + ((this.emitted - this.emittedAtOpen + n - this.group) * 1000) / this.config.rowsPerSecond;
    const wait = dueAt - this.clock.now();
    if (wait > 0) {
      await this.clock.sleep(Math.min(wait, MAX_WAIT_MS));
      if (this.clock.now() < dueAt) return [];
    }
    const rows: Row[] = new Array(n);
    const gens = this.generators;
    const width = gens.length;
    const rps = this.config.rowsPerSecond;
    for (let k = 0; k < n; k++) {
      const i = this.emitted + k;
      this.rng.reset(this.seedBits, i);
      const now = this.baseTime + Math.floor((i * 1000) / rps);
      const row: Value[] = new Array(width);
      for (let c = 0; c < width; c++) row[c] = gens[c]!(this.rng, i, now);
      rows[k] = row;
    }
    this.emitted += n;
    return rows;
  }

  position(): SourcePosition {
    return { emitted: this.emitted, seed: this.seed, baseTime: this.baseTime } satisfies DatagenPosition;
  }

  async close(): Promise<void> {}
}
