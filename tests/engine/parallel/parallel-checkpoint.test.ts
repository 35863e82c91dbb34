/**
 * Checkpoints of parallel runs: a job with keyed stages in two workers, halted at random batches and restored from
 * its checkpoints (aligned barriers: every worker's operator state plus the main thread's), ends with exactly the
 * output of an uninterrupted parallel run — and of a single-threaded run — in both its SELECT result and its
 * exactly-once filesystem sink. Restoring with another parallelism is refused with a diagnostic.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomEvents, writeEvents, EVENTS_DDL, mulberry32 } from '../../support/random-events.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { FreshetError } from '../../../src/common/diagnostics.js';

let dir = '';

const script = (sinkDir: string): string => `${EVENTS_DDL(join(dir, 'ev.json'))}
CREATE TABLE win_out (k STRING, ws TIMESTAMP(3), c BIGINT, q BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '${join(dir, sinkDir)}', 'format' = 'json');
INSERT INTO win_out
  SELECT k, window_start, COUNT(*), CAST(SUM(v) AS BIGINT)
  FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTE))
  GROUP BY k, window_start, window_end;
SELECT k, COUNT(*) AS c, SUM(v) AS sv, MAX(r) AS max_r, MIN(ts) AS first_ts
FROM (SELECT k, v, ts, COUNT(*) OVER (PARTITION BY g ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW) AS r FROM ev)
GROUP BY k;
SELECT g, c, COUNT(*) AS n FROM (SELECT k, g, COUNT(*) AS c FROM ev GROUP BY k, g) GROUP BY g, c;
`;

function sinkRows(name: string): string[] {
  const d = join(dir, name);
  if (!existsSync(d)) return [];
  return readdirSync(d).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(d, f), 'utf8').split('\n').filter(Boolean)).sort();
}

async function select(sinkDir: string, opts: Parameters<typeof runSql>[1]): Promise<{ rows: string[]; finished: boolean }> {
  const r = await runSql(script(sinkDir), { batchSize: 50, ...opts });
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 0, errs.map((d) => d.message).join('\n'));
  return { rows: r.results.flatMap((q) => q.rows.map((x) => `${q.name} ${JSON.stringify(x)}`)).sort(), finished: r.summary!.finished };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-parchk-'));
  writeEvents(join(dir, 'ev.json'), randomEvents(3000, 42));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('halted parallel runs restored from checkpoints give the uninterrupted output', async () => {
  const ref1 = await select('ref1', { parallelism: 1 });
  const ref2 = await select('ref2', { parallelism: 2 });
  assert.ok(ref1.rows.length > 3 && sinkRows('ref1').length > 100);
  assert.deepEqual(ref2.rows, ref1.rows, 'parallel = single-threaded');
  assert.deepEqual(sinkRows('ref2'), sinkRows('ref1'));

  const rnd = mulberry32(3);
  for (let trial = 0; trial < 2; trial++) {
    const chk = join(dir, `chk-${trial}`);
    const sink = `out-${trial}`;
    let restoreFrom: string | undefined;
    for (let crash = 0; crash < 2; crash++) {
      const r = await select(sink, {
        parallelism: 2, checkpointDir: chk, checkpointEveryBatches: 1 + Math.floor(rnd() * 4),
        haltAfterBatches: 3 + Math.floor(rnd() * 25), ...(restoreFrom ? { restoreFrom } : {}),
      });
      assert.equal(r.finished, false);
      if (existsSync(chk) && readdirSync(chk).some((f) => f.endsWith('.bin'))) restoreFrom = chk;
    }
    assert.ok(restoreFrom, 'a checkpoint was taken');
    const fin = await select(sink, { parallelism: 2, checkpointDir: chk, checkpointEveryBatches: 4, restoreFrom });
    assert.equal(fin.finished, true);
    assert.deepEqual(fin.rows, ref2.rows, `trial ${trial}: final SELECT result`);
    assert.deepEqual(sinkRows(sink), sinkRows('ref2'), `trial ${trial}: exactly-once sink contents`);
  }
});

test('restoring with a different parallelism is refused', async () => {
  const chk2 = join(dir, 'chk-p2');
  await select('p2', { parallelism: 2, checkpointDir: chk2, checkpointEveryBatches: 2, haltAfterBatches: 6 });
  const refused = (e: unknown): boolean => e instanceof FreshetError && e.diagnostics[0]!.code === 'RUN512' && /parallelism 2/.test(e.message);
  await assert.rejects(select('p2', { parallelism: 1, restoreFrom: chk2 }), refused);
  const chk1 = join(dir, 'chk-p1');
  await select('p1', { parallelism: 1, checkpointDir: chk1, checkpointEveryBatches: 2, haltAfterBatches: 6 });
  await assert.rejects(select('p1', { parallelism: 2, restoreFrom: chk1 }), (e: unknown) => e instanceof FreshetError && e.diagnostics[0]!.code === 'RUN512');
});
