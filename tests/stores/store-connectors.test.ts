// Option validation of the online-store connectors (redis, embedded-kv, aerospike) and their registration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../../src/common/types.js';
import { getConnector } from '../../src/connectors/registry.js';
import type { SinkContext } from '../../src/connectors/connector.js';
import { compileSql } from '../../src/runtime/sql-session.js';

function ctx(options: Record<string, string>, primaryKey = [0]): SinkContext {
  return {
    tableName: 'feat', physicalFields: [{ name: 'k', type: T.string(false) }, { name: 'v', type: T.bigint() }], options, baseDir: '.',
    reporter: { badRecord: () => undefined }, primaryKey, updating: true,
  };
}
const codes = (id: string, options: Record<string, string>, role: 'source' | 'sink' = 'sink', pk = [0]): string[] =>
  getConnector(id)!.validate(ctx({ connector: id, ...options }, pk), role).map((d) => `${d.code} ${d.message} ${d.hint ?? ''}`);

test('the three store connectors are registered with sink and lookup, not scan', () => {
  for (const id of ['redis', 'embedded-kv', 'aerospike']) {
    const f = getConnector(id);
    assert.ok(f, id);
    assert.ok(f.createSink && f.createLookup && !f.createSource, id);
  }
});

test('valid options give no diagnostics', () => {
  assert.deepEqual(codes('redis', { host: 'localhost', port: '6380', password: 'x', database: '2', table: 'user_features' }), []);
  assert.deepEqual(codes('embedded-kv', { path: 'data/kv' }), []);
  assert.deepEqual(codes('aerospike', { hosts: 'a:3000,b', namespace: 'features', set: 'uf', username: 'u', password: 'p' }), []);
});

test('bad options are positioned diagnostics with codes', () => {
  assert.match(codes('redis', { port: '70000' })[0]!, /^CONN103 .*at most 65535/);
  assert.match(codes('redis', { port: 'abc' })[0]!, /^CONN103 /);
  assert.match(codes('redis', { database: '-1' })[0]!, /^CONN103 /);
  assert.match(codes('redis', { hots: 'x' })[0]!, /^CONN102 .*did you mean 'host'/);
  assert.match(codes('redis', { table: 'a:b' })[0]!, /^CONN103 .*':'/);
  assert.match(codes('redis', {}, 'sink', [])[0]!, /^CONN101 .*PRIMARY KEY/);
  assert.match(codes('redis', {}, 'source')[0]!, /^CONN106 .*not scanned/);
  assert.match(codes('embedded-kv', { path: ' ' })[0]!, /^CONN103 /);
  assert.match(codes('aerospike', {})[0]!, /^CONN101 .*namespace/);
  assert.match(codes('aerospike', { namespace: 'n', hosts: 'a b' })[0]!, /^CONN103 .*hosts/);
  assert.match(codes('aerospike', { namespace: 'n', username: 'u' })[0]!, /^CONN104 /);
  assert.match(codes('aerospike', { namespace: 'n', set: 'x'.repeat(64) })[0]!, /^CONN103 .*63 bytes/);
});

test('a script writing a GROUP BY into redis without PRIMARY KEY fails to compile, with the span of the table', () => {
  const c = compileSql(`CREATE TABLE ev (k STRING, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '5');
CREATE TABLE feat (k STRING, n BIGINT) WITH ('connector' = 'redis');
INSERT INTO feat SELECT k, COUNT(*) FROM ev GROUP BY k;`);
  const d = c.diagnostics.find((x) => x.code === 'CONN101');
  assert.ok(d, JSON.stringify(c.diagnostics));
  assert.ok(d.span, 'positioned');
});
