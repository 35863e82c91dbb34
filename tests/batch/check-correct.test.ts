/**
 * Checking and correction: 1% of the messages are lost between the source and the engine. A check at T recomputes
 * the feature from the offline twin and reports exactly the keys whose windows lost events; a correction moves the
 * fusion boundary past T, after which served values equal the brute-force oracle for every key, and the audit lists
 * each corrected key with its old and new values. The running job's records are not written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCheck, lastCheck, listChecks, checkMetrics, setCheckPolicy } from '../../src/batch/check.js';
import { correct, listAudit } from '../../src/batch/correct.js';
import { readFeatures } from '../../src/serving/read-features.js';
import { HOUR, MIN, oracle, withLossyFeature } from './offline-helpers.js';

test('a check finds the keys hit by 1% message loss; a correction makes serving equal the oracle, with an audit', async () => {
  await withLossyFeature(6000, 40, 11, 99, async ({ events, lost, store, src, readers }) => {
    assert.ok(lost.size > 20, `some messages are lost (${lost.size})`);
    const last = events[events.length - 1]!.ts;
    const T = last - 10 * MIN + 321;
    await setCheckPolicy(store, 'user_1h', { threshold: 0.05 });
    const check = await runCheck({ ...src, store, readers, at: T });
    const hit = new Set(events.filter((e) => lost.has(e.id) && e.ts > T - HOUR && e.ts <= T).map((e) => e.k));
    assert.ok(hit.size > 0);
    assert.deepEqual([...check.affected].sort(), [...hit].sort(), 'the check reports exactly the keys that lost events in the window');
    assert.equal(check.missing + check.extra, 0);
    assert.equal(check.mismatches, hit.size);
    const keysInWindow = new Set(events.filter((e) => e.ts > T - HOUR && e.ts <= T).map((e) => e.k));
    assert.equal(check.offlineFound, keysInWindow.size);
    assert.ok(Math.abs(check.mismatchRate - hit.size / keysInWindow.size) < 1e-12);
    assert.equal(check.alert, check.mismatchRate > 0.05);
    assert.ok(check.columns.find((c) => c.name === 'cnt')!.relError.max > 0);
    assert.ok(check.worstKeys.length > 0 && hit.has(check.worstKeys[0]!.key));
    assert.equal((await lastCheck(store, 'user_1h'))!.mismatchRate, check.mismatchRate);
    assert.equal((await listChecks(store, 'user_1h')).length, 1);
    assert.ok(checkMetrics([check]).some((m) => m.name === 'freshet_feature_check_mismatch_rate' && m.value === check.mismatchRate));

    const beforeTiles = await store.readTiles('user_1h', [{ key: 'k0', granularityMs: MIN, from: 0, to: Number.MAX_SAFE_INTEGER }]);
    const r = await correct({ ...src, store, readers, check, reason: 'test: 1% loss' });
    const keys = [...new Set(events.map((e) => e.k))].sort();
    for (const t of [T, T - 17 * MIN, r.audit.boundaryAfter - 1]) {
      const a = await readers.served('user_1h', keys, t);
      for (const res of a.results) {
        const o = oracle(events, res.key, t, HOUR);
        assert.equal(Number(res.values['cnt']), o.cnt, `count of ${res.key} at ${t} after correction`);
        assert.equal(res.values['total'], o.total);
      }
    }
    const audit = await listAudit(store, 'user_1h');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.checkId, check.id);
    assert.deepEqual([...new Set(audit[0]!.changes.map((c) => c.key))].sort(), [...hit].sort());
    for (const c of audit[0]!.changes.filter((x) => x.column === 'cnt')) {
      assert.equal(c.new, oracle(events, c.key, T, HOUR).cnt);
      assert.ok(Number(c.old) < Number(c.new));
    }
    // The job's own records are untouched (it keeps writing them exactly once); only the read view moved.
    const afterTiles = await store.readTiles('user_1h', [{ key: 'k0', granularityMs: MIN, from: 0, to: Number.MAX_SAFE_INTEGER }]);
    assert.deepEqual([...afterTiles[0]!], [...beforeTiles[0]!]);
    // A check after the correction is clean.
    const again = await runCheck({ ...src, store, readers, at: T });
    assert.equal(again.mismatches + again.missing + again.extra, 0);
    // The raw stream alone still differs (nothing was written into it).
    const raw = await readFeatures(store, 'user_1h', [...hit], T);
    assert.ok(raw.results.some((x) => Number(x.values['cnt']) < oracle(events, x.key, T, HOUR).cnt));
  });
});
