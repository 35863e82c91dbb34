/**
 * OfflineTasks: one running task per table (a start or reservation while one runs is TaskBusy), progress and phase
 * reported by the work, outcomes (result or error with the diagnostic's code), and the newest-first listing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FreshetError, diag } from '../../src/common/diagnostics.js';
import { BatchErrors } from '../../src/batch/batch-error-codes.js';
import { OfflineTasks } from '../../src/batch/offline-tasks.js';

const busyCode = (f: () => unknown): string | undefined => {
  try { f(); return undefined; } catch (e) { return e instanceof FreshetError ? e.diagnostics[0]?.code : 'other'; }
};

test('one task per table; progress, result and error; reservations', async () => {
  let clock = 1000;
  const tasks = new OfflineTasks(2, () => clock++);
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const a = tasks.start('t1', 'backfill', 'ops', async (c) => {
    c.phase('reading');
    c.progress(5, 10);
    await gate;
    return { boundary: 42 };
  });
  assert.equal(a.state, 'running');
  assert.equal(busyCode(() => tasks.start('t1', 'check', 'ops', async () => 1)), BatchErrors.TaskBusy);
  assert.equal(busyCode(() => tasks.reserve('t1')), BatchErrors.TaskBusy);
  await new Promise((r) => setImmediate(r));
  assert.equal(tasks.get(a.id)!.phase, 'reading');
  assert.deepEqual(tasks.get(a.id)!.progress, { read: 5, total: 10 });
  // Another table is independent; its failure carries the diagnostic's code.
  const b = tasks.start('t2', 'check', 'ed', async () => { throw new FreshetError(diag(BatchErrors.NotClosed, 'not closed')); });
  await new Promise((r) => setImmediate(r));
  assert.equal(tasks.get(b.id)!.state, 'failed');
  assert.deepEqual(tasks.get(b.id)!.error, { code: BatchErrors.NotClosed, message: 'not closed' });
  const c = tasks.start('t2', 'check', 'ed', async () => { throw new Error('boom'); });
  await new Promise((r) => setImmediate(r));
  release();
  await tasks.idle(1);
  assert.equal(tasks.get(a.id)!.state, 'succeeded');
  assert.deepEqual(tasks.get(a.id)!.result, { boundary: 42 });
  assert.equal(tasks.get(c.id)!.error!.code, BatchErrors.TaskFailed);
  // Only the newest `keep` (2) finished tasks are kept: b, the oldest to finish, is gone.
  assert.equal(tasks.get(b.id), undefined);
  assert.deepEqual(tasks.list().map((t) => t.id), [c.id, a.id].sort((x, y) => tasks.get(y)!.startedAt - tasks.get(x)!.startedAt));
  // A reservation holds the table until started with it or released.
  const r = tasks.reserve('t1');
  assert.equal(busyCode(() => tasks.start('t1', 'check', 'x', async () => 1)), BatchErrors.TaskBusy);
  r.release();
  const d = tasks.start('t1', 'check', 'x', async () => 1);
  await tasks.idle(1);
  assert.equal(tasks.get(d.id)!.state, 'succeeded');
  const r2 = tasks.reserve('t3');
  const e = tasks.start('t3', 'correct', 'x', async () => 2, r2);
  await tasks.idle(1);
  assert.equal(tasks.get(e.id)!.result, 2);
});
