/**
 * Exhaustive traversal of expressions. `exprChildren` is the single place that knows which fields of each
 * expression kind hold sub-expressions (a switch with a `never` check, so adding a kind without updating it fails
 * to compile). Subqueries are not descended into; `exprSubqueries` lists them for callers that need to.
 */

import type { Expr, OrderItem, QueryExpr, WindowSpec, WindowRef, FrameBound } from './ast.js';

function pushOrder(out: Expr[], items: readonly OrderItem[] | undefined): void {
  if (items) for (const o of items) out.push(o.expr);
}

function pushBound(out: Expr[], b: FrameBound | undefined): void {
  if (b?.offset) out.push(b.offset);
}

/** Expressions inside a window specification (partition keys, order keys, frame offsets). */
export function windowSpecExprs(spec: WindowSpec | WindowRef): Expr[] {
  if (spec.kind === 'WindowRef') return [];
  const out: Expr[] = [...spec.partitionBy];
  pushOrder(out, spec.orderBy);
  if (spec.frame) {
    pushBound(out, spec.frame.start);
    pushBound(out, spec.frame.end);
  }
  return out;
}

/** Direct sub-expressions of `e`, in source order. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case 'NumericLiteral':
    case 'StringLiteral':
    case 'BinaryLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'TypedLiteral':
    case 'IntervalLiteral':
    case 'ColumnRef':
    case 'Descriptor':
    case 'Exists':
    case 'ScalarSubquery':
      return [];
    case 'Unary':
      return [e.operand];
    case 'Binary':
    case 'IsDistinctFrom':
      return [e.left, e.right];
    case 'IsPredicate':
      return [e.operand];
    case 'Between':
      return [e.operand, e.low, e.high];
    case 'Like':
      return e.escape ? [e.operand, e.pattern, e.escape] : [e.operand, e.pattern];
    case 'InList':
      return [e.operand, ...e.list];
    case 'InSubquery':
      return [e.operand];
    case 'QuantifiedComparison':
      return [e.left];
    case 'FunctionCall': {
      const out: Expr[] = [...e.args];
      pushOrder(out, e.withinGroup);
      if (e.filter) out.push(e.filter);
      if (e.over) out.push(...windowSpecExprs(e.over));
      return out;
    }
    case 'NamedArg':
      return [e.value];
    case 'TableArg': {
      const out: Expr[] = [...e.partitionBy];
      pushOrder(out, e.orderBy);
      return out;
    }
    case 'Cast':
      return [e.operand];
    case 'Case': {
      const out: Expr[] = e.operand ? [e.operand] : [];
      for (const w of e.whens) out.push(w.when, w.then);
      if (e.else) out.push(e.else);
      return out;
    }
    case 'Extract':
    case 'FloorCeil':
      return [e.operand];
    case 'Trim':
      return e.chars ? [e.chars, e.operand] : [e.operand];
    case 'Substring':
      return e.length ? [e.operand, e.start, e.length] : [e.operand, e.start];
    case 'Position':
      return e.from ? [e.needle, e.haystack, e.from] : [e.needle, e.haystack];
    case 'Overlay':
      return e.length ? [e.operand, e.placing, e.start, e.length] : [e.operand, e.placing, e.start];
    case 'TimestampAdd':
      return [e.count, e.timestamp];
    case 'TimestampDiff':
      return [e.start, e.end];
    case 'JsonValue': {
      const out: Expr[] = [e.operand, e.path];
      if (e.onEmpty?.default) out.push(e.onEmpty.default);
      if (e.onError?.default) out.push(e.onError.default);
      return out;
    }
    case 'JsonQuery':
    case 'JsonExists':
      return [e.operand, e.path];
    case 'JsonObject': {
      const out: Expr[] = [];
      for (const en of e.entries) out.push(en.key, en.value);
      return out;
    }
    case 'JsonArray':
    case 'ArrayConstructor':
    case 'RowConstructor':
      return [...e.items];
    case 'MapConstructor': {
      const out: Expr[] = [];
      for (const en of e.entries) out.push(en.key, en.value);
      return out;
    }
    case 'Subscript':
      return [e.operand, e.index];
    case 'FieldAccess':
      return [e.operand];
    default: {
      const never: never = e;
      throw new Error(`unhandled expression kind ${(never as Expr).kind}`);
    }
  }
}

/** Subqueries directly owned by `e` (not those of its children). */
export function exprSubqueries(e: Expr): QueryExpr[] {
  switch (e.kind) {
    case 'Exists':
    case 'ScalarSubquery':
    case 'InSubquery':
    case 'QuantifiedComparison':
      return [e.query];
    default:
      return [];
  }
}

/**
 * Pre-order walk of `expr` and its sub-expressions (not into subqueries). Returning `false` from `fn` skips the
 * children of that node.
 */
export function walkExpr(expr: Expr, fn: (e: Expr, parent: Expr | undefined) => boolean | void): void {
  const visit = (e: Expr, parent: Expr | undefined): void => {
    if (fn(e, parent) === false) return;
    for (const c of exprChildren(e)) visit(c, e);
  };
  visit(expr, undefined);
}

/** True if `pred` holds for `expr` or any sub-expression (not into subqueries). */
export function someExpr(expr: Expr, pred: (e: Expr) => boolean): boolean {
  if (pred(expr)) return true;
  for (const c of exprChildren(expr)) if (someExpr(c, pred)) return true;
  return false;
}
