/**
 * The platform's view of an Apache Flink session cluster (configured with `freshet start --flink <url>` or
 * FRESHET_FLINK_URL): its jobs as the jobs page lists them (id, name, state, times, record counts, checkpoints) and
 * one job in detail (per-operator counters, restore, newest exception), read through Flink's REST API; stop with a
 * savepoint and cancel go through the FlinkDeployer, like `freshet flink stop|cancel`.
 *
 * Cost: listing asks Flink for each listed job's details and checkpoint statistics (two requests per job, a few at a
 * time). A job in a terminal state never changes again, so its summary is cached (bounded), and only live jobs are
 * asked again on the next listing. An unreachable cluster is a FLINK750 FreshetError (the routes answer 503 naming the
 * address); requests are bounded by a short timeout so a hung cluster cannot hang the page.
 */
import { FreshetError } from '../../common/diagnostics.js';
import { FlinkDeployer, rootCause } from '../../flink/flink-deployer.js';
import { FlinkRestClient, TERMINAL_STATES, type CheckpointStats, type FlinkJobState, type JobDetails, type JobOverview } from '../../flink/flink-rest-client.js';

export interface FlinkJobsOptions {
  /** Flink's REST address (the JobManager's web endpoint). */
  url: string;
  /** Address of Flink's web UI as browsers reach it (default: `url`, where the JobManager serves both). */
  webUrl?: string;
  /** Per-request time limit (ms, default 5000). */
  timeoutMs?: number;
  /** Summaries of finished jobs kept in memory (default 1000). */
  cacheSize?: number;
}

export interface FlinkCheckpointSummary {
  completed: number;
  failed: number;
  inProgress: number;
  /** When the newest completed checkpoint was acknowledged (epoch ms); null when none completed. */
  lastAt: number | null;
  /** Where the newest completed checkpoint is; absent when none completed. */
  lastPath?: string;
}

export interface FlinkJobSummary {
  id: string;
  name: string;
  state: FlinkJobState;
  /** Epoch ms. */
  startTime: number;
  /** Epoch ms; null while the job has not ended. */
  endTime: number | null;
  durationMs: number;
  /** Records the job's source tasks read (Flink's read-records of the vertices without inputs). */
  recordsIn: number;
  /** Records the job's tasks sent to other tasks (Flink's write-records; what sinks write elsewhere is not counted). */
  recordsOut: number;
  checkpoints: FlinkCheckpointSummary;
  /** The job's page in Flink's web UI. */
  webUrl: string;
}

export interface FlinkVertexSummary { id: string; name: string; status: string; parallelism: number; readRecords: number; writeRecords: number }

export interface FlinkJobDetail extends FlinkJobSummary {
  vertices: FlinkVertexSummary[];
  /** The savepoint or checkpoint the job was restored from. */
  restoredFrom?: string;
  /** Root cause of the job's newest exception. */
  exception?: string;
}

/** A job's plan as Flink's job details carry it: the vertices with their inputs (sources have none). */
interface Plan { nodes?: { id: string; inputs?: { id: string }[] }[] }

/** Runs `fn` over `items` with at most `n` calls in flight; results in input order. */
async function mapLimited<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** True when the FreshetError is Flink's 404 (an unknown job id). */
export function isFlinkNotFound(e: unknown): boolean {
  return e instanceof FreshetError && /\(HTTP 404\)/.test(e.diagnostics[0]?.message ?? '');
}

export class FlinkJobs {
  readonly url: string;
  readonly webUrl: string;
  readonly rest: FlinkRestClient;
  private readonly deployer: FlinkDeployer;
  private readonly cacheSize: number;
  /** Summaries of jobs in a terminal state (immutable); insertion order = age, for eviction. */
  private readonly finished = new Map<string, FlinkJobSummary>();

  constructor(o: FlinkJobsOptions) {
    this.rest = new FlinkRestClient(o.url, o.timeoutMs ?? 5000);
    this.url = this.rest.url;
    this.webUrl = (o.webUrl ?? o.url).replace(/\/+$/, '');
    this.deployer = new FlinkDeployer({ url: this.url });
    this.cacheSize = o.cacheSize ?? 1000;
  }

  /** The cluster's jobs, newest first, at most `limit` of them. */
  async list(limit = 100): Promise<FlinkJobSummary[]> {
    const jobs = (await this.rest.jobs()).sort((a, b) => b['start-time'] - a['start-time']).slice(0, limit);
    return mapLimited(jobs, 4, async (j) => this.finished.get(j.jid) ?? this.summaryOf(j));
  }

  /** One job in detail; a 404 FreshetError (see isFlinkNotFound) when the cluster does not know it. */
  async get(id: string): Promise<FlinkJobDetail> {
    const [d, c] = await Promise.all([this.rest.job(id), this.rest.checkpoints(id).catch(() => undefined)]);
    const exception = d.state === 'RUNNING' || d.state === 'FINISHED' ? undefined
      : await this.rest.exceptions(id).then((es) => (es[0] ? rootCause(es[0].stacktrace) : undefined), () => undefined);
    const restored = c?.latest?.restored?.external_path;
    return {
      ...this.summarize(d, c),
      vertices: d.vertices.map((v) => ({
        id: v.id, name: v.name, status: v.status, parallelism: v.parallelism,
        readRecords: v.metrics?.['read-records'] ?? 0, writeRecords: v.metrics?.['write-records'] ?? 0,
      })),
      ...(restored ? { restoredFrom: restored } : {}),
      ...(exception ? { exception } : {}),
    };
  }

  /** Stops the job with a savepoint (FlinkDeployer.stopWithSavepoint); returns the savepoint's path. */
  stopWithSavepoint(id: string, o: { targetDirectory?: string; drain?: boolean } = {}): Promise<string> {
    return this.deployer.stopWithSavepoint(id, o);
  }

  /** Cancels the job (no savepoint) and waits until it is CANCELED. */
  cancel(id: string): Promise<void> { return this.deployer.cancel(id); }

  /** The job's page in Flink's web UI (its routes differ for running and ended jobs). */
  jobWebUrl(id: string, state: FlinkJobState): string {
    return `${this.webUrl}/#/job/${TERMINAL_STATES.has(state) ? 'completed' : 'running'}/${id}/overview`;
  }

  private async summaryOf(j: JobOverview): Promise<FlinkJobSummary> {
    let d: JobDetails;
    let c: CheckpointStats | undefined;
    try {
      [d, c] = await Promise.all([this.rest.job(j.jid), this.rest.checkpoints(j.jid).catch(() => undefined)]);
    } catch (e) {
      // The job went away between the overview and its details (expired from the cluster's job store).
      if (!isFlinkNotFound(e)) throw e;
      return this.summarize({ ...j, vertices: [] }, undefined);
    }
    const s = this.summarize(d, c);
    if (TERMINAL_STATES.has(s.state)) {
      this.finished.set(s.id, s);
      if (this.finished.size > this.cacheSize) this.finished.delete(this.finished.keys().next().value!);
    }
    return s;
  }

  private summarize(d: JobDetails & { plan?: Plan }, c: CheckpointStats | undefined): FlinkJobSummary {
    const nodes = d.plan?.nodes;
    const sources = nodes ? new Set(nodes.filter((n) => !n.inputs || n.inputs.length === 0).map((n) => n.id)) : undefined;
    let recordsIn = 0, recordsOut = 0;
    for (const v of d.vertices) {
      if (sources === undefined || sources.has(v.id)) recordsIn += v.metrics?.['read-records'] ?? 0;
      recordsOut += v.metrics?.['write-records'] ?? 0;
    }
    const last = c?.latest?.completed ?? undefined;
    return {
      id: d.jid, name: d.name, state: d.state, startTime: d['start-time'],
      endTime: d['end-time'] > 0 ? d['end-time'] : null, durationMs: d.duration,
      recordsIn, recordsOut,
      checkpoints: {
        completed: c?.counts.completed ?? 0, failed: c?.counts.failed ?? 0, inProgress: c?.counts.in_progress ?? 0,
        lastAt: last?.latest_ack_timestamp ?? null, ...(last?.external_path ? { lastPath: last.external_path } : {}),
      },
      webUrl: this.jobWebUrl(d.jid, d.state),
    };
  }
}
