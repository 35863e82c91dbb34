// Helpers of the serving tests: a tiled feature spec over events (user STRING, amount BIGINT, ts TIMESTAMP(3),
// item STRING, big BOOLEAN), a driver feeding events to a TileSinkOperator with watermarks and flushes, and the
// brute-force oracle of the served semantics: window w read at t aggregates events with t - w < ts <= t in exact
// layouts (the OVER form), else events with ts in [E - w, E), E = floor(t / g0) * g0 + g0.
import { T, type RowField } from '../../src/common/types.js';
import { RowKind, type Row } from '../../src/common/row.js';
import { Metrics } from '../../src/engine/metrics.js';
import type { OperatorContext } from '../../src/engine/operator.js';
import { TileSinkOperator, type TileSinkOptions } from '../../src/engine/operators/tile-sink-operator.js';
import type { KvStore } from '../../src/engine/kv-store-api.js';
import type { TileSinkSpec, TiledCall, TiledColumn, TiledFeature } from '../../src/plan/rules/tile-features.js';

export const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;

export const INPUT: RowField[] = [
  { name: 'user', type: T.string(false) },
  { name: 'amount', type: T.bigint() },
  { name: 'ts', type: { ...T.timestamp(3), timeAttr: 'rowtime' } },
  { name: 'item', type: T.string() },
  { name: 'big', type: T.boolean() },
];

export interface Ev { user: string; amount: number | null; ts: number; item: string; big: boolean }

export const rowOf = (e: Ev): Row => [e.user, e.amount, e.ts, e.item, e.big];

const CALLS: TiledCall[] = [
  { id: 'COUNT(*)', name: 'COUNT', args: [], argTypes: [], distinct: false, resultType: T.bigint(false) },
  { id: 'SUM(amount)', name: 'SUM', args: [1], argTypes: [T.bigint()], distinct: false, resultType: T.bigint() },
  { id: 'MIN(amount)', name: 'MIN', args: [1], argTypes: [T.bigint()], distinct: false, resultType: T.bigint() },
  { id: 'MAX(amount)', name: 'MAX', args: [1], argTypes: [T.bigint()], distinct: false, resultType: T.bigint() },
  { id: 'AVG(amount)', name: 'AVG', args: [1], argTypes: [T.bigint()], distinct: false, resultType: T.bigint() },
  { id: 'COUNT(DISTINCT item)', name: 'COUNT', args: [3], argTypes: [T.string()], distinct: true, resultType: T.bigint(false) },
  { id: 'COUNT(*) FILTER big', name: 'COUNT', args: [], argTypes: [], distinct: false, filterArg: 4, resultType: T.bigint(false) },
];

export const CALL_NAMES = ['cnt', 'sum', 'min', 'max', 'avg', 'items', 'bigs'];

/** A spec with every call over each window: columns user, <call>_<window label>..., last_ts. */
export function makeSpec(windows: number[], granularities: number[], retentionMs = 365 * DAY, source: 'over' | 'hop' = 'over',
  exact = source === 'over', edgeEntries = 256): TileSinkSpec {
  const features: TiledFeature[] = [];
  const columns: TiledColumn[] = [{ name: 'user', type: T.string(false), kind: 'key', part: 0 }];
  for (const w of windows) {
    CALLS.forEach((c, i) => {
      const name = `${CALL_NAMES[i]}_${label(w)}`;
      features.push({ name, call: i, windowMs: w, type: c.resultType });
      columns.push({ name, type: c.resultType, kind: 'feature', feature: features.length - 1 });
    });
  }
  columns.push({ name: 'last_ts', type: T.timestamp(3), kind: 'lastEventTime' });
  const spec: TileSinkSpec = {
    version: 1, table: 'feats', source, keyColumns: [0], timeColumn: 2, windows: [...windows].sort((a, b) => a - b), granularities,
    calls: CALLS, features, columns, retentionMs,
  };
  if (exact) { spec.exact = true; spec.edgeEntries = edgeEntries; }
  return spec;
}

export function label(w: number): string {
  return w % DAY === 0 ? `${w / DAY}d` : w % HOUR === 0 ? `${w / HOUR}h` : w % MIN === 0 ? `${w / MIN}m` : `${w}ms`;
}

export function testCtx(): OperatorContext & { bad: string[] } {
  const bad: string[] = [];
  return { metrics: new Metrics(), now: () => 0, badRow: (_id, _row, reason) => { bad.push(reason); }, bad };
}

export function makeOperator(spec: TileSinkSpec, store: KvStore, opts: TileSinkOptions = {}): TileSinkOperator {
  return new TileSinkOperator(spec, testCtx(), undefined, INPUT, store, { now: () => 0, ...opts });
}

/** Feeds events in batches (watermark = newest ts - delay after each batch, then a flush). */
export async function feed(op: TileSinkOperator, events: Ev[], batch = 50, delay = 5_000): Promise<void> {
  let max = -Infinity;
  for (let i = 0; i < events.length; i += batch) {
    const part = events.slice(i, i + batch);
    op.process({ rows: part.map(rowOf), kinds: part.map(() => RowKind.Insert) }, 0);
    for (const e of part) if (e.ts > max) max = e.ts;
    op.watermark(max - delay, 0);
    await op.flushAsync();
  }
}

export async function finish(op: TileSinkOperator): Promise<void> {
  op.watermark(Infinity, 0);
  op.finish();
  await op.flushAsync();
}

/** Deterministic PRNG (mulberry32, shared with the other suites). */
export { mulberry32 as rng } from '../support/random-events.js';

/** Random events of `users` users over [start, start + span), sorted by time with bounded disorder. */
export function randomEvents(r: () => number, n: number, users: number, start: number, span: number): Ev[] {
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) {
    // Bursty times: half the events cluster near a few instants so boundaries see several events.
    const base = r() < 0.5 ? Math.floor(r() * 8) * (span / 8) + Math.floor(r() * 120_000) : Math.floor(r() * span);
    out.push({
      user: `u${Math.floor(r() * users)}`, amount: r() < 0.1 ? null : Math.floor(r() * 1000) - 200,
      ts: start + Math.min(span - 1, base), item: `i${Math.floor(r() * 7)}`, big: r() < 0.3,
    });
  }
  out.sort((a, b) => a.ts - b.ts);
  // Bounded disorder (within 2 s), as sources deliver it; the driver's watermark delay is 5 s.
  for (let i = 1; i < out.length; i++) if (r() < 0.2 && out[i]!.ts - out[i - 1]!.ts < 2000) [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
  return out;
}

/** The oracle: feature values of `user` at t over `events` for the spec's features. */
export function oracle(spec: TileSinkSpec, events: readonly Ev[], user: string, t: number): Record<string, unknown> {
  const g0 = spec.granularities[0]!;
  const end = spec.exact === true ? t + 1 : Math.floor(t / g0) * g0 + g0;
  const out: Record<string, unknown> = { user };
  let last: number | null = null;
  const maxW = Math.max(...spec.windows);
  for (const e of events) if (e.user === user && e.ts >= end - maxW && e.ts < end && (last === null || e.ts > last)) last = e.ts;
  for (const f of spec.features) {
    const evs = events.filter((e) => e.user === user && e.ts >= end - f.windowMs && e.ts < end);
    const amounts = evs.map((e) => e.amount).filter((a): a is number => a !== null);
    let v: unknown;
    switch (spec.calls[f.call]!.id) {
      case 'COUNT(*)': v = evs.length; break;
      case 'SUM(amount)': v = amounts.length === 0 ? null : amounts.reduce((a, b) => a + b, 0); break;
      case 'MIN(amount)': v = amounts.length === 0 ? null : Math.min(...amounts); break;
      case 'MAX(amount)': v = amounts.length === 0 ? null : Math.max(...amounts); break;
      case 'AVG(amount)': v = amounts.length === 0 ? null : Math.trunc(amounts.reduce((a, b) => a + b, 0) / amounts.length); break;
      case 'COUNT(DISTINCT item)': v = new Set(evs.map((e) => e.item)).size; break;
      case 'COUNT(*) FILTER big': v = evs.filter((e) => e.big).length; break;
    }
    out[f.name] = v;
  }
  out['last_ts'] = last;
  return out;
}
