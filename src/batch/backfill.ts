/**
 * Fusion backfill (docs/offline.md): computes a feature's tiles for events in [from, B) from its sources' offline
 * twins into the offline layer `<table>~offline`, then records the boundary B in the table's meta `fusion`. Reads
 * (serving/fused-store.ts) take events before B from the offline layer and the rest from the stream.
 *
 * Invariants:
 *   - B is a multiple of the coarsest tile size, or the stream's own boundary (its progress meta): then no online
 *     tile straddling B holds an event before B, and nothing is counted twice.
 *   - each build is a new generation g, writing versions g·2^40 + n: newer than every earlier build, never touching
 *     the stream's records. The record is written after the build completes, so readers switch to the new boundary
 *     only once every tile below it is in place (a build in progress changes no read: positions below the old
 *     boundary get equal values, positions above it are not read from the offline layer yet).
 *   - a build always starts at `from` (a full rebuild): the offline layer never mixes partial tiles of two builds.
 *
 * The stream must hold every event at or after B (Kafka's retention reaches back before B); Freshet cannot see the
 * topic's oldest retained event time, so the default B is the stream's watermark floored to the coarsest tile size,
 * and moving B earlier than the stream's start is the caller's error (pass streamFrom to have it checked).
 */
import { FreshetError, diag } from '../common/diagnostics.js';
import type { KvStore } from '../engine/kv-store-api.js';
import { META_LAYOUT, TILE_FORMAT, type TileLayoutMeta } from '../engine/operators/tile-sink-operator.js';
import { floorTo, type TileSinkSpec } from '../plan/rules/tile-features.js';
import { BatchErrors } from './batch-error-codes.js';
import { META_FUSION, offlineTableOf, readFusion, readProgress, type FusionRecord } from './fusion-record.js';
import { GENERATION_STEP } from './layer-store.js';
import type { OfflineProgress } from './offline-connector.js';
import { buildTiles, featureSpec, type FeatureSource, type TileBuildResult } from './tile-build.js';

export interface BackfillOptions extends FeatureSource {
  /** The opened online store holding the feature table (the caller closes it). */
  store: KvStore;
  /** Earliest event time to backfill (default: the whole twin). */
  from?: number;
  /** The boundary B (default: the stream's watermark floored to the coarsest tile size). */
  boundary?: number;
  /** When given, B must not be before it: the oldest event time the stream holds. */
  streamFrom?: number;
  reason?: string;
  onProgress?: OfflineProgress;
  signal?: AbortSignal;
}

export interface BackfillResult {
  fusion: FusionRecord;
  previous: FusionRecord | null;
  build: TileBuildResult;
  spec: TileSinkSpec;
}

/** The coarsest tile size of a layout: boundaries are multiples of it. */
export const coarsestOf = (spec: Pick<TileSinkSpec, 'granularities'>): number => spec.granularities[spec.granularities.length - 1]!;

export async function backfill(o: BackfillOptions): Promise<BackfillResult> {
  const spec = featureSpec(o);
  const table = spec.table;
  const gTop = coarsestOf(spec);
  const [previous, progress] = await Promise.all([readFusion(o.store, table), readProgress(o.store, table)]);
  let b = o.boundary;
  if (b === undefined) {
    if (progress?.watermark === null || progress?.watermark === undefined) {
      throw new FreshetError(diag(BatchErrors.BadRequest, `feature table '${table}' has no stream progress yet: give the boundary (--to)`));
    }
    b = floorTo(progress.watermark, gTop);
  }
  const streamBoundary = progress?.boundary ?? null;
  if (b % gTop !== 0 && b !== streamBoundary) {
    throw new FreshetError(diag(BatchErrors.UnalignedBoundary,
      `the boundary ${new Date(b).toISOString()} is not a multiple of the coarsest tile size (${gTop} ms) of '${table}'`, undefined,
      `use ${new Date(floorTo(b, gTop)).toISOString()} or ${new Date(floorTo(b, gTop) + gTop).toISOString()}: a tile straddling the boundary would mix stream and offline events`));
  }
  if (o.streamFrom !== undefined && b < o.streamFrom) {
    throw new FreshetError(diag(BatchErrors.BadRequest,
      `the boundary ${new Date(b).toISOString()} is before the stream's oldest event ${new Date(o.streamFrom).toISOString()}: events in between would be missing`));
  }
  if (o.from !== undefined && o.from >= b) {
    throw new FreshetError(diag(BatchErrors.BadRequest, `from (${new Date(o.from).toISOString()}) must be before the boundary (${new Date(b).toISOString()})`));
  }
  const generation = (previous?.generation ?? 0) + 1;
  const offlineTable = offlineTableOf(table);
  const build = await buildTiles({
    ...o, range: { ...(o.from !== undefined ? { from: o.from } : {}), to: b }, store: o.store, targetTable: offlineTable,
    versionBase: generation * GENERATION_STEP,
  });
  const fusion: FusionRecord = {
    format: 1, offlineTable, boundary: b, from: o.from ?? null, generation, builtAt: Date.now(), events: build.events,
    reason: o.reason ?? 'backfill',
  };
  // A table the stream has not flushed yet is servable from the offline layer alone: give it the layout the stream
  // job writes on its first flush (the same spec).
  if ((await o.store.getMeta(table, META_LAYOUT)) === null) {
    const layout: TileLayoutMeta = { format: TILE_FORMAT, spec };
    await o.store.putMeta(table, META_LAYOUT, JSON.stringify(layout));
  }
  await o.store.putMeta(table, META_FUSION, JSON.stringify(fusion));
  await o.store.flush?.();
  return { fusion, previous, build, spec };
}

export interface RefreshSchedule { stop(): void; next(): number }

/**
 * Daily refresh: every `everyMs` (default 1 day) at `offsetMs` past the period start (default 02:00 UTC), re-runs the
 * backfill with B = the stream's watermark, at most `now - offlineLagMs` (default 1 day: yesterday's dump is complete),
 * floored to the coarsest tile size — moving the boundary forward over closed positions. Errors go to onError.
 */
export function scheduleRefresh(o: Omit<BackfillOptions, 'boundary'> & { everyMs?: number; offsetMs?: number; offlineLagMs?: number;
  onDone?: (r: BackfillResult) => void; onError?: (e: unknown) => void; now?: () => number }): RefreshSchedule {
  const every = o.everyMs ?? 86_400_000, offset = o.offsetMs ?? 2 * 3_600_000, lag = o.offlineLagMs ?? 86_400_000;
  const now = o.now ?? Date.now;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let at = 0;
  const arm = (): void => {
    const t = now();
    at = floorTo(t - offset, every) + every + offset;
    timer = setTimeout(() => { void run(); }, at - t);
    timer.unref?.();
  };
  const run = async (): Promise<void> => {
    try {
      const spec = featureSpec(o);
      const progress = await readProgress(o.store, spec.table);
      const limit = Math.min(progress?.watermark ?? -Infinity, now() - lag);
      if (Number.isFinite(limit)) o.onDone?.(await backfill({ ...o, boundary: floorTo(limit, coarsestOf(spec)), reason: 'refresh' }));
    } catch (e) {
      o.onError?.(e);
    }
    if (timer !== undefined) arm();
  };
  arm();
  return { stop() { if (timer !== undefined) clearTimeout(timer); timer = undefined; }, next: () => at };
}
