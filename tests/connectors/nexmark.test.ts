// Tests of the nexmark connector: determinism and restore, proportions, timestamps, id references, options, and the
// benchmark's q0/q1/q2 scripts run through runSql against a direct computation over the generated events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Batch, Row } from '../../src/common/row.js';
import type { ConnectorFactory, ScanSource, SinkWriter } from '../../src/connectors/connector.js';
import type { DatagenClock } from '../../src/connectors/datagen/datagen-source.js';
import { getConnector } from '../../src/connectors/registry.js';
import { createNexmarkConnector, nexmarkConnector } from '../../src/connectors/nexmark/nexmark-connector.js';
import { CITIES, FIRST_AUCTION_ID, FIRST_PERSON_ID, HOT_CHANNELS, NexmarkGenerator, STATES } from '../../src/connectors/nexmark/nexmark-generator.js';
import { defaultNexmarkConfig, nexmarkPhysicalFields } from '../../src/connectors/nexmark/nexmark-options.js';
import { runSql } from '../../src/runtime/sql-session.js';
import { nexmarkScript } from '../../bench/nexmark/run.js';
import { drain, tableContext } from './helpers.js';

const BASE = Date.UTC(2024, 0, 1);
const base = { 'freshet.seed': '7', 'freshet.base-time': '2024-01-01 00:00:00' };

function source(options: Record<string, string>, clock?: DatagenClock): ScanSource {
  const ctx = tableContext(nexmarkPhysicalFields(), { connector: 'nexmark', ...base, ...options });
  const f = clock ? createNexmarkConnector(clock) : nexmarkConnector;
  assert.deepEqual(f.validate(ctx, 'source'), []);
  return f.createSource!(ctx);
}

async function events(options: Record<string, string>, batch = 1000): Promise<Row[]> {
  const s = source(options);
  await s.open();
  return (await drain(s, batch)).flat();
}

function diagnostics(options: Record<string, string>, fields = nexmarkPhysicalFields(), role: 'source' | 'sink' = 'source') {
  return nexmarkConnector.validate(tableContext(fields, { connector: 'nexmark', ...options }), role);
}

// Positional indices of the ROW fields.
const P = { id: 0, name: 1, email: 2, card: 3, city: 4, state: 5, ts: 6, extra: 7 };
const A = { id: 0, item: 1, desc: 2, initialBid: 3, reserve: 4, ts: 5, expires: 6, seller: 7, category: 8, extra: 9 };
const B = { auction: 0, bidder: 1, price: 2, channel: 3, url: 4, ts: 5, extra: 6 };
const tsOf = (e: Row): number => ((e[(e[0] as number) + 1] as unknown[])[e[0] === 0 ? P.ts : e[0] === 1 ? A.ts : B.ts]) as number;

describe('nexmark generator', () => {
  it('is registered and bounded by events.num', async () => {
    assert.equal(getConnector('nexmark'), nexmarkConnector);
    const rows = await events({ 'events.num': '1234' }, 100);
    assert.equal(rows.length, 1234);
    assert.equal(source({}).bounded, false);
  });

  it('is deterministic given seed and position, and restores exactly', async () => {
    const a = await events({ 'events.num': '3000' }, 256);
    const b = await events({ 'events.num': '3000' }, 999);
    assert.deepEqual(a, b);
    const other = await events({ 'events.num': '3000', 'freshet.seed': '8' });
    assert.notDeepEqual(other, a);
    // Interrupt after k events, restore from the checkpointed position: the tail equals the uninterrupted run.
    for (const k of [0, 1, 49, 50, 1777]) {
      const s1 = source({ 'events.num': '3000' });
      await s1.open();
      let got = 0;
      while (got < k) got += (await s1.poll(Math.min(97, k - got)))!.length;
      const pos = structuredClone(s1.position());
      assert.deepEqual(pos, { events: k, seed: 7, baseTime: BASE });
      const s2 = source({ 'events.num': '3000' });
      await s2.open(pos);
      assert.deepEqual((await drain(s2, 333)).flat(), a.slice(k));
    }
  });

  it('keeps a defaulted base time in the position, so a restore continues the same times', async () => {
    const clock = { now: () => 5_000_000, sleep: async () => undefined };
    const ctx = tableContext(nexmarkPhysicalFields(), { connector: 'nexmark', 'events.num': '100' });
    const s = createNexmarkConnector(clock).createSource!(ctx);
    await s.open();
    await s.poll(10);
    assert.deepEqual(s.position(), { events: 10, seed: 0, baseTime: 5_000_000 });
  });

  it('generates persons, auctions and bids in the 1:3:46 proportion, and custom proportions', async () => {
    const rows = await events({ 'events.num': String(50 * 200) });
    const count = [0, 0, 0];
    for (const r of rows) count[r[0] as number]!++;
    assert.deepEqual(count, [200, 600, 9200]);
    // The first group is person, auction x3, bid x46; only the ROW of the event's type is set.
    assert.deepEqual(rows.slice(0, 5).map((r) => r[0]), [0, 1, 1, 1, 2]);
    for (const r of rows.slice(0, 100)) {
      for (let t = 0; t < 3; t++) assert.equal(r[t + 1] === null, t !== r[0]);
    }
    const custom = await events({ 'events.num': '1000', 'person.proportion': '2', 'auction.proportion': '3', 'bid.proportion': '5' });
    const c2 = [0, 0, 0];
    for (const r of custom) c2[r[0] as number]!++;
    assert.deepEqual(c2, [200, 300, 500]);
  });

  it('advances timestamps at the configured rate, in order by default', async () => {
    const rows = await events({ 'events.num': '5000', 'first-event.rate': '1000', 'next-event.rate': '1000' });
    rows.forEach((r, n) => assert.equal(tsOf(r), BASE + n, `event ${n}`));
    // Square rate shape: first half of each 10 s period at 1000/s, second half at 100/s.
    const sq = await events({ 'events.num': '12000', 'first-event.rate': '1000', 'next-event.rate': '100', 'rate.period': '10 s' });
    assert.equal(tsOf(sq[4999]!), BASE + 4999);
    assert.equal(tsOf(sq[5000]!), BASE + 5000);
    assert.equal(tsOf(sq[5001]!), BASE + 5010);
    assert.equal(tsOf(sq[5499]!), BASE + 9990);
    assert.equal(tsOf(sq[5500]!), BASE + 10_000);
    assert.equal(tsOf(sq[5501]!), BASE + 10_001);
  });

  it('keeps out-of-order timestamps within the declared bound', async () => {
    const rows = await events({ 'events.num': '20000', 'first-event.rate': '1000', 'next-event.rate': '1000', 'freshet.max-out-of-orderness': '3 s' });
    let max = -Infinity, delayed = 0, maxLag = 0;
    rows.forEach((r, n) => {
      const t = tsOf(r);
      assert.ok(t <= BASE + n && t >= BASE + n - 3000, `event ${n} at ${t - BASE}`);
      if (t < BASE + n) delayed++;
      maxLag = Math.max(maxLag, max - t);
      max = Math.max(max, t);
    });
    assert.ok(maxLag <= 3000 && maxLag > 1000, `max lag ${maxLag}`);
    assert.ok(delayed > 1500 && delayed < 2500, `${delayed} delayed events (about one in ten)`);
  });

  it('refers only to persons and auctions generated before, and favours hot ids', async () => {
    const rows = await events({ 'events.num': '100000' });
    const persons = new Set<number>(), auctions = new Map<number, unknown[]>();
    let hotAuction = 0, hotBidder = 0, bids = 0, hotSeller = 0, auctionCount = 0, hotChannel = 0;
    for (const r of rows) {
      if (r[0] === 0) {
        const p = r[1] as unknown[];
        assert.equal(p[P.id], FIRST_PERSON_ID + persons.size, 'person ids are dense');
        persons.add(p[P.id] as number);
        assert.ok(CITIES.includes(p[P.city] as string) && STATES.includes(p[P.state] as string));
        assert.match(p[P.card] as string, /^\d{4} \d{4} \d{4} \d{4}$/);
        assert.match(p[P.email] as string, /^[a-z]{7}@[a-z]{5}\.com$/);
      } else if (r[0] === 1) {
        const a = r[2] as unknown[];
        assert.equal(a[A.id], FIRST_AUCTION_ID + auctions.size, 'auction ids are dense');
        auctions.set(a[A.id] as number, a);
        assert.ok(persons.has(a[A.seller] as number), `seller ${String(a[A.seller])} exists`);
        assert.ok((a[A.expires] as number) > (a[A.ts] as number));
        assert.ok((a[A.reserve] as number) >= (a[A.initialBid] as number));
        assert.ok((a[A.category] as number) >= 10 && (a[A.category] as number) <= 14);
        auctionCount++;
        if (((a[A.seller] as number) - FIRST_PERSON_ID) % 100 === 0) hotSeller++;
      } else {
        const b = r[3] as unknown[];
        assert.ok(auctions.has(b[B.auction] as number), `auction ${String(b[B.auction])} exists`);
        assert.ok(persons.has(b[B.bidder] as number), `bidder ${String(b[B.bidder])} exists`);
        const price = b[B.price] as number;
        assert.ok(Number.isInteger(price) && price >= 100 && price <= 100_000_000);
        bids++;
        if (((b[B.auction] as number) - FIRST_AUCTION_ID) % 100 === 0) hotAuction++;
        if (((b[B.bidder] as number) - FIRST_PERSON_ID) % 100 === 1) hotBidder++;
        if (HOT_CHANNELS.includes(b[B.channel] as string)) hotChannel++;
        else assert.ok((b[B.url] as string).endsWith(`&channel_id=${(b[B.channel] as string).slice('channel-'.length)}`));
      }
    }
    // Hot ratios 2 (auctions), 4 (bidders, sellers): at least 1 - 1/ratio of the references are hot.
    assert.ok(hotAuction / bids > 0.5 && hotAuction / bids < 0.56, `hot auctions ${hotAuction / bids}`);
    assert.ok(hotBidder / bids > 0.74 && hotBidder / bids < 0.78, `hot bidders ${hotBidder / bids}`);
    assert.ok(hotSeller / auctionCount > 0.73 && hotSeller / auctionCount < 0.78, `hot sellers ${hotSeller / auctionCount}`);
    assert.ok(Math.abs(hotChannel / bids - 0.5) < 0.02);
  });

  it('pads records to their average size', async () => {
    const rows = await events({ 'events.num': '50000', 'bid.avg-size': '200b' });
    const bidExtra = rows.filter((r) => r[0] === 2).map((r) => ((r[3] as unknown[])[B.extra] as string).length);
    const avg = bidExtra.reduce((x, y) => x + y, 0) / bidExtra.length;
    assert.ok(Math.abs(avg - (200 - 32)) < 3, `average bid extra ${avg}`);
    const auctionExtra = rows.filter((r) => r[0] === 1).map((r) => ((r[2] as unknown[])[A.extra] as string).length);
    assert.ok(Math.abs(auctionExtra.reduce((x, y) => x + y, 0) / auctionExtra.length - (500 - 168)) < 10);
  });

  it('maps a reordered or partial schema by column name', async () => {
    const f = nexmarkPhysicalFields();
    const ctx = tableContext([f[3]!, f[0]!], { connector: 'nexmark', ...base, 'events.num': '60' });
    assert.deepEqual(nexmarkConnector.validate(ctx, 'source'), []);
    const s = nexmarkConnector.createSource!(ctx);
    await s.open();
    const rows = (await drain(s, 100)).flat();
    const full = await events({ 'events.num': '60' });
    assert.deepEqual(rows, full.map((r) => [r[3], r[0]]));
  });

  it('throttles only when rate.limited is set', async () => {
    const clock = { t: 1_000_000, now: () => clock.t, sleep: async (ms: number) => { clock.t += ms; } };
    const s = source({ 'events.num': '300', 'first-event.rate': '1000', 'next-event.rate': '1000', 'rate.limited': 'true' }, clock);
    await s.open();
    const first = await s.poll(1000);
    assert.equal(first!.length, 100, 'groups of a tenth of a second');
    const t0 = clock.t;
    let n = first!.length;
    while (n < 300) { const b = await s.poll(1000); if (b === null) break; n += b.length; }
    assert.ok(clock.t - t0 >= 190, `took ${clock.t - t0} ms of wall time for 300 events at 1000/s`);
    const fast = source({ 'events.num': '5000', 'first-event.rate': '1' }, { now: () => 0, sleep: async () => assert.fail('must not sleep') });
    await fast.open();
    assert.equal((await fast.poll(5000))!.length, 5000);
  });

  it('exposes the generator model: event types and last ids', () => {
    const g = new NexmarkGenerator(defaultNexmarkConfig(), 1, 0);
    assert.deepEqual([0, 1, 3, 4, 49, 50].map((n) => g.eventType(n)), [0, 1, 1, 2, 2, 0]);
    assert.deepEqual([0, 1, 4, 50].map((n) => g.lastAuctionId(n)), [-1, 0, 2, 2]);
    assert.deepEqual([0, 49, 50].map((n) => g.lastPersonId(n)), [0, 0, 1]);
  });
});

describe('nexmark option validation', () => {
  it('accepts the Flink Nexmark options', () => {
    assert.deepEqual(diagnostics({
      'first-event.rate': '100', 'next-event.rate': '200', 'rate.shape': 'square', 'rate.period': '1 min', 'rate.limited': 'false',
      'events.num': '0', 'person.proportion': '1', 'auction.proportion': '3', 'bid.proportion': '46', 'person.avg-size': '1kb',
      'auction.avg-size': '500b', 'bid.avg-size': '100', 'bid.hot-ratio.auctions': '3', 'bid.hot-ratio.bidders': '5',
      'auction.hot-ratio.sellers': '8', 'freshet.seed': '-3', 'freshet.base-time': '1700000000000', 'freshet.max-out-of-orderness': '2 s',
    }), []);
  });

  it('reports bad values, unknown keys and impossible settings', () => {
    const codes = (o: Record<string, string>) => diagnostics(o).map((d) => `${d.code} ${d.message}`);
    assert.deepEqual(codes({ 'first-event.rate': '0' }), ["CONN103 table 't': option 'first-event.rate' must be an integer >= 1, got '0'"]);
    assert.deepEqual(codes({ 'events.num': '-5' }), ["CONN103 table 't': option 'events.num' must be an integer >= 0, got '-5'"]);
    assert.deepEqual(codes({ 'rate.limited': 'yes' }), ["CONN103 table 't': option 'rate.limited' must be 'true' or 'false', got 'yes'"]);
    assert.match(codes({ 'rate.shape': 'SINE' })[0]!, /^CONN108 .*SINE/);
    assert.match(codes({ 'rate.shape': 'saw' })[0]!, /^CONN103 /);
    assert.match(codes({ 'bid.avg-size': 'big' })[0]!, /^CONN103 .*bid\.avg-size/);
    assert.match(codes({ 'freshet.base-time': 'yesterday' })[0]!, /^CONN103 .*freshet\.base-time/);
    assert.match(codes({ 'freshet.max-out-of-orderness': '3 fortnights' })[0]!, /^CONN103 /);
    assert.match(codes({ 'person.proportion': '0' })[0]!, /person\.proportion' must be at least 1/);
    assert.match(codes({ 'auction.proportion': '0' })[0]!, /auction\.proportion' must be at least 1/);
    assert.match(codes({ 'person.proportion': '0', 'auction.proportion': '0', 'bid.proportion': '0' })[0]!, /must not all be 0/);
    const unknown = diagnostics({ 'event.num': '10' });
    assert.equal(unknown[0]!.code, 'CONN102');
    assert.equal(unknown[0]!.hint, "did you mean 'events.num'?");
    assert.equal(diagnostics({}, nexmarkPhysicalFields(), 'sink')[0]!.code, 'CONN106');
  });

  it('checks the schema against the Nexmark DDL', () => {
    const f = nexmarkPhysicalFields();
    const extra = diagnostics({}, [...f, { name: 'x', type: f[0]!.type }]);
    assert.equal(extra.length, 1);
    assert.equal(extra[0]!.code, 'CONN105');
    assert.match(extra[0]!.message, /'x' is not a Nexmark column/);
    const bidFields = f[3]!.type.fields!;
    const swapped = { name: 'bid', type: { ...f[3]!.type, fields: [bidFields[1]!, bidFields[0]!, ...bidFields.slice(2)] } };
    assert.match(diagnostics({}, [f[0]!, swapped])[0]!.message, /field 1 must be `auction` BIGINT, got `bidder` BIGINT/);
  });

  it('positions diagnostics on the option in the WITH clause', async () => {
    const res = await runSql(nexmarkScript('q0', 10).replace("'events.num' = '10'", "'events.num' = 'ten'"));
    const d = res.diagnostics.find((x) => x.code === 'CONN103');
    assert.ok(d?.span, 'has a span');
    assert.equal(d.span.line, 23);
  });
});

/** A 'blackhole' stand-in that keeps what the query writes, so the shipped query files can be checked. */
function capturingRegistry(): { get(id: string): ConnectorFactory | undefined; rows: Row[] } {
  const rows: Row[] = [];
  const sink: ConnectorFactory = {
    identifier: 'blackhole', options: {}, validate: () => [],
    createSink: (): SinkWriter => ({
      open: async () => undefined, flush: async () => undefined, close: async () => undefined,
      write: (b: Batch) => { b.rows.forEach((r, i) => { assert.equal(b.kinds[i], 0); rows.push([...r]); }); },
    }),
  };
  return { get: (id) => (id === 'blackhole' ? sink : getConnector(id)), rows };
}

describe('nexmark queries q0-q2 through runSql', () => {
  const N = 20_000;
  const RATE = 10_000_000;
  const SEED = 42;
  const generated = (() => {
    const cfg = { ...defaultNexmarkConfig(), firstEventRate: RATE, nextEventRate: RATE, events: N, seed: SEED };
    const g = new NexmarkGenerator(cfg, SEED, BASE);
    return Array.from({ length: N }, (_, n) => g.event(n));
  })();
  const bids = generated.filter((r) => r[0] === 2).map((r) => r[3] as unknown[]);

  async function run(q: string): Promise<Row[]> {
    const reg = capturingRegistry();
    const res = await runSql(nexmarkScript(q, N, RATE, SEED), { connectors: reg });
    assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(res.summary?.finished, true);
    return reg.rows;
  }

  it('q0 passes every bid through', async () => {
    const rows = await run('q0');
    assert.equal(rows.length, bids.length);
    assert.deepEqual(rows, bids.map((b) => [b[B.auction], b[B.bidder], b[B.price], b[B.ts], b[B.extra]]));
  });

  it('q1 converts prices to euros', async () => {
    const rows = await run('q1');
    assert.equal(rows.length, bids.length);
    rows.forEach((r, i) => {
      const b = bids[i]!;
      assert.deepEqual([r[0], r[1], r[3], r[4]], [b[B.auction], b[B.bidder], b[B.ts], b[B.extra]]);
      assert.ok(Math.abs((r[2] as number) - (908 * (b[B.price] as number)) / 1000) < 1e-6, `price ${String(r[2])} for ${String(b[B.price])}`);
    });
  });

  it('q2 selects the bids of every 123rd auction', async () => {
    const rows = await run('q2');
    const expected = bids.filter((b) => (b[B.auction] as number) % 123 === 0).map((b) => [b[B.auction], b[B.price]]);
    assert.ok(expected.length > 10, 'the sample contains matching auctions');
    assert.deepEqual(rows, expected);
  });
});
