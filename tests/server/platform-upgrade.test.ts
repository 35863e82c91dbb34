// Job versions and upgrades through the REST API: a new version that compiles to the same program resumes from the
// checkpoint (state kept: counts continue, nothing counted twice); one that does not is refused with the reasons
// and can be saved with a fresh start; the history lists versions, runs and restores. Also: the generated UI client
// matches the OpenAPI document (scripts/gen-api-client.mjs --check), every API answer has a response schema, and
// store outputs take the changed-keys topic options (validated, naming the field); the supervisor's restarts appear
// in the history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import type { ConnectorLookup } from '../../src/engine/job-runner.js';
import type { ConnectorFactory, ScanSource, TableContext } from '../../src/engine/connector-api.js';
import { until } from '../support/until.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKENS = { generated: false, tokens: [{ token: 'tok-admin', role: 'admin' as const, name: 'a' }, { token: 'tok-viewer', role: 'viewer' as const, name: 'v' }] };
const H = { authorization: 'Bearer tok-admin' };
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const orders = (ids: number[]): object[] => ids.map((i) => ({ order_id: i, user_id: `u${i % 2}`, amount: i, ts: new Date(T0 + i * 1000).toISOString() }));
const SPEC = {
  name: 'spend', owner: 'growth', entityKey: ['user_id'], sources: ['orders'],
  sql: 'SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY user_id',
  options: { 'execution.checkpointing.interval': '200ms' },
};

async function withPlatform(fn: (app: FastifyInstance) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-upgrade-'));
  const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const kv = new EmbeddedKvStore({ path: path.join(dir, 'kv') });
  const { app } = await createPlatformServer({ dictionary: new Dictionary(store), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), tokens: TOKENS, baseDir: dir, servingStore: kv });
  try {
    const r = await app.inject({ method: 'POST', url: '/api/sources', headers: H, payload: { name: 'orders', samples: orders([1]) } });
    assert.equal(r.statusCode, 201, r.body);
    await fn(app);
  } finally {
    await app.close();
    await kv.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const call = async (app: FastifyInstance, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<{ status: number; body: any }> => {
  const r = await app.inject({ method, url, headers: H, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined };
};

/** user → [n, total] of the job's embedded output. */
const results = async (app: FastifyInstance): Promise<Record<string, unknown[]>> => {
  const b = (await call(app, 'GET', '/api/jobs/spend/results')).body as { rows: unknown[][] };
  return Object.fromEntries(b.rows.map((r) => [String(r[0]), r.slice(1)]));
};

test('generated UI client is up to date with the OpenAPI document (npm run gen:api)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'gen-api-client.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});

test('OpenAPI: every answer of every /api route has a response schema; shared shapes are named components', async () => {
  await withPlatform(async (app) => {
    const doc = (await call(app, 'GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }>; description?: string }> }>>; components: { schemas: Record<string, unknown> } };
    for (const n of ['JobSpec', 'JobStatus', 'UpgradeCheck', 'JobEvent', 'FeatureTable', 'FeatureAnswer', 'SourceDefinition', 'SourceStats', 'PreviewResult', 'Error']) {
      assert.ok(doc.components.schemas[n], `component ${n}`);
    }
    const missing: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      if (!['/api/sources', '/api/jobs', '/api/features', '/api/sql', '/api/catalog', '/api/stores'].some((x) => p.startsWith(x))) continue;
      for (const [m, op] of Object.entries(ops)) {
        const okAnswers = Object.entries(op.responses ?? {}).filter(([s]) => /^2/.test(s));
        if (okAnswers.length === 0) missing.push(`${m.toUpperCase()} ${p}: no 2xx response`);
        for (const [s, r] of okAnswers) if (s !== '204' && !r.content?.['application/json']?.schema) missing.push(`${m.toUpperCase()} ${p} ${s}: no schema`);
        if (!op.responses?.['400'] && !op.responses?.['404']) missing.push(`${m.toUpperCase()} ${p}: no error schema`);
      }
    }
    assert.deepEqual(missing, []);
  });
});

test('upgrade: a compatible version keeps the state; an incompatible one says why, is refused, and can start fresh; history records it', { timeout: 90_000 }, async () => {
  await withPlatform(async (app) => {
    assert.equal((await call(app, 'POST', '/api/sources/orders/events', orders([1, 2, 3]))).status, 200);
    assert.equal((await call(app, 'POST', '/api/jobs', SPEC)).status, 201);
    await until('3 orders counted', async () => { const r = await results(app); return r['u1']?.[0] === 2 && r['u0']?.[0] === 1 ? r : undefined; });
    await until('a checkpoint', async () => ((await call(app, 'GET', '/api/jobs/spend')).body.status.checkpoints >= 1 ? true : undefined));

    // Only the description changes: the same program, the state is kept.
    const v2 = { ...SPEC, description: 'spend per user' };
    const c1 = await call(app, 'POST', '/api/jobs/spend/upgrade-check', v2);
    assert.equal(c1.status, 200, JSON.stringify(c1.body));
    assert.deepEqual([c1.body.compatible, c1.body.reasons, c1.body.from, c1.body.to], [true, [], 1, 2]);
    assert.match(c1.body.checkpoint, /^chk-\d+\.bin$/);
    const u1 = await call(app, 'PUT', '/api/jobs/spend?mode=keep-state&expectedVersion=1', v2);
    assert.equal(u1.status, 200, JSON.stringify(u1.body));
    assert.equal(u1.body.job.version, 2);
    const st = (await call(app, 'GET', '/api/jobs/spend')).body.status;
    assert.equal(st.version, 2);
    assert.match(st.restoredFrom ?? '', /^chk-\d+\.bin$/, 'v2 resumed from the checkpoint of v1');
    // New events only: counts continue from the kept state (u1: orders 1, 3, 5 → 3; u0: 2, 4 → 2), none twice.
    assert.equal((await call(app, 'POST', '/api/sources/orders/events', orders([4, 5]))).status, 200);
    const r = await until('counts continue', async () => { const x = await results(app); return x['u1']?.[0] === 3 && x['u0']?.[0] === 2 ? x : undefined; });
    assert.deepEqual(r, { u1: [3, 9], u0: [2, 6] });

    // The SELECT changes: a different program; keep-state is refused with the reasons (409, field mode).
    const v3 = { ...v2, sql: 'SELECT user_id, COUNT(*) AS n, MAX(amount) AS top FROM orders GROUP BY user_id' };
    const c2 = await call(app, 'POST', '/api/jobs/spend/upgrade-check', v3);
    assert.equal(c2.body.compatible, false);
    assert.match(c2.body.reasons.join('\n'), /different program/);
    assert.match(c2.body.reasons.join('\n'), /result columns change: .*total.* → .*top/);
    const refused = await call(app, 'PUT', '/api/jobs/spend?mode=keep-state', v3);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.field, 'mode');
    assert.equal((await call(app, 'GET', '/api/jobs/spend')).body.job.version, 2, 'nothing saved');
    const fresh = await call(app, 'PUT', '/api/jobs/spend?mode=fresh', v3);
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    await until('v3 recomputed from the sources', async () => { const x = await results(app); return x['u1']?.[1] === 5 && x['u1']?.[0] === 3 ? x : undefined; });
    assert.equal((await call(app, 'GET', '/api/jobs/spend')).body.status.restoredFrom, undefined, 'a fresh start restores nothing');

    // Bad mode: 400 naming the field.
    const bad = await call(app, 'PUT', '/api/jobs/spend?mode=sometimes', v3);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /mode/);

    const h = (await call(app, 'GET', '/api/jobs/spend/history')).body as { versions: { version: number }[]; events: { kind: string; version: number; restoredFrom?: string }[] };
    assert.deepEqual(h.versions.map((v) => v.version), [1, 2, 3]);
    assert.deepEqual(h.events.map((e) => `${e.kind}@${e.version}`), ['created@1', 'start@1', 'upgrade@2', 'version@3']);
    assert.match(h.events[2]!.restoredFrom ?? '', /^chk-/);
  });
});

test('store outputs take the changed-keys topic options; bad values are 400 naming the option', { timeout: 60_000 }, async () => {
  await withPlatform(async (app) => {
    const out = (opts: Record<string, string>) => ({ ...SPEC, name: 'spend_store', outputs: [{ table: 'spend_store', kind: 'store', store: 'embedded-kv', options: opts }] });
    const okOpts = { 'changed-keys.topic': 'spend_changes', 'changed-keys.bootstrap-servers': '127.0.0.1:9', 'changed-keys.delivery-guarantee': 'exactly-once', 'changed-keys.transactional-id-prefix': 'freshet-spend' };
    const good = await call(app, 'POST', '/api/jobs/check', out(okOpts));
    assert.equal(good.status, 200, JSON.stringify(good.body));
    const bad = await call(app, 'POST', '/api/jobs/check', out({ ...okOpts, 'changed-keys.delivery-guarantee': 'twice' }));
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.equal(bad.body.error.field, 'outputs[0].options.changed-keys.delivery-guarantee');
    const unknown = await call(app, 'POST', '/api/jobs/check', out({ 'changed-keys.colour': 'x' }));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.field, 'outputs[0].options.changed-keys.colour');

    // The stores an output can write: the embedded default, then with the tables published there.
    const before = (await call(app, 'GET', '/api/stores')).body as { stores: { store: string; default: boolean; tables: string[] }[] };
    assert.deepEqual(before.stores.map((x) => [x.store, x.default, x.tables]), [['embedded-kv', true, []]]);
    assert.equal((await call(app, 'POST', '/api/jobs?start=false', out({}))).status, 201);
    const after = (await call(app, 'GET', '/api/stores')).body as { stores: { store: string; default: boolean; tables: string[] }[] };
    assert.deepEqual(after.stores.map((x) => [x.store, x.default, x.tables]), [['embedded-kv', true, ['spend_store']]]);
  });
});

test('history: the supervisor\'s automatic restarts and its giving up are recorded', { timeout: 60_000 }, async () => {
  const { default: Fastify } = await import('fastify');
  const { JobManager } = await import('../../src/server/platform/job-manager.js');
  const { registerPlatformRoutes } = await import('../../src/server/platform/platform-routes.js');
  const { addApiSchemas } = await import('../../src/server/platform/api-schemas.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-history-'));
  const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const dictionary = new Dictionary(store);
  // Every poll of the embedded-log source fails: the supervisor restarts the run twice, then marks it failed.
  const broken = (base: ConnectorLookup): ConnectorLookup => ({
    get(id: string): ConnectorFactory | undefined {
      const fac = base.get(id);
      if (id !== 'embedded-log' || !fac?.createSource) return fac;
      const createSource = (ctx: TableContext): ScanSource => {
        const inner = fac.createSource!(ctx);
        return { bounded: inner.bounded, open: (p) => inner.open(p), poll: async () => { throw new Error('boom: the source broke'); }, position: () => inner.position(), close: () => inner.close() };
      };
      return Object.assign(Object.create(fac) as ConnectorFactory, { createSource });
    },
  });
  const jobs = new JobManager({
    dictionary, logDir: path.join(dir, 'log'), root: path.join(dir, 'platform'), kvPath: path.join(dir, 'kv'), baseDir: dir,
    restartPolicy: { initialMs: 20, maxMs: 40, multiplier: 2, limit: 2, windowMs: 60_000 }, connectors: broken, instanceId: 'history-test',
  });
  const app = Fastify();
  addApiSchemas(app);
  registerPlatformRoutes(app, { dictionary, jobs, logDir: path.join(dir, 'log'), baseDir: dir, tokens: { generated: false, tokens: [] } });
  try {
    await dictionary.create({ name: 'orders', samples: orders([1]) });
    const r = await app.inject({ method: 'POST', url: '/api/jobs', payload: SPEC });
    assert.equal(r.statusCode, 201, r.body);
    const h = await until('failed after the restarts', async () => {
      const b = JSON.parse((await app.inject({ method: 'GET', url: '/api/jobs/spend/history' })).body) as { events: { kind: string; note?: string }[] };
      return b.events.some((e) => e.kind === 'failed') ? b : undefined;
    });
    assert.deepEqual(h.events.map((e) => e.kind), ['created', 'start', 'auto-restart', 'auto-restart', 'failed']);
    assert.match(h.events[2]!.note ?? '', /attempt 1: .*boom/);
  } finally {
    await app.close();
    await jobs.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
