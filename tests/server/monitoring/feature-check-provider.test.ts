// The feature-check provider reads the newest offline check of each published table from its online store (as
// src/batch/check.ts keeps it) and exports it as `freshet_check_value` samples; results are cached for the TTL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appendMeta, META_CHECKS } from '../../../src/batch/fusion-record.js';
import type { CheckResult } from '../../../src/batch/check.js';
import { EmbeddedKvStore } from '../../../src/connectors/stores/embedded-kv-store.js';
import type { FeatureTable } from '../../../src/server/platform/feature-tables.js';
import { featureCheckProvider } from '../../../src/server/monitoring/feature-check-provider.js';
import { MonitoringCollector } from '../../../src/server/monitoring/collector.js';

const result = (table: string, mismatchRate: number, checkedAt: number): CheckResult => ({
  id: `c-${checkedAt}`, table, at: checkedAt - 1000, checkedAt, durationMs: 5, keys: 100, offlineFound: 100, onlineFound: 100,
  mismatches: Math.round(mismatchRate * 100), missing: 0, extra: 0, mismatchRate, missingRate: 0, extraRate: 0, threshold: 0.05,
  alert: mismatchRate > 0.05, columns: [{ name: 'total', compared: 100, mismatches: 3, mismatchRate: 0.03, relError: { p50: 0, p90: 0.01, p99: 0.2, max: 0.3, mean: 0.01 } }],
  worstKeys: [], affected: [], incomplete: [], offlineEvents: 500,
});

test('the newest check of each published table becomes freshet_check_value samples, cached for the TTL', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-checks-'));
  const store = new EmbeddedKvStore({ path: path.join(dir, 'kv') });
  await store.open();
  try {
    await appendMeta(store, 'user_spend', META_CHECKS, result('user_spend', 0.02, 1000), 50);
    await appendMeta(store, 'user_spend', META_CHECKS, result('user_spend', 0.08, 2000), 50);
    const tables = [{ table: 'user_spend' }, { table: 'never_checked' }] as FeatureTable[];
    const clock = { t: 0 };
    const provider = featureCheckProvider(async () => tables, async () => store, 30_000, () => clock.t);
    const collector = new MonitoringCollector({ runMeters: () => [] }, () => clock.t);
    collector.addCheckProvider(provider);
    const value = async (check: string, extra: Record<string, string> = {}): Promise<number | undefined> =>
      (await collector.collect()).find((s) => s.name === 'freshet_check_value' && s.labels['check'] === check && s.labels['table'] === 'user_spend' && Object.entries(extra).every(([k, v]) => s.labels[k] === v))?.value;
    assert.equal(await value('mismatch_rate'), 0.08, 'the newest check');
    assert.equal(await value('threshold'), 0.05);
    assert.equal(await value('alert'), 1);
    assert.equal(await value('rel_error_p99', { column: 'total' }), 0.2);
    // Cached: a newer check shows only after the TTL.
    await appendMeta(store, 'user_spend', META_CHECKS, result('user_spend', 0.01, 3000), 50);
    clock.t = 10_000;
    assert.equal(await value('mismatch_rate'), 0.08);
    clock.t = 31_000;
    assert.equal(await value('mismatch_rate'), 0.01);
    const text = await collector.registry.metrics();
    assert.match(text, /freshet_check_value\{check="mismatch_rate",column="",table="user_spend"\} 0.01/);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
