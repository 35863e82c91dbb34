/**
 * Bound (resolved, typed) scalar expressions. Plain serialisable data: they travel inside the program IR to the
 * embedded engine (which compiles them to JavaScript), to the Flink compiler and to batch. Column references are
 * positional into the input row of the operator that evaluates them.
 */
import type { SqlType } from '../common/types.js';
import type { Span } from '../common/diagnostics.js';

export type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';

export type BExpr =
  | { kind: 'col'; index: number; type: SqlType; name?: string }
  | { kind: 'lit'; value: unknown; type: SqlType }
  /** Scalar function from the function registry (src/functions), by upper-case name. */
  | { kind: 'call'; fn: string; args: BExpr[]; type: SqlType; span?: Span }
  | { kind: 'arith'; op: ArithOp; args: [BExpr, BExpr]; type: SqlType; span?: Span }
  | { kind: 'neg'; arg: BExpr; type: SqlType }
  | { kind: 'cmp'; op: CmpOp; args: [BExpr, BExpr]; type: SqlType }
  | { kind: 'distinctFrom'; negated: boolean; args: [BExpr, BExpr]; type: SqlType }
  | { kind: 'and' | 'or'; args: BExpr[]; type: SqlType }
  | { kind: 'not'; arg: BExpr; type: SqlType }
  | { kind: 'isNull'; negated: boolean; arg: BExpr; type: SqlType }
  /** IS [NOT] TRUE/FALSE: `value` is the truth value tested. */
  | { kind: 'isBool'; value: boolean; negated: boolean; arg: BExpr; type: SqlType }
  | { kind: 'case'; whens: [BExpr, BExpr][]; else: BExpr; type: SqlType }
  | { kind: 'cast'; arg: BExpr; type: SqlType; try: boolean; span?: Span }
  | { kind: 'in'; arg: BExpr; list: BExpr[]; negated: boolean; type: SqlType }
  | { kind: 'like'; arg: BExpr; pattern: BExpr; escape?: string; negated: boolean; similar: boolean; type: SqlType }
  /** ROW field access by position. */
  | { kind: 'field'; arg: BExpr; index: number; type: SqlType }
  /** ARRAY element (1-based) or MAP value access. */
  | { kind: 'item'; arg: BExpr; key: BExpr; type: SqlType }
  | { kind: 'array'; args: BExpr[]; type: SqlType }
  | { kind: 'map'; args: BExpr[]; type: SqlType }
  | { kind: 'row'; args: BExpr[]; type: SqlType };

export const col = (index: number, type: SqlType, name?: string): BExpr =>
  name === undefined ? { kind: 'col', index, type } : { kind: 'col', index, type, name };
export const lit = (value: unknown, type: SqlType): BExpr => ({ kind: 'lit', value, type });

/** Children of an expression, for generic traversal. */
export function children(e: BExpr): BExpr[] {
  switch (e.kind) {
    case 'col': case 'lit': return [];
    case 'call': case 'arith': case 'cmp': case 'distinctFrom': case 'and': case 'or':
    case 'array': case 'map': case 'row': return e.args;
    case 'neg': case 'not': case 'isNull': case 'isBool': case 'cast': case 'field': return [e.arg];
    case 'case': return [...e.whens.flat(), e.else];
    case 'in': return [e.arg, ...e.list];
    case 'like': return [e.arg, e.pattern];
    case 'item': return [e.arg, e.key];
  }
}

/** Rewrites column references (used when pushing expressions through projections). */
export function mapCols(e: BExpr, f: (c: Extract<BExpr, { kind: 'col' }>) => BExpr): BExpr {
  switch (e.kind) {
    case 'col': return f(e);
    case 'lit': return e;
    case 'call': case 'arith': case 'cmp': case 'distinctFrom': case 'and': case 'or':
    case 'array': case 'map': case 'row':
      return { ...e, args: e.args.map((a) => mapCols(a, f)) } as BExpr;
    case 'neg': case 'not': case 'isNull': case 'isBool': case 'cast': case 'field':
      return { ...e, arg: mapCols(e.arg, f) } as BExpr;
    case 'case': return { ...e, whens: e.whens.map(([c, v]) => [mapCols(c, f), mapCols(v, f)] as [BExpr, BExpr]), else: mapCols(e.else, f) };
    case 'in': return { ...e, arg: mapCols(e.arg, f), list: e.list.map((a) => mapCols(a, f)) };
    case 'like': return { ...e, arg: mapCols(e.arg, f), pattern: mapCols(e.pattern, f) };
    case 'item': return { ...e, arg: mapCols(e.arg, f), key: mapCols(e.key, f) };
  }
}

export function usedColumns(e: BExpr, into: Set<number> = new Set()): Set<number> {
  if (e.kind === 'col') into.add(e.index);
  else for (const c of children(e)) usedColumns(c, into);
  return into;
}

export function isConstant(e: BExpr): boolean {
  return e.kind === 'lit';
}

/** A structural key of a bound expression (spans ignored): equal for expressions that compute the same thing. */
export function bexprKey(e: BExpr): string {
  return JSON.stringify(e, (k, v: unknown) => (k === 'span' ? undefined : v));
}
