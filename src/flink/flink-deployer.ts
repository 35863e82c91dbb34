/**
 * Deploys Freshet job specs to a Flink session cluster through its REST API: uploads the template jar once (reused
 * while unchanged), runs it with a spec, tracks the job, takes savepoints, stops with a savepoint, resumes from one,
 * and cancels. Every wait is bounded by a timeout and fails with a FreshetError that carries Flink's reason.
 */
import { FreshetError, diag, type Span } from '../common/diagnostics.js';
import { FlinkErrors } from './flink-error-codes.js';
import { FlinkRestClient, TERMINAL_STATES, firstLines, type FlinkJobState, type JobDetails, type JobOverview } from './flink-rest-client.js';
import { jobSpecProgramArgs, type JobSpec } from './job-spec.js';
import { TEMPLATE_ENTRY_CLASS, loadTemplateJar, type TemplateJar } from './template-jar.js';

export interface FlinkDeployerOptions {
  /** REST address (default: defaultFlinkUrl()). */
  url?: string;
  /** Template jar path (default: defaultTemplateJarPath()). */
  jarPath?: string;
  /** Poll interval of the waits (default 250 ms). */
  pollMs?: number;
}

export interface DeployOptions {
  /** Resume from this savepoint (or retained checkpoint) path. */
  savepointPath?: string;
  /** Allow savepoint state that maps to no operator of the new job (a changed script). */
  allowNonRestoredState?: boolean;
  parallelism?: number;
  /**
   * Where each spec statement came from in the script (buildJobSpec's `spans`): a statement Flink rejects is then
   * reported at its line.
   */
  statementSpans?: readonly (Span | undefined)[];
}

/** Per-operator counters of a job (from Flink's job details). */
export interface JobMetrics {
  state: FlinkJobState;
  vertices: { name: string; status: string; parallelism: number; readRecords: number; writeRecords: number }[];
  checkpoints: { completed: number; failed: number; inProgress: number; latestPath?: string; restoredFrom?: string };
}

export class FlinkDeployer {
  readonly rest: FlinkRestClient;
  private readonly pollMs: number;
  private jar?: TemplateJar;
  private jarId?: string;

  constructor(private readonly opts: FlinkDeployerOptions = {}) {
    this.rest = new FlinkRestClient(opts.url);
    this.pollMs = opts.pollMs ?? 250;
  }

  /** The template jar's id on the cluster: an already uploaded copy with the same content hash, else a new upload. */
  async ensureJar(): Promise<string> {
    if (this.jarId) return this.jarId;
    this.jar ??= loadTemplateJar(this.opts.jarPath);
    const jars = await this.rest.listJars();
    const existing = jars.find((j) => j.name === this.jar!.uploadName);
    this.jarId = existing ? existing.id : await this.rest.uploadJar(this.jar.uploadName, this.jar.bytes);
    // Older builds of the template are of no further use (a session cluster keeps a submitted job's classes in its
    // blob store, not in the uploaded jar), so they are removed; a failed delete only leaves a stale file.
    for (const j of jars) {
      if (j.id !== this.jarId && /^freshet-flink-template-[0-9a-f]{12}\.jar$/.test(j.name)) await this.rest.deleteJar(j.id).catch(() => undefined);
    }
    return this.jarId;
  }

  /** Submits the spec as a job; returns the job id once Flink accepted it (the job may still be initializing). */
  async deploy(spec: JobSpec, o: DeployOptions = {}): Promise<string> {
    const jarId = await this.ensureJar();
    try {
      return await this.runJar(jarId, spec, o);
    } catch (e) {
      throw o.statementSpans ? locateStatementError(e, o.statementSpans) : e;
    }
  }

  private runJar(jarId: string, spec: JobSpec, o: DeployOptions): Promise<string> {
    return this.rest.runJar(jarId, {
      entryClass: TEMPLATE_ENTRY_CLASS,
      programArgsList: jobSpecProgramArgs(spec),
      ...(o.parallelism ? { parallelism: o.parallelism } : {}),
      ...(o.savepointPath ? { savepointPath: o.savepointPath, claimMode: 'NO_CLAIM' as const } : {}),
      ...(o.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
    });
  }

  jobs(): Promise<JobOverview[]> { return this.rest.jobs(); }
  job(id: string): Promise<JobDetails> { return this.rest.job(id); }

  async metrics(id: string): Promise<JobMetrics> {
    const [d, c] = await Promise.all([this.rest.job(id), this.rest.checkpoints(id).catch(() => undefined)]);
    const completed = c?.latest?.completed?.external_path;
    const restored = c?.latest?.restored?.external_path;
    return {
      state: d.state,
      vertices: d.vertices.map((v) => ({
        name: v.name, status: v.status, parallelism: v.parallelism,
        readRecords: v.metrics?.['read-records'] ?? 0, writeRecords: v.metrics?.['write-records'] ?? 0,
      })),
      checkpoints: {
        completed: c?.counts.completed ?? 0, failed: c?.counts.failed ?? 0, inProgress: c?.counts.in_progress ?? 0,
        ...(completed ? { latestPath: completed } : {}), ...(restored ? { restoredFrom: restored } : {}),
      },
    };
  }

  /**
   * Waits until the job is in one of `states`. Reaching another terminal state (FAILED, say) or the timeout is a
   * FLINK753 error that quotes the job's newest exception.
   */
  async waitForState(id: string, states: readonly FlinkJobState[], timeoutMs = 120_000): Promise<FlinkJobState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let state: FlinkJobState | undefined;
      try {
        state = (await this.rest.job(id)).state;
      } catch (e) {
        // Right after submission the job may not be listed yet.
        if (!(e instanceof FreshetError && e.message.includes('HTTP 404'))) throw e;
      }
      if (state !== undefined && states.includes(state)) return state;
      if (state !== undefined && TERMINAL_STATES.has(state)) {
        throw new FreshetError(diag(FlinkErrors.JobFailed, `Flink job ${id} ended ${state} while waiting for ${states.join('/')}${await this.reason(id)}`), 'external');
      }
      if (Date.now() > deadline) {
        throw new FreshetError(diag(FlinkErrors.JobFailed, `Flink job ${id} is ${state ?? 'not listed'} after ${timeoutMs} ms (waiting for ${states.join('/')})${await this.reason(id)}`), 'external');
      }
      await sleep(this.pollMs);
    }
  }

  /** Waits until every operator of a RUNNING job is running (sources assigned, so a savepoint can be taken). */
  async waitUntilRunning(id: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.waitForState(id, ['RUNNING'], timeoutMs);
    for (;;) {
      const d = await this.rest.job(id);
      if (d.state === 'RUNNING' && d.vertices.every((v) => v.status === 'RUNNING')) return;
      if (d.state !== 'RUNNING') await this.waitForState(id, ['RUNNING'], Math.max(1, deadline - Date.now()));
      if (Date.now() > deadline) {
        throw new FreshetError(diag(FlinkErrors.JobFailed, `Flink job ${id}: operators not all running after ${timeoutMs} ms`), 'external');
      }
      await sleep(this.pollMs);
    }
  }

  /** Takes a savepoint of a running job; returns its path. */
  async savepoint(id: string, targetDirectory?: string, timeoutMs = 120_000): Promise<string> {
    const trigger = await this.rest.triggerSavepoint(id, targetDirectory);
    return this.awaitSavepoint(id, trigger, timeoutMs);
  }

  /** Stops the job with a savepoint (the job ends FINISHED); returns the savepoint path. */
  async stopWithSavepoint(id: string, o: { targetDirectory?: string; drain?: boolean; timeoutMs?: number } = {}): Promise<string> {
    const trigger = await this.rest.stopWithSavepoint(id, o.targetDirectory, o.drain ?? false);
    const path = await this.awaitSavepoint(id, trigger, o.timeoutMs ?? 120_000);
    await this.waitForState(id, ['FINISHED', 'CANCELED'], o.timeoutMs ?? 120_000);
    return path;
  }

  /** Cancels the job (no savepoint) and waits until it is CANCELED. */
  async cancel(id: string, timeoutMs = 60_000): Promise<void> {
    await this.rest.cancel(id);
    await this.waitForState(id, ['CANCELED'], timeoutMs);
  }

  private async awaitSavepoint(id: string, trigger: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.rest.savepointStatus(id, trigger);
      if (s.status.id === 'COMPLETED') {
        const loc = s.operation?.location;
        if (loc) return loc;
        const cause = s.operation?.['failure-cause']?.['stack-trace'] ?? 'no reason given';
        throw new FreshetError(diag(FlinkErrors.SavepointFailed, `savepoint of Flink job ${id} failed: ${firstLines(cause, 8)}`), 'external');
      }
      if (Date.now() > deadline) {
        throw new FreshetError(diag(FlinkErrors.SavepointFailed, `savepoint of Flink job ${id} not complete after ${timeoutMs} ms`), 'external');
      }
      await sleep(this.pollMs);
    }
  }

  /** The newest exception of the job as a message suffix ('' when there is none or it cannot be read). */
  private async reason(id: string): Promise<string> {
    try {
      const e = (await this.rest.exceptions(id))[0];
      return e ? `: ${rootCause(e.stacktrace)}` : '';
    } catch {
      return '';
    }
  }
}

/**
 * The template reports a statement Flink rejects as "statement <index> failed: <Flink's message>"; this turns such an
 * error into a diagnostic at the statement's place in the script. Other errors pass through unchanged.
 */
export function locateStatementError(e: unknown, spans: readonly (Span | undefined)[]): unknown {
  if (!(e instanceof FreshetError)) return e;
  const m = /statement (\d+) failed: ([^]*)/.exec(e.diagnostics[0]?.message ?? '');
  if (!m) return e;
  const span = spans[Number(m[1])];
  return new FreshetError(diag(FlinkErrors.RestError, `Flink rejected the statement: ${m[2]!.trim()}`, span), e.origin);
}

/** The innermost `Caused by:` line of a Java stack trace (the first line when there is none). */
export function rootCause(stacktrace: string): string {
  const lines = stacktrace.split('\n');
  const causes = lines.filter((l) => l.startsWith('Caused by: '));
  return (causes.length ? causes[causes.length - 1]!.slice('Caused by: '.length) : lines[0] ?? '').trim();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
