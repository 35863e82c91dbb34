/**
 * Serving benchmark (not a test: nothing is asserted).
 *   node --import tsx bench/serving.ts [--keys 10000] [--reads 5000] [--mem-keys 1000000] [--store memory|embedded|all]
 *   node --expose-gc --import tsx bench/serving.ts ...   (precise memory figures)
 * 1. Read latency p50/p99 and QPS of a 50-feature vector over 1 h, 24 h and 7 d windows (one table, 3 levels:
 *    1 min / 1 h / 1 d), one key per request and 100 keys per request, on the in-memory store and the embedded LMDB
 *    store. Tiles are written by the TileSinkOperator from random events over 8 days.
 * 2. Operator memory per key for 10 sliding features (1 h and 24 h windows) over `--mem-keys` keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KvStore } from '../src/engine/kv-store-api.js';
import { TileSinkOperator } from '../src/engine/operators/tile-sink-operator.js';
import { readFeatures } from '../src/serving/read-features.js';
import { MemoryKvStore } from '../tests/serving/memory-store.js';
import { DAY, HOUR, INPUT, MIN, ctx, load, pct, rng, spec } from './serving-data.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const KEYS = Number(arg('keys', '10000'));
const READS = Number(arg('reads', '5000'));
const MEM_KEYS = Number(arg('mem-keys', '1000000'));
const STORES = arg('store', 'all');

async function latency(store: KvStore, label: string, end: number): Promise<void> {
  const sp = spec([HOUR, DAY, 7 * DAY], [MIN, HOUR, DAY], 50);
  const op = new TileSinkOperator(sp, ctx, undefined, INPUT, store);
  const t0 = performance.now();
  const n = await load(op, KEYS, 40, 8 * DAY, end);
  const loadS = (performance.now() - t0) / 1000;
  const r = rng(2);
  for (const batch of [1, 100]) {
    const lat: number[] = [];
    const reads = batch === 1 ? READS : Math.max(50, Math.floor(READS / 20));
    await readFeatures(store, 'bench', ['u1'], end); // warm the layout cache
    const start = performance.now();
    for (let i = 0; i < reads; i++) {
      const keys: string[] = [];
      for (let k = 0; k < batch; k++) keys.push(`u${Math.floor(r() * KEYS)}`);
      const t = end + Math.floor(r() * HOUR);
      const s = performance.now();
      const a = await readFeatures(store, 'bench', keys, t);
      lat.push(performance.now() - s);
      if (a.results.length !== batch) throw new Error('bad answer');
    }
    const total = (performance.now() - start) / 1000;
    console.log(`${label.padEnd(9)} 50 features (1h/24h/7d), ${String(batch).padStart(3)} key(s)/request: p50 ${pct(lat, 50).toFixed(3)} ms  p99 ${pct(lat, 99).toFixed(3)} ms  ` +
      `${(reads / total).toFixed(0)} requests/s  ${((reads * batch) / total).toFixed(0)} keys/s`);
  }
  console.log(`${label.padEnd(9)} load: ${n} events into ${KEYS} keys in ${loadS.toFixed(1)} s (${(n / loadS).toFixed(0)} events/s incl. store writes)`);
}

/** A store that accepts everything and keeps nothing: isolates operator memory. */
class NullStore implements KvStore {
  readonly kind = 'null';
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  async multiGet(_t: string, keys: readonly string[]): Promise<null[]> { return keys.map(() => null); }
  async multiPut(): Promise<number> { return 0; }
  async writeTiles(_t: string, w: readonly unknown[]): Promise<number> { return w.length; }
  async readTiles(_t: string, r: readonly unknown[]): Promise<Map<number, string>[]> { return r.map(() => new Map()); }
  async getMeta(): Promise<string | null> { return null; }
  async putMeta(): Promise<void> {}
}

async function memory(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (const [label, windows, g, perKey] of [
    ['10 features, 1 h window, 1 min tiles, 3 events/key within 10 min', [HOUR], [MIN], 3],
    ['10 features, 1 h + 24 h windows, 1 min / 1 h tiles, 3 events/key within 10 min', [HOUR, DAY], [MIN, HOUR], 3],
  ] as [string, number[], number[], number][]) {
    gc?.(); gc?.();
    const before = process.memoryUsage().heapUsed;
    let op: TileSinkOperator | undefined = new TileSinkOperator(spec(windows, g, 10), ctx, undefined, INPUT, new NullStore());
    const end = Date.UTC(2024, 4, 1);
    await load(op, MEM_KEYS, perKey, 10 * MIN, end);
    gc?.(); gc?.();
    const after = process.memoryUsage().heapUsed;
    const s = op.stats();
    console.log(`memory: ${label}: ${MEM_KEYS} keys, ${s.tiles} tiles held (${s.closed} closed): ` +
      `${((after - before) / MEM_KEYS).toFixed(0)} bytes/key${gc ? '' : ' (run with --expose-gc for precise figures)'}`);
    // Drop the operator before the next measurement (a suspended async frame would otherwise keep it alive).
    op = undefined;
    void op;
  }
}

async function main(): Promise<void> {
  const end = Date.UTC(2024, 4, 8, 12);
  if (STORES === 'memory' || STORES === 'all') await latency(new MemoryKvStore(), 'memory', end);
  if (STORES === 'embedded' || STORES === 'all') {
    let store: KvStore | undefined;
    const dir = mkdtempSync(path.join(tmpdir(), 'freshet-serving-bench-'));
    try {
      const mod = await import('../src/connectors/stores/embedded-kv-store.js');
      store = new mod.EmbeddedKvStore({ path: dir });
      await store.open();
    } catch (e) {
      console.log(`embedded LMDB store not available: ${(e as Error).message}`);
      store = undefined;
    }
    if (store) {
      await latency(store, 'embedded', end);
      await store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }
  if (MEM_KEYS > 0) await memory();
}

await main();
