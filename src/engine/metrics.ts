/**
 * Counters of a running job: rows in/out per operator, late rows dropped, bad rows, checkpoints. The run summary and
 * (later) the Prometheus endpoint read them.
 */
export class Metrics {
  readonly counters = new Map<string, number>();
  inc(name: string, by = 1): void { this.counters.set(name, (this.counters.get(name) ?? 0) + by); }
  get(name: string): number { return this.counters.get(name) ?? 0; }
  toJSON(): Record<string, number> { return Object.fromEntries(this.counters); }
}
