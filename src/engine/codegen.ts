/**
 * Compiles bound expressions (src/plan/bound-expr.ts) to JavaScript source and then to functions with
 * `new Function`, so the hot path runs straight-line code instead of walking an expression tree per row.
 *
 * Invariants of generated code:
 *  - SQL NULL is `null`; every sub-expression evaluates to a value or null (never undefined).
 *  - Three-valued logic: AND/OR/NOT follow SQL (false AND null = false, true OR null = true).
 *  - Each expression node that needs a temporary gets its own `let tN` so nested expressions never clobber each other.
 *  - Runtime helpers and non-primitive constants live in the `c` array captured by the compiled function.
 */
import type { BExpr } from '../plan/bound-expr.js';
import type { SqlType } from '../common/types.js';
import { isNumeric, isString, isTemporal } from '../common/types.js';
import {
  lookupFunction, makeArithmetic, makeArithmeticSource, makeCast, makeTryCast, makeCastSource,
  compareValues, valuesEqual, compileLike, compileSimilar, type EvalContext,
} from '../functions/index.js';

export interface CompiledParts {
  /** JS source of the expression, reading the current row from variable `r`. */
  code: string;
  temps: number;
  consts: unknown[];
}

/** Types whose values compare correctly with JS operators (numbers, strings, booleans). */
function isPrimitiveComparable(t: SqlType): boolean {
  return isNumeric(t) || isString(t) || isTemporal(t) || t.kind === 'BOOLEAN' || t.kind === 'NULL'
    || t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH';
}

export class ExprCompiler {
  private temps = 0;
  readonly consts: unknown[] = [];
  constructor(private readonly ctx: EvalContext) {}

  private tmp(): string { return `t${this.temps++}`; }
  private constRef(v: unknown): string { this.consts.push(v); return `c[${this.consts.length - 1}]`; }

  private literal(v: unknown): string {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'number') return Number.isFinite(v) ? (Object.is(v, -0) ? '-0' : String(v)) : this.constRef(v);
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return JSON.stringify(v);
    return this.constRef(v);
  }

  /** Evaluates args into temps; null if any is null, else `body(temps)`. */
  private strict(args: BExpr[], body: (t: string[]) => string): string {
    const ts = args.map(() => this.tmp());
    const checks = args.map((a, i) => `(${ts[i]} = ${this.gen(a)}) === null`).join(' || ');
    return `(${checks} ? null : ${body(ts)})`;
  }

  gen(e: BExpr): string {
    switch (e.kind) {
      case 'col': return `r[${e.index}]`;
      case 'lit': return this.literal(e.value);
      case 'call': {
        const def = lookupFunction(e.fn);
        if (!def) throw new Error(`internal: unknown function ${e.fn} reached codegen`);
        const literals = e.args.map((a) => (a.kind === 'lit' ? a.value : undefined));
        const impl = def.specialize?.(e.args.map((a) => a.type), literals) ?? def.impl;
        const f = this.constRef(impl);
        const withCtx = (def as { needsContext?: boolean }).needsContext ? [this.constRef(this.ctx)] : [];
        if (def.strict && e.args.length > 0) {
          return this.strict(e.args, (ts) => `${f}(${[...withCtx, ...ts].join(', ')})`);
        }
        return `${f}(${[...withCtx, ...e.args.map((a) => this.gen(a))].join(', ')})`;
      }
      case 'arith': {
        const [a, b] = e.args;
        return this.strict(e.args, ([x, y]) => {
          const inline = makeArithmeticSource(e.op, a.type, b.type, e.type, x!, y!);
          if (inline !== undefined) return inline;
          return `${this.constRef(makeArithmetic(e.op, a.type, b.type, e.type))}(${x}, ${y})`;
        });
      }
      case 'neg': return this.strict([e.arg], ([x]) => (e.type.kind === 'INT' ? `((-${x}) | 0)` : `(-${x})`));
      case 'cmp': {
        const [a] = e.args;
        const prim = isPrimitiveComparable(a.type);
        return this.strict(e.args, ([x, y]) => {
          if (prim) {
            const op = e.op === '=' ? '===' : e.op === '<>' ? '!==' : e.op;
            return `(${x} ${op} ${y})`;
          }
          if (e.op === '=' || e.op === '<>') {
            return `(${e.op === '<>' ? '!' : ''}${this.constRef(valuesEqual)}(${x}, ${y}))`;
          }
          return `(${this.constRef(compareValues)}(${x}, ${y}) ${e.op} 0)`;
        });
      }
      case 'distinctFrom': {
        const [x, y] = [this.tmp(), this.tmp()];
        const eq = isPrimitiveComparable(e.args[0].type) ? `${x} === ${y}` : `${this.constRef(valuesEqual)}(${x}, ${y})`;
        const same = `((${x} = ${this.gen(e.args[0])}), (${y} = ${this.gen(e.args[1])}), (${x} === null ? ${y} === null : ${y} !== null && ${eq}))`;
        return e.negated ? same : `(!${same})`;
      }
      case 'and': case 'or': {
        // Fold pairwise with SQL three-valued semantics.
        const stop = e.kind === 'and' ? 'false' : 'true';
        let acc = this.gen(e.args[0]!);
        for (let i = 1; i < e.args.length; i++) {
          const l = this.tmp(), r = this.tmp();
          acc = `((${l} = ${acc}) === ${stop} ? ${stop} : ((${r} = ${this.gen(e.args[i]!)}) === ${stop} ? ${stop} : (${l} === null || ${r} === null ? null : ${e.kind === 'and' ? 'true' : 'false'})))`;
        }
        return acc;
      }
      case 'not': return this.strict([e.arg], ([x]) => `(!${x})`);
      case 'isNull': return `(${this.gen(e.arg)} ${e.negated ? '!==' : '==='} null)`;
      case 'isBool': {
        const t = this.tmp();
        const test = `((${t} = ${this.gen(e.arg)}) === ${e.value})`;
        return e.negated ? `(!${test})` : test;
      }
      case 'case': {
        let code = this.gen(e.else);
        for (let i = e.whens.length - 1; i >= 0; i--) {
          const [c, v] = e.whens[i]!;
          code = `(${this.gen(c)} === true ? ${this.gen(v)} : ${code})`;
        }
        return code;
      }
      case 'cast': {
        const from = e.arg.type;
        if (e.try) {
          return this.strict([e.arg], ([x]) => `${this.constRef(makeTryCast(from, e.type, this.ctx))}(${x})`);
        }
        return this.strict([e.arg], ([x]) => makeCastSource(from, e.type, x!) ?? `${this.constRef(makeCast(from, e.type, this.ctx))}(${x})`);
      }
      case 'in': {
        const allLits = e.list.every((l) => l.kind === 'lit');
        if (allLits && isPrimitiveComparable(e.arg.type)) {
          const values = e.list.map((l) => (l as { value: unknown }).value);
          const hasNull = values.some((v) => v === null);
          const set = this.constRef(new Set(values.filter((v) => v !== null)));
          const miss = e.negated ? (hasNull ? 'null' : 'true') : (hasNull ? 'null' : 'false');
          const hit = e.negated ? 'false' : 'true';
          return this.strict([e.arg], ([x]) => `(${set}.has(${x}) ? ${hit} : ${miss})`);
        }
        const orExpr: BExpr = {
          kind: 'or', type: e.type,
          args: e.list.map((l) => ({ kind: 'cmp', op: '=', args: [e.arg, l], type: e.type }) as BExpr),
        };
        return e.negated ? `${this.gen({ kind: 'not', arg: orExpr, type: e.type })}` : this.gen(orExpr);
      }
      case 'like': {
        const neg = e.negated ? '!' : '';
        if (e.pattern.kind === 'lit' && typeof e.pattern.value === 'string') {
          const re = this.constRef(e.similar ? compileSimilar(e.pattern.value, e.escape) : compileLike(e.pattern.value, e.escape));
          return this.strict([e.arg], ([x]) => `(${neg}${re}.test(${x}))`);
        }
        const compile = this.constRef(e.similar ? compileSimilar : compileLike);
        const esc = e.escape === undefined ? 'undefined' : JSON.stringify(e.escape);
        return this.strict([e.arg, e.pattern], ([x, p]) => `(${neg}${compile}(${p}, ${esc}).test(${x}))`);
      }
      case 'field': return this.strict([e.arg], ([x]) => `(${x}[${e.index}] ?? null)`);
      case 'item': {
        if (e.arg.type.kind === 'MAP') return this.strict([e.arg, e.key], ([m, k]) => `(${m}.get(${k}) ?? null)`);
        return this.strict([e.arg, e.key], ([a, i]) => `(${a}[${i} - 1] ?? null)`);
      }
      case 'array': case 'row': return `[${e.args.map((a) => this.gen(a)).join(', ')}]`;
      case 'map': {
        const pairs: string[] = [];
        for (let i = 0; i + 1 < e.args.length; i += 2) pairs.push(`[${this.gen(e.args[i]!)}, ${this.gen(e.args[i + 1]!)}]`);
        return `new Map([${pairs.join(', ')}])`;
      }
    }
  }

  tempDecl(): string {
    if (this.temps === 0) return '';
    return `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(', ')};`;
  }
}

export type RowFn = (r: unknown[]) => unknown;

/** Compiles one expression to `(row) => value`. */
export function compileExpr(e: BExpr, ctx: EvalContext): RowFn {
  const cc = new ExprCompiler(ctx);
  const body = cc.gen(e);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('c', `${cc.tempDecl()}\nreturn function expr(r) { return ${body}; };`)(cc.consts) as RowFn;
}

/** A compiled filter + projection over a batch. Errors thrown for a row are reported and the row is skipped. */
export type CalcFn = (
  rows: unknown[][], kinds: number[], outRows: unknown[][], outKinds: number[],
  onError: (row: unknown[], err: unknown) => void,
) => void;

export function compileCalc(condition: BExpr | undefined, projection: BExpr[] | null, ctx: EvalContext): CalcFn {
  const cc = new ExprCompiler(ctx);
  const cond = condition ? cc.gen(condition) : undefined;
  const proj = projection ? `[${projection.map((p) => cc.gen(p)).join(', ')}]` : 'r';
  const src = `${cc.tempDecl()}
return function calc(rows, kinds, outRows, outKinds, onError) {
  const n = rows.length;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    try {
      ${cond ? `if (${cond} !== true) continue;` : ''}
      outRows.push(${proj});
      outKinds.push(kinds[i]);
    } catch (err) { onError(r, err); }
  }
};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('c', src)(cc.consts) as CalcFn;
}
