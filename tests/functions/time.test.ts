import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../../src/common/types.js';
import {
  zoneOffsetMillis, localToUtc, parseIntervalLiteral, floorTimestamp, ceilTimestamp, extractField, addMonths,
  timestampDiff, compileDatePattern, isValidTimeZone, lookupFunction, type CompiledPattern,
} from '../../src/functions/index.js';
import { call, callDynamic, typeOf } from './call.js';

const H = 3_600_000, D = 86_400_000;
const ts = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number => Date.UTC(y, mo - 1, d, h, mi, s, ms);
const day = (y: number, mo: number, d: number): number => ts(y, mo, d) / D;
const ny = { timeZone: 'America/New_York', now: () => 0 };
const berlin = { timeZone: 'Europe/Berlin', now: () => 0 };

test('zone offsets: fixed, IANA with DST, and local-to-UTC gap/overlap rules', () => {
  assert.equal(zoneOffsetMillis('UTC', 0), 0);
  assert.equal(zoneOffsetMillis('+08:00', 0), 8 * H);
  assert.equal(zoneOffsetMillis('GMT-5', 0), -5 * H);
  assert.equal(zoneOffsetMillis('UTC+05:30', 0), 5.5 * H);
  assert.equal(zoneOffsetMillis('America/New_York', ts(2024, 1, 15)), -5 * H);
  assert.equal(zoneOffsetMillis('America/New_York', ts(2024, 7, 15)), -4 * H);
  assert.equal(zoneOffsetMillis('America/New_York', ts(2024, 3, 10, 6, 59, 59, 999)), -5 * H);
  assert.equal(zoneOffsetMillis('America/New_York', ts(2024, 3, 10, 7)), -4 * H);
  // 02:30 does not exist on 2024-03-10: java.time moves it to 03:30 EDT.
  assert.equal(localToUtc('America/New_York', ts(2024, 3, 10, 2, 30)), ts(2024, 3, 10, 7, 30));
  // 01:30 happens twice on 2024-11-03: the earlier (EDT) instant wins.
  assert.equal(localToUtc('America/New_York', ts(2024, 11, 3, 1, 30)), ts(2024, 11, 3, 5, 30));
  assert.ok(isValidTimeZone('Asia/Tokyo'));
  assert.ok(!isValidTimeZone('Mars/Olympus'));
});

test('interval literals', () => {
  assert.deepEqual(parseIntervalLiteral('10 00:00:00.004', 'DAY', 'SECOND'), { kind: 'INTERVAL_DAY_TIME', millis: 10 * D + 4 });
  assert.deepEqual(parseIntervalLiteral('2-10', 'YEAR', 'MONTH'), { kind: 'INTERVAL_YEAR_MONTH', months: 34 });
  assert.deepEqual(parseIntervalLiteral('10', 'DAY'), { kind: 'INTERVAL_DAY_TIME', millis: 10 * D });
  assert.deepEqual(parseIntervalLiteral('1.5', 'SECOND'), { kind: 'INTERVAL_DAY_TIME', millis: 1500 });
  assert.deepEqual(parseIntervalLiteral('-1 02', 'DAY', 'HOUR'), { kind: 'INTERVAL_DAY_TIME', millis: -(D + 2 * H) });
  assert.deepEqual(parseIntervalLiteral('5', 'MINUTE', undefined, true), { kind: 'INTERVAL_DAY_TIME', millis: -300_000 });
  assert.ok('error' in parseIntervalLiteral('100', 'DAY'));
  assert.deepEqual(parseIntervalLiteral('100', 'DAY', undefined, false, { leadingPrecision: 3 }), { kind: 'INTERVAL_DAY_TIME', millis: 100 * D });
  assert.ok('error' in parseIntervalLiteral('1 25:00', 'DAY', 'MINUTE'));
  assert.ok('error' in parseIntervalLiteral('abc', 'HOUR'));
});

test('floor and ceil to units (weeks start on Sunday as in Flink)', () => {
  const t = ts(2024, 5, 15, 13, 45, 30, 123); // a Wednesday
  assert.equal(floorTimestamp(t, 'SECOND'), ts(2024, 5, 15, 13, 45, 30));
  assert.equal(floorTimestamp(t, 'HOUR'), ts(2024, 5, 15, 13));
  assert.equal(floorTimestamp(t, 'WEEK'), ts(2024, 5, 12));
  assert.equal(floorTimestamp(t, 'MONTH'), ts(2024, 5, 1));
  assert.equal(floorTimestamp(t, 'QUARTER'), ts(2024, 4, 1));
  assert.equal(floorTimestamp(t, 'YEAR'), ts(2024, 1, 1));
  assert.equal(ceilTimestamp(t, 'MINUTE'), ts(2024, 5, 15, 13, 46));
  assert.equal(ceilTimestamp(t, 'DAY'), ts(2024, 5, 16));
  assert.equal(ceilTimestamp(t, 'WEEK'), ts(2024, 5, 19));
  assert.equal(ceilTimestamp(t, 'MONTH'), ts(2024, 6, 1));
  assert.equal(ceilTimestamp(t, 'QUARTER'), ts(2024, 7, 1));
  assert.equal(ceilTimestamp(ts(2024, 6, 1), 'MONTH'), ts(2024, 6, 1));
  assert.equal(floorTimestamp(ts(1969, 12, 31, 23), 'DAY'), ts(1969, 12, 31));
  // FLOOR(ltz TO DAY) is a local day in the session zone.
  assert.equal(call('FLOOR', [T.timestampLtz(3), T.string()], [ts(2024, 1, 15, 3), 'DAY'], ny), ts(2024, 1, 14, 5));
  assert.equal(call('CEIL', [T.date(), T.string()], [day(2024, 5, 15), 'MONTH']), day(2024, 6, 1));
});

test('EXTRACT and the field functions (Flink docs examples)', () => {
  const d = day(1994, 9, 27);
  const cases: [string, number][] = [['YEAR', 1994], ['QUARTER', 3], ['MONTH', 9], ['WEEK', 39], ['DAYOFYEAR', 270], ['DAYOFMONTH', 27], ['DAYOFWEEK', 3]];
  for (const [fn, want] of cases) assert.equal(call(fn, [T.date()], [d]), want, fn);
  const t = ts(1994, 9, 27, 13, 14, 15, 678);
  assert.equal(call('HOUR', [T.timestamp(3)], [t]), 13);
  assert.equal(call('MINUTE', [T.timestamp(3)], [t]), 14);
  assert.equal(call('SECOND', [T.timestamp(3)], [t]), 15);
  assert.equal(call('EXTRACT', [T.string(), T.date()], ['DAY', day(2006, 6, 5)]), 5);
  assert.equal(call('EXTRACT', [T.string(), T.timestamp(3)], ['MILLISECOND', t]), 678);
  assert.equal(call('EXTRACT', [T.string(), T.timestamp(3)], ['DOW', ts(2024, 1, 14)]), 1); // Sunday
  assert.equal(call('EXTRACT', [T.string(), T.timestamp(3)], ['ISODOW', ts(2024, 1, 14)]), 7);
  assert.equal(call('EXTRACT', [T.string(), T.timestamp(3)], ['EPOCH', ts(1970, 1, 2)]), 86400);
  assert.equal(call('EXTRACT', [T.string(), T.timestamp(3)], ['WEEK', ts(2021, 1, 1)]), 53); // ISO week of 2020
  assert.equal(call('HOUR', [T.timestampLtz(3)], [ts(2024, 7, 1, 3)], ny), 23);
  assert.equal(extractField('HOUR', 45_000_000, T.time()), 12);
  assert.equal(extractField('DAY', 3 * D + H, T.intervalDayTime()), 3);
});

test('month arithmetic and TIMESTAMPADD/TIMESTAMPDIFF', () => {
  assert.equal(addMonths(ts(2024, 1, 31, 8), 1), ts(2024, 2, 29, 8));
  assert.equal(addMonths(ts(2024, 3, 31), -13), ts(2023, 2, 28));
  assert.equal(call('TIMESTAMPADD', [T.string(), T.int(), T.timestamp(3)], ['WEEK', 1, ts(2003, 1, 2, 10)]), ts(2003, 1, 9, 10));
  assert.equal(call('TIMESTAMPADD', [T.string(), T.int(), T.date()], ['MONTH', 1, day(2024, 1, 31)]), day(2024, 2, 29));
  assert.equal(call('TIMESTAMPADD', [T.string(), T.int(), T.date()], ['HOUR', 5, day(2024, 1, 31)]), ts(2024, 1, 31, 5));
  assert.equal(call('TIMESTAMPDIFF', [T.string(), T.timestamp(3), T.timestamp(3)], ['DAY', ts(2003, 1, 2, 10), ts(2003, 1, 4, 9)]), 1);
  assert.equal(call('TIMESTAMPDIFF', [T.string(), T.timestamp(3), T.timestamp(3)], ['HOUR', ts(2003, 1, 2, 10), ts(2003, 1, 2, 7, 30)]), -2);
  // Flink's subtractMonths: Jan 31 + 1 month clamps to Feb 29, so one whole month has passed.
  assert.equal(call('TIMESTAMPDIFF', [T.string(), T.date(), T.date()], ['MONTH', day(2024, 1, 31), day(2024, 2, 29)]), 1);
  assert.equal(call('TIMESTAMPDIFF', [T.string(), T.date(), T.date()], ['MONTH', day(2024, 1, 15), day(2024, 2, 14)]), 0);
  assert.equal(call('TIMESTAMPDIFF', [T.string(), T.date(), T.date()], ['YEAR', day(2020, 2, 29), day(2024, 2, 28)]), 3);
  assert.equal(timestampDiff('MONTH', ts(2024, 1, 15, 12), ts(2024, 3, 15, 11)), 1);
});

test('date patterns: java.time and SimpleDateFormat flavours', () => {
  const p = compileDatePattern("yyyy-MM-dd'T'HH:mm:ss.SSS EEE EEEE MMM MMMM d D a hh H:m:s yy", 'java.time') as CompiledPattern;
  assert.equal(p.format(ts(2024, 3, 5, 14, 7, 9, 45)), '2024-03-05T14:07:09.045 Tue Tuesday Mar March 5 65 PM 02 14:7:9 24');
  const z = compileDatePattern('HH:mm Z X XXX z', 'simple') as CompiledPattern;
  assert.equal(z.format(ts(2024, 1, 1, 10), -5 * H, 'America/New_York'), '10:00 -0500 -05 -05:00 America/New_York');
  assert.equal(z.format(ts(2024, 1, 1, 10), 0, 'UTC'), '10:00 +0000 Z Z UTC');
  const q = compileDatePattern("''yy'-Q'Q u", 'java.time') as CompiledPattern;
  assert.equal(q.format(ts(2024, 8, 1)), "'24-Q3 2024");
  assert.equal((compileDatePattern('u', 'simple') as CompiledPattern).format(ts(2024, 1, 14)), '7'); // Sunday
  // Parsing: java.time is strict about widths and requires the whole text.
  const strict = compileDatePattern('yyyy-MM-dd HH:mm:ss', 'java.time') as CompiledPattern;
  assert.deepEqual(strict.parse('2024-01-15 10:30:05'), { wall: ts(2024, 1, 15, 10, 30, 5) });
  assert.equal(strict.parse('2024-1-15 10:30:05'), undefined);
  assert.equal(strict.parse('2024-01-15 10:30:05 junk'), undefined);
  // SimpleDateFormat is lenient: short fields, rollover, trailing text ignored.
  const lenient = compileDatePattern('yyyy-MM-dd HH:mm:ss', 'simple') as CompiledPattern;
  assert.deepEqual(lenient.parse('2024-1-5 1:2:3 trailing'), { wall: ts(2024, 1, 5, 1, 2, 3) });
  assert.deepEqual(lenient.parse('2024-02-30 00:00:00'), { wall: ts(2024, 3, 1) });
  assert.deepEqual((compileDatePattern('yyyyMMddHHmm', 'simple') as CompiledPattern).parse('202401151030'), { wall: ts(2024, 1, 15, 10, 30) });
  assert.deepEqual((compileDatePattern('dd/MMM/yyyy:HH:mm:ss Z', 'simple') as CompiledPattern).parse('10/Oct/2000:13:55:36 -0700'), { wall: ts(2000, 10, 10, 13, 55, 36), offset: -7 * H });
  assert.ok('error' in compileDatePattern('yyyy-bb', 'java.time'));
});

test('DATE_FORMAT, TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP, FROM_UNIXTIME (Flink docs examples)', () => {
  assert.equal(call('DATE_FORMAT', [T.timestamp(3), T.string()], [ts(2024, 1, 15, 10, 30), 'yyyy/MM/dd HH']), '2024/01/15 10');
  assert.equal(callDynamic('DATE_FORMAT', [T.timestamp(3), T.string()], [ts(2024, 1, 15, 10, 30), 'yyyy/MM/dd HH']), '2024/01/15 10');
  assert.equal(call('DATE_FORMAT', [T.timestampLtz(3), T.string()], [ts(2024, 1, 15, 10, 30), 'yyyy-MM-dd HH:mm'], ny), '2024-01-15 05:30');
  assert.equal(call('DATE_FORMAT', [T.string(), T.string()], ['2024-01-15 10:30:00', 'MM/dd/yy']), '01/15/24');
  assert.equal(call('DATE_FORMAT', [T.string(), T.string()], ['garbage', 'MM/dd/yy']), null);
  assert.equal(call('TO_TIMESTAMP', [T.string()], ['2024-01-15 10:30:00']), ts(2024, 1, 15, 10, 30));
  assert.equal(call('TO_TIMESTAMP', [T.string()], ['1999-9-10 05:20:10']), ts(1999, 9, 10, 5, 20, 10));
  assert.equal(call('TO_TIMESTAMP', [T.string(), T.string()], ['15.01.2024 10:30', 'dd.MM.yyyy HH:mm']), ts(2024, 1, 15, 10, 30));
  assert.equal(call('TO_TIMESTAMP', [T.string(), T.string()], ['2024-01-15', 'yyyy-MM-dd']), ts(2024, 1, 15));
  assert.equal(call('TO_TIMESTAMP', [T.string()], ['not a time']), null);
  assert.equal(call('TO_DATE', [T.string()], ['2024-01-15']), day(2024, 1, 15));
  assert.equal(call('TO_DATE', [T.string(), T.string()], ['15/01/2024', 'dd/MM/yyyy']), day(2024, 1, 15));
  assert.equal(call('TO_DATE', [T.string()], ['2024-13-01']), null);
  // UNIX_TIMESTAMP examples from the Flink docs with 'table.local-time-zone' = 'Europe/Berlin'.
  assert.equal(call('UNIX_TIMESTAMP', [T.string(), T.string()], ['1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS'], berlin), 25201);
  assert.equal(call('UNIX_TIMESTAMP', [T.string(), T.string()], ['1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS X'], berlin), 1);
  assert.equal(call('UNIX_TIMESTAMP', [T.string(), T.string()], ['1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS'], berlin), 25201);
  assert.equal(call('UNIX_TIMESTAMP', [T.string(), T.string()], ['1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS X'], berlin), -9223372036854775808);
  assert.equal(call('UNIX_TIMESTAMP', [], [], { timeZone: 'UTC', now: () => 1_700_000_000_999 }), 1_700_000_000);
  assert.equal(call('FROM_UNIXTIME', [T.bigint()], [44]), '1970-01-01 00:00:44');
  assert.equal(call('FROM_UNIXTIME', [T.bigint()], [44], { timeZone: 'Asia/Tokyo', now: () => 0 }), '1970-01-01 09:00:44');
  assert.equal(call('CONVERT_TZ', [T.string(), T.string(), T.string()], ['1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles']), '1969-12-31 16:00:00');
  assert.equal(call('TO_TIMESTAMP_LTZ', [T.bigint(), T.int()], [1_700_000_000, 0]), 1_700_000_000_000);
  assert.equal(call('TO_TIMESTAMP_LTZ', [T.bigint(), T.int()], [1_700_000_000_123, 3]), 1_700_000_000_123);
  assert.equal(call('TO_TIMESTAMP_LTZ', [T.bigint(), T.int()], [1e15, 3]), null);
  assert.equal(call('TO_TIMESTAMP_LTZ', [T.string(), T.string()], ['2024-01-15 10:30:00', 'yyyy-MM-dd HH:mm:ss'], ny), ts(2024, 1, 15, 15, 30));
  assert.equal(call('TO_TIMESTAMP_LTZ', [T.string(), T.string(), T.string()], ['2024-01-15 10:30:00', 'yyyy-MM-dd HH:mm:ss', 'Asia/Shanghai'], ny), ts(2024, 1, 15, 2, 30));
});

test('clock functions read the context', () => {
  const ctx = { timeZone: 'Asia/Shanghai', now: () => ts(2024, 1, 15, 20, 30, 15, 250) };
  assert.equal(call('CURRENT_TIMESTAMP', [], [], ctx), ts(2024, 1, 15, 20, 30, 15, 250));
  assert.equal(call('LOCALTIMESTAMP', [], [], ctx), ts(2024, 1, 16, 4, 30, 15, 250));
  assert.equal(call('CURRENT_DATE', [], [], ctx), day(2024, 1, 16));
  assert.equal(call('CURRENT_TIME', [], [], ctx), (4 * 3600 + 30 * 60 + 15) * 1000);
  const proctime = typeOf('PROCTIME', []);
  assert.ok(!('error' in proctime) && proctime.timeAttr === 'proctime' && proctime.kind === 'TIMESTAMP_LTZ' && !proctime.nullable);
  const cur = lookupFunction('CURRENT_TIMESTAMP')!;
  assert.equal(cur.deterministic, false);
});
