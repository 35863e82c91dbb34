/**
 * Where job specs and desired states live: on disk (job-store.ts, one platform instance) or in PostgreSQL
 * (postgres-job-store.ts, several instances sharing a catalog). The job manager only uses this contract.
 * Invariants: versions are immutable once put (`put` of an existing version throws); `desired` of an unknown job
 * is 'stopped'.
 */
import type { JobSpec } from './job-spec.js';

export type DesiredState = 'running' | 'stopped';

export interface JobSpecStore {
  names(): Promise<string[]>;
  versions(name: string): Promise<number[]>;
  get(name: string, version?: number): Promise<JobSpec | undefined>;
  history(name: string): Promise<JobSpec[]>;
  put(spec: JobSpec): Promise<void>;
  desired(name: string): Promise<DesiredState>;
  setDesired(name: string, state: DesiredState): Promise<void>;
  delete(name: string): Promise<void>;
  /** Records which instance runs the job (shared stores only). */
  setOwner?(name: string, instance: string | undefined): Promise<void>;
  owner?(name: string): Promise<{ instance: string; since: string } | undefined>;
  /** A round trip to the backing store (readiness). */
  ping?(): Promise<void>;
  close?(): Promise<void>;
}
