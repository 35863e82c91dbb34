/**
 * GET /api/features/{table}/checks before anything ran (inject-based): the FeatureChecks schema answers nulls for the
 * last check and the fusion record, the default policy and empty lists (nothing dropped or coerced by the response
 * serializer); a table no job publishes is a 404 with the error body. The full answer after checks and a correction
 * is tested in tests/browser/feature-checks-ui.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';
import { ServingErrors } from '../../src/serving/read-features.js';

const H = { authorization: 'Bearer tok' };

test('checks route: nulls before the first check and backfill; unknown tables are 404', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-checks-route-'));
  const dict = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const kv = new EmbeddedKvStore({ path: path.join(dir, 'kv') });
  const { app } = await createPlatformServer({
    dictionary: new Dictionary(dict), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), baseDir: dir,
    tokens: { generated: false, tokens: [{ token: 'tok', role: 'viewer', name: 'v' }, { token: 'adm', role: 'admin', name: 'a' }] }, servingStore: kv,
  });
  try {
    const ts = new Date(Date.UTC(2025, 0, 1)).toISOString();
    let r = await app.inject({ method: 'POST', url: '/api/sources', headers: { authorization: 'Bearer adm' }, payload: { name: 'orders', samples: [{ user_id: 'u1', amount: 1.5, ts }] } });
    assert.equal(r.statusCode, 201, r.body);
    r = await app.inject({
      method: 'POST', url: '/api/jobs?start=false', headers: { authorization: 'Bearer adm' },
      payload: { name: 'spend', owner: 'o', entityKey: ['user_id'], sources: ['orders'], sql: 'SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id', outputs: [{ table: 'user_spend', kind: 'store', store: 'embedded-kv' }] },
    });
    assert.equal(r.statusCode, 201, r.body);
    r = await app.inject({ method: 'GET', url: '/api/features/user_spend/checks', headers: H });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { table: 'user_spend', last: null, policy: { threshold: 0.01, autoCorrect: false }, fusion: null, checks: [], audit: [] });
    r = await app.inject({ method: 'GET', url: '/api/features/nope/checks', headers: H });
    assert.equal(r.statusCode, 404);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, ServingErrors.UnknownTable);
  } finally {
    await app.close();
    await dict.close();
    await kv.close();
    await rm(dir, { recursive: true, force: true });
  }
});
