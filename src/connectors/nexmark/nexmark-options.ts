/**
 * Reading and validating the `nexmark` connector's options. Names follow the Flink Nexmark source
 * (`first-event.rate`, `next-event.rate`, `rate.shape`, `rate.period`, `rate.limited`, `events.num`,
 * `<kind>.proportion`, `<kind>.avg-size`, `bid.hot-ratio.auctions`, `bid.hot-ratio.bidders`,
 * `auction.hot-ratio.sellers`); Freshet adds `freshet.seed`, `freshet.base-time` and
 * `freshet.max-out-of-orderness` (the Flink compiler drops `freshet.*` options). Every problem is a positioned
 * Diagnostic; nothing throws.
 */
import type { Diagnostic } from '../../common/diagnostics.js';
import { parseTimestampText } from '../../common/time.js';
import { T, typeToString, type RowField, type SqlType } from '../../common/types.js';
import type { TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { booleanOption, optionDiag, parseDuration, parseMemorySize } from '../option-validation.js';

export interface NexmarkConfig {
  /** Events per second of event time in the first half of each rate period. */
  firstEventRate: number;
  /** Events per second of event time in the second half of each rate period. */
  nextEventRate: number;
  /** Length of one rate period in ms (only matters when the two rates differ). */
  ratePeriodMs: number;
  /** Emit no faster than the event rate in wall-clock time. */
  rateLimited: boolean;
  /** Total events; Infinity when unbounded (`events.num` absent or 0). */
  events: number;
  personProportion: number;
  auctionProportion: number;
  bidProportion: number;
  personAvgSize: number;
  auctionAvgSize: number;
  bidAvgSize: number;
  /** A bid is for a hot auction with probability 1 - 1/ratio. */
  hotAuctionRatio: number;
  /** A bid is by a hot bidder with probability 1 - 1/ratio. */
  hotBidderRatio: number;
  /** An auction is by a hot seller with probability 1 - 1/ratio. */
  hotSellerRatio: number;
  seed: number;
  /** Undefined: the wall-clock time of the first open (kept in the source position). */
  baseTime?: number;
  /** Occasionally delayed events are at most this much older than their scheduled time (ms). */
  maxOutOfOrdernessMs: number;
}

export const defaultNexmarkConfig = (): NexmarkConfig => ({
  firstEventRate: 10_000, nextEventRate: 10_000, ratePeriodMs: 600_000, rateLimited: false, events: Infinity,
  personProportion: 1, auctionProportion: 3, bidProportion: 46,
  personAvgSize: 200, auctionAvgSize: 500, bidAvgSize: 100,
  hotAuctionRatio: 2, hotBidderRatio: 4, hotSellerRatio: 4,
  seed: 0, maxOutOfOrdernessMs: 0,
});

export const NEXMARK_OPTIONS: Record<string, { description: string; default?: string }> = {
  'first-event.rate': { default: '10000', description: 'Events per second of event time (first half of each rate period).' },
  'next-event.rate': { default: '10000', description: 'Events per second of event time in the second half of each rate period.' },
  'rate.shape': { default: 'SQUARE', description: "How the rate moves between first-event.rate and next-event.rate; only 'SQUARE' is supported." },
  'rate.period': { default: '10 min', description: 'Length of one rate period (event time).' },
  'rate.limited': { default: 'false', description: 'When true, events are released no faster than their event-time rate (wall clock).' },
  'events.num': { default: '0', description: 'Total events to generate; 0 means unbounded.' },
  'person.proportion': { default: '1', description: 'Persons among each group of proportion-sum events.' },
  'auction.proportion': { default: '3', description: 'Auctions among each group of proportion-sum events.' },
  'bid.proportion': { default: '46', description: 'Bids among each group of proportion-sum events.' },
  'person.avg-size': { default: '200b', description: 'Average size of a person; the `extra` field pads to it.' },
  'auction.avg-size': { default: '500b', description: 'Average size of an auction; the `extra` field pads to it.' },
  'bid.avg-size': { default: '100b', description: 'Average size of a bid; the `extra` field pads to it.' },
  'bid.hot-ratio.auctions': { default: '2', description: 'A bid is for a hot auction with probability 1 - 1/ratio.' },
  'bid.hot-ratio.bidders': { default: '4', description: 'A bid comes from a hot bidder with probability 1 - 1/ratio.' },
  'auction.hot-ratio.sellers': { default: '4', description: 'An auction comes from a hot seller with probability 1 - 1/ratio.' },
  'scan.parallelism': { description: 'Accepted for compatibility; the embedded engine reads with one reader.' },
  'freshet.seed': { default: '0', description: 'Freshet: seed of the generator (an integer); same seed, same events.' },
  'freshet.base-time': {
    description: "Freshet: event time of the first event, e.g. '2024-01-01 00:00:00' (UTC) or epoch milliseconds. Default: the time the job starts.",
  },
  'freshet.max-out-of-orderness': {
    default: '0 ms',
    description: 'Freshet: one event in ten is delayed by up to this duration (event time), so timestamps are out of order by at most this much.',
  },
};

/** The `nexmark` table schema, as the Flink Nexmark DDL declares it. ROW values are positional arrays. */
export const NEXMARK_ROW_FIELDS: Record<'person' | 'auction' | 'bid', readonly string[]> = {
  person: ['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra'],
  auction: ['id', 'itemName', 'description', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'extra'],
  bid: ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'],
};
const ROW_KINDS: Record<string, string> = {
  id: 'BIGINT', initialBid: 'BIGINT', reserve: 'BIGINT', seller: 'BIGINT', category: 'BIGINT', auction: 'BIGINT',
  bidder: 'BIGINT', price: 'BIGINT', dateTime: 'TIMESTAMP', expires: 'TIMESTAMP',
};
/** The standard physical columns (event_type, person, auction, bid) with their types. */
export function nexmarkPhysicalFields(): RowField[] {
  const row = (names: readonly string[]): SqlType => T.row(names.map((n) => ({
    name: n, type: ROW_KINDS[n] === 'BIGINT' ? T.bigint() : ROW_KINDS[n] === 'TIMESTAMP' ? T.timestamp(3) : T.string(),
  })));
  return [
    { name: 'event_type', type: T.int() },
    { name: 'person', type: row(NEXMARK_ROW_FIELDS.person) },
    { name: 'auction', type: row(NEXMARK_ROW_FIELDS.auction) },
    { name: 'bid', type: row(NEXMARK_ROW_FIELDS.bid) },
  ];
}

/** Generator slots of the four physical columns. */
export const NEXMARK_COLUMNS = ['event_type', 'person', 'auction', 'bid'] as const;

function sameKind(t: SqlType, kind: string): boolean {
  if (kind === 'VARCHAR') return t.kind === 'VARCHAR' || t.kind === 'CHAR';
  if (kind === 'BIGINT') return t.kind === 'BIGINT';
  return t.kind === kind;
}

/** Checks a physical column against the Nexmark schema; returns a message when it does not fit. */
function columnProblem(f: RowField): string | undefined {
  if (f.name === 'event_type') {
    return f.type.kind === 'INT' || f.type.kind === 'BIGINT' || f.type.kind === 'SMALLINT' || f.type.kind === 'TINYINT'
      ? undefined : `column 'event_type' must be INT, not ${typeToString(f.type, false)}`;
  }
  const want = NEXMARK_ROW_FIELDS[f.name as 'person' | 'auction' | 'bid'];
  if (!want) return `column '${f.name}' is not a Nexmark column (expected ${NEXMARK_COLUMNS.join(', ')}; declare others as computed columns)`;
  const got = f.type.kind === 'ROW' ? f.type.fields ?? [] : undefined;
  const expected = `ROW<${want.map((n) => `${n} ${ROW_KINDS[n] ?? 'VARCHAR'}`).join(', ')}>`;
  if (!got || got.length !== want.length) return `column '${f.name}' must be ${expected}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    if (g.name !== want[i] || !sameKind(g.type, ROW_KINDS[want[i]!] ?? 'VARCHAR')) {
      return `column '${f.name}' field ${i + 1} must be \`${want[i]}\` ${ROW_KINDS[want[i]!] ?? 'VARCHAR'}, got \`${g.name}\` ${typeToString(g.type, false)}; expected ${expected}`;
    }
  }
  return undefined;
}

export function parseNexmarkOptions(ctx: TableContext): { config: NexmarkConfig; diagnostics: Diagnostic[] } {
  const out: Diagnostic[] = [];
  const o = ctx.options;
  const c = defaultNexmarkConfig();
  const bad = (key: string, message: string, hint?: string): void => {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, key, message, hint));
  };
  /** An integer option within [min, max]. */
  const int = (key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    const n = Number(v.trim());
    if (!/^\s*-?\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      bad(key, `option '${key}' must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got '${v}'`);
      return undefined;
    }
    return n;
  };
  const size = (key: string): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    const n = parseMemorySize(v);
    if (n === undefined || n > 1 << 20) { bad(key, `option '${key}' must be a size such as '200b' or '1kb' (at most 1mb), got '${v}'`); return undefined; }
    return n;
  };

  c.firstEventRate = int('first-event.rate', 1) ?? c.firstEventRate;
  c.nextEventRate = int('next-event.rate', 1) ?? c.nextEventRate;
  const shape = o['rate.shape'];
  if (shape !== undefined && shape.trim().toUpperCase() !== 'SQUARE') {
    if (shape.trim().toUpperCase() === 'SINE') {
      out.push(optionDiag(ctx, ConnectorErrors.UnsupportedOption, 'rate.shape', "rate shape 'SINE' is not supported yet", "use 'SQUARE'"));
    } else bad('rate.shape', `option 'rate.shape' must be 'SQUARE' or 'SINE', got '${shape}'`);
  }
  const period = o['rate.period'];
  if (period !== undefined) {
    const ms = parseDuration(period);
    if (ms === undefined || ms < 2) bad('rate.period', `option 'rate.period' must be a duration such as '10 min', got '${period}'`);
    else c.ratePeriodMs = ms;
  }
  c.rateLimited = booleanOption(ctx, 'rate.limited', false, out);
  const events = int('events.num', 0);
  if (events !== undefined) c.events = events === 0 ? Infinity : events;
  c.personProportion = int('person.proportion', 0, 1_000_000) ?? c.personProportion;
  c.auctionProportion = int('auction.proportion', 0, 1_000_000) ?? c.auctionProportion;
  c.bidProportion = int('bid.proportion', 0, 1_000_000) ?? c.bidProportion;
  if (c.personProportion + c.auctionProportion + c.bidProportion === 0) {
    bad('person.proportion', 'the proportions of persons, auctions and bids must not all be 0');
  } else if (c.personProportion === 0 && (c.auctionProportion > 0 || c.bidProportion > 0)) {
    bad('person.proportion', "'person.proportion' must be at least 1 when auctions or bids are generated (they refer to persons)");
  } else if (c.auctionProportion === 0 && c.bidProportion > 0) {
    bad('auction.proportion', "'auction.proportion' must be at least 1 when bids are generated (bids refer to auctions)");
  }
  c.personAvgSize = size('person.avg-size') ?? c.personAvgSize;
  c.auctionAvgSize = size('auction.avg-size') ?? c.auctionAvgSize;
  c.bidAvgSize = size('bid.avg-size') ?? c.bidAvgSize;
  c.hotAuctionRatio = int('bid.hot-ratio.auctions', 1) ?? c.hotAuctionRatio;
  c.hotBidderRatio = int('bid.hot-ratio.bidders', 1) ?? c.hotBidderRatio;
  c.hotSellerRatio = int('auction.hot-ratio.sellers', 1) ?? c.hotSellerRatio;
  const seed = o['freshet.seed'];
  if (seed !== undefined) {
    const n = Number(seed.trim());
    if (!/^\s*-?\d+\s*$/.test(seed) || !Number.isSafeInteger(n)) bad('freshet.seed', `option 'freshet.seed' must be an integer, got '${seed}'`);
    else c.seed = n;
  }
  const base = o['freshet.base-time'];
  if (base !== undefined) {
    const t = /^\s*-?\d+\s*$/.test(base) ? Number(base) : parseTimestampText(base)?.millis;
    if (t === undefined || !Number.isSafeInteger(t)) {
      bad('freshet.base-time', `option 'freshet.base-time' must be a timestamp such as '2024-01-01 00:00:00' or epoch milliseconds, got '${base}'`);
    } else c.baseTime = t;
  }
  const ooo = o['freshet.max-out-of-orderness'];
  if (ooo !== undefined) {
    const ms = parseDuration(ooo);
    if (ms === undefined) bad('freshet.max-out-of-orderness', `option 'freshet.max-out-of-orderness' must be a duration such as '2 s', got '${ooo}'`);
    else c.maxOutOfOrdernessMs = ms;
  }

  for (const f of ctx.physicalFields) {
    const p = columnProblem(f);
    if (p) out.push(optionDiag(ctx, ConnectorErrors.UnsupportedType, 'connector', p, 'declare the table as the Nexmark DDL does (event_type, person, auction, bid)'));
  }
  return { config: c, diagnostics: out };
}
