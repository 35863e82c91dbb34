/** Shared helpers of the SQL front-end tests: parse-or-fail wrappers and span/quoting stripping for AST equality. */

import assert from 'node:assert/strict';
import type { Expr, QueryExpr, Statement, TypeNode } from '../../src/sql/ast.js';
import { parseDataType, parseExpression, parseQuery, parseScript } from '../../src/sql/parser.js';

/** Parses one statement and asserts there were no diagnostics. */
export function stmt(text: string): Statement {
  const r = parseScript(text);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics for: ${text}`);
  assert.equal(r.statements.length, 1, `expected one statement in: ${text}`);
  return r.statements[0]!;
}

export function expr(text: string): Expr {
  const r = parseExpression(text);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics for: ${text}`);
  assert.ok(r.value);
  return r.value;
}

export function query(text: string): QueryExpr {
  const r = parseQuery(text);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics for: ${text}`);
  assert.ok(r.value);
  return r.value;
}

export function type(text: string): TypeNode {
  const r = parseDataType(text);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics for: ${text}`);
  assert.ok(r.value);
  return r.value;
}

/** Deep copy without `span` fields and with identifier quoting erased (quoting is presentation only). */
export function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'span') continue;
      if (k === 'quoted') continue;
      out[k] = strip(x);
    }
    return out;
  }
  return v;
}

/** Narrows a node to a kind or fails the test. */
export function as<K extends string, T extends { kind: string }>(node: T | undefined, kind: K): Extract<T, { kind: K }> {
  assert.ok(node, `expected a ${kind} node, got undefined`);
  assert.equal(node.kind, kind);
  return node as Extract<T, { kind: K }>;
}
