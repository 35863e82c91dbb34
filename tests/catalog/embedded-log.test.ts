// The embedded log: offsets and partitioning, reading back by position, segment rolling, torn-tail recovery, and
// durability of acknowledged appends across kill -9 of the writing process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedLog } from '../../src/connectors/embedded-log/embedded-log.js';
import { PartitionReader, partitionEndOffset } from '../../src/connectors/embedded-log/partition-reader.js';
import { readHead, valueOf, keyAndHeaders } from '../../src/connectors/embedded-log/log-format.js';
import { withTempDir } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function readAll(dir: string, topic: string, partition: number): Promise<{ offset: number; value: string }[]> {
  const r = new PartitionReader(path.join(dir, topic, String(partition)), partition);
  await r.seek(0);
  const out: { offset: number; value: string }[] = [];
  for (let guard = 0; guard < 100_000; guard++) {
    const lines = await r.read(100);
    if (lines.length === 0) {
      // Segment listings are rate-limited while idle; make sure we are really at the end.
      await new Promise((res) => setTimeout(res, 60));
      const more = await r.read(100);
      if (more.length === 0) break;
      lines.push(...more);
    }
    for (const l of lines) { const h = readHead(l)!; out.push({ offset: h.offset, value: valueOf(l, h) }); }
  }
  await r.close();
  return out;
}

test('append assigns dense offsets per partition; keys pick stable partitions; values read back exactly', async () => {
  await withTempDir(async (dir) => {
    const log = await EmbeddedLog.open(dir);
    assert.equal(await log.ensureTopic('t', 3), 3);
    const acks = await log.append('t', [
      { value: '{"a": 1}', key: 'x', headers: { type: 'order' } }, { value: { b: 'é\u2028' }, key: 'x' }, '{\n"multi": "line"\n}', { value: 1.5, partition: 2 },
    ]);
    assert.equal(acks[0]!.partition, acks[1]!.partition);
    assert.equal(acks[1]!.offset, acks[0]!.offset + 1);
    assert.equal(acks[3]!.partition, 2);
    await assert.rejects(log.append('t', ['{"ok":1}', 'not json']), /message 2 is not valid JSON/);
    assert.deepEqual(await log.endOffsets('t'), [0, 1, 2].map((p) => acks.filter((a) => a.partition === p).length));
    await log.close();
    const p = acks[0]!.partition;
    const recs = await readAll(dir, 't', p);
    assert.equal(recs[0]!.value, '{"a": 1}');
    assert.equal(recs[1]!.value, '{"b":"é\u2028"}');
    const line = readFileSync(path.join(dir, 't', String(p), '00000000000000000000.log'), 'utf8').split('\n')[0]!;
    assert.deepEqual(keyAndHeaders(line, readHead(line)!), { key: 'x', headers: { type: 'order' } });
    const multi = (await readAll(dir, 't', acks[2]!.partition)).find((r) => r.offset === acks[2]!.offset)!;
    assert.equal(multi.value, '{"multi":"line"}');
    for (const l of readFileSync(path.join(dir, 't', String(p), '00000000000000000000.log'), 'utf8').trim().split('\n')) JSON.parse(l);
  });
});

test('segments roll by size; a reader crosses them and seeks into the middle', async () => {
  await withTempDir(async (dir) => {
    const log = await EmbeddedLog.open(dir, { segmentBytes: 300 });
    for (let i = 0; i < 40; i++) await log.append('s', [{ value: { i, pad: 'abcdefghij' } }]);
    await log.close();
    const segs = readdirSync(path.join(dir, 's', '0')).sort();
    assert.ok(segs.length >= 5, `expected several segments, got ${segs.join(',')}`);
    const all = await readAll(dir, 's', 0);
    assert.deepEqual(all.map((r) => r.offset), Array.from({ length: 40 }, (_, i) => i));
    assert.deepEqual(all.map((r) => (JSON.parse(r.value) as { i: number }).i), Array.from({ length: 40 }, (_, i) => i));
    const r = new PartitionReader(path.join(dir, 's', '0'), 0);
    await r.seek(23);
    const lines = await r.read(3);
    assert.deepEqual(lines.map((l) => readHead(l)!.offset), [23, 24, 25]);
    const pos = r.position();
    await r.close();
    const r2 = new PartitionReader(path.join(dir, 's', '0'), 0);
    await r2.seek(pos.offset, pos); // exact restore through the byte hint
    assert.equal(readHead((await r2.read(1))[0]!)!.offset, 26);
    await r2.close();
    assert.equal(await partitionEndOffset(path.join(dir, 's', '0')), 40);
  });
});

test('a torn last record is truncated on open and offsets continue after the last good one', async () => {
  await withTempDir(async (dir) => {
    const log = await EmbeddedLog.open(dir);
    await log.append('t', ['{"n":0}', '{"n":1}']);
    await log.close();
    const seg = path.join(dir, 't', '0', '00000000000000000000.log');
    const good = statSync(seg).size;
    appendFileSync(seg, '{"o":2,"t":1,"n":7,"k":null,"h":null,"v":{"n"'); // a write cut short by a crash
    const log2 = await EmbeddedLog.open(dir);
    const [ack] = await log2.append('t', ['{"n":2}']);
    assert.deepEqual(ack, { partition: 0, offset: 2 });
    await log2.close();
    const text = readFileSync(seg, 'utf8');
    assert.ok(statSync(seg).size > good);
    assert.deepEqual(text.trim().split('\n').map((l) => (JSON.parse(l) as { o: number }).o), [0, 1, 2]);
  });
});

test('a second process cannot open a log that a live process holds', async () => {
  await withTempDir(async (dir) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'log-writer-child.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((res) => child.stdout!.once('data', () => res()));
      await assert.rejects(EmbeddedLog.open(dir), /is in use by process \d+/);
    } finally {
      child.kill('SIGKILL');
      await new Promise((res) => child.once('exit', res));
    }
  });
});

test('kill -9: every acknowledged append survives, with no gaps or duplicates', async () => {
  await withTempDir(async (dir) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'log-writer-child.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: { p: number; o: number; seq: number }[] = [];
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) { const [, p, o, seq] = l.split(' '); acked.push({ p: Number(p), o: Number(o), seq: Number(seq) }); }
        if (acked.length >= 400 && !child.killed) { child.kill('SIGKILL'); }
      });
      child.once('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited by itself (${signal})`))));
    });
    // Reopen as the writer would after the crash (takes over the dead process's lock, recovers the tails).
    const log = await EmbeddedLog.open(dir);
    const ends = await log.endOffsets('events');
    await log.close();
    const bySeq = new Map<number, { p: number; o: number }>();
    for (let p = 0; p < 3; p++) {
      const recs = await readAll(dir, 'events', p);
      assert.deepEqual(recs.map((r) => r.offset), Array.from({ length: recs.length }, (_, i) => i), `partition ${p} offsets are dense`);
      assert.equal(ends[p], recs.length);
      for (const r of recs) bySeq.set((JSON.parse(r.value) as { seq: number }).seq, { p, o: r.offset });
    }
    for (const a of acked) assert.deepEqual(bySeq.get(a.seq), { p: a.p, o: a.o }, `acknowledged seq ${a.seq} is present at its offset`);
    assert.ok(acked.length >= 400);
  });
});
