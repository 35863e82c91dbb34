/**
 * Tests scripts/check-layers.mjs: the import scanner on tricky text, the checker on a clean and a violating fixture
 * tree (exact expected report lines), and the real src/ tree, which must stay clean.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const script = path.join(repoRoot, 'scripts', 'check-layers.mjs');

interface Checker {
  findImports(src: string): { spec: string; line: number }[];
}
const checker = (await import(pathToFileURL(script).href)) as Checker;

function run(root: string): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
  assert.equal(r.stderr, '', 'checker wrote to stderr');
  return { status: r.status, lines: r.stdout.split('\n').filter((l) => l.length > 0) };
}

function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'freshet-layers-'));
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return root;
}

test('findImports sees static, re-export, side-effect and dynamic imports, not text in strings or comments', () => {
  const src = [
    "import a from './a.js';",                          // 1
    "import type { B } from '../common/types.js'",     // 2
    'import {',                                         // 3
    '  x,',
    '  type y,',
    "} from '../engine/e.js';",                         // 6
    "// import z from 'fs'",                            // 7
    'const q = "import w from \'os\'";',               // 8
    "const t = `${await import('node:path')} import k from 'zz'`;", // 9
    "export * from './c.js';",                          // 10
    'export { d } from "../sql/d.js";',                // 11
    "import './side.js';",                              // 12
    "const r = /'import x from \"y\"'/g;",              // 13
    "/* import v from 'v'",                             // 14
    "   export * from 'w' */ const m = await import('commander');", // 15
    "obj.import('not-an-import'); const reimport = 1;",  // 16
  ].join('\n');
  assert.deepEqual(checker.findImports(src), [
    { spec: './a.js', line: 1 },
    { spec: '../common/types.js', line: 2 },
    { spec: '../engine/e.js', line: 3 },
    { spec: 'node:path', line: 9 },
    { spec: './c.js', line: 10 },
    { spec: '../sql/d.js', line: 11 },
    { spec: './side.js', line: 12 },
    { spec: 'commander', line: 15 },
  ]);
});

test('a tree that respects the layering passes', () => {
  const root = fixture({
    'src/common/types.ts': "export const A = 1;\nconst s = \"import x from '../cli/main.js'\";\n",
    'src/common/row.ts': "import { A } from './types.js';\nexport const B = A;\n",
    'src/sql/parser.ts': "import { A } from '../common/types.js';\nexport const P = A;\n",
    'src/functions/f.ts': "import { P } from '../sql/parser.js';\nimport type { B } from '../common/row.js';\nexport const F = P;\n",
    'src/aggregates/sum.ts': "import { A } from '../common/types.js';\nexport const S = A;\n",
    'src/plan/plan.ts': "import { F } from '../functions/f.js';\nimport { S } from '../aggregates/sum.js';\nexport { F, S };\n",
    'src/engine/run.ts': "import { readFileSync } from 'node:fs';\nimport path from 'path';\nimport { Command } from 'commander';\nexport * from '../plan/plan.js';\n",
    'src/connectors/file/source.ts': "import '../../engine/run.js';\nimport { x } from './util.js';\n",
    'src/connectors/file/util.ts': 'export const x = 1;\n',
    'src/serving/api.ts': "export const m = () => import('../connectors/file/source.js');\n",
    'src/batch/job.ts': "import { F } from '../functions/f.js';\n",
    'src/cli/main.ts': "import '../serving/api.js';\nimport '../batch/job.js';\nimport { writeFile } from 'node:fs/promises';\n",
    'src/index.ts': "export * from './cli/main.js';\n",
  });
  try {
    const { status, lines } = run(root);
    assert.equal(status, 0, lines.join('\n'));
    assert.deepEqual(lines, ['check-layers: 13 files, 19 imports, layering ok']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('every kind of violation is reported with file, line, specifier and layers', () => {
  const root = fixture({
    'src/common/bad.ts': "// upward import\n\nimport { E } from '../engine/e.js';\n",
    'src/functions/f.ts': "import { S } from '../aggregates/a.js';\n",
    'src/aggregates/a.ts': "export const S = 1;\n",
    'src/sql/io.ts': [
      "import { readFileSync } from 'node:fs';",
      "import { readFile } from 'fs/promises';",
      "import { Command } from 'commander';",
      "export const load = () => import('path');",
      "import type { Foo } from '@scope/pkg/sub';",
    ].join('\n') + '\n',
    'src/plan/p.ts': "export * from '../engine/e.js';\n",
    'src/program/x.ts': "const a = 1;\nimport {\n  E,\n} from '../engine/e.js';\nimport { C } from '../catalog/c.js';\nimport '../../package.json';\n",
    'src/catalog/c.ts': "export const E = 1;\n",
    'src/engine/e.ts': "import { readFileSync } from 'node:fs';\nexport { x } from '../index.js';\nconst s = 'import y from \"../cli/main.js\"';\n",
    'src/serving/s.ts': "import { j } from '../batch/j.js';\n",
    'src/batch/j.ts': "export const j = 1;\n",
    'src/web/page.ts': "export const w = 1;\n",
    'src/index.ts': "export const x = 1;\n",
  });
  try {
    const { status, lines } = run(root);
    assert.equal(status, 1);
    assert.deepEqual(lines, [
      "src/common/bad.ts:3 imports '../engine/e.js' (layer common → engine)",
      "src/engine/e.ts:2 imports '../index.js' (layer engine → (src root))",
      "src/functions/f.ts:1 imports '../aggregates/a.js' (layer functions → aggregates)",
      "src/plan/p.ts:1 imports '../engine/e.js' (layer plan → engine)",
      "src/program/x.ts:2 imports '../engine/e.js' (layer program → engine)",
      "src/program/x.ts:6 imports '../../package.json' (layer program → outside src)",
      "src/serving/s.ts:1 imports '../batch/j.js' (layer serving → batch)",
      "src/sql/io.ts:1 imports 'node:fs' (layer sql → node built-in)",
      "src/sql/io.ts:2 imports 'fs/promises' (layer sql → node built-in)",
      "src/sql/io.ts:3 imports 'commander' (layer sql → npm package)",
      "src/sql/io.ts:4 imports 'path' (layer sql → node built-in)",
      "src/sql/io.ts:5 imports '@scope/pkg/sub' (layer sql → npm package)",
      "src/web/page.ts:1 is in folder 'web', which has no layer (add it to LAYER_RANK in scripts/check-layers.mjs)",
      'check-layers: 13 violation(s) in 12 files',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('bad usage and a missing src/ exit with status 2', () => {
  const r = spawnSync(process.execPath, [script, '--bogus'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  const empty = mkdtempSync(path.join(tmpdir(), 'freshet-layers-'));
  try {
    const r2 = spawnSync(process.execPath, [script, '--root', empty], { encoding: 'utf8' });
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /cannot read/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test("Freshet's own src/ respects the layering", () => {
  const { status, lines } = run(repoRoot);
  assert.equal(status, 0, lines.join('\n'));
  assert.match(lines[lines.length - 1] ?? '', /^check-layers: \d+ files, \d+ imports, layering ok$/);
});
