/**
 * Background offline work (backfill, check, correction) of feature tables, as the platform runs it: one task per
 * table at a time (a second start while one runs is refused, the caller answers 409), each with progress (offline
 * events read / total of the current phase) and its outcome. Tasks live in memory; the outcomes that matter (check
 * results, fusion records, audits) are kept in the store by the work itself. The newest `keep` finished tasks stay
 * listable.
 *
 * Invariant: at most one running task per table — a backfill and a correction of the same table would both rebuild
 * the offline layer with a new generation, and a check during a rebuild would compare against a moving boundary.
 */
import type { Diagnostic } from '../common/diagnostics.js';
import { FreshetError, diag } from '../common/diagnostics.js';
import { BatchErrors } from './batch-error-codes.js';

export type OfflineTaskKind = 'backfill' | 'check' | 'correct';
export type OfflineTaskState = 'running' | 'succeeded' | 'failed';

export interface OfflineTask {
  id: string;
  table: string;
  kind: OfflineTaskKind;
  state: OfflineTaskState;
  /** Who started it (token name or role). */
  by: string;
  startedAt: number;
  finishedAt: number | null;
  /** What it is doing now: 'reading offline data', 'comparing', 'correcting', ... */
  phase: string;
  progress: { read: number; total: number };
  /** The outcome document (a check result, a fusion record, an audit record; see the routes). */
  result: unknown;
  error: { code: string; message: string; hint?: string } | null;
}

/** What a task's work gets: progress reporting and its phase. */
export interface TaskControl {
  progress(read: number, total: number): void;
  phase(text: string): void;
}


/** A table held for a task about to start (OfflineTasks.reserve). */
export interface Reservation { token: string; release(): void }

export class OfflineTasks {
  private readonly tasks = new Map<string, OfflineTask>();
  /** Table → id of its running task, or a reservation token. */
  private readonly running = new Map<string, string>();
  private seq = 0;

  constructor(private readonly keep = 100, private readonly now: () => number = Date.now) {}

  /**
   * Starts `work` for `table` in the background and returns the task at once. Throws a FreshetError (BatchErrors.TaskBusy)
   * when the table has a running task.
   */
  start(table: string, kind: OfflineTaskKind, by: string, work: (c: TaskControl) => Promise<unknown>, reservation?: Reservation): OfflineTask {
    if (reservation === undefined || this.running.get(table) !== reservation.token) this.assertIdle(table);
    const task: OfflineTask = {
      id: `${table}-${kind}-${this.now().toString(36)}-${++this.seq}`, table, kind, state: 'running', by, startedAt: this.now(), finishedAt: null,
      phase: 'starting', progress: { read: 0, total: 0 }, result: null, error: null,
    };
    this.tasks.set(task.id, task);
    this.running.set(table, task.id);
    const control: TaskControl = {
      progress: (read, total) => { task.progress = { read, total }; },
      phase: (text) => { task.phase = text; task.progress = { read: 0, total: 0 }; },
    };
    void (async () => {
      try {
        task.result = await work(control);
        task.state = 'succeeded';
        task.phase = 'done';
      } catch (e) {
        task.state = 'failed';
        task.phase = 'failed';
        task.error = errorOf(e);
      } finally {
        task.finishedAt = this.now();
        this.running.delete(table);
        this.prune();
      }
    })();
    return task;
  }

  /** Throws a FreshetError (BatchErrors.TaskBusy) when `table` has a running (or reserved) task. */
  assertIdle(table: string): void {
    const busy = this.running.get(table);
    if (busy === undefined) return;
    const t = this.tasks.get(busy);
    throw new FreshetError(diag(BatchErrors.TaskBusy, `feature table '${table}' has a running ${t?.kind ?? 'task'}${t ? ` (task ${t.id})` : ''}`, undefined,
      t ? `wait for it: GET /api/offline/tasks/${t.id}` : 'wait for it to finish'));
  }

  /**
   * Holds the table for a task about to start (its inputs are being resolved): other starts are refused meanwhile.
   * Pass the reservation to start(), or release() it when the task will not start.
   */
  reserve(table: string): Reservation {
    this.assertIdle(table);
    const token = `reserved-${++this.seq}`;
    this.running.set(table, token);
    return { token, release: () => { if (this.running.get(table) === token) this.running.delete(table); } };
  }

  get(id: string): OfflineTask | undefined { return this.tasks.get(id); }

  /** Tasks of a table (or all), newest first. */
  list(table?: string): OfflineTask[] {
    return [...this.tasks.values()].filter((t) => table === undefined || t.table === table).sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
  }

  /** The running task of a table, if any. */
  runningFor(table: string): OfflineTask | undefined {
    const id = this.running.get(table);
    return id === undefined ? undefined : this.tasks.get(id);
  }

  /** Resolves when no task runs (tests, shutdown). */
  async idle(pollMs = 20): Promise<void> {
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, pollMs));
  }

  private prune(): void {
    const done = [...this.tasks.values()].filter((t) => t.state !== 'running').sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
    for (let i = 0; i < done.length - this.keep; i++) this.tasks.delete(done[i]!.id);
  }
}

function errorOf(e: unknown): OfflineTask['error'] {
  if (e instanceof FreshetError && e.diagnostics[0] !== undefined) {
    const d: Diagnostic = e.diagnostics[0];
    return { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) };
  }
  return { code: BatchErrors.TaskFailed, message: e instanceof Error ? e.message : String(e) };
}
