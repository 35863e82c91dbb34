// A platform server with fast monitoring (collection every 200 ms, quick webhook retries) over a temporary data
// directory with an `orders` source, for the monitoring tests.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Dictionary } from '../../../src/catalog/dictionary/dictionary.js';
import { LmdbDictionaryStore } from '../../../src/catalog/dictionary/lmdb-store.js';
import { EmbeddedKvStore } from '../../../src/connectors/stores/embedded-kv-store.js';
import { createPlatformServer, type PlatformServer, type PlatformServerOptions } from '../../../src/server/platform/platform-server.js';

export const TOKENS = { generated: false, tokens: [
  { token: 'tok-admin', role: 'admin' as const, name: 'a' }, { token: 'tok-editor', role: 'editor' as const, name: 'e' }, { token: 'tok-viewer', role: 'viewer' as const, name: 'v' },
] };
export const H = (t = 'tok-admin'): Record<string, string> => ({ authorization: `Bearer ${t}` });

export interface Rig { app: FastifyInstance; server: PlatformServer; dir: string }

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
export const orders = (ids: number[]): object[] => ids.map((i) => ({ order_id: i, user_id: `u${i % 2}`, amount: i + 0.5, ts: new Date(T0 + i * 1000).toISOString() }));

export async function withPlatform(fn: (r: Rig) => Promise<void>, extra: Partial<PlatformServerOptions> = {}): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-monitoring-'));
  const store = new LmdbDictionaryStore(path.join(dir, 'dictionary'));
  const server = await createPlatformServer({
    dictionary: new Dictionary(store), logDir: path.join(dir, 'log'), platformDir: path.join(dir, 'platform'), tokens: TOKENS, baseDir: dir,
    servingStore: new EmbeddedKvStore({ path: path.join(dir, 'kv') }),
    monitoring: { intervalMs: 200, retry: { attempts: 4, initialMs: 20, maxMs: 200, timeoutMs: 2000 } },
    ...extra,
  });
  try {
    const r = await server.app.inject({ method: 'POST', url: '/api/sources', headers: H(), payload: { name: 'orders', samples: orders([1, 2]) } });
    assert.equal(r.statusCode, 201, r.body);
    await fn({ app: server.app, server, dir });
  } finally {
    await server.app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function addOrders(app: FastifyInstance, ids: number[]): Promise<void> {
  const r = await app.inject({ method: 'POST', url: '/api/sources/orders/events', headers: H(), payload: orders(ids) });
  assert.equal(r.statusCode, 200, r.body);
}

export async function api<T>(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, token = 'tok-admin'): Promise<{ status: number; body: T }> {
  const r = await app.inject({ method, url, headers: H(token), ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: r.statusCode, body: (r.body ? JSON.parse(r.body) : undefined) as T };
}

export const SPEND = {
  name: 'spend', owner: 'growth', entityKey: ['user_id'], sources: ['orders'],
  sql: 'SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY user_id',
  outputs: [{ table: 'user_spend', kind: 'store', store: 'embedded-kv' }],
  options: { 'execution.checkpointing.interval': '300ms' },
};

/** Parses the Prometheus text format strictly enough to fail on malformed output: samples by series text. */
export function parsePrometheus(text: string): { types: Map<string, string>; samples: { name: string; labels: Record<string, string>; value: number }[] } {
  const types = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      if (m[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]!), line);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/g;
      let consumed = 0;
      for (let l = re.exec(m[3]); l; l = re.exec(m[3])) { labels[l[1]!] = l[2]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\'); consumed += l[0].length; }
      assert.equal(consumed, m[3].length, `bad labels in ${line}`);
    }
    samples.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return { types, samples };
}
