/** Test helper: types and evaluates a scalar function call the way the binder and code generator do. */
import type { SqlType } from '../../src/common/types.js';
import { lookupFunction, isInferError, type EvalContext } from '../../src/functions/index.js';

export const UTC: EvalContext = { timeZone: 'UTC', now: () => Date.UTC(2024, 0, 15, 10, 30, 0) };

/** Literal arguments are passed as literals (constants); strict functions return null on a null argument. */
export function call(name: string, types: SqlType[], args: unknown[], ctx: EvalContext = UTC): unknown {
  const def = lookupFunction(name);
  if (!def) throw new Error(`no function ${name}`);
  const t = def.inferType(types, args);
  if (isInferError(t)) throw new Error(`type error: ${t.error}`);
  if (def.strict && args.some((a) => a === null)) return null;
  const impl = def.specialize?.(types, args) ?? def.impl;
  return def.needsContext ? impl(ctx, ...args) : impl(...args);
}

/** Like call, but arguments are column values (no literals) so the generic impl path is exercised. */
export function callDynamic(name: string, types: SqlType[], args: unknown[], ctx: EvalContext = UTC): unknown {
  const def = lookupFunction(name)!;
  const lits = args.map(() => undefined);
  const t = def.inferType(types, lits);
  if (isInferError(t)) throw new Error(`type error: ${t.error}`);
  if (def.strict && args.some((a) => a === null)) return null;
  const impl = def.specialize?.(types, lits) ?? def.impl;
  return def.needsContext ? impl(ctx, ...args) : impl(...args);
}

export function typeOf(name: string, types: SqlType[], literals: unknown[] = []): SqlType | { error: string } {
  return lookupFunction(name)!.inferType(types, literals);
}
