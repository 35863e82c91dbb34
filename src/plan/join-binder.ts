/**
 * Binds joins. The ON clause is split into conjuncts and analysed to choose the execution strategy Flink would:
 *   - `FOR SYSTEM_TIME AS OF left.proctime`  → lookup join (the right table's connector looks rows up by key);
 *   - `FOR SYSTEM_TIME AS OF left.rowtime`   → event-time temporal join against a versioned table (PK + watermark);
 *   - equal window_start and window_end of two windowed inputs → window join;
 *   - bounds between the two sides' rowtime attributes (BETWEEN, <, <=, >, >=) → interval join;
 *   - otherwise a regular join with updating results (state limited by `table.exec.state.ttl` / STATE_TTL).
 * Equality conjuncts between one left and one right column become the join keys; everything else is the residual
 * condition. CROSS JOIN UNNEST / LEFT JOIN UNNEST ON TRUE become an unnest over the left input.
 */
import type * as A from '../sql/ast.js';
import type { RowField, SqlType } from '../common/types.js';
import { T, withNullable, withoutTimeAttr } from '../common/types.js';
import type { BExpr } from './bound-expr.js';
import { usedColumns, mapCols } from './bound-expr.js';
import type { JoinStrategy, JoinType, LogicalNode, LookupOptions } from './logical-plan.js';
import { Scope, type ScopeField } from './scope.js';
import { ExprBinder } from './expr-binder.js';
import { PlanErrors as E } from './plan-error-codes.js';
import type { Bound, QueryBinder } from './query-binder.js';
import { windowColumnsOf } from './window-columns.js';
import { parseDurationText } from './durations.js';

function conjuncts(e: BExpr | undefined): BExpr[] {
  if (!e) return [];
  if (e.kind === 'and') return e.args.flatMap(conjuncts);
  if (e.kind === 'lit' && e.value === true) return [];
  return [e];
}

function and(list: BExpr[]): BExpr | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return { kind: 'and', args: list, type: T.boolean(list.some((x) => x.type.nullable)) };
}

/** `col`, `col + INTERVAL`, `col - INTERVAL` over a rowtime column → [column, offset ms]. */
function timeTerm(e: BExpr): [number, number] | undefined {
  if (e.kind === 'col' && e.type.timeAttr === 'rowtime') return [e.index, 0];
  if (e.kind === 'arith' && (e.op === '+' || e.op === '-')) {
    const [a, b] = e.args;
    if (a.kind === 'col' && a.type.timeAttr === 'rowtime' && b.kind === 'lit' && b.type.kind === 'INTERVAL_DAY_TIME') {
      return [a.index, (e.op === '+' ? 1 : -1) * (b.value as number)];
    }
  }
  if (e.kind === 'cast') return timeTerm(e.arg);
  return undefined;
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

export function bindJoin(qb: QueryBinder, r: A.Join, ctes: Map<string, A.Cte>): Bound {
  if (r.natural) return qb.notSupported('NATURAL JOIN', r, 'write the join condition with ON');
  if (r.using) return qb.notSupported('JOIN ... USING', r, 'write the join condition with ON');
  const left = qb.bindRelation(r.left, ctes);
  if (r.right.kind === 'Unnest') return bindUnnest(qb, left, r.right, r);
  const joinType: JoinType = r.joinType === 'COMMA' || r.joinType === 'CROSS' ? 'INNER' : r.joinType;

  if (r.right.kind === 'TableRef' && r.right.forSystemTime) return bindTimeTravel(qb, left, r.right, r, joinType, ctes);

  const right = qb.bindRelation(r.right, ctes);
  const nL = left.plan.fields.length;
  const outerLeft = joinType === 'RIGHT' || joinType === 'FULL';
  const outerRight = joinType === 'LEFT' || joinType === 'FULL';
  const scopeFields: ScopeField[] = [
    ...left.scope.fields.map((f) => ({ ...f })),
    ...right.scope.fields.map((f) => ({ ...f, index: f.index + nL })),
  ];
  const scope = new Scope(scopeFields);
  scope.poisoned = left.scope.poisoned || right.scope.poisoned;
  if (scope.poisoned) return { plan: left.plan, scope };
  let cond: BExpr | undefined;
  if (r.on) {
    cond = new ExprBinder(scope, qb.bag, { context: 'in a join condition' }).bind(r.on);
    if (cond.type.kind !== 'BOOLEAN' && cond.type.kind !== 'NULL') qb.err(E.NotBoolean, 'the join condition must be a BOOLEAN expression', r.on);
  } else if (r.joinType !== 'COMMA' && r.joinType !== 'CROSS') {
    qb.err(E.BadOption, `${r.joinType} JOIN needs an ON condition`, r);
  }

  const leftKeys: number[] = [];
  const rightKeys: number[] = [];
  const residual: BExpr[] = [];
  const bounds: { l: number; r: number; op: string; c: number; e: BExpr }[] = [];
  for (const c of conjuncts(cond)) {
    if (c.kind === 'cmp' && c.op === '=') {
      const [a, b] = c.args;
      const ca = a.kind === 'cast' ? a.arg : a, cb = b.kind === 'cast' ? b.arg : b;
      if (ca.kind === 'col' && cb.kind === 'col' && (ca.index < nL) !== (cb.index < nL)) {
        const [l, rr] = ca.index < nL ? [ca, cb] : [cb, ca];
        leftKeys.push(l.index); rightKeys.push(rr.index - nL);
        continue;
      }
    }
    if (c.kind === 'cmp' && c.op !== '=' && c.op !== '<>') {
      const ta = timeTerm(c.args[0]), tb = timeTerm(c.args[1]);
      if (ta && tb && (ta[0] < nL) !== (tb[0] < nL)) {
        // Normalise to  L op R + c.
        let op: string = c.op, lt = ta, rt = tb;
        if (ta[0] >= nL) { op = FLIP[op]!; lt = tb; rt = ta; }
        bounds.push({ l: lt[0], r: rt[0] - nL, op, c: rt[1] - lt[1], e: c });
        continue;
      }
    }
    residual.push(c);
  }

  const updating = left.plan.updating || right.plan.updating || joinType !== 'INNER';
  let strategy: JoinStrategy = { kind: 'regular' };
  let keepTimeAttrs = false;

  // Window join: equal window_start and window_end on both sides.
  const lw = windowColumnsOf(left.plan), rw = windowColumnsOf(right.plan);
  if (lw && rw) {
    const pairIdx = (l: number, rr: number): number => leftKeys.findIndex((k, i) => k === l && rightKeys[i] === rr);
    const si = pairIdx(lw.start, rw.start), ei = pairIdx(lw.end, rw.end);
    if (si >= 0 && ei >= 0) {
      for (const i of [si, ei].sort((a, b) => b - a)) { leftKeys.splice(i, 1); rightKeys.splice(i, 1); }
      strategy = { kind: 'window', leftWindow: { start: lw.start, end: lw.end }, rightWindow: { start: rw.start, end: rw.end } };
      keepTimeAttrs = false;
    }
  }
  if (strategy.kind === 'regular' && bounds.length > 0) {
    const l = bounds[0]!.l, rr = bounds[0]!.r;
    let lower = -Infinity, upper = Infinity;
    const used: BExpr[] = [];
    for (const b of bounds) {
      if (b.l !== l || b.r !== rr) { residual.push(b.e); continue; }
      used.push(b.e);
      if (b.op === '>=') lower = Math.max(lower, b.c);
      else if (b.op === '>') lower = Math.max(lower, b.c + 1);
      else if (b.op === '<=') upper = Math.min(upper, b.c);
      else if (b.op === '<') upper = Math.min(upper, b.c - 1);
    }
    if (Number.isFinite(lower) && Number.isFinite(upper)) {
      if (left.plan.updating || right.plan.updating) {
        qb.err(E.UpdatingInput, 'an interval join needs append-only inputs', r);
      }
      strategy = { kind: 'interval', leftTime: l, rightTime: rr, lowerMs: lower, upperMs: upper };
      keepTimeAttrs = true;
    } else residual.push(...used);
  }
  if (strategy.kind === 'regular') {
    for (const b of bounds) if (!residual.includes(b.e)) residual.push(b.e);
    if (leftKeys.length === 0 && r.joinType !== 'COMMA' && r.joinType !== 'CROSS') {
      return qb.notSupported('a join without an equality condition between the two sides', r.on ?? r,
        'Flink streaming joins need at least one equi-join key (or time bounds for an interval join)');
    }
    if (leftKeys.length === 0) return qb.notSupported('a cross join of two streams', r, 'add an equi-join condition');
    const ttl = joinTtl(qb, r);
    if (ttl) strategy = { kind: 'regular', ttl };
  }
  const lf = left.plan.fields.map((f) => adjust(f, outerLeft, keepTimeAttrs));
  const rf = right.plan.fields.map((f) => adjust(f, outerRight, keepTimeAttrs));
  const fields: RowField[] = [...lf, ...rf];
  const residualExpr = and(residual);
  const plan: LogicalNode = {
    kind: 'join', left: left.plan, right: right.plan, joinType, leftKeys, rightKeys,
    ...(residualExpr ? { condition: residualExpr } : {}), strategy, fields,
    updating: strategy.kind === 'interval' || strategy.kind === 'window' ? false : updating,
  };
  const outScope = new Scope(scopeFields.map((f, i) => ({ ...f, type: fields[i]!.type })));
  return { plan, scope: outScope };
}

function adjust(f: RowField, nullable: boolean, keepTimeAttrs: boolean): RowField {
  let t: SqlType = keepTimeAttrs ? f.type : withoutTimeAttr(f.type);
  if (nullable) t = withNullable(t, true);
  return { ...f, type: t };
}

/** `table.exec.state.ttl` and the STATE_TTL hint (by table name or alias) for the two sides of a join. */
function joinTtl(qb: QueryBinder, r: A.Join): { leftMs?: number; rightMs?: number } | undefined {
  const global = qb.config['table.exec.state.ttl'];
  const g = global !== undefined ? parseDurationText(global) : undefined;
  const hint = qb.currentHints.find((h) => h.name.toUpperCase() === 'STATE_TTL');
  const nameOf = (rel: A.Relation): string[] => {
    if (rel.kind === 'TableRef') return [rel.alias?.name.text, rel.name.parts[rel.name.parts.length - 1]!.text].filter((x): x is string => !!x);
    if (rel.kind === 'DerivedTable' || rel.kind === 'TableFunction') return rel.alias ? [rel.alias.name.text] : [];
    return [];
  };
  const pick = (rel: A.Relation): number | undefined => {
    for (const n of nameOf(rel)) {
      const v = hint?.options?.[n];
      if (v !== undefined) return parseDurationText(v);
    }
    return g && g > 0 ? g : undefined;
  };
  const leftMs = pick(r.left), rightMs = pick(r.right);
  if (leftMs === undefined && rightMs === undefined) return undefined;
  return { ...(leftMs !== undefined ? { leftMs } : {}), ...(rightMs !== undefined ? { rightMs } : {}) };
}

/** `JOIN t FOR SYSTEM_TIME AS OF left.time`: lookup join (proctime) or event-time temporal join (rowtime). */
function bindTimeTravel(qb: QueryBinder, left0: Bound, ref: A.TableRef, r: A.Join, joinType: JoinType, ctes: Map<string, A.Cte>): Bound {
  let left = left0;
  if (joinType !== 'INNER' && joinType !== 'LEFT') return qb.notSupported(`${joinType} JOIN ... FOR SYSTEM_TIME AS OF`, r, 'use INNER or LEFT');
  const asOf = new ExprBinder(left.scope, qb.bag).bind(ref.forSystemTime!);
  if (left.scope.poisoned) return left;
  if (asOf.kind !== 'col' || !asOf.type.timeAttr) {
    qb.err(E.NotTimeAttribute, 'FOR SYSTEM_TIME AS OF must name a time attribute of the left input', ref.forSystemTime!,
      'use the left table\'s rowtime (event-time temporal join) or a PROCTIME() column (lookup join)');
    return qb.empty();
  }
  const entry = qb.catalog.get(ref.name);
  if (!entry || entry.kind !== 'table') {
    if (!entry) return qb.bindRelation({ ...ref, forSystemTime: undefined } as A.TableRef, ctes);
    return qb.notSupported('FOR SYSTEM_TIME AS OF a view', ref, 'join against a table with a PRIMARY KEY');
  }
  const def = qb.tableDef(entry);
  const nL = left.plan.fields.length;
  let nLOut = nL;
  const q = ref.alias?.name.text ?? ref.name.parts[ref.name.parts.length - 1]!.text;
  const rightScopeFields: ScopeField[] = def.fields.map((f, i) => ({ name: f.name, qualifier: q, type: f.type, index: nL + i }));
  const scope = new Scope([...left.scope.fields.map((f) => ({ ...f })), ...rightScopeFields]);
  const cond = r.on ? new ExprBinder(scope, qb.bag, { context: 'in a join condition' }).bind(r.on) : undefined;
  if (!r.on) qb.err(E.BadOption, 'a temporal or lookup join needs an ON condition with the key', r);
  const leftKeys: number[] = [], rightKeys: number[] = [];
  const residual: BExpr[] = [];
  // Key expressions over the left side that are not plain columns (`MOD(b.auction, 10000) = s.key`) are computed
  // into extra hidden left columns by a projection, as Flink's planner does.
  const extraLeft: BExpr[] = [];
  for (const c of conjuncts(cond)) {
    if (c.kind === 'cmp' && c.op === '=') {
      const [a, b] = c.args;
      const ca = a.kind === 'cast' ? a.arg : a, cb = b.kind === 'cast' ? b.arg : b;
      const isRight = (x: BExpr): boolean => x.kind === 'col' && x.index >= nL;
      const leftOnly = (x: BExpr): boolean => { const u = usedColumns(x); return u.size > 0 && [...u].every((i) => i < nL); };
      let l: BExpr | undefined, rr: BExpr | undefined;
      if (isRight(cb) && leftOnly(ca)) { l = ca; rr = cb; } else if (isRight(ca) && leftOnly(cb)) { l = cb; rr = ca; }
      if (l && rr && rr.kind === 'col') {
        if (l.kind === 'col') leftKeys.push(l.index);
        else { extraLeft.push(l); leftKeys.push(nL + extraLeft.length - 1); }
        rightKeys.push(rr.index - nL);
        continue;
      }
    }
    residual.push(c);
  }
  if (extraLeft.length > 0) {
    const shift = extraLeft.length;
    const lp = left.plan;
    const exprs: BExpr[] = [...lp.fields.map((f, i) => ({ kind: 'col', index: i, type: f.type, name: f.name }) as BExpr), ...extraLeft];
    left = { plan: { kind: 'project', input: lp, exprs, fields: [...lp.fields, ...extraLeft.map((e, i) => ({ name: `$k${i}`, type: e.type }))], updating: lp.updating }, scope: left.scope };
    for (let i = 0; i < residual.length; i++) residual[i] = mapCols(residual[i]!, (c) => (c.index >= nL ? { ...c, index: c.index + shift } : c));
    nLOut = nL + shift;
  }
  const nullable = joinType === 'LEFT';
  const rightFields: RowField[] = def.fields.map((f) => ({ ...f, type: nullable ? withNullable(withoutTimeAttr(f.type), true) : withoutTimeAttr(f.type) }));
  const fields: RowField[] = [...left.plan.fields, ...rightFields];
  // Scope: left columns as before, right columns after any hidden key columns.
  const outScope = new Scope(scope.fields.map((f) => {
    const index = f.index < nL ? f.index : f.index - nL + nLOut;
    return { ...f, index, type: fields[index]!.type };
  }));
  const residualExpr = and(residual);
  if (asOf.type.timeAttr === 'proctime') {
    if (def.columns.some((c) => c.kind !== 'physical')) return qb.notSupported('lookup joins on tables with computed or metadata columns', ref);
    const hint = ref.hints.find((h) => h.name.toUpperCase() === 'LOOKUP') ?? qb.currentHints.find((h) => h.name.toUpperCase() === 'LOOKUP');
    const options = lookupOptions(hint?.options ?? {}, def.options);
    const plan: LogicalNode = {
      kind: 'lookupJoin', input: left.plan, table: def, joinType, leftKeys, lookupKeys: rightKeys,
      ...(residualExpr ? { condition: residualExpr } : {}), options, fields, updating: left.plan.updating,
    };
    return { plan, scope: outScope };
  }
  // Event-time temporal join: the right table is versioned (primary key + watermark).
  if (def.primaryKey.length === 0 || !def.watermark) {
    qb.err(E.BadOption, `table '${def.name}' is not a versioned table`, ref.name,
      'an event-time temporal join needs a PRIMARY KEY and a WATERMARK on the joined table');
    return qb.empty();
  }
  if (!def.primaryKey.every((k) => rightKeys.includes(k))) {
    qb.err(E.BadOption, `the join condition must cover the primary key of '${def.name}'`, r.on ?? r);
    return qb.empty();
  }
  const rightPlan: LogicalNode = { kind: 'scan', table: def, fields: def.fields, updating: false };
  const plan: LogicalNode = {
    kind: 'join', left: left.plan, right: rightPlan, joinType, leftKeys, rightKeys,
    ...(residualExpr ? { condition: residualExpr } : {}),
    strategy: { kind: 'temporal', leftTime: asOf.index, rightTime: def.watermark.column },
    fields: fields.map((f, i) => (i === asOf.index ? f : i < nL ? f : f)), updating: left.plan.updating,
  };
  return { plan, scope: outScope };
}

function lookupOptions(hint: Readonly<Record<string, string>>, table: Record<string, string>): LookupOptions {
  const o: LookupOptions = { async: (hint['async'] ?? table['lookup.async'] ?? 'false').toLowerCase() === 'true' };
  const cache = (table['lookup.cache'] ?? '').toUpperCase();
  if (cache === 'PARTIAL') {
    const ttl = table['lookup.partial-cache.expire-after-write'] ?? table['lookup.partial-cache.expire-after-access'];
    const t = ttl !== undefined ? parseDurationText(ttl) : undefined;
    if (t !== undefined) o.cacheTtlMs = t;
    const max = table['lookup.partial-cache.max-rows'];
    if (max !== undefined) o.cacheMaxRows = Number(max);
  }
  const attempts = hint['max-attempts'] ?? table['lookup.max-retries'];
  if (attempts !== undefined) o.maxRetries = Number(attempts);
  const delay = hint['fixed-delay'];
  if (delay !== undefined) { const d = parseDurationText(delay); if (d !== undefined) o.retryDelayMs = d; }
  return o;
}

/** `t CROSS JOIN UNNEST(t.arr) AS u(x)` and `t LEFT JOIN UNNEST(t.arr) AS u(x) ON TRUE`. */
function bindUnnest(qb: QueryBinder, left: Bound, u: A.Unnest, r: A.Join): Bound {
  if (r.joinType !== 'CROSS' && r.joinType !== 'COMMA' && r.joinType !== 'LEFT' && r.joinType !== 'INNER') return qb.notSupported(`${r.joinType} JOIN UNNEST`, r);
  if (r.on && !(r.on.kind === 'BooleanLiteral' && r.on.value === true)) return qb.notSupported('UNNEST with a join condition other than ON TRUE', r.on);
  if (u.args.length !== 1) return qb.notSupported('UNNEST of several arrays', u);
  if (left.scope.poisoned) return left;
  const e = new ExprBinder(left.scope, qb.bag).bind(u.args[0]!);
  const t = e.type;
  let elem: RowField[];
  if (t.kind === 'ARRAY') {
    const et = t.element!;
    elem = et.kind === 'ROW' ? (et.fields ?? []).map((f) => ({ name: f.name, type: withNullable(f.type, true) })) : [{ name: 'EXPR$0', type: et }];
  } else if (t.kind === 'MAP') {
    elem = [{ name: 'KEY', type: t.element! }, { name: 'VALUE', type: t.value! }];
  } else {
    qb.err(E.TypeMismatch, `UNNEST needs an ARRAY or MAP, got ${t.kind}`, u.args[0]!);
    return qb.empty();
  }
  const leftJoin = r.joinType === 'LEFT';
  if (leftJoin) elem = elem.map((f) => ({ ...f, type: withNullable(f.type, true) }));
  if (u.withOrdinality) elem.push({ name: 'ORDINALITY', type: T.int(leftJoin) });
  if (u.alias?.columns) {
    if (u.alias.columns.length !== elem.length) qb.err(E.ColumnCount, `UNNEST produces ${elem.length} columns but the alias names ${u.alias.columns.length}`, u.alias);
    else elem = elem.map((f, i) => ({ ...f, name: u.alias!.columns![i]!.text }));
  }
  const nL = left.plan.fields.length;
  const q = u.alias?.name.text;
  const fields = [...left.plan.fields, ...elem];
  const plan: LogicalNode = { kind: 'unnest', input: left.plan, expr: e, withOrdinality: u.withOrdinality, left: leftJoin, elementFields: elem.length - (u.withOrdinality ? 1 : 0), fields, updating: left.plan.updating };
  const scope = new Scope([...left.scope.fields.map((f) => ({ ...f })), ...elem.map((f, i) => ({ name: f.name, ...(q ? { qualifier: q } : {}), type: f.type, index: nL + i }))]);
  return { plan, scope };
}
