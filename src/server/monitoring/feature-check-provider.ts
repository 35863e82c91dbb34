/**
 * The check provider of published feature tables: the newest offline check of each table (src/batch/check.ts keeps
 * them in the table's meta in its online store) as samples — `freshet_check_value{check="mismatch_rate", table=…}`,
 * `missing_rate`, `extra_rate`, `threshold` (the table's check policy), `alert`, `time_seconds`, and per column
 * `rel_error_p99`. Results are read at most every `ttlMs` (a store round trip per table), not at every collection.
 */
import { checkMetrics, listChecks } from '../../batch/check.js';
import type { KvStore } from '../../engine/kv-store-api.js';
import type { FeatureTable } from '../platform/feature-tables.js';
import type { CheckProvider } from './collector.js';

export function featureCheckProvider(features: () => Promise<FeatureTable[]>, storeFor: (f: FeatureTable) => Promise<KvStore>, ttlMs = 30_000, now: () => number = Date.now): CheckProvider {
  let cached: { at: number; samples: ReturnType<typeof checkMetrics> } | undefined;
  return async () => {
    if (cached && now() - cached.at < ttlMs) return cached.samples;
    const samples: ReturnType<typeof checkMetrics> = [];
    for (const f of await features()) {
      try {
        const checks = await listChecks(await storeFor(f), f.table);
        const last = checks[checks.length - 1];
        if (last) samples.push(...checkMetrics([last]));
      } catch { /* store unreachable: that table's results are missing this time */ }
    }
    cached = { at: now(), samples };
    return samples;
  };
}
