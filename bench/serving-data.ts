/**
 * Data of the serving benchmarks (bench/serving.ts, bench/serving-http.ts): a 50-feature tiled table over 1 h, 24 h
 * and 7 d windows, random events, and the tile writer feeding a store.
 */
import { T, type RowField } from '../src/common/types.js';
import { RowKind, type Row } from '../src/common/row.js';
import { Metrics } from '../src/engine/metrics.js';
import type { TileSinkOperator } from '../src/engine/operators/tile-sink-operator.js';
import type { TileSinkSpec, TiledCall, TiledColumn, TiledFeature } from '../src/plan/rules/tile-features.js';

export const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;

export const INPUT: RowField[] = [
  { name: 'user', type: T.string(false) }, { name: 'ts', type: T.timestamp(3) },
  { name: 'a0', type: T.bigint() }, { name: 'a1', type: T.bigint() }, { name: 'a2', type: T.double() }, { name: 'a3', type: T.double() },
];

/** `n` features: COUNT(*) and SUM/MIN/MAX/AVG over a0..a3, each over every window in turn. */
export function spec(windows: number[], granularities: number[], n: number, retentionMs = HOUR): TileSinkSpec {
  const calls: TiledCall[] = [{ id: 'COUNT(*)', name: 'COUNT', args: [], argTypes: [], distinct: false, resultType: T.bigint(false) }];
  for (let c = 0; c < 4; c++) {
    const t = INPUT[2 + c]!.type;
    for (const name of ['SUM', 'MIN', 'MAX', 'AVG']) calls.push({ id: `${name}(a${c})`, name, args: [2 + c], argTypes: [t], distinct: false, resultType: t });
  }
  const features: TiledFeature[] = [];
  const columns: TiledColumn[] = [{ name: 'user', type: T.string(false), kind: 'key', part: 0 }];
  for (let i = 0; i < n; i++) {
    const w = windows[i % windows.length]!, call = Math.floor(i / windows.length) % calls.length;
    features.push({ name: `f${i}`, call, windowMs: w, type: calls[call]!.resultType });
    columns.push({ name: `f${i}`, type: calls[call]!.resultType, kind: 'feature', feature: i });
  }
  // Exact reads (t - w, t], as the OVER form's tables are planned (docs/serving.md).
  return { version: 1, table: 'bench', source: 'over', keyColumns: [0], timeColumn: 1, windows, granularities, calls, features, columns, retentionMs,
    exact: process.env['BENCH_EXACT'] !== '0', edgeEntries: 256 };
}

export const ctx = { metrics: new Metrics(), now: () => Date.now(), badRow: () => undefined };

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** Events of `keys` keys, `perKey` each on average, over `span` ms ending at `end`, fed in time order in batches. */
export async function load(op: TileSinkOperator, keys: number, perKey: number, span: number, end: number): Promise<number> {
  const r = rng(1);
  const n = keys * perKey;
  const step = span / n;
  let batch: Row[] = [];
  for (let i = 0; i < n; i++) {
    const ts = Math.floor(end - span + i * step);
    batch.push([`u${Math.floor(r() * keys)}`, ts, Math.floor(r() * 100), Math.floor(r() * 1000), r() * 10, r()]);
    if (batch.length === 4096 || i === n - 1) {
      op.process({ rows: batch, kinds: batch.map(() => RowKind.Insert) }, 0);
      op.watermark(ts - 5000, 0);
      await op.flushAsync();
      batch = [];
    }
  }
  return n;
}

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

