/**
 * Compiles a Flink SQL script into one program: DDL fills the catalog, SET fills the job configuration, every
 * INSERT INTO becomes a sink and every SELECT a collected result. All diagnostics of all statements are reported
 * together; a script with errors yields no program.
 */
import type * as A from '../sql/ast.js';
import { parseScript } from '../sql/index.js';
import type { Diagnostic } from '../common/diagnostics.js';
import { DiagnosticBag } from '../common/diagnostics.js';
import type { RowField, SqlType } from '../common/types.js';
import { isIntegral, isNumeric, isString, isTimestamp, typeToString, withNullable } from '../common/types.js';
import { Catalog, objectKey } from '../catalog/catalog.js';
import { QueryBinder, type Presentation } from '../plan/query-binder.js';
import type { LogicalNode, TableDef } from '../plan/logical-plan.js';
import type { BExpr } from '../plan/bound-expr.js';
import { PlanErrors as E } from '../plan/plan-error-codes.js';
import { optimize } from '../plan/optimizer.js';
import { planTiledSink } from '../plan/rules/tile-features.js';
import { validatePlan } from '../plan/validate-plan.js';
import { explainLogical } from '../plan/explain-logical.js';
import { Lowering } from './lower.js';
import type { Program } from './program.js';
import { explainProgram } from './explain-program.js';

export interface CompiledQuery { name: string; fields: RowField[]; presentation?: Presentation; updating: boolean }

export interface CompiledScript {
  program?: Program;
  diagnostics: Diagnostic[];
  queries: CompiledQuery[];
  /** Output of SHOW / DESCRIBE statements. */
  messages: string[];
  /** EXPLAIN statements' output. */
  explains: string[];
  /** Logical plans of the statements that run (for `freshet explain`). */
  plans: { statement: string; plan: LogicalNode }[];
  catalog: Catalog;
  config: Record<string, string>;
}

export interface CompileOptions {
  /** Directory relative connector paths resolve against. */
  baseDir: string;
  /** Validates a table's connector options for a role (injected by the layer that knows connectors). */
  validateTable?: (def: TableDef, role: 'source' | 'sink', updating: boolean) => Diagnostic[];
  catalog?: Catalog;
  config?: Record<string, string>;
}

export function compileScript(text: string, opts: CompileOptions): CompiledScript {
  const parsed = parseScript(text);
  const bag = new DiagnosticBag();
  for (const d of parsed.diagnostics) bag.add(d);
  const catalog = opts.catalog ?? new Catalog();
  const config: Record<string, string> = { ...(opts.config ?? {}) };
  const binder = new QueryBinder(catalog, bag, text, config);
  const lowering = new Lowering();
  const out: CompiledScript = { diagnostics: [], queries: [], messages: [], explains: [], plans: [], catalog, config };
  let queryNo = 0;
  const validated = new Set<string>();

  const validate = (def: TableDef, role: 'source' | 'sink', updating: boolean): void => {
    const key = `${def.name}:${role}`;
    if (!opts.validateTable || validated.has(key)) return;
    validated.add(key);
    for (const d of opts.validateTable(def, role, updating)) bag.add(d);
  };
  const validateSources = (n: LogicalNode): void => {
    if (n.kind === 'scan') validate(n.table, 'source', false);
    if ('input' in n) validateSources(n.input);
    if (n.kind === 'union') n.inputs.forEach(validateSources);
  };

  const insert = (s: A.Insert, run: boolean): LogicalNode | undefined => {
    const entry = catalog.get(s.target);
    if (!entry) { bag.error(E.UnknownTable, `unknown table '${objectKey(s.target)}'`, s.target.span, 'declare the sink with CREATE TABLE'); return undefined; }
    if (entry.kind !== 'table') { bag.error(E.NotATable, `cannot INSERT INTO view '${entry.name}'`, s.target.span); return undefined; }
    if (s.overwrite) { bag.error(E.NotSupported, 'INSERT OVERWRITE is not supported in streaming mode', s.span); return undefined; }
    const def = binder.tableDef(entry);
    const q = binder.bindQuery(s.query, new Map()).bound.plan;
    const target = def.physicalFields;
    let columns = target.map((_, i) => i);
    if (s.columns) {
      columns = [];
      for (const c of s.columns) {
        const i = target.findIndex((f) => f.name === c.text);
        if (i < 0) bag.error(E.UnknownColumn, `unknown column '${c.text}' in table '${def.name}'`, c.span); else columns.push(i);
      }
    }
    if (q.fields.length !== columns.length) {
      bag.error(E.ColumnCount, `column count mismatch: the query produces ${q.fields.length} columns, table '${def.name}' expects ${columns.length}`, s.query.span,
        `sink columns: ${columns.map((i) => target[i]!.name).join(', ')}`);
      return undefined;
    }
    const exprs: BExpr[] = target.map((f) => ({ kind: 'lit', value: null, type: withNullable(f.type, true) }) as BExpr);
    columns.forEach((ti, qi) => {
      const from = q.fields[qi]!.type, to = target[ti]!.type;
      const c: BExpr = { kind: 'col', index: qi, type: from };
      if (!sinkAssignable(from, to)) {
        bag.error(E.SinkSchema, `column '${target[ti]!.name}' of table '${def.name}' is ${typeToString(to)}, but the query gives ${typeToString(from)}`, s.query.span,
          `CAST the query column to ${typeToString(withNullable(to, true), false)}`);
      }
      exprs[ti] = sameShape(from, to) ? c : { kind: 'cast', arg: c, type: withNullable(to, from.nullable), try: false };
    });
    const plan: LogicalNode = { kind: 'project', input: q, exprs, fields: target.map((f, i) => ({ name: f.name, type: exprs[i]!.type })), updating: q.updating };
    if (run) {
      validateSources(q);
      validate(def, 'sink', q.updating);
    }
    return plan;
  };

  /** Sliding-window features written to an online store become tiles (fresh at read time); other sinks as usual. */
  const sinkOrTiles = (opt: LogicalNode, def: TableDef): void => {
    const spec = planTiledSink(opt, def);
    const agg = spec ? tiledAggregation(opt) : undefined;
    if (spec && agg) lowering.tileSink(agg.input, def, spec);
    else lowering.sink(opt, def);
  };

  const explainOf = (st: A.Statement): string => {
    const sub = new Lowering();
    if (st.kind === 'Insert') {
      const p = insert(st, false);
      if (!p) return '';
      const opt = optimize(p);
      sub.sink(opt, binder.tableDef(catalog.get(st.target) as { name: string; ddl: A.CreateTable; baseDir: string }));
      return `== Logical Plan ==\n${explainLogical(opt)}\n\n== Operator Graph ==\n${explainProgram(sub.program(config))}`;
    }
    if (st.kind === 'QueryStatement') {
      const b = binder.bindQuery(st.query, new Map(), true).bound;
      const opt = optimize(b.plan);
      sub.collect(opt, 'explain');
      return `== Logical Plan ==\n${explainLogical(opt)}\n\n== Operator Graph ==\n${explainProgram(sub.program(config))}`;
    }
    bag.error(E.NotSupported, `EXPLAIN of ${st.kind} is not supported`, st.span);
    return '';
  };

  for (const st of parsed.statements) {
    const stmtText = text.slice(st.span.start, st.span.end);
    switch (st.kind) {
      case 'CreateTable': {
        const name = objectKey(st.name);
        if (catalog.has(st.name)) {
          if (!st.ifNotExists) bag.error(E.DuplicateTable, `table '${name}' already exists`, st.name.span, 'use CREATE TABLE IF NOT EXISTS or DROP TABLE first');
          break;
        }
        if (st.asQuery) { bag.error(E.NotSupported, 'CREATE TABLE ... AS SELECT is not supported yet', st.span); break; }
        if (st.like) { bag.error(E.NotSupported, 'CREATE TABLE ... LIKE is not supported yet', st.like.span); break; }
        catalog.put({ kind: 'table', name, ddl: st, baseDir: opts.baseDir, temporary: st.temporary });
        binder.tableDef({ name, ddl: st, baseDir: opts.baseDir }); // report DDL errors now
        break;
      }
      case 'CreateView': {
        const name = objectKey(st.name);
        if (catalog.has(st.name)) {
          if (!st.ifNotExists) bag.error(E.DuplicateTable, `view '${name}' already exists`, st.name.span);
          break;
        }
        const b = binder.bindQuery(st.query, new Map());
        binder.checkViewColumns(name, b.bound.plan.fields, st.columns, st.query);
        if (st.columns && st.columns.length !== b.bound.plan.fields.length) {
          bag.error(E.ColumnCount, `view '${name}' lists ${st.columns.length} columns but its query produces ${b.bound.plan.fields.length}`, st.name.span);
        }
        catalog.put({ kind: 'view', name, query: st.query, temporary: st.temporary, text: stmtText, ...(st.columns ? { columns: st.columns.map((c) => c.text) } : {}) });
        break;
      }
      case 'Drop': {
        if (!catalog.drop(st.name) && !st.ifExists) bag.error(E.UnknownTable, `unknown ${st.objectType.toLowerCase()} '${objectKey(st.name)}'`, st.name.span);
        break;
      }
      case 'Set': {
        if (st.key && st.value) config[st.key.value] = st.value.value;
        else out.messages.push(Object.entries(config).map(([k, v]) => `'${k}' = '${v}'`).join('\n'));
        break;
      }
      case 'Reset': {
        if (st.key) delete config[st.key.value]; else for (const k of Object.keys(config)) delete config[k];
        break;
      }
      case 'Insert': {
        const p = insert(st, true);
        if (p) validatePlan(p, bag, st.span);
        if (p) {
          const opt = optimize(p);
          const entry = catalog.get(st.target)!;
          const def = binder.tableDef(entry as { name: string; ddl: A.CreateTable; baseDir: string });
          sinkOrTiles(opt, def);
          out.plans.push({ statement: stmtText, plan: opt });
        }
        break;
      }
      case 'StatementSet': {
        for (const ins of st.inserts) {
          const p = insert(ins, true);
          if (!p) continue;
          validatePlan(p, bag, ins.span);
          const opt = optimize(p);
          const def = binder.tableDef(catalog.get(ins.target) as { name: string; ddl: A.CreateTable; baseDir: string });
          sinkOrTiles(opt, def);
          out.plans.push({ statement: text.slice(ins.span.start, ins.span.end), plan: opt });
        }
        break;
      }
      case 'QueryStatement': {
        const b = binder.bindQuery(st.query, new Map(), true);
        validateSources(b.bound.plan);
        validatePlan(b.bound.plan, bag, st.span);
        const opt = optimize(b.bound.plan);
        const name = `query${queryNo++}`;
        lowering.collect(opt, name);
        out.plans.push({ statement: stmtText, plan: opt });
        out.queries.push({ name, fields: opt.fields, updating: opt.updating, ...(b.presentation ? { presentation: b.presentation } : {}) });
        break;
      }
      case 'Explain': out.explains.push(explainOf(st.statement)); break;
      case 'Show': {
        if (st.what === 'TABLES' || st.what === 'VIEWS') out.messages.push(catalog.all().filter((e) => (st.what === 'TABLES' ? true : e.kind === 'view')).map((e) => e.name).sort().join('\n'));
        else bag.error(E.NotSupported, `SHOW ${st.what} is not supported`, st.span);
        break;
      }
      case 'Describe': {
        const e = catalog.get(st.name);
        if (!e) { bag.error(E.UnknownTable, `unknown table '${objectKey(st.name)}'`, st.name.span); break; }
        const fields = e.kind === 'table' ? binder.tableDef(e).fields : binder.bindQuery(e.query, new Map()).bound.plan.fields;
        out.messages.push(fields.map((f) => `${f.name}\t${typeToString(f.type)}`).join('\n'));
        break;
      }
      case 'Use': break;
      default:
        bag.error(E.NotSupported, `${st.kind.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()} statements are not supported yet`, st.span);
    }
  }
  out.diagnostics = [...bag.items].sort((a, b) => (a.span?.start ?? Infinity) - (b.span?.start ?? Infinity));
  if (!bag.hasErrors && lowering.ops.length > 0) out.program = lowering.program(config);
  return out;
}

/** The OVER or HOP window aggregation under the projections of a tiled feature query. */
function tiledAggregation(n: LogicalNode): Extract<LogicalNode, { kind: 'overAggregate' | 'windowAggregate' }> | undefined {
  if (n.kind === 'overAggregate' || n.kind === 'windowAggregate') return n;
  if (n.kind === 'project' || n.kind === 'filter') return tiledAggregation(n.input);
  return undefined;
}

/** Flink's implicit conversions when writing a query column into a sink column. */
function sinkAssignable(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL') return true;
  if (from.kind === to.kind) return true;
  if (isString(from) && isString(to)) return true;
  if (isNumeric(from) && isNumeric(to)) {
    const rank = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE'];
    if (isIntegral(from) && to.kind === 'DECIMAL') return true;
    return rank.indexOf(from.kind) <= rank.indexOf(to.kind);
  }
  // TIMESTAMP_LTZ and TIMESTAMP convert through the session time zone (Flink accepts it when writing a sink).
  if (isTimestamp(from) && isTimestamp(to)) return true;
  return false;
}

function sameShape(a: SqlType, b: SqlType): boolean {
  return a.kind === b.kind && (a.scale ?? 0) === (b.scale ?? 0) && (a.kind !== 'DECIMAL' || a.precision === b.precision);
}
