/**
 * Which tiles a read needs (docs/serving.md, "Layout"). For a read at t the served window of length w is
 * [E - w, E) with E the end of t's finest slice. With levels g_0 < g_1 < g_2 and k the top level of w (the coarsest
 * level dividing w), A = E - w:
 *   head, level i < k:  positions [floor(E, g_{i+1}), floor(E, g_i))           head part of the tile
 *   tail, level i < k:  positions [ceil(A, g_i), ceil(A, g_{i+1})), read shifted by +w as
 *                       [ceil(E, g_i), ceil(E, g_{i+1}))                        tail copy for w of the tile
 *   middle, level k:    positions [ceil(A, g_k), floor(E, g_k))                  head part
 * The pieces partition [A, E) (floor(E, g_0) = ceil(E, g_0) = E because E and w are multiples of g_0). Per level the
 * union over all windows of a table is one contiguous range, so a read costs one store request per level (≤ 3).
 */
import { ceilTo, floorTo, topLevelOf, type TileSinkSpec } from '../plan/rules/tile-features.js';

export interface Span { from: number; to: number }

export interface WindowPieces {
  windowMs: number;
  top: number;
  /** Per level: positions whose head part is used (empty span when none). */
  head: Span[];
  /** Per level: positions whose tail copy for this window is used. */
  tail: Span[];
}

export interface ReadPlan {
  /** Exclusive end of the served windows. */
  end: number;
  /** Per level: the one range to read, or undefined when the level is not needed at this time. */
  ranges: (Span | undefined)[];
  windows: WindowPieces[];
}

const EMPTY: Span = { from: 0, to: 0 };

export function planRead(spec: Pick<TileSinkSpec, 'granularities' | 'windows'>, end: number): ReadPlan {
  const g = spec.granularities;
  const L = g.length;
  const lo = new Array<number>(L).fill(Infinity);
  const hi = new Array<number>(L).fill(-Infinity);
  const add = (i: number, s: Span): void => {
    if (s.to <= s.from) return;
    if (s.from < lo[i]!) lo[i] = s.from;
    if (s.to > hi[i]!) hi[i] = s.to;
  };
  const windows: WindowPieces[] = [];
  for (const w of spec.windows) {
    const k = topLevelOf(g, w);
    const head: Span[] = [], tail: Span[] = [];
    for (let i = 0; i < L; i++) {
      if (i < k) {
        const h = { from: floorTo(end, g[i + 1]!), to: floorTo(end, g[i]!) };
        const t = { from: ceilTo(end, g[i]!), to: ceilTo(end, g[i + 1]!) };
        head.push(h); tail.push(t);
        add(i, h); add(i, t);
      } else if (i === k) {
        const m = { from: ceilTo(end - w, g[i]!), to: floorTo(end, g[i]!) };
        head.push(m); tail.push(EMPTY);
        add(i, m);
      } else {
        head.push(EMPTY); tail.push(EMPTY);
      }
    }
    windows.push({ windowMs: w, top: k, head, tail });
  }
  const ranges = lo.map((f, i) => (f < hi[i]! ? { from: f, to: hi[i]! } : undefined));
  return { end, ranges, windows };
}
