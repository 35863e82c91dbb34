/** Shared fixtures of the session window and early-fire tests. */
import type { Row } from '../../../src/common/row.js';
import { T, type RowField } from '../../../src/common/types.js';
import { SessionWindowAggregateOperator, type SessionWindowAggregateOp } from '../../../src/engine/operators/session-window-aggregate-operator.js';
import type { AggCallDesc } from '../../../src/plan/logical-plan.js';
import { attach, evalCtx, makeCtx, mulberry32 } from '../ranks/harness.js';

export const GAP = 5000;

export const FIELDS: RowField[] = [{ name: 'k', type: T.string() }, { name: 'v', type: T.int() }, { name: 'ts', type: { ...T.timestamp(3), timeAttr: 'rowtime' } }];
export const AGGS: AggCallDesc[] = [
  { name: 'COUNT', args: [], argTypes: [], distinct: false, resultType: T.bigint(false), outName: 'c' },
  { name: 'SUM', args: [1], argTypes: [T.int()], distinct: false, resultType: T.int(), outName: 's' },
  { name: 'MAX', args: [1], argTypes: [T.int()], distinct: false, resultType: T.int(), outName: 'm' },
];
export function sessionOp(over: Partial<SessionWindowAggregateOp> = {}): SessionWindowAggregateOp {
  return {
    kind: 'sessionWindowAggregate', id: '2:SessionWindowAggregate', inputs: ['1'], updating: false,
    fields: [FIELDS[0]!, { name: 'c', type: T.bigint(false) }, { name: 's', type: T.int() }, { name: 'm', type: T.int() },
      { name: 'window_start', type: T.timestamp(3) }, { name: 'window_end', type: T.timestamp(3) }, { name: 'window_time', type: T.timestamp(3) }],
    window: { kind: 'SESSION', timeCol: 2, size: 0, offset: 0, gap: GAP, partitionKeys: [0], procTime: false },
    groupKeys: [0], aggs: AGGS, ...over,
  };
}

export function make(p: SessionWindowAggregateOp) {
  const ctx = makeCtx();
  const op = new SessionWindowAggregateOperator(p, ctx, evalCtx, [FIELDS]);
  return { op, probe: attach(op), ctx };
}

export interface Step { rows: Row[]; wm: number }

/** Rows with disorder up to `disorder` ms; the watermark after each batch is maxTs - wmDelay - 1. */
export function randomSteps(seed: number, disorder: number, wmDelay: number, batches = 50): Step[] {
  const rnd = mulberry32(seed);
  const steps: Step[] = [];
  let t = 0, max = -Infinity;
  for (let b = 0; b < batches; b++) {
    const rows: Row[] = [];
    const n = 1 + Math.floor(rnd() * 6);
    for (let j = 0; j < n; j++) {
      t += rnd() < 0.15 ? Math.floor(rnd() * 12_000) : Math.floor(rnd() * 1500);
      // Sometimes exactly GAP after the previous row: touching windows must merge.
      const ts = rnd() < 0.05 ? t : Math.max(0, t - Math.floor(rnd() * disorder));
      max = Math.max(max, ts);
      rows.push([`k${Math.floor(rnd() * 3)}`, rnd() < 0.1 ? null : Math.floor(rnd() * 50), ts]);
    }
    steps.push({ rows, wm: max - wmDelay - 1 });
  }
  return steps;
}

