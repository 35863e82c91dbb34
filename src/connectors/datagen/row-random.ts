/**
 * Deterministic randomness for datagen, addressable by row: the generator is re-seeded from (seed, row index) for
 * every row, so row i's values depend only on the seed and i. That makes a restored source (position = rows emitted)
 * replay exactly the rows an uninterrupted run produces, without storing any generator state.
 *
 * Mixing: murmur3's 32-bit finaliser; stream: mulberry32. Both are small, fast and well distributed; this is test
 * data, not cryptography.
 */

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Folds any safe integer seed to 32 bits. */
export function seed32(seed: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return mix32(lo ^ mix32(hi + 0x9e3779b9));
}

export class RowRandom {
  private state = 0;

  /** Positions the stream at the start of row `row` for a 32-bit seed. */
  reset(seed: number, row: number): void {
    const lo = row >>> 0;
    const hi = Math.floor(row / 4294967296) >>> 0;
    this.state = mix32(seed ^ mix32(lo + 0x6d2b79f5) ^ mix32(hi ^ 0x1b873593));
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const a = this.nextU32() >>> 5; // 27 bits
    const b = this.nextU32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}
