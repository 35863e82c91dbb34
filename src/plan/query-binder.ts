/**
 * Binds queries to logical plans: FROM (tables, views, CTEs, subqueries, window TVFs), WHERE, GROUP BY / HAVING
 * (unbounded group aggregation, or window aggregation when grouped by window_start and window_end of a window TVF),
 * OVER aggregation, SELECT DISTINCT, UNION [ALL], VALUES, and the top-level ORDER BY / LIMIT (applied to the final
 * result). Constructs that Flink accepts but Freshet does not run yet get a PLAN401 "not supported yet" diagnostic.
 */
import type * as A from '../sql/ast.js';
import type { RowField, SqlType } from '../common/types.js';
import { T, typeToString, withNullable, withoutTimeAttr } from '../common/types.js';
import { DiagnosticBag, suggest } from '../common/diagnostics.js';
import type { AggCallDesc, LogicalNode, OverSpec, TableDef, WindowSpec, FrameBound, SortKey } from './logical-plan.js';
import type { BExpr } from './bound-expr.js';
import { usedColumns, bexprKey } from './bound-expr.js';
import { Scope, sameRelation } from './scope.js';
import { ExprBinder } from './expr-binder.js';
import { PlanErrors as E } from './plan-error-codes.js';
import { walkExpr, astKey } from './ast-walk.js';
import { bindCreateTable } from './table-binder.js';
import type { Catalog } from '../catalog/catalog.js';
import { objectKey } from '../catalog/catalog.js';
import { isAggregateName, resolveAggregate } from '../aggregates/index.js';
import { leastRestrictive, isInferError } from '../functions/index.js';
import { bindJoin } from './join-binder.js';
import { windowColumnsOf } from './window-columns.js';
import { parseDurationText } from './durations.js';

export interface Bound { plan: LogicalNode; scope: Scope }

export interface Presentation {
  orderBy: { index: number; desc: boolean; nullsFirst: boolean }[];
  limit?: number;
  offset?: number;
}

const NULL_LIT: BExpr = { kind: 'lit', value: null, type: T.null() };

function fieldsOf(names: string[], exprs: BExpr[]): RowField[] {
  return names.map((name, i) => ({ name, type: exprs[i]!.type }));
}

function project(input: LogicalNode, exprs: BExpr[], names: string[]): LogicalNode {
  return { kind: 'project', input, exprs, fields: fieldsOf(names, exprs), updating: input.updating };
}

/**
 * Makes names unique the way Calcite does (`a`, `a0`, `a1`, ...: the name plus a counter, skipping names already
 * used). Flink applies it to the columns a `*` expands to and to the result of a top-level query.
 */
function uniquify(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => uniqueName(n, used));
}

/** `name`, or the first of `name0`, `name1`, ... not in `used`; adds the result to `used`. */
function uniqueName(name: string, used: Set<string>): string {
  let m = name;
  for (let i = 0; used.has(m); i++) m = `${name}${i}`;
  used.add(m);
  return m;
}

/** The first name that occurs twice, with the positions of both occurrences. */
export function firstDuplicate(names: readonly string[]): { name: string; first: number; second: number } | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const first = seen.get(names[i]!);
    if (first !== undefined) return { name: names[i]!, first, second: i };
    seen.set(names[i]!, i);
  }
  return undefined;
}

export class QueryBinder {
  private readonly tableCache = new Map<string, TableDef>();
  /** Numbers the FROM items bound (ScopeField.origin). */
  private nextOrigin = 0;
  /** WITH items already reported for repeated column names (a WITH item is bound once per reference). */
  private readonly reportedCtes = new Set<A.Cte>();
  /** WITH items bound at least once: the others are bound on their own, as Flink validates every WITH item. */
  private readonly boundCtes = new Set<A.Cte>();
  /** Query hints (/*+ ... *\/ after SELECT) of the SELECT being bound: STATE_TTL, LOOKUP. */
  currentHints: readonly A.Hint[] = [];
  constructor(readonly catalog: Catalog, readonly bag: DiagnosticBag, readonly script: string, readonly config: Record<string, string> = {}) {}

  err(code: string, message: string, node: { span: A.Span }, hint?: string): void {
    this.bag.error(code, message, node.span, hint);
  }

  notSupported(what: string, node: { span: A.Span }, hint?: string): Bound {
    this.err(E.NotSupported, `${what} is not supported yet`, node, hint);
    return this.empty();
  }

  empty(): Bound {
    const scope = new Scope([]);
    scope.poisoned = true;
    return { plan: { kind: 'values', rows: [], fields: [], updating: false }, scope };
  }

  tableDef(entry: { name: string; ddl: A.CreateTable; baseDir: string }): TableDef {
    let def = this.tableCache.get(entry.name);
    if (!def) {
      def = bindCreateTable(entry.ddl, entry.name, entry.baseDir, this.bag);
      this.tableCache.set(entry.name, def);
    }
    return def;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Queries

  /**
   * Binds a query. `top` marks the statement's own query (not a subquery, view or INSERT source): its result columns
   * get unique names as Flink's result schema has them (`SELECT a, 1 AS a` prints `a` and `a0`), after ORDER BY of the
   * final SELECT resolved against the names as written.
   */
  bindQuery(q: A.QueryExpr, ctes: Map<string, A.Cte>, top = false): { bound: Bound; presentation?: Presentation } {
    const r = this.bindQueryBody(q, ctes, top);
    if (!top) return r;
    const names = r.bound.plan.fields.map((f) => f.name);
    const unique = uniquify(names);
    if (unique.every((n, i) => n === names[i])) return r;
    const plan = { ...r.bound.plan, fields: r.bound.plan.fields.map((f, i) => ({ ...f, name: unique[i]! })) } as LogicalNode;
    const scope = Scope.of(unique, plan.fields.map((f) => f.type));
    scope.poisoned = r.bound.scope.poisoned;
    return { ...r, bound: { plan, scope } };
  }

  /**
   * Checks that a view's columns have distinct names: Flink rejects CREATE VIEW when its query repeats a column name
   * (a `*` never does: it renames), unless the view lists its own column names.
   */
  checkViewColumns(viewName: string, fields: readonly RowField[], columns: readonly A.Ident[] | undefined, query: { span: A.Span }): void {
    if (columns) {
      const dup = firstDuplicate(columns.map((c) => c.text));
      if (dup) this.err(E.DuplicateColumn, `duplicate name '${dup.name}' in the column list of view '${viewName}'`, columns[dup.second]!, 'give every column a distinct name');
      return;
    }
    const dup = firstDuplicate(fields.map((f) => f.name));
    if (dup) {
      this.err(E.DuplicateColumn, `columns ${dup.first + 1} and ${dup.second + 1} of view '${viewName}' are both named '${dup.name}'`, query,
        `give them distinct aliases (AS), or name the view's columns: CREATE VIEW ${viewName} (c1, c2, ...) AS ...`);
    }
  }

  private bindQueryBody(q: A.QueryExpr, ctes: Map<string, A.Cte>, top: boolean): { bound: Bound; presentation?: Presentation } {
    if (q.kind === 'Query') {
      const inner = new Map(ctes);
      for (const c of q.with?.ctes ?? []) inner.set(c.name.text, c);
      const body = this.bindQuery(q.body, inner).bound;
      for (const c of q.with?.ctes ?? []) if (!this.boundCtes.has(c)) this.bindCte(c, inner);
      if (q.orderBy.length === 0 && !q.limit && !q.offset && !q.fetch) return { bound: body };
      if (!top) {
        this.err(E.NotSupported, 'ORDER BY / LIMIT inside a subquery or view is not supported yet', q.orderBy[0] ?? q.limit ?? q,
          'Top-N queries (ROW_NUMBER() OVER ...) are planned; ORDER BY / LIMIT work on the final SELECT');
        return { bound: body };
      }
      return { bound: body, presentation: this.presentation(q, body) };
    }
    if (q.kind === 'Select') return { bound: this.bindSelect(q, ctes) };
    if (q.kind === 'Values') return { bound: this.bindValues(q) };
    return { bound: this.bindSetOp(q, ctes) };
  }

  private presentation(q: A.Query, body: Bound): Presentation {
    const p: Presentation = { orderBy: [] };
    const names = body.plan.fields.map((f) => f.name);
    for (const o of q.orderBy) {
      let index = -1;
      if (o.expr.kind === 'NumericLiteral') index = Number(o.expr.text) - 1;
      else if (o.expr.kind === 'ColumnRef') index = names.indexOf(o.expr.names[o.expr.names.length - 1]!.text);
      if (index < 0 || index >= names.length) {
        const s = o.expr.kind === 'ColumnRef' ? suggest(o.expr.names[o.expr.names.length - 1]!.text, names) : undefined;
        this.err(E.UnknownColumn, 'ORDER BY of the final SELECT must name an output column or its position', o.expr, s ? `did you mean '${s}'?` : undefined);
        continue;
      }
      const desc = o.direction === 'DESC';
      p.orderBy.push({ index, desc, nullsFirst: o.nulls ? o.nulls === 'FIRST' : !desc });
    }
    const num = (e: A.Expr | undefined, what: string): number | undefined => {
      if (!e) return undefined;
      if (e.kind !== 'NumericLiteral' || e.numberKind !== 'integer') { this.err(E.NotConstant, `${what} must be an integer literal`, e); return undefined; }
      return Number(e.text);
    };
    const limit = num(q.limit ?? q.fetch, 'LIMIT');
    const offset = num(q.offset, 'OFFSET');
    if (limit !== undefined) p.limit = limit;
    if (offset !== undefined) p.offset = offset;
    return p;
  }

  private bindValues(v: A.Values): Bound {
    const b = new ExprBinder(new Scope([]), this.bag, { context: 'in VALUES' });
    const rows = v.rows.map((r) => r.map((e) => b.bind(e)));
    const width = rows[0]?.length ?? 0;
    if (rows.some((r) => r.length !== width)) { this.err(E.ColumnCount, 'VALUES rows have different numbers of columns', v); return this.empty(); }
    const types: SqlType[] = [];
    for (let c = 0; c < width; c++) types.push(b.common(rows.map((r) => r[c]!.type), v, `VALUES column ${c + 1}`));
    const coerced = rows.map((r) => r.map((e, c) => b.coerce(e, types[c]!)));
    const names = types.map((_, i) => `EXPR$${i}`);
    const fields = names.map((name, i) => ({ name, type: types[i]! }));
    return { plan: { kind: 'values', rows: coerced, fields, updating: false }, scope: Scope.of(names, types) };
  }

  private bindSetOp(q: A.SetOperation, ctes: Map<string, A.Cte>): Bound {
    if (q.op !== 'UNION') return this.notSupported(q.op, q, 'use UNION ALL with filters, or joins once supported');
    const l = this.bindQuery(q.left, ctes).bound, r = this.bindQuery(q.right, ctes).bound;
    const lf = l.plan.fields, rf = r.plan.fields;
    if (lf.length !== rf.length) {
      this.err(E.ColumnCount, `UNION inputs have ${lf.length} and ${rf.length} columns`, q, 'both sides must select the same number of columns');
      return l;
    }
    const types: SqlType[] = [];
    for (let i = 0; i < lf.length; i++) {
      const t = leastRestrictive([lf[i]!.type, rf[i]!.type].filter((x) => x.kind !== 'NULL'));
      if (isInferError(t)) {
        this.err(E.TypeMismatch, `UNION column ${i + 1} ('${lf[i]!.name}') has incompatible types ${typeToString(lf[i]!.type)} and ${typeToString(rf[i]!.type)}`, q);
        types.push(lf[i]!.type);
      } else {
        const keepAttr = lf[i]!.type.timeAttr && lf[i]!.type.timeAttr === rf[i]!.type.timeAttr ? lf[i]!.type.timeAttr : undefined;
        const base = withNullable(withoutTimeAttr(t), lf[i]!.type.nullable || rf[i]!.type.nullable);
        types.push(keepAttr ? { ...base, timeAttr: keepAttr } : base);
      }
    }
    const names = lf.map((f) => f.name);
    const align = (b: Bound): LogicalNode => {
      const binder = new ExprBinder(b.scope, this.bag);
      const exprs = b.plan.fields.map((f, i) => {
        const c: BExpr = { kind: 'col', index: i, type: f.type, name: f.name };
        return f.type.kind === types[i]!.kind && f.type.precision === types[i]!.precision && f.type.scale === types[i]!.scale ? c : binder.coerce(c, types[i]!);
      });
      if (exprs.every((e, i) => e.kind === 'col' && e.index === i)) return b.plan;
      return project(b.plan, exprs, names);
    };
    const inputs = [align(l), align(r)];
    const fields = names.map((name, i) => ({ name, type: types[i]! }));
    let plan: LogicalNode = { kind: 'union', inputs, fields, updating: inputs.some((p) => p.updating) };
    if (!q.all) plan = { kind: 'aggregate', input: plan, groupKeys: fields.map((_, i) => i), aggs: [], fields: fields.map((f) => ({ ...f, type: withoutTimeAttr(f.type) })), updating: true };
    return { plan, scope: Scope.of(names, plan.fields.map((f) => f.type)) };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // FROM

  bindRelation(r: A.Relation, ctes: Map<string, A.Cte>): Bound {
    switch (r.kind) {
      case 'TableRef': {
        if (r.forSystemTime) return this.notSupported('FOR SYSTEM_TIME AS OF (lookup and temporal joins)', r.forSystemTime);
        const b = this.bindNamed(r.name, ctes);
        const hints = r.hints.find((h) => h.name.toUpperCase() === 'OPTIONS');
        if (hints && b.plan.kind === 'scan') {
          const options = { ...b.plan.table.options, ...(hints.options ?? {}) };
          b.plan = { ...b.plan, table: { ...b.plan.table, options } };
        }
        return this.alias(b, r.alias, r.name.parts[r.name.parts.length - 1]!.text);
      }
      case 'DerivedTable': {
        if (r.lateral) return this.notSupported('LATERAL subqueries', r);
        const b = this.bindQuery(r.query, ctes).bound;
        return this.alias(b, r.alias, undefined);
      }
      case 'Join': return bindJoin(this, r, ctes);
      case 'Unnest': return this.notSupported('UNNEST outside a join', r, 'write FROM t CROSS JOIN UNNEST(t.arr) AS u(x)');
      case 'TableFunction': return this.bindTableFunction(r, ctes);
    }
  }

  alias(b: Bound, alias: A.Alias | undefined, defaultQualifier: string | undefined): Bound {
    const q = alias?.name.text ?? defaultQualifier;
    let names = b.plan.fields.map((f) => f.name);
    if (alias?.columns) {
      if (alias.columns.length !== names.length) {
        this.err(E.ColumnCount, `alias '${alias.name.text}' lists ${alias.columns.length} columns but the relation has ${names.length}`, alias);
      } else names = alias.columns.map((c) => c.text);
    }
    let poison = false;
    if (alias?.columns) {
      const dup = firstDuplicate(alias.columns.map((c) => c.text));
      if (dup) {
        this.err(E.DuplicateColumn, `duplicate name '${dup.name}' in the column list of '${alias.name.text}'`, alias.columns[dup.second]!, 'give every column a distinct name');
        poison = true; // references to the relation would only repeat the error
      }
    }
    const origin = this.nextOrigin++;
    const scope = new Scope(b.plan.fields.map((f, i) => (q === undefined ? { name: names[i]!, type: f.type, index: i, origin } : { name: names[i]!, qualifier: q, type: f.type, index: i, origin })));
    if (alias?.columns && alias.columns.length === b.plan.fields.length) {
      b = { plan: { ...b.plan, fields: b.plan.fields.map((f, i) => ({ ...f, name: names[i]! })) } as LogicalNode, scope };
    }
    scope.poisoned = b.scope.poisoned || poison;
    return { plan: b.plan, scope };
  }

  /** A WITH item, bound where it is referenced (`ctes`: the WITH items visible there). */
  private bindCte(cte: A.Cte, ctes: Map<string, A.Cte>): Bound {
    this.boundCtes.add(cte);
    const key = cte.name.text;
    const inner = new Map(ctes);
    inner.delete(key); // a CTE cannot reference itself (no recursive CTEs in Flink)
    const b = this.bindQuery(cte.query, inner).bound;
    if (cte.columns) return this.alias(b, { kind: 'Alias', name: cte.name, columns: cte.columns, span: cte.span }, key);
    // As Flink: a WITH query may repeat a column name only when the WITH item lists its columns.
    const dup = firstDuplicate(b.plan.fields.map((f) => f.name));
    if (dup && !b.scope.poisoned) {
      if (!this.reportedCtes.has(cte)) {
        this.reportedCtes.add(cte);
        this.err(E.DuplicateColumn, `columns ${dup.first + 1} and ${dup.second + 1} of WITH query '${key}' are both named '${dup.name}'`, cte.query,
          `give them distinct aliases (AS), or list the columns: WITH ${key} (c1, c2, ...) AS (...)`);
      }
      b.scope.poisoned = true; // references to it would only repeat the error
    }
    return b;
  }

  /** A table, view or CTE by name. */
  bindNamed(name: A.ObjectName, ctes: Map<string, A.Cte>): Bound {
    const key = objectKey(name);
    const cte = name.parts.length === 1 ? ctes.get(key) : undefined;
    if (cte) return this.bindCte(cte, ctes);
    const entry = this.catalog.get(name);
    if (!entry) {
      const s = suggest(key, [...ctes.keys(), ...this.catalog.names()]);
      this.err(E.UnknownTable, `unknown table '${key}'`, name, s ? `did you mean '${s}'?` : 'declare it with CREATE TABLE');
      return this.empty();
    }
    if (entry.kind === 'view') {
      const b = this.bindQuery(entry.query, new Map()).bound;
      if (entry.columns) {
        const cols = entry.columns;
        b.plan = { ...b.plan, fields: b.plan.fields.map((f, i) => ({ ...f, name: cols[i] ?? f.name })) } as LogicalNode;
      }
      return { plan: b.plan, scope: Scope.of(b.plan.fields.map((f) => f.name), b.plan.fields.map((f) => f.type)) };
    }
    const def = this.tableDef(entry);
    const plan: LogicalNode = { kind: 'scan', table: def, fields: def.fields, updating: false };
    return { plan, scope: Scope.of(def.fields.map((f) => f.name), def.fields.map((f) => f.type)) };
  }

  private bindTableFunction(r: A.TableFunction, ctes: Map<string, A.Cte>): Bound {
    const fname = r.call.name.parts.map((p) => p.text).join('.').toUpperCase();
    if (r.lateral) return this.notSupported('LATERAL TABLE table functions', r);
    if (fname !== 'TUMBLE' && fname !== 'HOP' && fname !== 'CUMULATE' && fname !== 'SESSION') {
      this.err(E.UnknownFunction, `unknown table function ${fname}`, r.call.name, 'window table functions: TUMBLE, HOP, CUMULATE, SESSION');
      return this.empty();
    }
    const order: Record<string, string[]> = {
      TUMBLE: ['DATA', 'TIMECOL', 'SIZE', 'OFFSET'],
      HOP: ['DATA', 'TIMECOL', 'SLIDE', 'SIZE', 'OFFSET'],
      CUMULATE: ['DATA', 'TIMECOL', 'STEP', 'SIZE', 'OFFSET'],
      SESSION: ['DATA', 'TIMECOL', 'GAP', ''],
    };
    const params = order[fname]!;
    const args = new Map<string, A.Expr>();
    r.call.args.forEach((a, i) => {
      if (a.kind === 'NamedArg') {
        const n = a.name.text.toUpperCase();
        if (!params.includes(n)) this.err(E.BadWindowArg, `${fname} has no parameter '${a.name.text}'`, a.name, `parameters: ${params.join(', ')}`);
        else args.set(n, a.value);
      } else if (i < params.length) args.set(params[i]!, a);
      else this.err(E.BadWindowArg, `too many arguments for ${fname}`, a);
    });
    for (const p of params.slice(0, params.length - 1)) {
      if (!args.has(p)) { this.err(E.BadWindowArg, `${fname} is missing its ${p} argument`, r.call); return this.empty(); }
    }
    const data = args.get('DATA')!;
    if (data.kind !== 'TableArg') { this.err(E.BadWindowArg, `the first argument of ${fname} must be TABLE <name>`, data); return this.empty(); }
    if (data.partitionBy.length > 0 && fname !== 'SESSION') this.err(E.BadWindowArg, `${fname} does not take PARTITION BY`, data);
    const input = this.bindNamed(data.name, ctes);
    const tc = args.get('TIMECOL')!;
    if (tc.kind !== 'Descriptor' || tc.columns.length !== 1) { this.err(E.BadWindowArg, `the time column of ${fname} must be DESCRIPTOR(<column>)`, tc); return this.empty(); }
    const colName = tc.columns[0]!.text;
    const timeCol = input.plan.fields.findIndex((f) => f.name === colName);
    if (timeCol < 0) {
      const s = suggest(colName, input.plan.fields.map((f) => f.name));
      this.err(E.UnknownColumn, `unknown column '${colName}' in DESCRIPTOR`, tc.columns[0]!, s ? `did you mean '${s}'?` : undefined);
      return this.empty();
    }
    const tt = input.plan.fields[timeCol]!.type;
    if (!tt.timeAttr) {
      this.err(E.NotTimeAttribute, `the window function requires the time column to be a time attribute, but '${colName}' is ${typeToString(tt)}`, tc.columns[0]!,
        'declare a WATERMARK for it in CREATE TABLE (event time) or use a PROCTIME() column; time attributes are lost after a regular GROUP BY');
      return this.empty();
    }
    const procTime = tt.timeAttr === 'proctime';
    if (procTime && fname === 'SESSION') return this.notSupported('processing-time SESSION windows', tc, 'use an event-time attribute with a WATERMARK');
    if (input.plan.updating) return this.notSupported('window TVFs over an updating input', data);
    const interval = (name: string): number | undefined => {
      const e = args.get(name);
      if (!e) return undefined;
      const b = new ExprBinder(new Scope([]), this.bag).bind(e);
      if (b.kind !== 'lit' || b.type.kind !== 'INTERVAL_DAY_TIME') {
        if (b.type.kind !== 'NULL') this.err(E.BadWindowArg, `${name} of ${fname} must be a day-time INTERVAL literal`, e, "e.g. INTERVAL '10' MINUTE");
        return undefined;
      }
      return b.value as number;
    };
    if (fname === 'SESSION') {
      const gap = interval('GAP');
      if (gap === undefined || gap <= 0) { this.err(E.BadWindow, 'SESSION gap must be a positive interval', args.get('GAP') ?? r.call); return this.empty(); }
      const pScope = Scope.of(input.plan.fields.map((f) => f.name), input.plan.fields.map((f) => f.type));
      const partitionKeys: number[] = [];
      for (const p of data.partitionBy) {
        const e = new ExprBinder(pScope, this.bag).bind(p);
        if (e.kind !== 'col') { this.err(E.BadWindowArg, 'SESSION PARTITION BY must name columns', p); continue; }
        partitionKeys.push(e.index);
      }
      const tsType0: SqlType = tt.kind === 'TIMESTAMP_LTZ' ? T.timestampLtz(3, false) : T.timestamp(3, false);
      const sfields: RowField[] = [...input.plan.fields, { name: 'window_start', type: tsType0 }, { name: 'window_end', type: tsType0 }, { name: 'window_time', type: { ...tsType0, timeAttr: 'rowtime' } }];
      const splan: LogicalNode = { kind: 'windowTvf', input: input.plan, window: { kind: 'SESSION', timeCol, size: gap, gap, offset: 0, partitionKeys, procTime: false }, fields: sfields, updating: false };
      const sq = r.alias?.name.text ?? data.name.parts[data.name.parts.length - 1]!.text;
      return this.alias({ plan: splan, scope: Scope.of(sfields.map((f) => f.name), sfields.map((f) => f.type)) }, r.alias, sq);
    }
    const size = interval('SIZE');
    const slide = interval('SLIDE');
    const step = interval('STEP');
    const offset = interval('OFFSET') ?? 0;
    if (size === undefined || size <= 0) { if (size !== undefined) this.err(E.BadWindow, `${fname} size must be positive`, args.get('SIZE')!); return this.empty(); }
    const spec: WindowSpec = { kind: fname, timeCol, size, offset, procTime };
    if (fname === 'HOP') {
      if (slide === undefined || slide <= 0) { this.err(E.BadWindow, 'HOP slide must be a positive interval', args.get('SLIDE') ?? r.call); return this.empty(); }
      if (size % slide !== 0) { this.err(E.BadWindow, `HOP size (${size} ms) must be an integral multiple of the slide (${slide} ms)`, args.get('SIZE')!); return this.empty(); }
      spec.slide = slide;
    }
    if (fname === 'CUMULATE') {
      if (step === undefined || step <= 0) { this.err(E.BadWindow, 'CUMULATE step must be a positive interval', args.get('STEP') ?? r.call); return this.empty(); }
      if (size % step !== 0) { this.err(E.BadWindow, `CUMULATE size (${size} ms) must be an integral multiple of the step (${step} ms)`, args.get('SIZE')!); return this.empty(); }
      spec.step = step;
    }
    if (Math.abs(offset) >= size) this.err(E.BadWindow, `window offset must be smaller than the window size`, args.get('OFFSET')!);
    const tsType: SqlType = tt.kind === 'TIMESTAMP_LTZ' ? T.timestampLtz(3, false) : T.timestamp(3, false);
    const fields: RowField[] = [
      ...input.plan.fields,
      { name: 'window_start', type: tsType },
      { name: 'window_end', type: tsType },
      { name: 'window_time', type: { ...tsType, timeAttr: 'rowtime' } },
    ];
    const plan: LogicalNode = { kind: 'windowTvf', input: input.plan, window: spec, fields, updating: false };
    const q = r.alias?.name.text ?? data.name.parts[data.name.parts.length - 1]!.text;
    return this.alias({ plan, scope: Scope.of(fields.map((f) => f.name), fields.map((f) => f.type)) }, r.alias, q);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // SELECT

  private outputName(item: A.SelectExpr, i: number): string {
    if (item.alias) return item.alias.text;
    const e = item.expr;
    if (e.kind === 'ColumnRef') return e.names[e.names.length - 1]!.text;
    if (e.kind === 'FieldAccess') return e.field.text;
    return `EXPR$${i}`;
  }

  /**
   * Expands `*` and `t.*` into column references and names the items as Flink's validator does: an expanded column
   * whose name is already in the list so far gets a unique one (`id`, `id0`: `SELECT * FROM a JOIN b`), while an
   * explicit item keeps its name even when it repeats one (`SELECT a, 1 AS a` has two columns `a`; the enclosing query
   * then finds `a` ambiguous). A `*` over one relation that itself has two columns of a name is ambiguous, as in Flink.
   */
  private expandItems(s: A.Select, from: Bound): { expr: A.Expr | BExpr; name: string; item: A.SelectItem }[] {
    const out: { expr: A.Expr | BExpr; name: string; item: A.SelectItem }[] = [];
    const used = new Set<string>();
    s.items.forEach((item, i) => {
      if (item.kind === 'SelectStar') {
        const q = item.qualifier?.parts.map((p) => p.text).join('.');
        const cols = from.scope.fields.filter((f) => q === undefined || f.qualifier === q);
        if (q !== undefined && cols.length === 0) this.err(E.UnknownTable, `unknown table '${q}' in ${q}.*`, item);
        if (!from.scope.poisoned) {
          const twice = cols.find((f) => from.scope.fields.some((g) => g !== f && g.name === f.name && sameRelation(f, g)));
          if (twice) {
            this.err(E.AmbiguousColumn, `column '${twice.name}' is ambiguous in ${q ?? ''}*`, item,
              `${twice.qualifier ? `'${twice.qualifier}'` : 'the relation'} has more than one column named '${twice.name}': rename them where they are defined, or list the columns instead of *`);
          }
        }
        for (const f of cols) {
          const name = uniqueName(f.name, used);
          out.push({ expr: { kind: 'col', index: f.index, type: f.type, name: f.name }, name, item });
        }
      } else {
        const name = this.outputName(item, i);
        used.add(name);
        out.push({ expr: item.expr, name, item });
      }
    });
    return out;
  }

  bindSelect(s: A.Select, ctes: Map<string, A.Cte>): Bound {
    const savedHints = this.currentHints;
    this.currentHints = s.hints;
    try {
      return this.bindSelectInner(s, ctes);
    } finally {
      this.currentHints = savedHints;
    }
  }

  private bindSelectInner(s: A.Select, ctes: Map<string, A.Cte>): Bound {
    let from: Bound = s.from ? this.bindRelation(s.from, ctes)
      : { plan: { kind: 'values', rows: [[]], fields: [], updating: false }, scope: new Scope([]) };
    for (const h of s.hints) {
      const n = h.name.toUpperCase();
      if (n !== 'STATE_TTL' && n !== 'LOOKUP') this.bag.add({ code: E.NotSupported, severity: 'warning', message: `query hint ${h.name} is ignored`, span: h.span });
    }
    if (s.where) {
      const cond = new ExprBinder(from.scope, this.bag, { context: 'in WHERE' }).bind(s.where);
      if (cond.type.kind !== 'BOOLEAN' && cond.type.kind !== 'NULL') this.err(E.NotBoolean, `WHERE must be a BOOLEAN expression, got ${typeToString(cond.type)}`, s.where);
      from = this.applyRankFilter(from, cond, s.where);
    } else {
      this.checkUnfilteredRank(from.plan, s.from ?? s);
    }
    const items = this.expandItems(s, from);
    const aggCalls: A.FunctionCall[] = [];
    const overCalls: A.FunctionCall[] = [];
    const scan = (e: unknown): void => walkExpr(e, (n) => {
      if (n.kind !== 'FunctionCall') return;
      const name = n.name.parts.map((p) => p.text).join('.').toUpperCase();
      if (n.over) { overCalls.push(n); return false; }
      if (isAggregateName(name) || n.star) { aggCalls.push(n); return false; }
      return undefined;
    });
    for (const it of items) if ('span' in it.expr) scan(it.expr);
    if (s.having) scan(s.having);
    const grouped = s.groupBy.length > 0 || aggCalls.length > 0;
    let result: Bound;
    if (grouped) {
      if (overCalls.length > 0) { this.err(E.NotSupported, 'OVER aggregates in a grouped query are not supported yet', overCalls[0]!); }
      result = this.bindAggregate(s, from, items, aggCalls);
    } else if (overCalls.length > 0) {
      result = this.bindOver(s, from, items, overCalls);
    } else {
      if (s.having) this.err(E.AggregateMisuse, 'HAVING requires GROUP BY or an aggregate', s.having);
      const b = new ExprBinder(from.scope, this.bag);
      const exprs = items.map((it) => ('span' in it.expr ? b.bind(it.expr as A.Expr) : it.expr as BExpr));
      const names = items.map((it) => it.name);
      const plan = project(from.plan, exprs.map(stripAttrUnlessColumn), names);
      result = { plan, scope: Scope.of(names, plan.fields.map((f) => f.type)) };
    }
    if (s.distinct) {
      const f = result.plan.fields.map((x) => ({ ...x, type: withoutTimeAttr(x.type) }));
      const plan: LogicalNode = { kind: 'aggregate', input: result.plan, groupKeys: f.map((_, i) => i), aggs: [], fields: f, updating: true };
      result = { plan, scope: Scope.of(f.map((x) => x.name), f.map((x) => x.type)) };
    }
    return result;
  }

  /** Binds the aggregate calls of a query over the pre-aggregation scope. */
  private aggregateCalls(calls: A.FunctionCall[], b: ExprBinder, extra: BExpr[]): { descs: AggCallDesc[]; keyOf: Map<string, number> } {
    const descs: AggCallDesc[] = [];
    const keyOf = new Map<string, number>();
    const argIndex = (e: BExpr): number => {
      const k = bexprKey(e);
      const i = extra.findIndex((x) => bexprKey(x) === k);
      if (i >= 0) return i;
      extra.push(e);
      return extra.length - 1;
    };
    for (const c of calls) {
      const key = astKey(c);
      if (keyOf.has(key)) continue;
      const name = c.name.parts.map((p) => p.text).join('.').toUpperCase();
      const args = c.star ? [] : c.args.map((a) => b.bind(a));
      const literalArgs = args.map((a) => (a.kind === 'lit' ? a.value : undefined));
      const res = resolveAggregate({ name, argTypes: args.map((a) => a.type), distinct: c.distinct, literalArgs });
      if (!res.ok) { this.err(E.BadFunctionArgs, res.message, c, res.hint); keyOf.set(key, -1); continue; }
      // Constant trailing arguments (LISTAGG's separator) are passed as literals, not columns.
      const colArgs = name === 'LISTAGG' ? args.slice(0, 1) : args;
      const desc: AggCallDesc = {
        name, args: colArgs.map(argIndex), argTypes: args.map((a) => a.type), distinct: c.distinct,
        literalArgs, resultType: withoutTimeAttr(res.resultType), outName: `${name}$${descs.length}`,
      };
      if (c.filter) {
        const f = b.bind(c.filter);
        if (f.type.kind !== 'BOOLEAN') this.err(E.NotBoolean, 'FILTER (WHERE ...) must be a BOOLEAN expression', c.filter);
        desc.filterArg = argIndex(f);
      }
      keyOf.set(key, descs.length);
      descs.push(desc);
    }
    return { descs, keyOf };
  }

  private bindAggregate(s: A.Select, from: Bound, items: { expr: A.Expr | BExpr; name: string }[], aggCalls: A.FunctionCall[]): Bound {
    const fromBinder = new ExprBinder(from.scope, this.bag, { context: 'in GROUP BY' });
    const keyAsts: A.Expr[] = [];
    for (const g of s.groupBy) {
      if (g.kind === 'GroupingSets' || g.kind === 'Rollup' || g.kind === 'Cube' || g.kind === 'EmptyGrouping') {
        this.err(E.NotSupported, 'GROUPING SETS, ROLLUP and CUBE are not supported yet', g);
        continue;
      }
      keyAsts.push(g as A.Expr);
    }
    const errorsBefore = this.bag.items.length;
    const keys = keyAsts.map((k) => fromBinder.bind(k));
    // A GROUP BY key that failed to bind would make every column of the SELECT look "not grouped": skip that check.
    const keysFailed = this.bag.items.length > errorsBefore;

    // Window aggregation: grouped by window_start and window_end of a window TVF (possibly under filters).
    let base = from.plan;
    const filters: BExpr[] = [];
    while (base.kind === 'filter') { filters.push(base.condition); base = base.input; }
    let window: WindowSpec | undefined;
    let windowCols: number[] = [];
    if (base.kind === 'windowTvf') {
      const n = base.input.fields.length;
      const isCol = (e: BExpr, i: number): boolean => e.kind === 'col' && e.index === i;
      const hasStart = keys.some((k) => isCol(k, n)), hasEnd = keys.some((k) => isCol(k, n + 1));
      if (hasStart && hasEnd) {
        window = base.window;
        windowCols = [n, n + 1, n + 2];
        const refsWindow = (e: BExpr): boolean => [...usedColumns(e)].some((c) => c >= n);
        if (filters.some(refsWindow)) { this.err(E.NotSupported, 'filtering on window columns before a window aggregation is not supported yet', s.where ?? s); }
      } else if (hasStart || hasEnd) {
        this.err(E.BadWindow, 'a window aggregation must group by both window_start and window_end', s.groupBy[0] ?? s,
          'add the missing one to GROUP BY');
      }
    }

    // Pre-projection: [non-window keys..., aggregate arguments and filters..., (window time column)].
    const nonWindowKeys = window ? keys.filter((k) => !(k.kind === 'col' && windowCols.includes(k.index))) : keys;
    const extra: BExpr[] = [...nonWindowKeys];
    const { descs, keyOf } = this.aggregateCalls(aggCalls, new ExprBinder(from.scope, this.bag, { context: 'inside another aggregate' }), extra);
    if (window) {
      const n = windowCols[0]!;
      if (extra.some((e) => [...usedColumns(e)].some((c) => c >= n))) this.err(E.NotSupported, 'aggregating window columns in a window aggregation is not supported yet', s);
    }
    let input: LogicalNode = window ? (base as Extract<LogicalNode, { kind: 'windowTvf' }>).input : from.plan;
    if (window) for (const f of filters.reverse()) input = { kind: 'filter', input, condition: f, fields: input.fields, updating: input.updating };
    if (input.updating && window) this.err(E.UpdatingInput, 'window aggregation over an updating input is not supported', s);
    const preExprs = [...extra];
    let timeCol = -1;
    if (window) {
      timeCol = preExprs.length;
      preExprs.push({ kind: 'col', index: window.timeCol, type: input.fields[window.timeCol]!.type, name: input.fields[window.timeCol]!.name });
    }
    const preNames = uniquify(preExprs.map((e, i) => (e.kind === 'col' && e.name ? e.name : `$f${i}`)));
    const pre = project(input, preExprs, preNames);
    const groupKeys = nonWindowKeys.map((_, i) => i);
    const keyFields: RowField[] = nonWindowKeys.map((k, i) => ({ name: k.kind === 'col' && k.name ? k.name : `$k${i}`, type: withoutTimeAttr(k.type) }));
    const aggFields: RowField[] = descs.map((d) => ({ name: d.outName, type: d.resultType }));
    let agg: LogicalNode;
    if (window && window.kind === 'SESSION') {
      // Session partition keys must be grouped on; they index the pre-projection through the group keys.
      const pk: number[] = [];
      for (const p of window.partitionKeys ?? []) {
        const ki = nonWindowKeys.findIndex((k) => k.kind === 'col' && k.index === p);
        if (ki < 0) this.err(E.BadWindow, `the SESSION partition column '${input.fields[p]?.name}' must be in GROUP BY`, s.groupBy[0] ?? s);
        else pk.push(ki);
      }
      window = { ...window, partitionKeys: pk };
    }
    if (window) {
      const ws = (input.fields[window.timeCol]!.type.kind === 'TIMESTAMP_LTZ') ? T.timestampLtz(3, false) : T.timestamp(3, false);
      const fields = [...keyFields, ...aggFields, { name: 'window_start', type: ws }, { name: 'window_end', type: ws }, { name: 'window_time', type: { ...ws, timeAttr: 'rowtime' as const } }];
      const earlyFire = this.earlyFire();
      agg = { kind: 'windowAggregate', input: pre, window: { ...window, timeCol }, groupKeys, aggs: descs, fields, updating: earlyFire !== undefined, ...(earlyFire ? { earlyFire } : {}) };
    } else {
      const ttl = this.config['table.exec.state.ttl'];
      const ttlMs = ttl !== undefined ? parseDurationText(ttl) : undefined;
      agg = { kind: 'aggregate', input: pre, groupKeys, aggs: descs, fields: [...keyFields, ...aggFields], updating: true, ...(ttlMs ? { ttlMs } : {}) };
    }

    // Post-projection over the aggregate's output.
    const nKeys = nonWindowKeys.length;
    const keyJson = nonWindowKeys.map((k) => bexprKey(k));
    const silent = new DiagnosticBag();
    const probe = new ExprBinder(from.scope, silent);
    const replace = (e: A.Expr): BExpr | undefined => {
      if (e.kind === 'FunctionCall' && !e.over) {
        const idx = keyOf.get(astKey(e));
        if (idx !== undefined) return idx < 0 ? NULL_LIT : { kind: 'col', index: nKeys + idx, type: descs[idx]!.resultType };
      }
      if (e.kind === 'NumericLiteral' || e.kind === 'StringLiteral' || e.kind === 'IntervalLiteral' || e.kind === 'BooleanLiteral' || e.kind === 'NullLiteral' || e.kind === 'TypedLiteral') return undefined;
      const before = silent.items.length;
      const bound = probe.bind(e);
      if (silent.items.length !== before) { silent.items.length = before; return undefined; }
      const j = bexprKey(bound);
      const ki = keyJson.indexOf(j);
      if (ki >= 0) return { kind: 'col', index: ki, type: keyFields[ki]!.type, ...(keyFields[ki]!.name ? { name: keyFields[ki]!.name } : {}) };
      if (window && bound.kind === 'col' && windowCols.includes(bound.index)) {
        const w = bound.index - windowCols[0]!;
        const f = agg.fields[nKeys + descs.length + w]!;
        return { kind: 'col', index: nKeys + descs.length + w, type: f.type, name: f.name };
      }
      return undefined;
    };
    // Resolve names in the FROM scope so a column that is neither grouped nor aggregated gets "not being grouped";
    // every valid reference is replaced by a column of the aggregate's output before resolution.
    const post = new ExprBinder(from.scope, this.bag, { replace, groupedOnly: !keysFailed, context: 'nested in another aggregate' });
    let plan: LogicalNode = agg;
    if (s.having) {
      const cond = post.bind(s.having);
      if (cond.type.kind !== 'BOOLEAN' && cond.type.kind !== 'NULL') this.err(E.NotBoolean, 'HAVING must be a BOOLEAN expression', s.having);
      plan = { kind: 'filter', input: plan, condition: cond, fields: plan.fields, updating: plan.updating };
    }
    const exprs = items.map((it) => ('span' in it.expr ? post.bind(it.expr as A.Expr) : this.starInAggregate(it.expr as BExpr, s)));
    const names = items.map((it) => it.name);
    plan = project(plan, exprs.map(stripAttrUnlessColumn), names);
    return { plan, scope: Scope.of(names, plan.fields.map((f) => f.type)) };
  }

  /**
   * Early firing of window aggregates: Flink's `table.exec.emit.early-fire.enabled` + `.delay` (processing time) and
   * Freshet's `freshet.exec.emit.early-fire.count` (every N rows per window and key). Early results are updates.
   */
  private earlyFire(): { delayMs?: number; count?: number } | undefined {
    const c = this.config;
    const enabled = (c['table.exec.emit.early-fire.enabled'] ?? 'false').toLowerCase() === 'true';
    const delay = enabled && c['table.exec.emit.early-fire.delay'] !== undefined ? parseDurationText(c['table.exec.emit.early-fire.delay']) : undefined;
    const countText = c['freshet.exec.emit.early-fire.count'];
    const count = countText !== undefined ? Number(countText) : undefined;
    if (delay === undefined && (count === undefined || !(count > 0))) return undefined;
    return { ...(delay !== undefined ? { delayMs: delay } : {}), ...(count !== undefined && count > 0 ? { count } : {}) };
  }

  /** ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...): a rank node whose bounds an outer WHERE sets. */
  private bindRowNumber(s: A.Select, from: Bound, items: { expr: A.Expr | BExpr; name: string }[], overCalls: A.FunctionCall[], spec: A.WindowSpec): Bound {
    if (overCalls.some((c) => c.name.parts.map((p) => p.text).join('.').toUpperCase() !== 'ROW_NUMBER')) {
      this.err(E.NotSupported, 'ROW_NUMBER() together with other OVER aggregates is not supported', overCalls[0]!);
      return this.empty();
    }
    if (spec.frame) this.err(E.BadOver, 'ROW_NUMBER() does not take a window frame', spec.frame);
    if (spec.orderBy.length === 0) { this.err(E.BadOver, 'ROW_NUMBER() needs ORDER BY', overCalls[0]!); return this.empty(); }
    const b = new ExprBinder(from.scope, this.bag, { context: 'in a window' });
    const { colOf, input: widened } = widenedInput(from.plan);
    const partitionKeys = spec.partitionBy.map((p) => colOf(b.bind(p)));
    const orderKeys: SortKey[] = spec.orderBy.map((o) => {
      const desc = o.direction === 'DESC';
      return { index: colOf(b.bind(o.expr)), desc, nullsFirst: o.nulls ? o.nulls === 'FIRST' : !desc };
    });
    const input = widened();
    const fields: RowField[] = [...input.fields, { name: 'w0$rn', type: T.bigint(false) }];
    const node: LogicalNode = {
      kind: 'rank', input, partitionKeys, orderKeys, rankStart: 1, rankEnd: Infinity, variant: 'topN',
      fields, updating: true, span: overCalls[0]!.span,
    };
    const rnIndex = input.fields.length;
    const replace = (e: A.Expr): BExpr | undefined =>
      (e.kind === 'FunctionCall' && e.over ? { kind: 'col', index: rnIndex, type: T.bigint(false), name: 'w0$rn' } : undefined);
    const post = new ExprBinder(from.scope, this.bag, { replace });
    const exprs = items.map((it) => ('span' in it.expr ? post.bind(it.expr as A.Expr) : it.expr as BExpr));
    const names = items.map((it) => it.name);
    const plan = project(node, exprs, names);
    return { plan, scope: Scope.of(names, plan.fields.map((f) => f.type)) };
  }

  /** Finds a rank node under projections/filters; returns it with the column of its row number in `plan`. */
  private findRank(plan: LogicalNode): { rank: Extract<LogicalNode, { kind: 'rank' }>; rnCol: number } | undefined {
    if (plan.kind === 'rank') return { rank: plan, rnCol: plan.fields.length - 1 };
    if (plan.kind === 'filter') return this.findRank(plan.input);
    if (plan.kind === 'project') {
      const inner = this.findRank(plan.input);
      if (!inner) return undefined;
      const j = plan.exprs.findIndex((e) => e.kind === 'col' && e.index === inner.rnCol);
      return { rank: inner.rank, rnCol: j };
    }
    return undefined;
  }

  private replaceRank(plan: LogicalNode, old: LogicalNode, repl: LogicalNode): LogicalNode {
    if (plan === old) return repl;
    if (plan.kind === 'filter' || plan.kind === 'project') return { ...plan, input: this.replaceRank(plan.input, old, repl) } as LogicalNode;
    return plan;
  }

  /** WHERE over a ROW_NUMBER subquery: `rn <= N` (and friends) bound the rank; other conjuncts stay a filter. */
  private applyRankFilter(from: Bound, cond: BExpr, where: A.Expr): Bound {
    const found = this.findRank(from.plan);
    const filter = (input: LogicalNode, c: BExpr | undefined): LogicalNode =>
      (c ? { kind: 'filter', input, condition: c, fields: input.fields, updating: input.updating } : input);
    if (!found || Number.isFinite(found.rank.rankEnd)) return { plan: filter(from.plan, cond), scope: from.scope };
    const { rank, rnCol } = found;
    const conj = cond.kind === 'and' ? cond.args : [cond];
    let lo = 1, hi = Infinity;
    const rest: BExpr[] = [];
    for (const c of conj) {
      if (c.kind === 'cmp' && rnCol >= 0) {
        let [a, b] = c.args;
        let op: string = c.op;
        if (b.kind === 'col' && b.index === rnCol && a.kind === 'lit') { [a, b] = [b, a]; op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op] ?? op; }
        const unwrap = (x: BExpr): BExpr => (x.kind === 'cast' ? x.arg : x);
        const ca = unwrap(a), cb = unwrap(b);
        if (ca.kind === 'col' && ca.index === rnCol && cb.kind === 'lit' && typeof cb.value === 'number') {
          const v = cb.value;
          if (op === '<=') { hi = Math.min(hi, v); continue; }
          if (op === '<') { hi = Math.min(hi, v - 1); continue; }
          if (op === '=') { lo = Math.max(lo, v); hi = Math.min(hi, v); continue; }
          if (op === '>=') { lo = Math.max(lo, v); continue; }
          if (op === '>') { lo = Math.max(lo, v + 1); continue; }
        }
      }
      rest.push(c);
    }
    if (!Number.isFinite(hi)) {
      this.err(E.NotSupported, 'ROW_NUMBER() must be bounded by a filter such as `rownum <= N` in the enclosing query', where,
        'Top-N and deduplication are recognised from ROW_NUMBER() OVER (...) in a subquery and WHERE rownum <= N outside');
      return { plan: filter(from.plan, cond), scope: from.scope };
    }
    const updated = this.classifyRank({ ...rank, rankStart: lo, rankEnd: hi });
    const replaced = this.replaceRank(from.plan, rank, updated);
    const restCond = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { kind: 'and' as const, args: rest, type: cond.type };
    return { plan: filter(replaced, restCond), scope: from.scope };
  }

  /** Chooses deduplication, window Top-N or plain Top-N, as Flink's planner does. */
  private classifyRank(r: Extract<LogicalNode, { kind: 'rank' }>): LogicalNode {
    const input = r.input;
    const ttl = this.config['table.exec.state.ttl'];
    const ttlMs = ttl !== undefined ? parseDurationText(ttl) : undefined;
    const base = ttlMs ? { ...r, ttlMs } : r;
    const wc = windowColumnsOf(input);
    if (wc && r.partitionKeys.includes(wc.start) && r.partitionKeys.includes(wc.end) && !input.updating) {
      return { ...base, variant: 'window', window: { start: wc.start, end: wc.end }, partitionKeys: r.partitionKeys.filter((k) => k !== wc.start && k !== wc.end), updating: false };
    }
    const o = r.orderKeys[0];
    const t = o ? input.fields[o.index]?.type : undefined;
    if (r.rankStart === 1 && r.rankEnd === 1 && r.orderKeys.length === 1 && t?.timeAttr) {
      const procTime = t.timeAttr === 'proctime';
      const keepLast = o!.desc;
      // Keep-first on processing time is append-only; every other variant updates its result.
      return { ...base, variant: 'dedup', dedup: { timeCol: o!.index, keepLast, procTime }, updating: input.updating || keepLast || !procTime };
    }
    return { ...base, variant: 'topN', updating: true };
  }

  private checkUnfilteredRank(plan: LogicalNode, node: { span: A.Span }): void {
    const f = this.findRank(plan);
    if (f && !Number.isFinite(f.rank.rankEnd)) {
      this.err(E.NotSupported, 'ROW_NUMBER() must be bounded by a filter such as `rownum <= N` in the enclosing query', node);
    }
  }

  private starInAggregate(_e: BExpr, s: A.Select): BExpr {
    this.err(E.NotGrouped, 'SELECT * is not allowed in a grouped query', s);
    return NULL_LIT;
  }

  private bindOver(s: A.Select, from: Bound, items: { expr: A.Expr | BExpr; name: string }[], overCalls: A.FunctionCall[]): Bound {
    const named = new Map(s.windows.map((w) => [w.name.text, w.spec]));
    const resolveSpec = (o: A.WindowSpec | A.WindowRef): A.WindowSpec | undefined => {
      if (o.kind === 'WindowRef') {
        const sp = named.get(o.name.text);
        if (!sp) this.err(E.UnknownWindow, `unknown window '${o.name.text}'`, o.name, named.size ? `windows: ${[...named.keys()].join(', ')}` : 'define it in a WINDOW clause');
        return sp;
      }
      if (o.base) {
        const b = named.get(o.base.text);
        if (!b) { this.err(E.UnknownWindow, `unknown window '${o.base.text}'`, o.base); return undefined; }
        return { ...b, partitionBy: o.partitionBy.length ? o.partitionBy : b.partitionBy, orderBy: o.orderBy.length ? o.orderBy : b.orderBy, frame: o.frame ?? b.frame } as A.WindowSpec;
      }
      return o;
    };
    const specs = overCalls.map((c) => resolveSpec(c.over!));
    if (specs.some((x) => !x)) return this.empty();
    const specKey = astKey({ p: specs[0]!.partitionBy, o: specs[0]!.orderBy, f: specs[0]!.frame ?? null });
    for (let i = 1; i < specs.length; i++) {
      if (astKey({ p: specs[i]!.partitionBy, o: specs[i]!.orderBy, f: specs[i]!.frame ?? null }) !== specKey) {
        this.err(E.BadOver, 'all OVER aggregates of a query must use the same window', overCalls[i]!, 'Flink requires one window per OVER aggregation; use a view per window');
        return this.empty();
      }
    }
    const spec = specs[0]!;
    const rnCalls = overCalls.filter((c) => c.name.parts.map((p) => p.text).join('.').toUpperCase() === 'ROW_NUMBER');
    if (rnCalls.length > 0) return this.bindRowNumber(s, from, items, overCalls, spec);
    const b = new ExprBinder(from.scope, this.bag, { context: 'inside an OVER aggregate' });
    const { colOf, input: widened } = widenedInput(from.plan);
    const partitionKeys = spec.partitionBy.map((p) => colOf(b.bind(p)));
    if (spec.orderBy.length !== 1) { this.err(E.BadOver, 'an OVER window must be ordered by exactly one time attribute', spec.orderBy[1] ?? spec); return this.empty(); }
    const ob = spec.orderBy[0]!;
    const orderExpr = b.bind(ob.expr);
    if (orderExpr.kind !== 'col' || !orderExpr.type.timeAttr) {
      this.err(E.BadOver, `OVER windows must be ordered by a time attribute, but ${typeToString(orderExpr.type)} is not one`, ob.expr,
        'order by the rowtime column (the one with a WATERMARK) or a PROCTIME() column');
      return this.empty();
    }
    if (ob.direction === 'DESC') { this.err(E.BadOver, 'OVER windows must be ordered ascending by time', ob); return this.empty(); }
    const procTime = orderExpr.type.timeAttr === 'proctime';
    let mode: 'ROWS' | 'RANGE' = 'RANGE';
    let lower: FrameBound = { kind: 'unbounded' };
    if (spec.frame) {
      mode = spec.frame.unit;
      const st = spec.frame.start;
      if (spec.frame.end && spec.frame.end.bound !== 'CURRENT ROW') {
        this.err(E.BadOver, 'the upper bound of an OVER window must be CURRENT ROW', spec.frame.end, 'Flink supports only windows ending at the current row');
        return this.empty();
      }
      if (st.bound === 'UNBOUNDED PRECEDING') lower = { kind: 'unbounded' };
      else if (st.bound === 'CURRENT ROW') lower = { kind: 'current' };
      else if (st.bound === 'PRECEDING') {
        const off = new ExprBinder(new Scope([]), this.bag).bind(st.offset!);
        if (mode === 'RANGE') {
          if (off.kind !== 'lit' || off.type.kind !== 'INTERVAL_DAY_TIME') { this.err(E.BadOver, 'RANGE ... PRECEDING needs a day-time INTERVAL literal', st.offset!, "e.g. RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW"); return this.empty(); }
          lower = { kind: 'preceding', range: off.value as number };
        } else {
          if (off.kind !== 'lit' || typeof off.value !== 'number' || !Number.isInteger(off.value) || off.value < 0) { this.err(E.BadOver, 'ROWS ... PRECEDING needs a non-negative integer literal', st.offset!); return this.empty(); }
          lower = { kind: 'preceding', rows: off.value };
        }
      } else { this.err(E.BadOver, `an OVER window cannot start at ${st.bound}`, st); return this.empty(); }
    }
    if (from.plan.updating) { this.err(E.UpdatingInput, 'OVER aggregation over an updating input is not supported', overCalls[0]!); }
    // Aggregate calls (FILTER and DISTINCT are rejected by Flink in OVER windows as well).
    const descs: AggCallDesc[] = [];
    const keyOf = new Map<string, number>();
    for (const c of overCalls) {
      const key = astKey({ ...c, over: undefined });
      if (keyOf.has(key)) continue;
      const name = c.name.parts.map((p) => p.text).join('.').toUpperCase();
      if (['ROW_NUMBER', 'RANK', 'DENSE_RANK', 'LAG', 'LEAD', 'NTILE', 'PERCENT_RANK', 'CUME_DIST'].includes(name)) {
        this.err(E.NotSupported, `${name}() OVER is not supported yet`, c, name === 'ROW_NUMBER' ? 'Top-N and deduplication are planned' : undefined);
        keyOf.set(key, -1);
        continue;
      }
      if (c.filter) this.err(E.BadOver, 'FILTER is not allowed in OVER aggregates', c.filter);
      const args = c.star ? [] : c.args.map((a) => b.bind(a));
      const res = resolveAggregate({ name, argTypes: args.map((a) => a.type), distinct: c.distinct, literalArgs: args.map((a) => (a.kind === 'lit' ? a.value : undefined)) });
      if (!res.ok) { this.err(E.BadFunctionArgs, res.message, c, res.hint); keyOf.set(key, -1); continue; }
      const colArgs = name === 'LISTAGG' ? args.slice(0, 1) : args;
      keyOf.set(key, descs.length);
      descs.push({
        name, args: colArgs.map(colOf), argTypes: args.map((a) => a.type), distinct: c.distinct,
        literalArgs: args.map((a) => (a.kind === 'lit' ? a.value : undefined)), resultType: withoutTimeAttr(res.resultType), outName: `w0$o${descs.length}`,
      });
    }
    const input = widened();
    const over: OverSpec = { partitionKeys, orderKey: orderExpr.index, procTime, mode, lower };
    const fields: RowField[] = [...input.fields, ...descs.map((d) => ({ name: d.outName, type: d.resultType }))];
    const node: LogicalNode = { kind: 'overAggregate', input, over, aggs: descs, fields, updating: false };
    const base = input.fields.length;
    const replace = (e: A.Expr): BExpr | undefined => {
      if (e.kind !== 'FunctionCall' || !e.over) return undefined;
      const idx = keyOf.get(astKey({ ...e, over: undefined }));
      if (idx === undefined || idx < 0) return NULL_LIT;
      return { kind: 'col', index: base + idx, type: descs[idx]!.resultType };
    };
    const post = new ExprBinder(from.scope, this.bag, { replace });
    const exprs = items.map((it) => ('span' in it.expr ? post.bind(it.expr as A.Expr) : it.expr as BExpr));
    const names = items.map((it) => it.name);
    const plan = project(node, exprs.map(stripAttrUnlessColumn), names);
    return { plan, scope: Scope.of(names, plan.fields.map((f) => f.type)) };
  }
}

/**
 * The input of an OVER / ROW_NUMBER window widened by computed columns: `colOf(e)` returns the column of `e` (an input
 * column, an equal expression already added, or a new column), and `input()` the projection once all are known.
 */
function widenedInput(plan: LogicalNode): { colOf: (e: BExpr) => number; input: () => LogicalNode } {
  const width = plan.fields.length;
  const extra: BExpr[] = plan.fields.map((f, i) => ({ kind: 'col', index: i, type: f.type, name: f.name }));
  const colOf = (e: BExpr): number => {
    if (e.kind === 'col') return e.index;
    const k = bexprKey(e);
    const i = extra.findIndex((x) => bexprKey(x) === k);
    if (i >= 0) return i;
    extra.push(e);
    return extra.length - 1;
  };
  const input = (): LogicalNode =>
    (extra.length > width ? project(plan, extra, extra.map((e, i) => (i < width ? plan.fields[i]!.name : `$e${i}`))) : plan);
  return { colOf, input };
}

/** Only a plain column reference keeps a time attribute; computed expressions are regular values. */
function stripAttrUnlessColumn(e: BExpr): BExpr {
  if (e.kind === 'col' || !e.type.timeAttr) return e;
  if (e.kind === 'call' && e.fn === 'PROCTIME') return e;
  return { ...e, type: withoutTimeAttr(e.type) } as BExpr;
}

export { uniquify };
