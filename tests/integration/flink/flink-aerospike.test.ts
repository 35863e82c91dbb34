/**
 * The template jar's `aerospike` connector on the real Flink cluster (scripts/flink.sh). No Aerospike server exists
 * where these tests run, so they check what a cluster can show without one: the JobManager discovers the connector in
 * the shaded jar, validates its options as the embedded connector does, and the relocated official client reaches out
 * to the seed nodes when the job is built (the sink takes its generation then) and reports a clear error when nothing
 * answers. The connector's records, bins and versioned writes are unit tested against the TypeScript store's golden
 * values in flink/src/test/java/dev/freshet/flink/aerospike/ (live ones with AEROSPIKE_HOSTS).
 * Skips with the reason when no cluster answers or the jar is not built (fails instead with FRESHET_REQUIRE_FLINK=1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJobSpecFromScript } from '../../../src/flink/build-job-spec.js';
import type { JobSpec } from '../../../src/flink/job-spec.js';
import { flinkTestFile } from './flink-helpers.js';


const file = flinkTestFile();
const { deployer } = file;

function specOf(options: string): JobSpec {
  const r = buildJobSpecFromScript(`
CREATE TABLE ev (user_id STRING, amount INT) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
CREATE TABLE f (user_id STRING, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'aerospike', ${options});
INSERT INTO f SELECT user_id, COUNT(*) FROM ev GROUP BY user_id;
`, { name: 'aerospike-smoke' });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.ok(r.spec!.requires?.includes('aerospike'));
  return r.spec!;
}

test('the cluster finds the aerospike connector; its client reports an unreachable server when the job is built', async (t) => {
  if (file.skip) return t.skip(file.skip);
  await assert.rejects(deployer.deploy(specOf("'hosts' = '127.0.0.1:1', 'namespace' = 'test', 'username' = 'u', 'password' = 'p'")),
    /cannot connect to Aerospike at 127\.0\.0\.1:1/);
});

test("the connector's options are validated on the cluster as on the embedded engine", async (t) => {
  if (file.skip) return t.skip(file.skip);
  await assert.rejects(deployer.deploy(specOf("'hosts' = 'h:x', 'namespace' = 'test'")), /option 'hosts' must be 'host\[:port\]/);
  await assert.rejects(deployer.deploy(specOf("'namespace' = 'test', 'username' = 'u'")), /options 'username' and 'password' go together/);
});
