// End-to-end scenarios of the online-store SQL connectors, run for each store (embedded-kv, redis): a GROUP BY
// feature written by the upsert sink equals the query's materialized result; halting and restoring from checkpoints
// ends with the store equal to an uninterrupted run while a poller never sees a version go down; a lookup join reads
// every column type back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '../../src/common/row.js';
import type { RowField } from '../../src/common/types.js';
import type { KvStore } from '../../src/engine/kv-store-api.js';
import { createRowCodec } from '../../src/connectors/stores/row-codec.js';
import { runSql, type SqlRunResult } from '../../src/runtime/sql-session.js';
import { mulberry32, randomEvents, writeEvents } from '../support/random-events.js';

export interface StoreTarget {
  /** WITH options of a table in the store, e.g. `'connector' = 'redis', 'port' = '16379'`; `table` names it in the store. */
  withClause(table: string): string;
  /** A new store for reading back what the job wrote. */
  openStore(): Promise<KvStore>;
}

let seq = 0;
const fresh = (base: string): string => `${base}_${process.pid}_${Date.now().toString(36)}_${seq++}`;

async function ok(p: Promise<SqlRunResult>): Promise<SqlRunResult> {
  const r = await p;
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.code} ${d.message}`), []);
  return r;
}

const EVENTS = (file: string): string => `CREATE TABLE ev (id BIGINT, k STRING, g INT, v INT, d DOUBLE, s STRING, ts TIMESTAMP(3), ts_ms BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = 'json');`;

/** Feature script: per-key aggregates, and a second-level aggregate whose groups get deleted (-D) as counts move. */
const FEATURES = (target: StoreTarget, evFile: string, byKey: string, byCount: string): string => `
${EVENTS(evFile)}
CREATE TABLE by_key (k STRING, c BIGINT, sv INT, mx DOUBLE, last_ts TIMESTAMP(3), PRIMARY KEY (k) NOT ENFORCED)
  WITH (${target.withClause(byKey)});
CREATE TABLE by_count (c BIGINT, g INT, n BIGINT, PRIMARY KEY (c, g) NOT ENFORCED) WITH (${target.withClause(byCount)});
INSERT INTO by_key SELECT k, COUNT(*), SUM(v), MAX(d), MAX(ts) FROM ev GROUP BY k;
INSERT INTO by_count SELECT c, g, COUNT(*) FROM (SELECT k, g, COUNT(*) AS c FROM ev GROUP BY k, g) GROUP BY c, g;
SELECT k, COUNT(*), SUM(v), MAX(d), MAX(ts) FROM ev GROUP BY k;
SELECT c, g, COUNT(*) FROM (SELECT k, g, COUNT(*) AS c FROM ev GROUP BY k, g) GROUP BY c, g;
`;

const BY_KEY_FIELDS: RowField[] = [
  { name: 'k', type: { kind: 'VARCHAR', nullable: false, precision: 2147483647 } },
  { name: 'c', type: { kind: 'BIGINT', nullable: true } },
  { name: 'sv', type: { kind: 'INT', nullable: true } },
  { name: 'mx', type: { kind: 'DOUBLE', nullable: true } },
  { name: 'last_ts', type: { kind: 'TIMESTAMP', nullable: true, precision: 3 } },
];
const BY_COUNT_FIELDS: RowField[] = [
  { name: 'c', type: { kind: 'BIGINT', nullable: false } },
  { name: 'g', type: { kind: 'INT', nullable: false } },
  { name: 'n', type: { kind: 'BIGINT', nullable: true } },
];

/** Decoded rows of `keys` (null for absent or deleted) and their versions. */
async function readBack(store: KvStore, table: string, keys: string[], fields: RowField[]): Promise<{ rows: (Row | null)[]; versions: number[] }> {
  const codec = createRowCodec(fields);
  const got = await store.multiGet(table, keys);
  return { rows: got.map((g) => (g === null ? null : codec.decode(g.value))), versions: got.map((g) => g?.version ?? 0) };
}

/** Every by_count key that can occur: counts 1..n per group 0..2. */
function countKeys(n: number): string[] {
  const out: string[] = [];
  for (let c = 1; c <= n; c++) for (let g = 0; g < 3; g++) out.push(`${c}|${g}`);
  return out;
}

export function storeScenarios(name: string, target: StoreTarget, skip: string | false): void {
  const opts = skip ? { skip } : {};

  test(`${name}: GROUP BY features in the store equal the materialized query result, deletes included`, opts, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freshet-kvsql-'));
    try {
      writeEvents(join(dir, 'ev.json'), randomEvents(1500, 3));
      const byKey = fresh('by_key'), byCount = fresh('by_count');
      const r = await ok(runSql(FEATURES(target, 'ev.json', byKey, byCount), { baseDir: dir, batchSize: 64 }));
      const [keyRes, countRes] = r.results;
      assert.ok(keyRes!.rows.length >= 5);
      const store = await target.openStore();
      try {
        const keys = keyRes!.rows.map((row) => row[0] as string);
        const back = await readBack(store, byKey, keys, BY_KEY_FIELDS);
        assert.deepEqual(back.rows, keyRes!.rows);
        // by_count: the final groups are present, every group that existed and was deleted on the way is a tombstone.
        const expected = new Map(countRes!.rows.map((row) => [`${row[0]}|${row[1]}`, row]));
        const all = countKeys(1500);
        const cb = await readBack(store, byCount, all, BY_COUNT_FIELDS);
        const present = all.filter((_, i) => cb.rows[i] !== null);
        assert.deepEqual(present.sort(), [...expected.keys()].sort());
        all.forEach((k, i) => { if (cb.rows[i] !== null) assert.deepEqual(cb.rows[i], expected.get(k)); });
        // Every (k, g) group passed through count 1, so bucket (1, g) existed and was deleted again.
        assert.ok(!expected.has('1|0'));
        assert.equal(cb.rows[all.indexOf('1|0')], null);
        // The schema meta lets readers decode the rows.
        const schema = JSON.parse((await store.getMeta(byKey, 'schema'))!) as { primaryKey: string[] };
        assert.deepEqual(schema.primaryKey, ['k']);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: halt and restore ends equal to an uninterrupted run; versions never go down`, opts, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freshet-kvsql-'));
    const poller = await target.openStore();
    try {
      writeEvents(join(dir, 'ev.json'), randomEvents(2000, 11));
      const refKey = fresh('ref_key'), refCount = fresh('ref_count');
      await ok(runSql(FEATURES(target, 'ev.json', refKey, refCount), { baseDir: dir, batchSize: 50 }));
      const store = await target.openStore();
      const keys = Array.from({ length: 7 }, (_, i) => `k${i}`);
      const ck = countKeys(2000);
      const ref = await readBack(store, refKey, keys, BY_KEY_FIELDS);
      const refC = await readBack(store, refCount, ck, BY_COUNT_FIELDS);
      await store.close();

      const rnd = mulberry32(5);
      for (let trial = 0; trial < 2; trial++) {
        const tk = fresh('job_key'), tc = fresh('job_count');
        const script = FEATURES(target, 'ev.json', tk, tc);
        const chk = join(dir, `chk-${trial}`);
        // Poll the store while the job runs: a key's version must never decrease.
        const seen = new Map<string, number>();
        let polls = 0, violations: string[] = [];
        let polling = true;
        const poll = (async () => {
          while (polling) {
            const a = await poller.multiGet(tk, keys);
            const b = await poller.multiGet(tc, ck);
            const check = (prefix: string, ks: string[], got: typeof a): void => {
              ks.forEach((k, i) => {
                const v = got[i]?.version;
                if (v === undefined) return;
                const before = seen.get(prefix + k) ?? 0;
                if (v < before) violations.push(`${prefix}${k}: ${before} -> ${v}`);
                seen.set(prefix + k, Math.max(before, v));
              });
            };
            check('key:', keys, a);
            check('count:', ck.filter((_, i) => b[i] !== null), b.filter((x) => x !== null));
            polls++;
            await new Promise((r) => setTimeout(r, 1));
          }
        })();
        let restore: { restoreFrom?: string } = {};
        for (let crash = 0; crash < 2; crash++) {
          const halt = 3 + Math.floor(rnd() * 30);
          const r = await ok(runSql(script, {
            baseDir: dir, batchSize: 50, checkpointDir: chk, checkpointEveryBatches: 1 + Math.floor(rnd() * 4), haltAfterBatches: halt, ...restore,
          }));
          assert.equal(r.summary!.finished, false);
          if ((r.summary!.checkpoints ?? 0) > 0 || restore.restoreFrom) restore = { restoreFrom: chk };
        }
        await ok(runSql(script, { baseDir: dir, batchSize: 50, checkpointDir: chk, checkpointEveryBatches: 3, ...restore }));
        polling = false;
        await poll;
        assert.deepEqual(violations, [], 'no version went down');
        assert.ok(polls > 3, `the poller ran (${polls} polls)`);
        const s2 = await target.openStore();
        try {
          const got = await readBack(s2, tk, keys, BY_KEY_FIELDS);
          assert.deepEqual(got.rows, ref.rows, `trial ${trial}: by_key equals the uninterrupted run`);
          const gotC = await readBack(s2, tc, ck, BY_COUNT_FIELDS);
          assert.deepEqual(gotC.rows, refC.rows, `trial ${trial}: by_count (with deletes) equals the uninterrupted run`);
        } finally {
          await s2.close();
        }
        violations = [];
      }
    } finally {
      await poller.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: a lookup join reads back every column type the sink wrote`, opts, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freshet-kvsql-'));
    try {
      const tb = fresh('types');
      const ddl = `CREATE TABLE typed (
        id INT, region STRING, b BOOLEAN, ti TINYINT, si SMALLINT, bi BIGINT, f FLOAT, d DOUBLE, dec DECIMAL(10, 2),
        vc VARCHAR(20), bs BYTES, dt DATE, tm TIME(3), ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3),
        arr ARRAY<INT>, m MAP<STRING, INT>, mi MAP<STRING, ARRAY<INT>>, r ROW<a INT, s STRING>,
        PRIMARY KEY (region, id) NOT ENFORCED
      ) WITH (${target.withClause(tb)});`;
      // Rows come from a JSON file (every type Flink's json format reads); SELECT over the same file is the oracle.
      const cols = ddl.slice(ddl.indexOf('(') + 1, ddl.indexOf('PRIMARY KEY')).trim().replace(/,$/, '');
      writeFileSync(join(dir, 'typed.json'), [
        JSON.stringify({ id: 1, region: 'eu', b: true, ti: -5, si: 300, bi: 9007199254740991, f: 1.5, d: 0.1, dec: 12345.67,
          vc: 'héllo "q" | \\', bs: 'AP8Q', dt: '2024-02-29', tm: '23:59:58.123', ts: '2024-01-02 03:04:05.678',
          ltz: '2023-11-14 22:13:20.123Z', arr: [1, null, 3], m: { a: 1, b: null }, mi: { x: [7, 8] }, r: { a: 42, s: 'x' } }),
        JSON.stringify({ id: 2, region: 'us|x', b: false, ti: null, si: null, bi: null, f: null, d: -0.5, dec: null, vc: null, bs: null,
          dt: null, tm: null, ts: null, ltz: null, arr: null, m: null, mi: null, r: null }),
      ].join('\n') + '\n');
      const src = `CREATE TABLE src (${cols}) WITH ('connector' = 'filesystem', 'path' = 'typed.json', 'format' = 'json');`;
      await ok(runSql(`${ddl}\n${src}\nINSERT INTO typed SELECT * FROM src;`, { baseDir: dir }));
      writeFileSync(join(dir, 'q.json'), ['{"qid":1,"id":1,"region":"eu"}', '{"qid":2,"id":2,"region":"us|x"}', '{"qid":3,"id":3,"region":"eu"}'].join('\n') + '\n');
      const read = await ok(runSql(`${ddl}
        CREATE TABLE q (qid INT, id INT, region STRING, pt AS PROCTIME()) WITH ('connector' = 'filesystem', 'path' = 'q.json', 'format' = 'json');
        SELECT q.qid, t.* FROM q LEFT JOIN typed FOR SYSTEM_TIME AS OF q.pt AS t ON q.region = t.region AND q.id = t.id;
      `, { baseDir: dir }));
      const oracle = await ok(runSql(`${src}\nSELECT * FROM src;`, { baseDir: dir }));
      const rows = read.results[0]!.rows.slice().sort((a, b) => (a[0] as number) - (b[0] as number));
      const expected = oracle.results[0]!.rows.slice().sort((a, b) => (a[0] as number) - (b[0] as number));
      assert.equal(rows.length, 3);
      assert.deepEqual(rows[0]!.slice(1), expected[0]);
      assert.deepEqual(rows[1]!.slice(1), expected[1]);
      assert.equal(expected[0]![9], 'héllo "q" | \\');
      assert.ok(expected[0]![10] instanceof Uint8Array && expected[0]![16] instanceof Map, 'the oracle decoded the typed row');
      assert.deepEqual(rows[2]!.slice(1), new Array(19).fill(null), 'a key that was never written joins nothing (LEFT JOIN pads)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
