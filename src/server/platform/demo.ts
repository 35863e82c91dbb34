/**
 * `freshet start --demo`: generated e-commerce streams and example features, so a new user sees live data at once.
 * Registers three embedded-log sources in the dictionary — `orders`, `clicks` and the multi-type `app_events`
 * (`$.type` = login | purchase | page_view) — keeps appending events to them at a modest rate (about 20 events a
 * second in all), and deploys three features that keep updating. Existing sources and jobs of the same names are
 * left as they are (restarting the demo continues it).
 */
import type { Dictionary } from '../../catalog/dictionary/dictionary.js';
import type { EmbeddedLog } from '../../connectors/embedded-log/embedded-log.js';
import { ingestEvents } from '../ingest.js';
import type { JobManager } from './job-manager.js';
import type { JobSpecInput } from './job-spec.js';

const PAGES = ['/', '/search', '/product/42', '/product/7', '/cart', '/checkout'];
const COUNTRIES = ['DE', 'FR', 'US', 'JP', 'BR'];

/** A small deterministic generator (xorshift) so demo data looks varied without Math.random's global state. */
class Rng {
  constructor(private s: number) {}
  next(): number { let x = this.s; x ^= x << 13; x ^= x >>> 17; x ^= x << 5; this.s = x >>> 0; return this.s / 4294967296; }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]!; }
}

export function demoEvents(rng: Rng, now: number, seq: number): { orders: object[]; clicks: object[]; app: object[] } {
  const user = (): string => `user_${1 + rng.int(12)}`;
  const ts = (): string => new Date(now - rng.int(1500)).toISOString();
  const orders = Array.from({ length: 1 + rng.int(3) }, (_, i) => ({
    order_id: seq * 10 + i, user_id: user(), amount: Math.round((5 + rng.next() * 120) * 100) / 100, country: rng.pick(COUNTRIES), ts: ts(),
  }));
  const clicks = Array.from({ length: 4 + rng.int(8) }, () => ({ user_id: user(), page: rng.pick(PAGES), ts: ts() }));
  const app = Array.from({ length: 2 + rng.int(4) }, () => {
    const k = rng.int(3);
    if (k === 0) return { type: 'login', user_id: user(), method: rng.pick(['password', 'sso']), ts: ts() };
    if (k === 1) return { type: 'purchase', user_id: user(), sku: `sku_${rng.int(50)}`, price: Math.round(rng.next() * 9000) / 100, ts: ts() };
    return { type: 'page_view', user_id: user(), url: rng.pick(PAGES), duration_ms: rng.int(20_000), ts: ts() };
  });
  return { orders, clicks, app };
}

export const DEMO_FEATURES: JobSpecInput[] = [
  {
    name: 'orders_per_user_5m', owner: 'demo', tags: ['demo', 'orders'], entityKey: ['user_id'], sources: ['orders'],
    description: 'Orders and spend per user over the last 5 minutes, updated every 10 seconds.',
    sql: `SELECT user_id, window_end, COUNT(*) AS orders_5m, SUM(amount) AS amount_5m
FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '5' MINUTE))
GROUP BY user_id, window_start, window_end`,
  },
  {
    name: 'clicks_per_page', owner: 'demo', tags: ['demo', 'clicks'], entityKey: ['page'], sources: ['clicks'],
    description: 'Clicks and distinct users per page since the start; published to the embedded online store (served at /api/features/clicks_per_page).',
    sql: `SELECT page, COUNT(*) AS clicks, COUNT(DISTINCT user_id) AS users
FROM clicks
GROUP BY page`,
    outputs: [{ table: 'clicks_per_page', kind: 'store', store: 'embedded-kv' }],
  },
  {
    name: 'logins_per_user', owner: 'demo', tags: ['demo', 'app_events'], entityKey: ['user_id'], sources: ['app_events.login'],
    description: 'Logins per user and the time of the last one, from the multi-type app_events topic.',
    sql: `SELECT user_id, COUNT(*) AS logins, MAX(ts) AS last_login
FROM app_events.login
GROUP BY user_id`,
  },
];

export interface DemoHandle { stop(): void }

/** Registers the demo sources and features (when missing) and starts appending events every second. */
export async function startDemo(dictionary: Dictionary, openLog: () => Promise<EmbeddedLog>, jobs: JobManager, opts: { intervalMs?: number } = {}): Promise<DemoHandle> {
  const rng = new Rng(0x5eed1234);
  let seq = 0;
  const first = demoEvents(rng, Date.now(), seq++);
  const ensure = async (name: string, samples: object[], extra: Record<string, unknown> = {}): Promise<void> => {
    if (await dictionary.get(name)) return;
    await dictionary.create({ name, samples, owner: 'demo', tags: ['demo'], description: `Generated ${name} events (freshet start --demo)`, ...extra });
  };
  await ensure('orders', first.orders.concat(demoEvents(rng, Date.now(), seq++).orders));
  await ensure('clicks', first.clicks);
  const appSamples = [
    { type: 'login', user_id: 'user_1', method: 'sso', ts: new Date().toISOString() },
    { type: 'purchase', user_id: 'user_2', sku: 'sku_1', price: 9.99, ts: new Date().toISOString() },
    { type: 'page_view', user_id: 'user_3', url: '/', duration_ms: 1200, ts: new Date().toISOString() },
  ];
  await ensure('app_events', appSamples, { discriminator: { path: '$.type' } });
  const log = await openLog();
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const ev = demoEvents(rng, Date.now(), seq++);
      for (const [name, msgs] of [['orders', ev.orders], ['clicks', ev.clicks], ['app_events', ev.app]] as const) {
        const def = await dictionary.getForRuntime(name);
        if (def) await ingestEvents(dictionary, log, def, msgs.map((value) => ({ value })));
      }
    } finally {
      busy = false;
    }
  };
  await tick();
  for (const f of DEMO_FEATURES) {
    if (!(await jobs.get(f.name))) await jobs.create(f, true);
  }
  const timer = setInterval(() => { void tick().catch(() => undefined); }, opts.intervalMs ?? 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
