/**
 * Parallel parity over the golden queries: every query of tests/slt/*.slt whose plan has a keyed stage is run with
 * parallelism 2 (keyed stages in two worker threads) and with parallelism 1, with small source batches so that many
 * batch boundaries and watermarks cross the threads, and the final results must be the same row multisets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSlt } from '../../support/slt.js';
import { compileSql, runSql } from '../../../src/runtime/sql-session.js';
import { exchangeLayout } from '../../../src/engine/parallel/exchange-layout.js';

const sltDir = join(dirname(fileURLToPath(import.meta.url)), '../../slt');

/** Sorted JSON lines of every query result: a multiset comparison. */
async function results(script: string, baseDir: string, parallelism: number): Promise<{ rows: string[][]; effective: number }> {
  const res = await runSql(script, { baseDir, parallelism, batchSize: 3 });
  const errs = res.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 0, errs.map((d) => d.message).join('\n'));
  const rows = res.results.map((q) => q.rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (v instanceof Map ? [...v] : v))).sort());
  return { rows, effective: res.summary?.parallelism?.effective ?? 1 };
}

for (const file of readdirSync(sltDir).filter((n) => n.endsWith('.slt')).sort()) {
  test(`parallelism 2 equals parallelism 1 on ${file}`, async (t) => {
    const records = parseSlt(readFileSync(join(sltDir, file), 'utf8'));
    let context = '';
    let compared = 0;
    for (const r of records) {
      const script = `${context}\n${r.sql};\n`;
      if (r.kind === 'statement') { context = script; continue; }
      if (r.kind !== 'query' || r.mode === 'explain') continue;
      const c = compileSql(script, { baseDir: sltDir });
      if (!c.program || c.diagnostics.some((d) => d.severity === 'error')) continue;
      if (exchangeLayout(c.program).parallelOps.length === 0) continue;
      const one = await results(script, sltDir, 1);
      const two = await results(script, sltDir, 2);
      assert.equal(two.effective, 2, `line ${r.line}: ran in parallel`);
      assert.deepEqual(two.rows, one.rows, `${file} line ${r.line}: ${r.sql}`);
      compared++;
    }
    t.diagnostic(`${compared} parallel queries compared`);
    // Files whose queries are all stateless or unkeyed have nothing to compare; the others must be exercised.
    if (['group_agg.slt', 'joins_ranks.slt', 'over.slt', 'windows.slt'].includes(file)) assert.ok(compared >= 2, `only ${compared} compared`);
  });
}
