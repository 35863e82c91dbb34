/**
 * Checks shared by the fault tests whose job is `GROUP BY user_id (COUNT(*) AS cnt, SUM(amount) AS total) -> Redis`
 * (crash loop, HA failover): the DuckDB oracle over the produced events, and a poller that watches a sample of keys
 * in Redis while the job runs and records every value or version that goes backwards.
 */
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { testRedisStore } from '../stores/store-helpers.js';

/**
 * Asserts that DuckDB's count and sum per user over `file` (newline-delimited JSON {user_id, amount}) equal
 * `expected`, user by user, with no user more or less.
 */
export async function assertDuckDbAgrees(file: string, expected: ReadonlyMap<string, { cnt: number; total: number }>): Promise<void> {
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const oracle = (await duck.runAndReadAll(`SELECT user_id, count(*)::BIGINT, sum(amount)::BIGINT FROM read_json('${file}',
    format = 'newline_delimited', columns = {user_id: 'VARCHAR', amount: 'INTEGER'}) GROUP BY user_id`)).getRows();
  duck.closeSync();
  assert.equal(oracle.length, expected.size);
  for (const [u, c, s] of oracle as [string, bigint, bigint][]) {
    assert.deepEqual(expected.get(u), { cnt: Number(c), total: Number(s) }, `${u}: direct computation vs DuckDB`);
  }
}

/** A running poller; `violations` lists every decrease or disappearance seen so far. */
export interface MonotonicPoller {
  /** The last version and count seen per sampled key (a key appears once Redis holds it). */
  readonly seen: Map<string, { version: number; cnt: number }>;
  readonly violations: string[];
  /** How many times the sample was read. */
  polls(): number;
  /** Ends the polling; resolves (or rejects with the poller's error) when it has stopped. */
  stop(): Promise<void>;
}

/** Reads the `sample` keys of `table` from Redis every 10 ms until stopped; no cnt and no version may decrease. */
export function pollMonotonic(table: string, sample: readonly string[]): MonotonicPoller {
  const seen = new Map<string, { version: number; cnt: number }>();
  const violations: string[] = [];
  let polls = 0;
  let polling = true;
  const done = (async () => {
    const store = testRedisStore();
    await store.open();
    try {
      while (polling) {
        const got = await store.multiGet(table, sample);
        polls++;
        for (let i = 0; i < sample.length; i++) {
          const v = got[i];
          const prev = seen.get(sample[i]!);
          if (!v) {
            if (prev) violations.push(`${sample[i]} vanished after version ${prev.version}`);
            continue;
          }
          const cnt = (JSON.parse(v.value) as { cnt: number }).cnt;
          if (prev && (v.version < prev.version || cnt < prev.cnt)) {
            violations.push(`${sample[i]}: version ${prev.version} -> ${v.version}, cnt ${prev.cnt} -> ${cnt}`);
          }
          seen.set(sample[i]!, { version: v.version, cnt });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await store.close();
    }
  })();
  // A failure surfaces through stop(); until then it must not count as an unhandled rejection.
  done.catch(() => undefined);
  return { seen, violations, polls: () => polls, stop: async () => { polling = false; await done; } };
}
