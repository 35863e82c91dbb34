/**
 * Generic traversal of expression syntax trees for the analyzer: finds sub-expressions (aggregate calls, OVER calls)
 * without descending into subqueries, and gives sub-trees a structural key (spans ignored) so equal expressions
 * written twice are recognised as one (e.g. `GROUP BY a + 1` ... `SELECT a + 1`).
 */
import type * as A from '../sql/ast.js';

const QUERY_KINDS = new Set(['Query', 'Select', 'SetOperation', 'Values']);

/** Calls `visit` on every expression node under `e` (pre-order). Returning false stops descent below that node. */
export function walkExpr(e: unknown, visit: (node: A.Expr) => boolean | void): void {
  if (e === null || typeof e !== 'object') return;
  if (Array.isArray(e)) { for (const x of e) walkExpr(x, visit); return; }
  const node = e as { kind?: string };
  if (typeof node.kind === 'string') {
    if (QUERY_KINDS.has(node.kind)) return;
    if ('span' in node && visit(node as A.Expr) === false) return;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span' || v === null || typeof v !== 'object') continue;
    walkExpr(v, visit);
  }
}

/** A structural key of a syntax tree: equal for trees that differ only in spans. */
export function astKey(node: unknown): string {
  return JSON.stringify(node, (k, v: unknown) => (k === 'span' ? undefined : v));
}
