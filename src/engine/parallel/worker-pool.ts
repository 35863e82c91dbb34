/**
 * Starts the parallel workers and exchanges request/reply messages with them (one outstanding request per worker;
 * a worker answers requests in order). Works both from compiled JavaScript (`dist/`) and from TypeScript run under
 * tsx: Node 20 does not apply the parent's module loader hooks to worker threads, so when this module is a `.ts`
 * file the worker first registers tsx's loader and then imports `worker.ts`.
 */
import { Worker } from 'node:worker_threads';
import { FreshetError, diag, type Diagnostic } from '../../common/diagnostics.js';
import type { Reply, Request, WorkerInit } from './messages.js';

function workerSource(): { code: string | URL; eval: boolean } {
  const fromTs = import.meta.url.endsWith('.ts');
  const entry = new URL(fromTs ? './worker.ts' : './worker.js', import.meta.url);
  if (!fromTs) return { code: entry, eval: false };
  let api = 'tsx/esm/api';
  try { api = import.meta.resolve('tsx/esm/api'); } catch { /* fall back to resolving from the working directory */ }
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return { code, eval: true };
}

interface Pending { resolve(r: Reply): void; reject(e: Error): void }

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending: (Pending | undefined)[] = [];
  private closed = false;
  /** Set when a worker died or failed: later requests fail at once instead of waiting for a reply that cannot come. */
  private failure: Error | undefined;

  private constructor(readonly size: number) {}

  /** Starts `size` workers and waits until each has built its operators. */
  static async start(size: number, init: (index: number) => WorkerInit): Promise<WorkerPool> {
    const pool = new WorkerPool(size);
    const src = workerSource();
    const ready: Promise<Reply>[] = [];
    for (let i = 0; i < size; i++) {
      const w = new Worker(src.code, { eval: src.eval, workerData: init(i) });
      pool.workers.push(w);
      ready.push(pool.expect(i));
      w.on('message', (m: Reply) => pool.settle(i, m));
      w.on('error', (e) => pool.fail(i, e));
      w.on('exit', (code) => { if (!pool.closed) pool.fail(i, new Error(`parallel worker ${i} exited with code ${code}`)); });
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  private expect(i: number): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => { this.pending[i] = { resolve, reject }; });
  }

  private settle(i: number, m: Reply): void {
    const p = this.pending[i];
    this.pending[i] = undefined;
    if (!p) return;
    if (m.t === 'error') {
      p.reject(m.diagnostics ? new FreshetError(m.diagnostics as Diagnostic[])
        : new FreshetError(diag('RUN520', `parallel worker ${i} failed: ${m.message}`), 'internal'));
    } else {
      p.resolve(m);
    }
  }

  private fail(i: number, e: Error): void {
    const p = this.pending[i];
    this.pending[i] = undefined;
    this.failure ??= new FreshetError(diag('RUN520', `parallel worker ${i} failed: ${e.stack ?? e.message}`), 'internal');
    p?.reject(this.failure);
  }

  /** Sends a request to worker `i` and resolves with its reply. */
  request(i: number, req: Request): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending[i]) throw new Error(`internal: worker ${i} already has a request in flight`);
    const r = this.expect(i);
    this.workers[i]!.postMessage(req);
    return r;
  }

  /** Sends the same kind of request to every worker (in parallel) and returns the replies in worker order. */
  all(req: (i: number) => Request): Promise<Reply[]> {
    return Promise.all(this.workers.map((_, i) => this.request(i, req(i))));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
