// Schema inference from sample messages: types, nesting, arrays, nullability, timestamps in every supported shape,
// conflicts (with warnings naming the field and samples), decimals, multi-type topics, and the DDL text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferSchema } from '../../src/catalog/dictionary/infer-schema.js';
import type { FieldSpec, TypeSchema } from '../../src/catalog/dictionary/source-model.js';
import { parseCreateTable } from '../../src/catalog/dictionary/register-dictionary.js';

const j = (...xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x));
const field = (s: TypeSchema | undefined, name: string): FieldSpec => {
  const f = s?.fields.find((x) => x.name === name);
  assert.ok(f, `field ${name}`);
  return f;
};
const types = (s: TypeSchema | undefined): [string, string][] => (s?.fields ?? []).map((f) => [f.name, f.type]);

test('scalars, nested objects and arrays', () => {
  const r = inferSchema(j(
    { id: 1, big: 5_000_000_000, price: 9.99, ok: true, name: 'a', user: { id: 7, geo: { lat: 1.5, lon: 2 } }, tags: ['x', 'y'], scores: [1, 2.5], matrix: [[1], [2, 3]], items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2, note: 'n' }] },
    { id: 2, big: 1, price: 10, ok: false, name: 'b', user: { id: 8, geo: { lat: -3, lon: 4.25 } }, tags: [], scores: [], matrix: [], items: [] },
  ));
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(types(r.schema), [
    ['id', 'INT'], ['big', 'BIGINT'], ['price', 'DOUBLE'], ['ok', 'BOOLEAN'], ['name', 'STRING'],
    ['user', 'ROW<`id` INT, `geo` ROW<`lat` DOUBLE, `lon` DOUBLE>>'], ['tags', 'ARRAY<STRING>'], ['scores', 'ARRAY<DOUBLE>'],
    ['matrix', 'ARRAY<ARRAY<INT>>'], ['items', 'ARRAY<ROW<`sku` STRING, `qty` INT, `note` STRING>>'],
  ]);
  assert.equal(r.schema!.eventTimeColumn, undefined);
  assert.ok(parseCreateTable(r.ddl).ddl, r.ddl);
});

test('integer range is decided across all samples; huge integers are not BIGINT', () => {
  assert.deepEqual(types(inferSchema(j({ n: 2147483647 }, { n: -2147483648 })).schema), [['n', 'INT']]);
  assert.deepEqual(types(inferSchema(j({ n: 1 }, { n: 2147483648 })).schema), [['n', 'BIGINT']]);
  const huge = inferSchema(['{"n": 123456789012345678901234}']);
  assert.deepEqual(types(huge.schema), [['n', 'DOUBLE']]);
  assert.equal(huge.warnings[0]!.code, 'DICT106');
  assert.deepEqual(types(inferSchema(['{"n": 9007199254740993}']).schema), [['n', 'BIGINT']]);
});

test('decimals: DOUBLE by default, DECIMAL(p, s) when exact or (auto) when every value has the same scale', () => {
  const s = ['{"p": 12.50}', '{"p": 3.99}', '{"p": 1234.10}'];
  assert.deepEqual(types(inferSchema(s).schema), [['p', 'DOUBLE']]);
  assert.deepEqual(types(inferSchema(s, { decimals: 'auto' }).schema), [['p', 'DECIMAL(6, 2)']]);
  const mixed = ['{"p": 1.5}', '{"p": 2.25}', '{"p": 100}'];
  assert.deepEqual(types(inferSchema(mixed, { decimals: 'auto' }).schema), [['p', 'DOUBLE']]);
  assert.deepEqual(types(inferSchema(mixed, { decimals: 'exact' }).schema), [['p', 'DECIMAL(5, 2)']]);
});

test('nullability: missing or null → nullable; present everywhere → observedNonNull (NOT NULL only on request)', () => {
  const samples = j({ a: 1, b: null, c: 'x', d: { e: 1 } }, { a: 2, c: 'y', d: { e: null } }, { a: 3, b: 2, c: 'z', d: { e: 3 } });
  const r = inferSchema(samples);
  assert.deepEqual(r.schema!.fields.map((f) => [f.name, f.nullable, f.observedNonNull]), [['a', true, true], ['b', true, false], ['c', true, true], ['d', true, true]]);
  const nn = inferSchema(samples, { notNullWhenObserved: true });
  assert.deepEqual(nn.schema!.fields.map((f) => [f.name, f.nullable]), [['a', false], ['b', true], ['c', false], ['d', false]]);
  assert.match(nn.ddl, /`a` INT NOT NULL/);
  assert.match(nn.ddl, /`d` ROW<`e` INT> NOT NULL/);
  const only = inferSchema(j({ z: null }, {}));
  assert.deepEqual(types(only.schema), [['z', 'STRING']]);
  assert.equal(only.warnings[0]!.code, 'DICT102');
});

test('timestamps: SQL, ISO-8601, with Z, with offsets, dates; the table standard follows the majority', () => {
  const sql = inferSchema(j({ created: '2024-01-02 03:04:05', updated: '2024-01-02 03:04:05.123Z', day: '2024-01-02' }, { created: '2024-01-02 03:04:06.5', updated: '2024-01-03 00:00:00Z', day: '2024-02-29' }));
  assert.deepEqual(types(sql.schema), [['created', 'TIMESTAMP(3)'], ['updated', 'TIMESTAMP_LTZ(3)'], ['day', 'DATE']]);
  assert.equal(field(sql.schema, 'created').timestampFormat, 'sql');
  assert.equal(field(sql.schema, 'updated').timestampFormat, 'sql-z');
  assert.equal(sql.schema!.timestampStandard, undefined);
  assert.doesNotMatch(sql.ddl, /timestamp-format/);

  const iso = inferSchema(j({ at: '2024-01-02T03:04:05Z', local: '2024-01-02T03:04', old: '2024-01-02 03:04:05' }));
  assert.deepEqual(types(iso.schema), [['at', 'TIMESTAMP_LTZ(3)'], ['local', 'TIMESTAMP(3)'], ['old', 'STRING']]);
  assert.equal(iso.schema!.timestampStandard, 'ISO-8601');
  assert.match(iso.ddl, /'json\.timestamp-format\.standard' = 'ISO-8601'/);
  // The minority-standard column is read as text and converted by a computed column.
  assert.deepEqual([field(iso.schema, 'old').timestampFormat, field(iso.schema, 'old').timeColumn], ['sql', 'old_ltz']);
  assert.match(iso.ddl, /`old_ltz` AS TO_TIMESTAMP\(`old`, 'yyyy-MM-dd HH:mm:ss'\)/);
  assert.equal(iso.schema!.eventTimeColumn, 'at');

  const off = inferSchema(j({ event_time: '2024-01-02T03:04:05+02:00' }, { event_time: '2024-01-02T03:04:05.250-05:30' }));
  const f = field(off.schema, 'event_time');
  assert.deepEqual([f.type, f.timestampFormat, f.timeColumn], ['STRING', 'iso-offset', 'event_time_ltz']);
  assert.match(off.ddl, /`event_time_ltz` AS TO_TIMESTAMP_LTZ\(`event_time`, 'yyyy-MM-dd''T''HH:mm:ss\[\.SSS\]XXX'\)/);
  assert.equal(off.schema!.eventTimeColumn, 'event_time_ltz');
  assert.ok(parseCreateTable(off.ddl).ddl);

  const mixed = inferSchema(j({ t: '2024-01-02 03:04:05' }, { t: 'yesterday' }));
  assert.deepEqual(types(mixed.schema), [['t', 'STRING']]);
  assert.equal(mixed.warnings[0]!.code, 'DICT103');
  assert.match(mixed.warnings[0]!.message, /'\$\.t'.*sample 2: "yesterday"/);
});

test('epoch numbers under time-like names become BIGINT + a computed TIMESTAMP_LTZ(3); other names stay numbers', () => {
  const r = inferSchema(j(
    { ts: 1714564800000, created_at: 1714564800, eventTime: 1714564800.5, updated_time: 1714564800123, count: 1714564800000, time: 12 },
    { ts: 1714564801000, created_at: 1714564801, eventTime: 1714564801.25, updated_time: 1714564800124, count: 5, time: 13 },
  ));
  const fmt = (n: string): [string, string | undefined, string | undefined] => { const f = field(r.schema, n); return [f.type, f.timestampFormat, f.timeColumn]; };
  assert.deepEqual(fmt('ts'), ['BIGINT', 'epoch-millis', 'ts_ltz']);
  assert.deepEqual(fmt('created_at'), ['BIGINT', 'epoch-seconds', 'created_at_ltz']);
  assert.deepEqual(fmt('eventTime'), ['DOUBLE', 'epoch-seconds', 'eventTime_ltz']);
  assert.deepEqual(fmt('updated_time'), ['BIGINT', 'epoch-millis', 'updated_time_ltz']);
  assert.deepEqual(fmt('count'), ['BIGINT', undefined, undefined]);
  assert.deepEqual(fmt('time'), ['INT', undefined, undefined]); // too small to be an epoch
  assert.match(r.ddl, /`created_at_ltz` AS TO_TIMESTAMP_LTZ\(`created_at`, 0\)/);
  assert.match(r.ddl, /`ts_ltz` AS TO_TIMESTAMP_LTZ\(`ts`, 3\)/);
  assert.equal(r.schema!.eventTimeColumn, 'eventTime_ltz'); // event-time names rank first
  assert.match(r.ddl, /WATERMARK FOR `eventTime_ltz` AS `eventTime_ltz` - INTERVAL '5' SECOND/);
  const named = inferSchema(j({ ts: 1714564800000 }, { ts: 1714564800001 }), { watermarkDelayMs: 250 });
  assert.match(named.ddl, /INTERVAL '0\.25' SECOND/);
  assert.ok(parseCreateTable(named.ddl).ddl, named.ddl);
});

test('conflicting samples widen to STRING with a warning naming the field path and samples', () => {
  const r = inferSchema(j({ id: 1, meta: { v: 1 }, x: [1] }, { id: 'abc', meta: 'plain', x: [1] }, { id: 3, meta: { v: 'two' }, x: true }));
  assert.deepEqual(types(r.schema), [['id', 'STRING'], ['meta', 'STRING'], ['x', 'STRING']]);
  const msgs = r.warnings.map((w) => `${w.code} ${w.message}`);
  assert.equal(msgs.length, 3);
  assert.match(msgs[0]!, /DICT101 field '\$\.id' has conflicting types across samples: integer \(sample 1: 1\), STRING \(sample 2: "abc"\)/);
  assert.match(msgs[1]!, /field '\$\.meta'.*object \(sample 1: \{\.\.\.\}\), STRING \(sample 2: "plain"\)/);
  assert.match(msgs[2]!, /field '\$\.x'.*array.*BOOLEAN \(sample 3: true\)/);
  // A conflict inside a nested object names the nested path and keeps the ROW.
  const nested = inferSchema(j({ u: { v: 1 } }, { u: { v: 'x' } }));
  assert.deepEqual(types(nested.schema), [['u', 'ROW<`v` STRING>']]);
  assert.match(nested.warnings[0]!.message, /'\$\.u\.v'/);
});

test('bad samples are skipped with warnings; no usable sample is an error', () => {
  const r = inferSchema(['{"a": 1}', '{"a": ', '[1,2]', 'null', { a: 2 }]);
  assert.deepEqual(types(r.schema), [['a', 'INT']]);
  assert.equal(r.samplesRead, 2);
  assert.deepEqual(r.warnings.map((w) => w.code), ['DICT104', 'DICT104', 'DICT104']);
  assert.match(r.warnings[0]!.message, /sample 2 is not valid JSON/);
  const none = inferSchema(['nope']);
  assert.ok(none.warnings.some((w) => w.code === 'DICT105' && w.severity === 'error'));
  assert.equal(none.ddl, '');
});

test('multi-type: one schema per discriminator value, one table per type with the discriminator options', () => {
  const r = inferSchema(j(
    { type: 'order', id: 1, amount: 2.5, ts: 1714564800000 },
    { type: 'click', id: 2, page: '/', ts: 1714564800001 },
    { type: 'order', id: 3, amount: 4, ts: 1714564800002, coupon: 'X' },
    { id: 4 },
  ), { name: 'app_events', discriminator: '$.type' });
  assert.deepEqual(Object.keys(r.types!), ['order', 'click']);
  assert.deepEqual(types(r.types!['order']), [['type', 'STRING'], ['id', 'INT'], ['amount', 'DOUBLE'], ['ts', 'BIGINT'], ['coupon', 'STRING']]);
  assert.deepEqual(types(r.types!['click']), [['type', 'STRING'], ['id', 'INT'], ['page', 'STRING'], ['ts', 'BIGINT']]);
  assert.equal(field(r.types!['order'], 'coupon').observedNonNull, false);
  assert.deepEqual(r.warnings.map((w) => w.code), ['DICT109']);
  assert.match(r.ddl, /CREATE TABLE `app_events`\.`order`/);
  assert.match(r.ddl, /'freshet\.discriminator\.value' = 'click'/);
  const bad = inferSchema(['{}'], { discriminator: 'type' });
  assert.equal(bad.warnings[0]!.code, 'DICT108');
  const nested = inferSchema(j({ meta: { kind: 'a' }, x: 1 }, { meta: { kind: 'b' }, y: 's' }), { discriminator: '$.meta.kind' });
  assert.deepEqual(Object.keys(nested.types!), ['a', 'b']);
});

test('multi-type by header: samples grouped by their header value; the body field of that name is only data', () => {
  const samples = j(
    { id: 1, kind: 'body-says-x', amount: 2.5, ts: 1714564800000 },
    { id: 2, kind: 'body-says-x', page: '/', ts: 1714564800001 },
    { id: 3, kind: 'body-says-y', amount: 4, ts: 1714564800002 },
    { id: 4 },
    { id: 5, page: '/b', ts: 1714564800003 },
  );
  const headers: (Record<string, string> | null)[] = [{ type: 'order', other: 'a' }, { type: 'click' }, { type: 'order' }, null, { type: 'click', kind: 'ignored' }];
  const r = inferSchema(samples, { name: 'app_events', discriminator: 'header:type', headers });
  assert.deepEqual(Object.keys(r.types!), ['order', 'click']);
  assert.deepEqual(types(r.types!['order']), [['id', 'INT'], ['kind', 'STRING'], ['amount', 'DOUBLE'], ['ts', 'BIGINT']]);
  assert.deepEqual(types(r.types!['click']), [['id', 'INT'], ['kind', 'STRING'], ['page', 'STRING'], ['ts', 'BIGINT']]);
  // `kind` is missing in sample 5 (click): nullable, not observed non-null; `page` is in both click samples.
  assert.equal(field(r.types!['click'], 'kind').observedNonNull, false);
  assert.equal(field(r.types!['click'], 'page').observedNonNull, true);
  assert.equal(r.types!['order']!.eventTimeColumn, 'ts_ltz');
  assert.deepEqual(r.discriminator, { path: 'header:type' });
  assert.equal(r.samplesRead, 4);
  assert.deepEqual(r.warnings.map((w) => [w.code, w.message]), [['DICT109', "sample 4 has no header 'type'; skipped"]]);
  assert.match(r.ddl, /CREATE TABLE `app_events`\.`order`/);
  assert.match(r.ddl, /'freshet\.discriminator' = 'header:type'/);
  assert.match(r.ddl, /'freshet\.discriminator\.value' = 'click'/);
  for (const ddl of r.ddl.split('\n\n')) assert.ok(parseCreateTable(ddl).ddl, ddl);
  // Samples given as parsed objects work the same; headers shorter than the samples leave the rest without.
  const short = inferSchema([{ a: 1 }, { a: 2 }], { discriminator: 'header:type', headers: [{ type: 't' }] });
  assert.deepEqual(Object.keys(short.types!), ['t']);
  assert.equal(short.samplesRead, 1);
  // Without headers at all a header discriminator cannot be inferred: an error naming what is needed.
  const none = inferSchema(samples, { discriminator: 'header:type' });
  assert.equal(none.types, undefined);
  assert.equal(none.warnings[0]!.code, 'DICT108');
  assert.equal(none.warnings[0]!.severity, 'error');
  assert.match(none.warnings[0]!.message, /headers are needed/);
  // Every sample without the header: nothing read, the no-samples error.
  const missing = inferSchema(samples, { discriminator: 'header:type', headers: [] });
  assert.equal(missing.samplesRead, 0);
  assert.deepEqual(missing.warnings.map((w) => w.code), ['DICT109', 'DICT109', 'DICT109', 'DICT109', 'DICT109', 'DICT105']);
});

test('a JSON-path discriminator ignores headers', () => {
  const r = inferSchema(j({ type: 'a', x: 1 }, { type: 'b', y: 2 }), { discriminator: '$.type', headers: [{ type: 'zzz' }, { type: 'zzz' }] });
  assert.deepEqual(Object.keys(r.types!), ['a', 'b']);
});
