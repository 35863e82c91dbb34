// Registering a Kafka topic as a data source in the web UI (Debian's Chromium, playwright-core): choose "Kafka
// topic", sample the live topic to infer its schema, add a secret client property, register; the dictionary holds
// the kafka source with its connection, and the secret is never returned (not by the API, not on the page). Skips
// without Chromium or without a Kafka client and broker (FRESHET_REQUIRE_BROWSER / FRESHET_REQUIRE_KAFKA make
// those failures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce } from '../integration/kafka/kafka-helpers.js';
import { CHROMIUM, SHOTS, ensureWebBuild, startPlatform, type PlatformProcess } from './browser-rig.js';

const TOKEN = 'kafka-ui-token';
const noBrowser = !existsSync(CHROMIUM) && process.env['FRESHET_REQUIRE_BROWSER'] !== '1' ? `${CHROMIUM} is missing` : false;

test('data sources page: register a Kafka topic from a sample of the live topic; its secret is never shown', { skip: noBrowser, timeout: 120_000 }, async (t) => {
  const skip = await kafkaSkipReason();
  if (skip) { t.skip(skip); return; }
  ensureWebBuild();
  const topic = freshTopic('ui_payments');
  await createTopic(topic, 2);
  await produce(topic, Array.from({ length: 20 }, (_, i) => ({ value: JSON.stringify({ payment_id: i, user_id: `u${i % 3}`, amount: i + 0.25, ts: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString() }), partition: i % 2 })));

  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-kafka-ui-'));
  let server: PlatformProcess | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    server = await startPlatform(dir, TOKEN);
    const { url } = server;
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
    await page.screenshot({ path: path.join(SHOTS, 'sources-register-kafka.png') });
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
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
