// The embedded-log connector as a ScanSource: option validation, bounded and startup modes, exact restore from a
// position, per-row partitions, discriminators by JSON path and by header, and bad records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Row } from '../../src/common/row.js';
import { T, type RowField } from '../../src/common/types.js';
import { embeddedLogConnector } from '../../src/connectors/embedded-log/embedded-log-connector.js';
import { EmbeddedLog } from '../../src/connectors/embedded-log/embedded-log.js';
import type { ScanSource, TableContext } from '../../src/connectors/connector.js';
import { withTempDir } from './helpers.js';

const fields: RowField[] = [{ name: 'id', type: T.int() }, { name: 'kind', type: T.string() }];

function ctx(logDir: string, options: Record<string, string>): TableContext & { bad: string[] } {
  const bad: string[] = [];
  return {
    tableName: 't', physicalFields: fields, baseDir: '/', bad,
    options: { connector: 'embedded-log', topic: 'ev', path: logDir, format: 'json', 'scan.bounded.mode': 'latest-offset', ...options },
    reporter: { badRecord: (reason, _raw, where) => bad.push(`${where}: ${reason}`) },
  };
}

async function drain(src: ScanSource, max = 3): Promise<{ rows: Row[]; parts: number[] }> {
  const rows: Row[] = [];
  const parts: number[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    const b = await src.poll(max);
    if (b === null) return { rows, parts };
    rows.push(...b);
    parts.push(...(src.lastPartitions?.() ?? []));
  }
  throw new Error('did not end');
}

test('validation names bad options', () => {
  const c = (o: Record<string, string>) => embeddedLogConnector.validate(ctx('/x', o), 'source').map((d) => d.message);
  assert.deepEqual(c({}), []);
  assert.match(c({ 'scan.startup.mode': 'earliest' })[0]!, /'scan\.startup\.mode' must be one of 'earliest-offset', 'latest-offset'/);
  assert.match(c({ 'freshet.discriminator': '$.kind' })[0]!, /go together/);
  assert.match(c({ 'freshet.discriminator': 'kind', 'freshet.discriminator.value': 'a' })[0]!, /JSON path/);
  assert.match(c({ topic: 'a/b' })[0]!, /invalid topic name/);
  assert.match(c({ format: 'csv' })[0]!, /JSON messages/);
  assert.match(c({ 'scan.bounded.mod': 'x' })[0]!, /unknown option 'scan\.bounded\.mod'/);
  assert.match(embeddedLogConnector.validate(ctx('/x', {}), 'sink')[0]!.message, /can only be read/);
});

test('bounded read over partitions with per-row partitions; exact restore from a position; latest-offset startup', async () => {
  await withTempDir(async (dir) => {
    const logDir = path.join(dir, 'log');
    const log = await EmbeddedLog.open(logDir);
    await log.ensureTopic('ev', 3);
    await log.append('ev', Array.from({ length: 10 }, (_, i) => ({ value: { id: i, kind: 'a' }, partition: i % 3 })));
    const all = await drain(embeddedLogConnector.createSource!(ctx(logDir, {})));
    assert.deepEqual(all.rows.map((r) => r[0]).sort((a, b) => (a as number) - (b as number)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(all.parts, all.rows.map((r) => (r[0] as number) % 3));

    // Read 4 rows, take the position, restore a new source from it: the rest comes exactly once.
    const s1 = embeddedLogConnector.createSource!(ctx(logDir, {}));
    await s1.open();
    const first = [...(await s1.poll(4))!];
    const pos = JSON.parse(JSON.stringify(s1.position())) as unknown;
    await s1.close();
    const s2 = embeddedLogConnector.createSource!(ctx(logDir, {}));
    await s2.open(pos);
    const rest = await drain(s2, 100);
    assert.deepEqual([...first, ...rest.rows].map((r) => r[0]).sort((a, b) => (a as number) - (b as number)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // latest-offset: only what arrives after the source opened.
    const s3 = embeddedLogConnector.createSource!(ctx(logDir, { 'scan.startup.mode': 'latest-offset', 'scan.bounded.mode': 'unbounded' }));
    await s3.open();
    assert.deepEqual(await s3.poll(10), []);
    await log.append('ev', [{ value: { id: 42, kind: 'a' } }]);
    let got: Row[] = [];
    for (let i = 0; i < 50 && got.length === 0; i++) got = (await s3.poll(10))!;
    assert.deepEqual(got, [[42, 'a']]);
    assert.equal(s3.bounded, false);
    await s3.close();
    await log.close();
  });
});

test('discriminators by JSON path and by header select one type; bad records are reported and skipped', async () => {
  await withTempDir(async (dir) => {
    const logDir = path.join(dir, 'log');
    const log = await EmbeddedLog.open(logDir);
    await log.append('ev', [
      { value: { id: 1, kind: 'a' }, headers: { t: 'x' } },
      { value: { id: 2, kind: 'b' }, headers: { t: 'y' } },
      { value: { id: 'oops', kind: 'a' }, headers: { t: 'y' } },
      { value: { id: 4, kind: 'a' } },
    ]);
    await log.close();
    const byPath = ctx(logDir, { 'freshet.discriminator': '$.kind', 'freshet.discriminator.value': 'a', 'json.ignore-parse-errors': 'true' });
    const a = await drain(embeddedLogConnector.createSource!(byPath));
    assert.deepEqual(a.rows, [[1, 'a'], [null, 'a'], [4, 'a']]);
    assert.equal(byPath.bad.length, 1);
    assert.match(byPath.bad[0]!, /^topic ev partition 0 offset 2: field 'id' set to NULL/);
    const byHeader = await drain(embeddedLogConnector.createSource!(ctx(logDir, { 'freshet.discriminator': 'header:t', 'freshet.discriminator.value': 'y', 'json.ignore-parse-errors': 'true' })));
    assert.deepEqual(byHeader.rows.map((r) => r[0]), [2, null]);
    const strict = embeddedLogConnector.createSource!(ctx(logDir, {}));
    await assert.rejects(drain(strict), /bad record at topic ev partition 0 offset 2/);
  });
});

test('a topic that does not exist yet: bounded ends at once, unbounded waits for it', async () => {
  await withTempDir(async (dir) => {
    const logDir = path.join(dir, 'log');
    assert.deepEqual((await drain(embeddedLogConnector.createSource!(ctx(logDir, {})))).rows, []);
    const s = embeddedLogConnector.createSource!(ctx(logDir, { 'scan.bounded.mode': 'unbounded' }));
    await s.open();
    assert.deepEqual(await s.poll(5), []);
    const log = await EmbeddedLog.open(logDir);
    await log.append('ev', ['{"id": 5, "kind": "z"}']);
    await log.close();
    assert.deepEqual(await s.poll(5), [[5, 'z']]);
    await s.close();
  });
});

test('partitions with a backlog at open are held until they deliver (their older rows are not late)', async () => {
  await withTempDir(async (dir) => {
    const logDir = path.join(dir, 'log');
    const log = await EmbeddedLog.open(logDir);
    await log.ensureTopic('ev', 3);
    // Partitions 0 and 1 have records, partition 2 none: batches of 3 read partition 0 first.
    await log.append('ev', Array.from({ length: 8 }, (_, i) => ({ value: { id: i, kind: 'a' }, partition: i % 2 })));
    const src = embeddedLogConnector.createSource!(ctx(logDir, {}));
    await src.open();
    assert.deepEqual([...(src.heldPartitions?.() ?? [])].sort(), [0, 1], 'the partitions with records, not the empty one');
    await src.poll(3);
    assert.deepEqual(src.lastPartitions?.(), [0, 0, 0]);
    assert.deepEqual(src.heldPartitions?.(), [1], 'partition 0 delivered; 1 still owes its rows');
    await src.poll(3);
    assert.deepEqual(src.heldPartitions?.(), []);
    await src.close();
  });
});
