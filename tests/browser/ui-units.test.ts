// Unit tests of the web UI (no browser needed): the line diff shown for job versions and edits, the canonical JSON
// that makes key order irrelevant to it, and the UI's type check against the generated API types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson, lineDiff } from '../../web/src/line-diff.js';

const render = (a: string, b: string): string => lineDiff(a, b).map((l) => `${l.op}${l.text}`).join('|');

test('lineDiff: common lines kept, removals before additions, edges', () => {
  assert.equal(render('a\nb\nc', 'a\nb\nc'), ' a| b| c');
  assert.equal(render('a\nb\nc', 'a\nx\nc'), ' a|-b|+x| c');
  assert.equal(render('a\nb', 'a\nb\nc'), ' a| b|+c');
  assert.equal(render('x\na', 'a'), '-x| a');
  assert.equal(render('', 'a'), '-|+a');
  // A longest common subsequence: the moved line is one removal and one addition, the rest kept.
  assert.equal(render('a\nb\nc\nd', 'b\nc\nd\na'), '-a| b| c| d|+a');
});

test('lineDiff: applying the diff to before gives after (random texts)', () => {
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let i = 0; i < 200; i++) {
    const a = Array.from({ length: rnd(8) }, () => 'abcd'[rnd(4)]!).join('\n');
    const b = Array.from({ length: rnd(8) }, () => 'abcd'[rnd(4)]!).join('\n');
    const d = lineDiff(a, b);
    assert.equal(d.filter((l) => l.op !== '+').map((l) => l.text).join('\n'), a);
    assert.equal(d.filter((l) => l.op !== '-').map((l) => l.text).join('\n'), b);
  }
});

test('canonicalJson: equal for different key orders, arrays keep their order', () => {
  assert.equal(canonicalJson({ b: 1, a: { y: 2, x: [3, { d: 1, c: 2 }] } }), canonicalJson({ a: { x: [3, { c: 2, d: 1 }], y: 2 }, b: 1 }));
  assert.notEqual(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
  assert.equal(lineDiff(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 })).every((l) => l.op === ' '), true);
});

test('the web UI type-checks against the generated API types (a renamed route or field is a compile error)', { timeout: 120_000 }, () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'web', 'tsconfig.json')], { cwd: root, encoding: 'utf8', timeout: 110_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
