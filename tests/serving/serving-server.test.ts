/**
 * The bare node:http serving server (serving-server.ts, used by `freshet serve`) answers exactly as the Fastify plugin
 * (serving-routes.ts, mounted by the platform): the same status and the same body for good reads, several keys, ISO
 * times, URL-encoded keys, batches, and every error; plus /healthz, unknown routes, bad JSON and oversized bodies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { servingRoutes } from '../../src/serving/serving-routes.js';
import { createServingServer } from '../../src/serving/serving-server.js';
import { MemoryKvStore } from './memory-store.js';
import { DAY, HOUR, feed, finish, makeOperator, makeSpec, oracle, randomEvents, rng, MIN } from './helpers.js';

const T0 = Date.UTC(2024, 4, 1, 7, 13, 21, 417);

test('the node:http server answers byte for byte as the Fastify plugin', async () => {
  const spec = makeSpec([HOUR, DAY], [MIN, HOUR]);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  const events = randomEvents(rng(31), 400, 3, T0, 2 * DAY);
  await feed(op, events);
  await finish(op);
  const now = (): number => T0 + DAY;
  const app = Fastify();
  await app.register(servingRoutes(store, { now }));
  await app.ready();
  const server = createServingServer(store, { now, bodyLimit: 4096 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const t = T0 + 30 * HOUR + 5;
    const iso = new Date(t).toISOString();
    const gets = [
      `/api/features/feats?key=u1&at=${t}`,
      `/api/features/feats?key=u0&key=u2&at=${encodeURIComponent(iso)}`,
      `/api/features/feats?at=${t + 7}&key=u3`,
      '/api/features/feats?key=u0',
      `/api/features/feats?key=${encodeURIComponent('u 1')}&at=${t}`,
      `/api/features/feats?key=u+1&key=&at=${t}`,
      '/api/features/feats',
      '/api/features/feats?key=a&at=yesterday-ish',
      `/api/features/feats?key=a&at=${t}&at=${t}`,
      '/api/features/nope?key=a',
      `/api/features/f%65ats?key=u2&at=${t}`,
    ];
    for (const url of gets) {
      const want = await app.inject({ method: 'GET', url });
      const got = await fetch(base + url);
      assert.equal(got.status, want.statusCode, url);
      assert.equal(await got.text(), want.body, url);
      assert.equal(got.headers.get('content-type'), 'application/json; charset=utf-8', url);
    }
    // The values are the oracle's (the comparison above would also pass if both were wrong).
    const one = await (await fetch(`${base}/api/features/feats?key=u1&at=${t}`)).json() as { results: { values: unknown }[] };
    assert.deepEqual(one.results[0]!.values, oracle(spec, events, 'u1', t));

    const posts: unknown[] = [
      { keys: ['u0', 'u1', 'zz'], at: t },
      { keys: ['u2'], at: iso },
      { keys: ['u2', 7, true] },
      { keys: [] },
      { keys: [{ a: 1 }] },
      [1, 2],
      { keys: Array.from({ length: 1001 }, (_, i) => `k${i}`).slice(0, 100), at: 'soon' },
    ];
    for (const body of posts) {
      const payload = JSON.stringify(body);
      const want = await app.inject({ method: 'POST', url: '/api/features/feats', headers: { 'content-type': 'application/json' }, payload });
      const got = await fetch(`${base}/api/features/feats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
      assert.equal(got.status, want.statusCode, payload);
      assert.equal(await got.text(), want.body, payload);
    }

    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true });
    assert.equal((await fetch(`${base}/api/other`)).status, 404);
    assert.equal((await fetch(`${base}/api/features/feats/x?key=u1`)).status, 404);
    const badJson = await fetch(`${base}/api/features/feats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"keys": [' });
    assert.equal(badJson.status, 400);
    assert.equal(((await badJson.json()) as { error: { code: string } }).error.code, 'SERVE002');
    const big = await fetch(`${base}/api/features/feats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys: Array.from({ length: 1000 }, (_, i) => `key${i}`) }) });
    assert.equal(big.status, 413);
    const text = await fetch(`${base}/api/features/feats`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'u1' });
    assert.equal(text.status, 415);
  } finally {
    await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    await app.close();
  }
});
