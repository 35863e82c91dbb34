/** Project over Project becomes one Project by substituting the inner expressions into the outer ones. */
import type { LogicalNode } from '../logical-plan.js';
import { mapCols } from '../bound-expr.js';

export function mergeProjects(n: LogicalNode): LogicalNode | undefined {
  if (n.kind !== 'project' || n.input.kind !== 'project') return undefined;
  const inner = n.input;
  // Substitution duplicates work when an inner non-trivial expression is used more than once; keep those apart.
  const uses = new Map<number, number>();
  for (const e of n.exprs) mapCols(e, (c) => { uses.set(c.index, (uses.get(c.index) ?? 0) + 1); return c; });
  for (const [i, k] of uses) { const x = inner.exprs[i]!; if (k > 1 && x.kind !== 'col' && x.kind !== 'lit') return undefined; }
  const exprs = n.exprs.map((e) => mapCols(e, (c) => inner.exprs[c.index]!));
  return { ...n, input: inner.input, exprs };
}
