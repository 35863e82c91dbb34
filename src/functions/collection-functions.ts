/**
 * Functions on ARRAY and MAP values (arrays are JS arrays, maps are JS Maps; elements may be null).
 * Element equality is SQL equality of values (./compare.ts), with NULL equal to NULL for containment as Flink's
 * ARRAY_CONTAINS/ARRAY_REMOVE/ARRAY_DISTINCT do.
 */
import type { SqlType } from '../common/types.js';
import { T, typeToString, withNullable } from '../common/types.js';
import { ExprError } from './expr-error.js';
import { F, defineFunction } from './registry.js';
import { isInferError } from './function-def.js';
import { leastRestrictive } from './least-restrictive.js';
import { compareValues, valueKey, valuesEqual } from './compare.js';

const eq = (a: unknown, b: unknown): boolean => (a === null || b === null ? a === b : valuesEqual(a, b));
const arr = (args: SqlType[], i = 0): SqlType => (args[i]!.kind === 'NULL' ? T.array(T.null()) : args[i]!);
const elem = (args: SqlType[], i = 0): SqlType => arr(args, i).element ?? T.null();

function sameArrays(name: string, args: SqlType[]): SqlType | { error: string } {
  const r = leastRestrictive(args.map((a) => (a.kind === 'NULL' ? T.array(T.null()) : a)));
  if (isInferError(r)) return { error: `${name} needs arrays of a common element type, got ${args.map((a) => typeToString(a, false)).join(', ')}` };
  return r;
}

defineFunction({ name: 'CARDINALITY', params: [F.arrayOrMap], result: T.int(), impl: (v: unknown[] | Map<unknown, unknown>) => (Array.isArray(v) ? v.length : v.size) });

defineFunction({
  name: 'ELEMENT', params: [F.array], result: (a) => withNullable(elem(a), true), nullable: 'always',
  impl: (v: unknown[]) => {
    if (v.length === 0) return null;
    if (v.length > 1) throw new ExprError('FUNCTION_ARGUMENT', 'ELEMENT: the array has more than one element');
    return v[0] ?? null;
  },
});

defineFunction({
  name: 'ARRAY_CONTAINS', params: [F.array, F.any], strict: false, result: T.boolean(), nullable: 'asIs',
  impl: (v: unknown[] | null, x: unknown) => (v === null ? null : v.some((e) => eq(e, x))),
});

defineFunction({
  name: 'ARRAY_POSITION', params: [F.array, F.any], result: T.int(),
  impl: (v: unknown[], x: unknown) => { for (let i = 0; i < v.length; i++) if (eq(v[i], x)) return i + 1; return 0; },
});

defineFunction({
  name: 'ARRAY_DISTINCT', params: [F.array], result: (a) => arr(a),
  impl: (v: unknown[]) => {
    const seen = new Set<unknown>();
    const out: unknown[] = [];
    for (const x of v) { const k = valueKey(x); if (!seen.has(k)) { seen.add(k); out.push(x); } }
    return out;
  },
});

defineFunction({
  name: 'ARRAY_REMOVE', params: [F.array, F.any], strict: false, result: (a) => arr(a), nullable: 'asIs',
  impl: (v: unknown[] | null, x: unknown) => (v === null ? null : v.filter((e) => !eq(e, x))),
});
defineFunction({ name: 'ARRAY_REVERSE', params: [F.array], result: (a) => arr(a), impl: (v: unknown[]) => v.slice().reverse() });

for (const [name, front] of [['ARRAY_APPEND', false], ['ARRAY_PREPEND', true]] as const) {
  defineFunction({
    name, params: [F.array, F.any], strict: false, nullable: 'asIs',
    result: (a) => {
      const r = leastRestrictive([elem(a), withNullable(a[1]!, a[1]!.nullable)]);
      return isInferError(r) ? r : T.array(r, a[0]!.nullable);
    },
    impl: (v: unknown[] | null, x: unknown) => (v === null ? null : front ? [x, ...v] : [...v, x]),
  });
}

defineFunction({
  name: 'ARRAY_SLICE', params: [F.array, F.integral, F.integral], min: 2, result: (a) => arr(a),
  impl: (v: unknown[], start: number, end?: number) => {
    const n = v.length;
    if (n === 0) return [];
    let s = start === 0 ? 1 : start < 0 ? n + start + 1 : start;
    let e = end === undefined ? n : end === 0 ? 1 : end < 0 ? n + end + 1 : end;
    if (s > n || e < 1 || s > e) return [];
    s = Math.max(1, s); e = Math.min(n, e);
    return v.slice(s - 1, e);
  },
});

defineFunction({
  name: 'ARRAY_CONCAT', params: [F.array], variadic: true, min: 1, result: (a) => sameArrays('ARRAY_CONCAT', a),
  impl: (...vs: unknown[][]) => ([] as unknown[]).concat(...vs),
});

function distinctPush(out: unknown[], seen: Set<unknown>, x: unknown): void {
  const k = valueKey(x);
  if (!seen.has(k)) { seen.add(k); out.push(x); }
}
defineFunction({
  name: 'ARRAY_UNION', params: [F.array, F.array], result: (a) => sameArrays('ARRAY_UNION', a),
  impl: (a: unknown[], b: unknown[]) => { const out: unknown[] = [], seen = new Set(); for (const x of a) distinctPush(out, seen, x); for (const x of b) distinctPush(out, seen, x); return out; },
});
defineFunction({
  name: 'ARRAY_INTERSECT', params: [F.array, F.array], result: (a) => sameArrays('ARRAY_INTERSECT', a),
  impl: (a: unknown[], b: unknown[]) => { const inB = new Set(b.map(valueKey)); const out: unknown[] = [], seen = new Set(); for (const x of a) if (inB.has(valueKey(x))) distinctPush(out, seen, x); return out; },
});
defineFunction({
  name: 'ARRAY_EXCEPT', params: [F.array, F.array], result: (a) => sameArrays('ARRAY_EXCEPT', a),
  impl: (a: unknown[], b: unknown[]) => { const inB = new Set(b.map(valueKey)); const out: unknown[] = [], seen = new Set(); for (const x of a) if (!inB.has(valueKey(x))) distinctPush(out, seen, x); return out; },
});

for (const [name, sign] of [['ARRAY_MAX', 1], ['ARRAY_MIN', -1]] as const) {
  defineFunction({
    name, params: [F.array], result: (a) => withNullable(elem(a), true), nullable: 'always',
    impl: (v: unknown[]) => {
      let best: unknown = null;
      for (const x of v) if (x !== null && (best === null || compareValues(x, best) * sign > 0)) best = x;
      return best;
    },
  });
}

defineFunction({
  name: 'ARRAY_JOIN', params: [F.array, F.string, F.string], min: 2, result: T.string(),
  check: (a) => (a[0]!.kind === 'NULL' || ['CHAR', 'VARCHAR', 'NULL'].includes(elem(a).kind) ? undefined : { error: 'ARRAY_JOIN needs an ARRAY of strings' }),
  impl: (v: (string | null)[], d: string, nullRepl?: string) => {
    const parts: string[] = [];
    for (const x of v) { if (x !== null) parts.push(x); else if (nullRepl !== undefined) parts.push(nullRepl); }
    return parts.join(d);
  },
});

defineFunction({
  name: 'ARRAY_SORT', params: [F.array, F.boolean, F.boolean], min: 1, result: (a) => arr(a),
  impl: (v: unknown[], asc = true, nullsFirst?: boolean) => {
    const nf = nullsFirst ?? asc;
    return v.slice().sort((x, y) => {
      if (x === null || y === null) return x === y ? 0 : (x === null) === nf ? -1 : 1;
      return asc ? compareValues(x, y) : -compareValues(x, y);
    });
  },
});

// --- maps ----------------------------------------------------------------------------------------------------------

const mapT = (a: SqlType[]): SqlType => (a[0]!.kind === 'NULL' ? T.map(T.null(), T.null()) : a[0]!);
defineFunction({ name: 'MAP_KEYS', params: [F.map], result: (a) => T.array(mapT(a).element!), impl: (m: Map<unknown, unknown>) => [...m.keys()] });
defineFunction({ name: 'MAP_VALUES', params: [F.map], result: (a) => T.array(mapT(a).value!), impl: (m: Map<unknown, unknown>) => [...m.values()] });
defineFunction({
  name: 'MAP_ENTRIES', params: [F.map],
  result: (a) => T.array(T.row([{ name: 'key', type: mapT(a).element! }, { name: 'value', type: mapT(a).value! }], false)),
  impl: (m: Map<unknown, unknown>) => [...m.entries()].map(([k, v]) => [k, v]),
});
defineFunction({
  name: 'MAP_FROM_ARRAYS', params: [F.array, F.array], result: (a) => T.map(elem(a, 0), elem(a, 1)),
  impl: (ks: unknown[], vs: unknown[]) => {
    if (ks.length !== vs.length) throw new ExprError('FUNCTION_ARGUMENT', 'MAP_FROM_ARRAYS: the key and value arrays have different lengths');
    const m = new Map();
    for (let i = 0; i < ks.length; i++) m.set(ks[i], vs[i]);
    return m;
  },
});
defineFunction({
  name: 'MAP_UNION', params: [F.map], variadic: true, min: 1,
  result: (a) => { const r = leastRestrictive(a); return isInferError(r) ? { error: 'MAP_UNION needs maps of a common type' } : r; },
  impl: (...ms: Map<unknown, unknown>[]) => { const out = new Map(); for (const m of ms) for (const [k, v] of m) out.set(k, v); return out; },
});
