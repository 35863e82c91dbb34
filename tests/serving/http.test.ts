/**
 * The serving HTTP endpoints (Fastify inject) and the TypeScript client (over a fetch that injects): GET one and
 * several keys, POST batch, `at` as epoch ms and ISO text, error bodies for bad input and unknown tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { servingRoutes } from '../../src/serving/serving-routes.js';
import { FeatureClient, FeatureClientError } from '../../src/serving/client.js';
import { MemoryKvStore } from './memory-store.js';
import { DAY, HOUR, MIN, feed, finish, makeOperator, makeSpec, oracle, randomEvents, rng } from './helpers.js';

const T0 = Date.UTC(2024, 4, 1, 7, 13, 21, 417);

async function setup(): Promise<{ app: FastifyInstance; spec: ReturnType<typeof makeSpec>; events: ReturnType<typeof randomEvents> }> {
  const spec = makeSpec([HOUR, DAY], [MIN, HOUR]);
  const store = new MemoryKvStore();
  const op = makeOperator(spec, store);
  const events = randomEvents(rng(21), 400, 3, T0, 2 * DAY);
  await feed(op, events);
  await finish(op);
  const app = Fastify();
  await app.register(servingRoutes(store, { now: () => T0 + DAY }));
  await app.ready();
  return { app, spec, events };
}

test('GET and POST return the oracle values with freshness metadata', async () => {
  const { app, spec, events } = await setup();
  const t = T0 + 30 * HOUR + 5;
  const one = await app.inject({ method: 'GET', url: `/api/features/feats?key=u1&at=${t}` });
  assert.equal(one.statusCode, 200);
  const a = one.json();
  assert.equal(a.asOf, t);
  assert.equal(a.windowEnd, t + 1, 'exact window (t - w, t]');
  assert.equal(a.precisionMs, 1);
  assert.equal(typeof a.watermark, 'number');
  assert.deepEqual(a.incomplete, []);
  assert.deepEqual(a.results[0].values, oracle(spec, events, 'u1', t));

  const iso = new Date(t).toISOString();
  const two = await app.inject({ method: 'GET', url: `/api/features/feats?key=u0&key=u2&at=${encodeURIComponent(iso)}` });
  assert.deepEqual(two.json().results.map((r: { values: unknown }) => r.values), ['u0', 'u2'].map((u) => oracle(spec, events, u, t)));

  const batch = await app.inject({ method: 'POST', url: '/api/features/feats', payload: { keys: ['u0', 'u1', 'zz'], at: t } });
  assert.equal(batch.statusCode, 200);
  const b = batch.json();
  assert.deepEqual(b.results.map((r: { values: unknown }) => r.values), ['u0', 'u1', 'zz'].map((u) => oracle(spec, events, u, t)));
  assert.equal(b.results[2].found, false);

  // Without `at` the server clock is used.
  const now = (await app.inject({ method: 'GET', url: '/api/features/feats?key=u0' })).json();
  assert.equal(now.asOf, T0 + DAY);
  await app.close();
});

test('bad requests and unknown tables get error bodies', async () => {
  const { app } = await setup();
  const noKey = await app.inject({ method: 'GET', url: '/api/features/feats' });
  assert.equal(noKey.statusCode, 400);
  assert.equal(noKey.json().error.code, 'SERVE002');
  assert.equal(noKey.json().error.field, 'keys');
  const badAt = await app.inject({ method: 'GET', url: '/api/features/feats?key=a&at=yesterday-ish' });
  assert.equal(badAt.statusCode, 400);
  assert.equal(badAt.json().error.field, 'at');
  const badBody = await app.inject({ method: 'POST', url: '/api/features/feats', payload: [1, 2] });
  assert.equal(badBody.statusCode, 400);
  const badKeys = await app.inject({ method: 'POST', url: '/api/features/feats', payload: { keys: [{ a: 1 }] } });
  assert.equal(badKeys.statusCode, 400);
  const unknown = await app.inject({ method: 'GET', url: '/api/features/nope?key=a' });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().error.code, 'SERVE001');
  await app.close();
});

test('the client reads one key and batches through the API', async () => {
  const { app, spec, events } = await setup();
  const injectFetch = (async (url: string, init?: RequestInit) => {
    const u = new URL(url);
    const r = await app.inject({
      method: (init?.method ?? 'GET') as 'GET' | 'POST', url: u.pathname + u.search,
      ...(init?.body ? { payload: init.body as string, headers: { 'content-type': 'application/json' } } : {}),
    });
    return new Response(r.body, { status: r.statusCode, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  const c = new FeatureClient('http://serving.test/', { fetch: injectFetch });
  const t = T0 + 40 * HOUR;
  const one = await c.get('feats', 'u2', t);
  assert.deepEqual(one.values, oracle(spec, events, 'u2', t));
  assert.equal(one.asOf, t);
  const many = await c.getMany('feats', ['u0', 'u1'], t);
  assert.deepEqual(many.results.map((r) => r.values), ['u0', 'u1'].map((u) => oracle(spec, events, u, t)));
  await assert.rejects(c.get('nope', 'a', t), (e: unknown) => e instanceof FeatureClientError && e.status === 404 && e.code === 'SERVE001');
  await app.close();
});
