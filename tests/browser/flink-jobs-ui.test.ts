// The jobs page's "Flink jobs" table (Debian's Chromium, playwright-core) against a stand-in for Flink's REST API
// (the few endpoints the platform reads), so it runs without a cluster: the platform started with FRESHET_FLINK_URL
// lists the cluster's jobs with state badges and links to Flink's web UI; an editor cancels a running job; when the
// cluster stops answering the table says so. Skips without Chromium (FRESHET_REQUIRE_BROWSER=1 makes that a failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, SHOTS, browserSkip, ensureWebBuild, freePort, startPlatform, waitFor, type PlatformProcess } from './browser-rig.js';

const TOKEN = 'flink-ui-token';
const RUNNING_ID = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const FAILED_ID = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A stand-in for a Flink JobManager's REST API with two jobs; PATCH ?mode=cancel cancels one. */
function fakeFlink(): { server: Server; states: Map<string, string> } {
  const states = new Map([[RUNNING_ID, 'RUNNING'], [FAILED_ID, 'FAILED']]);
  const names: Record<string, string> = { [RUNNING_ID]: 'orders_per_user', [FAILED_ID]: 'broken_job' };
  const job = (id: string): Record<string, unknown> => {
    const state = states.get(id)!;
    const ended = state !== 'RUNNING';
    return {
      jid: id, name: names[id], state, 'start-time': T0, 'end-time': ended ? T0 + 90_000 : -1, duration: 90_000,
      vertices: [
        { id: 'v1', name: 'Source: orders', parallelism: 1, status: state, metrics: { 'read-records': 1234, 'write-records': 1200 } },
        { id: 'v2', name: 'GroupAggregate -> Sink', parallelism: 1, status: state, metrics: { 'read-records': 1200, 'write-records': 0 } },
      ],
      plan: { nodes: [{ id: 'v1' }, { id: 'v2', inputs: [{ id: 'v1' }] }] },
    };
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const send = (code: number, body: unknown): void => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    const m = /^\/jobs\/([0-9a-f]{32})(\/checkpoints|\/exceptions)?$/.exec(url.pathname);
    if (url.pathname === '/jobs/overview') return send(200, { jobs: [...states.keys()].map((id) => { const { vertices: _v, plan: _p, ...o } = job(id); return o; }) });
    if (!m || !states.has(m[1]!)) return send(404, { errors: ['Job not found'] });
    const id = m[1]!;
    if (req.method === 'PATCH' && url.searchParams.get('mode') === 'cancel') { states.set(id, 'CANCELED'); return send(202, {}); }
    if (m[2] === '/checkpoints') return send(200, { counts: { restored: 0, total: 7, in_progress: 0, completed: 6, failed: 1 }, latest: { completed: { id: 6, external_path: 'file:/cp/chk-6', latest_ack_timestamp: T0 + 60_000 } } });
    if (m[2] === '/exceptions') return send(200, { exceptionHistory: { entries: [] } });
    return send(200, job(id));
  });
  return { server, states };
}

test('jobs page: the Flink cluster\'s jobs with badges and links; an editor cancels one; an unreachable cluster is shown', { skip: browserSkip, timeout: 120_000 }, async () => {
  ensureWebBuild();
  const { chromium } = await import('playwright-core');
  const flink = fakeFlink();
  const flinkPort = await freePort();
  await new Promise<void>((r) => flink.server.listen(flinkPort, '127.0.0.1', r));
  const flinkUrl = `http://127.0.0.1:${flinkPort}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-flink-ui-'));
  const saved = process.env['FRESHET_FLINK_URL'];
  let server: PlatformProcess | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    process.env['FRESHET_FLINK_URL'] = flinkUrl; // startPlatform passes the environment to `freshet start`
    server = await startPlatform(dir, TOKEN);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${server.url}/#token=${TOKEN}`);
    // The app stores the token and replaces the address with #/sources; leaving before it did (a slow start on a
    // loaded machine) would lose the token, and every request would then be refused.
    await page.waitForURL(/#\/sources$/);
    await page.goto(`${server.url}/#/jobs`);
    const table = page.getByTestId('flink-jobs-table');
    await table.getByRole('link', { name: 'orders_per_user' }).waitFor({ timeout: 60_000 });
    assert.equal(await table.getByRole('link', { name: 'orders_per_user' }).getAttribute('href'), `${flinkUrl}/#/job/running/${RUNNING_ID}/overview`);
    assert.equal(await table.getByRole('link', { name: 'broken_job' }).getAttribute('href'), `${flinkUrl}/#/job/completed/${FAILED_ID}/overview`);
    const running = table.locator('tr', { hasText: 'orders_per_user' });
    assert.equal(await running.getByTestId('flink-job-state').textContent(), 'RUNNING');
    assert.match((await running.getByTestId('flink-job-state').getAttribute('class')) ?? '', /state-running/);
    assert.match((await table.locator('tr', { hasText: 'broken_job' }).getByTestId('flink-job-state').getAttribute('class')) ?? '', /state-failed/);
    assert.match((await running.textContent()) ?? '', /1234/, 'records read by the source');
    assert.match((await running.textContent()) ?? '', /6 \(1 failed\)/, 'checkpoints');
    await page.screenshot({ path: path.join(SHOTS, 'flink-jobs.png') });

    // The token is an admin's: the running job has Stop and Cancel; the failed one has neither.
    assert.equal(await table.locator('tr', { hasText: 'broken_job' }).getByRole('button').count(), 0);
    await running.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('flink-note').filter({ hasText: `Canceled ${RUNNING_ID} (CANCELED)` }).waitFor();
    assert.equal(flink.states.get(RUNNING_ID), 'CANCELED');
    await waitFor('the canceled state on the page', async () => (await running.getByTestId('flink-job-state').textContent()) === 'CANCELED');

    // The cluster goes away: the page says it cannot reach it, naming the address.
    await new Promise<void>((r) => { flink.server.close(() => r()); flink.server.closeAllConnections(); });
    const err = page.getByTestId('flink-error');
    await err.waitFor({ timeout: 20_000 });
    assert.match((await err.textContent()) ?? '', new RegExp(`no Flink cluster answers at ${flinkUrl.replace(/\./g, '\\.')}`));
    await waitFor('no stale rows under the error', async () => (await table.getByRole('link').count()) === 0);
    assert.deepEqual(errors, []);
  } finally {
    if (saved === undefined) delete process.env['FRESHET_FLINK_URL']; else process.env['FRESHET_FLINK_URL'] = saved;
    await browser?.close();
    await server?.stop();
    flink.server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
