/**
 * The program IR: a serialisable job graph of named operators with typed edges, produced from the optimized
 * logical plan. The embedded engine instantiates it directly; EXPLAIN prints it; it is what a checkpoint's operator
 * states are keyed by (operator ids are stable for the same SQL).
 */
import type { RowField } from '../common/types.js';
import type { BExpr } from '../plan/bound-expr.js';
import type { AggCallDesc, OverSpec, TableDef, WindowSpec } from '../plan/logical-plan.js';
import type { TileSinkSpec } from '../plan/rules/tile-features.js';

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';

/** A sort key of Top-N: column index, direction and null ordering. */
export interface SortKey { index: number; desc: boolean; nullsFirst: boolean }

/** Early firing of window aggregates (Flink's `table.exec.emit.early-fire.*`; `count` is a Freshet extension). */
export interface EarlyFire { delayMs?: number; count?: number }

/** Per-side state retention for joins and other unbounded state (`table.exec.state.ttl`, STATE_TTL hint). */
export interface StateTtl { leftMs?: number; rightMs?: number; ms?: number }

export interface OpBase {
  /** Stable id, e.g. `3:WindowAggregate`. */
  id: string;
  inputs: string[];
  fields: RowField[];
  updating: boolean;
  /** Operator parallelism hint; the embedded engine uses `parallelism.default` (src/engine/parallel/) for keyed stages. */
  parallelism?: number;
}

export type ProgramOp =
  | (OpBase & { kind: 'source'; table: TableDef })
  | (OpBase & { kind: 'values'; rows: unknown[][] })
  /** Fused filter + projection. `projection` null means identity. */
  | (OpBase & { kind: 'calc'; condition?: BExpr; projection: BExpr[] | null })
  | (OpBase & { kind: 'groupAggregate'; groupKeys: number[]; aggs: AggCallDesc[]; stateTtlMs?: number })
  | (OpBase & { kind: 'windowTvf'; window: WindowSpec })
  | (OpBase & { kind: 'windowAggregate'; window: WindowSpec; groupKeys: number[]; aggs: AggCallDesc[]; earlyFire?: EarlyFire })
  /**
   * SESSION window aggregation. `window.partitionKeys` and `groupKeys` index the input; output as windowAggregate:
   * [group keys..., aggregates..., window_start, window_end, window_time].
   */
  | (OpBase & { kind: 'sessionWindowAggregate'; window: WindowSpec; groupKeys: number[]; aggs: AggCallDesc[]; earlyFire?: EarlyFire })
  /**
   * Regular equi-join over two (possibly updating) inputs: inputs[0] is left, inputs[1] right; output = left fields
   * ++ right fields. `condition` is a residual predicate over that concatenated row. Updating output with
   * retractions (outer joins retract their null-padded rows when a match appears).
   */
  | (OpBase & { kind: 'join'; joinType: JoinType; leftKeys: number[]; rightKeys: number[]; condition?: BExpr; ttl?: StateTtl;
      /** Unique keys of each input when known (primary key / group keys), for cheaper state. */
      leftUniqueKeys?: number[]; rightUniqueKeys?: number[] })
  /**
   * Interval join on event time: rows match when keys are equal and
   * right[rightTime] + lowerMs <= left[leftTime] <= right[rightTime] + upperMs. Append-only inputs and output; state
   * cleaned by watermark; outer joins emit null-padded rows when a row can no longer match.
   */
  | (OpBase & { kind: 'intervalJoin'; joinType: JoinType; leftKeys: number[]; rightKeys: number[]; leftTime: number; rightTime: number;
      lowerMs: number; upperMs: number; condition?: BExpr })
  /**
   * Event-time temporal join `FOR SYSTEM_TIME AS OF left.rowtime` against a versioned table (primary key + watermark):
   * each left row joins the right version valid at its time; left rows wait for the watermark.
   */
  | (OpBase & { kind: 'temporalJoin'; joinType: 'INNER' | 'LEFT'; leftKeys: number[]; rightKeys: number[]; leftTime: number; rightTime: number; condition?: BExpr })
  /** Window join: both inputs carry window_start/window_end columns; rows join per window when it fires. */
  | (OpBase & { kind: 'windowJoin'; joinType: JoinType; leftKeys: number[]; rightKeys: number[];
      leftWindow: { start: number; end: number; time?: number }; rightWindow: { start: number; end: number; time?: number }; condition?: BExpr })
  /**
   * Lookup join `FOR SYSTEM_TIME AS OF left.proctime` against a table whose connector can look up by key. Output =
   * left fields ++ table fields. `lookupKeys[i]` (table column) must equal left column `leftKeys[i]`.
   */
  | (OpBase & { kind: 'lookupJoin'; joinType: 'INNER' | 'LEFT'; table: TableDef; leftKeys: number[]; lookupKeys: number[]; condition?: BExpr;
      options: { async: boolean; cacheTtlMs?: number; cacheMaxRows?: number; maxRetries?: number; retryDelayMs?: number } })
  /**
   * Top-N by ROW_NUMBER: keeps the rows ranked [rankStart, rankEnd] per partition, over append-only or updating input,
   * emitting retractions when the top changes. `rankNumber` appends the row number column.
   */
  | (OpBase & { kind: 'rank'; partitionKeys: number[]; orderKeys: SortKey[]; rankStart: number; rankEnd: number; rankNumber: boolean; ttl?: StateTtl;
      /** False when the input is append-only: state is then capped at rankEnd rows per partition. */
      inputUpdating?: boolean })
  /**
   * Deduplication: ROW_NUMBER() OVER (PARTITION BY keys ORDER BY time ASC|DESC) = 1. keepLast emits updates
   * (-U/+U); keep-first on append input is append-only. `procTime` orders by arrival.
   */
  | (OpBase & { kind: 'deduplicate'; keys: number[]; timeCol: number; keepLast: boolean; procTime: boolean; rankNumber: boolean; ttl?: StateTtl })
  /** Window Top-N / window deduplication: ranks rows per (window_start, window_end, partition) when the window fires. */
  | (OpBase & { kind: 'windowRank'; windowStart: number; windowEnd: number; partitionKeys: number[]; orderKeys: SortKey[];
      rankStart: number; rankEnd: number; rankNumber: boolean })
  /** CROSS JOIN UNNEST(array) / LEFT JOIN UNNEST ... ON TRUE: output = input fields ++ element fields (++ ordinality). */
  | (OpBase & { kind: 'unnest'; expr: BExpr; withOrdinality: boolean; left: boolean; elementFields: number })
  | (OpBase & { kind: 'overAggregate'; over: OverSpec; aggs: AggCallDesc[] })
  | (OpBase & { kind: 'union' })
  | (OpBase & { kind: 'sink'; table: TableDef; upsertKeys: number[] })
  /**
   * Fresh-at-read feature table: the rows feeding an OVER (RANGE) or HOP-per-key aggregation are folded into tiles
   * (partial aggregates per key per slice) in an online store; reads merge the tiles covering (t - w, t].
   */
  | (OpBase & { kind: 'tileSink'; table: TableDef; spec: TileSinkSpec })
  /** Materializes the final result of a SELECT (or streams its changelog) for the CLI. */
  | (OpBase & { kind: 'collect'; name: string });

export type ProgramOpKind = ProgramOp['kind'];

export interface Program {
  version: 1;
  operators: ProgramOp[];
  /** Job configuration from SET statements (Flink option keys). */
  config: Record<string, string>;
}
