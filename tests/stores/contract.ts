// The KvStore contract every online store passes (embedded LMDB, Redis, Aerospike): rows, versions and tombstones,
// batching, tiles, meta, racing writers, and (where the store persists locally) reopen persistence. Each test works
// in a table name of its own, so a shared server needs no cleanup between tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KvStore } from '../../src/engine/kv-store-api.js';

export interface StoreFixture {
  /** A new open store. */
  open(): Promise<KvStore>;
  /** A second store over the same data (after the first was closed), for persistence; omit when not applicable. */
  reopen?(): Promise<KvStore>;
  /** Removes what the fixture created (after close). */
  cleanup?(): Promise<void>;
}

export interface ContractOptions {
  /** A reason to skip every test (no server). */
  skip?: string | false;
  /** The store keeps its data across close/open (runs the reopen test with fixture.reopen). */
  persistent?: boolean;
}

let seq = 0;
const freshTable = (base: string): string => `t${process.pid}_${Date.now().toString(36)}_${seq++}_${base}`;

async function withStore(fixture: () => Promise<StoreFixture>, f: (s: KvStore, fx: StoreFixture) => Promise<void>): Promise<void> {
  const fx = await fixture();
  const s = await fx.open();
  try {
    await f(s, fx);
  } finally {
    await s.close();
    await fx.cleanup?.();
  }
}

const vals = (rows: ({ value: string; version: number } | null)[]): (string | null)[] => rows.map((r) => r?.value ?? null);

export function kvStoreContract(name: string, fixture: () => Promise<StoreFixture>, opts: ContractOptions = {}): void {
  const t = (title: string, f: (s: KvStore, fx: StoreFixture) => Promise<void>): void => {
    test(`${name}: ${title}`, opts.skip ? { skip: opts.skip } : {}, () => withStore(fixture, f));
  };

  t('put and get, absent keys are null, results in key order', async (s) => {
    const tb = freshTable('put');
    assert.equal(await s.multiPut(tb, [{ key: 'a', value: '{"x":1}', version: 1 }, { key: 'b', value: '{"x":2}', version: 1 }]), 2);
    const got = await s.multiGet(tb, ['b', 'zz', 'a']);
    assert.deepEqual(vals(got), ['{"x":2}', null, '{"x":1}']);
    assert.equal(got[0]!.version, 1);
    assert.equal(typeof got[0]!.writtenAt, 'number');
    assert.ok(Math.abs(got[0]!.writtenAt! - Date.now()) < 60_000, 'writtenAt is a recent epoch ms');
    assert.deepEqual(await s.multiGet(tb, []), []);
    // Another table with the same key is separate.
    assert.deepEqual(vals(await s.multiGet(freshTable('other'), ['a'])), [null]);
  });

  t('versions: older or equal ignored, newer applied', async (s) => {
    const tb = freshTable('ver');
    await s.multiPut(tb, [{ key: 'k', value: '"v5"', version: 5 }]);
    assert.equal(await s.multiPut(tb, [{ key: 'k', value: '"v4"', version: 4 }]), 0);
    assert.equal(await s.multiPut(tb, [{ key: 'k', value: '"v5b"', version: 5 }]), 0);
    assert.deepEqual(vals(await s.multiGet(tb, ['k'])), ['"v5"']);
    assert.equal(await s.multiPut(tb, [{ key: 'k', value: '"v6"', version: 6 }]), 1);
    const [r] = await s.multiGet(tb, ['k']);
    assert.equal(r!.value, '"v6"');
    assert.equal(r!.version, 6);
    // Large versions (generation * 2^32 + counter) compare exactly.
    const big = 2 ** 52 + 3;
    assert.equal(await s.multiPut(tb, [{ key: 'k', value: '"big"', version: big }]), 1);
    assert.equal(await s.multiPut(tb, [{ key: 'k', value: '"big-1"', version: big - 1 }]), 0);
    assert.equal((await s.multiGet(tb, ['k']))[0]!.version, big);
  });

  t('tombstones carry versions; an older write after a tombstone is ignored', async (s) => {
    const tb = freshTable('tomb');
    await s.multiPut(tb, [{ key: 'k', value: '1', version: 1 }, { key: 'j', value: '1', version: 1 }]);
    assert.equal(await s.multiPut(tb, [{ key: 'k', value: null, version: 3 }]), 1);
    assert.deepEqual(vals(await s.multiGet(tb, ['k', 'j'])), [null, '1']);
    // A replayed older put (version 2) must not resurrect the row.
    assert.equal(await s.multiPut(tb, [{ key: 'k', value: '2', version: 2 }]), 0);
    assert.equal(await s.multiPut(tb, [{ key: 'k', value: null, version: 3 }]), 0);
    assert.deepEqual(vals(await s.multiGet(tb, ['k'])), [null]);
    assert.equal(await s.multiPut(tb, [{ key: 'k', value: '4', version: 4 }]), 1);
    assert.deepEqual(vals(await s.multiGet(tb, ['k'])), ['4']);
    // A tombstone of a key never written is stored too (its version still guards later replays).
    assert.equal(await s.multiPut(tb, [{ key: 'new', value: null, version: 7 }]), 1);
    assert.equal(await s.multiPut(tb, [{ key: 'new', value: 'x', version: 6 }]), 0);
    assert.deepEqual(vals(await s.multiGet(tb, ['new'])), [null]);
  });

  t('batching: 2500 writes in one call, mixed applied and stale, same key twice in a batch', async (s) => {
    const tb = freshTable('batch');
    const writes = Array.from({ length: 2500 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i }), version: 10 }));
    assert.equal(await s.multiPut(tb, writes), 2500);
    const mixed = writes.map((w, i) => ({ ...w, value: JSON.stringify({ i, b: 2 }), version: i % 2 === 0 ? 11 : 9 }));
    assert.equal(await s.multiPut(tb, mixed), 1250);
    const got = await s.multiGet(tb, writes.map((w) => w.key));
    assert.equal(got.length, 2500);
    for (let i = 0; i < 2500; i++) {
      assert.equal(got[i]!.value, JSON.stringify(i % 2 === 0 ? { i, b: 2 } : { i }));
      assert.equal(got[i]!.version, i % 2 === 0 ? 11 : 10);
    }
    // The same key twice in one batch: applied in order, so the higher version wins either way round.
    await s.multiPut(tb, [{ key: 'd', value: '"hi"', version: 20 }, { key: 'd', value: '"lo"', version: 19 }]);
    await s.multiPut(tb, [{ key: 'e', value: '"lo"', version: 19 }, { key: 'e', value: '"hi"', version: 20 }]);
    assert.deepEqual(vals(await s.multiGet(tb, ['d', 'e'])), ['"hi"', '"hi"']);
    // Keys with separators and non-ASCII text.
    await s.multiPut(tb, [{ key: 'a|b\\c:d', value: '"sep"', version: 1 }, { key: 'ключ ✓', value: '"utf"', version: 1 }]);
    assert.deepEqual(vals(await s.multiGet(tb, ['a|b\\c:d', 'ключ ✓'])), ['"sep"', '"utf"']);
  });

  t('tiles: write, read ranges, per-tile versions, removal, expire', async (s) => {
    const tb = freshTable('tiles');
    const g = 60_000;
    const w = (start: number, value: string | null, version: number, key = 'u1', gran = g) => ({ key, granularityMs: gran, start, value, version });
    assert.equal(await s.writeTiles(tb, [w(0, '[1]', 1), w(g, '[2]', 1), w(2 * g, '[3]', 1), w(3 * g, '[4]', 1), w(0, '[9]', 1, 'u2'), w(0, '[h]', 1, 'u1', 3_600_000)]), 6);
    const [all, mid, other, hour, none] = await s.readTiles(tb, [
      { key: 'u1', granularityMs: g, from: 0, to: 10 * g },
      { key: 'u1', granularityMs: g, from: g, to: 3 * g },
      { key: 'u2', granularityMs: g, from: 0, to: g },
      { key: 'u1', granularityMs: 3_600_000, from: 0, to: 3_600_000 },
      { key: 'nobody', granularityMs: g, from: 0, to: 10 * g },
    ]);
    assert.deepEqual([...all!], [[0, '[1]'], [g, '[2]'], [2 * g, '[3]'], [3 * g, '[4]']]);
    assert.deepEqual([...mid!], [[g, '[2]'], [2 * g, '[3]']], 'from inclusive, to exclusive');
    assert.deepEqual([...other!], [[0, '[9]']]);
    assert.deepEqual([...hour!], [[0, '[h]']]);
    assert.equal(none!.size, 0);
    // Bounds between tile starts, an empty range, and a range of many positions (stores may read it another way).
    const [unaligned, empty, wide] = await s.readTiles(tb, [
      { key: 'u1', granularityMs: g, from: g / 2, to: 2 * g + 1 },
      { key: 'u1', granularityMs: g, from: 2 * g, to: 2 * g },
      { key: 'u1', granularityMs: g, from: -10_000 * g, to: 10_000 * g },
    ]);
    assert.deepEqual([...unaligned!], [[g, '[2]'], [2 * g, '[3]']]);
    assert.equal(empty!.size, 0);
    assert.deepEqual([...wide!], [[0, '[1]'], [g, '[2]'], [2 * g, '[3]'], [3 * g, '[4]']]);
    // Versions per tile: a stale write to one tile does not block a newer one to another.
    assert.equal(await s.writeTiles(tb, [w(g, '[old]', 1), w(2 * g, '[3b]', 2), w(0, '[1b]', 5)]), 2);
    assert.equal(await s.writeTiles(tb, [w(0, '[1c]', 4)]), 0);
    // Removal keeps the version: a replayed older write does not bring the tile back.
    assert.equal(await s.writeTiles(tb, [w(3 * g, null, 2)]), 1);
    assert.equal(await s.writeTiles(tb, [w(3 * g, '[4]', 1)]), 0);
    const [after] = await s.readTiles(tb, [{ key: 'u1', granularityMs: g, from: 0, to: 10 * g }]);
    assert.deepEqual([...after!], [[0, '[1b]'], [g, '[2]'], [2 * g, '[3b]']]);
    if (s.expireTiles) {
      await s.expireTiles(tb, 'u1', g, 2 * g);
      const [kept, u2] = await s.readTiles(tb, [{ key: 'u1', granularityMs: g, from: 0, to: 10 * g }, { key: 'u2', granularityMs: g, from: 0, to: g }]);
      assert.deepEqual([...kept!], [[2 * g, '[3b]']]);
      assert.deepEqual([...u2!], [[0, '[9]']], 'expire touches only the given key');
    }
  });

  t('meta: put, overwrite, absent is null, per table', async (s) => {
    const tb = freshTable('meta');
    assert.equal(await s.getMeta(tb, 'schema'), null);
    await s.putMeta(tb, 'schema', '{"a":1}');
    await s.putMeta(tb, 'schema', '{"a":2}');
    await s.putMeta(tb, 'watermark', '123');
    assert.equal(await s.getMeta(tb, 'schema'), '{"a":2}');
    assert.equal(await s.getMeta(tb, 'watermark'), '123');
    assert.equal(await s.getMeta(freshTable('meta2'), 'schema'), null);
  });

  t('concurrency: two writers racing versions, the highest wins', async (s, fx) => {
    const tb = freshTable('race');
    const other = await fx.open();
    try {
      const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
      // Writer A writes even versions, B odd ones, each in rising order, interleaved without waiting.
      const runs: Promise<number>[] = [];
      for (let v = 1; v <= 40; v++) {
        const store = v % 2 === 0 ? s : other;
        runs.push(store.multiPut(tb, keys.map((k) => ({ key: k, value: JSON.stringify({ v }), version: v }))));
      }
      // And a late stale burst.
      runs.push(other.multiPut(tb, keys.map((k) => ({ key: k, value: '"stale"', version: 3 }))));
      await Promise.all(runs);
      for (const st of [s, other]) {
        const got = await st.multiGet(tb, keys);
        for (const r of got) {
          assert.equal(r!.version, 40);
          assert.equal(r!.value, '{"v":40}');
        }
      }
    } finally {
      await other.close();
    }
  });

  if (opts.persistent) {
    test(`${name}: reopen keeps rows, tombstones, tiles and meta`, opts.skip ? { skip: opts.skip } : {}, async () => {
      const fx = await fixture();
      assert.ok(fx.reopen, 'a persistent store fixture has reopen()');
      const tb = freshTable('reopen');
      const s = await fx.open();
      await s.multiPut(tb, [{ key: 'a', value: '"A"', version: 2 }, { key: 'b', value: null, version: 5 }]);
      await s.writeTiles(tb, [{ key: 'a', granularityMs: 1000, start: 0, value: '[1]', version: 1 }]);
      await s.putMeta(tb, 'm', 'x');
      await s.flush?.();
      await s.close();
      const s2 = await fx.reopen();
      try {
        assert.deepEqual(vals(await s2.multiGet(tb, ['a', 'b'])), ['"A"', null]);
        assert.equal(await s2.multiPut(tb, [{ key: 'b', value: '"B"', version: 4 }]), 0, 'tombstone version survives reopen');
        const [tiles] = await s2.readTiles(tb, [{ key: 'a', granularityMs: 1000, from: 0, to: 1000 }]);
        assert.deepEqual([...tiles!], [[0, '[1]']]);
        assert.equal(await s2.getMeta(tb, 'm'), 'x');
      } finally {
        await s2.close();
        await fx.cleanup?.();
      }
    });
  }
}
