/**
 * A thin typed client of Apache Flink's REST API (the JobManager's web endpoint) over the global fetch: jar upload and
 * run, job listing and details, savepoints, stop and cancel. Only the fields Freshet reads are typed. Failures are
 * FreshetErrors: FLINK750 when nothing answers, FLINK752 with Flink's own error text otherwise.
 */
import { FreshetError, diag } from '../common/diagnostics.js';
import { FlinkErrors } from './flink-error-codes.js';

/** The REST address: FRESHET_FLINK_URL, else http://127.0.0.1:${FRESHET_FLINK_PORT:-18081} (scripts/flink.sh). */
export function defaultFlinkUrl(): string {
  return process.env['FRESHET_FLINK_URL'] ?? `http://127.0.0.1:${process.env['FRESHET_FLINK_PORT'] ?? '18081'}`;
}

/** Flink's job states (JobStatus). */
export type FlinkJobState =
  | 'INITIALIZING' | 'CREATED' | 'RUNNING' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED' | 'FINISHED'
  | 'RESTARTING' | 'SUSPENDED' | 'RECONCILING';

/** States a job never leaves (SUSPENDED is terminal for the JobManager that had it, too). */
export const TERMINAL_STATES: ReadonlySet<FlinkJobState> = new Set(['FAILED', 'CANCELED', 'FINISHED', 'SUSPENDED']);

export interface ClusterOverview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'flink-version': string;
}

export interface JarFile { id: string; name: string; uploaded: number }

export interface JobOverview {
  jid: string;
  name: string;
  state: FlinkJobState;
  'start-time': number;
  'end-time': number;
  duration: number;
}

export interface VertexDetails {
  id: string;
  name: string;
  parallelism: number;
  status: string;
  metrics?: { 'read-records'?: number; 'write-records'?: number; 'read-bytes'?: number; 'write-bytes'?: number };
}

export interface JobDetails extends JobOverview {
  vertices: VertexDetails[];
}

export interface CheckpointStats {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  latest?: {
    completed?: { id: number; external_path?: string; latest_ack_timestamp?: number } | null;
    restored?: { id: number; external_path?: string; is_savepoint?: boolean } | null;
  };
}

export interface AsyncOperation {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  operation?: { location?: string; 'failure-cause'?: { class?: string; 'stack-trace'?: string } };
}

export interface RunJarRequest {
  entryClass?: string;
  programArgsList?: string[];
  parallelism?: number;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  /** How a savepoint's files are owned after restore: NO_CLAIM (default: the savepoint stays usable) or CLAIM. */
  claimMode?: 'CLAIM' | 'NO_CLAIM';
}

export class FlinkRestClient {
  readonly url: string;
  constructor(url = defaultFlinkUrl(), private readonly timeoutMs = 60_000) {
    this.url = url.replace(/\/+$/, '');
  }

  overview(): Promise<ClusterOverview> { return this.json('GET', '/overview'); }
  async listJars(): Promise<JarFile[]> { return (await this.json<{ files: JarFile[] }>('GET', '/jars')).files; }

  /** Uploads a jar under the given file name; returns its id (the last path segment of Flink's reply). */
  async uploadJar(name: string, bytes: Uint8Array): Promise<string> {
    const form = new FormData();
    form.append('jarfile', new Blob([bytes], { type: 'application/x-java-archive' }), name);
    const r = await this.json<{ filename: string; status: string }>('POST', '/jars/upload', form);
    const id = r.filename.split('/').pop();
    if (r.status !== 'success' || !id) throw this.restError('POST /jars/upload', 200, `unexpected reply ${JSON.stringify(r)}`);
    return id;
  }

  deleteJar(id: string): Promise<unknown> { return this.json('DELETE', `/jars/${encodeURIComponent(id)}`); }

  async runJar(id: string, req: RunJarRequest): Promise<string> {
    return (await this.json<{ jobid: string }>('POST', `/jars/${encodeURIComponent(id)}/run`, req)).jobid;
  }

  async jobs(): Promise<JobOverview[]> { return (await this.json<{ jobs: JobOverview[] }>('GET', '/jobs/overview')).jobs; }
  job(id: string): Promise<JobDetails> { return this.json('GET', `/jobs/${id}`); }
  checkpoints(id: string): Promise<CheckpointStats> { return this.json('GET', `/jobs/${id}/checkpoints`); }
  /** The job's exception history, newest first (Flink's `exceptionHistory.entries`). */
  async exceptions(id: string): Promise<{ exceptionName: string; stacktrace: string; timestamp: number }[]> {
    const r = await this.json<{ exceptionHistory?: { entries?: { exceptionName: string; stacktrace: string; timestamp: number }[] } }>('GET', `/jobs/${id}/exceptions`);
    return r.exceptionHistory?.entries ?? [];
  }

  /** Starts a savepoint; returns the trigger id to poll with savepointStatus. */
  async triggerSavepoint(id: string, targetDirectory?: string, cancelJob = false): Promise<string> {
    const body = { 'cancel-job': cancelJob, ...(targetDirectory ? { 'target-directory': targetDirectory } : {}) };
    return (await this.json<{ 'request-id': string }>('POST', `/jobs/${id}/savepoints`, body))['request-id'];
  }

  /** Stop with a savepoint (drain: emit end-of-input first, so windows fire); returns the trigger id. */
  async stopWithSavepoint(id: string, targetDirectory?: string, drain = false): Promise<string> {
    const body = { drain, ...(targetDirectory ? { targetDirectory } : {}) };
    return (await this.json<{ 'request-id': string }>('POST', `/jobs/${id}/stop`, body))['request-id'];
  }

  savepointStatus(id: string, triggerId: string): Promise<AsyncOperation> {
    return this.json('GET', `/jobs/${id}/savepoints/${triggerId}`);
  }

  async cancel(id: string): Promise<void> { await this.json('PATCH', `/jobs/${id}?mode=cancel`); }

  /** One request; JSON bodies for plain objects, multipart for FormData. */
  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const what = `${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      const init: RequestInit = { method, signal: AbortSignal.timeout(this.timeoutMs) };
      if (body instanceof FormData) init.body = body;
      else if (body !== undefined) { init.body = JSON.stringify(body); init.headers = { 'content-type': 'application/json' }; }
      res = await fetch(this.url + path, init);
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw new FreshetError(diag(FlinkErrors.ClusterUnreachable, `no Flink cluster answers at ${this.url} (${cause})`, undefined,
        'start the local cluster with scripts/flink.sh start, or set FRESHET_FLINK_URL / --url'), 'external');
    }
    const text = await res.text();
    if (!res.ok) {
      let msg = text;
      try {
        const errors = (JSON.parse(text) as { errors?: string[] }).errors;
        if (errors?.length) msg = summarizeFlinkError(errors.join('\n'));
      } catch { /* not JSON: keep the text */ }
      throw this.restError(what, res.status, msg);
    }
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  private restError(what: string, status: number, message: string): FreshetError {
    return new FreshetError(diag(FlinkErrors.RestError, `Flink ${what} failed (HTTP ${status}): ${firstLines(message, 12)}`), 'external');
  }
}

/**
 * The useful line of a Flink REST error, which is usually a whole Java stack trace: the message of the job's main()
 * when it failed (the template reports SQL errors there), followed by the innermost cause's message when main()'s
 * message does not already say it (Flink wraps a connector's validation error in "Unable to create a sink for writing
 * table ..."), else the innermost `Caused by:`, else the text itself.
 */
export function summarizeFlinkError(text: string): string {
  const causes = text.split('\n').filter((l) => l.startsWith('Caused by: '));
  const innermost = causes.length ? causes[causes.length - 1]!.slice('Caused by: '.length).trim() : undefined;
  const main = /The main method caused an error: (.*)/.exec(text);
  if (main) {
    const m = main[1]!.trim();
    // The cause's message without its exception class (`org.apache.flink.table.api.ValidationException: `).
    const inner = innermost?.replace(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+: /, '');
    return inner !== undefined && inner !== '' && !m.includes(inner) ? `${m}: ${inner}` : m;
  }
  return innermost ?? text;
}

/** Flink's errors carry whole stack traces; the cause lines near the top say what went wrong. */
export function firstLines(text: string, n: number): string {
  const lines = text.split('\n');
  return lines.length <= n ? text : [...lines.slice(0, n), `... (${lines.length - n} more lines)`].join('\n');
}
