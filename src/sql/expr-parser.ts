/**
 * Expression parsing: a Pratt (binding power) loop for operators and a recursive primary parser for literals,
 * names, calls and the special forms (CAST, CASE, EXTRACT, TRIM, JSON_VALUE, ...).
 *
 * Binding powers follow Calcite (which Flink uses), lowest first:
 *   OR 13 < AND 24 < NOT (prefix) 26 < IS [NOT] NULL/TRUE/... 28 < comparisons, IS DISTINCT FROM 30
 *   < BETWEEN, LIKE, SIMILAR TO, IN 32 < + - 40 < * / % || 60 < unary + - 80 < [] and .field 100.
 * The printer uses the same table (exprPrecedence) to decide where parentheses are needed.
 */

import { suggest } from '../common/diagnostics.js';
import type {
  Expr, FrameBound, FunctionCall, Ident, JsonBehavior, JsonQueryBehavior, ObjectName, OrderItem, QueryExpr,
  TimeUnit, TimestampArithUnit, WindowFrame, WindowSpec, TypedLiteral, Case, Trim,
} from './ast.js';
import { NILADIC_FUNCTIONS, NOT_CALLABLE, RESERVED, TIME_UNITS } from './keywords.js';
import type { Token } from './lexer.js';
import { ParseFailure } from './parser-base.js';
import { TypeParser } from './type-parser.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const BP = {
  OR: 13,
  AND: 24,
  NOT: 26,
  IS: 28,
  COMPARE: 30,
  BETWEEN: 32, // also LIKE, SIMILAR TO, IN
  ADD: 40,
  MUL: 60, // also ||
  UNARY: 80,
  POSTFIX: 100,
} as const;

const COMPARE_OPS: ReadonlySet<string> = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
const TIMESTAMP_ARITH_UNITS: ReadonlySet<string> = new Set([
  'YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND',
]);

export abstract class ExprParser extends TypeParser {
  /** Parses a full query expression (implemented by the query layer). */
  abstract parseQueryExpr(): QueryExpr;

  /** True if the tokens at `pos + k` start a query: SELECT, WITH or VALUES, possibly after '('s. */
  protected isQueryStartAt(k: number): boolean {
    let t = this.peek(k);
    while (this.isOp('(', t)) t = this.peek(++k);
    return this.isKw('SELECT', t) || this.isKw('WITH', t) || this.isKw('VALUES', t);
  }

  parseExpr(): Expr {
    return this.parseBinary(0);
  }

  /** Comma-separated expressions (at least one). */
  protected parseExprList(): Expr[] {
    const out = [this.parseExpr()];
    while (this.acceptOp(',')) out.push(this.parseExpr());
    return out;
  }

  protected parseBinary(minBp: number): Expr {
    let left = this.parsePrefix();
    for (;;) {
      const t = this.tok;
      if (t.kind === 'op') {
        const op = t.value;
        let bp: number;
        if (COMPARE_OPS.has(op)) bp = BP.COMPARE;
        else if (op === '+' || op === '-') bp = BP.ADD;
        else if (op === '*' || op === '/' || op === '%' || op === '||') bp = BP.MUL;
        else return left;
        if (bp < minBp) return left;
        this.advance();
        if (bp === BP.COMPARE) {
          const cmp = (op === '!=' ? '<>' : op) as '=' | '<>' | '<' | '<=' | '>' | '>=';
          const qt = this.tok;
          if ((this.isKw('ANY', qt) || this.isKw('SOME', qt) || this.isKw('ALL', qt)) && this.isOp('(', this.peek())) {
            this.advance();
            this.advance();
            const query = this.parseQueryExpr();
            this.expectOp(')');
            left = {
              kind: 'QuantifiedComparison', op: cmp, quantifier: qt.value === 'ALL' ? 'ALL' : 'ANY', left, query,
              span: this.spanFrom(left.span),
            };
            continue;
          }
          const right = this.parseBinary(bp + 1);
          left = { kind: 'Binary', op: cmp, left, right, span: this.spanFrom(left.span) };
        } else {
          const right = this.parseBinary(bp + 1);
          left = { kind: 'Binary', op: op as '+', left, right, span: this.spanFrom(left.span) };
        }
        continue;
      }
      if (t.kind !== 'word') return left;
      switch (t.value) {
        case 'OR':
        case 'AND': {
          const bp = t.value === 'OR' ? BP.OR : BP.AND;
          if (bp < minBp) return left;
          this.advance();
          const right = this.parseBinary(bp + 1);
          left = { kind: 'Binary', op: t.value, left, right, span: this.spanFrom(left.span) };
          continue;
        }
        case 'IS': {
          const negated = this.isKwAt(1, 'NOT');
          const what = this.peek(negated ? 2 : 1);
          if (this.isKw('DISTINCT', what)) {
            if (BP.COMPARE < minBp) return left;
            this.advance();
            if (negated) this.advance();
            this.advance();
            this.expectKw('FROM');
            const right = this.parseBinary(BP.COMPARE + 1);
            left = { kind: 'IsDistinctFrom', negated, left, right, span: this.spanFrom(left.span) };
            continue;
          }
          if (BP.IS < minBp) return left;
          this.advance();
          if (negated) this.advance();
          const w = this.tok;
          let test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN' | 'JSON' | 'JSON VALUE' | 'JSON SCALAR' | 'JSON ARRAY' | 'JSON OBJECT';
          if (this.isKw('NULL', w) || this.isKw('TRUE', w) || this.isKw('FALSE', w) || this.isKw('UNKNOWN', w)) {
            this.advance();
            test = w.value as 'NULL';
          } else if (this.isKw('JSON', w)) {
            this.advance();
            const sub = this.tok;
            if (this.isKw('VALUE', sub) || this.isKw('SCALAR', sub) || this.isKw('ARRAY', sub) || this.isKw('OBJECT', sub)) {
              this.advance();
              test = `JSON ${sub.value}` as 'JSON VALUE';
            } else {
              test = 'JSON';
            }
          } else {
            return this.failExpected('NULL, TRUE, FALSE, UNKNOWN, JSON or DISTINCT FROM after IS');
          }
          left = { kind: 'IsPredicate', test, negated, operand: left, span: this.spanFrom(left.span) };
          continue;
        }
        case 'NOT': {
          const nx = this.peek();
          if (!(this.isKw('BETWEEN', nx) || this.isKw('LIKE', nx) || this.isKw('SIMILAR', nx) || this.isKw('IN', nx))) {
            return left;
          }
          if (BP.BETWEEN < minBp) return left;
          this.advance();
          left = this.parseBetweenLikeIn(left, true);
          continue;
        }
        case 'BETWEEN':
        case 'LIKE':
        case 'SIMILAR':
        case 'IN':
          if (BP.BETWEEN < minBp) return left;
          left = this.parseBetweenLikeIn(left, false);
          continue;
        default:
          return left;
      }
    }
  }

  /** At BETWEEN / LIKE / SIMILAR / IN (NOT already consumed). */
  private parseBetweenLikeIn(left: Expr, negated: boolean): Expr {
    const t = this.advance();
    const rbp = BP.BETWEEN + 1;
    switch (t.value) {
      case 'BETWEEN': {
        let symmetric = false;
        if (this.acceptKw('SYMMETRIC')) symmetric = true;
        else this.acceptKw('ASYMMETRIC');
        const low = this.parseBinary(rbp);
        this.expectKw('AND');
        const high = this.parseBinary(rbp);
        return { kind: 'Between', negated, symmetric, operand: left, low, high, span: this.spanFrom(left.span) };
      }
      case 'LIKE':
      case 'SIMILAR': {
        if (t.value === 'SIMILAR') this.expectKw('TO');
        const pattern = this.parseBinary(rbp);
        const node: Mutable<Expr & { kind: 'Like' }> = {
          kind: 'Like', op: t.value === 'LIKE' ? 'LIKE' : 'SIMILAR TO', negated, operand: left, pattern, span: left.span,
        };
        if (this.acceptKw('ESCAPE')) node.escape = this.parseBinary(rbp);
        node.span = this.spanFrom(left.span);
        return node;
      }
      default: {
        // IN
        this.expectOp('(');
        if (this.isQueryStartAt(0)) {
          // `x IN ((SELECT 1), 2)` starts like a subquery but is a list: retry as one if the query parse fails.
          const mark = this.pos;
          const diagCount = this.diagnostics.length;
          try {
            const query = this.parseQueryExpr();
            this.expectOp(')');
            return { kind: 'InSubquery', negated, operand: left, query, span: this.spanFrom(left.span) };
          } catch (e) {
            if (!(e instanceof ParseFailure) || !this.isOp('(', this.tokens[mark])) throw e;
            this.pos = mark;
            this.diagnostics.length = diagCount;
          }
        }
        const list = this.parseExprList();
        this.expectOp(')');
        return { kind: 'InList', negated, operand: left, list, span: this.spanFrom(left.span) };
      }
    }
  }

  private parsePrefix(): Expr {
    const t = this.tok;
    if (this.isKw('NOT', t)) {
      this.advance();
      const operand = this.parseBinary(BP.NOT);
      return { kind: 'Unary', op: 'NOT', operand, span: this.spanFrom(t) };
    }
    if (this.isOp('-', t) || this.isOp('+', t)) {
      this.advance();
      const operand = this.parseBinary(BP.UNARY);
      return { kind: 'Unary', op: t.value as '-' | '+', operand, span: this.spanFrom(t) };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  /** `x[i]` and `x.field` after a primary. */
  private parsePostfix(e: Expr): Expr {
    for (;;) {
      if (this.isOp('[')) {
        this.advance();
        const index = this.parseExpr();
        this.expectOp(']');
        e = { kind: 'Subscript', operand: e, index, span: this.spanFrom(e.span) };
      } else if (this.isOp('.') && (this.peek().kind === 'word' || this.peek().kind === 'quoted')) {
        this.advance();
        const field = this.parseIdentAfterDot();
        e = { kind: 'FieldAccess', operand: e, field, span: this.spanFrom(e.span) };
      } else {
        return e;
      }
    }
  }

  protected parsePrimary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.advance();
        return { kind: 'NumericLiteral', text: t.value, numberKind: t.numberKind ?? 'integer', span: this.tokSpan(t) };
      case 'string': {
        const v = this.parseStringValue();
        return { kind: 'StringLiteral', value: v.value, span: v.span };
      }
      case 'binary':
        this.advance();
        return { kind: 'BinaryLiteral', hex: t.value, span: this.tokSpan(t) };
      case 'quoted':
        return this.parseNameOrCall();
      case 'op':
        if (t.value === '(') return this.parseParenthesized();
        if (t.value === '?') this.fail('SQL112', { what: 'a dynamic parameter' }, this.tokSpan(t));
        return this.fail('SQL111', { found: this.describe(t) }, this.tokSpan(t));
      case 'word':
        return this.parseWordPrimary(t);
      case 'hintStart':
        return this.fail('SQL116', {}, this.tokSpan(t));
      default:
        return this.fail('SQL111', { found: this.describe(t) }, this.tokSpan(t));
    }
  }

  private parseWordPrimary(t: Token): Expr {
    const w = t.value;
    const next = this.peek();
    const call = this.isOp('(', next);
    switch (w) {
      case 'TRUE':
      case 'FALSE':
      case 'UNKNOWN':
        this.advance();
        return { kind: 'BooleanLiteral', value: w === 'TRUE' ? true : w === 'FALSE' ? false : null, span: this.tokSpan(t) };
      case 'NULL':
        this.advance();
        return { kind: 'NullLiteral', span: this.tokSpan(t) };
      case 'DATE':
      case 'TIME':
      case 'TIMESTAMP':
        if (next.kind === 'string') {
          this.advance();
          const v = this.parseStringValue();
          const lit: TypedLiteral = { kind: 'TypedLiteral', type: w, value: v.value, span: this.spanFrom(t) };
          return lit;
        }
        break;
      case 'INTERVAL':
        return this.parseIntervalLiteral();
      case 'CASE':
        return this.parseCase();
      case 'CAST':
      case 'TRY_CAST':
        if (call) return this.parseCast(w === 'TRY_CAST');
        break;
      case 'EXTRACT':
        if (call) return this.parseExtract();
        break;
      case 'FLOOR':
      case 'CEIL':
      case 'CEILING':
        if (call) return this.parseFloorCeil();
        break;
      case 'TRIM':
        if (call) return this.parseTrim();
        break;
      case 'SUBSTRING':
        if (call) return this.parseSubstring();
        break;
      case 'POSITION':
        if (call) return this.parsePosition();
        break;
      case 'OVERLAY':
        if (call) return this.parseOverlay();
        break;
      case 'TIMESTAMPADD':
      case 'TIMESTAMPDIFF':
        if (call) return this.parseTimestampArith(w);
        break;
      case 'JSON_VALUE':
        if (call) return this.parseJsonValue();
        break;
      case 'JSON_QUERY':
        if (call) return this.parseJsonQuery();
        break;
      case 'JSON_EXISTS':
        if (call) return this.parseJsonExists();
        break;
      case 'JSON_OBJECT':
        if (call) return this.parseJsonObject();
        break;
      case 'JSON_ARRAY':
        if (call) return this.parseJsonArray();
        break;
      case 'ARRAY':
        if (this.isOp('[', next)) {
          this.advance();
          this.advance();
          const items = this.isOp(']') ? [] : this.parseExprList();
          this.expectOp(']');
          return { kind: 'ArrayConstructor', items, span: this.spanFrom(t) };
        }
        if (call) this.fail('SQL112', { what: 'ARRAY(subquery)' }, this.tokSpan(t));
        break;
      case 'MAP':
        if (this.isOp('[', next)) {
          this.advance();
          this.advance();
          const items = this.isOp(']') ? [] : this.parseExprList();
          this.expectOp(']');
          const span = this.spanFrom(t);
          if (items.length % 2 !== 0) this.report('SQL123', { count: items.length }, span);
          const entries: { key: Expr; value: Expr }[] = [];
          for (let i = 0; i + 1 < items.length; i += 2) entries.push({ key: items[i]!, value: items[i + 1]! });
          return { kind: 'MapConstructor', entries, span };
        }
        if (call) this.fail('SQL112', { what: 'MAP(subquery)' }, this.tokSpan(t));
        break;
      case 'ROW':
        if (call) {
          this.advance();
          this.advance();
          const items = this.isOp(')') ? [] : this.parseExprList();
          this.expectOp(')');
          return { kind: 'RowConstructor', items, explicit: true, span: this.spanFrom(t) };
        }
        break;
      case 'EXISTS':
        if (call) {
          this.advance();
          this.advance();
          const query = this.parseQueryExpr();
          this.expectOp(')');
          return { kind: 'Exists', query, span: this.spanFrom(t) };
        }
        break;
      case 'DESCRIPTOR':
        if (call) {
          this.advance();
          const columns = this.parseIdentList();
          return { kind: 'Descriptor', columns, span: this.spanFrom(t) };
        }
        break;
      default:
        break;
    }
    if (NILADIC_FUNCTIONS.has(w) && !call) {
      this.advance();
      const name: ObjectName = { kind: 'ObjectName', parts: [this.identFrom(t)], span: this.tokSpan(t) };
      return {
        kind: 'FunctionCall', name, args: [], distinct: false, all: false, star: false, niladic: true, span: this.tokSpan(t),
      };
    }
    if (RESERVED.has(w) && !(call && !NOT_CALLABLE.has(w))) {
      return this.fail('SQL111', { found: this.describe(t) }, this.tokSpan(t));
    }
    return this.parseNameOrCall();
  }

  /** A column reference `a.b.c` or a function call `ns.f(...)`. */
  private parseNameOrCall(): Expr {
    const start = this.tok;
    const parts: Ident[] = [this.identFrom(this.advance())];
    while (this.isOp('.') && (this.peek().kind === 'word' || this.peek().kind === 'quoted')) {
      this.advance();
      parts.push(this.parseIdentAfterDot());
    }
    if (this.isOp('(')) {
      const name: ObjectName = { kind: 'ObjectName', parts, span: this.spanFrom(start) };
      return this.parseCallRest(name, start);
    }
    return { kind: 'ColumnRef', names: parts, span: this.spanFrom(start) };
  }

  /** At '(' after a function name: arguments, then WITHIN GROUP, FILTER, OVER. */
  protected parseCallRest(name: ObjectName, start: Token): FunctionCall {
    this.expectOp('(');
    let distinct = false;
    let all = false;
    let star = false;
    let args: Expr[] = [];
    if (this.acceptKw('DISTINCT')) distinct = true;
    else if (this.acceptKw('ALL')) all = true;
    if (this.isOp('*') && this.isOp(')', this.peek())) {
      this.advance();
      star = true;
    } else if (!this.isOp(')')) {
      args = [this.parseArg()];
      while (this.acceptOp(',')) args.push(this.parseArg());
    }
    this.expectOp(')');
    const call: Mutable<FunctionCall> = { kind: 'FunctionCall', name, args, distinct, all, star, niladic: false, span: start };
    if (this.isKw('WITHIN') && this.isKwAt(1, 'GROUP')) {
      this.advance();
      this.advance();
      this.expectOp('(');
      this.expectKw('ORDER');
      this.expectKw('BY');
      call.withinGroup = this.parseOrderItems();
      this.expectOp(')');
    }
    if (this.isKw('FILTER') && this.isOp('(', this.peek())) {
      this.advance();
      this.advance();
      this.expectKw('WHERE');
      call.filter = this.parseExpr();
      this.expectOp(')');
    }
    if (this.acceptKw('OVER')) {
      if (this.isOp('(')) {
        call.over = this.parseWindowSpecParens();
      } else {
        const n = this.parseIdent('a window name');
        call.over = { kind: 'WindowRef', name: n, span: n.span };
      }
    }
    call.span = this.spanFrom(start);
    return call;
  }

  /** One call argument: `TABLE t [PARTITION BY ..]`, `name => expr`, or an expression. */
  private parseArg(): Expr {
    const t = this.tok;
    if ((t.kind === 'word' || t.kind === 'quoted') && this.isOp('=>', this.peek())) {
      const name = this.identFrom(this.advance());
      this.advance();
      const value = this.parseArg();
      return { kind: 'NamedArg', name, value, span: this.spanFrom(t) };
    }
    if (this.isKw('TABLE', t) && (this.peek().kind === 'word' || this.peek().kind === 'quoted')) {
      this.advance();
      const name = this.parseObjectName('a table name');
      let partitionBy: Expr[] = [];
      let orderBy: OrderItem[] = [];
      if (this.isKw('PARTITION') && this.isKwAt(1, 'BY')) {
        this.advance();
        this.advance();
        partitionBy = this.parseOneOrParenthesizedList();
      }
      if (this.isKw('ORDER') && this.isKwAt(1, 'BY')) {
        this.advance();
        this.advance();
        if (this.isOp('(') && !this.isQueryStartAt(1)) {
          this.advance();
          orderBy = this.parseOrderItems();
          this.expectOp(')');
        } else {
          orderBy = [this.parseOrderItem()];
        }
      }
      return { kind: 'TableArg', name, partitionBy, orderBy, span: this.spanFrom(t) };
    }
    if (this.isKw('TABLE', t) && this.isOp('(', this.peek())) {
      this.fail('SQL112', { what: 'a subquery as a table argument' }, this.tokSpan(t),
        'create a view for the subquery and pass TABLE view_name');
    }
    return this.parseExpr();
  }

  /** `k` or `(k1, k2)`: a single expression, or a parenthesised list flattened. */
  private parseOneOrParenthesizedList(): Expr[] {
    const e = this.parseExpr();
    if (e.kind === 'RowConstructor' && !e.explicit) return [...e.items];
    return [e];
  }

  /** `(` already current: scalar subquery, parenthesised expression or implicit row `(a, b)`. */
  private parseParenthesized(): Expr {
    const start = this.tok;
    if (this.isQueryStartAt(1)) {
      const mark = this.pos;
      const diagCount = this.diagnostics.length;
      const nested = this.isOp('(', this.peek());
      try {
        this.advance();
        const query = this.parseQueryExpr();
        this.expectOp(')');
        return { kind: 'ScalarSubquery', query, span: this.spanFrom(start) };
      } catch (e) {
        // `((SELECT ..) + 1)`: the nested parenthesis was an expression after all; retry as one.
        if (!(e instanceof ParseFailure) || !nested) throw e;
        this.pos = mark;
        this.diagnostics.length = diagCount;
      }
    }
    this.advance();
    const items = this.parseExprList();
    this.expectOp(')');
    if (items.length === 1) return items[0]!;
    return { kind: 'RowConstructor', items, explicit: false, span: this.spanFrom(start) };
  }

  private parseIntervalLiteral(): Expr {
    const start = this.advance(); // INTERVAL
    let sign: 1 | -1 = 1;
    if (this.acceptOp('-')) sign = -1;
    else this.acceptOp('+');
    if (this.tok.kind !== 'string') {
      const t = this.tok;
      const hint = t.kind === 'number' ? `write the value as a string: INTERVAL '${t.text}' ...` : undefined;
      return this.failExpected('a string literal after INTERVAL', hint);
    }
    const v = this.parseStringValue();
    const qualifier = this.parseIntervalQualifier();
    return { kind: 'IntervalLiteral', value: v.value, sign, qualifier, span: this.spanFrom(start) };
  }

  private parseCase(): Expr {
    const start = this.advance(); // CASE
    const node: Mutable<Case> = { kind: 'Case', whens: [], span: start };
    if (!this.isKw('WHEN')) node.operand = this.parseExpr();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptKw('WHEN')) {
      const when = this.parseExpr();
      this.expectKw('THEN');
      const then = this.parseExpr();
      whens.push({ when, then });
    }
    if (whens.length === 0) this.failExpected("'WHEN'");
    node.whens = whens;
    if (this.acceptKw('ELSE')) node.else = this.parseExpr();
    this.expectKw('END');
    node.span = this.spanFrom(start);
    return node;
  }

  private parseCast(isTry: boolean): Expr {
    const start = this.advance();
    this.expectOp('(');
    const operand = this.parseExpr();
    this.expectKw('AS');
    const type = this.parseType();
    this.expectOp(')');
    return { kind: 'Cast', operand, type, try: isTry, span: this.spanFrom(start) };
  }

  private parseTimeUnit(allowed: ReadonlySet<string>): string {
    const t = this.tok;
    if (t.kind === 'word' && allowed.has(t.value)) {
      this.advance();
      return t.value;
    }
    const s = t.kind === 'word' ? suggest(t.text.replace(/S$/i, ''), allowed) : undefined;
    return this.failExpected('a time unit', s ? `did you mean ${s}?` : undefined);
  }

  private parseExtract(): Expr {
    const start = this.advance();
    this.expectOp('(');
    const unit = this.parseTimeUnit(TIME_UNITS) as TimeUnit;
    this.expectKw('FROM');
    const operand = this.parseExpr();
    this.expectOp(')');
    return { kind: 'Extract', unit, operand, span: this.spanFrom(start) };
  }

  private parseFloorCeil(): Expr {
    const start = this.tok;
    const fn = start.value === 'FLOOR' ? 'FLOOR' : 'CEIL';
    // FLOOR(x TO unit) is a special form; FLOOR(x) is an ordinary call. Decide after the first argument.
    const mark = this.pos;
    const diagCount = this.diagnostics.length;
    this.advance();
    this.advance();
    const operand = this.parseExpr();
    if (this.acceptKw('TO')) {
      const unit = this.parseTimeUnit(TIME_UNITS) as TimeUnit;
      this.expectOp(')');
      return { kind: 'FloorCeil', fn, operand, unit, span: this.spanFrom(start) };
    }
    this.pos = mark;
    this.diagnostics.length = diagCount;
    const name: ObjectName = { kind: 'ObjectName', parts: [this.identFrom(this.advance())], span: this.tokSpan(start) };
    return this.parseCallRest(name, start);
  }

  private parseTrim(): Expr {
    const start = this.advance();
    this.expectOp('(');
    const node: Mutable<Trim> = { kind: 'Trim', operand: undefined as unknown as Expr, span: start };
    const t = this.tok;
    if (this.isKw('BOTH', t) || this.isKw('LEADING', t) || this.isKw('TRAILING', t)) {
      this.advance();
      node.side = t.value as 'BOTH';
      if (!this.acceptKw('FROM')) {
        node.chars = this.parseExpr();
        this.expectKw('FROM');
      }
      node.operand = this.parseExpr();
    } else {
      const first = this.parseExpr();
      if (this.acceptKw('FROM')) {
        node.chars = first;
        node.operand = this.parseExpr();
      } else {
        node.operand = first;
      }
    }
    this.expectOp(')');
    node.span = this.spanFrom(start);
    return node;
  }

  private parseSubstring(): Expr {
    const start = this.advance();
    this.expectOp('(');
    const operand = this.parseExpr();
    let startExpr: Expr;
    let length: Expr | undefined;
    if (this.acceptKw('FROM')) {
      startExpr = this.parseExpr();
      if (this.acceptKw('FOR')) length = this.parseExpr();
    } else {
      this.expectOp(',');
      startExpr = this.parseExpr();
      if (this.acceptOp(',')) length = this.parseExpr();
    }
    this.expectOp(')');
    const span = this.spanFrom(start);
    return length
      ? { kind: 'Substring', operand, start: startExpr, length, span }
      : { kind: 'Substring', operand, start: startExpr, span };
  }

  private parsePosition(): Expr {
    const start = this.advance();
    this.expectOp('(');
    const needle = this.parseBinary(BP.BETWEEN + 1); // stop before IN
    this.expectKw('IN');
    const haystack = this.parseExpr();
    let from: Expr | undefined;
    if (this.acceptKw('FROM')) from = this.parseExpr();
    this.expectOp(')');
    const span = this.spanFrom(start);
    return from ? { kind: 'Position', needle, haystack, from, span } : { kind: 'Position', needle, haystack, span };
  }

  private parseOverlay(): Expr {
    const start = this.advance();
    this.expectOp('(');
    const operand = this.parseExpr();
    this.expectKw('PLACING');
    const placing = this.parseExpr();
    this.expectKw('FROM');
    const startExpr = this.parseExpr();
    let length: Expr | undefined;
    if (this.acceptKw('FOR')) length = this.parseExpr();
    this.expectOp(')');
    const span = this.spanFrom(start);
    return length
      ? { kind: 'Overlay', operand, placing, start: startExpr, length, span }
      : { kind: 'Overlay', operand, placing, start: startExpr, span };
  }

  private parseTimestampArith(fn: 'TIMESTAMPADD' | 'TIMESTAMPDIFF'): Expr {
    const start = this.advance();
    this.expectOp('(');
    const unit = this.parseTimeUnit(TIMESTAMP_ARITH_UNITS) as TimestampArithUnit;
    this.expectOp(',');
    const a = this.parseExpr();
    this.expectOp(',');
    const b = this.parseExpr();
    this.expectOp(')');
    const span = this.spanFrom(start);
    return fn === 'TIMESTAMPADD'
      ? { kind: 'TimestampAdd', unit, count: a, timestamp: b, span }
      : { kind: 'TimestampDiff', unit, start: a, end: b, span };
  }

  /** `x, 'path'` common to the JSON functions. */
  private parseJsonCommon(): { operand: Expr; path: Expr } {
    this.advance();
    this.expectOp('(');
    const operand = this.parseExpr();
    this.expectOp(',');
    const path = this.parseExpr();
    return { operand, path };
  }

  private parseJsonValue(): Expr {
    const start = this.tok;
    const { operand, path } = this.parseJsonCommon();
    const node: Mutable<Expr & { kind: 'JsonValue' }> = { kind: 'JsonValue', operand, path, span: start };
    if (this.acceptKw('RETURNING')) node.returning = this.parseType();
    for (;;) {
      const b = this.tok;
      let behavior: Mutable<JsonBehavior>;
      if (this.isKw('NULL') || this.isKw('ERROR')) {
        this.advance();
        behavior = { kind: 'JsonBehavior', behavior: b.value as 'NULL', span: this.tokSpan(b) };
      } else if (this.isKw('DEFAULT')) {
        this.advance();
        behavior = { kind: 'JsonBehavior', behavior: 'DEFAULT', default: this.parseExpr(), span: b };
      } else {
        break;
      }
      this.expectKw('ON');
      if (this.acceptKw('EMPTY')) {
        behavior.span = this.spanFrom(b);
        if (node.onEmpty || node.onError) this.report('SQL118', { what: 'ON EMPTY' }, behavior.span);
        node.onEmpty = behavior;
      } else if (this.acceptKw('ERROR')) {
        behavior.span = this.spanFrom(b);
        if (node.onError) this.report('SQL118', { what: 'ON ERROR' }, behavior.span);
        node.onError = behavior;
      } else {
        this.failExpected("'EMPTY' or 'ERROR'");
      }
    }
    this.expectOp(')');
    node.span = this.spanFrom(start);
    return node;
  }

  private parseJsonQueryBehavior(): JsonQueryBehavior | undefined {
    if (this.acceptKw('NULL')) return 'NULL';
    if (this.acceptKw('ERROR')) return 'ERROR';
    if (this.isKw('EMPTY')) {
      this.advance();
      if (this.acceptKw('ARRAY')) return 'EMPTY ARRAY';
      this.expectKw('OBJECT');
      return 'EMPTY OBJECT';
    }
    return undefined;
  }

  private parseJsonQuery(): Expr {
    const start = this.tok;
    const { operand, path } = this.parseJsonCommon();
    const node: Mutable<Expr & { kind: 'JsonQuery' }> = { kind: 'JsonQuery', operand, path, wrapper: 'WITHOUT', span: start };
    if (this.acceptKw('RETURNING')) node.returning = this.parseType();
    if (this.acceptKw('WITHOUT')) {
      this.acceptKw('ARRAY');
      this.expectKw('WRAPPER');
    } else if (this.acceptKw('WITH')) {
      if (this.acceptKw('CONDITIONAL')) node.wrapper = 'CONDITIONAL';
      else {
        this.acceptKw('UNCONDITIONAL');
        node.wrapper = 'UNCONDITIONAL';
      }
      this.acceptKw('ARRAY');
      this.expectKw('WRAPPER');
    }
    for (;;) {
      const b = this.parseJsonQueryBehavior();
      if (!b) break;
      this.expectKw('ON');
      if (this.acceptKw('EMPTY')) node.onEmpty = b;
      else if (this.acceptKw('ERROR')) node.onError = b;
      else this.failExpected("'EMPTY' or 'ERROR'");
    }
    this.expectOp(')');
    node.span = this.spanFrom(start);
    return node;
  }

  private parseJsonExists(): Expr {
    const start = this.tok;
    const { operand, path } = this.parseJsonCommon();
    const node: Mutable<Expr & { kind: 'JsonExists' }> = { kind: 'JsonExists', operand, path, span: start };
    const b = this.tok;
    if (this.isKw('TRUE', b) || this.isKw('FALSE', b) || this.isKw('UNKNOWN', b) || this.isKw('ERROR', b)) {
      this.advance();
      this.expectKw('ON');
      this.expectKw('ERROR');
      node.onError = b.value as 'TRUE';
    }
    this.expectOp(')');
    node.span = this.spanFrom(start);
    return node;
  }

  /** `NULL ON NULL` / `ABSENT ON NULL` at the end of JSON_OBJECT / JSON_ARRAY. */
  private parseJsonOnNull(): 'NULL' | 'ABSENT' | undefined {
    if ((this.isKw('NULL') || this.isKw('ABSENT')) && this.isKwAt(1, 'ON') && this.isKwAt(2, 'NULL')) {
      const v = this.advance().value as 'NULL' | 'ABSENT';
      this.advance();
      this.advance();
      return v;
    }
    return undefined;
  }

  private parseJsonObject(): Expr {
    const start = this.advance();
    this.expectOp('(');
    const entries: { key: Expr; value: Expr }[] = [];
    let onNull = this.parseJsonOnNull();
    if (!onNull && !this.isOp(')')) {
      do {
        this.acceptKw('KEY');
        const key = this.parseExpr();
        if (!this.acceptKw('VALUE')) this.expectOp(':');
        const value = this.parseExpr();
        entries.push({ key, value });
      } while (this.acceptOp(','));
      onNull = this.parseJsonOnNull();
    }
    this.expectOp(')');
    const span = this.spanFrom(start);
    return onNull ? { kind: 'JsonObject', entries, onNull, span } : { kind: 'JsonObject', entries, span };
  }

  private parseJsonArray(): Expr {
    const start = this.advance();
    this.expectOp('(');
    const items: Expr[] = [];
    let onNull = this.parseJsonOnNull();
    if (!onNull && !this.isOp(')')) {
      items.push(...this.parseExprList());
      onNull = this.parseJsonOnNull();
    }
    this.expectOp(')');
    const span = this.spanFrom(start);
    return onNull ? { kind: 'JsonArray', items, onNull, span } : { kind: 'JsonArray', items, span };
  }

  // ---- ORDER BY and windows --------------------------------------------------------------------------------

  protected parseOrderItem(): OrderItem {
    const start = this.tok;
    const expr = this.parseExpr();
    const item: Mutable<OrderItem> = { kind: 'OrderItem', expr, span: start };
    if (this.acceptKw('ASC')) item.direction = 'ASC';
    else if (this.acceptKw('DESC')) item.direction = 'DESC';
    if (this.acceptKw('NULLS')) {
      if (this.acceptKw('FIRST')) item.nulls = 'FIRST';
      else {
        this.expectKw('LAST');
        item.nulls = 'LAST';
      }
    }
    item.span = this.spanFrom(start);
    return item;
  }

  protected parseOrderItems(): OrderItem[] {
    const out = [this.parseOrderItem()];
    while (this.acceptOp(',')) out.push(this.parseOrderItem());
    return out;
  }

  /** `( [base] [PARTITION BY ..] [ORDER BY ..] [frame] )`. */
  protected parseWindowSpecParens(): WindowSpec {
    const start = this.expectOp('(');
    const spec: Mutable<WindowSpec> = { kind: 'WindowSpec', partitionBy: [], orderBy: [], span: start };
    if (this.atIdent() && !this.isKw('ROWS') && !this.isKw('RANGE')) spec.base = this.parseIdent('a window name');
    if (this.isKw('PARTITION')) {
      this.advance();
      this.expectKw('BY');
      spec.partitionBy = this.parseExprList();
    }
    if (this.isKw('ORDER')) {
      this.advance();
      this.expectKw('BY');
      spec.orderBy = this.parseOrderItems();
    }
    if (this.isKw('ROWS') || this.isKw('RANGE')) spec.frame = this.parseWindowFrame();
    if (!this.isOp(')')) {
      const what = spec.frame ? "')'" : spec.orderBy.length ? "ROWS, RANGE or ')'" : spec.partitionBy.length ? "ORDER BY, ROWS, RANGE or ')'" : "PARTITION BY, ORDER BY, ROWS, RANGE or ')'";
      this.failExpected(what);
    }
    this.advance();
    spec.span = this.spanFrom(start);
    return spec;
  }

  private parseWindowFrame(): WindowFrame {
    const start = this.advance();
    const unit = start.value as 'ROWS' | 'RANGE';
    if (this.acceptKw('BETWEEN')) {
      const s = this.parseFrameBound();
      this.expectKw('AND');
      const e = this.parseFrameBound();
      return { kind: 'WindowFrame', unit, start: s, end: e, span: this.spanFrom(start) };
    }
    const s = this.parseFrameBound();
    return { kind: 'WindowFrame', unit, start: s, span: this.spanFrom(start) };
  }

  private parseFrameBound(): FrameBound {
    const start = this.tok;
    if (this.isKw('UNBOUNDED')) {
      this.advance();
      if (this.acceptKw('PRECEDING')) return { kind: 'FrameBound', bound: 'UNBOUNDED PRECEDING', span: this.spanFrom(start) };
      this.expectKw('FOLLOWING');
      return { kind: 'FrameBound', bound: 'UNBOUNDED FOLLOWING', span: this.spanFrom(start) };
    }
    if (this.isKw('CURRENT') && this.isKwAt(1, 'ROW')) {
      this.advance();
      this.advance();
      return { kind: 'FrameBound', bound: 'CURRENT ROW', span: this.spanFrom(start) };
    }
    // The offset binds tighter than AND (of BETWEEN .. AND ..).
    const offset = this.parseBinary(BP.BETWEEN + 1);
    if (this.acceptKw('PRECEDING')) return { kind: 'FrameBound', bound: 'PRECEDING', offset, span: this.spanFrom(start) };
    if (this.acceptKw('FOLLOWING')) return { kind: 'FrameBound', bound: 'FOLLOWING', offset, span: this.spanFrom(start) };
    return this.failExpected("'PRECEDING' or 'FOLLOWING'");
  }
}
