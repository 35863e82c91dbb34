// The demo of `freshet start --demo`: generated streams registered in the dictionary (orders, clicks, the multi-type
// app_events), example features deployed and updating, one of them published to the embedded online store and
// served with freshness metadata; the web UI's pages have what they show (catalog with lineage, versions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { DEMO_FEATURES, startDemo } from '../../src/server/platform/demo.js';
import { until as pollUntil } from '../support/until.js';

const TOKENS = { generated: false, tokens: [{ token: 't', role: 'viewer' as const, name: 'v' }] };

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> => pollUntil(what, fn, ms, 150);

test('demo: sources registered, features running and updating, clicks_per_page served from the embedded store', { timeout: 90_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-demo-'));
  const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const kv = new EmbeddedKvStore({ path: path.join(dir, 'kv') });
  const dictionary = new Dictionary(store);
  const srv = await createPlatformServer({ dictionary, logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), tokens: TOKENS, baseDir: dir, servingStore: kv, kvPath: path.join(dir, 'kv') });
  const demo = await startDemo(dictionary, srv.openLog, srv.jobs, { intervalMs: 200 });
  const get = async (url: string): Promise<any> => {
    const r = await srv.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer t' } });
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    return JSON.parse(r.body);
  };
  try {
    const sources = (await get('/api/sources')).sources as { name: string; types?: Record<string, unknown> }[];
    assert.deepEqual(sources.map((s) => s.name).sort(), ['app_events', 'clicks', 'orders']);
    assert.deepEqual(Object.keys(sources.find((s) => s.name === 'app_events')!.types ?? {}).sort(), ['login', 'page_view', 'purchase']);
    const jobs = await until('every demo feature running', async () => {
      const j = (await get('/api/jobs')).jobs as { spec: { name: string }; status: { state: string } }[];
      return j.length === DEMO_FEATURES.length && j.every((x) => x.status.state === 'running') ? j : undefined;
    });
    assert.deepEqual(jobs.map((j) => j.spec.name).sort(), DEMO_FEATURES.map((f) => f.name).sort());

    // Values keep changing: the total click count grows between two reads.
    const total = async (): Promise<number> => ((await get('/api/jobs/clicks_per_page/results')).rows as [string, number, number][]).reduce((a, r) => a + r[1], 0);
    const c1 = await until('clicks counted', async () => { const n = await total(); return n > 0 ? n : undefined; });
    await until('more clicks counted', async () => ((await total()) > c1 ? true : undefined));

    // Published to the embedded store, with lineage; served with the freshness fields.
    const f = (await get('/api/features')).features as { table: string; store: string; lineage: { sources: string[] } }[];
    assert.deepEqual(f.map((x) => [x.table, x.store, x.lineage.sources]), [['clicks_per_page', 'embedded-kv', ['clicks']]]);
    const page = ((await get('/api/jobs/clicks_per_page/results')).rows as [string, number, number][])[0]![0];
    const a = await until('served value', async () => {
      const r = await get(`/api/features/clicks_per_page?key=${encodeURIComponent(page)}`);
      return r.results[0].found ? r : undefined;
    });
    assert.equal(a.results[0].key, page);
    assert.ok(Number(a.results[0].values.clicks) >= 1);
    assert.equal(typeof a.results[0].version, 'number');
    assert.equal(typeof a.asOf, 'number');
    // History of a demo feature: created and started.
    const h = await get('/api/jobs/clicks_per_page/history');
    assert.deepEqual(h.versions.map((v: { version: number }) => v.version), [1]);
  } finally {
    demo.stop();
    await srv.app.close();
    await kv.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
