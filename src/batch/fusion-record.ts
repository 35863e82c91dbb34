/**
 * The fusion record the offline path keeps on a feature table (store meta `fusion`), read by serving's FusedStore
 * (src/serving/fused-store.ts; the document is declared with the tile layout in src/plan/rules/tile-features.ts,
 * since batch and serving are peers that do not import each other), and the other offline metas: check results, check policy and
 * the correction audit. All small JSON documents in the online store's table meta.
 */
import type { KvStore } from '../engine/kv-store-api.js';
import { META_PROGRESS, type TileProgress } from '../engine/operators/tile-sink-operator.js';
import { META_FUSION, offlineTableOf, type FusionMeta } from '../plan/rules/tile-features.js';

export const META_CHECKS = 'checks';
export const META_CHECK_POLICY = 'check-policy';
export const META_AUDIT = 'audit';


/** The fusion record (declared with the tile layout, shared with serving). */
export type FusionRecord = FusionMeta;
export { META_FUSION, offlineTableOf };

export async function readJsonMeta<T>(store: KvStore, table: string, name: string): Promise<T | null> {
  const text = await store.getMeta(table, name);
  return text === null ? null : JSON.parse(text) as T;
}

export const readFusion = (store: KvStore, table: string): Promise<FusionRecord | null> => readJsonMeta<FusionRecord>(store, table, META_FUSION);
export const readProgress = (store: KvStore, table: string): Promise<TileProgress | null> => readJsonMeta<TileProgress>(store, table, META_PROGRESS);

/** Appends `item` to the JSON array in meta `name`, keeping the newest `cap` items. */
export async function appendMeta<T>(store: KvStore, table: string, name: string, item: T, cap: number): Promise<void> {
  const list = (await readJsonMeta<T[]>(store, table, name)) ?? [];
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
  await store.putMeta(table, name, JSON.stringify(list));
}
