#!/usr/bin/env node
/**
 * Enforces Freshet's one-way layering of `src/`.
 *
 * Every `src/**\/*.ts` file belongs to the layer named by its first folder under `src/`. A file may import only from
 * its own layer or from a lower-ranked one; layers of equal rank (functions/aggregates; batch/flink/serving) must not
 * import each other. Browser-safe layers must import neither Node built-ins nor npm packages, because the parser,
 * functions, aggregates, planner and program compiler also run in the browser editor.
 *
 * Import statements are found on a copy of each file in which comments and the contents of string, template and
 * regex literals are blanked out (lengths and newlines preserved), so that SQL text or examples inside strings are
 * never mistaken for imports; the specifier itself is then read back from the original text at the same offsets.
 * `import type` counts like any other import: layering is about design dependencies, not only runtime ones.
 *
 * Usage: node scripts/check-layers.mjs [--root DIR]   (DIR defaults to the repository root; it scans DIR/src)
 * Exit status: 0 when clean, 1 when any violation is found, 2 on bad usage.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Layer ranks, lowest first. Equal numbers are peers that must not import each other. */
export const LAYER_RANK = {
  common: 0,
  sql: 1,
  functions: 2,
  aggregates: 2,
  catalog: 3,
  plan: 4,
  program: 5,
  engine: 6,
  formats: 7,
  connectors: 8,
  runtime: 9,
  batch: 10,
  flink: 10,
  serving: 10,
  server: 11,
  cli: 12,
};

/** Layers that also run in the browser: no Node built-ins, no npm packages. */
export const BROWSER_SAFE = new Set(['common', 'sql', 'functions', 'aggregates', 'plan', 'program']);

/** Files directly in src/ (an index, say) sit above every layer: they may import anything, nothing may import them. */
const ROOT_LAYER = '(src root)';
const ROOT_RANK = Number.MAX_SAFE_INTEGER;

const BUILTINS = new Set(builtinModules);

function rankOf(layer) {
  if (layer === ROOT_LAYER) return ROOT_RANK;
  return Object.hasOwn(LAYER_RANK, layer) ? LAYER_RANK[layer] : undefined;
}

/** Lists `*.ts` files under dir, sorted, skipping node_modules. */
function listTsFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules') continue;
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.endsWith('.ts')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const REGEX_PRECEDERS = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_KEYWORDS = new Set(['return', 'typeof', 'case', 'in', 'of', 'delete', 'void', 'throw', 'new', 'else', 'do', 'yield', 'await']);

/**
 * Returns `src` with comments and literal contents replaced by spaces (quotes and newlines kept), so offsets and
 * line numbers are unchanged. Regex literals are recognised by the usual previous-token heuristic.
 */
export function blankLiterals(src) {
  const out = src.split('');
  const n = src.length;
  const blank = (from, to) => { for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '; };
  // Stack of brace depths at which a template literal's `${` was opened.
  const templateStack = [];
  let braceDepth = 0;
  let lastSignificant = ''; // last non-space code character, for the regex heuristic
  let lastWord = '';
  let i = 0;

  const skipString = (quote) => { // i at the opening quote; returns index after the closing quote
    let j = i + 1;
    while (j < n && src[j] !== quote && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
    blank(i + 1, Math.min(j, n));
    return j + 1;
  };
  // Scans template text from j until the closing backtick or a `${`; returns [index, endedWithInterpolation].
  const skipTemplateText = (j) => {
    const start = j;
    while (j < n) {
      if (src[j] === '\\') { j += 2; continue; }
      if (src[j] === '`') { blank(start, j); return [j + 1, false]; }
      if (src[j] === '$' && src[j + 1] === '{') { blank(start, j); return [j + 2, true]; }
      j++;
    }
    blank(start, n);
    return [n, false];
  };

  while (i < n) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      let j = i;
      while (j < n && src[j] !== '\n') j++;
      blank(i, j); i = j; continue;
    }
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const j = end < 0 ? n : end + 2;
      blank(i, j); i = j; continue;
    }
    if (c === '\'' || c === '"') { i = skipString(c); lastSignificant = c; lastWord = ''; continue; }
    if (c === '`') {
      const [j, interp] = skipTemplateText(i + 1);
      if (interp) templateStack.push(braceDepth);
      i = j; lastSignificant = interp ? '{' : '`'; lastWord = ''; continue;
    }
    if (c === '}' && templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth) {
      templateStack.pop();
      const [j, interp] = skipTemplateText(i + 1);
      if (interp) templateStack.push(braceDepth);
      i = j; lastSignificant = interp ? '{' : '`'; lastWord = ''; continue;
    }
    if (c === '/' && (lastSignificant === '' || REGEX_PRECEDERS.has(lastSignificant) || REGEX_KEYWORDS.has(lastWord))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n') {
        if (src[j] === '\\') { j += 2; continue; }
        if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        else if (src[j] === '/' && !inClass) break;
        j++;
      }
      blank(i + 1, Math.min(j, n));
      i = j + 1;
      while (i < n && /[a-z]/i.test(src[i])) i++;
      lastSignificant = '/'; lastWord = ''; continue;
    }
    if (c === '{') braceDepth++;
    else if (c === '}') braceDepth--;
    if (/[A-Za-z0-9_$]/.test(c)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_$]/.test(src[j])) j++;
      lastWord = src.slice(i, j);
      lastSignificant = src[j - 1];
      i = j; continue;
    }
    if (!/\s/.test(c)) { lastSignificant = c; lastWord = ''; }
    i++;
  }
  return out.join('');
}

// Each pattern ends on the opening quote of the specifier (capture group `q`); the specifier is read from the
// original text. `(?<![.\w$])` keeps `x.import(...)` and identifiers such as `reimport` out.
const IMPORT_PATTERNS = [
  // import x from '...'; import { a, type b } from '...'; import * as ns from '...'; import type T from '...'
  /(?<![.\w$])import\s+(?:type\s+)?[\w$*{},\s]*?\bfrom\s*(?<q>['"])/g,
  // import '...'  (side effect only)
  /(?<![.\w$])import\s*(?<q>['"])/g,
  // export * from '...'; export { a } from '...'; export * as ns from '...'; export type { T } from '...'
  /(?<![.\w$])export\s+(?:type\s+)?[\w$*{},\s]*?\bfrom\s*(?<q>['"])/g,
  // import('...')
  /(?<![.\w$])import\s*\(\s*(?<q>['"`])/g,
];

/** Finds the import specifiers of one file's text: [{ spec, line }] in source order, lines 1-based. */
export function findImports(src) {
  const blanked = blankLiterals(src);
  // quote offset -> { spec, start }: two patterns can only match one statement at the same quote.
  const found = new Map();
  for (const re of IMPORT_PATTERNS) {
    re.lastIndex = 0;
    for (let m; (m = re.exec(blanked)) !== null;) {
      const qStart = m.index + m[0].length - 1;
      const quote = blanked[qStart];
      const qEnd = blanked.indexOf(quote, qStart + 1);
      if (qEnd < 0) continue;
      const prev = found.get(qStart);
      if (!prev || prev.start > m.index) found.set(qStart, { spec: src.slice(qStart + 1, qEnd), start: m.index });
    }
  }
  const lineStarts = [0];
  for (let k = 0; k < src.length; k++) if (src[k] === '\n') lineStarts.push(k + 1);
  const lineOf = (offset) => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1; }
    return lo + 1;
  };
  // Reported on the line of the `import`/`export` keyword, where a reader looks for the statement.
  return [...found.values()].sort((a, b) => a.start - b.start).map(({ spec, start }) => ({ spec, line: lineOf(start) }));
}

/** Layer of a path relative to src/ ('engine/x.ts' -> 'engine'; 'index.ts' -> root). */
function layerOfRel(rel) {
  const parts = rel.split(/[\\/]/);
  return parts.length === 1 ? ROOT_LAYER : parts[0];
}

/** Checks the tree under root/src. Returns { files, imports, violations: string[] }. */
export function checkTree(root) {
  const srcDir = path.join(root, 'src');
  const files = listTsFiles(srcDir);
  const violations = [];
  let imports = 0;
  for (const file of files) {
    const relFromRoot = path.relative(root, file).split(path.sep).join('/');
    const fromLayer = layerOfRel(path.relative(srcDir, file));
    const fromRank = rankOf(fromLayer);
    if (fromRank === undefined) {
      violations.push(`${relFromRoot}:1 is in folder '${fromLayer}', which has no layer (add it to LAYER_RANK in scripts/check-layers.mjs)`);
      continue;
    }
    for (const { spec, line } of findImports(readFileSync(file, 'utf8'))) {
      imports++;
      const at = `${relFromRoot}:${line} imports '${spec}'`;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = path.resolve(path.dirname(file), spec);
        const rel = path.relative(srcDir, target);
        if (rel.startsWith('..') || path.isAbsolute(rel)) {
          if (BROWSER_SAFE.has(fromLayer)) violations.push(`${at} (layer ${fromLayer} → outside src)`);
          continue;
        }
        const toLayer = layerOfRel(rel);
        if (toLayer === fromLayer) continue;
        const toRank = rankOf(toLayer);
        if (toRank === undefined || toRank >= fromRank) violations.push(`${at} (layer ${fromLayer} → ${toLayer})`);
        continue;
      }
      const bare = spec.startsWith('node:') ? spec : spec.split('/')[0];
      const isBuiltin = spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(bare);
      if (BROWSER_SAFE.has(fromLayer)) {
        violations.push(`${at} (layer ${fromLayer} → ${isBuiltin ? 'node built-in' : 'npm package'})`);
      }
    }
  }
  return { files: files.length, imports, violations };
}

function main(argv) {
  let root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--root' && argv[k + 1] !== undefined) root = path.resolve(argv[++k]);
    else { process.stderr.write('usage: node scripts/check-layers.mjs [--root DIR]\n'); return 2; }
  }
  let result;
  try {
    result = checkTree(root);
  } catch (e) {
    process.stderr.write(`check-layers: cannot read ${path.join(root, 'src')}: ${e instanceof Error ? e.message : e}\n`);
    return 2;
  }
  for (const v of result.violations) process.stdout.write(v + '\n');
  if (result.violations.length > 0) {
    process.stdout.write(`check-layers: ${result.violations.length} violation(s) in ${result.files} files\n`);
    return 1;
  }
  process.stdout.write(`check-layers: ${result.files} files, ${result.imports} imports, layering ok\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
