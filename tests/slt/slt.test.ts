/** Runs every golden file in tests/slt/ (FRESHET_UPDATE_GOLDENS=1 rewrites their expected blocks). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSltFile } from '../support/slt.js';

const dir = dirname(fileURLToPath(import.meta.url));
const update = process.env['FRESHET_UPDATE_GOLDENS'] === '1';

for (const f of readdirSync(dir).filter((n) => n.endsWith('.slt')).sort()) {
  test(`golden ${f}`, async () => {
    const outcomes = await runSltFile(join(dir, f), update);
    const failed = outcomes.filter((o) => !o.ok);
    assert.equal(failed.length, 0, failed.map((o) => o.message).join('\n\n'));
  });
}
