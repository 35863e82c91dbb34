// Tests of the datagen connector: per-type generation, options, determinism, restore, throttling, validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../../src/common/row.js';
import { T, type RowField } from '../../src/common/types.js';
import { createDatagenConnector } from '../../src/connectors/datagen/datagen-connector.js';
import type { DatagenClock } from '../../src/connectors/datagen/datagen-source.js';
import { drain, tableContext } from './helpers.js';

/** A clock that only moves when sleep is called (or by hand). */
function fakeClock(start = 1_000_000): DatagenClock & { t: number; sleeps: number[] } {
  const c = {
    t: start, sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => { c.sleeps.push(ms); c.t += ms; },
  };
  return c;
}

const fields: RowField[] = [
  { name: 'id', type: T.bigint() }, { name: 'score', type: T.int() }, { name: 'name', type: T.string() },
  { name: 'price', type: T.decimal(6, 2) }, { name: 'ts', type: T.timestamp(3) }, { name: 'ok', type: T.boolean() },
];
const BASE = Date.UTC(2024, 0, 1);

function source(options: Record<string, string>, f: RowField[] = fields, clock = fakeClock()) {
  const ctx = tableContext(f, { connector: 'datagen', ...options });
  const factory = createDatagenConnector(clock);
  assert.deepEqual(factory.validate(ctx, 'source'), []);
  return factory.createSource!(ctx);
}

const opts = {
  'number-of-rows': '50', 'rows-per-second': '1000000', 'freshet.seed': '42', 'freshet.base-time': '2024-01-01 00:00:00',
  'fields.id.kind': 'sequence', 'fields.id.start': '100', 'fields.id.end': '1000',
  'fields.score.min': '-5', 'fields.score.max': '5', 'fields.name.length': '8', 'fields.price.min': '1', 'fields.price.max': '2',
  'fields.ts.max-past': '10 s', 'fields.ok.null-rate': '0.5',
};

describe('datagen', () => {
  it('generates the configured values', async () => {
    const src = source(opts);
    assert.equal(src.bounded, true);
    await src.open();
    const rows = (await drain(src, 16)).flat();
    assert.equal(rows.length, 50);
    rows.forEach((r, i) => {
      assert.equal(r[0], 100 + i);
      assert.ok(Number.isInteger(r[1]) && (r[1] as number) >= -5 && (r[1] as number) <= 5);
      assert.match(r[2] as string, /^[0-9a-f]{8}$/);
      assert.ok((r[3] as number) >= 1 && (r[3] as number) <= 2 && Number((r[3] as number).toFixed(2)) === r[3]);
      const now = BASE + Math.floor(i / 1000); // logical time at 1e6 rows/s
      assert.ok((r[4] as number) <= now && (r[4] as number) > now - 10_000);
      assert.ok(r[5] === null || typeof r[5] === 'boolean');
    });
    const scores = new Set(rows.map((r) => r[1]));
    assert.ok(scores.size >= 8, 'values vary across rows');
    const nulls = rows.filter((r) => r[5] === null).length;
    assert.ok(nulls > 10 && nulls < 40, `null-rate 0.5 gave ${nulls} nulls of 50`);
  });

  it('is reproducible with freshet.seed and differs with another seed', async () => {
    const a = source(opts); await a.open();
    const b = source(opts); await b.open();
    const c = source({ ...opts, 'freshet.seed': '43' }); await c.open();
    const ra = (await drain(a, 7)).flat();
    assert.deepEqual((await drain(b, 50)).flat(), ra, 'batch size does not change the rows');
    assert.notDeepEqual((await drain(c, 7)).flat(), ra);
  });

  it('restores from a position to the same rows and batches, even without a seed', async () => {
    const noSeed = { ...opts } as Record<string, string>;
    delete noSeed['freshet.seed'];
    delete noSeed['freshet.base-time'];
    const full = source(noSeed); await full.open();
    const head: Row[][] = [(await full.poll(7))!, (await full.poll(7))!];
    const pos = JSON.parse(JSON.stringify(full.position())) as unknown;
    const tail = await drain(full, 7);
    const restored = source(noSeed, fields, fakeClock(5_000_000)); // another wall clock: data must not depend on it
    await restored.open(pos);
    assert.deepEqual(await drain(restored, 7), tail);
    assert.equal(head.flat().length, 14);
  });

  it('ends at the first exhausted sequence or number-of-rows', async () => {
    const s1 = source({ 'rows-per-second': '1000000', 'fields.id.kind': 'sequence', 'fields.id.start': '1', 'fields.id.end': '5' }, [{ name: 'id', type: T.int() }]);
    await s1.open();
    assert.deepEqual((await drain(s1, 100)).flat(), [[1], [2], [3], [4], [5]]);
    const s2 = source({ 'number-of-rows': '2', 'rows-per-second': '1000000', 'fields.s.kind': 'sequence', 'fields.s.start': '7', 'fields.s.end': '9' }, [{ name: 's', type: T.string() }]);
    await s2.open();
    assert.deepEqual((await drain(s2, 100)).flat(), [['7'], ['8']]);
    const unbounded = source({}, [{ name: 'x', type: T.int() }]);
    assert.equal(unbounded.bounded, false);
  });

  it('paces rows at rows-per-second with batch sizes independent of timing', async () => {
    const clock = fakeClock();
    const src = source({ 'rows-per-second': '20', 'number-of-rows': '10', 'freshet.seed': '1' }, [{ name: 'x', type: T.int() }], clock);
    await src.open();
    const sizes: number[] = [];
    const start = clock.t;
    for (let b = await src.poll(100); b !== null; b = await src.poll(100)) if (b.length > 0) sizes.push(b.length);
    assert.deepEqual(sizes, [2, 2, 2, 2, 2], 'groups of rows-per-second / 10');
    assert.ok(clock.t - start >= 400 && clock.t - start <= 450, `10 rows at 20/s took ${clock.t - start} ms of clock time`);
  });

  it('returns an empty batch instead of waiting long', async () => {
    const clock = fakeClock();
    const src = source({ 'rows-per-second': '1' }, [{ name: 'x', type: T.int() }], clock);
    await src.open();
    assert.equal((await src.poll(10))!.length, 1);
    assert.deepEqual(await src.poll(10), []);
    assert.equal(clock.sleeps[0], 50);
  });

  it('generates every supported type', async () => {
    const all: RowField[] = [
      { name: 'b', type: T.bytes() }, { name: 'd', type: T.date() }, { name: 't', type: T.time() }, { name: 'l', type: T.timestampLtz(3) },
      { name: 'a', type: T.array(T.int()) }, { name: 'm', type: T.map(T.string(), T.int()) },
      { name: 'r', type: T.row([{ name: 'x', type: T.double() }]) }, { name: 'f', type: T.float() }, { name: 'v', type: T.varchar(5) },
    ];
    const src = source({ 'number-of-rows': '3', 'rows-per-second': '1000000', 'freshet.seed': '3', 'freshet.base-time': '2024-01-01 10:20:30.500',
      'fields.b.length': '4', 'fields.b.var-len': 'true', 'fields.a.length': '2' }, all);
    await src.open();
    const [row] = (await drain(src, 1)).flat() as Row[];
    assert.ok(row![0] instanceof Uint8Array && row![0].length >= 1 && row![0].length <= 4);
    assert.equal(row![1], Math.floor(BASE / 86_400_000));
    assert.equal(row![2], 37_230_000, 'TIME(0) is the time of day at second precision');
    assert.equal(row![3], BASE + 37_230_500);
    assert.equal((row![4] as unknown[]).length, 2);
    assert.ok(row![5] instanceof Map);
    assert.equal((row![6] as unknown[]).length, 1);
    assert.equal(row![7], Math.fround(row![7] as number));
    assert.equal((row![8] as string).length, 5, 'a VARCHAR(5) gets 5 characters by default');
  });
});

describe('datagen validation', () => {
  const validate = (options: Record<string, string>, f: RowField[] = fields, role: 'source' | 'sink' = 'source') =>
    createDatagenConnector().validate(tableContext(f, { connector: 'datagen', ...options }), role);

  it('accepts a valid configuration', () => {
    assert.deepEqual(validate(opts), []);
  });
  it('names unknown columns with a hint', () => {
    const d = validate({ 'fields.scroe.min': '1' });
    assert.deepEqual(d.map((x) => x.code), ['CONN109']);
    assert.match(d[0]!.message, /names column 'scroe', which table 't' does not have/);
    assert.equal(d[0]!.hint, "did you mean 'fields.score.min'?");
  });
  it('reports unknown and inapplicable per-column options', () => {
    const d = validate({ 'fields.score.mni': '1', 'fields.name.min': '3' });
    assert.deepEqual(d.map((x) => x.code), ['CONN102', 'CONN102']);
    assert.equal(d[0]!.hint, "did you mean 'fields.score.min'?");
    assert.match(d[1]!.message, /does not apply to column 'name' \(STRING, random generator\)/);
  });
  it('reports bad values', () => {
    const d = validate({
      'rows-per-second': '0', 'number-of-rows': '-1', 'fields.score.min': '5', 'fields.score.max': '1', 'fields.ok.null-rate': '2',
      'fields.ts.max-past': 'soon', 'fields.id.kind': 'sequnce', 'fields.name.length': 'x', 'freshet.seed': 'abc',
    });
    const msgs = d.map((x) => `${x.code} ${x.message}`).join('\n');
    for (const re of [/rows-per-second' must be a positive integer/, /number-of-rows' must be a non-negative integer/, /fields\.score\.min' \(5\) is greater than/,
      /null-rate' must be a number from 0 to 1/, /max-past' must be a duration/, /kind' must be 'random' or 'sequence'/,
      /length' must be a non-negative integer/, /freshet\.seed' must be an integer/]) assert.match(msgs, re);
    assert.ok(d.every((x) => x.code === 'CONN103'));
  });
  it('requires start and end for sequences and checks their order', () => {
    const d = validate({ 'fields.id.kind': 'sequence', 'fields.id.start': '5' });
    assert.deepEqual(d.map((x) => x.code), ['CONN101']);
    assert.match(d[0]!.message, /needs option 'fields\.id\.end'/);
    assert.match(validate({ 'fields.id.kind': 'sequence', 'fields.id.start': '5', 'fields.id.end': '1' })[0]!.message, /start' \(5\) is greater than/);
    assert.match(validate({ 'fields.ts.kind': 'sequence', 'fields.ts.start': '1', 'fields.ts.end': '2' })[0]!.message, /cannot use the sequence generator/);
  });
  it('rejects unknown table options, unsupported types and the sink role', () => {
    assert.equal(validate({ 'rows-per-secnd': '5' })[0]!.hint, "did you mean 'rows-per-second'?");
    assert.equal(validate({}, [{ name: 'i', type: T.intervalDayTime() }])[0]!.code, 'CONN105');
    assert.equal(validate({}, fields, 'sink')[0]!.code, 'CONN106');
  });
});
