/**
 * Bulk loads (offline builds): the tile sink's bulk mode writes each position once, when final, and ends with the same
 * (version, value) per position as the default mode; the embedded store's unconditional bulk write; the LayerStore
 * choosing it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RowKind } from '../../src/common/row.js';
import type { KvStore, StoredValue, TileRead, TileWrite } from '../../src/engine/kv-store-api.js';
import type { TileSinkOperator, TileSinkOptions } from '../../src/engine/operators/tile-sink-operator.js';
import type { TileSinkSpec } from '../../src/plan/rules/tile-features.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { LayerStore } from '../../src/batch/layer-store.js';
import { redisSkipReason, testRedisStore } from '../stores/store-helpers.js';
import { DAY, HOUR, MIN, makeOperator, makeSpec, randomEvents, rng, rowOf, type Ev } from '../serving/helpers.js';

const T0 = Date.UTC(2024, 4, 1, 7, 13, 21, 417);
// Probed before any test is declared (the tests start running at the first declaration and would starve the probe).
const redisSkip = await redisSkipReason();

/** Keeps the last write per position and counts writes per position; no expiry (like the offline layer). */
class LastWriteStore implements KvStore {
  readonly kind = 'last-write';
  readonly cells = new Map<string, string>();
  readonly writes = new Map<string, number>();
  constructor(readonly bulkLoad = false) {}
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  async multiGet(_t: string, keys: readonly string[]): Promise<(StoredValue | null)[]> { return keys.map(() => null); }
  async multiPut(): Promise<number> { return 0; }
  async writeTiles(_t: string, writes: readonly TileWrite[]): Promise<number> {
    for (const w of writes) {
      const id = `${w.key} ${w.granularityMs} ${w.start}`;
      this.cells.set(id, `${w.version} ${w.value}`);
      this.writes.set(id, (this.writes.get(id) ?? 0) + 1);
    }
    return writes.length;
  }
  async readTiles(_t: string, r: readonly TileRead[]): Promise<Map<number, string>[]> { return r.map(() => new Map()); }
  async getMeta(): Promise<string | null> { return null; }
  async putMeta(): Promise<void> {}
}

async function run(spec: TileSinkSpec, events: Ev[], o: { batch: number; delay: number; opts?: TileSinkOptions; bulkStore?: boolean; crashAt?: number }): Promise<LastWriteStore> {
  const store = new LastWriteStore(o.bulkStore ?? false);
  let op: TileSinkOperator = makeOperator(spec, store, o.opts);
  let max = -Infinity;
  const drive = async (evs: Ev[]): Promise<void> => {
    for (let i = 0; i < evs.length; i += o.batch) {
      const part = evs.slice(i, i + o.batch);
      op.process({ rows: part.map(rowOf), kinds: part.map(() => RowKind.Insert) }, 0);
      for (const e of part) if (e.ts > max) max = e.ts;
      op.watermark(max - o.delay, 0);
      await op.flushAsync();
    }
  };
  if (o.crashAt === undefined) {
    await drive(events);
  } else {
    await drive(events.slice(0, o.crashAt));
    const cp = structuredClone({ base: op.snapshotBase(), state: op.snapshot(), max });
    await drive(events.slice(o.crashAt, o.crashAt + 300));
    op = makeOperator(spec, store, o.opts);
    op.restoreBase(cp.base);
    op.restore(cp.state);
    max = cp.max;
    await drive(events.slice(o.crashAt));
  }
  op.watermark(Infinity, 0);
  op.finish();
  await op.flushAsync();
  return store;
}

function eventsOf(seed: number, n: number, users: number, span: number): Ev[] {
  const r = rng(seed);
  const evs = randomEvents(r, n, users, T0, span);
  for (let i = 1; i < evs.length; i++) if (r() < 0.15) evs[i] = { ...evs[i]!, ts: evs[i - 1]!.ts };
  return evs;
}

const CASES: [string, TileSinkSpec, Ev[], number][] = [
  ['exact, 1 h window, minute tiles', makeSpec([HOUR], [MIN]), eventsOf(11, 3000, 20, 6 * HOUR), 5_000],
  ['exact, 10 min / 1 h / 1 d windows, minute and hour tiles, bucketed edges, late rows',
    makeSpec([10 * MIN, HOUR, DAY], [MIN, HOUR], 365 * DAY, 'over', true, 3), eventsOf(12, 3000, 15, 3 * DAY), 1_000],
  ['slice precision (HOP), 1 h / 1 d windows, three levels', makeSpec([HOUR, DAY], [MIN, HOUR, DAY], 365 * DAY, 'hop'), eventsOf(13, 3000, 10, 4 * DAY), 5_000],
];

for (const [name, spec, events, delay] of CASES) {
  test(`bulk mode ends with the default mode's store contents, each position written once: ${name}`, async () => {
    for (const [batch, flushRows] of [[50, 0], [37, 400], [500, 100_000]] as const) {
      // Same batches (the watermark, hence which rows are late, moves per batch); the default mode flushes per batch.
      const want = await run(spec, events, { batch, delay });
      assert.ok(want.cells.size > 100);
      assert.ok([...want.writes.values()].some((n) => n > 1), 'the default mode rewrites positions');
      // The bulk flag comes from the store (an offline build's LayerStore) or from the option.
      for (const how of ['store', 'option'] as const) {
        const got = await run(spec, events, {
          batch, delay, bulkStore: how === 'store', opts: { ...(how === 'option' ? { bulk: true } : {}), ...(flushRows > 0 ? { flushRows } : {}) },
        });
        assert.deepEqual([...got.cells].sort(), [...want.cells].sort(), `batch ${batch}, flushRows ${flushRows}, bulk by ${how}`);
        assert.deepEqual([...new Set(got.writes.values())], [1], 'each position written once');
      }
    }
  });
}

test('bulk mode: a restore from a checkpoint taken mid-run ends with the same contents', async () => {
  const [, spec, events, delay] = CASES[1]!;
  const want = await run(spec, events, { batch: 50, delay });
  const got = await run(spec, events, { batch: 50, delay, opts: { bulk: true }, crashAt: 1300 });
  assert.deepEqual([...got.cells].sort(), [...want.cells].sort());
});

for (const kind of ['embedded', 'redis'] as const) {
  test(`${kind} store: unconditional bulk writes, no version check; LayerStore uses them`, { skip: kind === 'redis' ? redisSkip : false }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freshet-bulk-'));
    const store = kind === 'embedded' ? new EmbeddedKvStore({ path: join(dir, 'kv') }) : testRedisStore();
    await store.open();
    const t = `bulk-test-${process.pid}-${Date.now()}`;
    try {
      await bulkWriteChecks(store, t);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function bulkWriteChecks(store: EmbeddedKvStore | ReturnType<typeof testRedisStore>, t: string): Promise<void> {
  const writes: TileWrite[] = [];
  for (let i = 0; i < 300; i++) {
    const g = i % 2 === 0 ? MIN : HOUR;
    writes.push({ key: `k${(i * 7) % 13}`, granularityMs: g, start: ((i * 37) % 101) * g, value: `{"n":${i}}`, version: i + 1 });
  }
  const unique = new Map(writes.map((w) => [`${w.key} ${w.granularityMs} ${w.start}`, w]));
  assert.equal(await store.writeTilesUnconditional(t, writes), writes.length);
  for (const w of unique.values()) {
    const [m] = await store.readTiles(t, [{ key: w.key, granularityMs: w.granularityMs, from: w.start, to: w.start + 1 }]);
    assert.equal(m!.get(w.start), w.value);
  }
  // No version check: an older version replaces a newer one (the caller guarantees this never happens).
  await store.writeTilesUnconditional(t, [{ key: 'k0', granularityMs: MIN, start: 0, value: '{"old":1}', version: 0 }]);
  assert.equal((await store.readTiles(t, [{ key: 'k0', granularityMs: MIN, from: 0, to: 1 }]))[0]!.get(0), '{"old":1}');
  // The versioned write refuses what is not newer; the layer adds its version base and writes unconditionally.
  assert.equal(await store.writeTiles(t, [{ key: 'k0', granularityMs: MIN, start: 0, value: '{"x":1}', version: 0 }]), 0);
  const layer = new LayerStore(store, 2 ** 40, { unconditional: true });
  assert.equal(layer.bulkLoad, true);
  await layer.writeTiles(t, [{ key: 'k0', granularityMs: MIN, start: 0, value: '{"layer":1}', version: 5 }]);
  await layer.writeTiles(t, [{ key: 'k0', granularityMs: MIN, start: 0, value: '{"layer":0}', version: 4 }]);
  assert.equal((await store.readTiles(t, [{ key: 'k0', granularityMs: MIN, from: 0, to: 1 }]))[0]!.get(0), '{"layer":0}');
  // Versions carry the base: a versioned write below it is refused.
  assert.equal(await store.writeTiles(t, [{ key: 'k0', granularityMs: MIN, start: 0, value: '{"x":2}', version: 2 ** 40 }]), 0);
  assert.equal(await store.writeTiles(t, [{ key: 'k0', granularityMs: MIN, start: 0, value: '{"x":3}', version: 2 ** 40 + 5 }]), 1);
}
