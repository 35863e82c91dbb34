// `freshet source ...` and `freshet produce` end to end in child processes with their own data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTempDir } from './helpers.js';

const main = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.ts');
const CLI = ['--import', import.meta.resolve('tsx'), main];

test('source add / list / show / sample and produce through the CLI', async () => {
  await withTempDir(async (dir) => {
    const env = { ...process.env, FRESHET_DATA_DIR: path.join(dir, 'data'), FRESHET_CATALOG_URL: '' };
    const run = (args: string[], input?: string) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', env, cwd: dir, ...(input !== undefined ? { input } : {}) });
    const samples = path.join(dir, 's.jsonl');
    writeFileSync(samples, '{"user": "a", "amount": 1.5, "ts": 1714564800000}\n{"user": "b", "amount": 2, "ts": 1714564801000}\n');

    const inf = run(['source', 'infer', '-f', samples, '--name', 'orders']);
    assert.equal(inf.status, 0, inf.stderr);
    assert.match(inf.stdout, /`ts_ltz` AS TO_TIMESTAMP_LTZ\(`ts`, 3\)/);

    const add = run(['source', 'add', 'orders', '--samples', samples, '--owner', 'payments', '--partitions', '2', '--tag', 'money']);
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /source 'orders' saved \(version 1\); SQL tables: orders/);
    assert.match(run(['source', 'list']).stdout, /^orders\tembedded-log\tv1\torders\tpayments/m);

    const prod = run(['produce', 'orders', '--key', 'user'], '{"user": "c", "amount": 3, "ts": 1714564802000, "extra": 1}\nnot json\n');
    assert.equal(prod.status, 0, prod.stderr);
    assert.match(prod.stdout, /appended 1 event\(s\) to 'orders'/);
    assert.match(prod.stderr, /rejected: message 2 is not valid JSON/);
    assert.match(prod.stderr, /field \$\.extra not in the schema/);

    const sample = run(['source', 'sample', 'orders', '-n', '5']);
    assert.equal(sample.status, 0, sample.stderr);
    assert.deepEqual(sample.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { user: string }).user), ['c']);

    const show = run(['source', 'show', 'orders']);
    assert.match(show.stdout, /messages: 1 .*parse errors: 1 {2}dead letters: 1/);
    assert.match(show.stdout, /'path' = '.*data\/log'/);
    const missing = run(['source', 'show', 'nope']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /unknown source 'nope'/);
    const badAdd = run(['source', 'add', 'bad name', '--samples', samples]);
    assert.equal(badAdd.status, 1);
    assert.match(badAdd.stderr, /DICT201: name: must start with a letter/);
  });
});
