/**
 * Builds the engine's connector-free operators (stateless transforms and keyed stateful operators) from their
 * program IR. Shared by the single-threaded JobRunner and the parallel workers, so that every instance of an
 * operator is constructed exactly the same way wherever it runs. Sources, sinks, collects, VALUES and lookup joins
 * need connectors or the runner's bookkeeping and are built by the JobRunner itself (this returns undefined).
 */
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';
import type { ProgramOp } from '../../program/program.js';
import type { Operator, OperatorContext } from '../operator.js';
import { CalcOperator } from '../operators/calc-operator.js';
import { UnionOperator } from '../operators/union-operator.js';
import { GroupAggregateOperator } from '../operators/group-aggregate-operator.js';
import { WindowAggregateOperator } from '../operators/window-aggregate-operator.js';
import { WindowTvfOperator } from '../operators/window-tvf-operator.js';
import { OverAggregateOperator } from '../operators/over-aggregate-operator.js';
import { JoinOperator } from '../operators/join-operator.js';
import { IntervalJoinOperator } from '../operators/interval-join-operator.js';
import { TemporalJoinOperator } from '../operators/temporal-join-operator.js';
import { WindowJoinOperator } from '../operators/window-join-operator.js';
import { RankOperator } from '../operators/rank-operator.js';
import { DeduplicateOperator } from '../operators/deduplicate-operator.js';
import { WindowRankOperator } from '../operators/window-rank-operator.js';
import { SessionWindowAggregateOperator } from '../operators/session-window-aggregate-operator.js';
import { UnnestOperator } from '../operators/unnest-operator.js';

export interface OperatorEnv { ctx: OperatorContext; evalCtx: EvalContext }

/**
 * The operator for `p`, whose inputs produce rows of `inFields[i]`; undefined for kinds the caller must build
 * (source, values, sink, collect, lookupJoin) and for kinds the engine does not know.
 */
export function createOperator(p: ProgramOp, inFields: RowField[][], env: OperatorEnv): Operator | undefined {
  const { ctx, evalCtx } = env;
  const in0 = inFields[0] ?? [];
  switch (p.kind) {
    case 'calc': return new CalcOperator(p.id, p.fields, ctx, evalCtx, p.condition, p.projection);
    case 'union': return new UnionOperator(p.id, p.fields, ctx, p.inputs.length);
    case 'groupAggregate': return new GroupAggregateOperator(p.id, p.fields, ctx, in0, p.groupKeys, p.aggs, p.stateTtlMs);
    case 'windowTvf': return new WindowTvfOperator(p.id, p.fields, ctx, p.window);
    case 'windowAggregate': return new WindowAggregateOperator(p.id, p.fields, ctx, in0, p.window, p.groupKeys, p.aggs, p.earlyFire);
    case 'overAggregate': return new OverAggregateOperator(p.id, p.fields, ctx, in0, p.over, p.aggs);
    case 'join': return new JoinOperator(p, ctx, evalCtx, inFields);
    case 'intervalJoin': return new IntervalJoinOperator(p, ctx, evalCtx, inFields);
    case 'temporalJoin': return new TemporalJoinOperator(p, ctx, evalCtx, inFields);
    case 'windowJoin': return new WindowJoinOperator(p, ctx, evalCtx, inFields);
    case 'rank': return new RankOperator(p, ctx, evalCtx, inFields);
    case 'deduplicate': return new DeduplicateOperator(p, ctx, evalCtx, inFields);
    case 'windowRank': return new WindowRankOperator(p, ctx, evalCtx, inFields);
    case 'sessionWindowAggregate': return new SessionWindowAggregateOperator(p, ctx, evalCtx, inFields);
    case 'unnest': return new UnnestOperator(p, ctx, evalCtx, inFields);
    default: return undefined;
  }
}
