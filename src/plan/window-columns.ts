/**
 * Finds the window_start / window_end / window_time columns a plan carries from a window TVF or window aggregation,
 * following them through projections and filters. Window joins and window Top-N need to know that a column really
 * is a window property, not merely named like one.
 */
import type { LogicalNode } from './logical-plan.js';

export interface WindowColumns { start: number; end: number; time?: number }

export function windowColumnsOf(n: LogicalNode): WindowColumns | undefined {
  switch (n.kind) {
    case 'windowTvf': {
      const k = n.input.fields.length;
      return { start: k, end: k + 1, time: k + 2 };
    }
    case 'windowAggregate': {
      const k = n.groupKeys.length + n.aggs.length;
      return { start: k, end: k + 1, time: k + 2 };
    }
    case 'filter': return windowColumnsOf(n.input);
    case 'project': {
      const inner = windowColumnsOf(n.input);
      if (!inner) return undefined;
      const find = (i: number | undefined): number => (i === undefined ? -1 : n.exprs.findIndex((e) => e.kind === 'col' && e.index === i));
      const start = find(inner.start), end = find(inner.end), time = find(inner.time);
      if (start < 0 || end < 0) return undefined;
      return time >= 0 ? { start, end, time } : { start, end };
    }
    default: return undefined;
  }
}
