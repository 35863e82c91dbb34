/**
 * How the offline path reads feature values. Serving (src/serving) owns the read code and the offline path must not
 * import it (peer layers), so callers (CLI, server, tests) pass it in: `tiles` is serving's readFeatures (over the
 * offline path's scratch tiles, with the layout given), `served` is what serving answers for the online table (the
 * fused view). Checks and training sets therefore use the very code serving uses: a feature served at t equals its
 * training value at t by construction.
 */
import type { KvStore } from '../engine/kv-store-api.js';
import type { TileSinkSpec } from '../plan/rules/tile-features.js';

export interface ReadAnswer {
  incomplete: string[];
  results: { key: string; values: Record<string, unknown>; found: boolean }[];
}

export interface FeatureReaders {
  /** serving's readFeatures(store, table, keys, t, {spec}). */
  tiles(store: KvStore, table: string, keys: readonly string[], t: number, spec: TileSinkSpec): Promise<ReadAnswer>;
  /** What serving answers for the online feature table at t (the fused view). */
  served(table: string, keys: readonly string[], t: number): Promise<ReadAnswer>;
}
