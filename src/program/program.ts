/**
 * The program IR: a serialisable job graph of named operators with typed edges, produced from the optimized
 * logical plan. The embedded engine instantiates it directly; EXPLAIN prints it; it is what a checkpoint's operator
 * states are keyed by (operator ids are stable for the same SQL).
 */
import type { RowField } from '../common/types.js';
import type { BExpr } from '../plan/bound-expr.js';
import type { AggCallDesc, OverSpec, TableDef, WindowSpec } from '../plan/logical-plan.js';

export interface OpBase {
  /** Stable id, e.g. `3:WindowAggregate`. */
  id: string;
  inputs: string[];
  fields: RowField[];
  updating: boolean;
  /** Operator parallelism hint; the embedded engine currently runs every operator on one thread. */
  parallelism?: number;
}

export type ProgramOp =
  | (OpBase & { kind: 'source'; table: TableDef })
  | (OpBase & { kind: 'values'; rows: unknown[][] })
  /** Fused filter + projection. `projection` null means identity. */
  | (OpBase & { kind: 'calc'; condition?: BExpr; projection: BExpr[] | null })
  | (OpBase & { kind: 'groupAggregate'; groupKeys: number[]; aggs: AggCallDesc[]; stateTtlMs?: number })
  | (OpBase & { kind: 'windowTvf'; window: WindowSpec })
  | (OpBase & { kind: 'windowAggregate'; window: WindowSpec; groupKeys: number[]; aggs: AggCallDesc[] })
  | (OpBase & { kind: 'overAggregate'; over: OverSpec; aggs: AggCallDesc[] })
  | (OpBase & { kind: 'union' })
  | (OpBase & { kind: 'sink'; table: TableDef; upsertKeys: number[] })
  /** Materializes the final result of a SELECT (or streams its changelog) for the CLI. */
  | (OpBase & { kind: 'collect'; name: string });

export type ProgramOpKind = ProgramOp['kind'];

export interface Program {
  version: 1;
  operators: ProgramOp[];
  /** Job configuration from SET statements (Flink option keys). */
  config: Record<string, string>;
}
