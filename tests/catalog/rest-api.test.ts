// The dictionary REST API through Fastify's inject: create/infer/edit/delete, validation errors as 4xx naming the
// field, event ingestion into the embedded log with live stats, and a multi-type source whose two types are read
// as two SQL tables while an unknown type is counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Catalog } from '../../src/catalog/catalog.js';
import { Dictionary } from '../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../src/catalog/dictionary/lmdb-store.js';
import { createDictionaryServer } from '../../src/server/dictionary-server.js';
import { runOnCatalog, withTempDir } from './helpers.js';

async function withServer(fn: (app: FastifyInstance, ctx: { dictionary: Dictionary; logDir: string; dir: string }) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
    const dictionary = new Dictionary(store);
    const logDir = path.join(dir, 'log');
    const app = createDictionaryServer({ dictionary, logDir });
    try {
      await fn(app, { dictionary, logDir, dir });
    } finally {
      await app.close();
      await store.close();
    }
  });
}

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

test('validation errors are 4xx naming the field, never 500', async () => {
  await withServer(async (app) => {
    const cases: [string, string, unknown, number, RegExp, string?][] = [
      ['POST', '/api/sources', { name: '1bad', schema: { fields: [{ name: 'a', type: 'INT' }] } }, 400, /name/, 'name'],
      ['POST', '/api/sources', { name: 'x', schema: { fields: [{ name: 'a', type: 'INTEGR' }] } }, 400, /schema\.fields\[0\]\.type/, 'schema.fields[0].type'],
      ['POST', '/api/sources', { name: 'x', kind: 'kafka', schema: { fields: [{ name: 'a', type: 'INT' }] } }, 400, /bootstrapServers/, 'connection.bootstrapServers'],
      ['POST', '/api/sources', { name: 'x', schema: { fields: [{ name: 'a', type: 'INT' }], eventTimeColumn: 'a' } }, 400, /eventTimeColumn.*TIMESTAMP/, 'schema.eventTimeColumn'],
      ['POST', '/api/sources', { name: 'x', schema: { fields: [{ name: 'ts', type: 'STRING', timestampFormat: 'epoch-millis' }] } }, 400, /numeric/, 'schema.fields[0].timestampFormat'],
      ['POST', '/api/sources', { name: 'x', types: { a: { fields: [{ name: 'a', type: 'INT' }] } } }, 400, /discriminator\.path/, 'discriminator.path'],
      ['POST', '/api/sources', { name: 'x' }, 400, /schema/, 'schema'],
      ['POST', '/api/sources', [1, 2], 400, /body/, 'body'],
      ['POST', '/api/sources/infer', { samples: 'not json' }, 400, /no sample is a JSON object/, 'samples'],
      ['POST', '/api/sources/infer', { samples: ['{"a":1}'], options: { decimals: 'float' } }, 400, /decimals/, 'options.decimals'],
      ['POST', '/api/sources/infer', { samples: ['{"a":1}'], options: { discriminator: 'type' } }, 400, /JSON path/, 'options.discriminator'],
      ['POST', '/api/sources/infer', { samples: ['{"a":1}'], options: { discriminator: 'header:t' } }, 400, /headers are needed/, 'options.discriminator'],
      ['POST', '/api/sources/infer', { samples: ['{"a":1}'], headers: [{ t: 1 }] }, 400, /header names to strings/, 'headers'],
      ['POST', '/api/sources/infer', { samples: ['{"a":1}', '{"a":2}'], headers: [{ t: 'x' }] }, 400, /1 entries for 2 samples/, 'headers'],
      ['GET', '/api/sources/nope', undefined, 404, /unknown source 'nope'/],
      ['PUT', '/api/sources/nope', { description: 'x' }, 404, /unknown source/],
      ['POST', '/api/sources/nope/events', '{"a":1}', 404, /unknown source/],
      ['GET', '/api/sources/nope/samples', undefined, 404, /unknown source/],
    ];
    for (const [method, url, body, status, re, field] of cases) {
      const res = await app.inject({ method: method as 'GET', url, ...(body === undefined ? {} : typeof body === 'string' ? { payload: body, headers: { 'content-type': 'application/x-ndjson' } } : { payload: body as object }) });
      assert.equal(res.statusCode, status, `${method} ${url} ${JSON.stringify(body)} → ${res.body}`);
      const err = (res.json() as { error: { message: string; field?: string } }).error;
      assert.match(err.message, re, `${method} ${url}`);
      if (field) assert.equal(err.field, field, `${method} ${url}: ${res.body}`);
    }
    const raw = await app.inject({ method: 'POST', url: '/api/sources', payload: '{"name": ', headers: { 'content-type': 'application/json' } });
    assert.equal(raw.statusCode, 400);
    assert.match(raw.json().error.message, /invalid JSON/);
  });
});

test('infer → create → edit (new version) → history → delete', async () => {
  await withServer(async (app) => {
    const inf = await app.inject({ method: 'POST', url: '/api/sources/infer', payload: { samples: '{"id": 1, "at": "2024-01-01T10:00:00Z"}\n{"id": 2, "at": "2024-01-01T10:00:01Z", "x": true}', options: { name: 'clicks' } } });
    assert.equal(inf.statusCode, 200, inf.body);
    const r = inf.json() as { schema: { fields: { name: string; type: string }[]; eventTimeColumn: string }; ddl: string };
    assert.deepEqual(r.schema.fields.map((f) => [f.name, f.type]), [['id', 'INT'], ['at', 'TIMESTAMP_LTZ(3)'], ['x', 'BOOLEAN']]);
    assert.equal(r.schema.eventTimeColumn, 'at');
    assert.match(r.ddl, /'json\.timestamp-format\.standard' = 'ISO-8601'/);

    const c = await app.inject({ method: 'POST', url: '/api/sources', payload: { name: 'clicks', schema: r.schema, owner: 'growth', tags: ['web'] } });
    assert.equal(c.statusCode, 201, c.body);
    assert.equal(c.json().source.version, 1);
    const dup = await app.inject({ method: 'POST', url: '/api/sources', payload: { name: 'clicks', schema: r.schema } });
    assert.equal(dup.statusCode, 409);

    const fields = r.schema.fields.map((f) => (f.name === 'id' ? { ...f, type: 'BIGINT', description: 'click id' } : f));
    const u = await app.inject({ method: 'PUT', url: '/api/sources/clicks', payload: { schema: { ...r.schema, fields, watermarkDelayMs: 2000 }, version: 1 } });
    assert.equal(u.statusCode, 200, u.body);
    assert.equal(u.json().source.version, 2);
    const stale = await app.inject({ method: 'PUT', url: '/api/sources/clicks', payload: { description: 'late', version: 1 } });
    assert.equal(stale.statusCode, 409);

    const g = await app.inject({ method: 'GET', url: '/api/sources/clicks' });
    const got = g.json() as { source: { schema: { fields: { name: string; type: string; description?: string }[] } }; ddl: string; tables: string[] };
    assert.deepEqual(got.tables, ['clicks']);
    assert.match(got.ddl, /`id` BIGINT COMMENT 'click id'/);
    assert.match(got.ddl, /WATERMARK FOR `at` AS `at` - INTERVAL '2' SECOND/);
    const h = await app.inject({ method: 'GET', url: '/api/sources/clicks/history' });
    assert.deepEqual((h.json() as { versions: { version: number }[] }).versions.map((v) => v.version), [1, 2]);
    const l = await app.inject({ method: 'GET', url: '/api/sources' });
    assert.deepEqual((l.json() as { sources: { name: string }[] }).sources.map((s) => s.name), ['clicks']);

    const lin = await app.inject({ method: 'PUT', url: '/api/sources/clicks/lineage', payload: { features: ['ctr_1h', 'ctr_1h', 'clicks_5m'] } });
    assert.deepEqual(lin.json(), { features: ['clicks_5m', 'ctr_1h'] });

    assert.equal((await app.inject({ method: 'DELETE', url: '/api/sources/clicks' })).statusCode, 204);
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/sources/clicks' })).statusCode, 404);
  });
});

test('multi-type topic: events routed to two SQL tables, unknown types and drift counted, bad lines dead-lettered', async () => {
  await withServer(async (app, { dictionary, logDir, dir }) => {
    const samples = [
      { type: 'order', id: 1, amount: 12.5, ts: T0 },
      { type: 'click', id: 7, page: '/home', ts: T0 + 1000 },
    ];
    const c = await app.inject({ method: 'POST', url: '/api/sources', payload: {
      name: 'app_events', discriminator: { path: '$.type' }, samples, connection: { partitions: 2 },
    } });
    assert.equal(c.statusCode, 201, c.body);
    assert.deepEqual(c.json().tables, ['app_events.order', 'app_events.click']);

    const lines = [
      { type: 'order', id: 1, amount: 10, ts: T0 },
      { type: 'click', id: 1, page: '/a', ts: T0 + 1_000 },
      { type: 'order', id: 2, amount: 5.5, ts: T0 + 2_000, coupon: 'X' },
      { type: 'click', id: 2, page: '/b', ts: T0 + 3_000 },
      { type: 'click', id: 3, page: '/a', ts: T0 + 4_000 },
      { type: 'refund', id: 9, ts: T0 + 5_000 },
    ].map((e) => JSON.stringify(e)).join('\n') + '\nnot json at all\n';
    const ev = await app.inject({ method: 'POST', url: '/api/sources/app_events/events?key=id', payload: lines, headers: { 'content-type': 'application/x-ndjson' } });
    assert.equal(ev.statusCode, 207, ev.body);
    const er = ev.json() as { appended: number; rejected: { index: number }[]; unknownTypes: Record<string, number>; unknownFields: Record<string, number> };
    assert.equal(er.appended, 6);
    assert.deepEqual(er.rejected.map((x) => x.index), [6]);
    assert.deepEqual(er.unknownTypes, { refund: 1 });
    assert.deepEqual(er.unknownFields, { '$.coupon': 1 });

    const arr = await app.inject({ method: 'POST', url: '/api/sources/app_events/events', payload: [{ type: 'order', id: 3, amount: 1, ts: T0 + 6_000 }] });
    assert.equal(arr.statusCode, 200, arr.body);

    const st = (await app.inject({ method: 'GET', url: '/api/sources/app_events/stats' })).json() as { messages: number; parseErrors: number; unknownTypes: Record<string, number>; deadLetters: number };
    assert.equal(st.messages, 7);
    assert.equal(st.parseErrors, 1);
    assert.deepEqual(st.unknownTypes, { refund: 1 });
    const dl = (await app.inject({ method: 'GET', url: '/api/sources/app_events/dead-letters' })).json() as { count: number; samples: { raw: string }[] };
    assert.equal(dl.count, 1);
    assert.equal(dl.samples[0]!.raw, 'not json at all');
    const rep = await app.inject({ method: 'POST', url: '/api/sources/app_events/stats', payload: { messages: 'x' } });
    assert.equal(rep.statusCode, 400);
    assert.equal(rep.json().error.field, 'messages');

    const sm = (await app.inject({ method: 'GET', url: '/api/sources/app_events/samples?limit=3' })).json() as { live: boolean; samples: { value: string }[] };
    assert.equal(sm.live, true);
    assert.equal(sm.samples.length, 3);
    assert.ok(sm.samples.some((s) => JSON.parse(s.value).id === 3 && JSON.parse(s.value).type === 'order'));

    const catalog = new Catalog();
    await dictionary.toCatalog(catalog, { logDir, baseDir: dir, extraOptions: { 'scan.bounded.mode': 'latest-offset' } });
    const out = await runOnCatalog(`
      SELECT COUNT(*) AS n, SUM(amount) AS total FROM app_events.order;
      SELECT page, COUNT(*) AS n FROM app_events.click GROUP BY page;`, catalog, dir);
    const last = (rows: unknown[][]): unknown[][] => rows;
    assert.deepEqual(last(out.rows[0]!), [[3, 16.5]]);
    assert.deepEqual(out.rows[1]!.map((r) => [r[0], r[1]]).sort(), [['/a', 2], ['/b', 1]]);
  });
});

test('infer by a header discriminator from samples with their headers', async () => {
  await withServer(async (app) => {
    const res = await app.inject({ method: 'POST', url: '/api/sources/infer', payload: {
      samples: '{"id": 1, "amount": 2.5}\n{"id": 2, "page": "/"}\n{"id": 3}',
      headers: [{ kind: 'order' }, { kind: 'click', trace: 'z' }, null],
      options: { discriminator: 'header:kind', name: 'ev' },
    } });
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json() as { types: Record<string, { fields: { name: string; type: string }[] }>; discriminator: { path: string }; samplesRead: number; samples?: unknown; warnings: { code: string }[] };
    assert.deepEqual(Object.fromEntries(Object.entries(r.types).map(([t, s]) => [t, s.fields.map((f) => `${f.name} ${f.type}`)])),
      { order: ['id INT', 'amount DOUBLE'], click: ['id INT', 'page STRING'] });
    assert.deepEqual(r.discriminator, { path: 'header:kind' });
    assert.equal(r.samplesRead, 2);
    assert.deepEqual(r.warnings.map((w) => w.code), ['DICT109']);
    assert.equal(r.samples, undefined); // only a live topic's messages are echoed
  });
});

test('the processing-time column over REST: proposed by infer, renamed or left out by options, checked with the field named', async () => {
  await withServer(async (app) => {
    const infer = async (options: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/sources/infer', payload: { samples: ['{"a": 1}'], options } });
    const dflt = (await infer({})).json() as { schema: { procTimeColumn?: string }; ddl: string };
    assert.equal(dflt.schema.procTimeColumn, 'proc_time');
    assert.match(dflt.ddl, /`a` INT,\n {2}`proc_time` AS PROCTIME\(\)\n\)/);
    assert.equal(((await infer({ procTimeColumn: 'seen_at' })).json() as { schema: { procTimeColumn?: string } }).schema.procTimeColumn, 'seen_at');
    for (const none of [false, null]) {
      const r = (await infer({ procTimeColumn: none })).json() as { schema: { procTimeColumn?: string }; ddl: string };
      assert.equal(r.schema.procTimeColumn, undefined);
      assert.doesNotMatch(r.ddl, /PROCTIME/);
    }
    const cases: [string, unknown, RegExp, string][] = [
      ['/api/sources/infer', { samples: ['{"a": 1}'], options: { procTimeColumn: 'a b' } }, /must be a column name/, 'options.procTimeColumn'],
      ['/api/sources/infer', { samples: ['{"a": 1}'], options: { procTimeColumn: 'a' } }, /'a' clashes/, 'options.procTimeColumn'],
      ['/api/sources', { name: 'x', samples: ['{"a": 1}'], infer: { procTimeColumn: 'a' } }, /'a' clashes/, 'infer.procTimeColumn'],
      ['/api/sources', { name: 'x', schema: { fields: [{ name: 'a', type: 'INT' }], procTimeColumn: 'a' } }, /clashes with a field/, 'schema.procTimeColumn'],
      ['/api/sources', { name: 'x', schema: { fields: [{ name: 'a', type: 'INT' }], procTimeColumn: 7 } }, /must be a column name/, 'schema.procTimeColumn'],
    ];
    for (const [url, body, re, field] of cases) {
      const res = await app.inject({ method: 'POST', url, payload: body as object });
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)} → ${res.body}`);
      const err = (res.json() as { error: { message: string; field?: string } }).error;
      assert.match(err.message, re, res.body);
      assert.equal(err.field, field, res.body);
    }
    const c = await app.inject({ method: 'POST', url: '/api/sources', payload: { name: 'clicks', samples: ['{"a": 1}'], infer: { procTimeColumn: 'arrived' } } });
    assert.equal(c.statusCode, 201, c.body);
    const g = (await app.inject({ method: 'GET', url: '/api/sources/clicks' })).json() as { source: { schema: { procTimeColumn?: string } }; ddl: string };
    assert.equal(g.source.schema.procTimeColumn, 'arrived');
    assert.match(g.ddl, /`arrived` AS PROCTIME\(\)/);
  });
});
