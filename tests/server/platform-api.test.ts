// The platform REST API through Fastify's inject: tokens and roles, request validation (4xx naming the field,
// never 500, nothing half-applied), secrets masked, OpenAPI, SQL validation with positions, bounded preview, and a
// job's lifecycle (deploy → values → stop → checkpoint → start restores without double counting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';
import { requiredRole } from '../../src/server/platform/auth.js';
import { until as pollUntil } from '../support/until.js';

const TOKENS = { generated: false, tokens: [
  { token: 'tok-admin', role: 'admin' as const, name: 'a' }, { token: 'tok-editor', role: 'editor' as const, name: 'e' }, { token: 'tok-viewer', role: 'viewer' as const, name: 'v' },
] };
const H = (t = 'tok-admin'): Record<string, string> => ({ authorization: `Bearer ${t}` });

interface Ctx { app: FastifyInstance; dir: string }

async function withPlatform(fn: (c: Ctx) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-platform-'));
  const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const { app } = await createPlatformServer({ dictionary: new Dictionary(store), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), tokens: TOKENS, baseDir: dir });
  try {
    await fn({ app, dir });
  } finally {
    await app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const orders = (ids: number[], user = (i: number): string => `u${i % 2}`): object[] =>
  ids.map((i) => ({ order_id: i, user_id: user(i), amount: i + 0.5, ts: new Date(T0 + i * 1000).toISOString() }));

async function addOrders(app: FastifyInstance, events: object[]): Promise<void> {
  const r = await app.inject({ method: 'POST', url: '/api/sources/orders/events', headers: H('tok-editor'), payload: events });
  assert.equal(r.statusCode, 200, r.body);
}

async function withOrders(fn: (c: Ctx) => Promise<void>): Promise<void> {
  await withPlatform(async (c) => {
    const r = await c.app.inject({ method: 'POST', url: '/api/sources', headers: H('tok-editor'), payload: { name: 'orders', samples: orders([1, 2]) } });
    assert.equal(r.statusCode, 201, r.body);
    await fn(c);
  });
}

const FEATURE = { name: 'spend', owner: 'growth', entityKey: ['user_id'], sources: ['orders'], sql: 'SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY user_id' };

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> => pollUntil(what, fn, ms);

const resultsOf = async (app: FastifyInstance, name: string): Promise<Record<string, unknown[]>> => {
  const r = await app.inject({ method: 'GET', url: `/api/jobs/${name}/results`, headers: H('tok-viewer') });
  const b = JSON.parse(r.body) as { rows: unknown[][] };
  return Object.fromEntries(b.rows.map((row) => [String(row[0]), row.slice(1)]));
};

test('auth: token required, unknown token refused, roles limit what a token may do', async () => {
  await withOrders(async ({ app }) => {
    assert.equal((await app.inject({ method: 'GET', url: '/api/jobs' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/api/jobs', headers: H('nope') })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/api/jobs', headers: { authorization: 'Basic abc' } })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/api/jobs', headers: H('tok-viewer') })).statusCode, 200);
    // A viewer may preview and validate (they change nothing) but not deploy or post events.
    assert.equal((await app.inject({ method: 'POST', url: '/api/sql/validate', headers: H('tok-viewer'), payload: { sql: 'SELECT 1' } })).statusCode, 200);
    const denied = await app.inject({ method: 'POST', url: '/api/jobs', headers: H('tok-viewer'), payload: FEATURE });
    assert.equal(denied.statusCode, 403);
    assert.match(denied.body, /needs 'editor'/);
    assert.equal((await app.inject({ method: 'POST', url: '/api/sources/orders/events', headers: H('tok-viewer'), payload: orders([3]) })).statusCode, 403);
    // Deleting needs admin.
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/sources/orders', headers: H('tok-editor') })).statusCode, 403);
    assert.equal((await app.inject({ method: 'GET', url: '/api/admin/tokens', headers: H('tok-editor') })).statusCode, 403);
    const tokens = await app.inject({ method: 'GET', url: '/api/admin/tokens', headers: H('tok-admin') });
    assert.equal(tokens.statusCode, 200);
    assert.ok(!tokens.body.includes('tok-'), 'token values are never returned');
    assert.equal((JSON.parse((await app.inject({ method: 'GET', url: '/api/whoami', headers: H('tok-editor') })).body) as { role: string }).role, 'editor');
    // Public: health, OpenAPI and its docs.
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode, 200);
  });
  assert.equal(requiredRole('POST', '/api/sql/preview'), 'viewer');
  assert.equal(requiredRole('PUT', '/api/jobs/x'), 'editor');
  assert.equal(requiredRole('DELETE', '/api/jobs/x'), 'admin');
});

test('validation: bad job specs are 400 naming the field, and nothing is saved', async () => {
  await withOrders(async ({ app, dir }) => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...FEATURE, name: undefined }, 'name', /name/],
      [{ ...FEATURE, name: '1abc' }, 'name', /pattern/],
      [{ ...FEATURE, entityKey: [] }, 'entityKey', /fewer than 1/],
      [{ ...FEATURE, entityKey: 'user_id' }, 'entityKey', /array/],
      [{ ...FEATURE, extra: 1 }, 'extra', /additional/],
      [{ ...FEATURE, outputs: [{ table: 'x', kind: 'redis' }] }, 'outputs[0].kind', /allowed values/],
      [{ ...FEATURE, options: { a: 1 } }, 'options.a', /string/],
      [{ ...FEATURE, sources: ['nope'] }, 'sources[0]', /unknown source 'nope'/],
      [{ ...FEATURE, entityKey: ['customer'] }, 'entityKey[0]', /'customer' is not a result column/],
      [{ ...FEATURE, sql: 'SELECT user_id FROM orders; SELECT 1' }, 'sql', /exactly one SELECT/],
      [{ ...FEATURE, outputs: [{ table: 't', kind: 'embedded' }, { table: 't', kind: 'embedded' }] }, 'outputs[1].table', /twice/],
    ];
    for (const [payload, field, re] of cases) {
      const r = await app.inject({ method: 'POST', url: '/api/jobs', headers: H(), payload });
      assert.equal(r.statusCode, 400, `${field}: ${r.body}`);
      const e = (JSON.parse(r.body) as { error: { field: string; message: string } }).error;
      assert.equal(e.field, field, r.body);
      assert.match(e.message, re, r.body);
    }
    // A SQL error carries its position.
    const bad = await app.inject({ method: 'POST', url: '/api/jobs', headers: H(), payload: { ...FEATURE, sql: 'SELECT user_id, COUNT(*) AS n\nFROM orders\nGROUP BY usr_id' } });
    assert.equal(bad.statusCode, 400);
    const be = (JSON.parse(bad.body) as { error: { field: string; details: { message: string; span: { line: number; column: number } }[] } }).error;
    assert.equal(be.field, 'sql');
    const unknown = be.details.find((d) => d.message.includes("unknown column 'usr_id'"));
    assert.deepEqual([unknown?.span.line, unknown?.span.column], [3, 10], bad.body);
    // Malformed JSON, wrong query parameters, unknown jobs.
    const malformed = await app.inject({ method: 'POST', url: '/api/jobs', headers: { ...H(), 'content-type': 'application/json' }, payload: '{"name": ' });
    assert.equal(malformed.statusCode, 400);
    assert.equal((await app.inject({ method: 'POST', url: '/api/jobs?start=maybe', headers: H(), payload: FEATURE })).statusCode, 400);
    assert.equal((await app.inject({ method: 'GET', url: '/api/jobs/nope', headers: H() })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url: '/api/jobs/nope/start', headers: H() })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/api/jobs/x/results?limit=abc', headers: H() })).statusCode, 400);
    assert.equal((await app.inject({ method: 'POST', url: '/api/sql/preview', headers: H(), payload: { sql: 'SELECT 1', limit: 0 } })).statusCode, 400);
    // Nothing was saved by any of the failures.
    const list = JSON.parse((await app.inject({ method: 'GET', url: '/api/jobs', headers: H() })).body) as { jobs: unknown[] };
    assert.deepEqual(list.jobs, []);
    assert.equal(existsSync(path.join(dir, 'platform', 'jobs', 'spend')), false);
  });
});

test('SQL: validate gives positioned diagnostics and columns; preview returns the table over current data', async () => {
  await withOrders(async ({ app }) => {
    await addOrders(app, orders([1, 2, 3]));
    const v = JSON.parse((await app.inject({ method: 'POST', url: '/api/sql/validate', headers: H(), payload: { sql: 'SELECT user_id, amout FROM orders' } })).body) as { ok: boolean; diagnostics: { message: string; span: { line: number; column: number } }[] };
    assert.equal(v.ok, false);
    assert.match(v.diagnostics[0]!.message, /unknown column 'amout'/);
    assert.deepEqual([v.diagnostics[0]!.span.line, v.diagnostics[0]!.span.column], [1, 17]);
    const ok = JSON.parse((await app.inject({ method: 'POST', url: '/api/sql/validate', headers: H(), payload: { sql: FEATURE.sql } })).body) as { ok: boolean; columns: { name: string }[] };
    assert.equal(ok.ok, true);
    assert.deepEqual(ok.columns.map((c) => c.name), ['user_id', 'n', 'total']);
    const p = JSON.parse((await app.inject({ method: 'POST', url: '/api/sql/preview', headers: H('tok-viewer'), payload: { sql: `${FEATURE.sql}` } })).body) as { rows: unknown[][]; timedOut: boolean };
    assert.equal(p.timedOut, false);
    assert.deepEqual(p.rows.sort(), [['u0', 1, 2.5], ['u1', 2, 5]]);
    const limited = JSON.parse((await app.inject({ method: 'POST', url: '/api/sql/preview', headers: H(), payload: { sql: 'SELECT order_id FROM orders', limit: 2 } })).body) as { rows: unknown[][]; truncated: boolean };
    assert.equal(limited.rows.length, 2);
    assert.equal(limited.truncated, true);
    const tables = JSON.parse((await app.inject({ method: 'GET', url: '/api/catalog/tables', headers: H() })).body) as { tables: { table: string; eventTimeColumn: string; columns: { name: string; type: string; computed?: boolean }[] }[] };
    // Sources registered from samples get the processing-time column inference proposes (for lookup joins).
    assert.deepEqual(tables.tables.map((t) => [t.table, t.eventTimeColumn, t.columns.map((c) => c.name).join(',')]), [['orders', 'ts', 'order_id,user_id,amount,ts,proc_time']]);
    assert.deepEqual(tables.tables[0]!.columns.at(-1), { name: 'proc_time', type: 'TIMESTAMP_LTZ(3)', computed: true });
  });
});

test('jobs: deploy, live values, stop with a checkpoint, start restores without double counting; secrets masked', async () => {
  await withOrders(async ({ app, dir }) => {
    await addOrders(app, orders([1, 2, 3]));
    const payload = { ...FEATURE, outputs: [{ table: 'spend', kind: 'embedded', options: { region: 'eu' }, secrets: { password: 's3cret' } }] };
    const c = await app.inject({ method: 'POST', url: '/api/jobs', headers: H('tok-editor'), payload });
    assert.equal(c.statusCode, 201, c.body);
    assert.ok(!c.body.includes('s3cret'));
    assert.match(c.body, /"password":"\*+"/);
    const stored = await readFile(path.join(dir, 'platform', 'jobs', 'spend', 'v1.json'), 'utf8');
    assert.match(stored, /s3cret/, 'the secret is stored for the runtime');
    assert.ok(!(await app.inject({ method: 'GET', url: '/api/jobs/spend', headers: H() })).body.includes('s3cret'));
    assert.ok(!(await app.inject({ method: 'GET', url: '/api/jobs', headers: H() })).body.includes('s3cret'));
    assert.ok(!(await app.inject({ method: 'GET', url: '/api/jobs/spend/versions', headers: H() })).body.includes('s3cret'));

    await until('first values', async () => { const r = await resultsOf(app, 'spend'); return r['u1']?.[0] === 2 ? r : undefined; });
    assert.deepEqual(await resultsOf(app, 'spend'), { u0: [1, 2.5], u1: [2, 5] });
    await addOrders(app, orders([4, 5]));
    await until('values change', async () => { const r = await resultsOf(app, 'spend'); return r['u0']?.[0] === 2 && r['u1']?.[0] === 3 ? r : undefined; });
    const st = JSON.parse((await app.inject({ method: 'GET', url: '/api/jobs/spend', headers: H() })).body) as { status: { state: string; rowsIn: number; watermark: string } };
    assert.equal(st.status.state, 'running');
    assert.equal(st.status.rowsIn, 5);
    assert.equal(st.status.watermark, new Date(T0 + 5000 - 5000).toISOString(), 'max event time minus the 5 s delay');

    const stopped = JSON.parse((await app.inject({ method: 'POST', url: '/api/jobs/spend/stop', headers: H('tok-editor') })).body) as { status: { state: string; checkpoints: number } };
    assert.equal(stopped.status.state, 'stopped');
    assert.ok(stopped.status.checkpoints >= 1, 'stopping writes a checkpoint');
    await addOrders(app, orders([6]));
    const started = JSON.parse((await app.inject({ method: 'POST', url: '/api/jobs/spend/start', headers: H('tok-editor') })).body) as { status: { restoredFrom: string } };
    assert.match(started.status.restoredFrom, /^chk-\d+\.bin$/);
    // Restored state plus only the new event: u0 had 2 orders (4 and 2), order 6 makes 3; u1 unchanged.
    const after = await until('restored values', async () => { const r = await resultsOf(app, 'spend'); return r['u0']?.[0] === 3 ? r : undefined; }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}: ${(await app.inject({ method: 'GET', url: '/api/jobs/spend', headers: H() })).body} ${JSON.stringify(await resultsOf(app, 'spend'))}`);
    });
    assert.deepEqual(after, { u0: [3, 2.5 + 4.5 + 6.5], u1: [3, 1.5 + 3.5 + 5.5] });
    const m = JSON.parse((await app.inject({ method: 'GET', url: '/api/jobs/spend/metrics', headers: H() })).body) as { checkpoints: unknown[] };
    assert.ok(m.checkpoints.length >= 1);

    // A new version restarts from scratch on the new SQL; lineage names the feature.
    const upd = await app.inject({ method: 'PUT', url: '/api/jobs/spend?expectedVersion=1', headers: H('tok-editor'), payload: { ...payload, sql: 'SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id', outputs: [{ table: 'spend', kind: 'embedded', secrets: { password: '******' } }] } });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.match(await readFile(path.join(dir, 'platform', 'jobs', 'spend', 'v2.json'), 'utf8'), /s3cret/, 'a masked secret sent back keeps its value');
    assert.equal((await app.inject({ method: 'PUT', url: '/api/jobs/spend?expectedVersion=1', headers: H('tok-editor'), payload })).statusCode, 409);
    await until('v2 values', async () => { const r = await resultsOf(app, 'spend'); return r['u0']?.length === 1 && r['u0'][0] === 3 ? r : undefined; });
    const lineage = JSON.parse((await app.inject({ method: 'GET', url: '/api/sources/orders/lineage', headers: H() })).body) as { features: string[] };
    assert.deepEqual(lineage.features, ['spend']);
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/jobs/spend', headers: H('tok-admin') })).statusCode, 204);
    assert.equal((await app.inject({ method: 'GET', url: '/api/jobs/spend', headers: H() })).statusCode, 404);
  });
});

test('OpenAPI document lists the platform and dictionary routes with their schemas', async () => {
  await withPlatform(async ({ app }) => {
    const doc = JSON.parse((await app.inject({ method: 'GET', url: '/api/openapi.json' })).body) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>> };
    assert.match(doc.openapi, /^3\./);
    for (const p of ['/api/jobs', '/api/jobs/{name}', '/api/jobs/{name}/restart', '/api/sql/preview', '/api/sql/validate', '/api/sources', '/api/sources/{name}/events']) assert.ok(doc.paths[p], p);
    assert.deepEqual(doc.paths['/api/jobs']!['post']!.requestBody!.content['application/json']!.schema.required, ['name', 'owner', 'entityKey', 'sources', 'sql']);
    const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
    assert.ok(docs.statusCode === 200 || docs.statusCode === 302, String(docs.statusCode));
  });
});
