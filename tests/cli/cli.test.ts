/** The `freshet` command as a user runs it: results on stdout, diagnostics on stderr with exit code 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = ['--import', import.meta.resolve('tsx'), join(process.cwd(), 'src/cli/main.ts')];
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });

test('quick start prints one JSON line per window and a summary on stderr', () => {
  const r = cli('sql', '-f', 'examples/quickstart/orders.sql');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 32);
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(first), ['user_id', 'window_start', 'window_end', 'orders', 'amount', 'max_qty']);
  assert.match(String(first['window_start']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  assert.match(r.stderr, /finished in \d+ ms/);
});

test('explain prints the logical plan and the operator graph', () => {
  const r = cli('explain', '-f', 'examples/quickstart/orders.sql');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /== Logical Plan ==/);
  assert.match(r.stdout, /WindowAggregate\(groupBy=\[user_id\], window=\[TUMBLE\(time_col=\[ts\], size=\[INTERVAL '1' MINUTE\]\)\]/);
  assert.match(r.stdout, /== Operator Graph ==/);
});

test('errors are positioned, all reported, and exit with code 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-cli-'));
  const f = join(dir, 'bad.sql');
  writeFileSync(f, "CREATE TABLE t (a INT, amount DOUBLE) WITH ('connector' = 'datagen');\nSELECT amout,\n  nope(a) FROM t;\n");
  const r = cli('sql', '-f', f);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /2:8: error BIND202: unknown column 'amout' at 2:8; did you mean 'amount'\?/);
  assert.match(r.stderr, /3:3: error BIND204: no function named NOPE/);
  assert.match(r.stderr, /\^\^\^\^\^/);
});

test('a malformed input line fails the job with file and line when json.ignore-parse-errors is false', () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-cli-'));
  writeFileSync(join(dir, 'in.json'), '{"a": 1}\n{"a": oops}\n{"a": 3}\n');
  writeFileSync(join(dir, 'q.sql'), "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = 'in.json', 'format' = 'json');\nSELECT SUM(a) AS s FROM t;\n");
  const r = cli('sql', '-f', join(dir, 'q.sql'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /in\.json:2/);
  writeFileSync(join(dir, 'q2.sql'), "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = 'in.json', 'format' = 'json', 'json.ignore-parse-errors' = 'true');\nSELECT SUM(a) AS s FROM t;\n");
  const r2 = cli('sql', '-f', join(dir, 'q2.sql'));
  assert.equal(r2.status, 0, r2.stderr);
  assert.equal(r2.stdout.trim(), '{"s":4}');
  assert.match(r2.stderr, /bad-records=1/);
  assert.match(r2.stderr, /dead letter .*in\.json:2/);
});

test('an unbounded source streams its changelog until interrupted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-cli-'));
  writeFileSync(join(dir, 'u.sql'), "CREATE TABLE g (k INT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'fields.k.min' = '1', 'fields.k.max' = '3');\nSELECT k, COUNT(*) AS c FROM g GROUP BY k;\n");
  const child = spawn(process.execPath, [...CLI, 'sql', '-f', join(dir, 'u.sql'), '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve) => {
    const iv = setInterval(() => { if (out.split('\n').length > 20) { clearInterval(iv); child.kill('SIGINT'); resolve(); } }, 20);
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0);
  const ops = out.trim().split('\n').map((l) => (JSON.parse(l) as { op: string }).op);
  assert.ok(ops.includes('+I') && ops.includes('-U') && ops.includes('+U'), ops.join(','));
});
