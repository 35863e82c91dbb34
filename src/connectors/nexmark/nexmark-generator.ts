/**
 * The Nexmark event generator: event n is a pure function of (configuration, seed, base time, n), so a source
 * restored at position n replays exactly what an uninterrupted run produces, without generator state.
 *
 * Model (the public Nexmark description, Freshet's own implementation):
 *  - Events come in groups of P + A + B (proportions, default 1:3:46): within a group the first P are persons, the
 *    next A auctions, the rest bids. Person and auction ids are dense, starting at 1000.
 *  - Event n's scheduled time is base + the time n events take at the configured rate; with different first/next
 *    rates the rate is a square wave (first half of each period at the first rate, second half at the next).
 *    With `maxOutOfOrdernessMs` > 0 one event in ten is moved back by up to that much (bounded out-of-orderness).
 *  - Auctions are sold by a hot seller (probability 1 - 1/hotSellerRatio; ids that are multiples of 100) or by one of
 *    the 1000 most recent persons; they expire after a random time of up to twice the time 100 auctions take to be
 *    created, so about 100 auctions are open at a time.
 *  - Bids go to a hot auction (probability 1 - 1/hotAuctionRatio) or one of the 100 most recent auctions, and come
 *    from a hot bidder (probability 1 - 1/hotBidderRatio) or one of the 1000 most recent persons.
 *    Invariant: every referenced person/auction id was generated at an earlier (or the same) position.
 *  - Prices are 10^(6u) * 100 cents (u uniform); categories 10..14; names, cities and states from small lists;
 *    `extra` pads each record to its average size (±20 %).
 *
 * Speed: random strings are slices of a seeded pool string (no per-character work); channel names and URLs are
 * precomputed. Per event one row array and one ROW array are allocated.
 */
import type { Row, Value } from '../../common/row.js';
import { RowRandom, seed32 } from '../datagen/row-random.js';
import type { NexmarkConfig } from './nexmark-options.js';

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
/** Hot ids are multiples of this (base 0). */
const HOT_ID_STEP = 100;
const ACTIVE_PEOPLE = 1000;
const IN_FLIGHT_AUCTIONS = 100;
const NUM_CHANNELS = 10_000;
const POOL_WINDOW = 8192;
/** One event in this many is delayed when out-of-orderness is configured. */
const DELAY_ONE_IN = 10;

export const EVENT_PERSON = 0;
export const EVENT_AUCTION = 1;
export const EVENT_BID = 2;

const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
export const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
export const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
export const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

const U32 = 4294967296;

export class NexmarkGenerator {
  private readonly rng = new RowRandom();
  private readonly seedBits: number;
  private readonly groupSize: number;
  private readonly p: number;
  private readonly a: number;
  /** Events in one rate period (square shape) or 0 for a constant rate. */
  private readonly periodEvents: number;
  private readonly firstHalfEvents: number;
  private readonly pool: string;
  private readonly names: string[];
  private readonly digits4: string[];
  private readonly channels: string[];
  private readonly urls: string[];
  /** Events between an auction and the 100th auction after it, used for expiry horizons. */
  private readonly inFlightEvents: number;

  constructor(private readonly cfg: NexmarkConfig, seed: number, readonly baseTime: number) {
    this.seedBits = seed32(seed);
    this.p = cfg.personProportion;
    this.a = cfg.auctionProportion;
    this.groupSize = cfg.personProportion + cfg.auctionProportion + cfg.bidProportion;
    const halfS = cfg.ratePeriodMs / 2000;
    this.firstHalfEvents = cfg.firstEventRate === cfg.nextEventRate ? 0 : cfg.firstEventRate * halfS;
    this.periodEvents = cfg.firstEventRate === cfg.nextEventRate ? 0 : (cfg.firstEventRate + cfg.nextEventRate) * halfS;
    this.inFlightEvents = this.a > 0 ? Math.ceil((IN_FLIGHT_AUCTIONS * this.groupSize) / this.a) : 0;

    // Fixed tables drawn from a stream keyed by the seed only (row index -1 is never an event).
    const r = new RowRandom();
    r.reset(this.seedBits, -1);
    const maxLen = Math.ceil(Math.max(cfg.personAvgSize, cfg.auctionAvgSize, cfg.bidAvgSize) * 1.25) + 128;
    const chars: string[] = new Array(POOL_WINDOW + maxLen);
    for (let i = 0; i < chars.length; i++) chars[i] = LETTERS[r.nextU32() % 26]!;
    this.pool = chars.join('');
    this.names = [];
    for (const f of FIRST_NAMES) for (const l of LAST_NAMES) this.names.push(`${f} ${l}`);
    this.digits4 = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));
    this.channels = new Array(NUM_CHANNELS + HOT_CHANNELS.length);
    this.urls = new Array(NUM_CHANNELS + HOT_CHANNELS.length);
    const dir = (): string => {
      const len = 3 + (r.nextU32() % 6);
      let s = '';
      for (let i = 0; i < len; i++) s += LETTERS[r.nextU32() % 26];
      return s;
    };
    for (let i = 0; i < NUM_CHANNELS + HOT_CHANNELS.length; i++) {
      const base = `https://www.nexmark.com/${dir()}/${dir()}/${dir()}/item.htm?query=1`;
      if (i < NUM_CHANNELS) {
        this.channels[i] = `channel-${i}`;
        this.urls[i] = `${base}&channel_id=${i}`;
      } else {
        this.channels[i] = HOT_CHANNELS[i - NUM_CHANNELS]!;
        this.urls[i] = base;
      }
    }
  }

  /** Event type of event n (0 person, 1 auction, 2 bid). */
  eventType(n: number): number {
    const off = n % this.groupSize;
    return off < this.p ? EVENT_PERSON : off < this.p + this.a ? EVENT_AUCTION : EVENT_BID;
  }

  /** Milliseconds after the base time at which event n is scheduled (fractional). */
  offsetMs(n: number): number {
    const c = this.cfg;
    if (this.periodEvents === 0) return (n * 1000) / c.firstEventRate;
    const k = Math.floor(n / this.periodEvents);
    const rem = n - k * this.periodEvents;
    const t0 = k * c.ratePeriodMs;
    return rem < this.firstHalfEvents
      ? t0 + (rem * 1000) / c.firstEventRate
      : t0 + c.ratePeriodMs / 2 + ((rem - this.firstHalfEvents) * 1000) / c.nextEventRate;
  }

  /** Scheduled event time of event n (before any out-of-order delay). */
  scheduledTime(n: number): number {
    return this.baseTime + Math.floor(this.offsetMs(n));
  }

  /** Base-0 id of the last person generated at or before event n (-1 when none). */
  lastPersonId(n: number): number {
    const epoch = Math.floor(n / this.groupSize);
    const off = n - epoch * this.groupSize;
    return epoch * this.p + Math.min(off, this.p - 1);
  }

  /** Base-0 id of the last auction generated at or before event n (-1 when none). */
  lastAuctionId(n: number): number {
    const epoch = Math.floor(n / this.groupSize);
    const off = n - epoch * this.groupSize;
    if (off < this.p) return epoch * this.a - 1;
    return epoch * this.a + Math.min(off - this.p, this.a - 1);
  }

  /** Uniform integer in [0, k). */
  private below(k: number): number {
    return Math.floor((this.rng.nextU32() * k) / U32);
  }

  private str(len: number): string {
    const off = this.below(POOL_WINDOW);
    return this.pool.substring(off, off + len);
  }

  /** Padding so that a record whose fields take `current` bytes averages `avg` bytes. */
  private extra(current: number, avg: number): string {
    const want = avg - current;
    if (want <= 0) return '';
    const delta = Math.round(want * 0.2);
    return this.str(want - delta + this.below(2 * delta + 1));
  }

  /** The row of event n: [event_type, person, auction, bid], the two unused ROW columns null. */
  event(n: number): Row {
    const rng = this.rng;
    rng.reset(this.seedBits, n);
    let ts = this.scheduledTime(n);
    const ooo = this.cfg.maxOutOfOrdernessMs;
    if (ooo > 0 && rng.nextU32() % DELAY_ONE_IN === 0) ts -= this.below(ooo + 1);
    const epoch = Math.floor(n / this.groupSize);
    const off = n - epoch * this.groupSize;
    if (off < this.p) return [EVENT_PERSON, this.person(epoch * this.p + off, ts), null, null];
    if (off < this.p + this.a) return [EVENT_AUCTION, null, this.auction(n, epoch * this.a + off - this.p, ts), null];
    return [EVENT_BID, null, null, this.bid(n, ts)];
  }

  private person(id0: number, ts: number): Value[] {
    const name = this.names[this.below(this.names.length)]!;
    const email = `${this.str(7)}@${this.str(5)}.com`;
    const d = this.digits4;
    const card = `${d[this.below(10_000)]} ${d[this.below(10_000)]} ${d[this.below(10_000)]} ${d[this.below(10_000)]}`;
    const city = CITIES[this.below(CITIES.length)]!;
    const state = STATES[this.below(STATES.length)]!;
    const size = 16 + name.length + email.length + card.length + city.length + state.length;
    return [FIRST_PERSON_ID + id0, name, email, card, city, state, ts, this.extra(size, this.cfg.personAvgSize)];
  }

  private auction(n: number, id0: number, ts: number): Value[] {
    const lastP = this.lastPersonId(n);
    const seller = this.below(this.cfg.hotSellerRatio) > 0
      ? Math.floor(lastP / HOT_ID_STEP) * HOT_ID_STEP
      : this.recent(lastP, ACTIVE_PEOPLE);
    const category = FIRST_CATEGORY_ID + this.below(NUM_CATEGORIES);
    const initialBid = this.price();
    const reserve = initialBid + this.price();
    const horizon = Math.max(1, this.scheduledTime(n + this.inFlightEvents) - this.scheduledTime(n));
    const expires = ts + 1 + this.below(2 * horizon);
    const itemName = this.str(20);
    const description = this.str(100);
    return [FIRST_AUCTION_ID + id0, itemName, description, initialBid, reserve, ts, expires, FIRST_PERSON_ID + seller, category,
      this.extra(48 + 20 + 100, this.cfg.auctionAvgSize)];
  }

  private bid(n: number, ts: number): Value[] {
    const lastA = this.lastAuctionId(n);
    const auction = this.below(this.cfg.hotAuctionRatio) > 0
      ? Math.floor(lastA / HOT_ID_STEP) * HOT_ID_STEP
      : this.recent(lastA, IN_FLIGHT_AUCTIONS);
    const lastP = this.lastPersonId(n);
    const bidder = this.below(this.cfg.hotBidderRatio) > 0
      ? Math.min(Math.floor(lastP / HOT_ID_STEP) * HOT_ID_STEP + 1, lastP)
      : this.recent(lastP, ACTIVE_PEOPLE);
    const price = this.price();
    const ch = this.below(2) > 0 ? NUM_CHANNELS + this.below(HOT_CHANNELS.length) : this.below(NUM_CHANNELS);
    // Size counts the fields of the classic Nexmark bid (4 numbers + extra), not channel/url.
    return [FIRST_AUCTION_ID + auction, FIRST_PERSON_ID + bidder, price, this.channels[ch]!, this.urls[ch]!, ts,
      this.extra(32, this.cfg.bidAvgSize)];
  }

  /** A uniformly chosen id among the `window` most recent ids up to `last` (base 0). */
  private recent(last: number, window: number): number {
    const lo = Math.max(0, last - window + 1);
    return lo + this.below(last - lo + 1);
  }

  /** Cents: 10^(6u) dollars, so most prices are small and a few are large. */
  private price(): number {
    return Math.round(Math.pow(10, (this.rng.nextU32() / U32) * 6) * 100);
  }
}
