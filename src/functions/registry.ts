/**
 * The scalar function registry and a small builder that turns a declarative signature into a ScalarFunctionDef with
 * Flink-style argument checking and readable errors ("SUBSTRING expects (STRING, INT [, INT]) but got (INT, INT)").
 *
 * Argument families accept the untyped NULL literal everywhere (the result is then nullable). Unless a spec says
 * otherwise, functions are strict (NULL in, NULL out) and deterministic, and the result is nullable when any argument
 * is nullable.
 */
import type { SqlType } from '../common/types.js';
import { isIntegral, isNumeric, isString, typeToString, withNullable } from '../common/types.js';
import type { Value } from '../common/row.js';
import type { InferResult, ScalarFunctionDef } from './function-def.js';
import { isInferError } from './function-def.js';

const registry = new Map<string, ScalarFunctionDef>();

export function registerFunction(def: ScalarFunctionDef, aliases: string[] = []): void {
  registry.set(def.name, def);
  for (const a of aliases) registry.set(a, { ...def, name: a });
}

export function lookupFunction(name: string): ScalarFunctionDef | undefined {
  return registry.get(name.toUpperCase());
}

export function functionNames(): string[] {
  return [...registry.keys()].sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Argument families

export interface Family { name: string; test: (t: SqlType) => boolean }

const fam = (name: string, test: (t: SqlType) => boolean): Family => ({ name, test: (t) => t.kind === 'NULL' || test(t) });

export const F = {
  any: fam('ANY', () => true),
  string: fam('STRING', isString),
  numeric: fam('NUMERIC', isNumeric),
  integral: fam('INTEGER', isIntegral),
  boolean: fam('BOOLEAN', (t) => t.kind === 'BOOLEAN'),
  bytes: fam('BYTES', (t) => t.kind === 'BYTES'),
  stringOrBytes: fam('STRING', (t) => isString(t) || t.kind === 'BYTES'),
  date: fam('DATE', (t) => t.kind === 'DATE'),
  timestamp: fam('TIMESTAMP', (t) => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ'),
  datetime: fam('DATE/TIMESTAMP', (t) => t.kind === 'DATE' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ'),
  temporal: fam('DATE/TIME/TIMESTAMP', (t) => t.kind === 'DATE' || t.kind === 'TIME' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ'),
  timeOrTimestamp: fam('TIME/TIMESTAMP', (t) => t.kind === 'TIME' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ'),
  array: fam('ARRAY', (t) => t.kind === 'ARRAY'),
  map: fam('MAP', (t) => t.kind === 'MAP'),
  arrayOrMap: fam('ARRAY/MAP', (t) => t.kind === 'ARRAY' || t.kind === 'MAP'),
  numericOrString: fam('NUMERIC/STRING', (t) => isNumeric(t) || isString(t)),
  numericOrTemporal: fam('NUMERIC/TIMESTAMP', (t) => isNumeric(t) || t.kind === 'DATE' || t.kind === 'TIME' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ'),
};

export type ResultFn = (args: SqlType[], literals: (Value | undefined)[]) => InferResult;

export interface FnSpec {
  name: string;
  aliases?: string[];
  /** Positional families; with `variadic`, the last family repeats. Optional arguments come after `min`. */
  params: Family[];
  min?: number;
  variadic?: boolean;
  /** Result type, or a function of the argument types and literals. */
  result: SqlType | ResultFn;
  /** 'args' (default): nullable when any argument is; 'always'; 'never'; 'asIs': take the result type's nullability. */
  nullable?: 'args' | 'always' | 'never' | 'asIs';
  impl: (...args: any[]) => Value;
  strict?: boolean;
  deterministic?: boolean;
  needsContext?: boolean;
  specialize?: ScalarFunctionDef['specialize'];
  /** Extra validation after families matched (e.g. literal-only arguments). */
  check?: (args: SqlType[], literals: (Value | undefined)[]) => InferResult | undefined;
}

function signatureText(spec: FnSpec): string {
  const min = spec.min ?? spec.params.length;
  const parts = spec.params.map((p, i) => (i >= min ? `[${p.name}]` : p.name));
  if (spec.variadic) parts.push('...');
  return `${spec.name}(${parts.join(', ')})`;
}

/** Builds and registers a function from a spec. */
export function defineFunction(spec: FnSpec): ScalarFunctionDef {
  const min = spec.min ?? spec.params.length;
  const max = spec.variadic ? Infinity : spec.params.length;
  const def: ScalarFunctionDef = {
    name: spec.name,
    strict: spec.strict ?? true,
    deterministic: spec.deterministic ?? true,
    impl: spec.impl,
    inferType(args, literals) {
      const got = `(${args.map((a) => typeToString(a, false)).join(', ')})`;
      if (args.length < min || args.length > max) {
        return { error: `${spec.name} expects ${signatureText(spec)} but got ${args.length} argument${args.length === 1 ? '' : 's'} ${got}` };
      }
      for (let i = 0; i < args.length; i++) {
        const f = spec.params[Math.min(i, spec.params.length - 1)]!;
        if (!f.test(args[i]!)) {
          return {
            error: `cannot apply ${spec.name} to ${got}: argument ${i + 1} must be ${f.name}`,
            hint: `expected ${signatureText(spec)}`,
          };
        }
      }
      if (spec.check) {
        const c = spec.check(args, literals);
        if (c !== undefined) return c;
      }
      const r = typeof spec.result === 'function' ? spec.result(args, literals) : spec.result;
      if (isInferError(r)) return r;
      switch (spec.nullable ?? 'args') {
        case 'always': return withNullable(r, true);
        case 'never': return withNullable(r, false);
        case 'asIs': return r;
        default: return withNullable(r, args.some((a) => a.nullable));
      }
    },
  };
  if (spec.needsContext) def.needsContext = true;
  if (spec.specialize) def.specialize = spec.specialize;
  registerFunction(def, spec.aliases);
  return def;
}

/** The literal value of argument i when it is a constant of the expected JS type. */
export function lit<T>(literals: (Value | undefined)[], i: number, type: 'string' | 'number' | 'boolean'): T | undefined {
  const v = literals[i];
  return typeof v === type ? (v as T) : undefined;
}
