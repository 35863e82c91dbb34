/**
 * Tiles written to and served from the embedded LMDB store (src/connectors/stores/embedded-kv-store.ts) match the
 * oracle, as with the in-memory store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { DAY, HOUR, MIN, feed, finish, makeOperator, makeSpec, oracle, randomEvents, rng } from './helpers.js';

test('24 h and 7 d features through the embedded store match the oracle', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'freshet-serving-'));
  const store = new EmbeddedKvStore({ path: dir });
  await store.open();
  try {
    const spec = makeSpec([DAY, 7 * DAY], [MIN, HOUR, DAY]);
    const t0 = Date.UTC(2024, 4, 1, 7, 13, 21, 417);
    const events = randomEvents(rng(17), 500, 3, t0, 9 * DAY);
    const op = makeOperator(spec, store);
    await feed(op, events);
    await finish(op);
    const r = rng(4);
    for (let i = 0; i < 60; i++) {
      const t = t0 + Math.floor(r() * 17 * DAY);
      const a = await readFeatures(store, 'feats', ['u0', 'u1', 'u2'], t);
      for (const [k, u] of ['u0', 'u1', 'u2'].entries()) assert.deepEqual(a.results[k]!.values, oracle(spec, events, u, t), `${u} at ${t}`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
