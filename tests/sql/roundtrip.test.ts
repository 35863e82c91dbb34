/**
 * Round-trip property of the printer: for every corpus statement, print(parse(x)) re-parses to the same AST (spans
 * and identifier quoting aside) and printing is idempotent. Also prints (does not assert) a timing of a
 * 200-statement script.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScript } from '../../src/sql/parser.js';
import { printScript, printStatement } from '../../src/sql/printer.js';
import { renderDiagnostic } from '../../src/common/diagnostics.js';
import { CORPUS } from './corpus.js';
import { strip } from './helpers.js';

test('corpus has at least 60 statements', () => {
  assert.ok(CORPUS.length >= 60, `corpus has ${CORPUS.length}`);
});

for (const [i, sql] of CORPUS.entries()) {
  test(`round trip #${i}: ${sql.replace(/\s+/g, ' ').slice(0, 70)}`, () => {
    const r1 = parseScript(sql);
    assert.deepEqual(r1.diagnostics.map((d) => renderDiagnostic(d, sql)), []);
    assert.equal(r1.statements.length, 1);
    const printed = printStatement(r1.statements[0]!);
    const r2 = parseScript(printed);
    assert.deepEqual(r2.diagnostics.map((d) => renderDiagnostic(d, printed)), [], `printed:\n${printed}`);
    assert.equal(r2.statements.length, 1);
    assert.deepEqual(strip(r2.statements[0]), strip(r1.statements[0]), `printed:\n${printed}`);
    assert.equal(printStatement(r2.statements[0]!), printed, 'printing is idempotent');
  });
}

test('whole corpus as one script round-trips, including BEGIN STATEMENT SET', () => {
  const script = CORPUS.join(';\n') + ';\nBEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND;\n';
  const r1 = parseScript(script);
  assert.deepEqual(r1.diagnostics, []);
  assert.equal(r1.statements.length, CORPUS.length + 1);
  const printed = printScript(r1.statements);
  const r2 = parseScript(printed);
  assert.deepEqual(r2.diagnostics, []);
  assert.deepEqual(strip(r2.statements), strip(r1.statements));
  assert.equal(printScript(r2.statements), printed);
});

test('timing: parse a 200-statement script (printed, not asserted)', () => {
  const parts: string[] = [];
  for (let i = 0; parts.length < 200; i++) parts.push(CORPUS[i % CORPUS.length]!);
  const script = parts.join(';\n') + ';';
  parseScript(script); // warm up
  const t0 = performance.now();
  const r = parseScript(script);
  const ms = performance.now() - t0;
  assert.equal(r.statements.length, 200);
  console.log(`parsed 200 statements (${script.length} chars) in ${ms.toFixed(1)} ms`);
});
