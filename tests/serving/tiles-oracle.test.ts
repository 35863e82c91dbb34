/**
 * Tiled sliding-window features against a brute-force oracle: random events, random read times (and reads exactly at
 * slice, hour and day boundaries, at event times and at event time + window), after events stop (values decay to
 * 0 / NULL), for 1 h, 24 h and 7 d windows in one table; at most 3 tile requests per key; read plans partition the
 * window exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFeatures } from '../../src/serving/read-features.js';
import { planRead, planReadExact } from '../../src/serving/read-plan.js';
import { MemoryKvStore } from './memory-store.js';
import { DAY, HOUR, MIN, feed, finish, makeOperator, makeSpec, oracle, randomEvents, rng, type Ev } from './helpers.js';
import type { TileSinkSpec } from '../../src/plan/rules/tile-features.js';

const T0 = Date.UTC(2024, 4, 1, 7, 13, 21, 417);

function readTimes(r: () => number, events: Ev[], spec: TileSinkSpec, from: number, to: number, n: number): number[] {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) ts.push(from + Math.floor(r() * (to - from)));
  const g = spec.granularities;
  for (let i = 0; i < n / 4; i++) {
    const e = events[Math.floor(r() * events.length)]!;
    const w = spec.windows[Math.floor(r() * spec.windows.length)]!;
    // At the event, one ms before, at the window's end for it and around it, and at slice/hour/day boundaries.
    ts.push(e.ts, e.ts - 1, e.ts + w, e.ts + w - 1, e.ts + w + 1, e.ts + w - g[0]!, e.ts + w + g[0]!);
    for (const gi of g) { const b = Math.ceil(e.ts / gi) * gi; ts.push(b, b - 1, b + w, b + w - 1); }
  }
  return ts;
}

async function checkAll(store: MemoryKvStore, spec: TileSinkSpec, events: Ev[], users: string[], times: number[]): Promise<number> {
  let checked = 0;
  for (const t of times) {
    store.resetCounters();
    const a = await readFeatures(store, spec.table, users, t, { spec });
    assert.equal(store.calls.readTiles, 1, 'one readTiles batch per call');
    assert.ok(store.tileRequests <= 3 * users.length, `≤ 3 tile requests per key, got ${store.tileRequests} for ${users.length} keys`);
    assert.deepEqual(a.incomplete, [], `complete at ${t}`);
    for (let k = 0; k < users.length; k++) {
      const want = oracle(spec, events, users[k]!, t);
      assert.deepEqual(a.results[k]!.values, want, `user ${users[k]} at t=${t} (${new Date(t).toISOString()})`);
      assert.equal(a.results[k]!.found, events.some((e) => e.user === users[k] && e.ts >= a.windowEnd - Math.max(...spec.windows) && e.ts < a.windowEnd));
      checked++;
    }
  }
  return checked;
}

test('read plans partition [E - w, E) exactly, with one contiguous range per level', () => {
  const specs = [makeSpec([HOUR], [MIN]), makeSpec([DAY], [MIN, HOUR]), makeSpec([7 * DAY], [MIN, HOUR, DAY]),
    makeSpec([HOUR, DAY, 7 * DAY, 90 * MIN, 36 * HOUR], [MIN, HOUR, DAY])];
  const r = rng(7);
  for (const spec of specs) {
    for (let n = 0; n < 300; n++) {
      const g0 = spec.granularities[0]!;
      const end = Math.floor((T0 + Math.floor(r() * 30 * DAY)) / g0) * g0 + (n % 3 === 0 ? 0 : g0);
      const aligned = n % 5 === 0 ? Math.floor(end / DAY) * DAY : end;
      const p = planRead(spec, aligned);
      for (const wp of p.windows) {
        // Covered source slices, in units of g0: heads at their position, tails shifted back by w.
        const covered: [number, number][] = [];
        wp.head.forEach((h, i) => { if (h.to > h.from) covered.push([h.from, h.to]); void i; });
        wp.tail.forEach((t) => { if (t.to > t.from) covered.push([t.from - wp.windowMs, t.to - wp.windowMs]); });
        covered.sort((a, b) => a[0] - b[0]);
        let at = aligned - wp.windowMs;
        for (const [f, t] of covered) { assert.equal(f, at, 'pieces are adjacent'); at = t; }
        assert.equal(at, aligned, 'pieces end at E');
        // Pieces lie inside the level's read range and are aligned to the level.
        wp.head.forEach((h, i) => {
          if (h.to <= h.from) return;
          const rg = p.ranges[i]!;
          assert.ok(rg.from <= h.from && h.to <= rg.to);
          assert.equal(h.from % spec.granularities[i]!, 0);
        });
      }
      assert.ok(p.ranges.filter(Boolean).length <= 3);
    }
  }
});

test('1 h, 24 h and 7 d windows in one table match the oracle at random and boundary read times', async () => {
  const spec = makeSpec([HOUR, DAY, 7 * DAY], [MIN, HOUR, DAY]);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  const r = rng(42);
  const events = randomEvents(r, 1500, 6, T0, 10 * DAY);
  await feed(op, events);
  await finish(op);
  const users = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'nobody'];
  const times = readTimes(r, events, spec, T0 - DAY, T0 + 18 * DAY, 120);
  const checked = await checkAll(store, spec, events, users, times);
  assert.ok(checked > 1000);
});

test('single-window tables (1 h at 1 s, 24 h, 7 d) and a 90 min window topped at minutes', async () => {
  for (const [windows, g] of [[[HOUR], [1000, MIN]], [[DAY], [MIN, HOUR]], [[7 * DAY], [MIN, HOUR, DAY]], [[90 * MIN, 2 * DAY], [MIN, HOUR, DAY]]] as [number[], number[]][]) {
    const spec = makeSpec(windows, g);
    const store = new MemoryKvStore();
    const op = makeOperator(spec, store);
    const r = rng(windows[0]! % 1000 + 3);
    const events = randomEvents(r, 600, 3, T0, Math.max(...windows) * 2);
    await feed(op, events, 37);
    await finish(op);
    const times = readTimes(r, events, spec, T0 - HOUR, T0 + Math.max(...windows) * 3, 60);
    await checkAll(store, spec, events, ['u0', 'u1', 'u2'], times);
  }
});

test('live reads while the job runs: complete and exact near the job clock', async () => {
  const spec = makeSpec([HOUR, DAY, 7 * DAY], [MIN, HOUR, DAY]);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  const r = rng(99);
  const events = randomEvents(r, 2000, 4, T0, 9 * DAY);
  const users = ['u0', 'u1', 'u2', 'u3'];
  for (let i = 0; i < events.length; i += 100) {
    const seen = events.slice(0, i + 100);
    await feed(op, events.slice(i, i + 100), 100);
    const newest = Math.max(...seen.map((e) => e.ts));
    // Reads from the newest event up to an hour ahead of it (wall clock running ahead of the stream).
    for (let k = 0; k < 4; k++) {
      const t = newest + Math.floor(r() * HOUR);
      const a = await readFeatures(store, spec.table, users, t, { spec });
      assert.deepEqual(a.incomplete, []);
      assert.ok(a.watermark !== null && a.lagMs !== null && a.lagMs >= 5000);
      for (let u = 0; u < users.length; u++) assert.deepEqual(a.results[u]!.values, oracle(spec, seen, users[u]!, t), `live user ${users[u]} t=${t}`);
    }
  }
  // Operator state stays bounded by the longest tail window (7 d of minute and hour tiles), not the history.
  const s = op.stats();
  assert.ok(s.tiles > 0);
});

test('values decay to 0 / NULL after events stop, without any new event', async () => {
  const spec = makeSpec([HOUR, DAY], [MIN, HOUR]);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  const events: Ev[] = [
    { user: 'a', amount: 5, ts: T0, item: 'x', big: true },
    { user: 'a', amount: 7, ts: T0 + 10 * MIN, item: 'y', big: false },
  ];
  await feed(op, events);
  await finish(op);
  const at = async (t: number): Promise<Record<string, unknown>> => (await readFeatures(store, 'feats', ['a'], t, { spec })).results[0]!.values;
  assert.equal((await at(T0 + 10 * MIN))['cnt_1h'], 2);
  // Exact window (t - 1h, t]: the first event leaves it exactly one hour after it happened, at any millisecond.
  assert.equal((await at(T0 + HOUR - 1))['cnt_1h'], 2);
  assert.equal((await at(T0 + HOUR))['cnt_1h'], 1);
  // ... and counts from its own millisecond on, not from its slice start.
  assert.equal((await at(T0 - 1))['cnt_1h'], 0);
  assert.equal((await at(T0))['cnt_1h'], 1);
  const later = await at(T0 + 10 * MIN + HOUR);
  assert.equal(later['cnt_1h'], 0);
  assert.equal(later['sum_1h'], null);
  assert.equal(later['max_1h'], null);
  assert.equal(later['cnt_1d'], 2);
  assert.equal(later['sum_1d'], 12);
  const gone = await readFeatures(store, 'feats', ['a'], T0 + 10 * MIN + DAY, { spec });
  assert.equal(gone.results[0]!.values['cnt_1d'], 0);
  assert.equal(gone.results[0]!.found, false);
  assert.equal(gone.results[0]!.lastEventTime, null);
});

test('exact read plans partition the complete slices of (t - w, t], with the edge slice in the level-0 range', () => {
  const specs = [makeSpec([HOUR], [MIN]), makeSpec([HOUR], [MIN, HOUR]), makeSpec([DAY], [MIN, HOUR]), makeSpec([7 * DAY], [MIN, HOUR, DAY]),
    makeSpec([HOUR, DAY, 7 * DAY, 90 * MIN, 36 * HOUR], [MIN, HOUR, DAY])];
  const r = rng(11);
  for (const spec of specs) {
    const g0 = spec.granularities[0]!;
    for (let n = 0; n < 400; n++) {
      let t = T0 + Math.floor(r() * 30 * DAY);
      if (n % 4 === 0) t = Math.floor(t / DAY) * DAY - (n % 8 === 0 ? 1 : 0);
      if (n % 4 === 1) t = Math.floor(t / HOUR) * HOUR + (n % 8 === 1 ? g0 - 1 : 0);
      const p = planReadExact(spec, t);
      const x = Math.floor(t / g0) * g0;
      assert.equal(p.edge, x);
      assert.ok(p.ranges[0]!.from <= x && x + g0 <= p.ranges[0]!.to, 'the edge position is read');
      for (const wp of p.windows) {
        const covered: [number, number][] = [];
        wp.head.forEach((h) => { if (h.to > h.from) covered.push([h.from, h.to]); });
        wp.tail.forEach((tl) => { if (tl.to > tl.from) covered.push([tl.from - wp.windowMs, tl.to - wp.windowMs]); });
        covered.sort((a, b) => a[0] - b[0]);
        let at = x + g0 - wp.windowMs;
        for (const [f, to] of covered) { assert.equal(f, at, 'pieces are adjacent'); at = to; }
        assert.equal(at, x, 'pieces end at the start of t\'s slice');
        wp.head.forEach((h, i) => { if (h.to > h.from) assert.ok(p.ranges[i]!.from <= h.from && h.to <= p.ranges[i]!.to); });
        wp.tail.forEach((tl, i) => { if (tl.to > tl.from) assert.ok(p.ranges[i]!.from <= tl.from && tl.to <= p.ranges[i]!.to); });
      }
      assert.ok(p.ranges.filter(Boolean).length <= 3);
    }
  }
});

test('slice-precision layouts (tile.exact = false) still serve [E - w, E)', async () => {
  const spec = makeSpec([HOUR, DAY], [MIN, HOUR], 365 * DAY, 'over', false);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  const r = rng(5);
  const events = randomEvents(r, 500, 3, T0, 3 * DAY);
  await feed(op, events);
  await finish(op);
  const times = readTimes(r, events, spec, T0, T0 + 4 * DAY, 40);
  await checkAll(store, spec, events, ['u0', 'u1', 'u2'], times);
  const a = await readFeatures(store, spec.table, ['u0'], T0 + DAY, { spec });
  assert.equal(a.precisionMs, MIN);
});

test('hot keys: edge entries beyond tile.edge-entries fall back to buckets, flagged by precisionMs', async () => {
  const spec = makeSpec([HOUR], [MIN], 365 * DAY, 'over', true, 8);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  // 40 events in one minute (40 distinct times), then quiet.
  const base = Math.floor(T0 / MIN) * MIN;
  const events: Ev[] = [];
  for (let i = 0; i < 40; i++) events.push({ user: 'hot', amount: i, ts: base + i * 1000 + 7, item: `i${i % 3}`, big: i % 2 === 0 });
  await feed(op, events);
  await finish(op);
  // Slice ends and whole-slice reads stay exact.
  for (const t of [base + MIN - 1, base + HOUR - 1 + MIN, base + 30 * MIN]) {
    const a = await readFeatures(store, spec.table, ['hot'], t, { spec });
    assert.deepEqual(a.results[0]!.values, oracle(spec, events, 'hot', t));
  }
  const mid = await readFeatures(store, spec.table, ['hot'], base + 20_500, { spec });
  assert.ok(mid.precisionMs > 1 && mid.precisionMs <= 8192, `bucketed precision ${mid.precisionMs}`);
  const n = mid.results[0]!.values['cnt_1h'] as number;
  const exact = oracle(spec, events, 'hot', base + 20_500)['cnt_1h'] as number;
  assert.ok(Math.abs(n - exact) <= Math.ceil(mid.precisionMs / 1000) + 1, `count ${n} within a bucket of ${exact}`);
});
