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

test('the processing-time column through the CLI: proposed by infer/add, renamed with --proc-time, left out with --no-proc-time', async () => {
  await withTempDir(async (dir) => {
    const env = { ...process.env, FRESHET_DATA_DIR: path.join(dir, 'data'), FRESHET_CATALOG_URL: '' };
    const run = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', env, cwd: dir });
    const samples = path.join(dir, 's.jsonl');
    writeFileSync(samples, '{"user": "a", "proc_time": "x", "ts": 1714564800000}\n');

    const inf = run(['source', 'infer', '-f', samples, '--name', 'orders']);
    assert.equal(inf.status, 0, inf.stderr);
    assert.match(inf.stdout, /`ts_ltz` AS TO_TIMESTAMP_LTZ\(`ts`, 3\),\n {2}`proc_time_1` AS PROCTIME\(\),\n {2}WATERMARK/, 'suffixed: a field is named proc_time');
    const renamed = run(['source', 'infer', '-f', samples, '--proc-time', 'seen_at', '--json']);
    assert.equal(renamed.status, 0, renamed.stderr);
    assert.equal((JSON.parse(renamed.stdout) as { schema: { procTimeColumn?: string } }).schema.procTimeColumn, 'seen_at');
    const none = run(['source', 'infer', '-f', samples, '--no-proc-time']);
    assert.equal(none.status, 0, none.stderr);
    assert.doesNotMatch(none.stdout, /PROCTIME/);
    const bad = run(['source', 'infer', '-f', samples, '--proc-time', 'no good']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--proc-time must be a column name/);

    assert.equal(run(['source', 'add', 'a', '--samples', samples]).status, 0);
    assert.match(run(['source', 'show', 'a', '--ddl']).stdout, /`proc_time_1` AS PROCTIME\(\)/);
    const b = run(['source', 'add', 'b', '--samples', samples, '--proc-time', 'arrived']);
    assert.equal(b.status, 0, b.stderr);
    assert.match(run(['source', 'show', 'b', '--ddl']).stdout, /`arrived` AS PROCTIME\(\)/);
    const c = run(['source', 'add', 'c', '--samples', samples, '--no-proc-time']);
    assert.equal(c.status, 0, c.stderr);
    assert.doesNotMatch(run(['source', 'show', 'c', '--ddl']).stdout, /PROCTIME/);
    // An explicit schema (--definition) takes the flag too; a clash is reported with the field path.
    const def = path.join(dir, 'def.json');
    writeFileSync(def, JSON.stringify({ schema: { fields: [{ name: 'id', type: 'INT' }] } }));
    assert.equal(run(['source', 'add', 'd', '--definition', def, '--proc-time', 'pt']).status, 0);
    assert.match(run(['source', 'show', 'd', '--ddl']).stdout, /`id` INT,\n {2}`pt` AS PROCTIME\(\)\n\)/);
    const clash = run(['source', 'add', 'e', '--definition', def, '--proc-time', 'id']);
    assert.equal(clash.status, 1);
    assert.match(clash.stderr, /DICT201: schema\.procTimeColumn: processing-time column 'id' clashes with a field/);
  });
});
