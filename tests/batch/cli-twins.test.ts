/**
 * `freshet check` reads the sources' offline twins from the data dictionary by default: from a platform (--server) or
 * from the local dictionary (FRESHET_DATA_DIR) — no --offline flag needed; --offline still overrides a table's twin;
 * with no dictionary and no flag the source has no twin (OFF004). The CLI runs as a separate process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { twinsOfSources } from '../../src/batch/dictionary-twins.js';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { dictionaryDirOf } from '../../src/catalog/dictionary/data-dir.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { runSql } from '../../src/runtime/sql-session.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';
import { MIN, dailyEvents, featureScript, writeParquetTwin, writeStreamFile } from './offline-helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, FRESHET_API_TOKEN: '', FRESHET_CATALOG_URL: '', ...env }, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

test('twinsOfSources: a twin per source, also for each type of a multi-type source', () => {
  const twin = { format: 'parquet' as const, path: '/h' };
  assert.deepEqual(twinsOfSources([{ name: 'a', offline: twin }, { name: 'b' }, { name: 'm', offline: twin, types: { x: { fields: [] }, y: { fields: [] } } as never }]),
    { a: twin, m: twin, 'm.x': twin, 'm.y': twin });
});

test('freshet check takes the twins from the data dictionary (platform or local); --offline overrides', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-cli-twins-'));
  const dictDir = path.join(dir, 'platform-dict');
  const dict = new LmdbDictionaryStore(dictDir);
  const kvPlatform = new EmbeddedKvStore({ path: path.join(dir, 'kv-platform') });
  const { app } = await createPlatformServer({
    dictionary: new Dictionary(dict), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), baseDir: dir,
    tokens: { generated: false, tokens: [{ token: 'tok', role: 'viewer', name: 'v' }, { token: 'adm', role: 'admin', name: 'a' }] }, servingStore: kvPlatform,
  });
  try {
    const events = dailyEvents(1200, 1, 10, 3);
    await writeParquetTwin(dir, events);
    writeStreamFile(path.join(dir, 'stream.json'), events);
    // A partial history: the override must be the one read.
    writeStreamFile(path.join(dir, 'half.json'), events.filter((_, i) => i % 2 === 0));
    const kv = path.join(dir, 'kv');
    const script = featureScript(`'connector' = 'filesystem', 'path' = 'stream.json', 'format' = 'json'`, kv, `'1' HOUR`, 'user_1h');
    // The deployed job reads Kafka; here the stream is a file, run once to fill the store.
    writeFileSync(path.join(dir, 'job.sql'), featureScript(`'connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json'`, kv, `'1' HOUR`, 'user_1h'));
    const run = await runSql(script, { baseDir: dir });
    assert.deepEqual(run.diagnostics.filter((d) => d.severity === 'error'), []);
    const offline = { format: 'parquet', path: path.join(dir, 'twin'), partitionColumn: 'dt' };
    const sample = { id: 1, k: 'k0', v: 1, ts: '2026-01-01 00:00:00.000' };
    const r = await app.inject({ method: 'POST', url: '/api/sources', headers: { authorization: 'Bearer adm' }, payload: { name: 'ev', samples: [sample], offline } });
    assert.equal(r.statusCode, 201, r.body);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const T = events[events.length - 1]!.ts - 10 * MIN;
    const empty = path.join(dir, 'empty-data');
    mkdirSync(empty);
    const base = ['check', 'user_1h', '-f', path.join(dir, 'job.sql'), '--at', String(T), '--json'];

    // From the platform's dictionary: no --offline flag; every key agrees.
    const a = await cli([...base, '--server', url, '--token', 'tok'], { FRESHET_DATA_DIR: empty });
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stderr, /offline twins of ev from the platform at http:\/\/127\.0\.0\.1:\d+/);
    const ca = JSON.parse(a.stdout) as { keys: number; mismatches: number; missing: number; extra: number; offlineEvents: number };
    assert.ok(ca.keys > 0 && ca.offlineEvents > 0);
    assert.deepEqual([ca.mismatches, ca.missing, ca.extra], [0, 0, 0]);

    // --offline overrides the dictionary's twin of ev: the half history disagrees with what was served.
    const b = await cli([...base, '--server', url, '--token', 'tok', '--offline', `ev=json:${path.join(dir, 'half.json')}`], { FRESHET_DATA_DIR: empty });
    assert.equal(b.code, 2, `an alert exits with 2: ${b.stderr}`);
    assert.doesNotMatch(b.stderr, /offline twins of ev/);
    const cb = JSON.parse(b.stdout) as { mismatches: number; offlineEvents: number };
    assert.ok(cb.mismatches > 0);
    assert.ok(cb.offlineEvents < ca.offlineEvents);

    // The local dictionary (FRESHET_DATA_DIR) when no --server is given.
    const local = path.join(dir, 'local-data');
    const ld = new LmdbDictionaryStore(dictionaryDirOf(local));
    await new Dictionary(ld).create({ name: 'ev', samples: [sample], offline });
    await ld.close();
    const c = await cli(base, { FRESHET_DATA_DIR: local });
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, /offline twins of ev from the data dictionary in /);
    assert.deepEqual(JSON.parse(c.stdout).mismatches, 0);

    // No dictionary, no flag: the source has no twin.
    const d = await cli(base, { FRESHET_DATA_DIR: empty });
    assert.equal(d.code, 1);
    assert.match(d.stderr, /OFF004/);
    // An unreachable --server is an error, not a silent fallback.
    const e = await cli([...base, '--server', 'http://127.0.0.1:9'], { FRESHET_DATA_DIR: empty });
    assert.equal(e.code, 1);
    assert.match(e.stderr, /--server: cannot read the data dictionary/);
  } finally {
    await app.close();
    await dict.close();
    await kvPlatform.close();
    await rm(dir, { recursive: true, force: true });
  }
});
