/**
 * Runs deployed feature jobs on the embedded engine inside the platform process. Each job is its spec's SELECT run
 * unbounded with `runSql` (an AbortSignal stops it; the engine then writes a final checkpoint), checkpointing to
 * `<data>/platform/checkpoints/<job>` at `execution.checkpointing.interval`; start and restart restore from the
 * newest checkpoint there, a new version starts from scratch (its program differs). The job's output is kept as
 * the latest row per entity key (the `embedded` output), with recent changes, throughput and the source
 * watermark sampled every second. A `store` output also writes the result into an online store: the SELECT runs as
 * `CREATE TABLE ... PRIMARY KEY (entity key)` + `INSERT INTO` (feature-tables.ts), and the rows the sink receives
 * feed the in-memory latest results (a tiled table has no row sink, so then the SELECT also runs beside it).
 * Feature tables of stored jobs are registered in the catalog every job compiles against, for lookup joins.
 *
 * Supervision (supervisor.ts): a run that fails while its job should be running is restarted from its last
 * checkpoint after an exponential backoff; after the policy's limit it stays failed with its last error. Every
 * lifecycle change is a JobEvent (`onJobEvent`) for monitoring and alerting.
 *
 * High availability (leader-election.ts): with a `leader` election (PostgreSQL catalog) a job runs only on the
 * instance holding its lock. API calls only change the shared desired state; a reconcile loop (every `pollMs`) on
 * every instance takes the lock of each job that should run, launches it restoring from the shared checkpoint
 * directory, and stops jobs whose desired state became stopped or whose lock was lost (fencing).
 *
 * Invariants: at most one run per job at a time (`start` on a running job is a no-op); `stop` resolves only after
 * the run has ended; deploy validates everything (spec, sources, SQL, entity key) before it writes anything.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FreshetError, diag, type Diagnostic } from '../../common/diagnostics.js';
import type { Batch, Row } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { Dictionary } from '../../catalog/dictionary/dictionary.js';
import { Catalog } from '../../catalog/catalog.js';
import { getConnector } from '../../connectors/registry.js';
import { defaultKvPath } from '../../connectors/stores/embedded-kv-store.js';
import type { ConnectorLookup } from '../../engine/job-runner.js';
import type { ConnectorFactory, SinkContext, SinkWriter } from '../../engine/connector-api.js';
import { checkStoreOutput, columnDefs, jobScript, publishedFeatures, type FeatureTable } from './feature-tables.js';
import { compileSql, runSql } from '../../runtime/sql-session.js';
import { normalizeJob, redactJob, type JobSpec, type JobSpecInput } from './job-spec.js';
import { JobStore } from './job-store.js';
import type { JobSpecStore } from './job-spec-store.js';
import type { LeaderElection } from './leader-election.js';
import { DEFAULT_RESTART_POLICY, RestartTracker, type RestartPolicy } from './supervisor.js';
import { meteredConnectors, SourceMeter, timeProbes } from './instrumented-connectors.js';
import { columnsOf, dictionaryCatalog, toDiagnosticJson, type ColumnJson, type DiagnosticJson } from './sql-service.js';
import { rowToJsonArray, type JsonValue } from './value-json.js';

export type JobState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped' | 'finished';

/** A lifecycle change of a job on this instance (monitoring and alerting subscribe with `onJobEvent`). */
export interface JobEvent {
  kind: 'started' | 'failed' | 'restarting' | 'stopped' | 'leader-acquired' | 'leader-lost';
  job: string;
  /** Epoch ms. */
  at: number;
  /** The platform instance that emitted it. */
  instance: string;
  version?: number;
  /** restarting: the restart attempt within the policy's window (1-based) and when it happens (epoch ms). */
  attempt?: number;
  nextAttemptAt?: number;
  /** Restarts so far (restarting, failed). */
  restarts?: number;
  /** failed / restarting: the last error; leader-lost: why. */
  error?: string;
  /** stopped: 'stopped' (a user or shutdown), 'finished' (bounded input ended), 'leader-lost'. */
  reason?: string;
}

const jobEventListeners = new Set<(ev: JobEvent) => void>();

/** Subscribes to the job events of every job manager in this process; returns the unsubscribe function. */
export function onJobEvent(listener: (ev: JobEvent) => void): () => void {
  jobEventListeners.add(listener);
  return () => { jobEventListeners.delete(listener); };
}

export const JobErrors = {
  Invalid: 'JOB001',
  UnknownJob: 'JOB002',
  Exists: 'JOB003',
  UnknownSource: 'JOB004',
  BadSql: 'JOB005',
  BadEntityKey: 'JOB006',
  VersionConflict: 'JOB007',
  /** A store output's table is published by another job. */
  FeatureTaken: 'JOB008',
  /** The store a feature table is served from cannot be reached (503). */
  StoreUnreachable: 'JOB009',
} as const;

export interface MetricPoint { t: number; rowsPerSec: number; changesPerSec: number; watermark: number | null }

export interface JobStatus {
  name: string;
  version: number;
  state: JobState;
  startedAt?: string;
  stoppedAt?: string;
  rowsIn: number;
  changes: number;
  rowsPerSec: number;
  changesPerSec: number;
  /** Source watermark (ISO instant) or null before event time has been seen. */
  watermark: string | null;
  checkpoints: number;
  lastCheckpointAt?: string;
  restoredFrom?: string;
  errors: DiagnosticJson[];
  results: number;
  /** Automatic restarts since the job was last started by a user (supervisor). */
  restarts: number;
  /** When the next automatic restart happens (state 'restarting'). */
  nextAttemptAt?: string;
  /** With a shared catalog: the instance running the job (may be another one). */
  runningOn?: string;
}

interface Run {
  spec: JobSpec;
  state: JobState;
  controller?: AbortController;
  done?: Promise<void>;
  meter: SourceMeter;
  changes: number;
  startedAt?: number;
  stoppedAt?: number;
  errors: DiagnosticJson[];
  restoredFrom?: string;
  fields: RowField[];
  keyIdx: number[];
  /** Latest row per entity key (the embedded output). */
  latest: Map<string, { row: Row; at: number }>;
  recent: { at: number; op: string; row: Row }[];
  series: MetricPoint[];
  lastRows: number;
  lastChanges: number;
  restartTimer?: NodeJS.Timeout;
  nextAttemptAt?: number;
  /** Why the run was aborted (event reason). */
  stopReason?: string;
}

export interface JobManagerOptions {
  dictionary: Dictionary;
  logDir: string;
  /** Root of the platform's state (jobs, checkpoints): `<data>/platform`. */
  root: string;
  /** Directory relative paths in SQL resolve against. */
  baseDir?: string;
  /** The embedded online store's directory: where `embedded-kv` outputs without a `path` go (default <data>/kv). */
  kvPath?: string;
  now?: () => number;
  /** Job specs and desired states (default: files in `<root>/jobs`; PostgreSQL when instances share a catalog). */
  store?: JobSpecStore;
  /** Where checkpoints go, one directory per job (default `<root>/checkpoints`; shared by all instances for HA). */
  checkpointRoot?: string;
  /** Restart policy of failed jobs (default DEFAULT_RESTART_POLICY). */
  restartPolicy?: RestartPolicy;
  /** Leader election among instances sharing the catalog; without it every job runs here. */
  leader?: LeaderElection;
  /** Reconcile period with a leader election (ms, default 1000). */
  pollMs?: number;
  /** This instance's name in events (default the leader election's, else `host:pid`). */
  instanceId?: string;
  /** Wraps the connector registry (tests inject failing sources). */
  connectors?: (base: ConnectorLookup) => ConnectorLookup;
}

const OPS = ['+I', '-U', '+U', '-D'];
const SERIES = 300;
const RECENT = 50;

const fail = (code: string, message: string, source?: string, hint?: string): FreshetError =>
  new FreshetError({ ...diag(code, message, undefined, hint), ...(source ? { source } : {}) });

export class JobManager {
  private readonly runs = new Map<string, Run>();
  readonly store: JobSpecStore;
  private readonly timer: NodeJS.Timeout;
  private lastTick: number;
  private readonly now: () => number;
  private readonly trackers = new Map<string, RestartTracker>();
  readonly instanceId: string;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private closing = false;
  /** True once the jobs that should run here were (re)started after start-up (readiness). */
  resumed = false;

  constructor(readonly o: JobManagerOptions) {
    this.store = o.store ?? new JobStore(path.join(o.root, 'jobs'));
    this.now = o.now ?? Date.now;
    this.instanceId = o.instanceId ?? o.leader?.instanceId ?? `${process.env['HOSTNAME'] ?? 'local'}:${process.pid}`;
    this.lastTick = this.now();
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
    // Fencing: a lost lock connection stops the jobs it covered at once (a standby may already be running them).
    o.leader?.onLost((names, reason) => {
      for (const n of names) {
        this.emit({ kind: 'leader-lost', job: n, error: reason });
        void this.halt(n, 'leader-lost');
      }
    });
  }

  /** Whether this instance may run job `name` (always without a leader election). */
  private leads(name: string): boolean { return this.o.leader ? this.o.leader.holds(name) : true; }

  private emit(ev: Omit<JobEvent, 'at' | 'instance'>): void {
    const full: JobEvent = { ...ev, at: this.now(), instance: this.instanceId };
    for (const fn of jobEventListeners) {
      try { fn(full); } catch { /* a listener's failure must not affect the job */ }
    }
  }

  private tracker(name: string): RestartTracker {
    let t = this.trackers.get(name);
    if (!t) { t = new RestartTracker(this.o.restartPolicy ?? DEFAULT_RESTART_POLICY); this.trackers.set(name, t); }
    return t;
  }

  private checkpointDir(name: string): string { return path.join(this.o.checkpointRoot ?? path.join(this.o.root, 'checkpoints'), name); }

  private get baseDir(): string { return this.o.baseDir ?? '.'; }
  private get kvPath(): string { return this.o.kvPath ?? defaultKvPath(); }

  /** Feature tables published by the stored jobs (latest versions), optionally without those of job `except`. */
  async features(except?: string): Promise<FeatureTable[]> {
    const specs: JobSpec[] = [];
    for (const name of await this.store.names()) {
      if (name === except) continue;
      const s = await this.store.get(name);
      if (s) specs.push(s);
    }
    return publishedFeatures(specs, this.kvPath, this.baseDir);
  }

  /**
   * Starts every job whose desired state is running (after a platform restart), restoring from checkpoints. With a
   * leader election: takes the locks it can get, launches those jobs, and polls every `pollMs` from then on.
   */
  async resume(): Promise<void> {
    if (this.o.leader) {
      await this.reconcile();
      this.resumed = true;
      this.reconcileTimer = setInterval(() => {
        if (this.reconcilePending) return;
        this.reconcilePending = true;
        void this.reconcile().finally(() => { this.reconcilePending = false; });
      }, this.o.pollMs ?? 1000);
      this.reconcileTimer.unref();
      return;
    }
    for (const name of await this.store.names()) {
      const spec = await this.store.get(name);
      if (spec && (await this.store.desired(name)) === 'running') await this.launch(spec, true);
    }
    this.resumed = true;
  }

  private reconcileChain: Promise<void> = Promise.resolve();
  private reconcilePending = false;
  /** Last error of the reconcile loop (the catalog was unreachable), cleared by a successful pass; readiness. */
  reconcileError: string | undefined;

  /**
   * One pass of the leader loop, serialized with every other pass (API calls run one after changing the desired
   * state, so a pass never acts on a desired state read before the change).
   */
  private reconcile(): Promise<void> {
    const next = this.reconcileChain.then(() => this.reconcileOnce()).then(
      () => { this.reconcileError = undefined; },
      (e: unknown) => { this.reconcileError = (e as Error)?.message ?? String(e); },
    );
    this.reconcileChain = next;
    return next;
  }

  private async reconcileOnce(): Promise<void> {
    const leader = this.o.leader;
    if (!leader || this.closing) return;
    await leader.check();
    const names = await this.store.names();
    for (const name of names) {
      if (this.closing) return;
      const spec = await this.store.get(name);
      if (!spec) continue;
      const desired = await this.store.desired(name);
      const r = this.runs.get(name);
      const active = r !== undefined && (r.state === 'running' || r.state === 'starting' || r.state === 'restarting');
      if (desired === 'running') {
        if (!leader.holds(name)) {
          if (!(await leader.tryAcquire(name))) continue; // another instance leads it
          // An owner row of another instance left behind means that instance lost the job without handing it over
          // (a crash, a kill, a lost connection): this takeover is an automatic restart of the job, counted and
          // reported as one (a graceful shutdown or stop clears the row first).
          const prev = await this.store.owner?.(name).catch(() => undefined);
          this.emit({ kind: 'leader-acquired', job: name, version: spec.version, ...(prev && prev.instance !== this.instanceId ? { reason: `taken over from ${prev.instance}` } : {}) });
          await this.store.setOwner?.(name, this.instanceId);
          const tr = this.tracker(name);
          tr.reset();
          if (prev && prev.instance !== this.instanceId) {
            tr.restarts++;
            this.emit({ kind: 'restarting', job: name, version: spec.version, attempt: 1, nextAttemptAt: this.now(), restarts: tr.restarts, error: `instance ${prev.instance} lost the job`, reason: 'failover' });
          }
          await this.halt(name); // a run fenced off a moment ago may still be writing its last checkpoint
          await this.launch(spec, true);
        } else if (active && r.spec.version !== spec.version) {
          // A new version saved on another instance: the old checkpoints do not apply to its program.
          await this.halt(name);
          await rm(this.checkpointDir(name), { recursive: true, force: true });
          this.tracker(name).reset();
          await this.launch(spec, false);
        } else if (!r) {
          await this.launch(spec, true);
        }
      } else if (leader.holds(name)) {
        await this.halt(name);
        await leader.release(name);
        await this.store.setOwner?.(name, undefined);
      }
    }
    const known = new Set(names);
    for (const name of leader.heldNames()) {
      if (known.has(name)) continue; // deleted on another instance
      await this.halt(name);
      this.runs.delete(name);
      // Its final checkpoint must not be restored into a later job of the same name.
      await rm(this.checkpointDir(name), { recursive: true, force: true });
      await leader.release(name);
    }
  }

  /**
   * Checks a spec completely without saving: sources exist, the SQL is one SELECT that compiles over the
   * dictionary, the entity key names result columns. Throws FreshetError whose diagnostics name the field.
   */
  async check(input: JobSpecInput): Promise<{ columns: ColumnJson[] }> {
    const known = new Set<string>();
    for (const s of await this.o.dictionary.list()) { known.add(s.name); for (const t of Object.keys(s.types ?? {})) known.add(`${s.name}.${t}`); }
    const features = await this.features(input.name);
    const featureNames = new Map(features.map((f) => [f.table.toLowerCase(), f.job]));
    input.sources.forEach((s, i) => {
      if (!known.has(s) && !featureNames.has(s.toLowerCase())) {
        throw fail(JobErrors.UnknownSource, `unknown source '${s}'`, `sources[${i}]`, 'register it on the Data sources page or with POST /api/sources, or name a published feature table');
      }
    });
    const outs = input.outputs ?? [];
    const seen = new Set<string>();
    outs.forEach((o, i) => {
      if (seen.has(o.table)) throw fail(JobErrors.Invalid, `output table '${o.table}' appears twice`, `outputs[${i}].table`);
      seen.add(o.table);
      checkStoreOutput(o, i, JobErrors.Invalid);
      if (o.kind !== 'store') return;
      if (known.has(o.table)) throw fail(JobErrors.Invalid, `output table '${o.table}' is the name of a data source`, `outputs[${i}].table`, 'name the feature table differently');
      const owner = featureNames.get(o.table.toLowerCase());
      if (owner !== undefined) throw fail(JobErrors.FeatureTaken, `feature table '${o.table}' is published by job '${owner}'`, `outputs[${i}].table`, 'one feature table has one producing job; pick another name');
    });
    const { catalog } = await dictionaryCatalog(this.o.dictionary, this.o.logDir, false, features, this.baseDir);
    const c = compileSql(input.sql, { catalog, baseDir: this.baseDir });
    const errors = c.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new FreshetError(errors.map((d) => ({ ...d, source: 'sql' })));
    if (c.queries.length !== 1 || !c.program) {
      throw fail(JobErrors.BadSql, `a feature's SQL is exactly one SELECT query; this has ${c.queries.length}`, 'sql', 'remove other statements; sources come from the data dictionary');
    }
    const fields = c.queries[0]!.fields;
    input.entityKey.forEach((k, i) => {
      if (!fields.some((f) => f.name === k)) {
        throw fail(JobErrors.BadEntityKey, `entity key column '${k}' is not a result column (${fields.map((f) => f.name).join(', ')})`, `entityKey[${i}]`);
      }
    });
    // The store tables and INSERTs as they will run: connector options, primary key and tiling are checked here.
    const columns = columnDefs(fields);
    for (let i = 0; i < outs.length; i++) {
      const o = outs[i]!;
      if (o.kind !== 'store') continue;
      const script = jobScript({ sql: input.sql, entityKey: input.entityKey, outputs: [o] }, columns, this.kvPath, this.baseDir);
      const { catalog: cat } = await dictionaryCatalog(this.o.dictionary, this.o.logDir, false, features, this.baseDir);
      const w = compileSql(script, { catalog: cat, baseDir: this.baseDir });
      const errs = w.diagnostics.filter((d) => d.severity === 'error');
      if (errs.length > 0) {
        throw new FreshetError(errs.map((d) => {
          const opt = /option '([^']+)'/.exec(d.message)?.[1];
          const field = opt !== undefined ? `outputs[${i}].${o.secrets?.[opt] !== undefined ? 'secrets' : 'options'}.${opt}` : `outputs[${i}]`;
          const { span: _span, ...rest } = d;
          return { ...rest, message: `output '${o.table}': ${d.message}`, source: field };
        }));
      }
    }
    return { columns: columnsOf(fields) };
  }

  /** Creates a job (version 1) and starts it. */
  async create(input: JobSpecInput, start = true): Promise<JobSpec> {
    if ((await this.store.versions(input.name)).length > 0) throw fail(JobErrors.Exists, `job '${input.name}' exists`, 'name', `edit it with PUT /api/jobs/${input.name}`);
    const { columns } = await this.check(input);
    const at = new Date(this.now()).toISOString();
    const spec = { ...normalizeJob(input, 1, at, at), columns };
    // Leftovers of a deleted job of the same name are not this job's state: with a shared catalog the first run
    // restores whatever the directory holds (without one, version 1 starts without restoring).
    if (this.o.leader) await rm(this.checkpointDir(spec.name), { recursive: true, force: true });
    await this.store.put(spec);
    await this.store.setDesired(spec.name, start ? 'running' : 'stopped');
    await this.addLineage(spec);
    if (!start) this.runs.set(spec.name, this.newRun(spec, 'stopped'));
    else if (this.o.leader) await this.reconcile();
    else await this.launch(spec, false);
    return redactJob(spec);
  }

  /** Saves a new version; a running job is restarted on it from scratch (its old checkpoints no longer apply). */
  async update(name: string, input: JobSpecInput, expectedVersion?: number): Promise<JobSpec> {
    const cur = await this.store.get(name);
    if (!cur) throw fail(JobErrors.UnknownJob, `unknown job '${name}'`);
    if (input.name !== name) throw fail(JobErrors.Invalid, `cannot rename job '${name}'`, 'name');
    if (expectedVersion !== undefined && expectedVersion !== cur.version) {
      throw fail(JobErrors.VersionConflict, `job '${name}' is at version ${cur.version}, not ${expectedVersion}`, 'expectedVersion', 'reload and apply the edit again');
    }
    const { columns } = await this.check(input);
    const spec = { ...normalizeJob(input, cur.version + 1, cur.createdAt, new Date(this.now()).toISOString(), cur), columns };
    await this.store.put(spec);
    await this.addLineage(spec);
    if (this.o.leader) {
      // The leader (maybe another instance) restarts it on the new version from scratch at its next pass; a job
      // that runs nowhere just loses its old checkpoints (they cannot restore into the new program).
      await this.reconcile();
      if ((await this.store.desired(name)) === 'stopped') await rm(this.checkpointDir(name), { recursive: true, force: true });
      return redactJob(spec);
    }
    const wasRunning = this.runs.get(name)?.state === 'running' || this.runs.get(name)?.state === 'starting' || this.runs.get(name)?.state === 'restarting';
    this.tracker(name).reset();
    await this.halt(name);
    await rm(this.checkpointDir(name), { recursive: true, force: true });
    if (wasRunning) await this.launch(spec, false);
    else this.runs.set(name, this.newRun(spec, 'stopped'));
    return redactJob(spec);
  }

  private async addLineage(spec: JobSpec): Promise<void> {
    for (const s of new Set(spec.sources.map((x) => x.split('.')[0]!))) {
      if (!(await this.o.dictionary.get(s))) continue; // a published feature table, not a dictionary source
      const cur = await this.o.dictionary.lineage(s);
      if (!cur.includes(spec.name)) await this.o.dictionary.setLineage(s, [...cur, spec.name]);
    }
  }

  async get(name: string): Promise<JobSpec | undefined> {
    const s = await this.store.get(name);
    return s ? redactJob(s) : undefined;
  }

  async mustGet(name: string): Promise<JobSpec> {
    const s = await this.store.get(name);
    if (!s) throw fail(JobErrors.UnknownJob, `unknown job '${name}'`, undefined, 'list jobs with GET /api/jobs');
    return s;
  }

  async history(name: string): Promise<JobSpec[]> {
    await this.mustGet(name);
    return (await this.store.history(name)).map(redactJob);
  }

  async list(): Promise<{ spec: JobSpec; status: JobStatus }[]> {
    const out: { spec: JobSpec; status: JobStatus }[] = [];
    for (const name of await this.store.names()) {
      const spec = await this.store.get(name);
      if (spec) out.push({ spec: redactJob(spec), status: await this.status(name) });
    }
    return out;
  }

  async start(name: string): Promise<JobStatus> {
    const spec = await this.mustGet(name);
    await this.store.setDesired(name, 'running');
    this.tracker(name).reset();
    const r = this.runs.get(name);
    if (this.leads(name) && (!r || (r.state !== 'running' && r.state !== 'starting'))) {
      await this.halt(name); // cancels a pending automatic restart
      await this.launch(spec, true);
    }
    if (this.o.leader) await this.reconcile();
    return this.status(name);
  }

  async stop(name: string): Promise<JobStatus> {
    await this.mustGet(name);
    await this.store.setDesired(name, 'stopped');
    if (this.o.leader) await this.reconcile();
    else await this.halt(name);
    return this.status(name);
  }

  /** Restarts the job from its last checkpoint (with a shared catalog: only where it runs; elsewhere it ensures it runs). */
  async restart(name: string): Promise<JobStatus> {
    const spec = await this.mustGet(name);
    await this.store.setDesired(name, 'running');
    this.tracker(name).reset();
    if (this.leads(name)) {
      await this.halt(name);
      await this.launch(spec, true);
    }
    if (this.o.leader) await this.reconcile();
    return this.status(name);
  }

  async delete(name: string): Promise<void> {
    const spec = await this.mustGet(name);
    await this.halt(name);
    this.runs.delete(name);
    this.trackers.delete(name);
    await this.store.delete(name);
    await this.o.leader?.release(name);
    await rm(this.checkpointDir(name), { recursive: true, force: true });
    for (const s of new Set(spec.sources.map((x) => x.split('.')[0]!))) {
      if (await this.o.dictionary.get(s)) await this.o.dictionary.setLineage(s, (await this.o.dictionary.lineage(s)).filter((f) => f !== name));
    }
  }

  /**
   * Stops every job without changing its desired state (platform shutdown): each takes a final checkpoint, and only
   * then is the leadership released (closing the lock connection), so a standby restores from that checkpoint.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await this.reconcileChain;
    await Promise.all([...this.runs.keys()].map((n) => this.halt(n)));
    // A handover, not a failure: the next leader does not count it as a restart.
    for (const n of this.o.leader?.heldNames() ?? []) await this.store.setOwner?.(n, undefined).catch(() => undefined);
    await this.o.leader?.close();
  }

  private newRun(spec: JobSpec, state: JobState): Run {
    return {
      spec, state, meter: new SourceMeter(), changes: 0, errors: [], fields: [], keyIdx: [], latest: new Map(), recent: [], series: [], lastRows: 0, lastChanges: 0,
    };
  }

  /** Stops the run of `name` (a final checkpoint is taken) or cancels its pending automatic restart. */
  private async halt(name: string, reason = 'stopped'): Promise<void> {
    const r = this.runs.get(name);
    if (!r) return;
    if (r.restartTimer) {
      clearTimeout(r.restartTimer);
      r.restartTimer = undefined;
      r.nextAttemptAt = undefined;
      if (r.state === 'restarting') {
        r.state = 'stopped';
        this.emit({ kind: 'stopped', job: name, version: r.spec.version, reason });
      }
    }
    if (!r.controller) return;
    r.stopReason = reason;
    r.controller.abort();
    await r.done;
  }

  /**
   * After a run ended: a failure while the job should run is handed to the supervisor (restart after a backoff, or
   * failed for good after the limit); the other endings are reported as stopped.
   */
  private afterRun(run: Run, aborted: boolean): void {
    const name = run.spec.name;
    if (this.runs.get(name) !== run) return; // replaced meanwhile
    if (run.state !== 'failed' || aborted) {
      this.emit({ kind: 'stopped', job: name, version: run.spec.version, reason: run.state === 'finished' ? 'finished' : (run.stopReason ?? 'stopped') });
      return;
    }
    const error = run.errors.map((e) => `${e.code}: ${e.message}`).join('; ') || 'unknown error';
    if (this.closing) { this.emit({ kind: 'failed', job: name, version: run.spec.version, error }); return; }
    const t = this.tracker(name);
    const d = t.onFailure(this.now());
    if (!d.restart) {
      this.emit({ kind: 'failed', job: name, version: run.spec.version, error, restarts: t.restarts });
      // With a shared catalog the failure is recorded as desired 'stopped' and the lock released: otherwise another
      // instance would take the job and fail it again, and a user start on any instance must reach it.
      if (this.o.leader) void this.store.setDesired(name, 'stopped').then(() => this.reconcile(), () => undefined);
      return;
    }
    run.state = 'restarting';
    run.nextAttemptAt = this.now() + d.delayMs;
    this.emit({ kind: 'restarting', job: name, version: run.spec.version, error, attempt: d.attempt, nextAttemptAt: run.nextAttemptAt, restarts: t.restarts });
    run.restartTimer = setTimeout(() => {
      run.restartTimer = undefined;
      void (async () => {
        if (this.runs.get(name) !== run || run.state !== 'restarting' || this.closing || !this.leads(name)) return;
        if ((await this.store.desired(name)) !== 'running') { run.state = 'failed'; return; }
        const spec = (await this.store.get(name)) ?? run.spec;
        if (this.runs.get(name) !== run || run.state !== 'restarting') return;
        await this.launch(spec, spec.version === run.spec.version);
      })().catch((e: unknown) => {
        run.state = 'failed';
        run.errors = [toDiagnosticJson(diag('JOB500', `restart failed: ${(e as Error)?.message ?? String(e)}`))];
        this.emit({ kind: 'failed', job: name, version: run.spec.version, error: run.errors[0]!.message, restarts: t.restarts });
      });
    }, d.delayMs);
    run.restartTimer.unref();
  }

  private async checkpointFiles(name: string): Promise<{ file: string; at: number; bytes: number }[]> {
    const dir = this.checkpointDir(name);
    let files: string[];
    try { files = await readdir(dir); } catch { return []; }
    const out: { file: string; at: number; bytes: number }[] = [];
    for (const f of files.filter((x) => /^chk-\d+\.bin$/.test(x))) {
      try { const s = await stat(path.join(dir, f)); out.push({ file: f, at: s.mtimeMs, bytes: s.size }); } catch { /* removed meanwhile */ }
    }
    return out.sort((a, b) => Number(a.file.slice(4, -4)) - Number(b.file.slice(4, -4)));
  }

  /** Starts a run of `spec`; `restore` resumes from the newest checkpoint when one exists. */
  private async launch(spec: JobSpec, restore: boolean): Promise<void> {
    try {
      await this.launchRun(spec, restore);
    } catch (e) {
      // Preparing the run failed (catalog or checkpoint directory unreachable, ...): a failed run like any other,
      // so the supervisor retries it instead of leaving it 'starting' forever.
      const run = this.runs.get(spec.name);
      if (!run || run.spec !== spec || run.controller || run.state !== 'starting') throw e;
      run.state = 'failed';
      const ds: readonly Diagnostic[] = e instanceof FreshetError ? e.diagnostics : [diag('JOB500', `job failed to start: ${(e as Error)?.message ?? String(e)}`)];
      run.errors = ds.map(toDiagnosticJson);
      run.stoppedAt = this.now();
      this.afterRun(run, false);
    }
  }

  /** launch's body: prepares the catalog and connectors, then starts the run (not awaited). */
  private async launchRun(spec: JobSpec, restore: boolean): Promise<void> {
    const prev = this.runs.get(spec.name);
    const run = this.newRun(spec, 'starting');
    // The output table survives restarts of the same version: a restored run continues it.
    if (prev && prev.spec.version === spec.version && restore) { run.latest = prev.latest; run.recent = prev.recent; run.series = prev.series; run.changes = prev.changes; }
    this.runs.set(spec.name, run);
    const ckDir = this.checkpointDir(spec.name);
    const cks = restore ? await this.checkpointFiles(spec.name) : [];
    if (cks.length > 0) run.restoredFrom = cks[cks.length - 1]!.file;
    const { catalog, sources } = await dictionaryCatalog(this.o.dictionary, this.o.logDir, false, await this.features(spec.name), this.baseDir);
    const base: ConnectorLookup = this.o.connectors ? this.o.connectors({ get: getConnector }) : { get: getConnector };
    const metered = meteredConnectors(base, run.meter, timeProbes(sources));
    // Leadership lost or shutdown begun while preparing (halt found no run to abort yet): do not start it.
    if (this.closing || !this.leads(spec.name) || this.runs.get(spec.name) !== run) {
      run.state = 'stopped';
      return;
    }
    const controller = new AbortController();
    run.controller = controller;
    run.startedAt = this.now();
    const onChange = (_q: string, row: Row, kind: number, fields: RowField[]): void => {
      if (run.fields !== fields) {
        run.fields = fields;
        run.keyIdx = spec.entityKey.map((k) => fields.findIndex((f) => f.name === k));
      }
      run.changes++;
      const key = JSON.stringify(run.keyIdx.map((i) => row[i] ?? null));
      if (kind === 0 || kind === 2) run.latest.set(key, { row, at: this.now() });
      else if (kind === 3) run.latest.delete(key);
      run.recent.push({ at: this.now(), op: OPS[kind] ?? '?', row });
      if (run.recent.length > RECENT) run.recent.splice(0, run.recent.length - RECENT);
    };
    // With store outputs the job is CREATE TABLE + INSERT INTO; the first store table's sink rows are the results.
    const storeOut = spec.outputs.find((o) => o.kind === 'store');
    let script = spec.sql;
    let connectors = metered;
    if (storeOut && spec.columns) {
      script = jobScript(spec, spec.columns, this.kvPath, this.baseDir);
      const probe = compileSql(script, { catalog: catalogCopy(catalog), baseDir: this.baseDir });
      const tiled = probe.program?.operators.some((op) => op.kind === 'tileSink' && op.table.name === storeOut.table) ?? false;
      if (tiled) script = `${script}\n${spec.sql.trim().replace(/;\s*$/, '')};`;
      else connectors = tappedSinks(metered, storeOut.table, (row, kind, fields) => onChange(storeOut.table, row, kind, fields));
    }
    run.done = runSql(script, {
      catalog, connectors, signal: controller.signal, checkpointDir: ckDir,
      ...(cks.length > 0 ? { restoreFrom: ckDir } : {}),
      baseDir: this.o.baseDir ?? '.',
      config: spec.options,
      onStart: () => {
        if (run.state !== 'starting') return;
        run.state = 'running';
        this.emit({ kind: 'started', job: spec.name, version: spec.version, ...(run.restoredFrom ? { reason: `restored from ${run.restoredFrom}` } : {}) });
      },
      onChange,
      metrics: run.meter.engine, onCheckpoint: run.meter.onCheckpoint,
    }).then((res) => {
      const errors = res.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) { run.state = 'failed'; run.errors = errors.map(toDiagnosticJson); } else run.state = controller.signal.aborted ? 'stopped' : 'finished';
      // The compiled result fields are known even when no change arrived yet.
      const q = res.compiled.queries[0];
      if (q && run.fields.length === 0) { run.fields = q.fields; run.keyIdx = spec.entityKey.map((k) => q.fields.findIndex((f) => f.name === k)); }
    }, (e: unknown) => {
      run.state = 'failed';
      const ds: readonly Diagnostic[] = e instanceof FreshetError ? e.diagnostics : [diag('JOB500', `job failed: ${(e as Error)?.message ?? String(e)}`)];
      run.errors = ds.map(toDiagnosticJson);
    }).finally(() => {
      run.stoppedAt = this.now();
      run.controller = undefined;
      this.afterRun(run, controller.signal.aborted);
    });
    // Result columns before the first change (the jobs page shows the header).
    if (run.fields.length === 0) {
      const c = compileSql(spec.sql, { catalog: (await dictionaryCatalog(this.o.dictionary, this.o.logDir, false, await this.features(spec.name), this.baseDir)).catalog, baseDir: this.baseDir });
      const q = c.queries[0];
      if (q) { run.fields = q.fields; run.keyIdx = spec.entityKey.map((k) => q.fields.findIndex((f) => f.name === k)); }
    }
  }

  /** Samples throughput and watermark of every run (once a second). */
  private tick(): void {
    const now = this.now();
    const dt = Math.max(1, now - this.lastTick) / 1000;
    this.lastTick = now;
    for (const r of this.runs.values()) {
      if (r.state !== 'running' && r.state !== 'starting') { r.lastRows = r.meter.rowsIn; r.lastChanges = r.changes; continue; }
      const rows = r.meter.rowsIn, ch = r.changes;
      r.series.push({ t: now, rowsPerSec: Math.max(0, rows - r.lastRows) / dt, changesPerSec: Math.max(0, ch - r.lastChanges) / dt, watermark: r.meter.watermark() ?? null });
      if (r.series.length > SERIES) r.series.splice(0, r.series.length - SERIES);
      r.lastRows = rows;
      r.lastChanges = ch;
    }
  }

  async status(name: string): Promise<JobStatus> {
    const spec = await this.mustGet(name);
    const r = this.runs.get(name) ?? this.newRun(spec, 'stopped');
    const cks = await this.checkpointFiles(name);
    const last = r.series[r.series.length - 1];
    let runningOn: string | undefined;
    if (this.o.leader) runningOn = this.leads(name) ? this.instanceId : (await this.store.owner?.(name).catch(() => undefined))?.instance;
    const wm = r.meter.watermark();
    return {
      name, version: r.spec.version, state: r.state,
      ...(r.startedAt !== undefined ? { startedAt: new Date(r.startedAt).toISOString() } : {}),
      ...(r.stoppedAt !== undefined && r.state !== 'running' ? { stoppedAt: new Date(r.stoppedAt).toISOString() } : {}),
      rowsIn: r.meter.rowsIn, changes: r.changes,
      rowsPerSec: last && r.state === 'running' ? Math.round(last.rowsPerSec * 10) / 10 : 0,
      changesPerSec: last && r.state === 'running' ? Math.round(last.changesPerSec * 10) / 10 : 0,
      watermark: wm === undefined ? null : new Date(wm).toISOString(),
      checkpoints: cks.length,
      ...(cks.length > 0 ? { lastCheckpointAt: new Date(cks[cks.length - 1]!.at).toISOString() } : {}),
      ...(r.restoredFrom ? { restoredFrom: r.restoredFrom } : {}),
      errors: r.errors, results: r.latest.size,
      restarts: this.trackers.get(name)?.restarts ?? 0,
      ...(r.nextAttemptAt !== undefined && r.state === 'restarting' ? { nextAttemptAt: new Date(r.nextAttemptAt).toISOString() } : {}),
      ...(runningOn !== undefined ? { runningOn } : {}),
    };
  }

  /** The embedded output: latest row per entity key (newest first), the columns, and recent changes. */
  async results(name: string, limit: number): Promise<{ columns: ColumnJson[]; entityKey: string[]; rows: JsonValue[][]; updatedAt: (string | null)[]; recent: { at: string; op: string; row: JsonValue[] }[] }> {
    const spec = await this.mustGet(name);
    const r = this.runs.get(name);
    if (!r) return { columns: [], entityKey: spec.entityKey, rows: [], updatedAt: [], recent: [] };
    const entries = [...r.latest.values()].sort((a, b) => b.at - a.at).slice(0, limit);
    return {
      columns: columnsOf(r.fields), entityKey: spec.entityKey,
      rows: entries.map((e) => rowToJsonArray(e.row, r.fields)),
      updatedAt: entries.map((e) => new Date(e.at).toISOString()),
      recent: r.recent.slice(-limit).reverse().map((c) => ({ at: new Date(c.at).toISOString(), op: c.op, row: rowToJsonArray(c.row, r.fields) })),
    };
  }

  /** Live meters of the runs on this instance, for the monitoring collector (src/server/monitoring). */
  runMeters(): { name: string; version: number; state: JobState; meter: SourceMeter; changes: number; startedAt?: number }[] {
    return [...this.runs.values()].map((r) => ({ name: r.spec.name, version: r.spec.version, state: r.state, meter: r.meter, changes: r.changes, ...(r.startedAt !== undefined ? { startedAt: r.startedAt } : {}) }));
  }

  async metrics(name: string): Promise<{ series: MetricPoint[]; checkpoints: { file: string; at: string; bytes: number }[] }> {
    await this.mustGet(name);
    const r = this.runs.get(name);
    return {
      series: r?.series ?? [],
      checkpoints: (await this.checkpointFiles(name)).map((c) => ({ file: c.file, at: new Date(c.at).toISOString(), bytes: c.bytes })),
    };
  }
}

/** A copy of a catalog (compiling a script adds its DDL to the catalog it is given). */
function catalogCopy(c: Catalog): Catalog {
  const out = new Catalog();
  for (const e of c.all()) out.put(e);
  return out;
}

/**
 * Wraps `base` so that the sink of SQL table `table` also reports every row it receives to `listener` (the
 * in-memory latest results of a job whose output is a store table). Other tables and connectors are unchanged.
 */
function tappedSinks(base: ConnectorLookup, table: string, listener: (row: Row, kind: number, fields: RowField[]) => void): ConnectorLookup {
  return {
    get(id: string): ConnectorFactory | undefined {
      const f = base.get(id);
      if (!f || !f.createSink) return f;
      const createSink = (ctx: SinkContext): SinkWriter => {
        const inner = f.createSink!(ctx);
        if (ctx.tableName !== table) return inner;
        const fields = [...ctx.physicalFields];
        return {
          open: () => inner.open(),
          write(batch: Batch) {
            for (let i = 0; i < batch.rows.length; i++) listener(batch.rows[i]!, batch.kinds[i]!, fields);
            return inner.write(batch);
          },
          flush: () => inner.flush(),
          close: () => inner.close(),
          ...(inner.snapshot ? { snapshot: () => inner.snapshot!() } : {}),
          ...(inner.restore ? { restore: (st: unknown) => inner.restore!(st) } : {}),
        };
      };
      return Object.assign(Object.create(f) as ConnectorFactory, { createSink });
    },
  };
}
