/**
 * Error codes of analysis (binding, typing, planning). Stable: documented in docs/error-codes.md.
 *   BIND2xx  names and structure   TYPE3xx  types   PLAN4xx  planning and not-yet-supported constructs
 */
export const PlanErrors = {
  UnknownTable: 'BIND201',
  UnknownColumn: 'BIND202',
  AmbiguousColumn: 'BIND203',
  UnknownFunction: 'BIND204',
  DuplicateTable: 'BIND205',
  NotGrouped: 'BIND206',
  AggregateMisuse: 'BIND207',
  DuplicateColumn: 'BIND208',
  BadWindowArg: 'BIND209',
  ColumnCount: 'BIND210',
  BadOption: 'BIND211',
  UnknownWindow: 'BIND212',
  NotATable: 'BIND213',
  TypeMismatch: 'TYPE301',
  BadCast: 'TYPE302',
  BadLiteral: 'TYPE303',
  NotTimeAttribute: 'TYPE304',
  BadFunctionArgs: 'TYPE305',
  NotBoolean: 'TYPE306',
  SinkSchema: 'TYPE307',
  NotSupported: 'PLAN401',
  UpdatingInput: 'PLAN402',
  BadOver: 'PLAN403',
  BadWindow: 'PLAN404',
  NotConstant: 'PLAN405',
} as const;
