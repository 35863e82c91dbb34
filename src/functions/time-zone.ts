/**
 * Time-zone offsets without a bundled zone database: UTC, fixed offsets ('+08:00', 'GMT+8', 'UTC-05:30') and IANA
 * names ('America/New_York') resolved through Intl.DateTimeFormat, which is available in Node and browsers.
 *
 * Invariant: offsets are whole minutes and zone transitions happen on 15-minute boundaries of UTC, so the IANA offset
 * is cached per zone and 15-minute bucket of the instant (bounded cache per zone).
 *
 * localToUtc follows java.time's LocalDateTime.atZone: in an overlap (clocks set back) the earlier instant (the
 * offset before the transition) wins; in a gap (clocks set forward) the wall time is moved later by the gap length.
 */
import { ExprError } from './expr-error.js';
import { daysFromCivil } from '../common/time.js';

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const BUCKET = 15 * MS_PER_MINUTE;
const MAX_CACHE = 20_000;

/** Java's legacy three-letter ids accepted by TimeZone.getTimeZone (a common subset). */
const SHORT_IDS: Record<string, string> = {
  EST: '-05:00', MST: '-07:00', HST: '-10:00',
  PST: 'America/Los_Angeles', PDT: 'America/Los_Angeles', CST: 'America/Chicago', EDT: 'America/New_York',
  ACT: 'Australia/Darwin', AET: 'Australia/Sydney', AGT: 'America/Argentina/Buenos_Aires', ART: 'Africa/Cairo',
  AST: 'America/Anchorage', BET: 'America/Sao_Paulo', BST: 'Asia/Dhaka', CAT: 'Africa/Harare',
  CNT: 'America/St_Johns', CTT: 'Asia/Shanghai', EAT: 'Africa/Addis_Ababa', ECT: 'Europe/Paris',
  IET: 'America/Indiana/Indianapolis', IST: 'Asia/Kolkata', JST: 'Asia/Tokyo', MIT: 'Pacific/Apia',
  NET: 'Asia/Yerevan', NST: 'Pacific/Auckland', PLT: 'Asia/Karachi', PNT: 'America/Phoenix', PRT: 'America/Puerto_Rico',
  SST: 'Pacific/Guadalcanal', VST: 'Asia/Ho_Chi_Minh', CET: 'CET', EET: 'EET', WET: 'WET', MET: 'MET',
};

interface ZoneInfo {
  /** Fixed offset in ms, or undefined for an IANA zone. */
  fixed?: number;
  fmt?: Intl.DateTimeFormat;
  cache?: Map<number, number>;
}

const zones = new Map<string, ZoneInfo | null>();

const FIXED_RE = /^(?:(?:GMT|UTC|UT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i;

function resolveZone(zone: string): ZoneInfo | null {
  let z = zones.get(zone);
  if (z !== undefined) return z;
  z = buildZone(zone.trim());
  zones.set(zone, z);
  return z;
}

function buildZone(zone: string): ZoneInfo | null {
  const up = zone.toUpperCase();
  if (up === 'UTC' || up === 'Z' || up === 'GMT' || up === 'UT' || up === 'ETC/UTC' || up === 'ETC/GMT' || up === 'GMT0'
    || up === 'UCT' || up === 'ZULU' || up === 'UNIVERSAL' || up === 'GREENWICH') return { fixed: 0 };
  const m = FIXED_RE.exec(zone);
  if (m) {
    const h = Number(m[2]), mi = m[3] ? Number(m[3]) : 0, s = m[4] ? Number(m[4]) : 0;
    if (h > 18 || mi > 59 || s > 59) return null;
    const off = (h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * 1000) * (m[1] === '-' ? -1 : 1);
    return { fixed: off };
  }
  const alias = SHORT_IDS[up];
  if (alias !== undefined && alias !== zone) return buildZone(alias);
  try {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
    return { fmt, cache: new Map() };
  } catch {
    return null;
  }
}

/** True when `zone` names a zone Freshet can resolve (for validating `table.local-time-zone`). */
export function isValidTimeZone(zone: string): boolean {
  return resolveZone(zone) !== null;
}

function zoneOrThrow(zone: string): ZoneInfo {
  const z = resolveZone(zone);
  if (z === null) throw new ExprError('TIME_ZONE', `unknown time zone '${zone}'`);
  return z;
}

function intlOffset(z: ZoneInfo, epochMs: number): number {
  const bucket = Math.floor(epochMs / BUCKET);
  const cache = z.cache!;
  const hit = cache.get(bucket);
  if (hit !== undefined) return hit;
  const t = bucket * BUCKET;
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, bc = false;
  for (const p of z.fmt!.formatToParts(t)) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      case 'era': bc = p.value === 'BC' || p.value === 'B'; break;
      default: break;
    }
  }
  if (bc) y = 1 - y;
  const wall = daysFromCivil(y, mo, d) * 86_400_000 + h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * 1000;
  const off = wall - t;
  if (cache.size > MAX_CACHE) cache.clear();
  cache.set(bucket, off);
  return off;
}

/** Offset of `zone` from UTC at the instant `epochMs`, in milliseconds (wall = instant + offset). */
export function zoneOffsetMillis(zone: string, epochMs: number): number {
  const z = zoneOrThrow(zone);
  return z.fixed !== undefined ? z.fixed : intlOffset(z, epochMs);
}

/** UTC instant of a wall-clock time (epoch millis read as UTC) in `zone`, with java.time's gap/overlap rules. */
export function localToUtc(zone: string, wallMs: number): number {
  const z = zoneOrThrow(zone);
  if (z.fixed !== undefined) return wallMs - z.fixed;
  const before = intlOffset(z, wallMs - 86_400_000);
  const after = intlOffset(z, wallMs + 86_400_000);
  if (intlOffset(z, wallMs - before) === before) return wallMs - before;
  if (after !== before && intlOffset(z, wallMs - after) === after) return wallMs - after;
  // Gap: move later by the gap, i.e. interpret with the offset before the transition.
  return wallMs - before;
}

/** Wall-clock millis (read as UTC) of an instant in `zone`. */
export function utcToLocal(zone: string, epochMs: number): number {
  return epochMs + zoneOffsetMillis(zone, epochMs);
}

/** A short display name for `z` patterns: fixed offsets as 'GMT+08:00', UTC as 'UTC', IANA names as given. */
export function zoneDisplayName(zone: string, offsetMs: number): string {
  const z = resolveZone(zone);
  if (z && z.fixed !== undefined) {
    if (z.fixed === 0) return 'UTC';
    return 'GMT' + formatOffset(offsetMs, true, true);
  }
  return zone;
}

/** '+08:00' (colon) or '+0800'; `withMinutes` false gives '+08' when minutes are zero. */
export function formatOffset(offsetMs: number, colon: boolean, withMinutes = true): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const a = Math.abs(Math.round(offsetMs / MS_PER_MINUTE));
  const h = Math.floor(a / 60), m = a % 60;
  const hh = h < 10 ? '0' + h : String(h);
  if (!withMinutes && m === 0) return sign + hh;
  const mm = m < 10 ? '0' + m : String(m);
  return sign + hh + (colon ? ':' : '') + mm;
}
