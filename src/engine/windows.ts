/**
 * Window arithmetic for TUMBLE, HOP and CUMULATE with Flink's slicing: every window is a union of non-overlapping
 * slices (TUMBLE: the window itself; HOP: gcd(size, slide); CUMULATE: the step), so an event updates exactly one
 * slice accumulator (O(1) per event) and a window result is the merge of its slices at fire time.
 * Windows are half-open [start, end); a window fires when the watermark reaches end - 1.
 */
import type { WindowSpec } from '../plan/logical-plan.js';

const mod = (a: number, m: number): number => ((a % m) + m) % m;

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Start of the window of length `size` (aligned to `offset`) containing ts. */
export function windowStart(ts: number, offset: number, size: number): number {
  return ts - mod(ts - offset, size);
}

export class SliceAssigner {
  readonly sliceSize: number;
  constructor(readonly w: WindowSpec) {
    this.sliceSize = w.kind === 'HOP' ? gcd(w.size, w.slide!) : w.kind === 'CUMULATE' ? w.step! : w.size;
  }

  sliceEnd(ts: number): number {
    return windowStart(ts, this.w.offset, this.sliceSize) + this.sliceSize;
  }

  /** First window end whose window contains the slice ending at sliceEnd. */
  firstWindowEnd(sliceEnd: number): number {
    if (this.w.kind === 'HOP') return sliceEnd + mod(this.w.offset - sliceEnd, this.w.slide!);
    return sliceEnd;
  }

  /** Last window end whose window contains the slice ending at sliceEnd. */
  lastWindowEnd(sliceEnd: number): number {
    const w = this.w;
    if (w.kind === 'HOP') {
      const sliceStart = sliceEnd - this.sliceSize;
      const latest = sliceStart + w.size; // a window ending here starts exactly at the slice start
      return latest - mod(latest - w.offset, w.slide!);
    }
    if (w.kind === 'CUMULATE') return windowStart(sliceEnd - 1, w.offset, w.size) + w.size;
    return sliceEnd;
  }

  /** First window end > wm + 1 - 1, i.e. the earliest window end that has not fired at watermark wm, at or after `from`. */
  firstUnfiredWindowEnd(from: number, wm: number): number {
    let e = this.firstWindowEnd(from);
    if (e - 1 > wm) return e;
    const step = this.w.kind === 'HOP' ? this.w.slide! : this.sliceSize;
    e += Math.ceil((wm + 1 - (e - 1)) / step) * step;
    while (e - 1 <= wm) e += step;
    return e;
  }

  /** Start of the window ending at `end`. */
  windowStartOf(end: number): number {
    if (this.w.kind === 'CUMULATE') return windowStart(end - 1, this.w.offset, this.w.size);
    return end - this.w.size;
  }

  /** The next window end after `end` that may need firing for a key with data, or undefined. */
  nextWindowEnd(end: number): number | undefined {
    const w = this.w;
    if (w.kind === 'HOP') return end + w.slide!;
    if (w.kind === 'CUMULATE') {
      const cycleEnd = windowStart(end - 1, w.offset, w.size) + w.size;
      return end + w.step! <= cycleEnd ? end + w.step! : undefined;
    }
    return undefined;
  }

  /** Every window [start, end) containing ts (for the window TVF), in ascending end order. */
  windowsOf(ts: number): [number, number][] {
    const w = this.w;
    if (w.kind === 'TUMBLE') {
      const s = windowStart(ts, w.offset, w.size);
      return [[s, s + w.size]];
    }
    if (w.kind === 'HOP') {
      const out: [number, number][] = [];
      for (let s = windowStart(ts, w.offset, w.slide!); s + w.size > ts; s -= w.slide!) out.push([s, s + w.size]);
      return out.reverse();
    }
    const cs = windowStart(ts, w.offset, w.size);
    const out: [number, number][] = [];
    const firstEnd = windowStart(ts, w.offset, w.step!) + w.step!;
    for (let e = firstEnd; e <= cs + w.size; e += w.step!) out.push([cs, e]);
    return out;
  }
}
