// The stored row JSON (row-codec.ts) and entity key encoding (store-key.ts): exact texts and round trips of every type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, type RowField } from '../../src/common/types.js';
import { createRowCodec } from '../../src/connectors/stores/row-codec.js';
import { sortedKeyColumns, storeKeyFn } from '../../src/connectors/stores/store-key.js';

const fields: RowField[] = [
  { name: 'b', type: T.boolean() }, { name: 'i', type: T.int() }, { name: 'bi', type: T.bigint() },
  { name: 'f', type: T.float() }, { name: 'd', type: T.double() }, { name: 'dec', type: T.decimal(10, 2) },
  { name: 's', type: T.string() }, { name: 'by', type: T.bytes() }, { name: 'dt', type: T.date() },
  { name: 'tm', type: T.time() }, { name: 'ts', type: T.timestamp(3) }, { name: 'ltz', type: T.timestampLtz(3) },
  { name: 'iv', type: T.intervalDayTime() }, { name: 'ym', type: T.intervalYearMonth() },
  { name: 'arr', type: T.array(T.int()) }, { name: 'ms', type: T.map(T.string(), T.int()) },
  { name: 'mi', type: T.map(T.int(), T.string()) }, { name: 'r', type: T.row([{ name: 'a', type: T.int() }, { name: 'z', type: T.array(T.string()) }]) },
];

const row = [
  true, -7, 9007199254740991, 1.5, 0.1, 12345.67, 'q"\\|\u00e9\n', new Uint8Array([0, 255, 16]), 19782, 45296789,
  Date.UTC(2024, 0, 2, 3, 4, 5, 678), 1700000000123, 90061001, 14,
  [1, null, 3], new Map<unknown, unknown>([['a', 1], ['__proto__', null]]), new Map<unknown, unknown>([[7, 'seven'], [null, 'n']]), [42, ['x', null]],
];

test('encodes every type to readable JSON', () => {
  const c = createRowCodec(fields);
  const o = JSON.parse(c.encode(row)) as Record<string, unknown>;
  assert.equal(o['b'], true);
  assert.equal(o['bi'], 9007199254740991);
  assert.equal(o['dec'], 12345.67);
  assert.equal(o['by'], 'AP8Q');
  assert.equal(o['dt'], '2024-02-29');
  assert.equal(o['tm'], '12:34:56.789');
  assert.equal(o['ts'], '2024-01-02T03:04:05.678');
  assert.equal(o['ltz'], '2023-11-14T22:13:20.123Z');
  assert.equal(JSON.stringify(o['ms']), '{"a":1,"__proto__":null}');
  assert.deepEqual(o['mi'], [[7, 'seven'], [null, 'n']]);
  assert.deepEqual(o['r'], { a: 42, z: ['x', null] });
});

test('decode(encode(row)) is the row, for values, NULLs and non-finite doubles', () => {
  const c = createRowCodec(fields);
  assert.deepEqual(c.decode(c.encode(row)), row);
  const nulls = fields.map(() => null);
  assert.deepEqual(c.decode(c.encode(nulls)), nulls);
  const nonFinite = [...row];
  nonFinite[3] = Infinity; nonFinite[4] = NaN;
  const back = c.decode(c.encode(nonFinite));
  assert.equal(back[3], Infinity);
  assert.ok(Number.isNaN(back[4]));
});

test('decode reads by column name: missing columns are NULL, extra ones ignored; bad values throw', () => {
  const c = createRowCodec([{ name: 'x', type: T.int() }, { name: 'dt', type: T.date() }]);
  assert.deepEqual(c.decode('{"dt":"1970-01-02","other":1}'), [null, 1]);
  assert.throws(() => c.decode('{"x":"1"}'), /not a valid INT/);
  assert.throws(() => c.decode('{"dt":"2024-02-30"}'), /not a valid DATE/);
});

test('store keys: one column as is, several escaped and joined with |, table column order, NULL has no key', () => {
  const f: RowField[] = [{ name: 'id', type: T.int() }, { name: 'region', type: T.string() }, { name: 'day', type: T.date() }];
  assert.equal(storeKeyFn([1], f)([7, 'user|42', 0]), 'user|42');
  const multi = storeKeyFn(sortedKeyColumns([2, 1, 0]), f);
  assert.equal(multi([7, 'eu', 19782]), '7|eu|2024-02-29');
  assert.equal(multi([7, 'a|b\\c', 0]), '7|a\\|b\\\\c|1970-01-01');
  assert.notEqual(multi([7, 'a|b', 0]), storeKeyFn([0, 1], f)([7, 'a', 0]) + '|b|1970-01-01');
  assert.equal(multi([null, 'eu', 0]), undefined);
  const ts = storeKeyFn([0], [{ name: 't', type: T.timestampLtz(3) }]);
  assert.equal(ts([1700000000123]), '2023-11-14T22:13:20.123Z');
  const arr = storeKeyFn([0], [{ name: 'a', type: T.array(T.int()) }]);
  assert.equal(arr([[1, 2]]), '[1,2]');
});
