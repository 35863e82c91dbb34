/**
 * The contract between the function registry and its users: the binder (type inference, constant folding) and the
 * code generator (which calls `impl`, or a specialised impl, from generated JavaScript).
 */
import type { SqlType } from '../common/types.js';
import type { Value } from '../common/row.js';

/** Session facts some functions need: the session time zone (`table.local-time-zone`) and the clock. */
export interface EvalContext {
  timeZone: string;
  now(): number;
}

export type InferError = { error: string; hint?: string };
export type InferResult = SqlType | InferError;

export function isInferError(r: InferResult | unknown): r is InferError {
  return typeof r === 'object' && r !== null && 'error' in r;
}

export interface ScalarFunctionDef {
  /** Upper-case SQL name. */
  name: string;
  /** Result type from argument types, or an error. `literals[i]` is the value when argument i is a constant. */
  inferType(args: SqlType[], literals: (Value | undefined)[]): InferResult;
  /**
   * Implementation over runtime values. When `strict`, the caller returns null if any argument is null and never
   * calls impl with null. When `needsContext`, the first argument is the EvalContext, followed by the SQL arguments.
   */
  impl: (...args: any[]) => Value;
  strict: boolean;
  /** false for CURRENT_TIMESTAMP, RAND, UUID, PROCTIME...: never constant-folded. */
  deterministic: boolean;
  /** True when impl takes an EvalContext as its first argument. */
  needsContext?: boolean;
  /**
   * Optional specialisation: given argument types and constant literals, a faster impl (same calling convention as
   * impl, including the context argument) or undefined to use impl. Used e.g. to precompile regex and date patterns,
   * and to pick type-specific code (DECIMAL rounding, TIMESTAMP vs TIMESTAMP_LTZ).
   */
  specialize?(args: SqlType[], literals: (Value | undefined)[]): ((...args: any[]) => Value) | undefined;
}
