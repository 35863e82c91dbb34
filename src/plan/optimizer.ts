/**
 * Optimizer: rewrite rules that must not change a query's meaning, applied bottom-up to a fixpoint. One rule per
 * file in ./rules. (Analyzer rules that may change meaning, such as type coercion, live in the binder.)
 */
import type { LogicalNode } from './logical-plan.js';
import { removeIdentityProject } from './rules/remove-identity-project.js';
import { mergeProjects } from './rules/merge-projects.js';

export type Rule = (n: LogicalNode) => LogicalNode | undefined;

const RULES: Rule[] = [removeIdentityProject, mergeProjects];

function withInputs(n: LogicalNode, f: (c: LogicalNode) => LogicalNode): LogicalNode {
  switch (n.kind) {
    case 'scan': case 'values': return n;
    case 'union': return { ...n, inputs: n.inputs.map(f) };
    case 'join': return { ...n, left: f(n.left), right: f(n.right) };
    default: return { ...n, input: f(n.input) } as LogicalNode;
  }
}

export function optimize(plan: LogicalNode): LogicalNode {
  const visit = (n: LogicalNode): LogicalNode => {
    let cur = withInputs(n, visit);
    for (let changed = true, guard = 0; changed && guard < 100; guard++) {
      changed = false;
      for (const r of RULES) {
        const next = r(cur);
        if (next && next !== cur) { cur = next; changed = true; }
      }
    }
    return cur;
  };
  return visit(plan);
}
