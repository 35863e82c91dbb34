/**
 * The embedded store's tile read cache (tile-read-cache.ts) against the store itself: a writer store and a caching
 * reader over the same LMDB environment (as a job and `freshet serve` are), random writes, removals, expiries and bulk
 * loads between random range reads; every cached answer must equal an uncached reader's. Also: the texts handed out
 * for unchanged tiles are the cached instances, and keys without a stamp are read through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { TileReadCache } from '../../src/connectors/stores/tile-read-cache.js';
import type { TileRead, TileWrite } from '../../src/engine/kv-store-api.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** lmdb-js keeps a reader's snapshot until a timer after its first read: let every reader take a new one. */
const nextSnapshot = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2));

async function withStores(cacheTiles: number, f: (w: EmbeddedKvStore, cached: EmbeddedKvStore, plain: EmbeddedKvStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'freshet-trc-'));
  const w = new EmbeddedKvStore({ path: dir });
  const cached = new EmbeddedKvStore({ path: dir, tileReadCache: cacheTiles });
  const plain = new EmbeddedKvStore({ path: dir });
  await w.open(); await cached.open(); await plain.open();
  try {
    await f(w, cached, plain, dir);
  } finally {
    await cached.close(); await plain.close(); await w.close();
    await rm(dir, { recursive: true, force: true });
  }
}

for (const cacheTiles of [4, 100_000]) {
  test(`cached reads equal uncached reads under random writes (cache of ${cacheTiles} tiles)`, async () => {
    await withStores(cacheTiles, async (w, cached, plain) => {
      const r = rng(cacheTiles);
      const G = [60_000, 3_600_000];
      const keys = ['a', 'b', 'c|1', 'ключ'];
      const versions = new Map<string, number>();
      const tb = 'feats';
      for (let step = 0; step < 600; step++) {
        const op = r();
        if (op < 0.35) {
          const writes: TileWrite[] = [];
          for (let n = 1 + Math.floor(r() * 6); n > 0; n--) {
            const key = keys[Math.floor(r() * keys.length)]!, g = G[Math.floor(r() * G.length)]!, start = Math.floor(r() * 30) * g;
            const id = `${key}/${g}/${start}`;
            const v = (versions.get(id) ?? 0) + (r() < 0.1 ? 0 : 1); // some writes are stale (ignored)
            versions.set(id, v);
            writes.push({ key, granularityMs: g, start, version: v, value: r() < 0.1 ? null : JSON.stringify({ step, n }) });
          }
          if (r() < 0.15) {
            // A bulk load writes versions above any stored (the method's contract).
            for (const x of writes) { x.version += 1000; versions.set(`${x.key}/${x.granularityMs}/${x.start}`, x.version); }
            await w.writeTilesUnconditional(tb, writes);
          } else {
            await w.writeTiles(tb, writes);
          }
        } else if (op < 0.4) {
          const g = G[Math.floor(r() * G.length)]!;
          await w.expireTiles(tb, keys[Math.floor(r() * keys.length)]!, g, Math.floor(r() * 10) * g);
        } else {
          const reads: TileRead[] = [];
          for (let n = 1 + Math.floor(r() * 4); n > 0; n--) {
            const g = G[Math.floor(r() * G.length)]!;
            const from = Math.floor(r() * 34 - 2) * g + (r() < 0.2 ? 17 : 0);
            reads.push({ key: keys[Math.floor(r() * keys.length)]!, granularityMs: g, from, to: from + Math.floor(r() * 12) * g });
          }
          await nextSnapshot();
          const [got, want] = await Promise.all([cached.readTiles(tb, reads), plain.readTiles(tb, reads)]);
          for (let i = 0; i < reads.length; i++) assert.deepEqual([...got[i]!], [...want[i]!], `step ${step}, read ${JSON.stringify(reads[i])}`);
        }
      }
    });
  });
}

test('unchanged tiles come back as the same string instances; a write invalidates only its key', async () => {
  await withStores(1000, async (w, cached) => {
    const g = 60_000;
    await w.writeTiles('t', [
      { key: 'a', granularityMs: g, start: 0, version: 1, value: '{"h":{"c0":1}}' },
      { key: 'b', granularityMs: g, start: 0, version: 1, value: '{"h":{"c0":2}}' },
    ]);
    const read = (): Promise<Map<number, string>[]> => cached.readTiles('t', [
      { key: 'a', granularityMs: g, from: 0, to: 10 * g }, { key: 'b', granularityMs: g, from: 0, to: 10 * g },
    ]);
    const [a1, b1] = await read();
    const [a2, b2] = await read();
    assert.ok(Object.is(a1!.get(0), a2!.get(0)) && Object.is(b1!.get(0), b2!.get(0)));
    await w.writeTiles('t', [{ key: 'a', granularityMs: g, start: g, version: 1, value: '{"h":{"c0":3}}' }]);
    await nextSnapshot();
    const [a3, b3] = await read();
    assert.deepEqual([...a3!], [[0, '{"h":{"c0":1}}'], [g, '{"h":{"c0":3}}']]);
    assert.ok(Object.is(b3!.get(0), b1!.get(0)), 'the other key is still served from the cache');
    // A narrower read inside the covered interval is served from the cache too.
    const [inner] = await cached.readTiles('t', [{ key: 'a', granularityMs: g, from: g, to: 2 * g }]);
    assert.ok(Object.is(inner!.get(g), a3!.get(g)));
  });
});

test('keys without a stamp (written before stamps existed) are read through, never cached', async () => {
  await withStores(1000, async (_w, cached, _plain, dir) => {
    // Write a tile record directly, as a store without stamps did.
    const root = open({ path: dir, maxDbs: 8 });
    const tiles = root.openDB<[number, string | null], (string | number)[]>({ name: 'tiles' });
    await tiles.put(['t', 'old', 1000, 0], [1, '"v1"']);
    await nextSnapshot();
    const [x] = await cached.readTiles('t', [{ key: 'old', granularityMs: 1000, from: 0, to: 5000 }]);
    assert.deepEqual([...x!], [[0, '"v1"']]);
    await tiles.put(['t', 'old', 1000, 0], [2, '"v2"']);
    await nextSnapshot();
    const [y] = await cached.readTiles('t', [{ key: 'old', granularityMs: 1000, from: 0, to: 5000 }]);
    assert.deepEqual([...y!], [[0, '"v2"']]);
    await root.close();
  });
});

test('the cache merges overlapping intervals, replaces disjoint ones and starts over when full', () => {
  const c = new TileReadCache(5);
  const e = c.entry('t', 'k', 1);
  c.fill(e, 10, 0, 30, new Map([[0, 'a'], [20, 'c']]));
  c.fill(e, 10, 30, 60, new Map([[40, 'e']]));
  assert.deepEqual([...c.lookup(e, 10, 0, 60)!], [[0, 'a'], [20, 'c'], [40, 'e']]);
  assert.equal(c.lookup(e, 10, 0, 70), undefined, 'beyond the covered interval');
  c.fill(e, 10, 100, 110, new Map([[100, 'x']]));
  assert.equal(c.lookup(e, 10, 0, 10), undefined, 'a disjoint read replaced the interval');
  assert.equal(c.size, 1);
  assert.equal(c.entry('t', 'k', 2).levels.size, 0, 'a new stamp empties the entry');
  assert.equal(c.size, 0);
  const f = c.entry('t', 'k2', 1);
  c.fill(f, 10, 0, 100, new Map([[0, '1'], [10, '2'], [20, '3'], [30, '4'], [40, '5']]));
  assert.equal(c.size, 5);
  c.entry('t', 'k3', 1);
  assert.equal(c.size, 0, 'full: started over');
});
