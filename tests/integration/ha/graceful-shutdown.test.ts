/**
 * Graceful shutdown of `freshet start`: SIGTERM makes the instance stop accepting requests, stop its jobs with a
 * final checkpoint and exit 0. The job checkpoints only every hour, so the only checkpoint on disk is the one the
 * shutdown wrote; a new process restores from it and, fed more events, ends with every event counted exactly once
 * (results and the embedded online store equal a direct computation). Also checks /livez and /readyz. No external
 * services needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, killInstance, startInstance, until, type Instance } from './platform-process.js';

const USERS = 13;
const orders = (from: number, to: number): object[] => {
  const out = [];
  for (let i = from; i < to; i++) out.push({ order_id: i, user_id: `u${i % USERS}`, amount: i % 17 });
  return out;
};
function expected(n: number): Map<string, { n: number; total: number }> {
  const m = new Map<string, { n: number; total: number }>();
  for (let i = 0; i < n; i++) {
    const e = m.get(`u${i % USERS}`) ?? { n: 0, total: 0 };
    e.n++; e.total += i % 17;
    m.set(`u${i % USERS}`, e);
  }
  return m;
}

async function resultsOf(i: Instance): Promise<Map<string, { n: number; total: number }>> {
  const r = await api(i, 'GET', '/api/jobs/spend/results?limit=1000');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return new Map((r.body.rows as unknown[][]).map((row) => [String(row[0]), { n: Number(row[1]), total: Number(row[2]) }]));
}
const counted = (m: Map<string, { n: number }>): number => [...m.values()].reduce((a, x) => a + x.n, 0);
const checkpoints = (dir: string): string[] => { try { return readdirSync(dir).filter((f) => /^chk-\d+\.bin$/.test(f)); } catch { return []; } };

test('SIGTERM: final checkpoint, exit 0; the next process restores it and counts every event exactly once', { timeout: 180_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'freshet-graceful-'));
  const data = join(work, 'data');
  const ckDir = join(data, 'platform', 'checkpoints', 'spend');
  let a: Instance | undefined, b: Instance | undefined;
  try {
    a = await startInstance('a', data);
    assert.equal((await api(a, 'GET', '/livez')).status, 200);
    await until('ready', async () => ((await api(a!, 'GET', '/readyz')).status === 200 ? true : undefined));
    const ready = await api(a, 'GET', '/readyz');
    assert.deepEqual((ready.body.checks as { name: string; ok: boolean }[]).map((c) => [c.name, c.ok]), [['catalog', true], ['stores', true], ['jobs', true]]);

    assert.equal((await api(a, 'POST', '/api/sources', { name: 'orders', samples: orders(0, 2) })).status, 201);
    assert.equal((await api(a, 'POST', '/api/sources/orders/events', orders(0, 300))).status, 200);
    const job = {
      name: 'spend', owner: 'ops', entityKey: ['user_id'], sources: ['orders'],
      sql: 'SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY user_id',
      outputs: [{ table: 'user_spend', kind: 'store', store: 'embedded-kv' }],
      options: { 'execution.checkpointing.interval': '1 h' },
    };
    const c = await api(a, 'POST', '/api/jobs', job);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    await until('300 events counted', async () => (counted(await resultsOf(a!)) === 300 ? true : undefined));
    assert.equal(checkpoints(ckDir).length, 0, 'no periodic checkpoint yet (interval 1 h)');

    // Graceful shutdown.
    const t0 = Date.now();
    a.child.kill('SIGTERM');
    const ex = await a.exited;
    assert.equal(ex.code, 0, `exit code (signal ${ex.signal}); stderr: ${a.stderr()}`);
    assert.match(a.stderr(), /stopping \(jobs checkpoint on the way out\)/);
    const cks = checkpoints(ckDir);
    assert.equal(cks.length, 1, `the shutdown wrote one checkpoint: ${cks.join(', ')}`);
    const shutdownMs = Date.now() - t0;

    // A new process restores it; more events arrive; every event counts once.
    b = await startInstance('b', data);
    const st = await until('restored and running', async () => {
      const r = await api(b!, 'GET', '/api/jobs/spend');
      return r.body.status?.state === 'running' ? r.body.status : undefined;
    });
    assert.equal(st.restoredFrom, cks[0], 'restored from the shutdown checkpoint');
    assert.equal((await api(b, 'POST', '/api/sources/orders/events', orders(300, 500))).status, 200);
    await until('500 events counted', async () => (counted(await resultsOf(b!)) === 500 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300)); // a replayed (double-counted) batch would show up now
    assert.deepEqual(await resultsOf(b), expected(500));
    const users = [...expected(500).keys()];
    const served = await api(b, 'GET', `/api/features/user_spend?${users.map((u) => `key=${u}`).join('&')}`);
    assert.equal(served.status, 200, JSON.stringify(served.body));
    for (const r of served.body.results as { key: string; found: boolean; values: { n: number; total: number } }[]) {
      assert.ok(r.found, `${r.key} in the store`);
      const e = expected(500).get(r.key)!;
      assert.deepEqual([Number(r.values.n), Number(r.values.total)], [e.n, e.total], `${r.key} in the store`);
    }
    b.child.kill('SIGTERM');
    assert.equal((await b.exited).code, 0);
    t.diagnostic(`shutdown (final checkpoint, exit) took ${shutdownMs} ms`);
  } finally {
    await killInstance(a);
    await killInstance(b);
    rmSync(work, { recursive: true, force: true });
  }
});
