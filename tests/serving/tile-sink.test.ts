/**
 * The tile writer: replays after a crash are idempotent (same versions, same values; the store ignores the re-writes
 * and ends identical to an uninterrupted run), versions never go backwards, late and pre-boundary rows are dropped and
 * counted, state is evicted, old tiles are expired, and the reader's freshness flags (stale, expired, no-progress).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowKind } from '../../src/common/row.js';
import { readFeatures } from '../../src/serving/read-features.js';
import type { TileSinkOperator } from '../../src/engine/operators/tile-sink-operator.js';
import { MemoryKvStore } from './memory-store.js';
import { DAY, HOUR, MIN, feed, finish, makeOperator, makeSpec, oracle, randomEvents, rng, rowOf, type Ev } from './helpers.js';

const T0 = Date.UTC(2024, 4, 1, 7, 13, 21, 417);

function checkpoint(op: TileSinkOperator): { base: { inputs: number[]; current: number }; state: unknown } {
  return structuredClone({ base: op.snapshotBase(), state: op.snapshot() });
}

test('replay after a crash is idempotent: the store ends identical to an uninterrupted run', async () => {
  const spec = makeSpec([HOUR, DAY, 7 * DAY], [MIN, HOUR, DAY]);
  const events = randomEvents(rng(5), 1200, 5, T0, 9 * DAY);
  const cut = 500, crash = 900;

  const clean = new MemoryKvStore();
  const a = makeOperator(spec, clean);
  await feed(a, events.slice(0, cut));
  await feed(a, events.slice(cut));
  await finish(a);

  const crashed = new MemoryKvStore();
  const b = makeOperator(spec, crashed);
  await feed(b, events.slice(0, cut));
  const cp = checkpoint(b);
  // Work after the checkpoint reaches the store, then the process dies.
  await feed(b, events.slice(cut, crash));
  const c = makeOperator(spec, crashed);
  c.restoreBase(cp.base);
  c.restore(cp.state);
  const rejectedBefore = crashed.rejected;
  await feed(c, events.slice(cut));
  await finish(c);
  assert.ok(crashed.rejected > rejectedBefore, 're-written tiles were ignored as not newer');
  assert.deepEqual(crashed.dump(), clean.dump());

  // Writing everything again with the same versions changes nothing.
  const d = makeOperator(spec, crashed);
  const applied = crashed.applied;
  await feed(d, events);
  await finish(d);
  assert.equal(crashed.applied, applied, 'a full replay with the same versions applies no write');
  assert.deepEqual(crashed.dump(), clean.dump());
});

test('versions of a position only grow, and a lower-versioned (older) value never replaces a newer one', async () => {
  const spec = makeSpec([HOUR], [MIN]);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  const seen = new Map<string, number>();
  const events = randomEvents(rng(11), 400, 2, T0, 3 * HOUR);
  for (let i = 0; i < events.length; i += 20) {
    await feed(op, events.slice(i, i + 20), 20);
    for (const line of store.dump()) {
      const [rec, start, version] = line.split(' ');
      const id = `${rec} ${start}`;
      const v = Number(version);
      assert.ok(v >= (seen.get(id) ?? 0), `version of ${id} went back`);
      seen.set(id, v);
    }
  }
  // An old-versioned write of a tile is rejected.
  const [rec, start] = store.dump()[0]!.split(' ');
  const key = rec!.split('/')[1]!;
  const before = store.dump();
  await store.writeTiles('feats', [{ key, granularityMs: MIN, start: Number(start), value: '{"h":{}}', version: 1 }]);
  assert.deepEqual(store.dump(), before);
});

test('late rows, rows before the offline boundary, NULL keys and updates are dropped and reported', async () => {
  const spec = makeSpec([HOUR], [MIN]);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store, { boundary: T0 });
  const ev = (ts: number, user = 'a'): Ev => ({ user, amount: 1, ts, item: 'x', big: false });
  op.process({ rows: [rowOf(ev(T0 + 10_000)), rowOf(ev(T0 - 1))], kinds: [RowKind.Insert, RowKind.Insert] }, 0);
  op.watermark(T0 + 10_000, 0);
  op.process({ rows: [rowOf(ev(T0 + 10_000)), rowOf(ev(T0 + 20_000)), [null, 1, T0 + 30_000, 'x', false], rowOf(ev(T0 + 40_000))],
    kinds: [RowKind.Insert, RowKind.Insert, RowKind.Insert, RowKind.UpdateAfter] }, 0);
  await op.flushAsync();
  const ctx = op.ctx as unknown as { bad: string[]; metrics: { get(n: string): number } };
  assert.equal(ctx.metrics.get('lateRowsDropped'), 1);
  assert.equal(ctx.metrics.get('rowsBeforeTileBoundary'), 1);
  assert.deepEqual(ctx.bad.sort(), ['entity key is NULL', 'tiled features require an append-only input']);
  const a = await readFeatures(store, 'feats', ['a'], T0 + 30_000, { spec });
  assert.equal(a.results[0]!.values['cnt_1h'], 2);
  assert.deepEqual(a.incomplete, ['before-boundary']);
});

test('state is evicted after the longest tail window, old tiles expire, and reads report expired and stale answers', async () => {
  const spec = makeSpec([HOUR, DAY], [MIN, HOUR], HOUR);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  const events = randomEvents(rng(3), 3000, 50, T0, 6 * DAY);
  await feed(op, events, 100);
  const s = op.stats();
  // Minute tiles are kept for the 24 h tail copies; nothing older than ~25 h of data is held.
  const newest = events[events.length - 1]!.ts;
  const recent = new Set(events.filter((e) => e.ts > newest - DAY - 2 * HOUR).map((e) => `${e.user} ${Math.floor(e.ts / MIN)}`)).size;
  assert.ok(s.tiles <= recent * 1.2 + 200, `tiles held ${s.tiles}, recent minute slices ${recent}`);
  assert.ok(store.calls.expireTiles > 0);
  // Minute records hold about the current and next hour (plus the retention), not the whole history.
  let maxMinuteCells = 0;
  for (let u = 0; u < 50; u++) maxMinuteCells = Math.max(maxMinuteCells, store.record_('feats', `u${u}`, MIN).size);
  assert.ok(maxMinuteCells < 5 * 60, `minute record size ${maxMinuteCells}`);

  const fresh = await readFeatures(store, 'feats', ['u1'], newest, { spec });
  assert.deepEqual(fresh.incomplete, []);
  assert.equal(fresh.stale, false);
  assert.deepEqual(fresh.results[0]!.values, oracle(spec, events, 'u1', newest));
  const old = await readFeatures(store, 'feats', ['u1'], newest - 3 * DAY, { spec });
  assert.ok(old.incomplete.includes('expired'));
  const ahead = await readFeatures(store, 'feats', ['u1'], newest + 3 * HOUR, { spec, staleAfterMs: HOUR });
  assert.equal(ahead.stale, true);
  assert.ok(ahead.incomplete.includes('tails-pending'));
  assert.ok(ahead.lagMs! > 3 * HOUR);
});

test('a table nobody has flushed: the layout is unknown (SERVE001); no progress is flagged', async () => {
  const store = new MemoryKvStore();
  await assert.rejects(readFeatures(store, 'missing', ['a'], T0), (e: Error & { diagnostics?: { code: string }[] }) => e.diagnostics?.[0]?.code === 'SERVE001');
  const spec = makeSpec([HOUR], [MIN]);
  const a = await readFeatures(store, 'feats', ['a'], T0, { spec });
  assert.deepEqual(a.incomplete, ['no-progress']);
  assert.equal(a.results[0]!.found, false);
  assert.equal(a.results[0]!.values['cnt_1h'], 0);
  assert.equal(a.watermark, null);
});

test('the layout is written to the store meta, so a reader needs only the table name', async () => {
  const spec = makeSpec([DAY], [MIN, HOUR]);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  const events = randomEvents(rng(8), 200, 2, T0, 2 * DAY);
  await feed(op, events);
  await finish(op);
  const t = T0 + DAY + 17 * MIN;
  const a = await readFeatures(store, 'feats', ['u0', 'u1'], t);
  assert.deepEqual(a.results.map((r) => r.values), ['u0', 'u1'].map((u) => oracle(spec, events, u, t)));
});
