// The engine hooks monitoring reads: a caller-supplied Metrics object is the runner's live counters, every
// checkpoint attempt is reported with its duration and size (or its error), failures are counted, and
// `execution.checkpointing.tolerable-failed-checkpoints` decides whether a failure fails the job (default 0, as in
// Flink). Also the connector wrapper's per-batch figures on a bounded job: rows per source and output, latency
// observations per acknowledged write, and event time taken from the output's window_end column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CheckpointInfo } from '../../../src/engine/job-runner.js';
import { Metrics } from '../../../src/engine/metrics.js';
import { getConnector } from '../../../src/connectors/registry.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { meteredConnectors, SourceMeter } from '../../../src/server/platform/instrumented-connectors.js';

const SCRIPT = (dir: string, extra = ''): string => `
${extra}
CREATE TABLE ev (id INT, k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'datagen', 'number-of-rows' = '2000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '2000',
  'fields.k.length' = '1');
CREATE TABLE out (k STRING, window_end TIMESTAMP(3), n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json');
INSERT INTO out SELECT k, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end;`;

test('checkpoints are reported with duration and size; counters are the caller\'s Metrics', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-hooks-'));
  try {
    const metrics = new Metrics();
    const seen: CheckpointInfo[] = [];
    const res = await runSql(SCRIPT(dir), { checkpointDir: path.join(dir, 'ck'), checkpointEveryBatches: 1, batchSize: 500, metrics, onCheckpoint: (c) => seen.push(c) });
    assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(seen.length, res.summary!.checkpoints);
    assert.ok(seen.length >= 3);
    assert.deepEqual(seen.map((c) => c.id), seen.map((_, i) => i + 1));
    assert.ok(seen.every((c) => c.bytes > 0 && c.durationMs >= 0 && c.error === undefined));
    assert.equal(metrics.get('checkpoints'), seen.length);
    assert.equal(metrics.get('checkpointBytes'), seen.reduce((s, c) => s + c.bytes, 0));
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('a failing checkpoint fails the job by default, and is counted and skipped when tolerated', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-hooks-'));
  try {
    const ck = path.join(dir, 'ck');
    await writeFile(ck, 'a file where the checkpoint directory should be');
    const seen: CheckpointInfo[] = [];
    await assert.rejects(runSql(SCRIPT(dir), { checkpointDir: ck, checkpointEveryBatches: 1, batchSize: 500, onCheckpoint: (c) => seen.push(c) }), /EEXIST|ENOTDIR|not a directory|file already exists/);
    assert.equal(seen.length, 1);
    assert.ok(seen[0]!.error);
    const metrics = new Metrics();
    const seen2: CheckpointInfo[] = [];
    const res = await runSql(SCRIPT(dir, "SET 'execution.checkpointing.tolerable-failed-checkpoints' = '100';"), { checkpointDir: ck, checkpointEveryBatches: 1, batchSize: 500, metrics, onCheckpoint: (c) => seen2.push(c) });
    assert.equal(res.summary!.finished, true);
    assert.equal(res.summary!.checkpoints, 0);
    assert.ok(seen2.length >= 3 && seen2.every((c) => c.error !== undefined));
    assert.equal(metrics.get('checkpointFailures'), seen2.length);
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('the connector wrapper counts rows per source and output and observes latency per acknowledged write', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-hooks-'));
  try {
    const meter = new SourceMeter();
    const res = await runSql(SCRIPT(dir), { connectors: meteredConnectors({ get: getConnector }, meter, new Map()), batchSize: 500, metrics: meter.engine });
    assert.deepEqual(res.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(meter.sources.get('ev')!.rowsIn, 2000);
    assert.equal(meter.rowsIn, 2000);
    const out = meter.outputs.get('out')!;
    assert.ok(out.rowsOut > 0 && out.writes > 0);
    const { latencies } = meter.drain();
    assert.ok(latencies.length > 0 && latencies.length <= out.writes);
    assert.ok(latencies.every((l) => l.output === 'out' && l.arrivalSec >= 0 && l.arrivalSec < 60));
    // datagen's random timestamps are around now; window_end is the written rows' event time.
    assert.ok(latencies.some((l) => l.eventSec !== undefined));
    assert.deepEqual(meter.drain().latencies, [], 'drained');
    assert.ok(meter.engineBaseline !== undefined, 'baseline taken when the sources opened');
  } finally { await rm(dir, { recursive: true, force: true }); }
});
