/**
 * A job's history as the platform API records it: versions saved (and whether the state was kept), runs started,
 * stopped and restarted (by users, or by the supervisor after a failure), and the checkpoint each run restored from. One JSON line per event in
 * `<platform>/history/<job>.jsonl`, appended (a crash loses at most the line being written; unreadable lines are
 * skipped). Versions themselves live in the job store; this adds what happened between them.
 */
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * created / version / upgrade: saves (upgrade = the state was kept); start / stop / restart: by a user;
 * failed / auto-restart: the supervisor gave up on, or restarts, a failing run; failover: another instance's job
 * taken over (high availability).
 */
export type JobHistoryKind = 'created' | 'version' | 'start' | 'stop' | 'restart' | 'upgrade' | 'fresh-start' | 'failed' | 'auto-restart' | 'failover';

export interface JobHistoryEvent {
  /** ISO instant. */
  at: string;
  kind: JobHistoryKind;
  /** The job version the event concerns. */
  version: number;
  /** The checkpoint file the run resumed from. */
  restoredFrom?: string;
  note?: string;
}

const MAX_EVENTS = 500;

export class JobHistory {
  constructor(readonly dir: string, private readonly now: () => number = Date.now) {}

  private file(name: string): string { return path.join(this.dir, `${name}.jsonl`); }

  async record(name: string, e: Omit<JobHistoryEvent, 'at'>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const ev: JobHistoryEvent = { at: new Date(this.now()).toISOString(), ...e };
    await appendFile(this.file(name), JSON.stringify(ev) + '\n');
  }

  /** Events oldest first (at most the newest MAX_EVENTS). */
  async events(name: string): Promise<JobHistoryEvent[]> {
    let text: string;
    try { text = await readFile(this.file(name), 'utf8'); } catch { return []; }
    const out: JobHistoryEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try { out.push(JSON.parse(line) as JobHistoryEvent); } catch { /* a torn last line */ }
    }
    return out.slice(-MAX_EVENTS);
  }

  async delete(name: string): Promise<void> {
    await rm(this.file(name), { force: true });
  }
}
