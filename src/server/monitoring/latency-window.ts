/**
 * Quantiles of the observations of the last `windowMs` (default 60 s), for the `_p50` / `_p99` series that live
 * charts draw and alert rules compare: the Prometheus histograms keep the cumulative buckets, this keeps the recent
 * raw values (bounded: at most `limit`, the oldest dropped first). Observations are per batch or per request, so the
 * window stays small.
 */
export class LatencyWindow {
  private t: number[] = [];
  private v: number[] = [];
  constructor(readonly windowMs = 60_000, readonly limit = 5000) {}

  observe(at: number, seconds: number): void {
    this.t.push(at);
    this.v.push(seconds);
    if (this.t.length > this.limit) { this.t.splice(0, this.t.length - this.limit); this.v.splice(0, this.v.length - this.limit); }
  }

  private prune(now: number): void {
    let i = 0;
    while (i < this.t.length && this.t[i]! < now - this.windowMs) i++;
    if (i > 0) { this.t.splice(0, i); this.v.splice(0, i); }
  }

  /** Observations in the window. */
  count(now: number): number { this.prune(now); return this.v.length; }

  /** The q-quantile (nearest rank) of the window's observations, undefined when it is empty. */
  quantile(now: number, q: number): number | undefined {
    this.prune(now);
    if (this.v.length === 0) return undefined;
    const sorted = this.v.slice().sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[rank];
  }
}
