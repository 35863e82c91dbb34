// The feature checks page in a real browser (Debian's Chromium driven by playwright-core), after real checks ran:
// a platform (in-process, embedded online store) runs a tiled feature job over a source that lost two of its
// orders; two checks recompute the feature from the offline twin (every order) and report the two affected users;
// a correction moves the fusion boundary. GET /api/features/{table}/checks answers all of it through its schema
// (nothing dropped by serialization), and the page #/checks/<table> shows the last check's rates against the
// threshold, the per-column relative errors, the worst keys, the fusion boundary, the history and the audit. Then,
// with the twin registered on the source in the data dictionary, the page's policy form and its check and backfill
// buttons run offline work as platform tasks, followed to completion.
// Saves docs/screenshots/feature-checks.png. Skips when /usr/bin/chromium is missing unless FRESHET_REQUIRE_BROWSER=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';
import { runCheck, setCheckPolicy, type CheckResult } from '../../src/batch/check.js';
import { correct } from '../../src/batch/correct.js';
import { readersFor } from '../batch/offline-helpers.js';
import { CHROMIUM, ROOT, SHOTS, browserSkip as skip, waitFor } from './browser-rig.js';

const TOKEN = 'checks-ui-token';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
interface Order { order_id: number; user_id: string; amount: number; ts: string }
const order = (i: number): Order => ({ order_id: i, user_id: `u${i % 5}`, amount: i + 0.5, ts: new Date(T0 + i * 1000).toISOString() });
/** Orders 1..40, and 100 (which moves the stream's watermark past the correction's boundary). */
const ALL = [...Array.from({ length: 40 }, (_, i) => i + 1), 100];
/** Lost between the source and the engine: u2 and u3 each miss one order. */
const LOST = new Set([7, 13]);

const JOB_SQL = `SELECT user_id, COUNT(*) OVER w AS orders_1m, SUM(amount) OVER w AS amount_1m FROM orders
WINDOW w AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW)`;

/** The same feature as a standalone script for the offline path (the stream's connector is swapped for the twin). */
const featureScript = (kv: string): string => `
CREATE TABLE orders (order_id BIGINT, user_id STRING, amount DOUBLE, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json');
CREATE TABLE recent_orders (user_id STRING NOT NULL, orders_1m BIGINT, amount_1m DOUBLE, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'embedded-kv', 'path' = '${kv}');
INSERT INTO recent_orders
${JOB_SQL};`;

/**
 * The built UI is missing or older than a source file of it. Rebuilt only then: other browser tests may be serving
 * web/dist at the same time, and the build starts by removing it.
 */
function uiStale(): boolean {
  const built = path.join(ROOT, 'web', 'dist', 'assets', 'app.js');
  if (!existsSync(built)) return true;
  const at = statSync(built).mtimeMs;
  const newer = (d: string): boolean => readdirSync(d, { withFileTypes: true }).some((e) =>
    (e.isDirectory() ? newer(path.join(d, e.name)) : statSync(path.join(d, e.name)).mtimeMs > at));
  return newer(path.join(ROOT, 'web', 'src'));
}

const pct = (x: number): string => `${(x * 100).toPrecision(3)}%`;

test('feature checks page: last check, worst keys, fusion boundary, history and correction audit', { skip, timeout: 120_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing but FRESHET_REQUIRE_BROWSER=1`);
  if (uiStale()) {
    const b = spawnSync(process.execPath, [path.join(ROOT, 'web', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, `web build failed: ${b.stderr}`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-checks-ui-'));
  const kvPath = path.join(dir, 'kv');
  const kv = new EmbeddedKvStore({ path: kvPath });
  const dict = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const { app } = await createPlatformServer({
    dictionary: new Dictionary(dict), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), baseDir: dir,
    tokens: { generated: false, tokens: [{ token: TOKEN, role: 'admin', name: 'ops' }] }, servingStore: kv, uiDir: path.join(ROOT, 'web', 'dist'),
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const call = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}${p}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const t = await r.text();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${t}`);
    return (t ? JSON.parse(t) : undefined) as T;
  };
  let close = async (): Promise<void> => undefined;
  try {
    // --- the online side: a source missing two orders, a tiled feature job into the embedded store ------------------
    await call('POST', '/api/sources', { name: 'orders', samples: [order(1), order(2)] });
    await call('POST', '/api/sources/orders/events', ALL.filter((i) => !LOST.has(i)).map(order));
    await call('POST', '/api/jobs', { name: 'recent', owner: 'growth', entityKey: ['user_id'], sources: ['orders'], sql: JOB_SQL, outputs: [{ table: 'recent_orders', kind: 'store', store: 'embedded-kv' }] });
    const T = T0 + 40_500;
    const total = async (at: number): Promise<number> => {
      const a = await call<{ results: { values: Record<string, unknown> }[] }>('GET', `/api/features/recent_orders?key=u0&key=u1&key=u2&key=u3&key=u4&at=${at}`);
      return a.results.reduce((n, r) => n + Number(r.values['orders_1m'] ?? 0), 0);
    };
    await waitFor('the job to write every order', async () => (await total(T)) === 38 && (await total(T0 + 100_000)) === 1, 20_000, 150);

    // --- the offline side: every order in a JSON-lines twin; two checks and a correction -------------------------------
    const twin = path.join(dir, 'orders-history.jsonl');
    writeFileSync(twin, ALL.map((i) => JSON.stringify({ ...order(i), ts: new Date(T0 + i * 1000).toISOString().replace('T', ' ').replace('Z', '') })).join('\n') + '\n');
    const src = { script: featureScript(kvPath), feature: 'recent_orders', baseDir: dir, twins: { orders: { format: 'json' as const, path: twin } } };
    const readers = readersFor(kv);
    await setCheckPolicy(kv, 'recent_orders', { threshold: 0.05 });
    await runCheck({ ...src, store: kv, readers, at: T - 25_000 });
    const check: CheckResult = await runCheck({ ...src, store: kv, readers, at: T });
    assert.deepEqual(check.affected, ['u2', 'u3'], 'the users whose orders were lost');
    assert.equal(check.mismatchRate, 2 / 5);
    assert.equal(check.alert, true);
    const fix = await correct({ ...src, store: kv, readers, check, reason: 'orders 7 and 13 lost upstream', by: 'ops' });
    assert.equal(fix.audit.keysChanged, 2);

    // --- the API answers everything through its response schema ------------------------------------------------------
    const api = await call<{ last: { mismatchRate: number; threshold: number; alert: boolean }; fusion: { boundary: number; reason: string }; checks: CheckResult[]; audit: { changes: { key: string; old: unknown; new: unknown }[]; by: string; checkId: string }[]; policy: { threshold: number } }>('GET', '/api/features/recent_orders/checks');
    assert.deepEqual(api.checks[1], check, 'a check survives serialization whole (worst keys with served and truth values)');
    assert.deepEqual(api.last, { table: 'recent_orders', at: T, checkedAt: check.checkedAt, mismatchRate: 0.4, missingRate: 0, extraRate: 0, threshold: 0.05, alert: true });
    assert.equal(api.fusion.boundary, fix.audit.boundaryAfter);
    assert.equal(api.fusion.reason, 'correction');
    assert.deepEqual(api.audit, [fix.audit]);
    assert.deepEqual(api.policy, { threshold: 0.05, autoCorrect: false });

    // --- the page ----------------------------------------------------------------------------------------------------
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    close = () => context.close();
    const page = context.pages()[0] ?? await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${url}/#token=${TOKEN}`);
    await page.waitForSelector('nav');
    await page.goto(`${url}/#/checks/recent_orders`);
    await page.waitForSelector('[data-testid=last-check]');
    assert.equal((await page.textContent('[data-testid=mismatch-rate] b'))?.trim(), pct(0.4));
    assert.equal((await page.textContent('[data-testid=threshold] b'))?.trim(), pct(0.05));
    assert.equal((await page.textContent('[data-testid=check-alert]'))?.trim(), 'above threshold');
    const worst = await page.$$eval('[data-testid=worst-keys] tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.deepEqual(new Set(worst.map((r) => r[0])), new Set(['u2', 'u3']));
    const w0 = check.worstKeys[0]!;
    assert.deepEqual(worst[0]!.slice(0, 4), [w0.key, w0.column, String(w0.served), String(w0.truth)]);
    const cols = await page.$$eval('[data-testid=check-columns] tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(cols, ['orders_1m', 'amount_1m']);
    assert.match((await page.textContent('[data-testid=fusion-boundary]')) ?? '', new RegExp(new Date(fix.audit.boundaryAfter).toISOString().slice(0, 19).replace('T', ' ')));
    assert.equal(await page.locator('[data-testid=check-history] tbody tr').count(), 2);
    const audit = (await page.textContent('[data-testid=correction-audit]')) ?? '';
    assert.match(audit, /orders 7 and 13 lost upstream · by ops/);
    assert.match(audit, /2 keys changed/);

    // --- offline work from the page: the twin is now registered on the source in the data dictionary ------------------
    await call('PUT', '/api/sources/orders', { offline: { format: 'json', path: twin } });
    await page.fill('[data-testid=policy-threshold]', '10');
    await page.check('[data-testid=policy-autocorrect]');
    await page.click('[data-testid=policy-save]');
    await page.waitForSelector('[data-testid=policy-saved]');
    assert.deepEqual((await call<{ policy: unknown }>('GET', '/api/features/recent_orders/checks')).policy, { threshold: 0.1, autoCorrect: true });
    await page.fill('[data-testid=check-at]', new Date(T).toISOString().slice(0, 23));
    await page.click('[data-testid=run-check]');
    await page.waitForSelector('[data-testid=offline-task][data-kind=check][data-state=succeeded]', { timeout: 30_000 });
    await waitFor('the page to show the new check', async () => (await page.locator('[data-testid=check-history] tbody tr').count()) === 3, 10_000, 200);
    const after = (await call<{ checks: CheckResult[] }>('GET', '/api/features/recent_orders/checks')).checks;
    assert.equal(after.length, 3);
    assert.equal(after[2]!.at, T);
    assert.deepEqual(after[2]!.affected, [], 'clean after the correction');
    await page.click('[data-testid=run-backfill]');
    await page.waitForSelector('[data-testid=offline-task][data-kind=backfill][data-state=succeeded]', { timeout: 30_000 });
    await waitFor('the page to show the backfill', async () => /set by\s*backfill/i.test((await page.textContent('[data-testid=fusion]')) ?? ''), 15_000, 200);
    await page.screenshot({ path: path.join(SHOTS, 'feature-checks.png'), fullPage: true });
    // The features catalog links to the page.
    await page.goto(`${url}/#/features/recent`);
    await page.waitForSelector('[data-testid=checks-link]');
    assert.equal(await page.getAttribute('[data-testid=checks-link]', 'href'), '#/checks/recent_orders');
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await app.close();
    await dict.close();
    await kv.close();
    await rm(dir, { recursive: true, force: true });
  }
});
