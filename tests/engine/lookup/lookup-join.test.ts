/**
 * Lookup join: input order and kinds preserved under async lookups, NULL keys, residual condition, LEFT padding,
 * retries and dead letters, the LRU/TTL cache, bounded concurrency, watermarks held back, the filesystem lookup.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '../../../src/common/row.js';
import { T, type RowField } from '../../../src/common/types.js';
import { filesystemConnector } from '../../../src/connectors/filesystem/filesystem-connector.js';
import type { LookupContext, LookupSource } from '../../../src/engine/connector-api.js';
import { LookupJoinOperator, type LookupJoinOp } from '../../../src/engine/operators/lookup-join-operator.js';
import { col, lit, type BExpr } from '../../../src/plan/bound-expr.js';
import type { TableDef } from '../../../src/plan/logical-plan.js';
import { I, D, UA, UB, attach, evalCtx, makeCtx, mulberry32, transfer } from '../ranks/harness.js';

const LEFT: RowField[] = [{ name: 'oid', type: T.int() }, { name: 'cid', type: T.int() }, { name: 'amt', type: T.int() }];
const TABLE_FIELDS: RowField[] = [{ name: 'id', type: T.int() }, { name: 'name', type: T.string() }, { name: 'tier', type: T.int() }];

function tableDef(options: Record<string, string> = { connector: 'fake' }, baseDir = '.'): TableDef {
  return { name: 'customers', fields: TABLE_FIELDS, physicalFields: TABLE_FIELDS, primaryKey: [0], options, baseDir,
    columns: TABLE_FIELDS.map((_, i) => ({ kind: 'physical' as const, physicalIndex: i })) };
}

function joinOp(over: Partial<LookupJoinOp> = {}, options: Partial<LookupJoinOp['options']> = {}): LookupJoinOp {
  return { kind: 'lookupJoin', id: '2:LookupJoin', inputs: ['1'], fields: [...LEFT, ...TABLE_FIELDS], updating: false,
    joinType: 'INNER', table: tableDef(), leftKeys: [1], lookupKeys: [0], ...over,
    options: { async: false, retryDelayMs: 0, ...options } };
}

/** A table of customers 0..19 (two rows for id 7, none for ids >= 20) with injectable failures and latency. */
class FakeLookup implements LookupSource {
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  opened = 0;
  closed = 0;
  /** Fail the first `failFirst` attempts of every key, and each attempt with probability `failRate`. */
  failFirst = 0;
  failRate = 0;
  latency = false;
  private attempts = new Map<unknown, number>();
  private rnd = mulberry32(99);
  readonly rows: Row[] = [];
  constructor() {
    for (let i = 0; i < 20; i++) this.rows.push([i, `c${i}`, i % 3]);
    this.rows.push([7, 'c7-bis', 9]);
  }
  async open(): Promise<void> { this.opened++; }
  async close(): Promise<void> { this.closed++; }
  async lookup(key: Row): Promise<Row[]> {
    this.calls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.latency) await new Promise((r) => setTimeout(r, Math.floor(this.rnd() * 4)));
      const a = (this.attempts.get(key[0]) ?? 0) + 1;
      this.attempts.set(key[0], a);
      if (a <= this.failFirst || this.rnd() < this.failRate) throw new Error(`backend unavailable for ${String(key[0])}`);
      return this.rows.filter((r) => r[0] === key[0]);
    } finally {
      this.inFlight--;
    }
  }
}

function make(p: LookupJoinOp, src: LookupSource = new FakeLookup()) {
  const ctx = makeCtx();
  const op = new LookupJoinOperator(p, ctx, evalCtx, [LEFT], src);
  return { op, probe: attach(op), ctx };
}

/** Naive nested-loop oracle in input order. */
function oracle(rows: Row[], kinds: number[], table: Row[], left: boolean, cond?: (r: Row) => boolean): string[] {
  const out: string[] = [];
  rows.forEach((r, i) => {
    const m = r[1] === null ? [] : table.filter((t) => t[0] === r[1]).map((t) => [...r, ...t]).filter((j) => !cond || cond(j));
    const k = ['+I', '-U', '+U', '-D'][kinds[i]!]!;
    if (m.length) for (const j of m) out.push(k + JSON.stringify(j));
    else if (left) out.push(k + JSON.stringify([...r, null, null, null]));
  });
  return out;
}

test('INNER and LEFT joins in input order with input kinds; NULL keys never match; residual condition applies', async () => {
  for (const joinType of ['INNER', 'LEFT'] as const) {
    const cond: BExpr = { kind: 'cmp', op: '<>', args: [col(5, T.int()), lit(9, T.int())], type: T.boolean() };
    const { op, probe } = make(joinOp({ joinType, condition: cond }));
    const rows: Row[] = [[1, 3, 10], [2, null, 20], [3, 7, 30], [4, 25, 40], [5, 3, 50]];
    const kinds = [I, I, UB, UA, D];
    op.process({ rows, kinds });
    assert.equal(probe.rows.length, 0, 'process only buffers');
    await op.flushAsync();
    const fake = new FakeLookup();
    assert.deepEqual(probe.changes(), oracle(rows, kinds, fake.rows, joinType === 'LEFT', (j) => j[5] !== 9));
  }
});

test('property: async lookups with random latency and failures (retried) equal the oracle, in input order', async () => {
  for (let seed = 1; seed <= 5; seed++) {
    const rnd = mulberry32(seed);
    const src = new FakeLookup();
    src.latency = true;
    src.failRate = 0.2;
    const left = seed % 2 === 0;
    const { op, probe, ctx } = make(joinOp({ joinType: left ? 'LEFT' : 'INNER' }, { async: true, maxRetries: 20, capacity: 8 }), src);
    const all: Row[] = [], allKinds: number[] = [];
    for (let b = 0; b < 10; b++) {
      const rows: Row[] = [];
      for (let i = 0; i < 30; i++) rows.push([b * 100 + i, rnd() < 0.1 ? null : Math.floor(rnd() * 24), i]);
      const kinds = rows.map(() => (rnd() < 0.2 ? D : I));
      op.process({ rows, kinds });
      all.push(...rows); allKinds.push(...kinds);
      await op.flushAsync();
    }
    assert.deepEqual(probe.changes(), oracle(all, allKinds, src.rows, left));
    assert.equal(ctx.bad.length, 0);
    assert.ok(src.maxInFlight > 1 && src.maxInFlight <= 8, `concurrency ${src.maxInFlight}`);
    assert.ok(ctx.metrics.get('lookupErrors') > 0, 'failures were retried');
  }
});

test('synchronous mode looks keys up one at a time; identical keys in a flush are looked up once', async () => {
  const src = new FakeLookup();
  src.latency = true;
  const { op } = make(joinOp(), src);
  op.process({ rows: [[1, 1, 0], [2, 2, 0], [3, 1, 0], [4, 3, 0]], kinds: [I, I, I, I] });
  await op.flushAsync();
  assert.equal(src.maxInFlight, 1);
  assert.equal(src.calls, 3);
});

test('after the retries a row is dead-lettered with the reason, never silently lost', async () => {
  const src = new FakeLookup();
  src.failFirst = 3;
  const { op, probe, ctx } = make(joinOp({}, { maxRetries: 2 }), src);
  op.process({ rows: [[1, 1, 0], [2, 1, 0], [3, null, 0]], kinds: [I, I, I] });
  await op.flushAsync();
  assert.equal(probe.rows.length, 0);
  assert.equal(ctx.bad.length, 2);
  assert.match(ctx.bad[0]!.reason, /lookup failed after 3 attempt\(s\): backend unavailable for 1/);
  assert.equal(src.calls, 3);
  // With enough retries the same failures are absorbed.
  const s2 = new FakeLookup();
  s2.failFirst = 3;
  const b = make(joinOp({}, { maxRetries: 3 }), s2);
  b.op.process({ rows: [[1, 1, 0]], kinds: [I] });
  await b.op.flushAsync();
  assert.equal(b.probe.rows.length, 1);
  assert.equal(s2.calls, 4);
});

test('cache: hits avoid lookups, entries expire after the TTL, LRU evicts beyond max rows; misses are cached', async () => {
  const src = new FakeLookup();
  const { op, probe, ctx } = make(joinOp({}, { cacheMaxRows: 2, cacheTtlMs: 1000 }), src);
  const flush = async (cids: (number | null)[]): Promise<void> => {
    op.process({ rows: cids.map((c, i) => [i, c, 0]), kinds: cids.map(() => I) });
    await op.flushAsync();
  };
  await flush([1, 2]);
  assert.equal(src.calls, 2);
  await flush([1, 2, 1]);
  assert.equal(src.calls, 2, 'cached');
  await flush([3]); // evicts the least recently used (1)
  assert.equal(src.calls, 3);
  await flush([2]);
  assert.equal(src.calls, 3);
  await flush([1]);
  assert.equal(src.calls, 4, '1 was evicted');
  ctx.clock.t = 5000;
  await flush([1]);
  assert.equal(src.calls, 5, 'expired');
  await flush([30, 30]);
  await flush([30]);
  assert.equal(src.calls, 6, 'a key without rows is cached too');
  assert.equal(probe.rows.length, 9);
  // Without cache options every flush looks up again.
  const s2 = new FakeLookup();
  const nc = make(joinOp(), s2);
  for (let i = 0; i < 3; i++) { nc.op.process({ rows: [[0, 1, 0]], kinds: [I] }); await nc.op.flushAsync(); }
  assert.equal(s2.calls, 3);
});

test('watermarks are held back while rows wait for lookups, then forwarded after them', async () => {
  const src = new FakeLookup();
  src.latency = true;
  const { op, probe } = make(joinOp({}, { async: true }), src);
  op.process({ rows: [[0, 5, 0]], kinds: [I] });
  await op.flushAsync(); // opens the source
  op.watermark(50, 0);
  assert.deepEqual(probe.wms, [50], 'nothing buffered: forwarded at once');
  op.process({ rows: [[1, 1, 0], [2, 2, 0]], kinds: [I, I] });
  op.watermark(100, 0);
  op.watermark(200, 0);
  assert.deepEqual(probe.wms, [50]);
  const pending = op.flushAsync();
  op.process({ rows: [[3, 3, 0]], kinds: [I] }); // arrives while the flush is in flight
  await pending;
  assert.deepEqual(probe.wms, [50], 'a row is still buffered');
  await op.flushAsync();
  assert.deepEqual(probe.wms, [50, 200]);
  assert.deepEqual(probe.rowsAtWm, [1, 4]);
});

test('lazy open, close, finish dead-letters unflushed rows, snapshot keeps buffered rows', async () => {
  const src = new FakeLookup();
  const { op, ctx } = make(joinOp(), src);
  op.process({ rows: [[1, 1, 0]], kinds: [I] });
  const other = make(joinOp(), new FakeLookup());
  transfer(op, other.op);
  await other.op.flushAsync();
  assert.equal(other.probe.rows.length, 1);
  assert.equal(src.opened, 0);
  await op.flushAsync();
  assert.equal(src.opened, 1);
  op.process({ rows: [[2, 2, 0]], kinds: [I] });
  op.finish();
  assert.equal(ctx.bad.length, 1);
  await op.close();
  assert.equal(src.closed, 1);
});

test('filesystem lookup: indexes the table file by the key columns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-lookup-'));
  try {
    writeFileSync(join(dir, 'customers.json'), [
      '{"id": 1, "name": "ann", "tier": 2}', '{"id": 2, "name": "bob", "tier": 1}',
      '{"id": 2, "name": "bo2", "tier": 3}', '{"id": null, "name": "nul", "tier": 0}',
    ].join('\n') + '\n');
    const ctx: LookupContext = { tableName: 'customers', physicalFields: TABLE_FIELDS, baseDir: dir, keyColumns: [0],
      options: { connector: 'filesystem', path: 'customers.json', format: 'json' }, reporter: { badRecord: () => undefined } };
    const src = filesystemConnector.createLookup!(ctx);
    await src.open();
    assert.deepEqual(await src.lookup([2]), [[2, 'bob', 1], [2, 'bo2', 3]]);
    assert.deepEqual(await src.lookup([3]), []);
    assert.deepEqual(await src.lookup([null]), []);
    await src.close();
    // Two key columns, through the operator.
    const ctx2: LookupContext = { ...ctx, keyColumns: [0, 2] };
    const j = make(joinOp({ leftKeys: [1, 2], lookupKeys: [0, 2], joinType: 'LEFT', table: tableDef(ctx.options, dir) }),
      filesystemConnector.createLookup!(ctx2));
    j.op.process({ rows: [[10, 2, 3], [11, 2, 1], [12, 1, 1]], kinds: [I, I, I] });
    await j.op.flushAsync();
    assert.deepEqual(j.probe.changes(), ['+I[10,2,3,2,"bo2",3]', '+I[11,2,1,2,"bob",1]', '+I[12,1,1,null,null,null]']);
    await j.op.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
