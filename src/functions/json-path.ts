/**
 * SQL/JSON path expressions, the subset Flink users write: `[lax|strict] $`, `.key`, `."key"`, `['key']`, `["key"]`,
 * `[n]`, `[*]`, `.*`. Lax mode (the default) treats a missing member as empty and applies member access to each
 * element of an array; strict mode raises an error for both. A path with a wildcard yields its matches as one array
 * (as Flink's JsonPath-based implementation does), otherwise a single item.
 */
import type { Json } from './json-value.js';

type Step = { kind: 'member'; name: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };
export interface JsonPath { strict: boolean; steps: Step[]; wildcard: boolean }

export class JsonPathError extends Error {}

const cache = new Map<string, JsonPath | JsonPathError>();

export function compileJsonPath(text: string): JsonPath {
  let c = cache.get(text);
  if (!c) {
    try { c = parsePath(text); } catch (e) { c = e instanceof JsonPathError ? e : new JsonPathError(String(e)); }
    if (cache.size > 1000) cache.clear();
    cache.set(text, c);
  }
  if (c instanceof JsonPathError) throw c;
  return c;
}

function parsePath(text: string): JsonPath {
  let s = text.trim();
  let strict = false;
  const mode = /^(lax|strict)\s+/i.exec(s);
  if (mode) { strict = mode[1]!.toLowerCase() === 'strict'; s = s.slice(mode[0].length); }
  if (s[0] !== '$') throw new JsonPathError(`JSON path must start with '$': '${text}'`);
  const steps: Step[] = [];
  let wildcard = false;
  let i = 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '.') {
      i++;
      if (s[i] === '*') { steps.push({ kind: 'wildcard' }); wildcard = true; i++; continue; }
      if (s[i] === '"') {
        const end = s.indexOf('"', i + 1);
        if (end < 0) throw new JsonPathError(`unterminated quote in JSON path '${text}'`);
        steps.push({ kind: 'member', name: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
      if (s[i] === '[') continue; // '$.["a b"]' form used in Flink docs
      const m = /^[A-Za-z_$][\w$]*/.exec(s.slice(i));
      if (!m) throw new JsonPathError(`invalid member name in JSON path '${text}'`);
      steps.push({ kind: 'member', name: m[0] });
      i += m[0].length;
    } else if (c === '[') {
      const rest = s.slice(i);
      let m: RegExpExecArray | null;
      if ((m = /^\[\s*\*\s*\]/.exec(rest))) { steps.push({ kind: 'wildcard' }); wildcard = true; } else if ((m = /^\[\s*(\d+)\s*\]/.exec(rest))) steps.push({ kind: 'index', index: Number(m[1]) });
      else if ((m = /^\[\s*'((?:[^'\\]|\\.)*)'\s*\]/.exec(rest)) || (m = /^\[\s*"((?:[^"\\]|\\.)*)"\s*\]/.exec(rest))) steps.push({ kind: 'member', name: m[1]! });
      else throw new JsonPathError(`invalid subscript in JSON path '${text}'`);
      i += m[0].length;
    } else if (c === ' ') {
      i++;
    } else {
      throw new JsonPathError(`unexpected '${c}' in JSON path '${text}'`);
    }
  }
  return { strict, steps, wildcard };
}

/** Evaluates a path: the sequence of matching items. Throws JsonPathError for structural errors in strict mode. */
export function evalJsonPath(path: JsonPath, root: Json): Json[] {
  let cur: Json[] = [root];
  for (const step of path.steps) {
    const next: Json[] = [];
    for (const v of cur) applyStep(step, v, path.strict, next);
    cur = next;
  }
  return cur;
}

function applyStep(step: Step, v: Json, strict: boolean, out: Json[]): void {
  switch (step.kind) {
    case 'member':
      if (v instanceof Map) {
        if (v.has(step.name)) out.push(v.get(step.name)!);
        else if (strict) throw new JsonPathError(`no member '${step.name}'`);
      } else if (Array.isArray(v) && !strict) {
        for (const e of v) applyStep(step, e, strict, out);
      } else if (strict) throw new JsonPathError(`member access '${step.name}' on a non-object`);
      return;
    case 'index':
      if (Array.isArray(v)) {
        if (step.index < v.length) out.push(v[step.index]!);
        else if (strict) throw new JsonPathError(`array index ${step.index} out of bounds`);
      } else if (!strict) {
        if (step.index === 0) out.push(v);
      } else throw new JsonPathError('array access on a non-array');
      return;
    case 'wildcard':
      if (Array.isArray(v)) out.push(...v);
      else if (v instanceof Map) out.push(...v.values());
      else if (strict) throw new JsonPathError('wildcard on a scalar');
      return;
  }
}
