/**
 * The tile writer's store output is frozen: for seeded workloads (exact and slice-precision layouts, one to three
 * levels, windows with different calls, bucketed edge entries, late rows, store expiry, bulk flushes, a crash and
 * restore) every flush's writes, expiries and meta are hashed and compared with digests recorded from the reference
 * writer. A change of the operator's state layout must leave these digests unchanged (same values, same versions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RowKind } from '../../src/common/row.js';
import type { KvStore, StoredValue, TileRead, TileWrite } from '../../src/engine/kv-store-api.js';
import type { TileSinkOperator, TileSinkOptions } from '../../src/engine/operators/tile-sink-operator.js';
import type { TileSinkSpec, TiledColumn } from '../../src/plan/rules/tile-features.js';
import { DAY, HOUR, MIN, makeOperator, makeSpec, randomEvents, rng, rowOf, type Ev } from './helpers.js';

const T0 = Date.UTC(2024, 4, 1, 7, 13, 21, 417);

/** Records every store call of the current flush; `cut()` closes a flush (its lines sorted: order inside is free). */
class RecordingStore implements KvStore {
  readonly kind = 'recording';
  private cur: string[] = [];
  readonly flushes: string[] = [];
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  async multiGet(_t: string, keys: readonly string[]): Promise<(StoredValue | null)[]> { return keys.map(() => null); }
  async multiPut(): Promise<number> { return 0; }
  async writeTiles(t: string, writes: readonly TileWrite[]): Promise<number> {
    for (const w of writes) this.cur.push(`W ${t} ${w.key} ${w.granularityMs} ${w.start} ${w.version} ${w.value}`);
    return writes.length;
  }
  async readTiles(_t: string, r: readonly TileRead[]): Promise<Map<number, string>[]> { return r.map(() => new Map()); }
  async expireTiles(t: string, key: string, g: number, before: number): Promise<void> { this.cur.push(`X ${t} ${key} ${g} ${before}`); }
  async getMeta(): Promise<string | null> { return null; }
  async putMeta(t: string, name: string, value: string): Promise<void> { this.cur.push(`M ${t} ${name} ${value}`); }
  cut(): void { this.flushes.push(this.cur.sort().join('\n')); this.cur = []; }
  digest(): string { return createHash('sha256').update(this.flushes.join('\n--\n')).digest('hex'); }
}

/** The spec of makeSpec keeping, per window, only the calls listed (so windows differ in calls). */
function subsetSpec(base: TileSinkSpec, keep: Map<number, number[]>): TileSinkSpec {
  const features = base.features.filter((f) => keep.get(f.windowMs)?.includes(f.call) ?? true);
  const columns: TiledColumn[] = [base.columns[0]!];
  features.forEach((f, i) => columns.push({ name: f.name, type: f.type, kind: 'feature', feature: i }));
  columns.push(base.columns[base.columns.length - 1]!);
  return { ...base, features, columns };
}

async function drive(op: TileSinkOperator, store: RecordingStore, events: Ev[], batch: number, delay: number,
  max = { ts: -Infinity }): Promise<void> {
  for (let i = 0; i < events.length; i += batch) {
    const part = events.slice(i, i + batch);
    op.process({ rows: part.map(rowOf), kinds: part.map(() => RowKind.Insert) }, 0);
    for (const e of part) if (e.ts > max.ts) max.ts = e.ts;
    op.watermark(max.ts - delay, 0);
    await op.flushAsync();
    store.cut();
  }
}

async function end(op: TileSinkOperator, store: RecordingStore): Promise<void> {
  op.watermark(Infinity, 0);
  op.finish();
  await op.flushAsync();
  store.cut();
}

/** Events with some exact duplicates of event time (several events per millisecond). */
function eventsOf(seed: number, n: number, users: number, span: number): Ev[] {
  const r = rng(seed);
  const evs = randomEvents(r, n, users, T0, span);
  for (let i = 1; i < evs.length; i++) if (r() < 0.15) evs[i] = { ...evs[i]!, ts: evs[i - 1]!.ts };
  return evs;
}

async function run(spec: TileSinkSpec, events: Ev[], o: { batch?: number; delay?: number; opts?: TileSinkOptions; crashAt?: number } = {}): Promise<RecordingStore> {
  const store = new RecordingStore();
  const batch = o.batch ?? 50, delay = o.delay ?? 5_000;
  let op = makeOperator(spec, store, o.opts);
  const max = { ts: -Infinity };
  if (o.crashAt === undefined) {
    await drive(op, store, events, batch, delay, max);
  } else {
    await drive(op, store, events.slice(0, o.crashAt), batch, delay, max);
    const cp = structuredClone({ base: op.snapshotBase(), state: op.snapshot() });
    await drive(op, store, events.slice(o.crashAt, o.crashAt + 300), batch, delay, { ...max });
    op = makeOperator(spec, store, o.opts);
    op.restoreBase(cp.base);
    op.restore(cp.state);
    await drive(op, store, events.slice(o.crashAt), batch, delay, max);
  }
  await end(op, store);
  return store;
}

/** Name, workload, digest, texts the output must contain (the workload exercises what it claims). */
const CASES: [string, () => Promise<RecordingStore>, string, string[]][] = [
  ['exact, 1 h window, minute tiles', () => run(makeSpec([HOUR], [MIN], 2 * HOUR), eventsOf(1, 3000, 20, 6 * HOUR)), 'ffda380f7054c1335154a1efedbc7e85ce4a8b25284cb9662fc0f947c6ad3372',
    ['"D":', 'X feats']],
  ['exact, 10 min / 1 h / 1 d windows with different calls, minute and hour tiles, bucketed edges, late rows', () => run(
    subsetSpec(makeSpec([10 * MIN, HOUR, DAY], [MIN, HOUR], 3 * HOUR, 'over', true, 3), new Map([[10 * MIN, [0, 1, 5]], [DAY, [0, 2, 6]]])),
    eventsOf(2, 4000, 15, 3 * DAY), { delay: 1_000 }), '8521c9a145f80d1ffd92a61b19c623f050b4a5a7c31694bcb95813febf877f0e',
    ['"Db":', '"Eb":', '"t":', 'X feats']],
  ['slice precision (HOP), 1 h / 1 d windows, three levels', () => run(makeSpec([HOUR, DAY], [MIN, HOUR, DAY], 2 * HOUR, 'hop'),
    eventsOf(3, 3000, 10, 4 * DAY)), '8cb9363bbd56b2b7407cdb2e86749aa5fd78dc5ea3393a99db95b8a253082411',
    ['"t":', 'X feats']],
  ['exact, 1 h / 1 d / 7 d windows, crash and restore', () => run(makeSpec([HOUR, DAY, 7 * DAY], [MIN, HOUR, DAY], 365 * DAY),
    eventsOf(4, 2500, 6, 9 * DAY), { crashAt: 1100 }), '9c4f5b6a2817af5a3760c8d1bb9651773b2c3fc2b23e19466b8361a155132261',
    ['"D":', '"t":']],
  ['exact, bulk flushes (flushRows), 1 h / 1 d windows', () => run(makeSpec([HOUR, DAY], [MIN, HOUR], 4 * HOUR), eventsOf(5, 3000, 12, 3 * DAY),
    { batch: 37, opts: { flushRows: 400 } }), '31d03a6e359e00905e205399a8b115d13e07ce66d4e3b32f44d70d90efd8973b',
    ['"D":', '"t":', 'X feats']],
];

for (const [name, fn, want, has] of CASES) {
  test(`store output unchanged: ${name}`, async () => {
    const store = await fn();
    const got = store.digest();
    if (process.env['FRESHET_PRINT_DIGESTS'] === '1') console.log(`${name}: ${got}`);
    const text = store.flushes.join('\n');
    for (const h of has) assert.ok(text.includes(h), `the workload produces ${h}`);
    assert.equal(got, want);
  });
}
