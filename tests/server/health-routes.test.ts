// Liveness and readiness: /livez never consults a check; /readyz is 200 only when every check passes, reports each
// check (a throwing one and a hung one, cut at the time limit), and is not ready once shutdown begins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { registerHealthRoutes, runReadiness } from '../../src/server/platform/health-routes.js';

test('livez and readyz', async () => {
  const app = Fastify();
  let catalogUp = true;
  let hang = false;
  let calls = 0;
  registerHealthRoutes(app, {
    timeoutMs: 150,
    checks: {
      catalog: () => { calls++; if (!catalogUp) throw new Error('connection refused'); },
      stores: () => (hang ? new Promise<void>(() => undefined) : Promise.resolve()),
    },
  });
  await app.ready();
  const live = await app.inject({ method: 'GET', url: '/livez' });
  assert.equal(live.statusCode, 200);
  assert.deepEqual(live.json(), { ok: true });
  assert.equal(calls, 0, 'liveness consults no dependency');

  let r = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json().checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [['catalog', true], ['stores', true]]);

  catalogUp = false;
  hang = true;
  const t0 = Date.now();
  r = await app.inject({ method: 'GET', url: '/readyz' });
  assert.ok(Date.now() - t0 < 1000, 'a hung check is cut at the time limit');
  assert.equal(r.statusCode, 503);
  const body = r.json() as { ready: boolean; checks: { name: string; ok: boolean; error?: string }[] };
  assert.equal(body.ready, false);
  assert.match(body.checks[0]!.error!, /connection refused/);
  assert.match(body.checks[1]!.error!, /no answer within 150 ms/);
  assert.equal((await app.inject({ method: 'GET', url: '/livez' })).statusCode, 200, 'still alive');

  catalogUp = true;
  hang = false;
  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'ready again');

  await app.close();
});

test('readiness while draining: every check passing still reports not ready', async () => {
  const r = await runReadiness({ checks: { catalog: () => undefined } }, true);
  assert.equal(r.ready, false);
  assert.deepEqual(r.checks.map((c) => [c.name, c.ok]), [['catalog', true], ['shutdown', false]]);
  assert.equal((await runReadiness({ checks: { catalog: () => undefined } }, false)).ready, true);
});
