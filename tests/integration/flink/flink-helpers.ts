/**
 * Helpers of the Flink integration tests: why they must skip (no cluster at FRESHET_FLINK_URL / FRESHET_FLINK_PORT,
 * no TaskManager, template jar not built; no Kafka or Redis where a file needs them), the cluster lock, building
 * specs, cancelling a file's jobs, killing and restarting the TaskManager, the Redis records of store tables, seeded
 * random numbers, and reading a filesystem sink's committed part files. With FRESHET_REQUIRE_FLINK=1 (set by CI,
 * which builds the jar and starts the cluster) a skip reason is an error instead.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { buildJobSpecFromScript, type BuildJobSpecOptions } from '../../../src/flink/build-job-spec.js';
import { FlinkDeployer } from '../../../src/flink/flink-deployer.js';
import { defaultFlinkUrl } from '../../../src/flink/flink-rest-client.js';
import type { JobSpec } from '../../../src/flink/job-spec.js';
import { defaultTemplateJarPath } from '../../../src/flink/template-jar.js';
import { createTopic, freshTopic, kafkaSkipReason, produce, readAll, type HeaderedMessage } from '../kafka/kafka-helpers.js';
import { REDIS_HOST, REDIS_PORT, redisSkipReason } from '../../stores/store-helpers.js';

export const FLINK_URL = defaultFlinkUrl();

export async function flinkSkipReason(): Promise<string | undefined> {
  const reason = await findSkipReason();
  if (reason !== undefined && process.env['FRESHET_REQUIRE_FLINK'] === '1') throw new Error(`FRESHET_REQUIRE_FLINK=1 but ${reason}`);
  return reason;
}

async function findSkipReason(): Promise<string | undefined> {
  const jar = defaultTemplateJarPath();
  if (!existsSync(jar)) return `the Flink template jar is not built (${jar}; mvn -q -B -f flink/pom.xml package -DskipTests)`;
  try {
    const r = await fetch(`${FLINK_URL}/overview`, { signal: AbortSignal.timeout(3000) });
    const o = (await r.json()) as { taskmanagers?: number };
    if (!o.taskmanagers) return `the Flink cluster at ${FLINK_URL} has no TaskManager`;
  } catch {
    return `no Flink cluster at ${FLINK_URL} (start one with scripts/flink.sh start, or run the tests with FRESHET_SERVICES=1)`;
  }
  return undefined;
}

/** The lines of a filesystem sink directory's committed files (Flink and Freshet hide in-progress files with a '.'). */
export function sinkLines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (f.startsWith('.') || f.startsWith('_')) continue;
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) if (l !== '') out.push(l);
  }
  return out;
}

/** Polls until check() returns a value (not undefined) or the timeout passes; returns the last value or throws. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const LOCK_DIR = join(tmpdir(), `freshet-flink-cluster-${process.env['FRESHET_FLINK_PORT'] ?? '18081'}.lock`);

/**
 * Takes the local cluster for one test file (the runner runs two files at a time; a file that kills the TaskManager
 * or fills both slots must not meet another): a lock directory holding the owner's pid, broken when that process is
 * gone. Returns the release function.
 */
export async function lockCluster(timeoutMs = 600_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {
      let owner = NaN;
      try { owner = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8')); } catch { /* being created or removed */ }
      if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) rmSync(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the Flink cluster lock ${LOCK_DIR} was not free within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why a Kafka test here must skip, or undefined. The error FRESHET_REQUIRE_KAFKA=1 raises for a missing broker
 * becomes the reason: failing for it is the Kafka suites' business.
 */
export async function kafkaSkip(): Promise<string | undefined> {
  try {
    return await kafkaSkipReason();
  } catch (e) {
    return (e as Error).message;
  }
}

/** Why a test file must skip: no Flink cluster, then, when it needs them, no Kafka broker or no Redis. */
export async function flinkTestSkipReason(needs: { kafka?: boolean; redis?: boolean } = {}): Promise<string | undefined> {
  const reason = await flinkSkipReason();
  if (reason !== undefined) return reason;
  const kafka = needs.kafka ? await kafkaSkip() : undefined;
  if (kafka !== undefined) return kafka;
  return needs.redis ? (await redisSkipReason()) || undefined : undefined;
}

/** What a Flink test file needs: its services, a scratch directory, the store tables it writes. */
export interface FlinkTestFileOptions {
  kafka?: boolean;
  redis?: boolean;
  /** Prefix of a scratch directory made for the file (FlinkTestFile.dir) and removed after it. */
  tmpPrefix?: string;
  /** Store tables whose Redis records are deleted after the file (when Redis answers), in each of redisDbs (default [0]). */
  storeTables?: () => readonly string[];
  redisDbs?: readonly number[];
}

/** The shared state of a Flink test file, set up and torn down by the hooks flinkTestFile registers. */
export interface FlinkTestFile {
  readonly deployer: FlinkDeployer;
  /** The jobs the file deployed: cancelled after it unless they ended. */
  readonly started: string[];
  /** The scratch directory ('' when none was asked for). */
  readonly dir: string;
  /** Why the file's tests skip (known once the before hook ran; undefined when they run). */
  readonly skip: string | undefined;
  /** Deploys a spec and records the job in {@link started}; returns its id. */
  deploy(...args: Parameters<FlinkDeployer['deploy']>): Promise<string>;
}

/**
 * Registers the file's before hook (the skip reason; unless skipping, the cluster lock) and after hook (cancel the
 * jobs still running, delete the store tables, remove the scratch directory, release the lock).
 */
export function flinkTestFile(opts: FlinkTestFileOptions = {}): FlinkTestFile {
  const file = {
    deployer: new FlinkDeployer({ url: FLINK_URL, pollMs: 200 }),
    started: [] as string[],
    dir: opts.tmpPrefix ? mkdtempSync(join(tmpdir(), opts.tmpPrefix)) : '',
    skip: undefined as string | undefined,
    async deploy(...args: Parameters<FlinkDeployer['deploy']>): Promise<string> {
      const id = await file.deployer.deploy(...args);
      file.started.push(id);
      return id;
    },
  };
  let unlock: (() => void) | undefined;
  before(async () => {
    file.skip = await flinkTestSkipReason(opts);
    if (!file.skip) unlock = await lockCluster();
  });
  after(async () => {
    if (!file.skip) await cancelStarted(file.deployer, file.started);
    if (opts.storeTables && (await redisAnswers())) for (const db of opts.redisDbs ?? [0]) await deleteStoreTables(opts.storeTables(), db);
    if (file.dir) rmSync(file.dir, { recursive: true, force: true });
    unlock?.();
  });
  return file;
}

async function redisAnswers(): Promise<boolean> {
  try {
    return !(await redisSkipReason());
  } catch {
    return false;
  }
}

/** The job spec of a script; the build must report no error. */
export function buildSpec(sql: string, opts: BuildJobSpecOptions): JobSpec {
  const r = buildJobSpecFromScript(sql, opts);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r.spec!;
}

const TERMINAL = new Set(['FINISHED', 'CANCELED', 'FAILED']);

/** Cancels the file's jobs that have not ended: the cluster is shared, no test may leave a job running. */
export async function cancelStarted(deployer: FlinkDeployer, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const state = (await deployer.job(id).catch(() => undefined))?.state;
    if (state !== undefined && !TERMINAL.has(state)) await deployer.cancel(id).catch(() => undefined);
  }
}

function redisClient(db: number): ReturnType<typeof createClient> {
  return createClient({ socket: { host: REDIS_HOST, port: REDIS_PORT }, database: db });
}

/** Deletes every record of the store tables (keys fs:<table>:*) in Redis database {@code db}. */
export async function deleteStoreTables(tables: readonly string[], db = 0): Promise<void> {
  const c = redisClient(db);
  await c.connect();
  for (const t of tables) for (const k of await c.keys(`fs:${t}:*`)) await c.del(k);
  await c.quit();
}

/**
 * The Redis records of a store table by key without the `fs:<table>:` prefix: row and tile hashes as they are, meta
 * strings (`meta:<name>`) as { string: text }.
 */
export async function dumpStoreTable(table: string, db = 0): Promise<Map<string, Record<string, string>>> {
  const c = redisClient(db);
  await c.connect();
  const out = new Map<string, Record<string, string>>();
  for (const k of await c.keys(`fs:${table}:*`)) out.set(k.slice(`fs:${table}:`.length), await c.hGetAll(k).catch(async () => ({ string: (await c.get(k)) ?? '' })));
  await c.quit();
  return out;
}

/** The row hashes of a store table (its meta entries left out), by entity key. */
export async function storedRows(table: string, db = 0): Promise<Map<string, Record<string, string>>> {
  const all = await dumpStoreTable(table, db);
  for (const k of [...all.keys()]) if (k.startsWith('meta:')) all.delete(k);
  return all;
}

/** Pseudo-random numbers in [0, 1) from a seed (a linear congruential generator): the tests' inputs are reproducible. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

/** An event of a user: the input of the recovery tests. */
export interface UserEvent { user_id: string; amount: number }

/** {@code n} events of {@code users} users with amounts 0..99, reproducible from the seed. */
export function userEvents(n: number, users: number, seed: number): UserEvent[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, () => ({ user_id: `u${Math.floor(rnd() * users)}`, amount: Math.floor(rnd() * 100) }));
}

/**
 * The input of a recovery test: a fresh topic of 3 partitions and three phases of events of {@code users} users
 * (seeds 1, 2, 3), the first phase produced already.
 */
export async function recoveryInput(name: string, users: number, sizes: readonly [number, number, number]): Promise<{ topic: string; phases: UserEvent[][] }> {
  const topic = freshTopic(name);
  await createTopic(topic, 3);
  const phases = sizes.map((n, i) => userEvents(n, users, i + 1));
  await produce(topic, keyedByUser(phases[0]!));
  return { topic, phases };
}

/** Per user, the running COUNT(*) and SUM(amount) after each of its events, in order: what each change must hold. */
export function runningTotals(evs: readonly UserEvent[]): Map<string, { n: number; total: number }[]> {
  const out = new Map<string, { n: number; total: number }[]>();
  for (const e of evs) {
    const list = out.get(e.user_id) ?? [];
    const prev = list[list.length - 1] ?? { n: 0, total: 0 };
    list.push({ n: prev.n + 1, total: prev.total + e.amount });
    out.set(e.user_id, list);
  }
  return out;
}

/**
 * SET statements that let a job outlive the loss of its TaskManager: the cluster's default (2 restarts) makes test
 * jobs fail fast, and restarts fail with NoResourceAvailable until the new TaskManager has registered.
 */
export const RESTART_UNTIL_TASKMANAGER_IS_BACK = `SET 'restart-strategy.type' = 'fixed-delay';
SET 'restart-strategy.fixed-delay.attempts' = '60';
SET 'restart-strategy.fixed-delay.delay' = '1 s';`;

/** Kafka messages of events keyed by their user (a user's events share a partition, in order), the event as JSON. */
export function keyedByUser(evs: readonly { user_id: string }[]): { key: string; value: string }[] {
  return evs.map((e) => ({ key: e.user_id, value: JSON.stringify(e) }));
}

/** Every message of a topic up to its end with its headers (readAll), allowing a minute for a large topic. */
export function readWithHeaders(topic: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<HeaderedMessage[]> {
  return readAll(topic, isolation, { headers: true, timeoutMs: 60_000 });
}

const FLINK_SH = join(import.meta.dirname, '..', '..', '..', 'scripts', 'flink.sh');

function flinkSh(cmd: string): string {
  return execFileSync('bash', [FLINK_SH, cmd], { encoding: 'utf8', timeout: 180_000 });
}

/**
 * SIGKILLs the TaskManager {@code delayMs} after {@code work} (say producing input) began, so the job dies busy, waits
 * for the work, and then, whatever happened, starts a new TaskManager for Flink to restore the job on.
 */
export async function killTaskManagerDuring(work: Promise<unknown>, delayMs: number): Promise<void> {
  try {
    await new Promise((res) => setTimeout(res, delayMs));
    process.stderr.write(`# ${flinkSh('kill-taskmanager').trim()}\n`);
    await work;
  } finally {
    process.stderr.write(`# ${flinkSh('start').trim().split('\n').pop()}\n`);
  }
}
