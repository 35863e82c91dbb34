/**
 * Offline truth of a feature at given times: tiles computed from the offline twins (tile-build.ts) into a scratch
 * store, read with serving's read code (readers.ts). The build reads only the events reads at times in [minT, maxT]
 * can need: [minT − longest window − finest slice, maxT]; events after a read time are in the scratch tiles but the
 * read excludes them (t − w < ts ≤ t), exactly as serving does.
 */
import type { TileSinkSpec } from '../plan/rules/tile-features.js';
import { ScratchStore } from './layer-store.js';
import type { OfflineProgress } from './offline-connector.js';
import { buildTiles, type FeatureSource, type TileBuildResult } from './tile-build.js';

export interface Truth {
  store: ScratchStore;
  table: string;
  spec: TileSinkSpec;
  build: TileBuildResult;
}

export async function buildTruth(src: FeatureSource, spec: TileSinkSpec, minT: number, maxT: number, onProgress?: OfflineProgress): Promise<Truth> {
  const store = new ScratchStore();
  const table = 'truth';
  const from = minT - Math.max(...spec.windows) - spec.granularities[0]!;
  const build = await buildTiles({ ...src, store, targetTable: table, range: { from, to: maxT + 1 }, ...(onProgress ? { onProgress } : {}) });
  return { store, table, spec: build.spec, build };
}
