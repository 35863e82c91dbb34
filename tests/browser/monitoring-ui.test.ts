// The monitoring and alerting pages in a real browser (Debian's Chromium driven by playwright-core): `freshet start`
// on a free port with a deployed store-output job; the monitoring page lists the job with its figures, the job's
// page draws live charts, a built-in rule tuned through the alerts page fires (no input) and shows in the active
// table and the history, and a webhook added in the page is listed with its URL masked. Saves screenshots to
// docs/screenshots/. Skips when /usr/bin/chromium is missing unless FRESHET_REQUIRE_BROWSER=1 (CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, SHOTS, browserSkip as skip, ensureWebBuild, launchBrowser, startPlatform, waitFor, type PlatformProcess } from './browser-rig.js';

const TOKEN = 'monitoring-test-token';

test('monitoring UI: job figures, live charts, a firing alert with history, a masked webhook', { skip, timeout: 180_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing but FRESHET_REQUIRE_BROWSER=1`);
  ensureWebBuild();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-monitoring-ui-'));
  let server: PlatformProcess | undefined;
  const ctx = { close: async (): Promise<void> => undefined };
  try {
    server = await startPlatform(dir, TOKEN);
    const { url, call } = server;
    const t0 = Date.UTC(2025, 0, 1, 12, 0, 0);
    const orders = (ids: number[]): object[] => ids.map((i) => ({ order_id: i, user_id: `u${i % 3}`, amount: i + 0.5, ts: new Date(t0 + i * 1000).toISOString() }));
    await call('POST', '/api/sources', { name: 'orders', samples: orders([1, 2]) });
    await call('POST', '/api/sources', { name: 'clicks', samples: [{ user_id: 'u1', ts: new Date(t0).toISOString() }] });
    await call('POST', '/api/sources/orders/events', orders([1, 2, 3, 4, 5]));
    await call('POST', '/api/jobs', {
      name: 'spend', owner: 'growth', entityKey: ['user_id'], sources: ['orders'],
      sql: 'SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY user_id',
      outputs: [{ table: 'user_spend', kind: 'store', store: 'embedded-kv' }], options: { 'execution.checkpointing.interval': '1s' },
    });
    // A job on a source that never gets events: the no-input rule (tuned below in the page) fires for it.
    await call('POST', '/api/jobs', { name: 'click_count', owner: 'growth', entityKey: ['user_id'], sources: ['clicks'], sql: 'SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id' });
    // A trickle of events keeps the charts moving.
    let next = 6;
    const trickle = setInterval(() => { void call('POST', '/api/sources/orders/events', orders([next++, next++])).catch(() => undefined); }, 500);

    const context = await launchBrowser(dir, { width: 1280, height: 900 });
    ctx.close = async () => { clearInterval(trickle); await context.close(); };
    const page = context.pages()[0] ?? await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    const shot = async (name: string): Promise<void> => { await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }); };

    await page.goto(`${url}/#token=${TOKEN}`);
    await page.getByRole('heading', { name: 'Data sources' }).waitFor();
    await page.getByRole('link', { name: 'Monitoring' }).click();
    await page.getByRole('heading', { name: 'Monitoring' }).waitFor();
    const row = page.getByTestId('monitoring-jobs').getByRole('row').filter({ hasText: 'spend' });
    await waitFor('spend figures', async () => {
      const cells = await row.getByRole('cell').allTextContents();
      return cells.length > 4 && Number(cells[4]!.replace(/,/g, '')) >= 5 ? cells : undefined;
    });
    assert.equal(await row.locator('.badge').textContent(), 'up');
    await call('GET', '/api/features/user_spend?key=u1');
    await waitFor('serving row', async () => (await page.getByTestId('monitoring-serving').textContent())?.includes('user_spend'));
    await shot('monitoring');

    await row.getByRole('link', { name: 'spend' }).click();
    await page.getByRole('heading', { name: /Monitoring: spend/ }).waitFor();
    await page.getByTestId('chart-records').locator('canvas').waitFor();
    await waitFor('several charts with data', async () => (await page.getByTestId('job-charts').locator('canvas').count()) >= 8);
    assert.match(await page.getByTestId('chart-lag').textContent() ?? '', /no data yet/, 'no Kafka source: no lag chart');
    await waitFor('a few points', async () => (await page.getByTestId('chart-records').locator('.u-legend').textContent())?.includes('in'));
    await page.waitForTimeout(3000);
    await shot('monitoring-job');

    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    const noInput = page.getByTestId('rule-no-input');
    await noInput.waitFor();
    await noInput.getByLabel('threshold of no-input').fill('2');
    await noInput.getByRole('button', { name: 'Save' }).click();
    await waitFor('no-input alert firing', async () => (await page.getByTestId('alerts-active').textContent())?.includes('source clicks of job click_count delivered nothing'), 30_000);
    await waitFor('history', async () => (await page.getByTestId('alerts-history').textContent())?.includes('firing'));
    await page.getByLabel('webhook id').fill('ops');
    await page.getByLabel('webhook url').fill('https://hooks.example.com/services/SECRET');
    await page.getByLabel('webhook kind').selectOption('slack');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await waitFor('webhook listed', async () => (await page.getByTestId('alerts-webhooks').textContent())?.includes('ops'));
    assert.ok(!(await page.getByTestId('alerts-webhooks').textContent())!.includes('SECRET'), 'URL masked');
    await shot('alerts');
    const rules = await call('GET', '/api/alerts/rules') as { rules: { id: string; threshold: number }[] };
    assert.equal(rules.rules.find((r) => r.id === 'no-input')!.threshold, 2);
    assert.deepEqual(pageErrors, []);
  } finally {
    await ctx.close().catch(() => undefined);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
