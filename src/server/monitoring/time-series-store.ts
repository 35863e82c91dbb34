/**
 * In-memory time series of the last hour for the UI's live charts and for alert rules: one ring buffer per series
 * (name + labels), appended once per collection tick (every `intervalMs`, default 2 s → 1800 points per hour). A
 * series that has not been appended for `capacity` ticks is dropped (a deleted job's figures disappear).
 *
 * Counters are stored as their cumulative value; `rate` and `increase` are derived when read, treating a decrease
 * as a counter reset (as Prometheus does).
 */
import { labelsMatch, seriesKey, type Labels, type Sample } from './samples.js';

export interface SeriesPoints { name: string; labels: Labels; t: number[]; v: number[] }

class Ring {
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Index of the next write; `size` points end just before it. */
  head = 0;
  size = 0;
  constructor(readonly name: string, readonly labels: Labels, capacity: number) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }
  push(t: number, v: number): void {
    const cap = this.t.length;
    this.t[this.head] = t;
    this.v[this.head] = v;
    this.head = (this.head + 1) % cap;
    if (this.size < cap) this.size++;
  }
  /** Points with t >= since, oldest first. */
  points(since = -Infinity): { t: number[]; v: number[] } {
    const cap = this.t.length;
    const t: number[] = [], v: number[] = [];
    for (let i = 0; i < this.size; i++) {
      const j = (this.head - this.size + i + cap) % cap;
      if (this.t[j]! >= since) { t.push(this.t[j]!); v.push(this.v[j]!); }
    }
    return { t, v };
  }
  last(): { t: number; v: number } | undefined {
    if (this.size === 0) return undefined;
    const j = (this.head - 1 + this.t.length) % this.t.length;
    return { t: this.t[j]!, v: this.v[j]! };
  }
}

export class TimeSeriesStore {
  private readonly series = new Map<string, Ring>();
  private readonly lastSeenTick = new Map<string, number>();
  private ticks = 0;

  constructor(readonly capacity = 1800) {}

  /** Appends one tick's samples at time `t` (epoch ms). */
  append(t: number, samples: readonly Sample[]): void {
    this.ticks++;
    for (const s of samples) {
      if (!Number.isFinite(s.value)) continue;
      const key = seriesKey(s.name, s.labels);
      let r = this.series.get(key);
      if (!r) {
        r = new Ring(s.name, { ...s.labels }, this.capacity);
        this.series.set(key, r);
        // A counter is born at 0: its first value counts as an increase (a job that dead-letters from its first
        // batch on must show "rising"), as this instance started counting it then.
        if (s.name.endsWith('_total') && s.value > 0) r.push(t - 1, 0);
      }
      r.push(t, s.value);
      this.lastSeenTick.set(key, this.ticks);
    }
    for (const [key, tick] of this.lastSeenTick) {
      if (this.ticks - tick >= this.capacity) { this.series.delete(key); this.lastSeenTick.delete(key); }
    }
  }

  /** Metric names with their number of series. */
  names(): { name: string; series: number }[] {
    const m = new Map<string, number>();
    for (const r of this.series.values()) m.set(r.name, (m.get(r.name) ?? 0) + 1);
    return [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([name, series]) => ({ name, series }));
  }

  /** Every series of `name` whose labels match `match`, with its points since `since`. */
  select(name: string, match?: Labels, since = -Infinity): SeriesPoints[] {
    const out: SeriesPoints[] = [];
    for (const r of this.series.values()) {
      if (r.name !== name || !labelsMatch(r.labels, match)) continue;
      out.push({ name: r.name, labels: r.labels, ...r.points(since) });
    }
    return out.sort((a, b) => seriesKey('', a.labels).localeCompare(seriesKey('', b.labels)));
  }

  /** The latest value of every series of `name` matching `match`. */
  latest(name: string, match?: Labels): { labels: Labels; t: number; value: number }[] {
    const out: { labels: Labels; t: number; value: number }[] = [];
    for (const r of this.series.values()) {
      if (r.name !== name || !labelsMatch(r.labels, match)) continue;
      const l = r.last();
      if (l) out.push({ labels: r.labels, t: l.t, value: l.v });
    }
    return out;
  }
}

/** Per-second rate between successive points of a counter series (a decrease counts as a reset to 0). */
export function toRate(p: { t: number[]; v: number[] }): { t: number[]; v: number[] } {
  const t: number[] = [], v: number[] = [];
  for (let i = 1; i < p.t.length; i++) {
    const dt = (p.t[i]! - p.t[i - 1]!) / 1000;
    if (dt <= 0) continue;
    const d = p.v[i]! >= p.v[i - 1]! ? p.v[i]! - p.v[i - 1]! : p.v[i]!;
    t.push(p.t[i]!);
    v.push(d / dt);
  }
  return { t, v };
}

/** Increase of a counter over its points (resets counted as from 0). */
export function increase(v: readonly number[]): number {
  let sum = 0;
  for (let i = 1; i < v.length; i++) sum += v[i]! >= v[i - 1]! ? v[i]! - v[i - 1]! : v[i]!;
  return sum;
}
