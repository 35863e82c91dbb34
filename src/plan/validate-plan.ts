/**
 * Final checks on a bound plan before lowering: constructs that bound fine locally but cannot run as a whole
 * (a ROW_NUMBER() no outer filter bounded, a SESSION window table function not consumed by an aggregation).
 */
import type { DiagnosticBag, Span } from '../common/diagnostics.js';
import type { LogicalNode } from './logical-plan.js';
import { inputsOf } from './logical-plan.js';
import { PlanErrors as E } from './plan-error-codes.js';

export function validatePlan(plan: LogicalNode, bag: DiagnosticBag, span: Span | undefined): void {
  const seen = new Set<LogicalNode>();
  const visit = (n: LogicalNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'rank' && !Number.isFinite(n.rankEnd)) {
      bag.error(E.NotSupported, 'ROW_NUMBER() must be bounded by a filter such as `rownum <= N` in the enclosing query', n.span ?? span,
        'Top-N and deduplication are ROW_NUMBER() OVER (...) in a subquery filtered by WHERE rownum <= N outside');
    }
    if (n.kind === 'windowTvf' && n.window.kind === 'SESSION') {
      bag.error(E.NotSupported, 'a SESSION window table function must be aggregated (GROUP BY window_start, window_end)', span);
    }
    for (const c of inputsOf(n)) visit(c);
  };
  visit(plan);
}
