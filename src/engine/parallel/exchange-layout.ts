/**
 * The wiring between the main thread and the workers, derived from the program and its stage plan alone so that
 * both sides compute it identically (indices in messages refer to it). An exchange edge is a program edge whose
 * producer runs in the workers and whose consumer runs on the main thread or is a keyed operator (rows are then
 * re-routed by the consumer's key); edges from a parallel operator into a stateless parallel one stay inside each
 * worker. Edges are listed in program order of their consumers, the order in which the single-threaded runner wires
 * an operator's outputs.
 */
import type { Program, ProgramOp } from '../../program/program.js';
import { routingKeys } from './key-hash.js';
import { planStages, type StagePlan } from './stage-plan.js';

export interface ExchangeEdge { from: string; to: string; input: number }

export interface ExchangeLayout {
  plan: StagePlan;
  /** Parallel operators in program order; InEvent.op indexes this. */
  parallelOps: ProgramOp[];
  /** OutEvent.edge indexes this. */
  edges: ExchangeEdge[];
}

/** True when rows reaching input `input` of parallel operator `p` from a parallel producer stay in the worker. */
export function isLocalEdge(p: ProgramOp, parallel: Set<string>): boolean {
  return parallel.has(p.id) && routingKeys(p) === undefined;
}

export function exchangeLayout(program: Program): ExchangeLayout {
  const plan = planStages(program);
  const parallelOps = program.operators.filter((p) => plan.parallel.has(p.id));
  const edges: ExchangeEdge[] = [];
  for (const p of program.operators) {
    if (isLocalEdge(p, plan.parallel)) continue;
    p.inputs.forEach((from, input) => { if (plan.parallel.has(from)) edges.push({ from, to: p.id, input }); });
  }
  return { plan, parallelOps, edges };
}
