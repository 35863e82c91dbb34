/**
 * Upgrading a job to a new version from its checkpoint. A checkpoint restores only into the program that took it
 * (the engine compares program hashes, RUN511), so a new version keeps its state exactly when it compiles to the
 * same program: edits of the description, owner, tags, the checkpoint interval or the embedded output's name do;
 * a changed SELECT, entity key, store output or engine option usually does not. `checkUpgrade` says which, and
 * why (the operators that differ); `upgradeJob` saves the version and, when compatible and asked to, carries the
 * newest checkpoint over to it (else the version starts fresh, as every edit did before).
 *
 * Built on JobManager's public operations only: stop (takes a final checkpoint) → move the checkpoint directory
 * aside → save the version (which clears the directory) → put the checkpoints back → start (restores).
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FreshetError, diag } from '../../common/diagnostics.js';
import type { Program } from '../../program/program.js';
import { programHash } from '../../engine/job-runner.js';
import { defaultKvPath } from '../../connectors/stores/embedded-kv-store.js';
import { compileSql } from '../../runtime/sql-session.js';
import { jobScript, type ColumnDef } from './feature-tables.js';
import { JobErrors, type JobManager } from './job-manager.js';
import { normalizeJob, type JobSpec, type JobSpecInput } from './job-spec.js';
import { dictionaryCatalog } from './sql-service.js';

export interface UpgradeCheck {
  /** The new version can resume from the current checkpoint. */
  compatible: boolean;
  /** Why it cannot (empty when compatible). */
  reasons: string[];
  from: number;
  to: number;
  /** The checkpoint the upgrade would resume from. */
  checkpoint?: string;
}

const checkpointRoot = (J: JobManager): string => J.o.checkpointRoot ?? path.join(J.o.root, 'checkpoints');

async function newestCheckpoint(dir: string): Promise<string | undefined> {
  let files: string[];
  try { files = await readdir(dir); } catch { return undefined; }
  const cks = files.filter((f) => /^chk-\d+\.bin$/.test(f)).sort((a, b) => Number(a.slice(4, -4)) - Number(b.slice(4, -4)));
  return cks[cks.length - 1];
}

/** The program a spec runs (the same script the job manager builds), or undefined when it does not compile. */
async function programOf(J: JobManager, spec: Pick<JobSpec, 'name' | 'sql' | 'outputs' | 'entityKey' | 'options'>, columns: readonly ColumnDef[]): Promise<Program | undefined> {
  const baseDir = J.o.baseDir ?? '.';
  const { catalog } = await dictionaryCatalog(J.o.dictionary, J.o.logDir, false, await J.features(spec.name), baseDir);
  const script = jobScript(spec, columns, J.o.kvPath ?? defaultKvPath(), baseDir);
  return compileSql(script, { catalog, baseDir, config: spec.options }).program;
}

/** Operators of `a` and `b` described by id and kind, with those that differ. */
function operatorDifferences(a: Program, b: Program): string[] {
  const desc = (p: Program): Map<string, string> => new Map(p.operators.map((op) => [op.id, JSON.stringify(op)]));
  const kind = (p: Program, id: string): string => p.operators.find((o) => o.id === id)?.kind ?? '?';
  const da = desc(a), db = desc(b);
  const out: string[] = [];
  for (const [id, s] of da) {
    if (!db.has(id)) out.push(`operator ${id} (${kind(a, id)}) is removed`);
    else if (db.get(id) !== s) out.push(`operator ${id} (${kind(a, id)}) changes`);
  }
  for (const id of db.keys()) if (!da.has(id)) out.push(`operator ${id} (${kind(b, id)}) is added`);
  return out.slice(0, 8);
}

/** Whether saving `input` as the next version of job `name` can keep its state, and why not. Saves nothing. */
export async function checkUpgrade(J: JobManager, name: string, input: JobSpecInput): Promise<UpgradeCheck> {
  const cur = await J.mustGet(name);
  if (input.name !== name) throw new FreshetError({ ...diag(JobErrors.Invalid, `cannot rename job '${name}'`), source: 'name' });
  const { columns } = await J.check(input);
  const next = normalizeJob(input, cur.version + 1, cur.createdAt, cur.updatedAt, cur);
  const base = { from: cur.version, to: cur.version + 1 };
  const checkpoint = await newestCheckpoint(path.join(checkpointRoot(J), name));
  const reasons: string[] = [];
  if (!checkpoint) reasons.push('the job has no checkpoint yet: there is no state to keep');
  const [a, b] = [await programOf(J, cur, cur.columns ?? columns), await programOf(J, next, columns)];
  if (!a || !b) reasons.push('the current version no longer compiles (its sources or feature tables changed)');
  else if (programHash(a) !== programHash(b)) {
    reasons.push('the new version compiles to a different program, so the checkpoint cannot be restored into it', ...operatorDifferences(a, b));
    const cols = (c: readonly ColumnDef[] | undefined): string => (c ?? []).map((x) => `${x.name} ${x.type}`).join(', ');
    if (cols(cur.columns) !== cols(columns)) reasons.push(`result columns change: (${cols(cur.columns)}) → (${cols(columns)})`);
  }
  return { compatible: reasons.length === 0, reasons, ...base, ...(checkpoint ? { checkpoint } : {}) };
}

/**
 * Saves `input` as a new version. mode 'keep-state': only when `checkUpgrade` says compatible (else a 409 naming
 * the reasons); the job resumes from its newest checkpoint. mode 'fresh': the version starts from scratch.
 * A job that was running is running afterwards; a stopped one stays stopped (its checkpoint is kept for it).
 */
export async function upgradeJob(J: JobManager, name: string, input: JobSpecInput, mode: 'keep-state' | 'fresh', expectedVersion?: number): Promise<{ job: JobSpec; check: UpgradeCheck }> {
  const check = await checkUpgrade(J, name, input);
  if (mode === 'fresh') return { job: await J.update(name, input, expectedVersion), check };
  if (!check.compatible) {
    throw new FreshetError({
      ...diag(JobErrors.VersionConflict, `version ${check.to} of job '${name}' cannot keep the state of version ${check.from}: ${check.reasons.join('; ')}`, undefined,
        'save it with a fresh start (mode=fresh) instead'),
      source: 'mode',
    });
  }
  const wasRunning = ['running', 'starting', 'restarting'].includes((await J.status(name)).state);
  if (wasRunning) await J.stop(name); // the final checkpoint
  const dir = path.join(checkpointRoot(J), name);
  const aside = await mkdtemp(path.join(os.tmpdir(), `freshet-upgrade-${name}-`));
  try {
    await cp(dir, aside, { recursive: true });
    let job: JobSpec;
    try {
      job = await J.update(name, input, expectedVersion);
    } catch (e) {
      if (wasRunning) await J.start(name); // nothing was saved: the old version resumes where it stopped
      throw e;
    }
    await rm(dir, { recursive: true, force: true });
    await cp(aside, dir, { recursive: true });
    if (wasRunning) await J.start(name);
    return { job, check };
  } finally {
    await rm(aside, { recursive: true, force: true });
  }
}
