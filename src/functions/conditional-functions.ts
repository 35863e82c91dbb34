/**
 * Conditional and type functions: IF, NULLIF, COALESCE, IFNULL, GREATEST, LEAST, TYPEOF.
 *
 * The binder rewrites COALESCE/IFNULL to CASE (lazy evaluation); they are registered here too so that name lookup,
 * completion and direct calls work. IF evaluates both branches when called as a function: binders that need lazy
 * evaluation (a branch that may fail, e.g. a division by zero) should lower IF to CASE as well.
 * GREATEST/LEAST return NULL when any argument is NULL (Flink semantics).
 */
import type { SqlType } from '../common/types.js';
import { T, typeToString, withNullable } from '../common/types.js';
import { F, defineFunction } from './registry.js';
import { isInferError } from './function-def.js';
import { leastRestrictive } from './least-restrictive.js';
import { comparisonType, compareValues, valuesEqual } from './compare.js';

defineFunction({
  name: 'IF', params: [F.boolean, F.any, F.any], strict: false, nullable: 'asIs',
  result: (args) => {
    const r = leastRestrictive([args[1]!, args[2]!]);
    return isInferError(r) ? r : withNullable(r, args[1]!.nullable || args[2]!.nullable);
  },
  impl: (c: boolean | null, a: unknown, b: unknown) => (c === true ? a : b),
});

defineFunction({
  name: 'NULLIF', params: [F.any, F.any], strict: false, nullable: 'always',
  result: (args) => {
    const c = comparisonType(args[0]!, args[1]!, '=');
    if (isInferError(c)) return c;
    return args[0]!.kind === 'NULL' ? args[1]! : args[0]!;
  },
  impl: (a: unknown, b: unknown) => (a === null ? null : b !== null && valuesEqual(a, b) ? null : a),
});

defineFunction({
  name: 'COALESCE', params: [F.any], variadic: true, min: 1, strict: false, nullable: 'asIs',
  result: (args) => {
    const r = leastRestrictive(args);
    return isInferError(r) ? r : withNullable(r, args.every((a) => a.nullable));
  },
  impl: (...xs: unknown[]) => { for (const x of xs) if (x !== null && x !== undefined) return x; return null; },
});

defineFunction({
  name: 'IFNULL', params: [F.any, F.any], strict: false, nullable: 'asIs',
  result: (args) => {
    const r = leastRestrictive(args);
    return isInferError(r) ? r : withNullable(r, args[1]!.nullable);
  },
  impl: (a: unknown, b: unknown) => (a === null ? b : a),
});

for (const [name, sign] of [['GREATEST', 1], ['LEAST', -1]] as const) {
  defineFunction({
    name, params: [F.any], variadic: true, min: 1,
    result: (args) => {
      const r = leastRestrictive(args);
      if (isInferError(r)) return r;
      if (r.kind === 'MAP' || r.kind === 'NULL') return { error: `${name} needs comparable arguments, not ${typeToString(r, false)}` };
      return r;
    },
    impl: (...xs: unknown[]) => {
      let best = xs[0];
      for (let i = 1; i < xs.length; i++) if (compareValues(xs[i], best) * sign > 0) best = xs[i];
      return best;
    },
  });
}

defineFunction({
  name: 'TYPEOF', params: [F.any, F.boolean], min: 1, strict: false, result: T.string(false), nullable: 'never',
  impl: () => 'UNKNOWN',
  specialize: (args: SqlType[]) => {
    const s = typeToString(args[0]!, false);
    return () => s;
  },
});
