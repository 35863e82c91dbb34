/**
 * Registering a multi-type Kafka source whose message type is in a header, from live samples: the sampler returns
 * keys and headers, inference groups by `header:<name>`, the REST API and the CLI infer two types from the topic,
 * the registered source's tables read through the embedded kafka connector keep only their type's messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce, type OutMessage } from './kafka-helpers.js';
import { sampleKafkaTopic } from '../../../src/connectors/kafka/sample-topic.js';
import { Catalog } from '../../../src/catalog/catalog.js';
import { Dictionary } from '../../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../../src/catalog/dictionary/lmdb-store.js';
import type { TypeSchema } from '../../../src/catalog/dictionary/source-model.js';
import { createDictionaryServer } from '../../../src/server/dictionary-server.js';
import { runOnCatalog, withTempDir } from '../../catalog/helpers.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

/** 12 orders and 18 clicks over 2 partitions, typed only by the `type` header (the body's `type` is a decoy). */
function messages(): OutMessage[] {
  const out: OutMessage[] = [];
  for (let i = 0; i < 30; i++) {
    const order = i % 5 === 0 || i % 5 === 3;
    const body = order ? { id: i, type: 'decoy', amount: i + 0.5, ts: T0 + i * 1000 } : { id: i, type: 'decoy', page: `/p${i % 3}`, ts: T0 + i * 1000 };
    out.push({ partition: i % 2, key: `u${i % 4}`, value: JSON.stringify(body), headers: { type: order ? 'order' : 'click', trace: `t${i}` } });
  }
  out.push({ partition: 0, value: JSON.stringify({ id: 100, amount: 1000, ts: T0 }) }); // no header: no type
  return out;
}

test('a topic typed by a header: sampled with headers, two types inferred, registered and queried', async (t) => {
  const skip = await kafkaSkipReason();
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('hdr-types');
  await createTopic(topic, 2);
  const msgs = messages();
  await produce(topic, msgs);

  // The sampler keeps each message's key and headers.
  const sample = await sampleKafkaTopic({ bootstrapServers: BOOTSTRAP, topic, count: 100 });
  assert.equal(sample.length, msgs.length);
  const s7 = sample.find((s) => (JSON.parse(s.value) as { id: number }).id === 7)!;
  assert.deepEqual([s7.key, s7.headers], ['u3', { type: 'click', trace: 't7' }]);
  const s100 = sample.find((s) => (JSON.parse(s.value) as { id: number }).id === 100)!;
  assert.deepEqual([s100.key, s100.headers], [null, {}]);

  await withTempDir(async (dir) => {
    const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
    const dictionary = new Dictionary(store);
    const app = createDictionaryServer({ dictionary, logDir: path.join(dir, 'log') });
    try {
      const inf = await app.inject({ method: 'POST', url: '/api/sources/infer', payload: {
        kafka: { bootstrapServers: BOOTSTRAP, topic, count: 100 }, options: { discriminator: 'header:type', name: 'hdr_events' },
      } });
      assert.equal(inf.statusCode, 200, inf.body);
      const r = inf.json() as {
        types: Record<string, TypeSchema>; discriminator: { path: string }; samplesRead: number; ddl: string;
        warnings: { code: string; message: string }[]; samples: { partition: number; offset: number; key: string | null; headers: Record<string, string>; value: string }[];
      };
      assert.deepEqual(Object.keys(r.types).sort(), ['click', 'order']);
      const cols = (s: TypeSchema | undefined): string[] => (s?.fields ?? []).map((f) => `${f.name} ${f.type}`);
      assert.deepEqual(cols(r.types['order']), ['id INT', 'type STRING', 'amount DOUBLE', 'ts BIGINT']);
      assert.deepEqual(cols(r.types['click']), ['id INT', 'type STRING', 'page STRING', 'ts BIGINT']);
      assert.deepEqual(r.discriminator, { path: 'header:type' });
      assert.equal(r.samplesRead, 30);
      assert.deepEqual(r.warnings.map((w) => w.code), ['DICT109']); // the message without the header
      assert.match(r.ddl, /'freshet\.discriminator' = 'header:type'/);
      // The response echoes the sampled messages with their keys and headers.
      assert.equal(r.samples.length, msgs.length);
      const e7 = r.samples.find((s) => (JSON.parse(s.value) as { id: number }).id === 7)!;
      assert.deepEqual([e7.partition, e7.key, e7.headers], [1, 'u3', { type: 'click', trace: 't7' }]);

      const c = await app.inject({ method: 'POST', url: '/api/sources', payload: {
        name: 'hdr_events', kind: 'kafka', connection: { bootstrapServers: BOOTSTRAP, topic },
        types: r.types, discriminator: r.discriminator, samples: r.samples.slice(0, 5).map((s) => s.value),
      } });
      assert.equal(c.statusCode, 201, c.body);
      assert.deepEqual((c.json() as { tables: string[] }).tables.sort(), ['hdr_events.click', 'hdr_events.order']);

      const catalog = new Catalog();
      await dictionary.toCatalog(catalog, { baseDir: dir, extraOptions: { 'scan.bounded.mode': 'latest-offset' } });
      const out = await runOnCatalog(`
        SELECT COUNT(*) AS n, SUM(amount) AS total, MIN(id) AS lo, MAX(id) AS hi FROM hdr_events.order;
        SELECT page, COUNT(*) AS n FROM hdr_events.click GROUP BY page;`, catalog, dir);
      const orders = msgs.filter((m) => m.headers?.['type'] === 'order').map((m) => JSON.parse(m.value!) as { id: number; amount: number });
      assert.equal(orders.length, 12);
      // Each query's result is a changelog: its last row is the final aggregate.
      assert.deepEqual(out.rows[0]!.at(-1)!.slice(0, 4), [12, orders.reduce((a, o) => a + o.amount, 0), 0, 28]);
      const pages = new Map<string, number>();
      for (const m of msgs) if (m.headers?.['type'] === 'click') { const p = (JSON.parse(m.value!) as { page: string }).page; pages.set(p, (pages.get(p) ?? 0) + 1); }
      const finalPages = new Map<string, number>();
      for (const row of out.rows[1]!) finalPages.set(row[0] as string, row[1] as number);
      assert.deepEqual([...finalPages].sort(), [...pages].sort());
    } finally {
      await app.close();
      await store.close();
    }
  });
});

test('the CLI infers header types from a live topic and registers the source with --sample-topic', async (t) => {
  const skip = await kafkaSkipReason();
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('hdr-cli');
  await createTopic(topic, 2);
  await produce(topic, messages());
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'cli', 'main.ts');
  await withTempDir(async (dir) => {
    const env = { ...process.env, FRESHET_DATA_DIR: path.join(dir, 'data'), FRESHET_CATALOG_URL: '' };
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), main, ...args], { encoding: 'utf8', env, cwd: dir });
    const inf = run(['source', 'infer', '--kafka-topic', topic, '--bootstrap-servers', BOOTSTRAP, '--discriminator', 'header:type', '--name', 'ev', '--json']);
    assert.equal(inf.status, 0, inf.stderr);
    const r = JSON.parse(inf.stdout) as { types: Record<string, TypeSchema>; samplesRead: number };
    assert.deepEqual(Object.keys(r.types).sort(), ['click', 'order']);
    assert.equal(r.samplesRead, 30);

    const add = run(['source', 'add', 'ev', '--kind', 'kafka', '--bootstrap-servers', BOOTSTRAP, '--topic', topic, '--sample-topic', '--discriminator', 'header:type']);
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stderr, /sampled 31 message\(s\)/);
    assert.match(add.stderr, /DICT109.*no header 'type'/);
    assert.match(add.stdout, /source 'ev' saved \(version 1\); SQL tables: ev\.(order, ev\.click|click, ev\.order)\n/);
    const ddl = run(['source', 'show', 'ev', '--ddl']);
    assert.equal(ddl.status, 0, ddl.stderr);
    assert.match(ddl.stdout, /'freshet\.discriminator' = 'header:type'/);
    assert.match(ddl.stdout, /`amount` DOUBLE/);

    const noKind = run(['source', 'add', 'ev2', '--sample-topic', '--discriminator', 'header:type']);
    assert.equal(noKind.status, 1);
    assert.match(noKind.stderr, /--sample-topic needs --kind kafka/);
  });
});
