/**
 * `npm run bench -- stores`: online store benchmarks. Not a test: nothing is asserted.
 *
 * 1. multiPut / multiGet of the embedded LMDB store and of Redis (loopback, scripts/redis.sh start; skipped when no
 *    server answers) at batch sizes 1, 100 and 1000: writes (or reads) per second and the latency of one call,
 *    p50 / p99 / p99.9. Rows are ~120-byte JSON values over 10 000 keys; every call waits for the previous one.
 * 2. Event → store latency into Redis at a paced 20 000 events/s for 10 s (BENCH_STORE_RATE, BENCH_STORE_SECS):
 *    a paced source stamps each event with its creation time (epoch ms, fractional) and releases it to the engine
 *    only once that time has come; the job runs `SELECT k, COUNT(*), MAX(created) FROM ev GROUP BY k` into the redis
 *    connector. The store under the sink is wrapped so that, when a multiPut is acknowledged by Redis, every written
 *    row yields `ack time - row.last_created`: the delay from the newest event folded into that row to the moment it
 *    is readable in Redis. (Older events of the same key in the same batch waited longer by at most one batch span;
 *    the batch span is printed too.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Row } from '../src/common/row.js';
import type { ConnectorFactory, ScanSource } from '../src/engine/connector-api.js';
import type { KvStore, VersionedWrite } from '../src/engine/kv-store-api.js';
import { getConnector } from '../src/connectors/registry.js';
import { EmbeddedKvStore } from '../src/connectors/stores/embedded-kv-store.js';
import { createKvConnector } from '../src/connectors/stores/kv-connector.js';
import { RedisKvStore } from '../src/connectors/stores/redis-kv-store.js';
import { runSql } from '../src/runtime/sql-session.js';

const REDIS_PORT = Number(process.env['FRESHET_REDIS_PORT'] ?? '16379');
const KEYS = 10_000;
const now = (): number => performance.timeOrigin + performance.now();

function pct(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i >= 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return `${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`;
}

const value = (i: number, round: number): string =>
  JSON.stringify({ user_id: `user_${i}`, clicks_1h: i % 97 + round, spend_24h: (i * 31) % 10000 / 100, last_seen: '2024-01-01T00:00:00.000', segment: 'abcdefgh' });

async function opsBench(name: string, store: KvStore): Promise<string[][]> {
  const rows: string[][] = [];
  let round = 1;
  for (const batch of [1, 100, 1000]) {
    const calls = batch === 1 ? 5000 : batch === 100 ? 500 : 100;
    for (const op of ['multiPut', 'multiGet'] as const) {
      const lat: number[] = [];
      const t0 = performance.now();
      for (let c = 0; c < calls; c++) {
        const start = (c * batch) % KEYS;
        const keys: string[] = [];
        const writes: VersionedWrite[] = [];
        for (let j = 0; j < batch; j++) {
          const i = (start + j) % KEYS;
          if (op === 'multiGet') keys.push(`user_${i}`);
          else writes.push({ key: `user_${i}`, value: value(i, round), version: round });
        }
        const s = performance.now();
        if (op === 'multiGet') await store.multiGet('bench', keys); else await store.multiPut('bench', writes);
        lat.push(performance.now() - s);
        if (op === 'multiPut' && (c + 1) * batch % KEYS < batch) round++;
      }
      await store.flush?.();
      const secs = (performance.now() - t0) / 1000;
      lat.sort((a, b) => a - b);
      rows.push([`${name} ${op}`, String(batch), (calls * batch / secs).toFixed(0), pct(lat, 0.5).toFixed(3), pct(lat, 0.99).toFixed(3), pct(lat, 0.999).toFixed(3)]);
      round++;
    }
  }
  return rows;
}

/** Releases events at `rate` per second, each stamped with its scheduled creation time. */
class PacedSource implements ScanSource {
  readonly bounded = true;
  private n = 0;
  private t0 = 0;
  private readonly keyNames = Array.from({ length: KEYS }, (_, i) => `user_${i}`);
  constructor(private readonly rate: number, private readonly total: number) {}
  async open(): Promise<void> { this.t0 = now(); }
  async poll(max: number): Promise<Row[] | null> {
    if (this.n >= this.total) return null;
    const due = Math.min(this.total, Math.floor((now() - this.t0) * this.rate / 1000));
    const end = Math.min(due, this.n + max);
    const out: Row[] = [];
    for (let i = this.n; i < end; i++) {
      const h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
      out.push([this.keyNames[h % KEYS]!, this.t0 + (i * 1000) / this.rate]);
    }
    this.n = end;
    return out;
  }
  position(): unknown { return this.n; }
  async close(): Promise<void> {}
}

async function latencyBench(): Promise<string> {
  const rate = Number(process.env['BENCH_STORE_RATE'] ?? 20_000);
  const secs = Number(process.env['BENCH_STORE_SECS'] ?? 10);
  const total = rate * secs;
  const lat: number[] = [];
  const spans: number[] = [];
  let writes = 0, calls = 0;
  const timedRedis = createKvConnector({
    identifier: 'redis-timed', options: {}, validateStore: () => undefined,
    createStore() {
      const s = new RedisKvStore({ port: REDIS_PORT });
      const put = s.multiPut.bind(s);
      s.multiPut = async (tb, ws) => {
        const n = await put(tb, ws);
        const ack = now();
        let lo = Infinity, hi = -Infinity;
        for (const w of ws) {
          if (w.value === null) continue;
          const created = (JSON.parse(w.value) as { last_created: number }).last_created;
          lat.push(ack - created);
          lo = Math.min(lo, created); hi = Math.max(hi, created);
        }
        if (hi >= lo) spans.push(hi - lo);
        writes += ws.length; calls++;
        return n;
      };
      return s;
    },
  });
  const paced: ConnectorFactory = { identifier: 'paced', options: {}, validate: () => [], createSource: () => new PacedSource(rate, total) };
  const connectors = { get: (id: string) => (id === 'paced' ? paced : id === 'redis-timed' ? timedRedis : getConnector(id)) };
  const tb = `latency_${process.pid}`;
  const res = await runSql(`
CREATE TABLE ev (k STRING, created DOUBLE) WITH ('connector' = 'paced');
CREATE TABLE feat (k STRING, c BIGINT, last_created DOUBLE, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'redis-timed', 'table' = '${tb}');
INSERT INTO feat SELECT k, COUNT(*), MAX(created) FROM ev GROUP BY k;`, { connectors });
  const errs = res.diagnostics.filter((d) => d.severity === 'error');
  if (errs.length) throw new Error(errs.map((d) => `${d.code} ${d.message}`).join('\n'));
  lat.sort((a, b) => a - b);
  spans.sort((a, b) => a - b);
  return table(['event → Redis', 'events', 'rate/s', 'multiPut calls', 'rows/call', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'batch span p50 ms'], [[
    'GROUP BY k (10 K keys)', String(total), String(rate), String(calls), (writes / Math.max(1, calls)).toFixed(1),
    pct(lat, 0.5).toFixed(2), pct(lat, 0.99).toFixed(2), pct(lat, 0.999).toFixed(2), lat[lat.length - 1]!.toFixed(2), pct(spans, 0.5).toFixed(2),
  ]]);
}

export async function runStoreBench(): Promise<void> {
  const rows: string[][] = [];
  const dir = mkdtempSync(join(tmpdir(), 'freshet-bench-kv-'));
  try {
    const emb = new EmbeddedKvStore({ path: dir });
    await emb.open();
    rows.push(...await opsBench('embedded', emb));
    await emb.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const redis = new RedisKvStore({ port: REDIS_PORT, connectTimeoutMs: 1500 });
  let redisUp = true;
  try { await redis.open(); } catch (e) { redisUp = false; process.stdout.write(`redis skipped: ${(e as Error).message} (start it with scripts/redis.sh start)\n`); }
  if (redisUp) {
    rows.push(...await opsBench('redis', redis));
    await redis.close();
  }
  process.stdout.write(table(['store op', 'batch', 'keys/s', 'p50 ms', 'p99 ms', 'p99.9 ms'], rows));
  if (redisUp) process.stdout.write('\n' + await latencyBench());
  process.stdout.write(`node ${process.version}; latencies are per call (one batch), waited one after another\n`);
}

if (process.argv[1]?.endsWith('stores.ts')) await runStoreBench();
