/**
 * The logical plan: a tree of relational operators produced by the binder and rewritten by optimizer rules. Plain
 * serialisable data. Every node carries its output fields and whether it produces an updating changelog
 * (-U/+U/-D) or only inserts.
 */
import type { RowField, SqlType } from '../common/types.js';
import type { BExpr } from './bound-expr.js';
import type { Span } from '../common/diagnostics.js';

/** A table as the catalog knows it (from CREATE TABLE or the data dictionary). */
export interface TableDef {
  name: string;
  /** All columns: physical, computed and metadata, in declaration order. */
  fields: RowField[];
  /** Per column: 'physical' or the computed expression over the physical columns (indices into physicalFields). */
  columns: ({ kind: 'physical'; physicalIndex: number } | { kind: 'computed'; expr: BExpr } | { kind: 'metadata'; key: string; virtual: boolean })[];
  physicalFields: RowField[];
  /** Rowtime column index (into fields) and the watermark expression over the full row (fields). */
  watermark?: { column: number; expr: BExpr };
  primaryKey: number[];
  options: Record<string, string>;
  optionSpans?: Record<string, Span>;
  baseDir: string;
  comment?: string;
}

export interface AggCallDesc {
  /** Upper-case aggregate name, e.g. 'COUNT'. */
  name: string;
  /** Input column indices of the arguments (after the pre-projection); empty for COUNT(*). */
  args: number[];
  argTypes: SqlType[];
  distinct: boolean;
  /** Input column holding the FILTER (WHERE ...) condition, if any. */
  filterArg?: number;
  literalArgs?: unknown[];
  resultType: SqlType;
  outName: string;
}

export type WindowKind = 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';

export interface WindowSpec {
  kind: WindowKind;
  /** Index of the time attribute column in the input. */
  timeCol: number;
  /** TUMBLE/HOP/CUMULATE size (the max size for CUMULATE), milliseconds. */
  size: number;
  /** HOP slide, milliseconds. */
  slide?: number;
  /** CUMULATE step, milliseconds. */
  step?: number;
  /** Window offset, milliseconds (0 when absent). */
  offset: number;
  /** SESSION gap, milliseconds. */
  gap?: number;
  /** SESSION PARTITION BY columns. */
  partitionKeys?: number[];
  /** True when the time column is a processing-time attribute. */
  procTime: boolean;
}

export type FrameBound = { kind: 'unbounded' } | { kind: 'current' } | { kind: 'preceding'; rows?: number; range?: number };

export interface OverSpec {
  partitionKeys: number[];
  /** Index of the time attribute column ordering the partition. */
  orderKey: number;
  procTime: boolean;
  mode: 'ROWS' | 'RANGE';
  /** Lower bound: unbounded, or n rows / a range in milliseconds preceding. Upper bound is always CURRENT ROW. */
  lower: FrameBound;
}

interface NodeBase { fields: RowField[]; updating: boolean }

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
export interface SortKey { index: number; desc: boolean; nullsFirst: boolean }

/** How a join is executed, decided by the binder from the ON clause and the inputs. */
export type JoinStrategy =
  | { kind: 'regular'; ttl?: { leftMs?: number; rightMs?: number } }
  | { kind: 'interval'; leftTime: number; rightTime: number; lowerMs: number; upperMs: number }
  | { kind: 'temporal'; leftTime: number; rightTime: number }
  | { kind: 'window'; leftWindow: { start: number; end: number }; rightWindow: { start: number; end: number } };

/** Lookup join options from the LOOKUP hint and the table's lookup.* options. */
export interface LookupOptions { async: boolean; cacheTtlMs?: number; cacheMaxRows?: number; maxRetries?: number; retryDelayMs?: number }

export type LogicalNode =
  | (NodeBase & { kind: 'scan'; table: TableDef; hints?: Record<string, string> })
  | (NodeBase & { kind: 'values'; rows: unknown[][] })
  | (NodeBase & { kind: 'project'; input: LogicalNode; exprs: BExpr[] })
  | (NodeBase & { kind: 'filter'; input: LogicalNode; condition: BExpr })
  | (NodeBase & { kind: 'aggregate'; input: LogicalNode; groupKeys: number[]; aggs: AggCallDesc[]; ttlMs?: number })
  /** Window TVF: input columns followed by window_start, window_end, window_time. */
  | (NodeBase & { kind: 'windowTvf'; input: LogicalNode; window: WindowSpec })
  /**
   * Window aggregate: output is the group keys, then the aggregates, then window_start, window_end, window_time.
   */
  | (NodeBase & { kind: 'windowAggregate'; input: LogicalNode; window: WindowSpec; groupKeys: number[]; aggs: AggCallDesc[];
      earlyFire?: { delayMs?: number; count?: number } })
  /** OVER aggregate: input columns followed by one column per aggregate. */
  | (NodeBase & { kind: 'overAggregate'; input: LogicalNode; over: OverSpec; aggs: AggCallDesc[] })
  | (NodeBase & { kind: 'union'; inputs: LogicalNode[] })
  /** Equi-join: output = left fields ++ right fields; `condition` is the residual over that row. */
  | (NodeBase & { kind: 'join'; left: LogicalNode; right: LogicalNode; joinType: JoinType; leftKeys: number[]; rightKeys: number[];
      condition?: BExpr; strategy: JoinStrategy })
  /** Lookup join against a table by key (processing time). Output = input fields ++ table fields. */
  | (NodeBase & { kind: 'lookupJoin'; input: LogicalNode; table: TableDef; joinType: 'INNER' | 'LEFT'; leftKeys: number[]; lookupKeys: number[];
      condition?: BExpr; options: LookupOptions })
  /** ROW_NUMBER() Top-N / deduplication / window Top-N. Output = input fields ++ row number (BIGINT). */
  | (NodeBase & { kind: 'rank'; input: LogicalNode; partitionKeys: number[]; orderKeys: SortKey[]; rankStart: number; rankEnd: number;
      /** Set by the binder: deduplication (ordered by a time attribute, rank 1) or window Top-N. */
      variant: 'topN' | 'dedup' | 'window'; dedup?: { timeCol: number; keepLast: boolean; procTime: boolean };
      window?: { start: number; end: number }; ttlMs?: number;
      /** Where ROW_NUMBER() was written, for the diagnostic when no outer filter bounds it. */
      span?: Span })
  /** CROSS/LEFT JOIN UNNEST(expr): output = input fields ++ element fields (++ ordinality). */
  | (NodeBase & { kind: 'unnest'; input: LogicalNode; expr: BExpr; withOrdinality: boolean; left: boolean; elementFields: number })
  | (NodeBase & { kind: 'sink'; input: LogicalNode; table: TableDef; columnMap: number[] });

export type LogicalKind = LogicalNode['kind'];

export function inputsOf(n: LogicalNode): LogicalNode[] {
  switch (n.kind) {
    case 'scan': case 'values': return [];
    case 'union': return n.inputs;
    case 'join': return [n.left, n.right];
    default: return [n.input];
  }
}
