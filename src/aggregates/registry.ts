/**
 * The aggregate registry: resolves an AggCall (name, argument types, DISTINCT, context) to Flink's result type and a
 * factory of the AggFunction that computes it, or to a user-facing error.
 *
 * Result types follow Flink's planner (Calcite return-type inference with FlinkTypeSystem):
 *   COUNT                      BIGINT NOT NULL
 *   SUM                        the argument type; DECIMAL(p, s) -> DECIMAL(38, s)
 *   $SUM0 (internal)           as SUM, NOT NULL
 *   AVG, STDDEV_*, VAR_*       the argument type; DECIMAL(p, s) -> DECIMAL(38, max(6, s))
 *   MIN, MAX                   the argument type
 *   FIRST_VALUE, LAST_VALUE    the argument type
 *   LISTAGG                    the first argument's type
 *   ARRAY_AGG                  ARRAY<argument type>, nullable
 * Nullability: SUM/AVG/MIN/MAX/VAR_POP/STDDEV_POP results are nullable when the argument is, or when there are no
 * grouping keys or there is a FILTER clause (Calcite's "nullable if the group may be empty"); STDDEV_SAMP/VAR_SAMP
 * are always nullable (NULL for a single row); FIRST_VALUE/LAST_VALUE/LISTAGG are nullable when an argument is.
 * Time attributes are never carried into aggregate results.
 */
import { suggest } from '../common/diagnostics.js';
import {
  T, isIntegral, isNumeric, isString, typeToString, withNullable, withoutTimeAttr, type SqlType,
} from '../common/types.js';
import type { AggCall, AggFunction, AggResolution } from './agg-function.js';
import { ArrayAgg } from './array-agg.js';
import { DecimalAvg, DoubleAvg, FloatAvg, IntegralAvg } from './avg.js';
import { Count, CountMulti, CountStar } from './count.js';
import { DistinctAgg } from './distinct.js';
import { FirstLastValueRetract, FirstValueAppend, LastValueAppend } from './first-last-value.js';
import { LISTAGG_DEFAULT_SEPARATOR, ListAgg } from './listagg.js';
import { MinMaxAppend, MinMaxRetract } from './min-max.js';
import { avgAggDecimal, sumAggDecimal } from './numeric.js';
import { DecimalSum, DoubleSum, FloatSum, IntegralSum } from './sum.js';
import {
  SumSquaresVariance, VARIANCE_ALGORITHM, WelfordVariance, type VarianceAlgorithm, type VarianceKind,
} from './variance.js';

/** User-facing aggregate names Freshet computes. */
const SUPPORTED = [
  'ARRAY_AGG', 'AVG', 'COUNT', 'FIRST_VALUE', 'LAST_VALUE', 'LISTAGG', 'MAX', 'MIN', 'STDDEV', 'STDDEV_POP',
  'STDDEV_SAMP', 'SUM', 'VARIANCE', 'VAR_POP', 'VAR_SAMP',
] as const;

/** Planner-internal aggregates (never written by users). */
const INTERNAL = ['$SUM0'] as const;

/** Flink aggregates Freshet recognises (so they bind as aggregates) but rejects with a specific reason. */
const UNSUPPORTED: Readonly<Record<string, { message: string; hint?: string }>> = {
  APPROX_COUNT_DISTINCT: {
    message: 'APPROX_COUNT_DISTINCT is only supported by Flink in batch mode, and Freshet runs streaming jobs',
    hint: 'use COUNT(DISTINCT ...)',
  },
  COLLECT: { message: 'COLLECT (MULTISET results) is not supported by Freshet yet', hint: 'use ARRAY_AGG' },
  JSON_OBJECTAGG: { message: 'JSON_OBJECTAGG is not supported by Freshet yet' },
  JSON_ARRAYAGG: { message: 'JSON_ARRAYAGG is not supported by Freshet yet', hint: 'use ARRAY_AGG' },
};

const ALL_NAMES = new Set<string>([...SUPPORTED, ...INTERNAL, ...Object.keys(UNSUPPORTED)]);

/** User-facing aggregate names that resolve (sorted). */
export function aggregateNames(): string[] {
  return [...SUPPORTED];
}

/** True for every name the binder should treat as an aggregate call (including internal and rejected ones). */
export function isAggregateName(name: string): boolean {
  return ALL_NAMES.has(name.toUpperCase());
}

export interface ResolveOptions {
  /** Which of Flink's variance rewrites to reproduce; default VARIANCE_ALGORITHM. */
  varianceAlgorithm?: VarianceAlgorithm;
}

export function resolveAggregate(call: AggCall, options: ResolveOptions = {}): AggResolution {
  const name = call.name.toUpperCase();
  if (UNSUPPORTED[name]) return fail(UNSUPPORTED[name]!.message, UNSUPPORTED[name]!.hint);
  if (!ALL_NAMES.has(name)) {
    const s = suggest(name, SUPPORTED);
    return fail(`unknown aggregate function '${call.name}'`, s ? `did you mean ${s}?` : undefined);
  }
  const args = call.argTypes.map((t) => withoutTimeAttr(t));
  const r = resolveInner(name, args, call, options);
  if (!r.ok) return r;
  // DISTINCT cannot change MIN/MAX, so it is dropped there rather than paying for a distinct map.
  if (!call.distinct || name === 'MIN' || name === 'MAX') return r;
  if (args.length === 0) return fail(`${name}(DISTINCT *) is not valid SQL`, 'use COUNT(*) or COUNT(DISTINCT column)');
  const inner = r.create;
  return { ok: true, resultType: r.resultType, create: () => new DistinctAgg(inner()) };
}

type Resolved = { ok: true; resultType: SqlType; create: () => AggFunction };

function ok(resultType: SqlType, create: () => AggFunction): Resolved {
  return { ok: true, resultType, create };
}

function fail(message: string, hint?: string): AggResolution {
  return hint ? { ok: false, message, hint } : { ok: false, message };
}

function resolveInner(name: string, args: SqlType[], call: AggCall, options: ResolveOptions): AggResolution {
  const nullableIfEmpty = !call.grouped || !!call.hasFilter;
  const retract = call.needRetraction !== false;
  const one = (): SqlType | AggResolution => {
    if (args.length !== 1) return fail(`${name} takes exactly one argument, got ${args.length}`);
    if (args[0]!.kind === 'NULL') return fail(`${name} cannot be applied to an untyped NULL`, 'CAST the NULL to a type');
    return args[0]!;
  };
  const numeric = (): SqlType | AggResolution => {
    const a = one();
    if ('ok' in a) return a;
    if (!isNumeric(a)) return fail(`${name} requires a numeric argument, got ${typeToString(a, false)}`);
    return a;
  };
  const isErr = (x: SqlType | AggResolution): x is AggResolution => 'ok' in x;

  switch (name) {
    case 'COUNT': {
      const rt = T.bigint(false);
      if (args.length === 0) return ok(rt, () => new CountStar());
      if (args.length === 1) return ok(rt, () => new Count());
      return ok(rt, () => new CountMulti());
    }
    case 'SUM':
    case '$SUM0': {
      const a = numeric();
      if (isErr(a)) return a;
      const zero = name === '$SUM0';
      const nullable = zero ? false : a.nullable || nullableIfEmpty;
      if (a.kind === 'DECIMAL') {
        const d = sumAggDecimal({ precision: a.precision ?? 10, scale: a.scale ?? 0 });
        const rt = T.decimal(d.precision, d.scale, nullable);
        return ok(rt, () => new DecimalSum(name, rt, zero, d.scale));
      }
      const rt = withNullable(a, nullable);
      if (isIntegral(a)) return ok(rt, () => new IntegralSum(name, rt, zero));
      if (a.kind === 'FLOAT') return ok(rt, () => new FloatSum(name, rt, zero));
      return ok(rt, () => new DoubleSum(name, rt, zero));
    }
    case 'AVG': {
      const a = numeric();
      if (isErr(a)) return a;
      const rt = avgType(a, a.nullable || nullableIfEmpty);
      if (a.kind === 'DECIMAL') { const s = a.scale ?? 0; return ok(rt, () => new DecimalAvg(rt, s)); }
      if (isIntegral(a)) return ok(rt, () => new IntegralAvg(rt));
      if (a.kind === 'FLOAT') return ok(rt, () => new FloatAvg(rt));
      return ok(rt, () => new DoubleAvg(rt));
    }
    case 'VAR_POP': case 'VAR_SAMP': case 'VARIANCE': case 'STDDEV_POP': case 'STDDEV_SAMP': case 'STDDEV': {
      const a = numeric();
      if (isErr(a)) return a;
      const kind: VarianceKind = name === 'VARIANCE' ? 'VAR_SAMP' : name === 'STDDEV' ? 'STDDEV_SAMP' : name as VarianceKind;
      const sample = kind === 'VAR_SAMP' || kind === 'STDDEV_SAMP';
      const rt = avgType(a, sample || a.nullable || nullableIfEmpty);
      const algorithm = options.varianceAlgorithm ?? VARIANCE_ALGORITHM;
      return algorithm === 'welford'
        ? ok(rt, () => new WelfordVariance(kind, rt))
        : ok(rt, () => new SumSquaresVariance(kind, rt, a));
    }
    case 'MIN':
    case 'MAX': {
      const a = one();
      if (isErr(a)) return a;
      if (!isComparable(a)) return fail(`${name} does not support type ${typeToString(a, false)}`, 'MIN and MAX apply to numeric, character, boolean, binary, date and time values');
      const rt = withNullable(a, a.nullable || nullableIfEmpty);
      const isMax = name === 'MAX';
      const bytes = a.kind === 'BYTES';
      return retract
        ? ok(rt, () => new MinMaxRetract(isMax, rt, bytes))
        : ok(rt, () => new MinMaxAppend(isMax, rt, bytes));
    }
    case 'FIRST_VALUE':
    case 'LAST_VALUE': {
      const a = one();
      if (isErr(a)) return a;
      const rt = a;
      const ignoreNulls = call.ignoreNulls ?? true;
      const last = name === 'LAST_VALUE';
      if (retract) return ok(rt, () => new FirstLastValueRetract(last, rt, ignoreNulls));
      return ok(rt, () => (last ? new LastValueAppend(rt, ignoreNulls) : new FirstValueAppend(rt, ignoreNulls)));
    }
    case 'LISTAGG': {
      if (args.length !== 1 && args.length !== 2) return fail(`LISTAGG takes one or two arguments, got ${args.length}`);
      const a = args[0]!;
      if (!isString(a)) return fail(`LISTAGG requires a character argument, got ${typeToString(a, false)}`, 'CAST the value to STRING');
      let sep = LISTAGG_DEFAULT_SEPARATOR;
      let nullable = a.nullable;
      if (args.length === 2) {
        const lit = call.literalArgs?.[1];
        if (!isString(args[1]!) || typeof lit !== 'string') {
          return fail('the separator of LISTAGG must be a character literal', "e.g. LISTAGG(name, ';')");
        }
        sep = lit;
        nullable = nullable || args[1]!.nullable;
      }
      const rt = withNullable(a, nullable);
      const withSep = args.length === 2;
      return ok(rt, () => new ListAgg(rt, sep, withSep));
    }
    case 'ARRAY_AGG': {
      const a = one();
      if (isErr(a)) return a;
      const rt = T.array(a, true);
      const ignoreNulls = call.ignoreNulls ?? false;
      return ok(rt, () => new ArrayAgg(rt, ignoreNulls));
    }
  }
  return fail(`unknown aggregate function '${name}'`);
}

/** Flink's AVG result type (also used by the variance family): the argument type; DECIMAL(38, max(6, s)). */
function avgType(a: SqlType, nullable: boolean): SqlType {
  if (a.kind === 'DECIMAL') {
    const d = avgAggDecimal({ precision: a.precision ?? 10, scale: a.scale ?? 0 });
    return T.decimal(d.precision, d.scale, nullable);
  }
  return withNullable(a, nullable);
}

function isComparable(t: SqlType): boolean {
  switch (t.kind) {
    case 'BOOLEAN': case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT': case 'DOUBLE':
    case 'DECIMAL': case 'CHAR': case 'VARCHAR': case 'BYTES': case 'DATE': case 'TIME': case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return true;
    default:
      return false;
  }
}
