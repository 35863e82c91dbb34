// Feature tables published to online stores by platform jobs (inject-based): a job with a store output writes its
// result into the store (values via /api/features/{table} and via the store itself), the table is registered for
// lookups so a second job can enrich a stream with it (and publish its own table), sliding windows are tiled,
// GET /api/features lists schema and lineage with secrets masked, and bad store outputs are 4xx naming the field.
// Redis runs when a server answers (FRESHET_REDIS_PORT, default 16379), else that test is skipped with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';
import { REDIS_HOST, REDIS_PORT, redisSkipReason, testRedisStore } from '../stores/store-helpers.js';
import { until as pollUntil } from '../support/until.js';

const TOKENS = { generated: false, tokens: [{ token: 'tok-admin', role: 'admin' as const, name: 'a' }, { token: 'tok-viewer', role: 'viewer' as const, name: 'v' }] };
const H = (t = 'tok-admin'): Record<string, string> => ({ authorization: `Bearer ${t}` });

interface Ctx { app: FastifyInstance; dir: string; kv: string }

async function withOrders(fn: (c: Ctx) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-features-'));
  const kv = path.join(dir, 'kv');
  const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const { app } = await createPlatformServer({
    dictionary: new Dictionary(store), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), tokens: TOKENS, baseDir: dir,
    servingStore: new EmbeddedKvStore({ path: kv }),
  });
  try {
    const r = await app.inject({ method: 'POST', url: '/api/sources', headers: H(), payload: { name: 'orders', samples: orders([1, 2]) } });
    assert.equal(r.statusCode, 201, r.body);
    await fn({ app, dir, kv });
  } finally {
    await app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const orders = (ids: number[]): object[] => ids.map((i) => ({ order_id: i, user_id: `u${i % 2}`, amount: i + 0.5, ts: new Date(T0 + i * 1000).toISOString() }));

async function addOrders(app: FastifyInstance, ids: number[]): Promise<void> {
  const r = await app.inject({ method: 'POST', url: '/api/sources/orders/events', headers: H(), payload: orders(ids) });
  assert.equal(r.statusCode, 200, r.body);
}

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> => pollUntil(what, fn, ms);

interface PlainAnswer { table: string; tiled: boolean; results: { key: string; found: boolean; values: Record<string, unknown> }[] }

const featureValues = async (app: FastifyInstance, table: string, keys: string[]): Promise<Record<string, Record<string, unknown> | null>> => {
  const r = await app.inject({ method: 'GET', url: `/api/features/${table}?${keys.map((k) => `key=${encodeURIComponent(k)}`).join('&')}`, headers: H('tok-viewer') });
  assert.equal(r.statusCode, 200, r.body);
  const a = JSON.parse(r.body) as PlainAnswer;
  return Object.fromEntries(a.results.map((x) => [x.key, x.found ? x.values : null]));
};

const resultsOf = async (app: FastifyInstance, name: string): Promise<Record<string, unknown[]>> => {
  const r = await app.inject({ method: 'GET', url: `/api/jobs/${name}/results`, headers: H('tok-viewer') });
  const b = JSON.parse(r.body) as { rows: unknown[][] };
  return Object.fromEntries(b.rows.map((row) => [String(row[0]), row.slice(1)]));
};

const SPEND = {
  name: 'spend', owner: 'growth', entityKey: ['user_id'], sources: ['orders'],
  sql: 'SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY user_id',
  outputs: [{ table: 'user_spend', kind: 'store', store: 'embedded-kv' }],
};
// Enriches each order with the user's published spend features (a lookup join on the feature table, at the
// processing-time column `proc_time` the source got when its schema was inferred).
const ENRICH = {
  name: 'enrich', owner: 'growth', entityKey: ['order_id'], sources: ['orders', 'user_spend'],
  sql: `SELECT o.order_id, o.user_id, f.n AS user_orders, f.total AS user_total
FROM orders AS o
JOIN user_spend FOR SYSTEM_TIME AS OF o.proc_time AS f ON o.user_id = f.user_id`,
  outputs: [{ table: 'order_features', kind: 'store', store: 'embedded-kv' }],
};

test('store output: values in the store and at /api/features/{table}; a second job looks them up and publishes its own', async () => {
  await withOrders(async ({ app, kv }) => {
    await addOrders(app, [1, 2, 3]);
    const c = await app.inject({ method: 'POST', url: '/api/jobs', headers: H(), payload: SPEND });
    assert.equal(c.statusCode, 201, c.body);
    // u1: orders 1, 3 (1.5 + 3.5); u0: order 2 (2.5).
    const want = { u0: { user_id: 'u0', n: 1, total: 2.5 }, u1: { user_id: 'u1', n: 2, total: 5 } };
    await until('store values', async () => {
      const v = await featureValues(app, 'user_spend', ['u0', 'u1']);
      return v['u1']?.['n'] === 2 && v['u0'] !== null ? v : undefined;
    });
    assert.deepEqual(await featureValues(app, 'user_spend', ['u0', 'u1', 'nobody']), { ...want, nobody: null });
    const raw = JSON.parse((await app.inject({ method: 'POST', url: '/api/features/user_spend', headers: H('tok-viewer'), payload: { keys: ['u0', 'nobody'] } })).body) as Record<string, unknown>;
    assert.deepEqual([raw['tiled'], raw['incomplete'], (raw['results'] as { found: boolean; values: unknown }[]).map((r) => [r.found, r.values])],
      [false, [], [[true, want.u0], [false, {}]]], 'a plain table answers in the tiled answer\'s shape (viewers may POST)');
    // The in-memory latest results are kept too.
    await until('in-memory results', async () => { const r = await resultsOf(app, 'spend'); return r['u1']?.[0] === 2 ? r : undefined; });
    assert.deepEqual(await resultsOf(app, 'spend'), { u0: [1, 2.5], u1: [2, 5] });
    // Read the store itself (the embedded store directory the platform was given).
    const direct = new EmbeddedKvStore({ path: kv });
    await direct.open();
    try {
      const [u1] = await direct.multiGet('user_spend', ['u1']);
      assert.deepEqual(JSON.parse(u1!.value), want.u1);
      assert.deepEqual(JSON.parse((await direct.getMeta('user_spend', 'schema'))!), {
        columns: [{ name: 'user_id', type: 'STRING NOT NULL' }, { name: 'n', type: 'BIGINT NOT NULL' }, { name: 'total', type: 'DOUBLE' }], primaryKey: ['user_id'],
      });
    } finally { await direct.close(); }

    // The feature table compiles in the editor's validation, then a second job enriches orders with it.
    const v = JSON.parse((await app.inject({ method: 'POST', url: '/api/sql/validate', headers: H(), payload: { sql: ENRICH.sql } })).body) as { ok: boolean; columns: { name: string }[] };
    assert.equal(v.ok, true, JSON.stringify(v));
    assert.deepEqual(v.columns.map((x) => x.name), ['order_id', 'user_id', 'user_orders', 'user_total']);
    const e = await app.inject({ method: 'POST', url: '/api/jobs', headers: H(), payload: ENRICH });
    assert.equal(e.statusCode, 201, e.body);
    await until('enriched orders', async () => { const r = await resultsOf(app, 'enrich'); return Object.keys(r).length === 3 ? r : undefined; });
    assert.deepEqual(await resultsOf(app, 'enrich'), { 1: ['u1', 2, 5], 2: ['u0', 1, 2.5], 3: ['u1', 2, 5] });
    // ... and publishes them: one feature built on another, keyed by order id.
    await until('order features', async () => { const x = await featureValues(app, 'order_features', ['3']); return x['3'] ? x : undefined; });
    assert.deepEqual((await featureValues(app, 'order_features', ['2']))['2'], { order_id: 2, user_id: 'u0', user_orders: 1, user_total: 2.5 });

    // The list: schema, store, producing job and lineage (source → feature → consumer).
    const list = JSON.parse((await app.inject({ method: 'GET', url: '/api/features', headers: H('tok-viewer') })).body) as { features: Record<string, unknown>[] };
    const spend = list.features.find((f) => f['table'] === 'user_spend')!;
    assert.deepEqual([spend['job'], spend['store'], spend['entityKey'], spend['lineage']], ['spend', 'embedded-kv', ['user_id'], { sources: ['orders'], feature: 'user_spend', consumers: ['enrich'] }]);
    assert.deepEqual(spend['columns'], [{ name: 'user_id', type: 'STRING NOT NULL' }, { name: 'n', type: 'BIGINT NOT NULL' }, { name: 'total', type: 'DOUBLE' }]);
    assert.deepEqual(list.features.map((f) => f['table']).sort(), ['order_features', 'user_spend']);
    // The feature table is not a dictionary source: lineage of the source lists both jobs only.
    const lineage = JSON.parse((await app.inject({ method: 'GET', url: '/api/sources/orders/lineage', headers: H() })).body) as { features: string[] };
    assert.deepEqual(lineage.features.sort(), ['enrich', 'spend']);
    assert.equal((await app.inject({ method: 'GET', url: '/api/features/nope?key=a', headers: H() })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/api/features/user_spend', headers: H() })).statusCode, 400, 'a key is required');
  });
});

test('store output with a sliding window is tiled: fresh-at-read values at /api/features/{table}', async () => {
  await withOrders(async ({ app }) => {
    await addOrders(app, [1, 2, 3, 5]);
    const job = {
      name: 'recent', owner: 'growth', entityKey: ['user_id'], sources: ['orders'],
      sql: `SELECT user_id, COUNT(*) OVER w AS orders_1m, SUM(amount) OVER w AS amount_1m FROM orders
WINDOW w AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW)`,
      outputs: [{ table: 'recent_orders', kind: 'store', store: 'embedded-kv' }],
    };
    const c = await app.inject({ method: 'POST', url: '/api/jobs', headers: H(), payload: job });
    assert.equal(c.statusCode, 201, c.body);
    const read = async (at: number): Promise<{ results: { key: string; values: Record<string, unknown> }[]; windowEnd: number }> => {
      const r = await app.inject({ method: 'GET', url: `/api/features/recent_orders?key=u1&key=u0&at=${at}`, headers: H() });
      assert.equal(r.statusCode, 200, r.body);
      return JSON.parse(r.body) as { results: { key: string; values: Record<string, unknown> }[]; windowEnd: number };
    };
    // u1: orders 1, 3, 5 (1.5 + 3.5 + 5.5); u0: order 2.
    const a = await until('tiles', async () => { const x = await read(T0 + 10_000); return x.results[0]?.values['orders_1m'] === 3 ? x : undefined; });
    assert.deepEqual(a.results.map((x) => [x.key, x.values['orders_1m'], x.values['amount_1m']]), [['u1', 3, 10.5], ['u0', 1, 2.5]]);
    // A minute later the window has slid past every order: no new event needed.
    const later = await read(T0 + 10 * 60_000);
    assert.deepEqual(later.results.map((x) => x.values['orders_1m']), [0, 0]);
    // The in-memory results run beside the tiles: the latest OVER row per user, emitted as the watermark (max event
    // time - 5 s) passes the rows, so a later order releases them.
    await addOrders(app, [100]);
    const mem = await until('in-memory results', async () => { const r = await resultsOf(app, 'recent'); return r['u1']?.[0] === 3 ? r : undefined; });
    assert.deepEqual(mem['u1'], [3, 10.5]);
  });
});

test('store outputs: bad specs are 4xx naming the field; secrets are masked in jobs and features', async () => {
  await withOrders(async ({ app }) => {
    const base = { ...SPEND, outputs: undefined };
    const cases: [object, number, string, RegExp][] = [
      [{ table: 'x', kind: 'store' }, 400, 'outputs[0].store', /names its store/],
      [{ table: 'x', kind: 'store', store: 'mongo' }, 400, 'outputs[0].store', /allowed values/],
      [{ table: 'x', kind: 'embedded', store: 'redis' }, 400, 'outputs[0].store', /has no store/],
      [{ table: 'x', kind: 'store', store: 'redis', options: { bogus: '1' } }, 400, 'outputs[0].options.bogus', /unknown option 'bogus'/],
      [{ table: 'x', kind: 'store', store: 'redis', options: { port: 'abc' } }, 400, 'outputs[0].options.port', /integer/],
      [{ table: 'x', kind: 'store', store: 'redis', options: { port: '99999' } }, 400, 'outputs[0].options.port', /65535/],
      [{ table: 'x', kind: 'store', store: 'redis', options: { port: '1' }, secrets: { port: '2' } }, 400, 'outputs[0].secrets.port', /both/],
      [{ table: 'x', kind: 'store', store: 'embedded-kv', secrets: { password: 'p' } }, 400, 'outputs[0].secrets.password', /unknown option/],
      [{ table: 'orders', kind: 'store', store: 'embedded-kv' }, 400, 'outputs[0].table', /data source/],
      [{ table: 'x', kind: 'store', store: 'embedded-kv', options: { 'tile.granularities': 'soon' } }, 400, 'outputs[0].options.tile.granularities', /tile/],
    ];
    for (const [out, status, field, re] of cases) {
      const r = await app.inject({ method: 'POST', url: '/api/jobs', headers: H(), payload: { ...base, outputs: [out] } });
      assert.equal(r.statusCode, status, `${field}: ${r.body}`);
      const err = (JSON.parse(r.body) as { error: { field: string; message: string } }).error;
      assert.equal(err.field, field, r.body);
      assert.match(err.message, re, r.body);
    }
    // A feature table has one producer; looking up an unknown table is a SQL error.
    const redisOut = { table: 'user_spend', kind: 'store', store: 'redis', options: { host: '127.0.0.1', port: '1' }, secrets: { password: 's3cret' } };
    const ok = await app.inject({ method: 'POST', url: '/api/jobs?start=false', headers: H(), payload: { ...base, outputs: [redisOut] } });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.ok(!ok.body.includes('s3cret'));
    const taken = await app.inject({ method: 'POST', url: '/api/jobs', headers: H(), payload: { ...base, name: 'spend2', outputs: [{ table: 'user_spend', kind: 'store', store: 'embedded-kv' }] } });
    assert.equal(taken.statusCode, 409, taken.body);
    assert.equal((JSON.parse(taken.body) as { error: { field: string } }).error.field, 'outputs[0].table');
    const unknown = await app.inject({ method: 'POST', url: '/api/jobs', headers: H(), payload: { ...ENRICH, sql: ENRICH.sql.replace('JOIN user_spend', 'JOIN user_spnd'), sources: ['orders'] } });
    assert.equal(unknown.statusCode, 400, unknown.body);
    assert.equal((JSON.parse(unknown.body) as { error: { field: string } }).error.field, 'sql');
    const list = await app.inject({ method: 'GET', url: '/api/features', headers: H() });
    assert.ok(!list.body.includes('s3cret'), list.body);
    const f = (JSON.parse(list.body) as { features: { table: string; connection: Record<string, string> }[] }).features[0]!;
    assert.deepEqual(f.connection, { host: '127.0.0.1', port: '1', password: '******' });
    // Served from the job's own store, which does not answer here.
    const down = await app.inject({ method: 'GET', url: '/api/features/user_spend?key=u1', headers: H() });
    assert.equal(down.statusCode, 503, down.body);
    assert.match(down.body, /redis store of 'user_spend' is not reachable/);
    // Nothing half-applied: only the one valid job exists.
    const jobs = JSON.parse((await app.inject({ method: 'GET', url: '/api/jobs', headers: H() })).body) as { jobs: { spec: { name: string } }[] };
    assert.deepEqual(jobs.jobs.map((j) => j.spec.name), ['spend']);
  });
});

test('store output to Redis: values served from the Redis store the job wrote', async (t) => {
  const skip = await redisSkipReason();
  if (skip) { t.skip(skip); return; }
  await withOrders(async ({ app }) => {
    await addOrders(app, [1, 2, 3]);
    const table = `user_spend_${process.pid}_${Date.now()}`;
    const job = { ...SPEND, outputs: [{ table, kind: 'store', store: 'redis', options: { host: REDIS_HOST }, secrets: { port: String(REDIS_PORT) } }] };
    const c = await app.inject({ method: 'POST', url: '/api/jobs', headers: H(), payload: job });
    assert.equal(c.statusCode, 201, c.body);
    assert.ok(!c.body.includes(String(REDIS_PORT)), 'a port given as a secret is masked');
    const v = await until('redis values', async () => {
      const x = await featureValues(app, table, ['u0', 'u1']);
      return x['u1']?.['n'] === 2 && x['u0'] ? x : undefined;
    }).catch(async (e: unknown) => { throw new Error(`${String(e)}: ${(await app.inject({ method: 'GET', url: '/api/jobs/spend', headers: H() })).body}`); });
    assert.deepEqual(v, { u0: { user_id: 'u0', n: 1, total: 2.5 }, u1: { user_id: 'u1', n: 2, total: 5 } });
    const direct = testRedisStore();
    await direct.open();
    try {
      const [u0] = await direct.multiGet(table, ['u0']);
      assert.deepEqual(JSON.parse(u0!.value), { user_id: 'u0', n: 1, total: 2.5 });
    } finally { await direct.close(); }
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/jobs/spend', headers: H() })).statusCode, 204);
  });
});
