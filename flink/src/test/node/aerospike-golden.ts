// Prints the golden values of flink/src/test/java/dev/freshet/flink/aerospike/AerospikeLayoutTest.java: what Freshet's
// embedded Aerospike store (src/connectors/stores/aerospike-kv-store.ts) sends for a few rows, computed by its own
// code: entity keys (store-key.ts), JSON values (row-codec.ts), and the records, bins and filter expression of
// AerospikeKvStore.multiPut / putMeta. No server is needed: the client object is a recorder; the filter expression is
// built by the real `aerospike` client's `exp` module (its flat op list, as the client hands it to the C client), and
// record digests follow the C client's as_key_digest, RIPEMD-160 over set name, particle type (3 = string) and key.
// Run from the repo root: node --import tsx flink/src/test/node/aerospike-golden.ts
import { createHash } from 'node:crypto';
import { T, typeToString, type RowField } from '../../../../src/common/types.js';
import type { Row } from '../../../../src/common/row.js';
import { storeKeyFn, sortedKeyColumns } from '../../../../src/connectors/stores/store-key.js';
import { createRowCodec } from '../../../../src/connectors/stores/row-codec.js';
import { AerospikeKvStore, loadAerospike } from '../../../../src/connectors/stores/aerospike-kv-store.js';

const fields: RowField[] = [
  { name: 'region', type: T.string(false) }, { name: 'user_id', type: T.string(false) }, { name: 'n', type: T.bigint() },
  { name: 'total', type: T.double() }, { name: 'amt', type: T.decimal(10, 3) }, { name: 'last_ts', type: T.timestamp(3) },
  { name: 'tags', type: T.array(T.string()) },
];
// PRIMARY KEY (user_id, region): encoded in table column order (region, user_id).
const key = storeKeyFn(sortedKeyColumns([1, 0]), fields);
const codec = createRowCodec(fields);
const rows: Row[] = [
  ['eu|west', 'u\\1', 42, 0.1 + 0.2, 12.5, 1704067210250, ['a', 'b"c']],
  ['us', 'ü2', null, -0, 1234567.125, -1, []],
];

const as = await loadAerospike();
const sent: unknown[] = [], puts: unknown[] = [];
const recorder = {
  Key: class { constructor(public ns: string, public set: string, public key: string) {} },
  batchType: as.batchType, operations: { write: (bin: string, value: unknown) => ({ bin, value }) }, exp: as.exp,
  BatchWritePolicy: class { constructor(o: object) { Object.assign(this, o); } },
  status: as.status,
};
const client = {
  batchWrite: async (b: unknown[]) => { sent.push(...b); return b.map(() => ({ status: as.status.OK })); },
  put: async (k: unknown, bins: unknown) => { puts.push({ key: k, bins }); },
};
const store = new AerospikeKvStore({ namespace: 'features' });
Object.assign(store, { as: recorder, client });
const G = 2 ** 32;
await store.multiPut('user_features', [
  { key: key(rows[0]!)!, value: codec.encode(rows[0]!), version: G + 1 },
  { key: key(rows[1]!)!, value: codec.encode(rows[1]!), version: G + 7 },
  { key: key(rows[0]!)!, value: null, version: G + 2 },
]);
await store.putMeta('user_features', 'sink-generation', '1');

const digest = (set: string, k: string): string =>
  createHash('ripemd160').update(Buffer.from(set, 'utf8')).update(Buffer.from([3])).update(Buffer.from(k, 'utf8')).digest('hex');
for (const r of rows) console.log('key', JSON.stringify(key(r)), 'digest', digest('user_features', key(r)!), 'value', JSON.stringify(codec.encode(r)));
// The schema meta as kv-sink.ts writes it.
console.log('schema', JSON.stringify(JSON.stringify({
  columns: fields.map((f) => ({ name: f.name, type: typeToString(f.type, false) })),
  primaryKey: sortedKeyColumns([1, 0]).map((i) => fields[i]!.name),
})));
console.log('meta digest', digest('user_features', 'meta:sink-generation'));
console.log(JSON.stringify({ sent, puts }));
process.exit(0); // the native client's threads would keep the process alive
