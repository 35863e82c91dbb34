#!/usr/bin/env node
// Lists every diagnostic code used in src/ with where it is defined or raised, and (with --check) verifies that each
// one is documented in docs/error-codes.md. `node scripts/error-codes.mjs --write` regenerates the catalog section.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CODE = /'((?:SQL|BIND|TYPE|PLAN|RUN|CONN|FN|DICT|FLINK|SERVE|OFF|JOB|ALERT)\d{3})'/g;
const NAMED = /([A-Za-z]+): '((?:SQL|BIND|TYPE|PLAN|RUN|CONN|FN|DICT|FLINK|SERVE|OFF|JOB|ALERT)\d{3})'/g;

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

export function collect() {
  const codes = new Map();
  for (const f of files(path.join(root, 'src'))) {
    const text = readFileSync(f, 'utf8');
    const rel = path.relative(root, f);
    for (const m of text.matchAll(CODE)) {
      const e = codes.get(m[1]) ?? { names: new Set(), files: new Set() };
      e.files.add(rel);
      codes.set(m[1], e);
    }
    for (const m of text.matchAll(NAMED)) codes.get(m[2]).names.add(m[1].replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2').toLowerCase());
  }
  return [...codes.entries()].sort(([a], [b]) => a.localeCompare(b));
}

const BEGIN = '<!-- codes:begin -->';
const END = '<!-- codes:end -->';

function table(codes) {
  const rows = codes.map(([code, e]) => `| \`${code}\` | ${[...e.names].join('; ') || '—'} | ${[...e.files].slice(0, 2).map((f) => `\`${f}\``).join(', ')} |`);
  return `${BEGIN}\n| code | meaning | where |\n| --- | --- | --- |\n${rows.join('\n')}\n${END}`;
}

const doc = path.join(root, 'docs/error-codes.md');
const codes = collect();
if (process.argv.includes('--write')) {
  let text = readFileSync(doc, 'utf8');
  const i = text.indexOf(BEGIN), j = text.indexOf(END);
  text = i >= 0 && j > i ? text.slice(0, i) + table(codes) + text.slice(j + END.length) : `${text.trimEnd()}\n\n## All codes\n\n${table(codes)}\n`;
  writeFileSync(doc, text);
} else if (process.argv.includes('--check')) {
  const text = readFileSync(doc, 'utf8');
  const missing = codes.filter(([c]) => !text.includes(`\`${c}\``)).map(([c]) => c);
  if (missing.length) { console.error(`undocumented codes (run node scripts/error-codes.mjs --write): ${missing.join(', ')}`); process.exit(1); }
  console.log(`error codes: ${codes.length} documented`);
} else {
  for (const [c, e] of codes) console.log(`${c}\t${[...e.names].join('; ')}\t${[...e.files].join(', ')}`);
}
