/**
 * Correction by policy: a check that alerts on a table whose policy says autoCorrect is followed by the correction of
 * its affected keys (audit trigger/reason 'policy', linked to the check id), after which serving equals the oracle;
 * the same check under an alert-only policy (or below the threshold) corrects nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listChecks, setCheckPolicy } from '../../src/batch/check.js';
import { listAudit } from '../../src/batch/correct.js';
import { readFusion } from '../../src/batch/fusion-record.js';
import { checkWithPolicy, correctionDue } from '../../src/batch/policy.js';
import { HOUR, MIN, oracle, withLossyFeature } from './offline-helpers.js';

test('a check above the threshold corrects the affected keys when the policy says autoCorrect', async () => {
  await withLossyFeature(3000, 30, 5, 7, async ({ events, lost, store, src, readers }) => {
    const last = events[events.length - 1]!.ts;
    // A recent time whose window lost events (the seed is fixed: the stream's watermark has closed its positions).
    const T = [...lost].map((id) => events[id]!.ts).filter((ts) => ts < last - 2 * MIN).pop()! + 1;
    const hit = new Set(events.filter((e) => lost.has(e.id) && e.ts > T - HOUR && e.ts <= T).map((e) => e.k));
    assert.ok(hit.size > 0);

    // Alert only: the check alerts, nothing is corrected.
    await setCheckPolicy(store, 'user_1h', { threshold: 0.01, autoCorrect: false });
    const a = await checkWithPolicy({ ...src, store, readers, at: T });
    assert.equal(a.check.alert, true);
    assert.deepEqual([...a.check.affected].sort(), [...hit].sort());
    assert.equal(a.correction, null);
    assert.equal(correctionDue(a.check, a.policy), false);
    assert.deepEqual(await listAudit(store, 'user_1h'), []);
    assert.equal(await readFusion(store, 'user_1h'), null);

    // Below the threshold: no correction even with autoCorrect.
    await setCheckPolicy(store, 'user_1h', { threshold: 0.99, autoCorrect: true });
    const b = await checkWithPolicy({ ...src, store, readers, at: T });
    assert.equal(b.check.alert, false);
    assert.equal(b.correction, null);
    assert.deepEqual(await listAudit(store, 'user_1h'), []);

    // autoCorrect and an alert: the correction follows, audited as the policy's, linked to the check.
    await setCheckPolicy(store, 'user_1h', { threshold: 0.01 });
    const c = await checkWithPolicy({ ...src, store, readers, at: T, by: 'scheduler' });
    assert.equal(c.check.alert, true);
    assert.equal(c.correctionError, null);
    assert.ok(c.correction !== null);
    const audit = await listAudit(store, 'user_1h');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.trigger, 'policy');
    assert.equal(audit[0]!.reason, 'policy');
    assert.equal(audit[0]!.by, 'scheduler');
    assert.equal(audit[0]!.checkId, c.check.id);
    assert.equal((await listChecks(store, 'user_1h')).at(-1)!.id, c.check.id, 'the check that triggered it is stored');
    assert.deepEqual(new Set(audit[0]!.changes.map((x) => x.key)), hit);
    assert.equal((await readFusion(store, 'user_1h'))!.reason, 'correction');
    // Served values now equal the oracle over every event for every key.
    const keys = [...new Set(events.map((e) => e.k))].sort();
    const served = await readers.served('user_1h', keys, T);
    for (const r of served.results) {
      const o = oracle(events, r.key, T, HOUR);
      assert.equal(Number(r.values['cnt'] ?? 0), o.cnt, `cnt of ${r.key}`);
      assert.equal(r.values['total'] ?? null, o.total, `total of ${r.key}`);
    }
    // A new check at T is clean: the policy does nothing more.
    const d = await checkWithPolicy({ ...src, store, readers, at: T });
    assert.equal(d.check.affected.length, 0);
    assert.equal(d.correction, null);
    assert.equal((await listAudit(store, 'user_1h')).length, 1);
  });
});
