/**
 * Offline work from the platform (inject-based, embedded store): a tiled feature job over a source that lost two
 * orders; the source's offline twin is registered in the data dictionary (no twin is passed by the caller).
 *   - writes need the editor role (a viewer gets 403);
 *   - PUT policy sets threshold and autoCorrect;
 *   - POST check answers 202 with a task, a second start while it runs is 409; the task reports progress and ends
 *     with the check, and (policy autoCorrect) the correction of the two affected users, audited as the policy's;
 *     served values then equal the offline truth;
 *   - POST backfill and POST correct run as tasks too; GET tasks lists them newest first;
 *   - a feature whose source has no twin is a 400 (OFF004) before any task starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BatchErrors } from '../../src/batch/batch-error-codes.js';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const order = (i: number): { order_id: number; user_id: string; amount: number; ts: string } =>
  ({ order_id: i, user_id: `u${i % 5}`, amount: i + 0.5, ts: new Date(T0 + i * 1000).toISOString() });
const ALL = [...Array.from({ length: 40 }, (_, i) => i + 1), 100];
const LOST = new Set([7, 13]);
const JOB_SQL = `SELECT user_id, COUNT(*) OVER w AS orders_1m, SUM(amount) OVER w AS amount_1m FROM orders
WINDOW w AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW)`;

interface Task { id: string; table: string; kind: string; state: string; phase: string; progress: { read: number; total: number }; result: unknown; error: { code: string } | null; by: string }

async function poll<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('offline tasks on the platform: policy, check with automatic correction, backfill, correct, 409, roles', { timeout: 90_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-offline-routes-'));
  const dict = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const kv = new EmbeddedKvStore({ path: path.join(dir, 'kv') });
  const { app } = await createPlatformServer({
    dictionary: new Dictionary(dict), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), baseDir: dir,
    tokens: { generated: false, tokens: [{ token: 'view', role: 'viewer', name: 'v' }, { token: 'edit', role: 'editor', name: 'ed' }, { token: 'adm', role: 'admin', name: 'a' }] },
    servingStore: kv,
  });
  const call = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, token = 'edit'): Promise<{ status: number; body: T }> => {
    const r = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { payload: body as object } : {}) });
    return { status: r.statusCode, body: (r.body ? JSON.parse(r.body) : undefined) as T };
  };
  try {
    // The twin: every order, as JSON lines; registered on the source in the dictionary.
    const twin = path.join(dir, 'orders-history.jsonl');
    writeFileSync(twin, ALL.map((i) => JSON.stringify({ ...order(i), ts: new Date(T0 + i * 1000).toISOString().replace('T', ' ').replace('Z', '') })).join('\n') + '\n');
    let r = await call('POST', '/api/sources', { name: 'orders', samples: [order(1), order(2)], offline: { format: 'json', path: twin } }, 'adm');
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await call('POST', '/api/sources', { name: 'clicks', samples: [{ user_id: 'u1', ts: new Date(T0).toISOString() }] }, 'adm');
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await call('POST', '/api/sources/orders/events', ALL.filter((i) => !LOST.has(i)).map(order));
    assert.ok(r.status < 300, JSON.stringify(r.body));
    r = await call('POST', '/api/jobs', { name: 'recent', owner: 'growth', entityKey: ['user_id'], sources: ['orders'], sql: JOB_SQL, outputs: [{ table: 'recent_orders', kind: 'store', store: 'embedded-kv' }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await call('POST', '/api/jobs?start=false', {
      name: 'clicky', owner: 'growth', entityKey: ['user_id'], sources: ['clicks'], outputs: [{ table: 'recent_clicks', kind: 'store', store: 'embedded-kv' }],
      sql: `SELECT user_id, COUNT(*) OVER w AS clicks_1m FROM clicks WINDOW w AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW)`,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const T = T0 + 40_500;
    const total = async (at: number): Promise<number> => {
      const a = await call<{ results: { values: Record<string, unknown> }[] }>('GET', `/api/features/recent_orders?key=u0&key=u1&key=u2&key=u3&key=u4&at=${at}`);
      return a.status === 200 ? a.body.results.reduce((n, x) => n + Number(x.values['orders_1m'] ?? 0), 0) : -1;
    };
    await poll('the job to write every order', async () => ((await total(T)) === 38 && (await total(T0 + 100_000)) === 1 ? true : undefined));

    // Roles: a viewer may read but not start work or set the policy.
    assert.equal((await call('POST', '/api/offline/features/recent_orders/check', { at: T }, 'view')).status, 403);
    assert.equal((await call('PUT', '/api/offline/features/recent_orders/policy', { autoCorrect: true }, 'view')).status, 403);
    assert.equal((await call('GET', '/api/offline/features/recent_orders/tasks', undefined, 'view')).status, 200);
    // Unknown table, no twin.
    assert.equal((await call('POST', '/api/offline/features/nope/check', { at: T })).status, 404);
    const noTwin = await call<{ error: { code: string } }>('POST', '/api/offline/features/recent_clicks/backfill', {});
    assert.equal(noTwin.status, 400);
    assert.equal(noTwin.body.error.code, BatchErrors.NoTwin);
    // Bad bodies are 400.
    assert.equal((await call('PUT', '/api/offline/features/recent_orders/policy', { threshold: 2 })).status, 400);

    // --- policy: alert above 5%, correct automatically ------------------------------------------------------------
    const pol = await call<{ threshold: number; autoCorrect: boolean }>('PUT', '/api/offline/features/recent_orders/policy', { threshold: 0.05, autoCorrect: true });
    assert.equal(pol.status, 200);
    assert.deepEqual(pol.body, { threshold: 0.05, autoCorrect: true });

    // --- a check as a task; a second start while it runs is refused -----------------------------------------------
    const both = await Promise.all([1, 2].map(() => call<Task & { error: { code: string } }>('POST', '/api/offline/features/recent_orders/check', { at: T })));
    assert.deepEqual(both.map((x) => x.status).sort(), [202, 409], 'one task per table at a time');
    const started = both.find((x) => x.status === 202)!;
    assert.equal(both.find((x) => x.status === 409)!.body.error.code, BatchErrors.TaskBusy);
    assert.equal(started.body.kind, 'check');
    assert.equal(started.body.by, 'ed');
    const done = await poll('the check task', async () => {
      const t = await call<Task>('GET', `/api/offline/tasks/${encodeURIComponent(started.body.id)}`);
      return t.body.state === 'running' ? undefined : t.body;
    });
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.ok(done.progress.total > 0 && done.progress.read === done.progress.total, `progress ${JSON.stringify(done.progress)}`);
    const res = done.result as { check: { affected: string[]; alert: boolean; id: string }; correction: { trigger: string; reason: string; checkId: string; keysChanged: number } | null };
    assert.deepEqual(res.check.affected, ['u2', 'u3']);
    assert.equal(res.check.alert, true);
    assert.ok(res.correction !== null, 'the policy corrected');
    assert.equal(res.correction.trigger, 'policy');
    assert.equal(res.correction.reason, 'policy');
    assert.equal(res.correction.checkId, res.check.id);
    assert.equal(res.correction.keysChanged, 2);
    // Serving's fused view caches the fusion record for up to 1 s.
    await poll('serving to answer the offline truth after the policy correction', async () => ((await total(T)) === 40 ? true : undefined), 5000);
    const checks = await call<{ audit: { trigger: string; checkId: string }[]; fusion: { reason: string } }>('GET', '/api/features/recent_orders/checks', undefined, 'view');
    assert.equal(checks.body.audit.length, 1);
    assert.equal(checks.body.audit[0]!.trigger, 'policy');
    assert.equal(checks.body.fusion.reason, 'correction');

    // --- backfill and correct as tasks -----------------------------------------------------------------------------
    const bf = await call<Task>('POST', '/api/offline/features/recent_orders/backfill', {});
    assert.equal(bf.status, 202, JSON.stringify(bf.body));
    const bfDone = await poll('the backfill task', async () => {
      const t = await call<Task>('GET', `/api/offline/tasks/${encodeURIComponent(bf.body.id)}`);
      return t.body.state === 'running' ? undefined : t.body;
    });
    assert.equal(bfDone.state, 'succeeded', JSON.stringify(bfDone.error));
    const fusion = bfDone.result as { boundary: number; reason: string; generation: number };
    assert.equal(fusion.reason, 'backfill');
    assert.equal(fusion.generation, 2);
    assert.equal(await total(T), 40);

    const co = await call<Task>('POST', '/api/offline/features/recent_orders/correct', { at: T, reason: 'replayed upstream' });
    assert.equal(co.status, 202, JSON.stringify(co.body));
    const coDone = await poll('the correct task', async () => {
      const t = await call<Task>('GET', `/api/offline/tasks/${encodeURIComponent(co.body.id)}`);
      return t.body.state === 'running' ? undefined : t.body;
    });
    assert.equal(coDone.state, 'succeeded', JSON.stringify(coDone.error));
    const audit = coDone.result as { trigger: string; reason: string; by: string };
    assert.deepEqual([audit.trigger, audit.reason, audit.by], ['manual', 'replayed upstream', 'ed']);

    const list = await call<Task[]>('GET', '/api/offline/features/recent_orders/tasks', undefined, 'view');
    assert.deepEqual(list.body.map((t) => t.kind), ['correct', 'backfill', 'check']);
    assert.equal((await call('GET', '/api/offline/tasks/none', undefined, 'view')).status, 404);
  } finally {
    await app.close();
    await dict.close();
    await kv.close();
    await rm(dir, { recursive: true, force: true });
  }
});
