/**
 * Tiled sliding-window features on Flink against the embedded engine: the same feature script (an OVER RANGE 1 h
 * table with COUNT(*), SUM, MAX, AVG, MIN under a WHERE, a 24 h table whose layout has two levels and tail copies, and
 * a HOP(5 min, 1 h) table with a FILTER, which Flink allows in GROUP BY aggregates only) over a real Kafka topic
 * (bounded) runs on the embedded engine into store tables A and on the local Flink cluster into tables B (parallelism
 * 2: each table's tiles are written by two writer subtasks, each over its share of the keys). Then
 * (a) readFeatures at many read times (random, event times ± 1 ms, window edges, slice and hour boundaries, after the
 * last event so the features decay to zero) gives the same answers from A and B, equal to a brute-force oracle
 * ((t − w, t] for OVER; [E − w, E) for HOP, E the end of t's slice); (b) the raw tile records (value text and version
 * of every position), the layout meta and the progress meta (but its wall-clock flushedAt) are equal.
 * Needs Flink (scripts/flink.sh), Kafka and Redis; skips with the reason otherwise (fails with FRESHET_REQUIRE_*).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScript } from '../../../src/sql/index.js';
import { planTiledInserts } from '../../../src/flink/tiled-insert.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { readFeatures } from '../../../src/serving/read-features.js';
import type { KvStore } from '../../../src/engine/kv-store-api.js';
import {
  FLINK_URL, RESTART_UNTIL_TASKMANAGER_IS_BACK, buildSpec, dumpStoreTable, eventually, flinkTestFile, killTaskManagerDuring, seededRandom,
} from './flink-helpers.js';
import { BOOTSTRAP, createTopic, freshTopic, produce } from '../kafka/kafka-helpers.js';
import { REDIS_HOST, REDIS_PORT, redisSkipReason, testRedisStore } from '../../stores/store-helpers.js';

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const tables = (side: string): { h: string; d: string; p: string } => ({ h: `ft_h_${side}_${suffix}`, d: `ft_d_${side}_${suffix}`, p: `ft_p_${side}_${suffix}` });
const EMB = tables('emb'), FLK = tables('flink'), EMB2 = tables('emb2'), FLK2 = tables('flink2'), EMB3 = tables('emb3'), FLK3 = tables('flink3');
const HOUR = 3_600_000, DAY = 24 * HOUR, MIN = 60_000;

const file = flinkTestFile({
  kafka: true, redis: true, tmpPrefix: 'freshet-flink-tiles-',
  storeTables: () => [...[EMB, FLK, EMB2, FLK2, EMB3, FLK3].flatMap((t) => Object.values(t)), GOLD],
});
const { deployer, dir } = file;
/** The fixture test needs only Redis. */
let redisSkip: string | undefined;

before(async () => {
  redisSkip = (await redisSkipReason()) || undefined;
});

interface Ev { user_id: string; amount: number; price: number; ts: number }

const T0 = Date.UTC(2024, 0, 1);

/**
 * Events in event-time order (one partition, watermark 1 s behind: none is late on either engine) over 6 keys and
 * more than a day: gaps of 0 (equal times) to 14 s, jumps to the next minute or hour boundary, a 2 h quiet gap.
 * Prices are quarters, so every sum of them is exact and the oracle can compare AVG exactly.
 */
function events(n: number, seed: number): Ev[] {
  const rnd = seededRandom(seed);
  const users = ['u0', 'u1', 'u2', 'u3', 'odd|user', 'u5'];
  const out: Ev[] = [];
  let ts = T0 + 17;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.05) ts = Math.floor(ts / MIN) * MIN + MIN; // the next minute boundary
    else if (r < 0.06) ts = Math.floor(ts / HOUR) * HOUR + HOUR; // the next hour boundary
    else if (r > 0.1) ts += Math.floor(rnd() * 14_000);
    // 0.06 <= r <= 0.1: the same time as the previous event
    // two quiet hours for everybody in the middle, so windows empty out and refill
    if (i === Math.floor(n / 2)) ts += 2 * HOUR + 123;
    out.push({
      user_id: users[Math.floor(rnd() * (i < n / 3 ? 6 : 4))]!,
      amount: Math.floor(rnd() * 1000) - 100,
      price: Math.round(rnd() * 4000) / 4,
      ts,
    });
  }
  return out;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

function featureSql(topic: string, t: { h: string; d: string; p: string }, bounded = true): string {
  return `
CREATE TABLE ev (user_id STRING, amount INT, price DOUBLE, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = 'freshet-flink-tiles', 'scan.startup.mode' = 'earliest-offset', 'scan.parallelism' = '1',
        ${bounded ? "'scan.bounded.mode' = 'latest-offset', " : ''}'format' = 'json');
CREATE TABLE f_hour (user_id STRING, n BIGINT, total INT, biggest INT, avg_price DOUBLE, cheapest DOUBLE, last_ts TIMESTAMP(3),
  PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${t.h}', 'tile.retention' = '400 d');
CREATE TABLE f_day (user_id STRING, n BIGINT, spent DOUBLE, biggest INT, PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${t.d}', 'tile.retention' = '400 d');
INSERT INTO f_hour
SELECT user_id, COUNT(*) OVER w, SUM(amount) OVER w, MAX(amount) OVER w, AVG(price) OVER w, MIN(price) OVER w, ts
FROM ev WHERE amount > 0
WINDOW w AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);
CREATE TABLE f_hop (user_id STRING, n BIGINT, big_n BIGINT, total INT, avg_price DOUBLE, top_price DOUBLE, window_end TIMESTAMP(3),
  PRIMARY KEY (user_id) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${t.p}', 'tile.retention' = '400 d');
INSERT INTO f_day
SELECT user_id, COUNT(*) OVER w, SUM(price) OVER w, MAX(amount) OVER w
FROM ev
WINDOW w AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' DAY PRECEDING AND CURRENT ROW);
INSERT INTO f_hop
SELECT user_id, COUNT(*), COUNT(*) FILTER (WHERE amount > 500), SUM(amount), AVG(price), MAX(price), window_end
FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '1' HOUR)) WHERE price > 100
GROUP BY user_id, window_start, window_end;
`;
}

type Hash = Record<string, string>;

/**
 * The Flink jobs run at parallelism 2 (the local cluster's two slots): the tile writers of every table run as two
 * subtasks over their share of the keys, and one committer writes the progress meta. The one-partition topic is read
 * by one source subtask ('scan.parallelism' = '1' in featureSql; a second reader would have no partition and hold
 * the watermark back in the unbounded job).
 */
const PARALLEL = { 'parallelism.default': '2' };

async function assertParallelWriters(id: string): Promise<void> {
  const job = await deployer.rest.job(id);
  const writers = job.vertices.filter((v) => /Tiles\[/.test(v.name) && !/TileProgress|TilesDone/.test(v.name));
  assert.ok(writers.length >= 1, `tile writer vertices: ${job.vertices.map((v) => v.name).join(' / ')}`);
  for (const v of writers) assert.equal(v.parallelism, 2, `${v.name} runs at parallelism 2`);
  const committers = job.vertices.filter((v) => /TileProgress\[/.test(v.name));
  assert.ok(committers.length >= 1 && committers.every((v) => v.parallelism === 1), 'one progress committer per table');
}

const dump = dumpStoreTable;

/** A Kafka message of an event (keyed by user). */
const msg = (e: Ev): { key: string; value: string } => ({ key: e.user_id, value: JSON.stringify({ ...e, ts: iso(e.ts) }) });

/** The writer's `watermark` meta of a table (undefined before its first flush). */
async function progressOf(store: KvStore, table: string): Promise<{ watermark: number | null; maxEventTime: number | null } | undefined> {
  const m = await store.getMeta(table, 'watermark');
  return m === null ? undefined : JSON.parse(m) as { watermark: number | null; maxEventTime: number | null };
}

/** Every tile record of the embedded engine's tables equals Flink's (keys, each position's version and value). */
async function assertSameRecords(emb: { h: string; d: string; p: string }, flk: { h: string; d: string; p: string }, when: string, minPositions: number): Promise<void> {
  const real = (m: Map<string, Hash>): string[] => [...m.keys()].filter((k) => !k.startsWith('meta:') && !k.startsWith('zz-sentinel:')).sort();
  for (const [a, b] of [[emb.h, flk.h], [emb.d, flk.d], [emb.p, flk.p]] as const) {
    const e = await dump(a), f = await dump(b);
    assert.deepEqual(real(f), real(e), `${b}: the same record keys`);
    let positions = 0;
    for (const k of real(e)) {
      assert.deepEqual(f.get(k), e.get(k), `${k}: every position's version and value ${when}`);
      positions += Object.keys(e.get(k)!).length;
    }
    assert.ok(positions > minPositions, `${a}: ${positions} positions`);
  }
}

/** The features of (t − w, t] computed directly from the events. */
function oracle(evs: readonly Ev[], key: string, t: number, w: number, where: (e: Ev) => boolean): { n: number; amounts: number[]; prices: number[]; last: number | null } {
  const mine = evs.filter((e) => e.user_id === key && e.ts > t - w && e.ts <= t && where(e));
  return { n: mine.length, amounts: mine.map((e) => e.amount), prices: mine.map((e) => e.price), last: mine.length ? Math.max(...mine.map((e) => e.ts)) : null };
}

const sum = (a: number[]): number | null => (a.length ? a.reduce((x, y) => x + y, 0) : null);
const max = (a: number[]): number | null => (a.length ? Math.max(...a) : null);
const min = (a: number[]): number | null => (a.length ? Math.min(...a) : null);

test('tiled OVER and HOP features: Flink writes the tiles the embedded engine writes, reads equal the oracle', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const topic = freshTopic('flink-tiles');
  await createTopic(topic, 1);
  const evs = events(3000, 7);
  await produce(topic, evs.map((e) => ({ key: e.user_id, value: JSON.stringify({ ...e, ts: iso(e.ts) }) })));

  // Checkpoints every 300 ms on Flink: the writer's state snapshots (and their pre-barrier flushes) run mid-job.
  const spec = buildSpec(featureSql(topic, FLK), { name: 'tiles-diff', baseDir: dir, config: { ...PARALLEL, 'execution.checkpointing.interval': '300 ms' } });
  assert.ok(spec.requires?.includes('tiles'), 'the spec asks the template for its tile writer');
  const t0 = Date.now();
  const id = await file.deploy(spec);
  await deployer.waitForState(id, ['FINISHED'], 240_000);
  const flinkMs = Date.now() - t0;
  await assertParallelWriters(id);
  const checkpoints = await fetch(`${FLINK_URL}/jobs/${id}/checkpoints`).then(async (r) => (await r.json()) as { counts?: { completed?: number } });
  const res = await runSql(featureSql(topic, EMB), { baseDir: dir });
  assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);

  // (b) raw records: every tile position's "<version>|<value>" text, and the meta documents.
  for (const [a, b] of [[EMB.h, FLK.h], [EMB.d, FLK.d], [EMB.p, FLK.p]] as const) {
    const emb = await dump(a), flk = await dump(b);
    const names = (m: Map<string, Hash>): string[] => [...m.keys()].sort();
    assert.deepEqual(names(flk), names(emb), `${b}: the same record keys`);
    let positions = 0, tails = 0, edges = 0;
    for (const [k, h] of emb) {
      if (k.startsWith('meta:')) continue;
      assert.deepEqual(flk.get(k), h, `${k}: every position's version and value, byte for byte`);
      positions += Object.keys(h).length;
      for (const v of Object.values(h)) { if (v.includes('"t":{')) tails++; if (v.includes('"D":{')) edges++; }
    }
    assert.ok(positions > 100, `${a}: ${positions} positions written`);
    if (a !== EMB.p) assert.ok(edges > 50, `${a}: ${edges} positions with edge entries of older slices`);
    // The 24 h window tops at the hour level: its minute tiles are also written as tail copies.
    if (a === EMB.d) assert.ok(tails > 50, `${a}: ${tails} positions with tail copies`);
    const layoutA = JSON.parse(emb.get('meta:tiles')!['string']!) as { spec: { table: string } };
    const layoutB = JSON.parse(flk.get('meta:tiles')!['string']!) as { spec: { table: string } };
    assert.deepEqual({ ...layoutB, spec: { ...layoutB.spec, table: '' } }, { ...layoutA, spec: { ...layoutA.spec, table: '' } }, 'layout meta');
    const progress = (m: Map<string, Hash>): unknown => { const p = JSON.parse(m.get('meta:watermark')!['string']!) as Record<string, unknown>; delete p['flushedAt']; return p; };
    assert.deepEqual(progress(flk), progress(emb), 'progress meta (but the wall clock of the flush)');
  }

  // (a) reads: A and B answer the same, and that is the brute-force window.
  const store = testRedisStore();
  await store.open();
  try {
    const keys = [...new Set(evs.map((e) => e.user_id))].sort();
    const last = evs[evs.length - 1]!.ts;
    const rnd = seededRandom(99);
    const times = new Set<number>([T0, last, last + 1, last + HOUR - 1, last + HOUR, last + HOUR + 1, last + DAY, last + DAY + 5 * MIN]);
    for (let i = 0; i < 60; i++) times.add(T0 + Math.floor(rnd() * (last - T0 + 2 * HOUR)));
    for (let i = 0; i < 60; i++) {
      const e = evs[Math.floor(rnd() * evs.length)]!.ts;
      for (const d of [-1, 0, 1, HOUR - 1, HOUR, HOUR + 1, DAY, DAY + 1]) times.add(e + d);
    }
    for (let i = 0; i < 20; i++) {
      const m = Math.floor((T0 + rnd() * (last - T0)) / MIN) * MIN;
      for (const d of [-1, 0, 1]) { times.add(m + d); times.add(Math.floor(m / HOUR) * HOUR + d); }
    }
    let checked = 0, nonEmpty = 0;
    for (const at of [...times].sort((x, y) => x - y)) {
      const ha = await readFeatures(store, EMB.h, keys, at), hb = await readFeatures(store, FLK.h, keys, at);
      assert.deepEqual(hb.results, ha.results, `1 h features at ${at}: Flink's tiles read as the embedded engine's`);
      assert.deepEqual(hb.incomplete, ha.incomplete);
      assert.equal(hb.precisionMs, 1);
      const da = await readFeatures(store, EMB.d, keys, at), db = await readFeatures(store, FLK.d, keys, at);
      assert.deepEqual(db.results, da.results, `24 h features at ${at}`);
      const pa = await readFeatures(store, EMB.p, keys, at), pb = await readFeatures(store, FLK.p, keys, at);
      assert.deepEqual(pb.results, pa.results, `HOP features at ${at}`);
      assert.equal(pb.precisionMs, 5 * MIN);
      for (let k = 0; k < keys.length; k++) {
        const o = oracle(evs, keys[k]!, at, HOUR, (e) => e.amount > 0);
        const v = hb.results[k]!.values;
        assert.deepEqual(
          [v['n'], v['total'], v['biggest'], v['avg_price'], v['cheapest']],
          [o.n, sum(o.amounts), max(o.amounts), o.n ? sum(o.prices)! / o.n : null, min(o.prices)],
          `1 h oracle, ${keys[k]} at ${at}`);
        const od = oracle(evs, keys[k]!, at, DAY, () => true);
        const vd = db.results[k]!.values;
        assert.deepEqual([vd['n'], vd['spent'], vd['biggest']], [od.n, sum(od.prices), max(od.amounts)], `24 h oracle, ${keys[k]} at ${at}`);
        // HOP form: slice precision, the events of [E - w, E) with E the end of t's 5-minute slice.
        const e = Math.floor(at / (5 * MIN)) * 5 * MIN + 5 * MIN;
        const oh = oracle(evs, keys[k]!, e - 1, HOUR, (x) => x.price > 100 && x.ts >= e - HOUR);
        const vh = pb.results[k]!.values;
        assert.deepEqual([vh['n'], vh['big_n'], vh['total'], vh['avg_price'], vh['top_price']],
          [oh.n, oh.amounts.filter((x) => x > 500).length, sum(oh.amounts), oh.n ? sum(oh.prices)! / oh.n : null, max(oh.prices)],
          `HOP oracle, ${keys[k]} at ${at}`);
        if (o.n > 0) nonEmpty++;
        checked++;
      }
    }
    assert.ok(nonEmpty > 100 && nonEmpty < checked, 'reads hit full and empty windows');
    const decayed = await readFeatures(store, FLK.h, keys, last + HOUR);
    assert.ok(decayed.results.every((r) => r.values['n'] === 0), 'an hour after the last event every count is 0');
    process.stderr.write(`# flink-tiles: ${evs.length} events, ${keys.length} keys, ${times.size} read times; Flink job finished in ${flinkMs} ms`
      + ` after ${checkpoints.counts?.completed ?? '?'} checkpoints\n`);
  } finally {
    await store.close();
  }
});

/**
 * The JUnit fixture of the Java tile writer (flink/src/test/resources/dev/freshet/flink/tiles/golden.json): a small
 * input with buckets of edge entries ('tile.edge-entries' = '3'), two levels and tail copies, the writer config the
 * spec builder makes for it, and the records the embedded engine writes for it into Redis. This test re-derives the
 * fixture with the embedded engine and fails when the file is stale (FRESHET_UPDATE_GOLDENS=1 rewrites it);
 * TileWriterTest.java feeds the same rows to the Java writer and must produce exactly these records.
 */
const GOLD = `ft_gold_${suffix}`;
const GOLDEN_FILE = join(import.meta.dirname, '../../../flink/src/test/resources/dev/freshet/flink/tiles/golden.json');

test('the Java tile writer fixture is what the embedded engine writes', async (t) => {
  if (redisSkip) return t.skip(redisSkip);
  const rows: [string, number, number, number][] = [];
  const rnd = seededRandom(5);
  let ts = T0 + 59_000;
  for (let i = 0; i < 80; i++) {
    // bursts of distinct times inside one minute (more than 3: bucketed edge entries), then jumps of up to 9 minutes
    ts += i % 10 < 6 ? 1 + Math.floor(rnd() * 700) : Math.floor(rnd() * 9 * MIN);
    rows.push([i % 3 === 0 ? 'b|2' : 'a', ts, Math.floor(rnd() * 200) - 50, Math.round(rnd() * 80) / 8]);
  }
  const data = join(dir, 'gold.json');
  writeFileSync(data, rows.map(([k, at, v, p]) => JSON.stringify({ k, v, p, ts: iso(at) })).join('\n') + '\n');
  const sql = `
CREATE TABLE ev (k STRING, v INT, p DOUBLE, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${data}', 'format' = 'json');
CREATE TABLE g (k STRING, n BIGINT, total INT, cheapest DOUBLE, avg_p DOUBLE, PRIMARY KEY (k) NOT ENFORCED)
  WITH ('connector' = 'redis', 'host' = '${REDIS_HOST}', 'port' = '${REDIS_PORT}', 'table' = '${GOLD}', 'tile.retention' = '400 d',
        'tile.granularities' = '1 min, 1 h', 'tile.edge-entries' = '3');
INSERT INTO g SELECT k, COUNT(*) OVER w, SUM(v) OVER w, MIN(p) OVER w, AVG(p) OVER w FROM ev
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '2' HOUR PRECEDING AND CURRENT ROW);
`;
  const plan = planTiledInserts(sql, parseScript(sql).statements, dir);
  assert.deepEqual(plan.diagnostics, []);
  const config = plan.plans.get('g')!.config;
  const res = await runSql(sql, { baseDir: dir });
  assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);
  const records: Record<string, Hash> = {};
  const dumped = await dump(GOLD);
  // Positions in ascending order: the order HGETALL lists a hash's fields in depends on the order the writes came in
  // (flush cadence), which is not part of the contract.
  const byPosition = (h: Hash): Hash => Object.fromEntries(Object.entries(h).sort((a, b) => Number(a[0]) - Number(b[0])));
  for (const k of [...dumped.keys()].sort()) if (!k.startsWith('meta:')) records[k] = byPosition(dumped.get(k)!);
  const progress = JSON.parse(dumped.get('meta:watermark')!['string']!) as Record<string, unknown>;
  delete progress['flushedAt'];
  const golden = {
    config: JSON.stringify({ ...config, spec: { ...config.spec, table: 'gold' }, layout: JSON.stringify({ format: 1, spec: { ...config.spec, table: 'gold' } }) }),
    rows, records, layout: dumped.get('meta:tiles')!['string']!.replace(GOLD, 'gold'), progress: JSON.stringify(progress),
  };
  assert.ok(Object.values(records).some((h) => Object.values(h).some((v) => v.includes('"Eb":'))), 'some slices are bucketed');
  assert.ok(Object.values(records).some((h) => Object.values(h).some((v) => v.includes('"t":{'))), 'some positions carry tail copies');
  const text = JSON.stringify(golden, null, 1) + '\n';
  if (process.env['FRESHET_UPDATE_GOLDENS'] === '1') writeFileSync(GOLDEN_FILE, text);
  assert.equal(readFileSync(GOLDEN_FILE, 'utf8'), text, 'the fixture is current (FRESHET_UPDATE_GOLDENS=1 rewrites it)');
});

/**
 * Recovery: an unbounded tiled job (checkpoints every 500 ms) loses its TaskManager to SIGKILL while it reads; a new
 * TaskManager starts, Flink restores the writer's state from the last checkpoint and replays Kafka from there. A last
 * event of another key far in the future then moves the watermark past every window, so every position of the real
 * keys is final: they must equal, byte for byte and version for version, what the embedded engine writes for the
 * same topic (bounded) — the replay re-derived the versions the store already held.
 */
test('SIGKILL of the TaskManager mid-run: the restored tile writer ends with the embedded engine\'s records', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const topic = freshTopic('flink-tiles-recovery');
  await createTopic(topic, 1);
  const evs = events(12_000, 21);
  const phase1 = evs.slice(0, 4000), phase2 = evs.slice(4000);
  const sentinel: Ev = { user_id: 'zz-sentinel', amount: 1, price: 1, ts: evs[evs.length - 1]!.ts + 30 * DAY };
  await produce(topic, phase1.map(msg));
  const sql = `
${RESTART_UNTIL_TASKMANAGER_IS_BACK}
${featureSql(topic, FLK2, false)}`;
  const id = await file.deploy(buildSpec(sql, { name: 'tiles-recovery', baseDir: dir, config: { ...PARALLEL, 'execution.checkpointing.interval': '500 ms' } }));
  await deployer.waitUntilRunning(id);
  await assertParallelWriters(id);
  const store = testRedisStore();
  await store.open();
  try {
    const progress = (table: string): ReturnType<typeof progressOf> => progressOf(store, table);
    await eventually('phase 1 written and two checkpoints', async () => {
      const m = await deployer.metrics(id);
      return m.checkpoints.completed >= 2 && (await progress(FLK2.h))?.maxEventTime === phase1[phase1.length - 1]!.ts ? true : undefined;
    }, 120_000);
    await killTaskManagerDuring(produce(topic, phase2.map(msg)), 150);
    await produce(topic, [msg(sentinel)]);
    await eventually('every table past the last real window', async () => {
      for (const table of Object.values(FLK2)) if ((await progress(table))?.watermark !== sentinel.ts - 1000) return undefined;
      return true;
    }, 180_000);
    const failures = await deployer.rest.exceptions(id);
    assert.ok(failures.length >= 1, 'the job failed over (the TaskManager was lost) and recovered');
    process.stderr.write(`# flink-tiles recovery: ${failures.length} failover(s): ${failures.map((f) => f.exceptionName).join(', ')}\n`);
  } finally {
    await store.close();
  }
  await deployer.cancel(id).catch(() => undefined);

  const res = await runSql(featureSql(topic, EMB2), { baseDir: dir });
  assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);
  await assertSameRecords(EMB2, FLK2, 'after the recovery', 1000);
});

/**
 * Rescaling: the unbounded tiled job runs at parallelism 2 (two writer subtasks per table), stops with a savepoint,
 * resumes from it at parallelism 1 (the one writer restores the tiles, counters and pending positions of both old
 * subtasks: union state, TileStateShards), stops again and resumes at parallelism 2 (each subtask keeps the keys keyBy
 * now sends it), while more events arrive between the runs. After a far-future sentinel event every position of the
 * real keys must equal, byte for byte and version for version, what the embedded engine writes for the whole topic.
 * Operator chaining is off in all runs: Flink derives the ids of a SQL job's operators (no uids outside compiled
 * plans) from the graph including which operators chain, and at parallelism 1 the source would chain with its
 * successor, so the Kafka source's state would map to no operator.
 */
test('rescaling 2 → 1 → 2 through savepoints: the tiles continue as the embedded engine writes them', async (t) => {
  if (file.skip) return t.skip(file.skip);
  const topic = freshTopic('flink-tiles-rescale');
  await createTopic(topic, 1);
  const evs = events(9000, 33);
  const phases = [evs.slice(0, 3000), evs.slice(3000, 6000), evs.slice(6000)];
  const sentinel: Ev = { user_id: 'zz-sentinel', amount: 1, price: 1, ts: evs[evs.length - 1]!.ts + 30 * DAY };
  const spec = (parallelism: number): ReturnType<typeof buildSpec> => buildSpec(featureSql(topic, FLK3, false), {
    name: `tiles-rescale-${parallelism}`, baseDir: dir,
    config: { 'parallelism.default': String(parallelism), 'pipeline.operator-chaining.enabled': 'false', 'execution.checkpointing.interval': '500 ms' },
  });
  const store = testRedisStore();
  await store.open();
  try {
    const progress = (table: string): ReturnType<typeof progressOf> => progressOf(store, table);
    let savepoint: string | undefined;
    for (const [i, parallelism] of [2, 1, 2].entries()) {
      const last = i === 2;
      await produce(topic, [...phases[i]!.map(msg), ...(last ? [msg(sentinel)] : [])]);
      const id = await file.deploy(spec(parallelism), savepoint ? { savepointPath: savepoint } : {});
      await deployer.waitUntilRunning(id);
      const job = await deployer.rest.job(id);
      const writers = job.vertices.filter((v) => /^Tiles\[/.test(v.name));
      assert.equal(writers.length, 3, job.vertices.map((v) => v.name).join(' / '));
      assert.ok(writers.every((v) => v.parallelism === parallelism), `run ${i + 1}: the writers run at parallelism ${parallelism}`);
      // Runs 1 and 2 stop once the 24 h table (no WHERE) has seen their last event; the other tables may be behind,
      // which the savepoint captures as well. Run 3 goes on until the sentinel moved every table past every window.
      await eventually(`run ${i + 1} has read its events`, async () => {
        if (!last) return (await progress(FLK3.d))?.maxEventTime === phases[i]![phases[i]!.length - 1]!.ts ? true : undefined;
        for (const table of Object.values(FLK3)) if ((await progress(table))?.watermark !== sentinel.ts - 1000) return undefined;
        return true;
      }, 180_000);
      if (savepoint) {
        const m = await deployer.metrics(id);
        assert.equal(m.checkpoints.restoredFrom?.replace(/^file:/, ''), savepoint.replace(/^file:/, ''), `run ${i + 1} restored the savepoint`);
      }
      if (!last) savepoint = await deployer.stopWithSavepoint(id);
      else await deployer.cancel(id).catch(() => undefined);
    }
  } finally {
    await store.close();
  }

  const res = await runSql(featureSql(topic, EMB3), { baseDir: dir });
  assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);
  await assertSameRecords(EMB3, FLK3, 'after rescaling', 500);
});
