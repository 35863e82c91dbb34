// Tests of the filesystem connector: reading folders, chunk boundaries, restore equivalence, bad records, the sink.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FreshetError } from '../../src/common/diagnostics.js';
import { RowKind, type Row } from '../../src/common/row.js';
import { T, type RowField } from '../../src/common/types.js';
import { filesystemConnector } from '../../src/connectors/filesystem/filesystem-connector.js';
import { FilesystemSink } from '../../src/connectors/filesystem/filesystem-sink.js';
import { FilesystemSource } from '../../src/connectors/filesystem/filesystem-source.js';
import { drain, sinkContext, tableContext, withTempDir } from './helpers.js';

const fields: RowField[] = [{ name: 'id', type: T.int() }, { name: 'name', type: T.string() }];

async function layout(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'data', 'b-sub'), { recursive: true });
  await writeFile(path.join(dir, 'data', 'a.json'), '{"id":1,"name":"héllo"}\r\n{"id":2,"name":"日本語"}\n');
  await writeFile(path.join(dir, 'data', 'b-sub', 'x.json'), '{"id":3,"name":"🙂 emoji"}\n\n{"id":4,"name":"d"}'); // blank line, no final newline
  await writeFile(path.join(dir, 'data', 'c.json'), '\uFEFF{"id":5,"name":"bom"}\n');
  await writeFile(path.join(dir, 'data', '.hidden.json'), '{"id":99}\n');
  await writeFile(path.join(dir, 'data', '_SUCCESS'), '');
  await mkdir(path.join(dir, 'data', '_tmp'));
  await writeFile(path.join(dir, 'data', '_tmp', 'y.json'), '{"id":98}\n');
}

const expected = [[1, 'héllo'], [2, '日本語'], [3, '🙂 emoji'], [4, 'd'], [5, 'bom']];

describe('filesystem source', () => {
  it('reads every visible file under the directory, sorted, recursively', async () => {
    await withTempDir(async (dir) => {
      await layout(dir);
      const src = filesystemConnector.createSource!(tableContext(fields, { connector: 'filesystem', path: 'data', format: 'json' }, dir));
      assert.equal(src.bounded, true);
      await src.open();
      const batches = await drain(src, 100);
      assert.deepEqual(batches.flat(), expected);
      await src.close();
    });
  });

  it('reads a single file path', async () => {
    await withTempDir(async (dir) => {
      await layout(dir);
      const src = filesystemConnector.createSource!(tableContext(fields, { connector: 'filesystem', path: path.join(dir, 'data', 'a.json'), format: 'json' }, '/'));
      await src.open();
      assert.deepEqual((await drain(src, 10)).flat(), expected.slice(0, 2));
    });
  });

  it('splits lines correctly for every chunk size, including cuts inside multi-byte characters', async () => {
    await withTempDir(async (dir) => {
      await layout(dir);
      for (const chunkSize of [1, 2, 3, 5, 7, 64]) {
        const src = new FilesystemSource(tableContext(fields, { path: 'data', format: 'json' }, dir), 'json', { chunkSize });
        await src.open();
        assert.deepEqual((await drain(src, 2)).flat(), expected, `chunk size ${chunkSize}`);
      }
    });
  });

  it('restores from any position to exactly the rows and batches of an uninterrupted run', async () => {
    await withTempDir(async (dir) => {
      await layout(dir);
      const ctx = tableContext(fields, { path: 'data', format: 'json' }, dir);
      const full = new FilesystemSource(ctx, 'json', { chunkSize: 4 });
      await full.open();
      const reference = await drain(full, 2);
      for (let k = 0; k <= reference.length; k++) {
        const first = new FilesystemSource(ctx, 'json', { chunkSize: 4 });
        await first.open();
        const head: Row[][] = [];
        for (let i = 0; i < k; i++) head.push((await first.poll(2))!);
        const pos = JSON.parse(JSON.stringify(first.position())) as unknown; // positions survive serialisation
        await first.close();
        const second = new FilesystemSource(ctx, 'json', { chunkSize: 3 });
        await second.open(pos);
        const tail = await drain(second, 2);
        assert.deepEqual([...head, ...tail], reference, `restore after ${k} batches`);
      }
    });
  });

  it('fails on a bad record by default, naming file and line (CONN201)', async () => {
    await withTempDir(async (dir) => {
      await mkdir(path.join(dir, 'in'));
      await writeFile(path.join(dir, 'in', 'f.json'), '{"id":1,"name":"a"}\n{"id":"x","name":"b"}\n');
      const src = filesystemConnector.createSource!(tableContext(fields, { connector: 'filesystem', path: 'in', format: 'json' }, dir));
      await src.open();
      await assert.rejects(src.poll(10), (e: unknown) => {
        assert.ok(e instanceof FreshetError);
        assert.equal(e.diagnostics[0]!.code, 'CONN201');
        assert.match(e.diagnostics[0]!.message, /bad record at in\/f\.json:2: field 'id': "x" is not a valid INT/);
        assert.match(e.diagnostics[0]!.hint ?? '', /json\.ignore-parse-errors/);
        return true;
      });
    });
  });

  it('with ignore-parse-errors, skips bad records and NULLs bad values, reporting each with file:line', async () => {
    await withTempDir(async (dir) => {
      await mkdir(path.join(dir, 'in'));
      await writeFile(path.join(dir, 'in', 'f.json'), '{"id":1,"name":"a"}\nnot json\n{"id":"x","name":"b"}\n{"id":4,"name":"d"}\n');
      const ctx = tableContext(fields, { connector: 'filesystem', path: 'in', format: 'json', 'json.ignore-parse-errors': 'true' }, dir);
      const src = filesystemConnector.createSource!(ctx);
      await src.open();
      assert.deepEqual((await drain(src, 10)).flat(), [[1, 'a'], [null, 'b'], [4, 'd']]);
      assert.deepEqual(ctx.reported.map((r) => [r.where, r.raw]), [['in/f.json:2', 'not json'], ['in/f.json:3', '{"id":"x","name":"b"}']]);
      assert.match(ctx.reported[0]!.reason, /invalid JSON/);
      assert.match(ctx.reported[1]!.reason, /field 'id' set to NULL: "x" is not a valid INT/);
    });
  });

  it('reads CSV records spanning lines inside quotes and reports their first line', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'f.csv'), '1,"two\r\nlines"\n2,plain\nx,"bad\nrow"\n');
      const ctx = tableContext(fields, { path: 'f.csv', format: 'csv', 'csv.ignore-parse-errors': 'true' }, dir);
      const src = new FilesystemSource(ctx, 'csv', { chunkSize: 3 });
      await src.open();
      assert.deepEqual((await drain(src, 10)).flat(), [[1, 'two\nlines'], [2, 'plain'], [null, 'bad\nrow']]);
      assert.deepEqual(ctx.reported.map((r) => r.where), ['f.csv:4']);
    });
  });

  it('reports an unterminated quote at the end of a CSV file', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'f.csv'), '1,"never closed\n');
      const src = new FilesystemSource(tableContext(fields, { path: 'f.csv', format: 'csv' }, dir), 'csv');
      await src.open();
      await assert.rejects(src.poll(10), /f\.csv:1: unterminated quoted value in column 2/);
    });
  });

  it('fails with CONN202 when the path does not exist and CONN203 when a restored file is gone', async () => {
    await withTempDir(async (dir) => {
      const src = new FilesystemSource(tableContext(fields, { path: 'nope', format: 'json' }, dir), 'json');
      await assert.rejects(src.open(), (e: unknown) => e instanceof FreshetError && e.diagnostics[0]!.code === 'CONN202' && e.origin === 'external');
      await mkdir(path.join(dir, 'd'));
      const again = new FilesystemSource(tableContext(fields, { path: 'd', format: 'json' }, dir), 'json');
      await assert.rejects(again.open({ file: 'gone.json', fileIndex: 0, byteOffset: 10, lineNumber: 1 }),
        (e: unknown) => e instanceof FreshetError && e.diagnostics[0]!.code === 'CONN203');
    });
  });

  it('an empty directory is an empty bounded source', async () => {
    await withTempDir(async (dir) => {
      const src = new FilesystemSource(tableContext(fields, { path: '.', format: 'csv' }, dir), 'csv');
      await src.open();
      assert.equal(await src.poll(10), null);
    });
  });
});

describe('filesystem sink', () => {
  const insert = (rows: Row[]) => ({ rows, kinds: rows.map(() => RowKind.Insert) });
  const visible = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();

  it('writes rows in the format to a part file made visible at flush', async () => {
    await withTempDir(async (dir) => {
      const sink = filesystemConnector.createSink!(sinkContext(fields, { connector: 'filesystem', path: 'out', format: 'csv' }, dir));
      await sink.open();
      await sink.write(insert([[1, 'a b'], [2, null]]));
      assert.deepEqual(await visible(path.join(dir, 'out')), [], 'nothing visible before the flush');
      await sink.flush();
      await sink.write(insert([[3, 'c']]));
      await sink.flush();
      await sink.close();
      const names = await visible(path.join(dir, 'out'));
      assert.equal(names.length, 2);
      assert.match(names[0]!, /^part-[0-9a-f-]{36}-0-0$/);
      const text = (await Promise.all(names.map((n) => readFile(path.join(dir, 'out', n), 'utf8')))).join('');
      assert.equal(text, '1,"a b"\n2,\n3,c\n');
      // The written directory reads back as a filesystem source.
      const src = filesystemConnector.createSource!(tableContext(fields, { connector: 'filesystem', path: 'out', format: 'csv', 'csv.null-literal': '' }, dir));
      await src.open();
      assert.deepEqual((await drain(src, 10)).flat(), [[1, 'a b'], [2, null], [3, 'c']]);
    });
  });

  it('restore removes what was written after the checkpoint (exactly-once)', async () => {
    await withTempDir(async (dir) => {
      const ctx = sinkContext(fields, { path: 'out', format: 'json' }, dir);
      const first = new FilesystemSink(ctx, 'json');
      await first.open();
      await first.write(insert([[1, 'a']]));
      await first.flush();
      const state = JSON.parse(JSON.stringify(first.snapshot()));
      await first.write(insert([[2, 'b']]));
      await first.flush(); // committed, but after the checkpoint
      await first.write(insert([[3, 'c']]));
      await first.close(); // crash: in progress, never committed
      assert.equal((await readdir(path.join(dir, 'out'))).length, 3);

      const second = new FilesystemSink(ctx, 'json');
      await second.restore(state);
      await second.open();
      await second.write(insert([[2, 'b'], [3, 'c']]));
      await second.flush();
      await second.close();
      const src = new FilesystemSource(tableContext(fields, { path: 'out', format: 'json' }, dir), 'json');
      await src.open();
      assert.deepEqual((await drain(src, 10)).flat(), [[1, 'a'], [2, 'b'], [3, 'c']]);
      assert.deepEqual((await readdir(path.join(dir, 'out'))).filter((n) => n.startsWith('.')), []);
    });
  });

  it('rolls part files by size', async () => {
    await withTempDir(async (dir) => {
      const sink = new FilesystemSink(sinkContext(fields, { path: 'out', format: 'csv' }, dir), 'csv', { fileSize: 1 });
      await sink.open();
      await sink.write(insert([[1, 'a']]));
      await sink.write(insert([[2, 'b']]));
      await sink.flush();
      await sink.close();
      assert.equal((await visible(path.join(dir, 'out'))).length, 2);
    });
  });

  it('rejects updates at write time and updating input at validation (CONN107)', async () => {
    await withTempDir(async (dir) => {
      const sink = new FilesystemSink(sinkContext(fields, { path: 'out', format: 'csv' }, dir), 'csv');
      await sink.open();
      await assert.rejects(Promise.resolve().then(() => sink.write({ rows: [[1, 'a']], kinds: [RowKind.UpdateAfter] })), /append-only/);
      const diags = filesystemConnector.validate(sinkContext(fields, { connector: 'filesystem', path: 'out', format: 'csv' }, dir, true), 'sink');
      assert.deepEqual(diags.map((d) => d.code), ['CONN107']);
      assert.match(diags[0]!.message, /append-only/);
    });
  });
});
