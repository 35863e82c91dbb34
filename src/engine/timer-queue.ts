/**
 * Event-time timers: fire time -> keys registered for it (insertion-ordered, deduplicated), with the fire times kept
 * sorted so that a watermark fires timers in ascending time order. Plain Map/array state, checkpointable as is.
 */
export class TimerQueue<K> {
  private byTime = new Map<number, Set<K>>();
  private times: number[] = [];

  register(time: number, key: K): void {
    let set = this.byTime.get(time);
    if (!set) {
      set = new Set();
      this.byTime.set(time, set);
      // Binary insertion: times are usually appended at the end.
      const t = this.times;
      let lo = 0, hi = t.length;
      if (hi === 0 || t[hi - 1]! < time) t.push(time);
      else {
        while (lo < hi) { const mid = (lo + hi) >> 1; if (t[mid]! < time) lo = mid + 1; else hi = mid; }
        t.splice(lo, 0, time);
      }
    }
    set.add(key);
  }

  /** Removes and returns the earliest time <= limit with its keys, or undefined. */
  pollUpTo(limit: number): [number, Set<K>] | undefined {
    if (this.times.length === 0 || this.times[0]! > limit) return undefined;
    const time = this.times.shift()!;
    const keys = this.byTime.get(time)!;
    this.byTime.delete(time);
    return [time, keys];
  }

  get size(): number { return this.times.length; }

  snapshot(): unknown { return { byTime: this.byTime, times: this.times }; }
  restore(s: unknown): void {
    const st = s as { byTime: Map<number, Set<K>>; times: number[] };
    this.byTime = st.byTime;
    this.times = st.times;
  }
}
