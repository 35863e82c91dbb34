/**
 * `freshet serve`: a serving tier of worker processes over the embedded LMDB store answers the same values as the
 * oracle, for GET and batch POST, while another process (here: this one) holds the store open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedKvStore } from '../../src/connectors/stores/embedded-kv-store.js';
import { DAY, HOUR, MIN, feed, finish, makeOperator, makeSpec, oracle, randomEvents, rng } from './helpers.js';

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

test('freshet serve --workers 2 serves tiled features from the embedded store exactly', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'freshet-serve-'));
  const store = new EmbeddedKvStore({ path: dir });
  await store.open();
  const port = 20000 + Math.floor(Math.random() * 5000);
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--store', 'embedded-kv', '--path', dir, '--port', String(port), '--workers', '2'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  try {
    const spec = makeSpec([HOUR, DAY], [MIN, HOUR]);
    const t0 = Date.UTC(2024, 4, 1, 7, 13, 21, 417);
    const events = randomEvents(rng(8), 400, 4, t0, 2 * DAY);
    const op = makeOperator(spec, store);
    await feed(op, events);
    await finish(op);
    await store.flush?.();
    for (let i = 0; i < 150 && !/2 workers\)/.test(err); i++) {
      assert.equal(child.exitCode, null, err);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(err, /2 workers\)/);
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const r = rng(9);
    for (let i = 0; i < 30; i++) {
      const t = t0 + Math.floor(r() * 3 * DAY);
      const u = `u${i % 4}`;
      const a = await (await fetch(`${base}/api/features/feats?key=${u}&at=${t}`)).json() as { results: { values: Record<string, unknown> }[]; windowEnd: number };
      assert.equal(a.windowEnd, t + 1);
      assert.deepEqual(a.results[0]!.values, oracle(spec, events, u, t), `${u} at ${t}`);
    }
    const t = t0 + DAY;
    const res = await fetch(`${base}/api/features/feats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys: ['u0', 'u1', 'u2', 'u3'], at: t }) });
    const b = await res.json() as { results: { values: Record<string, unknown> }[] };
    assert.deepEqual(b.results.map((x) => x.values), ['u0', 'u1', 'u2', 'u3'].map((u) => oracle(spec, events, u, t)));
    assert.equal((await fetch(`${base}/api/features/nope?key=a`)).status, 404);
  } finally {
    await new Promise<void>((resolve) => { if (child.exitCode !== null) resolve(); else { child.once('exit', () => resolve()); child.kill('SIGTERM'); } });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
