/**
 * Rows and changelogs exchanged between operators.
 *
 * A row is a positional array of values (see ./types.ts for the value representation). Operators exchange
 * batches: parallel arrays of rows and their kinds, so that the hot path allocates one batch per hop rather than one
 * wrapper object per row.
 */

export type Value = unknown;
export type Row = Value[];

/** Flink's RowKind, numerically encoded. */
export const enum RowKind {
  Insert = 0,
  UpdateBefore = 1,
  UpdateAfter = 2,
  Delete = 3,
}

export const ROW_KIND_SHORT = ['+I', '-U', '+U', '-D'] as const;

/** True for kinds that add a row to the materialized result (+I, +U). */
export const isAccumulate = (k: RowKind): boolean => k === RowKind.Insert || k === RowKind.UpdateAfter;

/** A batch of changelog rows. Invariant: rows.length === kinds.length. */
export interface Batch {
  rows: Row[];
  kinds: RowKind[];
}

export function emptyBatch(): Batch {
  return { rows: [], kinds: [] };
}
