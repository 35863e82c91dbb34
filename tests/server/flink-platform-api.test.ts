// The platform's Flink routes without a cluster: off when no Flink URL is configured (the listing says so, the other
// routes answer 404), a 503 naming the address when the configured cluster does not answer, job ids validated, and
// the viewer/editor split of the auth rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';

const TOKENS = { generated: false, tokens: [{ token: 'tok-editor', role: 'editor' as const, name: 'e' }, { token: 'tok-viewer', role: 'viewer' as const, name: 'v' }] };
const H = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const JOB_ID = '0123456789abcdef0123456789abcdef';

async function withPlatform(flink: { url: string } | undefined, fn: (app: FastifyInstance) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-flink-api-'));
  const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const { app } = await createPlatformServer({
    dictionary: new Dictionary(store), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), tokens: TOKENS, baseDir: dir,
    kvPath: path.join(dir, 'kv'), resumeJobs: false, ...(flink ? { flink } : {}),
  });
  try {
    await fn(app);
  } finally {
    await app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('no Flink URL: the listing says the feature is off, the other routes answer 404', async () => {
  await withPlatform(undefined, async (app) => {
    const r = await app.inject({ method: 'GET', url: '/api/flink/jobs', headers: H('tok-viewer') });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { configured: false, jobs: [] });
    const d = await app.inject({ method: 'GET', url: `/api/flink/jobs/${JOB_ID}`, headers: H('tok-viewer') });
    assert.equal(d.statusCode, 404);
    assert.equal((JSON.parse(d.body) as { error: { code: string } }).error.code, 'FLINK_NOT_CONFIGURED');
  });
});

test('unreachable Flink cluster: 503 naming its address; ids validated; stop and cancel need an editor', async () => {
  // Port 9 (discard) on the loopback: nothing listens there, so the connection is refused at once.
  const url = 'http://127.0.0.1:9';
  await withPlatform({ url }, async (app) => {
    const t0 = Date.now();
    const r = await app.inject({ method: 'GET', url: '/api/flink/jobs', headers: H('tok-viewer') });
    assert.equal(r.statusCode, 503, r.body);
    const e = (JSON.parse(r.body) as { error: { code: string; message: string; hint?: string } }).error;
    assert.equal(e.code, 'FLINK750');
    assert.ok(e.message.includes(url), e.message);
    assert.match(e.hint ?? '', /--flink/);
    assert.ok(Date.now() - t0 < 10_000, 'an unreachable cluster answers within the request time limit');

    const d = await app.inject({ method: 'GET', url: `/api/flink/jobs/${JOB_ID}`, headers: H('tok-viewer') });
    assert.equal(d.statusCode, 503, d.body);
    assert.ok(d.body.includes(url));

    const bad = await app.inject({ method: 'GET', url: '/api/flink/jobs/not-a-job-id', headers: H('tok-viewer') });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.body, /params id/);
    const badLimit = await app.inject({ method: 'GET', url: '/api/flink/jobs?limit=x', headers: H('tok-viewer') });
    assert.equal(badLimit.statusCode, 400, badLimit.body);

    const viewerStop = await app.inject({ method: 'POST', url: `/api/flink/jobs/${JOB_ID}/stop`, headers: H('tok-viewer'), payload: {} });
    assert.equal(viewerStop.statusCode, 403, viewerStop.body);
    const viewerCancel = await app.inject({ method: 'POST', url: `/api/flink/jobs/${JOB_ID}/cancel`, headers: H('tok-viewer') });
    assert.equal(viewerCancel.statusCode, 403, viewerCancel.body);
    const editorCancel = await app.inject({ method: 'POST', url: `/api/flink/jobs/${JOB_ID}/cancel`, headers: H('tok-editor') });
    assert.equal(editorCancel.statusCode, 503, editorCancel.body);
    const badBody = await app.inject({ method: 'POST', url: `/api/flink/jobs/${JOB_ID}/stop`, headers: H('tok-editor'), payload: { drain: 'yes' } });
    assert.equal(badBody.statusCode, 400, badBody.body);
    assert.match(badBody.body, /drain/);
  });
});

test('the OpenAPI document describes the Flink routes whether or not a cluster is configured', async () => {
  await withPlatform(undefined, async (app) => {
    const doc = JSON.parse((await app.inject({ method: 'GET', url: '/api/openapi.json' })).body) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    for (const p of ['/api/flink/jobs', '/api/flink/jobs/{id}', '/api/flink/jobs/{id}/stop', '/api/flink/jobs/{id}/cancel']) assert.ok(doc.paths[p], p);
    for (const s of ['FlinkJob', 'FlinkJobDetail', 'FlinkJobList']) assert.ok(doc.components.schemas[s], s);
  });
});
