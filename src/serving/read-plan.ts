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
 * Exact layouts (planReadExact) use the same pieces for the complete slices of (t - w, t] and read the two partial
 * slices from edge entries at level-0 position floor(t, g_0) (docs/serving.md, "Exact edges").
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
  /** Exclusive end of the served windows (slice precision) or t + 1 (exact plans). */
  end: number;
  /**
   * Exact plans (planReadExact): the start of t's finest slice. The pieces then cover the complete slices of
   * (t - w, t]; the slice at `edge` contributes its events at or before t (head edge entries) and, per window, the
   * slice at edge - w its events after t - w (edge entries stored at position `edge`).
   */
  edge?: number;
  /** Per level: the one range to read, or undefined when the level is not needed at this time. */
  ranges: (Span | undefined)[];
  windows: WindowPieces[];
}

const EMPTY: Span = { from: 0, to: 0 };

export function planRead(spec: Pick<TileSinkSpec, 'granularities' | 'windows'>, end: number): ReadPlan {
  return piecesOf(spec, (w) => end - w, end, end);
}

/**
 * The plan of a millisecond-exact read at t (layouts with `exact`): for each window w the pieces partition the
 * complete finest slices of (t - w, t], i.e. [S, X) with X = floor(t, g0) and S = X + g0 - w; the two partial slices
 * come from edge entries at level-0 position X, which the level-0 range always includes.
 */
export function planReadExact(spec: Pick<TileSinkSpec, 'granularities' | 'windows'>, t: number): ReadPlan {
  const g0 = spec.granularities[0]!;
  const x = floorTo(t, g0);
  const plan = piecesOf(spec, (w) => x + g0 - w, x, t + 1);
  const r0 = plan.ranges[0];
  plan.ranges[0] = r0 === undefined ? { from: x, to: x + g0 } : { from: Math.min(r0.from, x), to: Math.max(r0.to, x + g0) };
  plan.edge = x;
  return plan;
}

/**
 * Pieces covering [startOf(w), x) per window, both multiples of g0: heads below x, the middle at the top level,
 * tails (read through their copies shifted by +w) above the start. The middle is never negative: x - start >= w - g0
 * and w is a multiple of the top level's size.
 */
function piecesOf(spec: Pick<TileSinkSpec, 'granularities' | 'windows'>, startOf: (w: number) => number, x: number, end: number): ReadPlan {
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
    const s = startOf(w);
    const head: Span[] = [], tail: Span[] = [];
    for (let i = 0; i < L; i++) {
      if (i < k) {
        const h = { from: floorTo(x, g[i + 1]!), to: floorTo(x, g[i]!) };
        // Stored shifted by +w (tail copies).
        const t = { from: ceilTo(s, g[i]!) + w, to: ceilTo(s, g[i + 1]!) + w };
        head.push(h); tail.push(t);
        add(i, h); add(i, t);
      } else if (i === k) {
        const m = { from: ceilTo(s, g[i]!), to: floorTo(x, g[i]!) };
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
