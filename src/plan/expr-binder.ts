/**
 * Binds scalar expressions of the AST to typed BExpr over a Scope, with Flink's typing rules (from src/functions).
 * Every problem becomes a Diagnostic in the bag and the binder keeps going (an erroneous sub-expression binds to a
 * NULL literal of type NULL), so one pass reports every error it can find.
 *
 * Aggregate queries: the query binder installs `replace`, which maps whole sub-expressions (aggregate calls, group
 * keys) to columns of the aggregate's output before normal binding is tried; `groupedOnly` makes a bare column that
 * is not a group key an error (Flink: "Expression 'x' is not being grouped").
 */
import type * as A from '../sql/ast.js';
import type { SqlType } from '../common/types.js';
import { T, isString, isTimestamp, typeToString, withNullable, withoutTimeAttr } from '../common/types.js';
import { DiagnosticBag, suggest } from '../common/diagnostics.js';
import type { BExpr } from './bound-expr.js';
import { Scope, sameRelation, type ScopeField } from './scope.js';
import { PlanErrors as E } from './plan-error-codes.js';
import {
  lookupFunction, functionNames, arithmeticType, comparisonType, leastRestrictive, castValidity, parseIntervalLiteral,
  unaryMinusType, isInferError,
} from '../functions/index.js';
import { isAggregateName } from '../aggregates/index.js';
import { parseDateText, parseTimeText, parseTimestampText } from '../common/time.js';
import { typeNodeToSqlType } from '../sql/index.js';

export interface ExprBinderOptions {
  /** Maps a sub-expression to a bound expression before normal binding (aggregate outputs). */
  replace?: (e: A.Expr) => BExpr | undefined;
  /** In an aggregate query's SELECT/HAVING: column references must be group keys. */
  groupedOnly?: boolean;
  /** Where aggregates are allowed to appear unreplaced (never, in this binder; the message differs). */
  context?: string;
}

const NULL_EXPR: BExpr = { kind: 'lit', value: null, type: T.null() };
const BOOL = (nullable: boolean): SqlType => T.boolean(nullable);

export function isNullable(...es: BExpr[]): boolean {
  return es.some((e) => e.type.nullable);
}

export class ExprBinder {
  constructor(readonly scope: Scope, readonly bag: DiagnosticBag, readonly opts: ExprBinderOptions = {}) {}

  with(opts: ExprBinderOptions): ExprBinder {
    return new ExprBinder(this.scope, this.bag, opts);
  }

  private err(code: string, message: string, node: { span: A.Span }, hint?: string): BExpr {
    this.bag.error(code, message, node.span, hint);
    return NULL_EXPR;
  }

  /** Casts `e` to `t` when their types differ in more than nullability. */
  coerce(e: BExpr, t: SqlType): BExpr {
    const a = e.type;
    if (a.kind === t.kind && a.precision === t.precision && a.scale === t.scale && a.kind !== 'ARRAY' && a.kind !== 'ROW' && a.kind !== 'MAP') return e;
    if (a.kind === 'NULL') return { kind: 'lit', value: null, type: withNullable(t, true) };
    if ((a.kind === 'CHAR' || a.kind === 'VARCHAR') && (t.kind === 'CHAR' || t.kind === 'VARCHAR')) return e;
    if (JSON.stringify(withoutTimeAttr(withNullable(a, true))) === JSON.stringify(withoutTimeAttr(withNullable(t, true)))) return e;
    if (e.kind === 'lit' && e.value === null) return { kind: 'lit', value: null, type: withNullable(t, true) };
    return { kind: 'cast', arg: e, type: withNullable(t, a.nullable), try: false };
  }

  bind(e: A.Expr): BExpr {
    const r = this.opts.replace?.(e);
    if (r) return r;
    switch (e.kind) {
      case 'NumericLiteral': return this.numeric(e);
      case 'StringLiteral': return { kind: 'lit', value: e.value, type: T.char(Math.max(1, e.value.length), false) };
      case 'BooleanLiteral': return { kind: 'lit', value: e.value, type: T.boolean(e.value === null) };
      case 'NullLiteral': return NULL_EXPR;
      case 'BinaryLiteral': {
        const bytes = new Uint8Array(e.hex.length / 2);
        for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(e.hex.slice(i * 2, i * 2 + 2), 16);
        return { kind: 'lit', value: bytes, type: T.bytes(false) };
      }
      case 'TypedLiteral': return this.typedLiteral(e);
      case 'IntervalLiteral': return this.interval(e);
      case 'ColumnRef': return this.column(e);
      case 'Unary': return this.unary(e);
      case 'Binary': return this.binary(e);
      case 'IsPredicate': return this.isPredicate(e);
      case 'IsDistinctFrom': {
        const [l, r] = this.comparable(e.left, e.right, 'IS DISTINCT FROM', e);
        return { kind: 'distinctFrom', negated: e.negated, args: [l, r], type: BOOL(false) };
      }
      case 'Between': return this.between(e);
      case 'Like': return this.like(e);
      case 'InList': return this.inList(e);
      case 'InSubquery': case 'Exists': case 'ScalarSubquery': case 'QuantifiedComparison':
        return this.err(E.NotSupported, 'subqueries in expressions are not supported yet', e, 'rewrite the subquery as a join or a view');
      case 'FunctionCall': return this.call(e);
      case 'NamedArg': return this.err(E.BadFunctionArgs, `named argument '${e.name.text}' is only allowed in table function calls`, e);
      case 'TableArg': return this.err(E.BadFunctionArgs, 'a TABLE argument is only allowed in table function calls', e);
      case 'Descriptor': return this.err(E.BadFunctionArgs, 'DESCRIPTOR is only allowed in window table function calls', e);
      case 'Cast': return this.cast(e);
      case 'Case': return this.caseExpr(e);
      case 'Extract': return this.fn('EXTRACT', [this.unitLit(e.unit), this.bind(e.operand)], e);
      case 'FloorCeil': return this.fn(e.fn, [this.bind(e.operand), this.unitLit(e.unit)], e);
      case 'Trim': {
        const chars = e.chars ? this.bind(e.chars) : { kind: 'lit', value: ' ', type: T.char(1, false) } as BExpr;
        return this.fn('TRIM', [this.unitLit(e.side ?? 'BOTH'), chars, this.bind(e.operand)], e);
      }
      case 'Substring': return this.fn('SUBSTRING', [this.bind(e.operand), this.bind(e.start), ...(e.length ? [this.bind(e.length)] : [])], e);
      case 'Position': return this.fn('POSITION', [this.bind(e.needle), this.bind(e.haystack), ...(e.from ? [this.bind(e.from)] : [])], e);
      case 'Overlay': return this.fn('OVERLAY', [this.bind(e.operand), this.bind(e.placing), this.bind(e.start), ...(e.length ? [this.bind(e.length)] : [])], e);
      case 'TimestampAdd': return this.fn('TIMESTAMPADD', [this.unitLit(e.unit), this.bind(e.count), this.bind(e.timestamp)], e);
      case 'TimestampDiff': return this.fn('TIMESTAMPDIFF', [this.unitLit(e.unit), this.bind(e.start), this.bind(e.end)], e);
      case 'JsonValue': {
        if (e.onEmpty?.behavior === 'ERROR' || e.onError?.behavior === 'ERROR' || e.onEmpty?.behavior === 'DEFAULT' || e.onError?.behavior === 'DEFAULT') {
          return this.err(E.NotSupported, 'JSON_VALUE ... ON EMPTY / ON ERROR with ERROR or DEFAULT is not supported yet', e);
        }
        const v = this.fn('JSON_VALUE', [this.bind(e.operand), this.bind(e.path)], e);
        if (!e.returning) return v;
        const t = this.typeOf(e.returning);
        return t ? { kind: 'cast', arg: v, type: withNullable(t, true), try: true } : NULL_EXPR;
      }
      case 'JsonQuery': return this.fn('JSON_QUERY', [this.bind(e.operand), this.bind(e.path), this.unitLit(e.wrapper)], e);
      case 'JsonExists': return this.fn('JSON_EXISTS', [this.bind(e.operand), this.bind(e.path)], e);
      case 'JsonObject': case 'JsonArray':
        return this.err(E.NotSupported, `${e.kind === 'JsonObject' ? 'JSON_OBJECT' : 'JSON_ARRAY'} is not supported yet`, e);
      case 'ArrayConstructor': {
        const items = e.items.map((i) => this.bind(i));
        const t = this.common(items.map((i) => i.type), e, 'ARRAY elements');
        return { kind: 'array', args: items.map((i) => this.coerce(i, t)), type: T.array(t, false) };
      }
      case 'MapConstructor': {
        const ks = e.entries.map((x) => this.bind(x.key));
        const vs = e.entries.map((x) => this.bind(x.value));
        const kt = this.common(ks.map((k) => k.type), e, 'MAP keys');
        const vt = this.common(vs.map((v) => v.type), e, 'MAP values');
        const args: BExpr[] = [];
        ks.forEach((k, i) => args.push(this.coerce(k, kt), this.coerce(vs[i]!, vt)));
        return { kind: 'map', args, type: T.map(kt, vt, false) };
      }
      case 'RowConstructor': {
        const items = e.items.map((i) => this.bind(i));
        return { kind: 'row', args: items, type: T.row(items.map((it, i) => ({ name: `EXPR$${i}`, type: it.type })), false) };
      }
      case 'Subscript': {
        const arr = this.bind(e.operand);
        const idx = this.bind(e.index);
        if (arr.type.kind === 'ARRAY') {
          if (!['INT', 'BIGINT', 'SMALLINT', 'TINYINT'].includes(idx.type.kind) && idx.type.kind !== 'NULL') return this.err(E.TypeMismatch, `array index must be an integer, got ${typeToString(idx.type)}`, e.index);
          return { kind: 'item', arg: arr, key: idx, type: withNullable(arr.type.element!, true) };
        }
        if (arr.type.kind === 'MAP') return { kind: 'item', arg: arr, key: this.coerce(idx, arr.type.element!), type: withNullable(arr.type.value!, true) };
        if (arr.type.kind === 'NULL') return NULL_EXPR;
        return this.err(E.TypeMismatch, `cannot apply [] to a value of type ${typeToString(arr.type)}`, e, 'only ARRAY and MAP values can be subscripted');
      }
      case 'FieldAccess': {
        const base = this.bind(e.operand);
        return this.fieldOf(base, e.field.text, e.field);
      }
    }
  }

  private unitLit(u: string): BExpr {
    return { kind: 'lit', value: u, type: T.char(u.length, false) };
  }

  typeOf(t: A.TypeNode): SqlType | undefined {
    const r = typeNodeToSqlType(t);
    if (!r.ok) { this.bag.error(E.NotSupported, r.message, t.span); return undefined; }
    return r.type;
  }

  private numeric(e: A.NumericLiteral): BExpr {
    const v = Number(e.text);
    if (e.numberKind === 'approx') return { kind: 'lit', value: v, type: T.double(false) };
    if (e.numberKind === 'integer') {
      if (Number.isInteger(v) && Math.abs(v) <= 2147483647) return { kind: 'lit', value: v, type: T.int(false) };
      if (e.text.replace(/^0+/, '').length <= 19 && BigInt(e.text) <= 9223372036854775807n) return { kind: 'lit', value: v, type: T.bigint(false) };
      const digits = e.text.replace(/^0+/, '').length;
      return { kind: 'lit', value: v, type: T.decimal(Math.min(38, digits), 0, false) };
    }
    const [intPart = '', frac = ''] = e.text.split('.');
    const scale = frac.length;
    const precision = Math.max(1, intPart.replace(/^0+/, '').length + scale);
    return { kind: 'lit', value: v, type: T.decimal(Math.min(38, Math.max(precision, scale)), scale, false) };
  }

  private typedLiteral(e: A.TypedLiteral): BExpr {
    if (e.type === 'DATE') {
      const d = parseDateText(e.value);
      return d === undefined ? this.err(E.BadLiteral, `illegal DATE literal '${e.value}'`, e, "expected 'yyyy-MM-dd'") : { kind: 'lit', value: d, type: T.date(false) };
    }
    if (e.type === 'TIME') {
      const t = parseTimeText(e.value);
      return t === undefined ? this.err(E.BadLiteral, `illegal TIME literal '${e.value}'`, e, "expected 'HH:mm:ss'") : { kind: 'lit', value: t, type: T.time(false) };
    }
    const ts = parseTimestampText(e.value);
    if (ts === undefined || ts.hadZone) return this.err(E.BadLiteral, `illegal TIMESTAMP literal '${e.value}'`, e, "expected 'yyyy-MM-dd HH:mm:ss[.SSS]'");
    const frac = /\.(\d+)/.exec(e.value)?.[1]?.length ?? 0;
    return { kind: 'lit', value: ts.millis, type: T.timestamp(Math.max(frac, 0), false) };
  }

  private interval(e: A.IntervalLiteral): BExpr {
    const q = e.qualifier;
    const r = parseIntervalLiteral(e.value, q.start, q.end, e.sign < 0, q.startPrecision !== undefined ? { leadingPrecision: q.startPrecision } : {});
    if ('error' in r) return this.err(E.BadLiteral, r.error, e, r.hint);
    if (r.kind === 'INTERVAL_DAY_TIME') return { kind: 'lit', value: r.millis, type: T.intervalDayTime(false) };
    return { kind: 'lit', value: r.months, type: T.intervalYearMonth(false) };
  }

  private fieldOf(base: BExpr, name: string, node: { span: A.Span }): BExpr {
    if (base.type.kind === 'NULL') return NULL_EXPR;
    if (base.type.kind !== 'ROW') return this.err(E.UnknownColumn, `cannot access field '${name}' of a value of type ${typeToString(base.type)}`, node);
    const fields = base.type.fields ?? [];
    const idx = fields.findIndex((f) => f.name === name);
    if (idx < 0) {
      const s = suggest(name, fields.map((f) => f.name));
      return this.err(E.UnknownColumn, `unknown field '${name}' in ${typeToString(base.type, false)}`, node, s ? `did you mean '${s}'?` : undefined);
    }
    return { kind: 'field', arg: base, index: idx, type: withNullable(fields[idx]!.type, fields[idx]!.type.nullable || base.type.nullable) };
  }

  private column(e: A.ColumnRef): BExpr {
    const names = e.names.map((n) => n.text);
    const sc = this.scope;
    if (sc.poisoned) return NULL_EXPR;
    // Try the longest qualifier match first: [q, col, fields...] then [col, fields...].
    let base: BExpr | undefined;
    let rest: string[] = [];
    if (names.length >= 2 && sc.hasQualifier(names[0]!)) {
      const hits = sc.byName(names[1]!, names[0]!);
      if (hits.length === 1) {
        base = { kind: 'col', index: hits[0]!.index, type: hits[0]!.type, name: hits[0]!.name };
        rest = names.slice(2);
      } else if (hits.length > 1) {
        return this.ambiguous(names[1]!, hits, e);
      } else if (hits.length === 0) {
        const cands = sc.fields.filter((f) => f.qualifier === names[0]).map((f) => f.name);
        const s = suggest(names[1]!, cands);
        return this.err(E.UnknownColumn, `unknown column '${names[1]}' in table '${names[0]}'`, e.names[1]!, s ? `did you mean '${s}'?` : undefined);
      }
    }
    if (!base) {
      const hits = sc.byName(names[0]!);
      if (hits.length > 1) return this.ambiguous(names[0]!, hits, e);
      if (hits.length === 0) {
        const s = suggest(names[0]!, new Set(sc.names()));
        const ci = sc.fields.find((f) => f.name.toLowerCase() === names[0]!.toLowerCase());
        const hint = ci ? `did you mean '${ci.name}'? (names are case-sensitive)` : s ? `did you mean '${s}'?` : undefined;
        return this.err(E.UnknownColumn, `unknown column '${names[0]}'`, e.names[0]!, hint);
      }
      base = { kind: 'col', index: hits[0]!.index, type: hits[0]!.type, name: hits[0]!.name };
      rest = names.slice(1);
    }
    if (this.opts.groupedOnly && base.kind === 'col') {
      return this.err(E.NotGrouped, `expression '${names.join('.')}' is not being grouped`, e, 'add it to GROUP BY or wrap it in an aggregate function');
    }
    let out = base;
    for (let i = 0; i < rest.length; i++) out = this.fieldOf(out, rest[i]!, e.names[names.length - rest.length + i]!);
    return out;
  }

  /**
   * A name several columns answer to. Columns of different relations can be told apart by qualifying them; columns
   * of one relation cannot (a derived table or view whose SELECT list repeats a name), so Flink rejects any reference.
   */
  private ambiguous(name: string, hits: readonly ScopeField[], e: A.ColumnRef): BExpr {
    const first = hits[0]!;
    if (hits.every((h) => sameRelation(h, first))) {
      const where = first.qualifier !== undefined ? `'${first.qualifier}'` : 'the relation';
      return this.err(E.AmbiguousColumn, `column '${name}' is ambiguous: ${where} has ${hits.length} columns named '${name}'`, e,
        'rename the columns where they are defined (AS in the SELECT list, or a column list after the alias); Flink does not rename them');
    }
    const hint = hits.some((h) => h.qualifier === undefined)
      ? 'give the subqueries in FROM aliases (AS x) and qualify the column with one'
      : `qualify it: ${hits.map((h) => `${h.qualifier}.${h.name}`).join(' or ')}`;
    return this.err(E.AmbiguousColumn, `column '${name}' is ambiguous`, e, hint);
  }

  private unary(e: A.Unary): BExpr {
    const x = this.bind(e.operand);
    if (e.op === 'NOT') return { kind: 'not', arg: this.boolean(x, e.operand), type: BOOL(x.type.nullable) };
    if (e.op === '+') return x;
    if (x.kind === 'lit' && typeof x.value === 'number') return { ...x, value: -x.value };
    const t = unaryMinusType(x.type);
    if (isInferError(t)) return this.err(E.TypeMismatch, t.error, e, t.hint);
    return { kind: 'neg', arg: x, type: t };
  }

  private boolean(x: BExpr, node: { span: A.Span }): BExpr {
    if (x.type.kind !== 'BOOLEAN' && x.type.kind !== 'NULL') {
      this.bag.error(E.NotBoolean, `expected a BOOLEAN expression, got ${typeToString(x.type)}`, node.span);
      return NULL_EXPR;
    }
    return x;
  }

  private comparable(l0: A.Expr, r0: A.Expr, op: string, node: { span: A.Span }): [BExpr, BExpr] {
    const l = this.bind(l0), r = this.bind(r0);
    if (l.type.kind === 'NULL' || r.type.kind === 'NULL') {
      const t = l.type.kind === 'NULL' ? r.type : l.type;
      return [this.coerce(l, t), this.coerce(r, t)];
    }
    const t = comparisonType(l.type, r.type, op);
    if (isInferError(t)) { this.bag.error(E.TypeMismatch, t.error, node.span, t.hint); return [NULL_EXPR, NULL_EXPR]; }
    return [this.coerce(l, t), this.coerce(r, t)];
  }

  private binary(e: A.Binary): BExpr {
    switch (e.op) {
      case 'AND': case 'OR': {
        const l = this.boolean(this.bind(e.left), e.left), r = this.boolean(this.bind(e.right), e.right);
        const kind = e.op === 'AND' ? 'and' : 'or';
        const args = [...(l.kind === kind ? (l as { args: BExpr[] }).args : [l]), ...(r.kind === kind ? (r as { args: BExpr[] }).args : [r])];
        return { kind, args, type: BOOL(isNullable(l, r)) };
      }
      case '=': case '<>': case '<': case '<=': case '>': case '>=': {
        const [l, r] = this.comparable(e.left, e.right, e.op, e);
        return { kind: 'cmp', op: e.op, args: [l, r], type: BOOL(isNullable(l, r)) };
      }
      case '||': return this.fn('CONCAT', [this.bind(e.left), this.bind(e.right)], e);
      default: {
        const l = this.bind(e.left), r = this.bind(e.right);
        if (l.type.kind === 'NULL' || r.type.kind === 'NULL') {
          const other = l.type.kind === 'NULL' ? r.type : l.type;
          return { kind: 'lit', value: null, type: withNullable(other.kind === 'NULL' ? T.int() : other, true) };
        }
        // INTERVAL + TIMESTAMP is written either way round; normalise to TIMESTAMP + INTERVAL.
        let a = l, b = r;
        if (e.op === '+' && (a.type.kind === 'INTERVAL_DAY_TIME' || a.type.kind === 'INTERVAL_YEAR_MONTH') && (isTimestamp(b.type) || b.type.kind === 'DATE')) [a, b] = [b, a];
        const t = arithmeticType(e.op, a.type, b.type);
        if (isInferError(t)) return this.err(E.TypeMismatch, t.error, e, t.hint);
        return { kind: 'arith', op: e.op, args: [a, b], type: t, span: e.span };
      }
    }
  }

  private isPredicate(e: A.IsPredicate): BExpr {
    const x = this.bind(e.operand);
    switch (e.test) {
      case 'NULL': return { kind: 'isNull', negated: e.negated, arg: x, type: BOOL(false) };
      case 'UNKNOWN': return { kind: 'isNull', negated: e.negated, arg: this.boolean(x, e.operand), type: BOOL(false) };
      case 'TRUE': case 'FALSE': return { kind: 'isBool', value: e.test === 'TRUE', negated: e.negated, arg: this.boolean(x, e.operand), type: BOOL(false) };
      default: {
        const kindArg = e.test === 'JSON' ? 'VALUE' : e.test.slice(5);
        const call = this.fn('IS_JSON', [x, this.unitLit(kindArg)], e);
        return e.negated ? { kind: 'not', arg: call, type: call.type } : call;
      }
    }
  }

  private between(e: A.Between): BExpr {
    const x = this.bind(e.operand), lo = this.bind(e.low), hi = this.bind(e.high);
    const t0 = leastRestrictive([x.type, lo.type, hi.type].filter((t) => t.kind !== 'NULL'));
    if (isInferError(t0)) return this.err(E.TypeMismatch, `cannot apply BETWEEN to ${typeToString(x.type)}, ${typeToString(lo.type)} and ${typeToString(hi.type)}`, e, t0.hint);
    const [cx, clo, chi] = [this.coerce(x, t0), this.coerce(lo, t0), this.coerce(hi, t0)];
    const type = BOOL(isNullable(x, lo, hi));
    const range = (a: BExpr, b: BExpr): BExpr => ({
      kind: 'and', type, args: [
        { kind: 'cmp', op: '>=', args: [cx, a], type },
        { kind: 'cmp', op: '<=', args: [cx, b], type },
      ],
    });
    let r = range(clo, chi);
    if (e.symmetric) r = { kind: 'or', type, args: [r, range(chi, clo)] };
    return e.negated ? { kind: 'not', arg: r, type } : r;
  }

  private like(e: A.Like): BExpr {
    const x = this.bind(e.operand), p = this.bind(e.pattern);
    for (const [v, n] of [[x, e.operand], [p, e.pattern]] as const) {
      if (!isString(v.type) && v.type.kind !== 'NULL') return this.err(E.TypeMismatch, `${e.op} requires string operands, got ${typeToString(v.type)}`, n);
    }
    let escape: string | undefined;
    if (e.escape) {
      const esc = this.bind(e.escape);
      if (esc.kind !== 'lit' || typeof esc.value !== 'string' || esc.value.length !== 1) return this.err(E.BadLiteral, 'ESCAPE must be a single-character string literal', e.escape);
      escape = esc.value;
    }
    return { kind: 'like', arg: x, pattern: p, ...(escape !== undefined ? { escape } : {}), negated: e.negated, similar: e.op === 'SIMILAR TO', type: BOOL(isNullable(x, p)) };
  }

  private inList(e: A.InList): BExpr {
    const x = this.bind(e.operand);
    const list = e.list.map((i) => this.bind(i));
    const t = leastRestrictive([x.type, ...list.map((l) => l.type)].filter((tt) => tt.kind !== 'NULL'));
    if (isInferError(t)) return this.err(E.TypeMismatch, `values of IN list are not comparable with ${typeToString(x.type)}`, e, t.hint);
    return { kind: 'in', arg: this.coerce(x, t), list: list.map((l) => this.coerce(l, t)), negated: e.negated, type: BOOL(isNullable(x, ...list)) };
  }

  private cast(e: A.Cast): BExpr {
    const x = this.bind(e.operand);
    const t = this.typeOf(e.type);
    if (!t) return NULL_EXPR;
    if (x.type.kind === 'NULL') return { kind: 'lit', value: null, type: withNullable(t, true) };
    const v = castValidity(x.type, t);
    if (v !== true && isInferError(v)) return this.err(E.BadCast, v.error, e, v.hint);
    const nullable = e.try ? true : x.type.nullable || t.nullable;
    return { kind: 'cast', arg: x, type: withNullable(withoutTimeAttr(t), nullable), try: e.try, span: e.span };
  }

  private caseExpr(e: A.Case): BExpr {
    const operand = e.operand ? this.bind(e.operand) : undefined;
    const conds: BExpr[] = [];
    const vals: BExpr[] = [];
    for (const w of e.whens) {
      if (operand) {
        const wv = this.bind(w.when);
        const ct = wv.type.kind === 'NULL' ? operand.type : operand.type.kind === 'NULL' ? wv.type : comparisonType(operand.type, wv.type, '=');
        if (isInferError(ct)) { this.bag.error(E.TypeMismatch, ct.error, w.when.span, ct.hint); conds.push(NULL_EXPR); } else {
          conds.push({ kind: 'cmp', op: '=', args: [this.coerce(operand, ct), this.coerce(wv, ct)], type: BOOL(true) });
        }
      } else conds.push(this.boolean(this.bind(w.when), w.when));
      vals.push(this.bind(w.then));
    }
    const elseV = e.else ? this.bind(e.else) : NULL_EXPR;
    const t = this.common([...vals, elseV].map((v) => v.type), e, 'CASE branches');
    const nullable = !e.else || [...vals, elseV].some((v) => v.type.nullable);
    const rt = withNullable(t, nullable);
    return { kind: 'case', whens: conds.map((c, i) => [c, this.coerce(vals[i]!, rt)] as [BExpr, BExpr]), else: this.coerce(elseV, rt), type: rt };
  }

  /** Least restrictive common type, ignoring NULL-typed members; reports an error at `node`. */
  common(types: SqlType[], node: { span: A.Span }, what: string): SqlType {
    const nonNull = types.filter((t) => t.kind !== 'NULL');
    if (nonNull.length === 0) return T.null();
    const t = leastRestrictive(nonNull);
    if (isInferError(t)) {
      this.bag.error(E.TypeMismatch, `${what} have incompatible types ${nonNull.map((x) => typeToString(x, false)).join(', ')}`, node.span, t.hint);
      return nonNull[0]!;
    }
    return withNullable(withoutTimeAttr(t), types.some((x) => x.nullable));
  }

  private call(e: A.FunctionCall): BExpr {
    const name = e.name.parts.map((p) => p.text).join('.').toUpperCase();
    if (e.over) return this.err(E.AggregateMisuse, 'OVER windows are only allowed in the SELECT list', e);
    if (isAggregateName(name) || e.star) {
      return this.err(E.AggregateMisuse, `aggregate function ${name} is not allowed ${this.opts.context ?? 'here'}`, e,
        this.opts.context ? undefined : 'aggregates belong in SELECT or HAVING of a grouped query');
    }
    if (e.niladic && !lookupFunction(name)) {
      const col = this.scope.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
      if (col) return this.err(E.UnknownColumn, `${name} is a reserved word in Flink SQL`, e, `quote the column: \`${col.name}\``);
    }
    if (e.distinct) return this.err(E.BadFunctionArgs, `DISTINCT is only allowed in aggregate functions, not in ${name}`, e);
    if (e.filter) return this.err(E.BadFunctionArgs, `FILTER is only allowed on aggregate functions, not on ${name}`, e.filter);
    return this.fn(name, e.args.map((a) => this.bind(a)), e);
  }

  /** Resolves a scalar function by name over bound arguments. */
  fn(name: string, args: BExpr[], node: { span: A.Span }): BExpr {
    if (name === 'COALESCE' || name === 'IFNULL') return this.coalesce(name, args, node);
    if (name === 'IF' && args.length === 3) {
      // Lowered to CASE so only the taken branch is evaluated (an error in the other must not dead-letter the row).
      const [c, a, b] = args as [BExpr, BExpr, BExpr];
      const t = this.common([a.type, b.type], node, 'IF branches');
      return { kind: 'case', whens: [[this.boolean(c, node), this.coerce(a, t)]], else: this.coerce(b, t), type: t };
    }
    const def = lookupFunction(name);
    if (!def) {
      const s = suggest(name, functionNames());
      return this.err(E.UnknownFunction, `no function named ${name}`, node, s ? `did you mean ${s}?` : undefined);
    }
    if (args.some((a) => a === NULL_EXPR && a.type.kind === 'NULL' && false)) return NULL_EXPR;
    const literals = args.map((a) => (a.kind === 'lit' ? a.value : undefined));
    const t = def.inferType(args.map((a) => a.type), literals);
    if (isInferError(t)) {
      return this.err(E.BadFunctionArgs, t.error || `cannot apply ${name} to (${args.map((a) => typeToString(a.type, false)).join(', ')})`, node, t.hint);
    }
    return { kind: 'call', fn: def.name, args, type: t, span: node.span };
  }

  private coalesce(name: string, args: BExpr[], node: { span: A.Span }): BExpr {
    if (name === 'IFNULL' && args.length !== 2) return this.err(E.BadFunctionArgs, 'IFNULL takes two arguments', node);
    if (args.length === 0) return this.err(E.BadFunctionArgs, 'COALESCE needs at least one argument', node);
    const t = this.common(args.map((a) => a.type), node, `${name} arguments`);
    const rt = withNullable(t, args.every((a) => a.type.nullable));
    // COALESCE(a, b, c) = CASE WHEN a IS NOT NULL THEN a WHEN b IS NOT NULL THEN b ELSE c END
    const whens: [BExpr, BExpr][] = args.slice(0, -1).map((a) => [{ kind: 'isNull', negated: true, arg: a, type: BOOL(false) }, this.coerce(a, rt)]);
    return { kind: 'case', whens, else: this.coerce(args[args.length - 1]!, rt), type: rt };
  }
}

