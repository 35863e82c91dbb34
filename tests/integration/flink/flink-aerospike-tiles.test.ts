/**
 * The JUnit fixture of the Flink tile writer's Aerospike store (flink/src/test/resources/dev/freshet/flink/tiles/
 * aerospike-golden.json, read by AerospikeTileStoreTest.java): the records Freshet's embedded engine leaves in
 * Aerospike for the tile writer's golden workload (golden.json next to it: its rows, through the same feature script
 * on an `aerospike` table). No server is needed: the AerospikeKvStore the engine opens talks to an in-memory model of
 * the client (records by digest with generations, check-and-set puts, create-only puts, the map range removal), so
 * the fixture holds exactly the record keys, digests and bins the TypeScript store writes. The test fails when the
 * fixture is stale (FRESHET_UPDATE_GOLDENS=1 rewrites it), and checks that the Aerospike records hold the same
 * positions, values and versions as the Redis records of golden.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScript } from '../../../src/sql/index.js';
import { planTiledInserts } from '../../../src/flink/tiled-insert.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { getConnector } from '../../../src/connectors/registry.js';
import { AerospikeKvStore } from '../../../src/connectors/stores/aerospike-kv-store.js';
import type { ConnectorLookup } from '../../../src/engine/job-runner.js';
import type { KvStore } from '../../../src/engine/kv-store-api.js';

const DIR = join(import.meta.dirname, '../../../flink/src/test/resources/dev/freshet/flink/tiles');
const FIXTURE = join(DIR, 'aerospike-golden.json');
const NAMESPACE = 'features';
const SET = 'gold';

/** Result codes and policy values of the `aerospike` client that the store uses (the client's own numbers). */
const status = { OK: 0, ERR_RECORD_NOT_FOUND: 2, ERR_RECORD_GENERATION: 3, ERR_RECORD_EXISTS: 5, FILTERED_OUT: 27 };
const policy = { exists: { IGNORE: 0, CREATE: 1 }, gen: { IGNORE: 0, EQ: 1 } };

class FakeKey { constructor(readonly ns: string, readonly set: string, readonly key: string) {} }

/** The C client's digest of a string user key: RIPEMD-160 over the set name, particle type 3 (string) and the key. */
const digest = (set: string, key: string): string =>
  createHash('ripemd160').update(Buffer.from(set, 'utf8')).update(Buffer.from([3])).update(Buffer.from(key, 'utf8')).digest('hex');

interface FakeRecord { key: string; gen: number; bins: Record<string, unknown> }

/** An in-memory Aerospike behind the subset of the client's API AerospikeKvStore uses for tiles and meta. */
class FakeAerospike {
  readonly records = new Map<string, FakeRecord>();
  readonly ops: unknown[] = [];

  readonly module = {
    Key: FakeKey, status, policy,
    WritePolicy: class { constructor(o: object) { Object.assign(this, o); } },
    maps: { removeByKeyRange: (bin: string, begin: number, end: number, returnType?: number) => ({ op: 'removeByKeyRange', bin, begin, end, returnType }) },
  };

  private id(k: FakeKey): string {
    assert.equal(k.ns, NAMESPACE);
    return `${k.ns}:${digest(k.set, k.key)}`;
  }

  private static fail(code: number): never {
    throw Object.assign(new Error(`fake Aerospike error ${code}`), { code });
  }

  readonly client = {
    get: async (k: FakeKey): Promise<{ bins: Record<string, unknown>; gen: number }> => {
      const r = this.records.get(this.id(k));
      if (!r) FakeAerospike.fail(status.ERR_RECORD_NOT_FOUND);
      const bins = Object.fromEntries(Object.entries(r.bins).map(([n, v]) => [n, v instanceof Map ? new Map(v) : v]));
      return { bins, gen: r.gen };
    },
    put: async (k: FakeKey, bins: Record<string, unknown>, meta?: { gen?: number }, p?: { exists?: number; gen?: number }): Promise<void> => {
      const id = this.id(k);
      const r = this.records.get(id);
      if (p?.exists === policy.exists.CREATE && r) FakeAerospike.fail(status.ERR_RECORD_EXISTS);
      if (p?.gen === policy.gen.EQ && (!r || r.gen !== meta?.gen)) FakeAerospike.fail(status.ERR_RECORD_GENERATION);
      const rec = r ?? { key: k.key, gen: 0, bins: {} };
      for (const [n, v] of Object.entries(bins)) rec.bins[n] = v instanceof Map ? new Map(v) : v;
      rec.gen++;
      this.records.set(id, rec);
    },
    operate: async (k: FakeKey, ops: { op: string; bin: string; begin: number; end: number }[]): Promise<void> => {
      const r = this.records.get(this.id(k));
      if (!r) FakeAerospike.fail(status.ERR_RECORD_NOT_FOUND);
      for (const o of ops) {
        this.ops.push({ key: k.key, ...o });
        assert.equal(o.op, 'removeByKeyRange');
        const m = r.bins[o.bin];
        if (m instanceof Map) for (const start of [...m.keys()]) if (start >= o.begin && start < o.end) m.delete(start);
      }
      r.gen++;
    },
    close: (): void => undefined,
  };

  /** Opens `store` against this fake instead of a server. */
  attach<S extends KvStore>(store: S): S {
    Object.assign(store, { open: async () => { Object.assign(store, { as: this.module, client: this.client }); } });
    return store;
  }

  /** A record's bins as the fixture shows them: a tile map as [start, "version|json"] pairs in start order. */
  static bins(b: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(b).map(([n, v]) => [n, v instanceof Map ? [...v].sort((x, y) => x[0] - y[0]) : v]));
  }
}

interface Golden { config: string; rows: [string, number, number, number][]; records: Record<string, Record<string, string>>; layout: string; progress: string }

const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

test('the Aerospike tile fixture of the Flink tile writer is what the embedded engine writes to Aerospike', async () => {
  const golden = JSON.parse(readFileSync(join(DIR, 'golden.json'), 'utf8')) as Golden;
  const dir = mkdtempSync(join(tmpdir(), 'freshet-as-tiles-'));
  try {
    const data = join(dir, 'gold.json');
    writeFileSync(data, golden.rows.map(([k, at, v, p]) => JSON.stringify({ k, v, p, ts: iso(at) })).join('\n') + '\n');
    // The workload of golden.json (tests/integration/flink/flink-tiles.test.ts) on an `aerospike` table.
    const sql = `
CREATE TABLE ev (k STRING, v INT, p DOUBLE, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json');
CREATE TABLE g (k STRING, n BIGINT, total INT, cheapest DOUBLE, avg_p DOUBLE, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'aerospike', 'namespace' = '${NAMESPACE}', 'table' = '${SET}', 'tile.retention' = '400 d',
        'tile.granularities' = '1 min, 1 h', 'tile.edge-entries' = '3');
INSERT INTO g SELECT k, COUNT(*) OVER w, SUM(v) OVER w, MIN(p) OVER w, AVG(p) OVER w FROM ev
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '2' HOUR PRECEDING AND CURRENT ROW);
`;
    // The same writer config as the Redis fixture's: the Java test feeds golden.json's rows with golden.json's config.
    const plan = planTiledInserts(sql, parseScript(sql).statements, dir);
    assert.deepEqual(plan.diagnostics, []);
    assert.equal(JSON.stringify(plan.plans.get('g')!.config), golden.config);

    const fake = new FakeAerospike();
    const aerospike = getConnector('aerospike')!;
    const connectors: ConnectorLookup = {
      get: (id) => (id === 'aerospike' ? { ...aerospike, createStore: (ctx) => fake.attach(aerospike.createStore!(ctx)) } : getConnector(id)),
    };
    const res = await runSql(sql, { baseDir: dir, connectors });
    assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);

    const records = [...fake.records.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => {
      const bins = FakeAerospike.bins(r.bins);
      if (r.key === 'meta:watermark') {
        const m = JSON.parse(bins['m'] as string) as Record<string, unknown>;
        assert.equal(typeof m['flushedAt'], 'number');
        delete m['flushedAt']; // the writer's wall clock
        bins['m'] = JSON.stringify(m);
      }
      return { key: r.key, digest: digest(SET, r.key), bins };
    });
    // The same positions, values and versions as the Redis records of golden.json; the same meta.
    const tileRecords = records.filter((r) => !r.key.startsWith('meta:'));
    assert.deepEqual(tileRecords.map((r) => r.key), Object.keys(golden.records).sort());
    for (const r of tileRecords) {
      assert.deepEqual(Object.keys(r.bins), ['tiles'], r.key);
      assert.deepEqual(Object.fromEntries((r.bins['tiles'] as [number, string][]).map(([s, v]) => [String(s), v])), golden.records[r.key], r.key);
    }
    assert.deepEqual(records.filter((r) => r.key.startsWith('meta:')).map((r) => [r.key, r.bins]),
      [['meta:tiles', { m: golden.layout }], ['meta:watermark', { m: golden.progress }]]);

    // The workload's own retention expiries (the horizon is far before the data here: they remove nothing).
    assert.ok(fake.ops.length > 0 && fake.ops.every((o) => (o as { begin: number }).begin === Number.MIN_SAFE_INTEGER), 'the writer expired old positions');
    fake.ops.length = 0;
    // Retention: the store's expiry of one key and level, and the record after it.
    const store = fake.attach(new AerospikeKvStore({ namespace: NAMESPACE }));
    await store.open();
    const minute = fake.records.get(`${NAMESPACE}:${digest(SET, 'a:t:60000')}`)!.bins['tiles'] as Map<number, string>;
    const starts = [...minute.keys()].sort((a, b) => a - b);
    const before = starts[Math.floor(starts.length / 2)]!;
    await store.expireTiles(SET, 'a', 60_000, before);
    await store.expireTiles(SET, 'nobody', 60_000, before); // no record: nothing happens, no error
    assert.deepEqual(fake.ops, [
      { key: 'a:t:60000', op: 'removeByKeyRange', bin: 'tiles', begin: Number.MIN_SAFE_INTEGER, end: before, returnType: undefined },
    ]);
    const after = FakeAerospike.bins({ tiles: minute })['tiles'] as [number, string][];
    assert.equal(after.length, starts.length - Math.floor(starts.length / 2));
    assert.ok(after.every(([s]) => s >= before));

    const fixture = {
      namespace: NAMESPACE, set: SET, records,
      expire: { key: 'a', granularityMs: 60_000, bin: 'tiles', begin: Number.MIN_SAFE_INTEGER, end: before, tiles: after },
    };
    const text = JSON.stringify(fixture, null, 1) + '\n';
    if (process.env['FRESHET_UPDATE_GOLDENS'] === '1') writeFileSync(FIXTURE, text);
    assert.equal(readFileSync(FIXTURE, 'utf8'), text, 'the fixture is current (FRESHET_UPDATE_GOLDENS=1 rewrites it)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
