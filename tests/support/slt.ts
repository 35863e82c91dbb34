/**
 * A sqllogictest-style golden format for streaming SQL, with an update mode (FRESHET_UPDATE_GOLDENS=1 rewrites the
 * expected blocks in place).
 *
 *   # comment
 *   statement ok                -- DDL / SET that later records build on (checked to compile without errors)
 *   CREATE TABLE ...
 *
 *   query rowsort               -- runs the accumulated statements + this query; compares the final result
 *   SELECT ...                     (modes: rowsort = sorted JSON lines, ordered = as produced,
 *   ----                            changelog = every change with its op, explain = the plan, not run)
 *   {"a":1}
 *
 *   error                       -- compiles the accumulated statements + this text; expects diagnostics
 *   SELECT amout FROM t
 *   ----
 *   BIND202 1:8 unknown column 'amout'; did you mean 'amount'?
 *
 * Records are separated by blank lines; SQL may not contain blank lines (use comments).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runSql, compileSql } from '../../src/runtime/sql-session.js';
import { rowToJson } from '../../src/cli/json-lines.js';
import { ROW_KIND_SHORT } from '../../src/common/row.js';

export interface SltRecord {
  kind: 'statement' | 'query' | 'error';
  mode: string;
  sql: string;
  expected: string[];
  /** Line of the record header (1-based) for messages. */
  line: number;
  /** Index range of the expected block in the file's lines, for update mode. */
  expStart: number;
  expEnd: number;
  hasSeparator: boolean;
}

export function parseSlt(text: string): SltRecord[] {
  const lines = text.split('\n');
  const out: SltRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) { i++; continue; }
    const [head, ...rest] = l.split(/\s+/);
    if (head !== 'statement' && head !== 'query' && head !== 'error') throw new Error(`line ${i + 1}: unknown record '${l}'`);
    const line = i + 1;
    i++;
    const sql: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && lines[i]!.trim() !== '----') sql.push(lines[i++]!);
    const expected: string[] = [];
    let hasSeparator = false;
    let expStart = i, expEnd = i;
    if (i < lines.length && lines[i]!.trim() === '----') {
      hasSeparator = true;
      i++;
      expStart = i;
      while (i < lines.length && lines[i]!.trim() !== '') expected.push(lines[i++]!);
      expEnd = i;
    }
    out.push({ kind: head, mode: rest.join(' ') || (head === 'query' ? 'rowsort' : 'ok'), sql: sql.join('\n'), expected, line, expStart, expEnd, hasSeparator });
  }
  return out;
}

export interface SltOutcome { record: SltRecord; actual: string[]; ok: boolean; message?: string }

export async function runSltFile(file: string, update: boolean): Promise<SltOutcome[]> {
  const text = readFileSync(file, 'utf8');
  const records = parseSlt(text);
  const baseDir = dirname(file);
  let context = '';
  const outcomes: SltOutcome[] = [];
  for (const r of records) {
    if (r.kind === 'statement') {
      const script = `${context}\n${r.sql};\n`;
      const c = compileSql(script, { baseDir });
      const errs = c.diagnostics.filter((d) => d.severity === 'error');
      const ok = r.mode === 'ok' ? errs.length === 0 : errs.length > 0;
      outcomes.push({ record: r, actual: errs.map((d) => `${d.code} ${d.message}`), ok, ...(ok ? {} : { message: `statement at line ${r.line}: ${errs.map((d) => `${d.code} ${d.message}`).join('; ')}` }) });
      context = script;
      continue;
    }
    const prefixLines = `${context}\n`.split('\n').length - 1;
    const script = `${context}\n${r.sql};\n`;
    let actual: string[];
    if (r.kind === 'query' && r.mode === 'explain') {
      const c = compileSql(`${context}\nEXPLAIN ${r.sql};\n`, { baseDir });
      const errs = c.diagnostics.filter((d) => d.severity === 'error');
      // Blank lines separate records in this format, so they are dropped from the plan text.
      actual = errs.length ? errs.map((d) => `ERROR ${d.code} ${d.message}`) : (c.explains[0] ?? '').split('\n').filter((l) => l.trim() !== '');
    } else if (r.kind === 'error') {
      const c = compileSql(script, { baseDir });
      actual = c.diagnostics.map((d) => `${d.code}${d.span ? ` ${d.span.line - prefixLines}:${d.span.column}` : ''} ${d.message}${d.hint ? `; ${d.hint}` : ''}`);
      if (c.diagnostics.length === 0) {
        // Runtime errors (e.g. a malformed input line with ignore-parse-errors off) are expected errors too.
        try {
          const res = await runSql(script, { baseDir });
          actual = res.diagnostics.map((d) => `${d.code} ${d.message}`);
          if (actual.length === 0) actual = ['(no error)'];
        } catch (err) {
          const e = err as { diagnostics?: { code: string; message: string }[]; message: string };
          actual = e.diagnostics ? e.diagnostics.map((d) => `${d.code} ${d.message}`) : [`(exception) ${e.message}`];
        }
      }
    } else {
      const changes: string[] = [];
      const changelog = r.mode.includes('changelog');
      let tz = 'UTC';
      try {
        const res = await runSql(script, { baseDir, ...(changelog ? { onChange: (_q: string, row: unknown[], kind: number) => changes.push(`${ROW_KIND_SHORT[kind]} ${JSON.stringify(row)}`) } : {}) });
        if (res.diagnostics.some((d) => d.severity === 'error')) {
          actual = res.diagnostics.map((d) => `ERROR ${d.code} ${d.message}`);
        } else {
          tz = res.compiled.config['table.local-time-zone'] ?? 'UTC';
          const q = res.results[res.results.length - 1];
          if (changelog) {
            const fields = q?.fields ?? [];
            actual = [];
            // Re-render the captured changes with the query's column names and types.
            for (const c of changes) {
              const sp = c.indexOf(' ');
              actual.push(`${c.slice(0, sp)} ${rowToJson(JSON.parse(c.slice(sp + 1)) as unknown[], fields, tz)}`);
            }
          } else {
            actual = (q?.rows ?? []).map((row) => rowToJson(row, q!.fields, tz));
          }
          if (r.mode.includes('rowsort')) actual.sort();
        }
      } catch (err) {
        const e = err as { diagnostics?: { code: string; message: string }[]; message: string };
        actual = e.diagnostics ? e.diagnostics.map((d) => `ERROR ${d.code} ${d.message}`) : [`(exception) ${e.message}`];
      }
    }
    const ok = update || (r.hasSeparator && actual.join('\n') === r.expected.join('\n'));
    outcomes.push({ record: r, actual, ok, ...(ok ? {} : { message: `line ${r.line}: expected\n${r.expected.join('\n')}\n--- but got ---\n${actual.join('\n')}` }) });
  }
  if (update) {
    const lines = text.split('\n');
    // Rewrite expected blocks from the last record backwards so earlier indices stay valid.
    for (const o of [...outcomes].reverse()) {
      const r = o.record;
      if (r.kind === 'statement') continue;
      if (r.hasSeparator) lines.splice(r.expStart, r.expEnd - r.expStart, ...o.actual);
      else lines.splice(r.expStart, 0, '----', ...o.actual);
    }
    writeFileSync(file, lines.join('\n'));
  }
  return outcomes;
}
