// Registering a Kafka topic as a data source in the web UI (Debian's Chromium, playwright-core): choose "Kafka
// topic", sample the live topic to infer its schema, add a secret client property, register; the dictionary holds
// the kafka source with its connection, and the secret is never returned (not by the API, not on the page). Skips
// without Chromium or without a Kafka client and broker (FRESHET_REQUIRE_BROWSER / FRESHET_REQUIRE_KAFKA make
// those failures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce } from '../integration/kafka/kafka-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'kafka-ui-token';
const noBrowser = !existsSync(CHROMIUM) && process.env['FRESHET_REQUIRE_BROWSER'] !== '1' ? `${CHROMIUM} is missing` : false;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < timeoutMs) {
    try { const v = await fn(); if (v !== undefined && v !== false) return v; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

test('data sources page: register a Kafka topic from a sample of the live topic; its secret is never shown', { skip: noBrowser, timeout: 120_000 }, async (t) => {
  const skip = await kafkaSkipReason();
  if (skip) { t.skip(skip); return; }
  if (!existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) {
    const b = spawnSync(process.execPath, [path.join(ROOT, 'web', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, `web build failed: ${b.stderr}`);
  }
  const topic = freshTopic('ui_payments');
  await createTopic(topic, 2);
  await produce(topic, Array.from({ length: 20 }, (_, i) => ({ value: JSON.stringify({ payment_id: i, user_id: `u${i % 3}`, amount: i + 0.25, ts: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString() }), partition: i % 2 })));

  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-kafka-ui-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  let stderr = '';
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    server = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'start', '--port', String(port), '--no-build'], {
      cwd: ROOT, env: { ...process.env, FRESHET_DATA_DIR: path.join(dir, 'data'), FRESHET_API_TOKEN: TOKEN }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    await waitFor('GET /healthz', async () => (await fetch(`${url}/healthz`)).status === 200, 60_000).catch((e: unknown) => { throw new Error(`${String(e)}\n${stderr}`); });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${url}/#token=${TOKEN}`);
    await page.getByRole('heading', { name: 'Data sources' }).waitFor();

    await page.getByLabel('source name').fill('payments');
    await page.getByLabel('source kind').selectOption('kafka');
    await page.getByLabel('kafka bootstrap servers').fill(BOOTSTRAP);
    await page.getByLabel('kafka topic').fill(topic);
    await page.getByRole('button', { name: 'Sample the live topic' }).click();
    await page.getByRole('heading', { name: 'Inferred schema' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByLabel('type of amount').inputValue(), 'DOUBLE');
    assert.equal(await page.getByLabel('event time column').first().inputValue(), 'ts');
    await page.getByLabel('kafka secret properties').fill('sasl.password=s3cret-value');
    await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', 'sources-register-kafka.png') });
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByTestId('sources-table').getByRole('link', { name: 'payments' }).waitFor();

    const r = await fetch(`${url}/api/sources/payments`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = await r.text();
    assert.equal(r.status, 200, body);
    assert.ok(!body.includes('s3cret-value'), 'the secret is never returned');
    const src = (JSON.parse(body) as { source: { kind: string; connection: { bootstrapServers: string; topic: string; secrets: Record<string, string> } }; ddl: string });
    assert.deepEqual([src.source.kind, src.source.connection.bootstrapServers, src.source.connection.topic], ['kafka', BOOTSTRAP, topic]);
    assert.deepEqual(Object.keys(src.source.connection.secrets), ['sasl.password']);
    assert.match(src.ddl, /'connector' = 'kafka'/);

    await page.getByTestId('sources-table').getByRole('link', { name: 'payments' }).click();
    await page.getByRole('heading', { name: /Source payments/ }).waitFor();
    assert.ok(!(await page.content()).includes('s3cret-value'), 'the page never shows the secret');
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      const exited = new Promise((res) => server!.once('exit', res));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((res) => setTimeout(res, 5000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  }
});
