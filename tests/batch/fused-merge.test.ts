/**
 * The read-side merge of serving/fused-store.ts on hand-made records: which side each tile part comes from around
 * the boundary, and a tile straddling a (stream) boundary merged with the aggregate's merge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../../src/common/types.js';
import { resolveTiled } from '../../src/engine/operators/tile-sink-operator.js';
import { mergeRecords } from '../../src/serving/fused-store.js';

test('offline parts before the boundary, online parts after it, both merged when a tile straddles it', () => {
  const count = resolveTiled({ id: 'COUNT(*)', name: 'COUNT', args: [], argTypes: [], distinct: false, resultType: T.bigint(false) });
  const fns = new Map([['COUNT(*)', count]]);
  const enc = (n: number, x: number, tail?: number): string => JSON.stringify({ h: { 'COUNT(*)': n }, x, ...(tail !== undefined ? { t: { '600000': { 'COUNT(*)': tail } }, tx: { '600000': x } } : {}) });
  const g = 60_000, b = 90_000; // a stream boundary inside the slice [60 000, 120 000)
  const on = new Map([[60_000, enc(2, 100_000)], [120_000, enc(4, 130_000)], [0, enc(99, 1)]]);
  const off = new Map([[0, enc(1, 10)], [60_000, enc(3, 80_000)], [120_000, enc(50, 125_000)], [660_000, enc(0, 0, 7)]]);
  const m = mergeRecords(on, off, g, b, fns);
  const get = (p: number): { h?: Record<string, number>; x?: number; t?: Record<string, Record<string, number>> } => JSON.parse(m.get(p)!) as never;
  assert.deepEqual(get(0).h, { 'COUNT(*)': 1 }, 'before the boundary: offline only');
  assert.deepEqual(get(60_000).h, { 'COUNT(*)': 5 }, 'straddling: merged');
  assert.equal(get(60_000).x, 100_000);
  assert.deepEqual(get(120_000).h, { 'COUNT(*)': 4 }, 'after the boundary: online only');
  // Tail copy at 660 000 for the 10-minute window: its source tile starts at 60 000 (straddling): offline part kept.
  assert.deepEqual(get(660_000).t, { '600000': { 'COUNT(*)': 7 } });
});

test('FusedStore keeps fused texts per tile only while both inputs read back the same', async () => {
  const { MemoryKvStore } = await import('../serving/memory-store.js');
  const { FusedStore, META_FUSION } = await import('../../src/serving/fused-store.js');
  const { META_LAYOUT } = await import('../../src/engine/operators/tile-sink-operator.js');
  const call = { id: 'COUNT(*)', name: 'COUNT', args: [], argTypes: [], distinct: false, resultType: T.bigint(false) };
  const fns = new Map([['COUNT(*)', resolveTiled(call)]]);
  const inner = new MemoryKvStore();
  const g = 60_000;
  const enc = (n: number, x: number): string => JSON.stringify({ h: { 'COUNT(*)': n }, x });
  await inner.putMeta('f', META_LAYOUT, JSON.stringify({ format: 1, spec: { calls: [call] } }));
  const fusion = (boundary: number): string => JSON.stringify({ format: 1, offlineTable: 'f~offline', boundary, from: null, generation: 1, builtAt: 0, events: 0 });
  await inner.putMeta('f', META_FUSION, fusion(90_000));
  await inner.writeTiles('f', [{ key: 'k', granularityMs: g, start: 60_000, version: 1, value: enc(2, 100_000) }]);
  await inner.writeTiles('f~offline', [{ key: 'k', granularityMs: g, start: 60_000, version: 1, value: enc(3, 80_000) }, { key: 'k', granularityMs: g, start: 0, version: 1, value: enc(1, 10) }]);
  const fused = new FusedStore(inner, { metaTtlMs: 0 });
  const read = async (): Promise<Map<number, string>> => (await fused.readTiles('f', [{ key: 'k', granularityMs: g, from: 0, to: 10 * g }]))[0]!;
  const want = async (b: number): Promise<[number, string][]> => {
    const [on] = await inner.readTiles('f', [{ key: 'k', granularityMs: g, from: 0, to: 10 * g }]);
    const [off] = await inner.readTiles('f~offline', [{ key: 'k', granularityMs: g, from: 0, to: 10 * g }]);
    return [...mergeRecords(on!, off!, g, b, fns)];
  };
  const first = await read();
  assert.deepEqual([...first], await want(90_000));
  const again = await read();
  assert.ok(Object.is(again.get(60_000), first.get(60_000)) && Object.is(again.get(0), first.get(0)), 'unchanged tiles: the same texts');
  // A new online value for the straddling tile: fused again.
  await inner.writeTiles('f', [{ key: 'k', granularityMs: g, start: 60_000, version: 2, value: enc(5, 110_000) }]);
  const changed = await read();
  assert.deepEqual([...changed], await want(90_000));
  assert.deepEqual(JSON.parse(changed.get(60_000)!).h, { 'COUNT(*)': 8 });
  // A new boundary (a refresh): every tile is fused again under it.
  await inner.putMeta('f', META_FUSION, fusion(120_000));
  assert.deepEqual([...await read()], await want(120_000));
});
