// The contract every DictionaryStore implementation must meet, run against the embedded (LMDB) store and
// PostgreSQL: compare-and-set versions with history, listing, deletion, atomic statistics merges, lineage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DictionaryStore } from '../../src/catalog/dictionary/dictionary-store.js';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import type { SourceDefinition } from '../../src/catalog/dictionary/source-model.js';
import { sourceDef } from './helpers.js';

const schema = { fields: [{ name: 'id', type: 'BIGINT', nullable: true }] };

export function storeContract(label: string, make: () => Promise<DictionaryStore>, skip: () => string | false = () => false): void {
  const t = (name: string, fn: (s: DictionaryStore) => Promise<void>): void => {
    test(`${label}: ${name}`, { skip: skip() }, async () => {
      const s = await make();
      try { await fn(s); } finally { await s.close(); }
    });
  };

  t('put with compare-and-set: new, next version, stale version rejected', async (s) => {
    const v1 = sourceDef('orders', { schema });
    await s.put(v1, 0);
    await assert.rejects(s.put(v1, 0), (e: Error) => /exists already/.test(e.message));
    const v2: SourceDefinition = { ...v1, version: 2, description: 'second' };
    await s.put(v2, 1);
    await assert.rejects(s.put({ ...v1, version: 2 }, 1), (e: Error) => /at version 2, not 1/.test(e.message));
    assert.equal((await s.get('orders'))?.description, 'second');
    const h = await s.history('orders');
    assert.deepEqual(h.map((x) => [x.version, x.description ?? null]), [[1, null], [2, 'second']]);
    assert.equal(await s.get('missing'), undefined);
    assert.deepEqual(await s.history('missing'), []);
  });

  t('list is sorted by name and holds current versions only', async (s) => {
    await s.put(sourceDef('zeta', { schema }), 0);
    await s.put(sourceDef('alpha', { schema }), 0);
    await s.put({ ...sourceDef('alpha', { schema }), version: 2, owner: 'team-a' }, 1);
    const l = await s.list();
    assert.deepEqual(l.map((x) => [x.name, x.version, x.owner ?? null]), [['alpha', 2, 'team-a'], ['zeta', 1, null]]);
  });

  t('delete removes the source, its history, stats and lineage', async (s) => {
    await s.put(sourceDef('gone', { schema }), 0);
    await s.updateStats('gone', { messages: 3 }, 1000);
    await s.setLineage('gone', ['f1']);
    assert.equal(await s.delete('gone'), true);
    assert.equal(await s.delete('gone'), false);
    assert.equal(await s.get('gone'), undefined);
    assert.deepEqual(await s.history('gone'), []);
    assert.equal(await s.getStats('gone'), undefined);
    assert.deepEqual(await s.getLineage('gone'), []);
    await s.put(sourceDef('gone', { schema }), 0); // the name is free again, versions restart
  });

  t('stats merge atomically under concurrent updates', async (s) => {
    await s.put(sourceDef('events', { schema }), 0);
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.updateStats('events', {
      messages: 5, parseErrors: i % 2, unknownFields: { '$.extra': 1 }, unknownTypes: i < 3 ? { refund: 1 } : {},
      deadLetters: i < 2 ? [{ reason: `bad ${i}`, raw: '{' }] : [],
    }, 1000 + i)));
    const st = (await s.getStats('events'))!;
    assert.equal(st.messages, 100);
    assert.equal(st.parseErrors, 10);
    assert.deepEqual(st.unknownFields, { '$.extra': 20 });
    assert.deepEqual(st.unknownTypes, { refund: 3 });
    assert.equal(st.deadLetters, 2);
    assert.deepEqual(st.deadLetterSamples.map((d) => d.reason).sort(), ['bad 0', 'bad 1']);
  });

  t('lineage round-trips', async (s) => {
    await s.put(sourceDef('clicks', { schema }), 0);
    assert.deepEqual(await s.getLineage('clicks'), []);
    await s.setLineage('clicks', ['ctr_1h', 'clicks_5m']);
    assert.deepEqual(await s.getLineage('clicks'), ['ctr_1h', 'clicks_5m']);
  });

  t('Dictionary service: versions bump per save, secrets masked but kept', async (s) => {
    let now = Date.UTC(2024, 0, 1);
    const d = new Dictionary(s, () => now);
    const created = await d.create({
      name: 'payments', kind: 'kafka',
      connection: { bootstrapServers: 'localhost:9092', secrets: { 'sasl.jaas.config': 'user="u" password="p"' } },
      samples: ['{"id": 1, "amount": 2.5, "created_at": "2024-01-01 10:00:00"}'],
    });
    assert.equal(created.source.version, 1);
    assert.equal(created.source.connection.secrets!['sasl.jaas.config'], '******');
    assert.equal(created.source.schema!.eventTimeColumn, 'created_at');
    now += 1000;
    const shown = (await d.get('payments'))!;
    const edited = await d.update('payments', { ...shown, description: 'card payments' });
    assert.equal(edited.source.version, 2);
    assert.equal((await d.getForRuntime('payments'))!.connection.secrets!['sasl.jaas.config'], 'user="u" password="p"');
    assert.equal((await d.history('payments')).length, 2);
    await assert.rejects(d.update('payments', { description: 'stale' }, 1), /at version 2, not 1/);
    assert.equal((await d.get('payments'))!.createdAt, new Date(Date.UTC(2024, 0, 1)).toISOString());
  });
}
