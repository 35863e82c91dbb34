/**
 * Helpers of the Flink integration tests: why they must skip (no cluster at FRESHET_FLINK_URL / FRESHET_FLINK_PORT,
 * no TaskManager, template jar not built), and reading a filesystem sink's committed part files. With
 * FRESHET_REQUIRE_FLINK=1 (set by CI, which builds the jar and starts the cluster) a skip reason is an error instead.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFlinkUrl } from '../../../src/flink/flink-rest-client.js';
import { defaultTemplateJarPath } from '../../../src/flink/template-jar.js';

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
