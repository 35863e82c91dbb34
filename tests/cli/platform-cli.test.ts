/**
 * `freshet apply|jobs|get` as a user runs them: the platform runs in this process on a free port (temp data dir, a
 * served embedded-kv feature table written by SQL first), the CLI runs as a child process. Checked: apply creates,
 * re-applies as a no-op, shows a line diff and makes a new version on change, validates every spec before applying
 * any; jobs list/show/stop/start; get from a job output and from a served store table (values against counts of
 * the events); API errors on stderr with exit status 1.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { runSql } from '../../src/runtime/sql-session.js';
import { createPlatformServer } from '../../src/server/platform/platform-server.js';
import { lineDiff } from '../../src/cli/spec-diff.js';
import { withSpinner } from '../../src/cli/spinner.js';
import { until } from '../support/until.js';

const CLI = ['--import', import.meta.resolve('tsx'), path.join(process.cwd(), 'src/cli/main.ts')];
const TOKEN = 'cli-test-token';
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const MIN = 60_000;

let dir = '';
let url = '';
let app: FastifyInstance;
let dictStore: LmdbDictionaryStore;

interface Run { status: number | null; stdout: string; stderr: string }

/** Runs the CLI as a child process (asynchronously: the platform answering it lives in this process). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      env: { ...process.env, FRESHET_API_TOKEN: TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}
const freshet = (...args: string[]): Promise<Run> => cli([...args, '--url', url]);

async function api<T>(method: 'GET' | 'POST', p: string, payload?: unknown): Promise<{ status: number; body: T }> {
  const r = await app.inject({ method, url: p, headers: { authorization: `Bearer ${TOKEN}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: r.statusCode, body: (r.body ? JSON.parse(r.body) : undefined) as T };
}

const order = (i: number, user: string, amount: number): object => ({ order_id: i, user_id: user, amount, ts: new Date(T0 + i * 1000).toISOString() });

// Events of the served table: key a has 5 clicks a minute apart, key b one.
const CLICKS = [0, 1, 2, 3, 4].map((i) => ({ k: 'a', ts: T0 + i * MIN + 500 })).concat([{ k: 'b', ts: T0 + 2 * MIN + 100 }]);

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-platform-cli-'));
  // A tiled feature table in an embedded-kv store, written by SQL; the platform serves it at /api/features.
  await writeFile(path.join(dir, 'clicks.json'), CLICKS.map((c) => JSON.stringify({ k: c.k, ts: new Date(c.ts).toISOString().replace('T', ' ').replace('Z', '') })).join('\n') + '\n');
  const kv = path.join(dir, 'kv');
  const res = await runSql(`
CREATE TABLE clicks (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'clicks.json', 'format' = 'json');
CREATE TABLE click_features (k STRING, clicks_1h BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'embedded-kv', 'path' = '${kv}');
INSERT INTO click_features SELECT k, COUNT(*) OVER w FROM clicks
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);
`, { baseDir: dir });
  assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);

  dictStore = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const srv = await createPlatformServer({
    dictionary: new Dictionary(dictStore), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), baseDir: dir,
    tokens: { generated: false, tokens: [{ token: TOKEN, role: 'admin', name: 'test' }] }, servingStore: new EmbeddedKvStore({ path: kv }),
  });
  app = srv.app;
  url = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('[::1]', 'localhost');
  const s = await api('POST', '/api/sources', { name: 'orders', samples: [order(1, 'u1', 1.5)] });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const e = await api('POST', '/api/sources/orders/events', [order(1, 'u1', 1.5), order(2, 'u2', 2), order(3, 'u1', 4)]);
  assert.equal(e.status, 200, JSON.stringify(e.body));
  await mkdir(path.join(dir, 'specs'));
});

after(async () => {
  await app?.close();
  await dictStore?.close();
  await rm(dir, { recursive: true, force: true });
});

const SPEND = { name: 'spend', owner: 'growth', entityKey: ['user_id'], sources: ['orders'], sql: 'SELECT user_id,\n  COUNT(*) AS n\nFROM orders\nGROUP BY user_id' };
const SPEND_V2 = { ...SPEND, sql: 'SELECT user_id,\n  COUNT(*) AS n,\n  SUM(amount) AS total\nFROM orders\nGROUP BY user_id', options: { 'execution.checkpointing.interval': '5s' } };
const LAST_ORDER = { name: 'last_order', owner: 'growth', entityKey: ['user_id'], sources: ['orders'], sql: 'SELECT user_id, MAX(order_id) AS last_id FROM orders GROUP BY user_id' };

const versionsOf = async (name: string): Promise<number[]> =>
  (await api<{ versions: { version: number }[] }>('GET', `/api/jobs/${name}/versions`)).body.versions.map((v) => v.version);

test('apply: dry run changes nothing; create; re-apply is a no-op; a change shows the diff and makes a new version', async () => {
  const file = path.join(dir, 'specs', 'spend.json');
  await writeFile(file, JSON.stringify(SPEND, null, 2));

  const dry = await freshet('apply', '-f', file, '--dry-run');
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^\+ spend: create$/m);
  assert.match(dry.stdout, /^ {6}\+ GROUP BY user_id$/m);
  assert.match(dry.stdout, /dry run: would create 1, update 0; 0 unchanged; nothing applied/);
  assert.equal((await api('GET', '/api/jobs/spend')).status, 404, 'a dry run creates nothing');

  const created = await freshet('apply', '-f', file);
  assert.equal(created.status, 0, created.stderr);
  assert.match(created.stdout, /applied: 1 created, 0 updated, 0 unchanged/);
  assert.deepEqual(await versionsOf('spend'), [1]);

  const again = await freshet('apply', '-f', file);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^= spend: unchanged \(version 1\)$/m);
  assert.match(again.stdout, /no changes: 1 job\(s\) up to date/);
  assert.deepEqual(await versionsOf('spend'), [1], 'applying the same spec twice makes no version');

  // A spec exported with `jobs show --json` (version and times included) applies as the same spec.
  const exported = (await freshet('jobs', 'show', 'spend', '--json'));
  assert.equal(exported.status, 0, exported.stderr);
  await writeFile(path.join(dir, 'exported.json'), JSON.stringify((JSON.parse(exported.stdout) as { job: unknown }).job));
  const reExported = await freshet('apply', '-f', path.join(dir, 'exported.json'));
  assert.match(reExported.stdout, /spend: unchanged/);

  await writeFile(file, JSON.stringify(SPEND_V2, null, 2));
  const changed = await freshet('apply', '-f', file);
  assert.equal(changed.status, 0, changed.stderr);
  assert.match(changed.stdout, /^~ spend: update version 1 → 2 \(the running job restarts on it\)$/m);
  const sqlDiff = changed.stdout.split('\n').filter((l) => /^ {6}[-+ ] /.test(l)).map((l) => l.slice(6));
  assert.deepEqual(sqlDiff, ['  SELECT user_id,', '-   COUNT(*) AS n', '+   COUNT(*) AS n,', '+   SUM(amount) AS total', '  FROM orders', '  GROUP BY user_id']);
  assert.match(changed.stdout, /options\.execution\.checkpointing\.interval: "10s" → "5s"/);
  assert.match(changed.stdout, /applied: 0 created, 1 updated, 0 unchanged/);
  assert.deepEqual(await versionsOf('spend'), [1, 2]);

  // A folder: one new spec, one unchanged; --json for scripts.
  await writeFile(path.join(dir, 'specs', 'last_order.json'), JSON.stringify(LAST_ORDER));
  const folder = await freshet('apply', '-f', path.join(dir, 'specs'), '--json');
  assert.equal(folder.status, 0, folder.stderr);
  const plan = JSON.parse(folder.stdout) as { applied: boolean; jobs: { name: string; action: string; version: number }[] };
  assert.equal(plan.applied, true);
  assert.deepEqual(plan.jobs.map((j) => [j.name, j.action, j.version]), [['last_order', 'create', 1], ['spend', 'unchanged', 2]]);
  assert.deepEqual(await versionsOf('spend'), [1, 2]);
});

test('apply: an invalid spec is an API error naming the field, exit status 1, and nothing of the batch is applied', async () => {
  const bad = path.join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify([
    { ...LAST_ORDER, name: 'fresh_one' },
    { ...SPEND, name: 'broken', entityKey: [] },
  ]));
  const r = await freshet('apply', '-f', bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error: broken \(.*bad\.json\[1\]\): entityKey: must NOT have fewer than 1 items/);
  assert.match(r.stderr, /HTTP 400, code VALIDATION, field entityKey/);
  assert.match(r.stderr, /nothing was applied/);
  assert.equal((await api('GET', '/api/jobs/fresh_one')).status, 404, 'the valid spec of the batch was not applied either');

  // A SQL error shows its line with a caret.
  await writeFile(bad, JSON.stringify({ ...SPEND, name: 'broken', sql: 'SELECT user_id, COUNT(*) AS n\nFROM orders\nGROUP BY usr_id' }));
  const sql = await freshet('apply', '-f', bad);
  assert.equal(sql.status, 1);
  assert.match(sql.stderr, /field sql/);
  assert.match(sql.stderr, /unknown column 'usr_id' at 3:10/);
  assert.match(sql.stderr, /3 \| GROUP BY usr_id\n\s+\| {10}\^{6}/);

  const missing = await freshet('jobs', 'show', 'nope');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /error: unknown job 'nope'\n {2}HTTP 404, code JOB002/);
  const noToken = await cli(['jobs', '--url', url], { FRESHET_API_TOKEN: '' });
  assert.equal(noToken.status, 1);
  assert.match(noToken.stderr, /HTTP 401, code AUTH_REQUIRED/);
  assert.match(noToken.stderr, /hint: pass --token or set FRESHET_API_TOKEN/);
  await writeFile(path.join(dir, 'x.yaml'), 'name: x\n');
  const yaml = await freshet('apply', '-f', path.join(dir, 'x.yaml'));
  assert.equal(yaml.status, 1);
  assert.match(yaml.stderr, /x\.yaml: YAML is not supported; write the job spec as JSON/);
});

test('jobs: list, show, stop and start', async () => {
  await until('spend v2 running', async () => {
    const b = (await api<{ status: { state: string; version: number } }>('GET', '/api/jobs/spend')).body;
    return b.status.state === 'running' && b.status.version === 2 ? b : undefined;
  });
  const list = await freshet('jobs');
  assert.equal(list.status, 0, list.stderr);
  const lines = list.stdout.trim().split('\n');
  assert.match(lines[0]!, /^NAME\s+VERSION\s+STATE\s+ROWS\/S\s+ROWS IN\s+KEYS\s+WATERMARK\s+LAST CHECKPOINT$/);
  const spendRow = lines.find((l) => l.startsWith('spend '))!;
  assert.match(spendRow, /^spend\s+2\s+running\s/);
  // Columns are aligned: every row puts STATE at the header's column.
  const col = lines[0]!.indexOf('STATE');
  for (const l of lines.slice(1)) assert.match(l.slice(col), /^(running|starting|stopped)/, l);

  const json = JSON.parse((await freshet('jobs', 'list', '--json')).stdout) as { jobs: { spec: { name: string } }[] };
  assert.deepEqual(json.jobs.map((j) => j.spec.name).sort(), ['last_order', 'spend']);

  const show = await freshet('jobs', 'show', 'spend');
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /^entity key\s+user_id$/m);
  assert.match(show.stdout, /^options\s+execution\.checkpointing\.interval=5s$/m);
  assert.match(show.stdout, /^ {4}SUM\(amount\) AS total$/m);

  const stop = await freshet('jobs', 'stop', 'spend');
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, /^spend: stopped \(version 2, [1-9]\d* checkpoint\(s\)\)$/m);
  assert.equal((await api<{ status: { state: string } }>('GET', '/api/jobs/spend')).body.status.state, 'stopped');
  const start = await freshet('jobs', 'start', 'spend');
  assert.equal(start.status, 0, start.stderr);
  assert.match(start.stdout, /^spend: (starting|running) \(version 2, restored from chk-\d+\.bin\)$/m);
  assert.equal(start.stderr, '', 'no spinner when stderr is not a terminal');
});

test('get: a job output with freshness, and a served store table at a read time', async () => {
  // A restored run reports a watermark once it reads again: one more order (another user) gives it one.
  assert.equal((await api('POST', '/api/sources/orders/events', [order(4, 'u3', 1)])).status, 200);
  await until('spend values and watermark', async () => {
    const b = (await api<{ rows: unknown[][] }>('GET', '/api/jobs/spend/results')).body;
    const st = (await api<{ status: { watermark: string | null } }>('GET', '/api/jobs/spend')).body.status;
    return b.rows.length === 3 && st.watermark !== null ? b : undefined;
  });
  const j = await freshet('get', 'spend', 'u1', '--json');
  assert.equal(j.status, 0, j.stderr);
  const a = JSON.parse(j.stdout) as { source: string; job: string; asOf: string; watermark: string; lagMs: number; results: { key: string; found: boolean; values: Record<string, unknown> }[] };
  assert.equal(a.source, 'job');
  assert.equal(a.job, 'spend');
  assert.deepEqual(a.results.map((r) => [r.key, r.found, r.values]), [['u1', true, { user_id: 'u1', n: 2, total: 5.5 }]]);
  assert.equal(a.watermark, new Date(T0 + 4000 - 5000).toISOString(), 'the job watermark: max event time minus the 5 s delay');
  assert.equal(a.lagMs, Date.parse(a.asOf) - Date.parse(a.watermark));
  const human = await freshet('get', 'spend', 'u2');
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /^table\s+spend \(output of job spend, version 2, (running|starting)\)$/m);
  assert.match(human.stdout, /^total\s+2$/m);
  const missing = await freshet('get', 'spend', 'u9');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no value for key 'u9'/);
  assert.equal((await freshet('get', 'no_such_table', 'x')).status, 1);

  // The served table: the count over exactly (at - 1h, at] equals the events there (also at an event's own ms).
  for (const at of [T0 + 4 * MIN + 1000, T0 + 2 * MIN + 30_000, T0 + 2 * MIN + 100, T0 + 2 * MIN + 99]) {
    const s = await freshet('get', 'click_features', 'a', 'b', '--at', new Date(at).toISOString(), '--json');
    assert.equal(s.status, 0, s.stderr);
    const ans = JSON.parse(s.stdout) as { asOf: number; windowEnd: number; results: { key: string; values: { clicks_1h: number } }[] };
    assert.equal(ans.asOf, at);
    assert.equal(ans.windowEnd, at + 1);
    for (const r of ans.results) {
      assert.equal(Number(r.values.clicks_1h), CLICKS.filter((c) => c.k === r.key && c.ts > at - 3_600_000 && c.ts <= at).length, `${r.key} at ${at}`);
    }
  }
  const hs = await freshet('get', 'click_features', 'a', '--at', String(T0 + 4 * MIN + 1000));
  assert.equal(hs.status, 0, hs.stderr);
  assert.match(hs.stdout, /^table\s+click_features \(served store table\)$/m);
  assert.match(hs.stdout, /^clicks_1h\s+5$/m);
  const badAt = await freshet('get', 'click_features', 'a', '--at', 'yesterday-ish');
  assert.equal(badAt.status, 1);
  assert.match(badAt.stderr, /HTTP 400, code SERVE002, field at/);
});

test('lineDiff keeps common lines and shows removed before added', () => {
  assert.deepEqual(lineDiff('a\nb\nc', 'a\nx\nc'), [' a', '-b', '+x', ' c']);
  assert.deepEqual(lineDiff('', 'a'), ['+a']);
  assert.deepEqual(lineDiff('a\nb', 'b'), ['-a', ' b']);
  assert.deepEqual(lineDiff('a\nb\nc\nd', 'a\nc\nb\nd'), [' a', '-b', ' c', '+b', ' d']);
});

test('the spinner turns only on a terminal and erases itself', async () => {
  const fake = (isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } => {
    const written: string[] = [];
    return { stream: { isTTY, write: (s: string) => { written.push(s); return true; } } as unknown as NodeJS.WriteStream, written };
  };
  const tty = fake(true);
  assert.equal(await withSpinner('deploying', () => new Promise((r) => setTimeout(() => r(42), 350)), tty.stream), 42);
  assert.ok(tty.written.length >= 2, tty.written.join(''));
  assert.match(tty.written[0]!, /^\r[|/\\-] deploying$/);
  assert.equal(tty.written[tty.written.length - 1], '\r\x1b[K');
  const pipe = fake(false);
  assert.equal(await withSpinner('deploying', () => new Promise((r) => setTimeout(() => r(7), 250)), pipe.stream), 7);
  assert.deepEqual(pipe.written, []);
  const fast = fake(true);
  await withSpinner('quick', async () => 1, fast.stream);
  assert.deepEqual(fast.written, [], 'a fast call never draws');
});
