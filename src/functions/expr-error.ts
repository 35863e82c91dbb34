/**
 * Runtime errors raised by scalar functions, casts and arithmetic while evaluating a row.
 *
 * The engine catches ExprError around compiled expressions and dead-letters the offending row (bad input never stops
 * a job). TRY_CAST catches it and yields NULL. Codes are stable strings (documented in the error-code reference):
 *   DIVIDE_BY_ZERO, CAST_INVALID, CAST_OVERFLOW, FUNCTION_ARGUMENT, JSON_ERROR, TIME_ZONE, REGEX_INVALID.
 */
export type ExprErrorCode =
  | 'DIVIDE_BY_ZERO'
  | 'CAST_INVALID'
  | 'CAST_OVERFLOW'
  | 'FUNCTION_ARGUMENT'
  | 'JSON_ERROR'
  | 'TIME_ZONE'
  | 'REGEX_INVALID';

export class ExprError extends Error {
  readonly code: ExprErrorCode;
  constructor(code: ExprErrorCode, message: string) {
    super(message);
    this.name = 'ExprError';
    this.code = code;
  }
}

export function isExprError(e: unknown): e is ExprError {
  return e instanceof ExprError;
}
