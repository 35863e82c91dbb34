/**
 * Query parsing: WITH, SELECT, set operations (INTERSECT binds tighter than UNION/EXCEPT), VALUES, ORDER BY /
 * LIMIT / OFFSET / FETCH, FROM items and joins, and hints.
 */

import type {
  Alias, Cte, Expr, FunctionCall, GroupingElement, Hint, Ident, NamedWindow, Query, QueryExpr, Relation,
  Select, SelectItem, TableRef, WithClause, DerivedTable, Unnest, TableFunction, Join, JoinType,
} from './ast.js';
import { ExprParser } from './expr-parser.js';
import type { Token } from './lexer.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class QueryParser extends ExprParser {
  parseQueryExpr(): QueryExpr {
    const start = this.tok;
    let withClause: WithClause | undefined;
    if (this.isKw('WITH')) withClause = this.parseWith();
    const body = this.parseSetExpr(0);
    const q: Mutable<Query> = { kind: 'Query', body, orderBy: [], span: start };
    if (withClause) q.with = withClause;
    if (this.isKw('ORDER') && this.isKwAt(1, 'BY')) {
      this.advance();
      this.advance();
      q.orderBy = this.parseOrderItems();
    }
    if (this.acceptKw('LIMIT')) {
      if (this.isKw('ALL')) this.fail('SQL112', { what: 'LIMIT ALL' }, this.tokSpan(this.tok), 'leave out the LIMIT clause');
      q.limit = this.parseExpr();
    }
    if (this.acceptKw('OFFSET')) {
      q.offset = this.parseExpr();
      if (!this.acceptKw('ROWS')) this.acceptKw('ROW');
    }
    if (this.acceptKw('FETCH')) {
      if (!this.acceptKw('FIRST')) this.expectKw('NEXT');
      q.fetch = this.parseExpr();
      if (!this.acceptKw('ROWS')) this.expectKw('ROW');
      this.expectKw('ONLY');
    }
    if (!withClause && q.orderBy.length === 0 && !q.limit && !q.offset && !q.fetch) return body;
    if (q.limit && q.fetch) this.report('SQL118', { what: 'a row limit (LIMIT and FETCH)' }, q.fetch.span);
    q.span = this.spanFrom(start);
    return q;
  }

  private parseWith(): WithClause {
    const start = this.advance(); // WITH
    if (this.isKw('RECURSIVE')) this.fail('SQL112', { what: 'WITH RECURSIVE' }, this.tokSpan(this.tok));
    const ctes: Cte[] = [];
    do {
      const s = this.tok;
      const name = this.parseIdent('a name for the WITH query');
      const cte: Mutable<Cte> = { kind: 'Cte', name, query: undefined as unknown as QueryExpr, span: s };
      if (this.isOp('(')) cte.columns = this.parseIdentList();
      this.expectKw('AS');
      this.expectOp('(');
      cte.query = this.parseQueryExpr();
      this.expectOp(')');
      cte.span = this.spanFrom(s);
      ctes.push(cte);
    } while (this.acceptOp(','));
    return { kind: 'With', ctes, span: this.spanFrom(start) };
  }

  /** Set operations; precedence 1 for UNION/EXCEPT/MINUS and 2 for INTERSECT, all left-associative. */
  private parseSetExpr(minPrec: number): QueryExpr {
    const start = this.tok;
    let left = this.parseSetPrimary();
    for (;;) {
      const t = this.tok;
      let op: 'UNION' | 'INTERSECT' | 'EXCEPT';
      if (this.isKw('UNION', t)) op = 'UNION';
      else if (this.isKw('EXCEPT', t) || this.isKw('MINUS', t)) op = 'EXCEPT';
      else if (this.isKw('INTERSECT', t)) op = 'INTERSECT';
      else return left;
      const prec = op === 'INTERSECT' ? 2 : 1;
      if (prec < minPrec) return left;
      this.advance();
      let all = false;
      if (this.acceptKw('ALL')) all = true;
      else this.acceptKw('DISTINCT');
      const right = this.parseSetExpr(prec + 1);
      left = { kind: 'SetOperation', op, all, left, right, span: this.spanFrom(start) };
    }
  }

  private parseSetPrimary(): QueryExpr {
    const t = this.tok;
    if (this.isKw('SELECT', t)) return this.parseSelect();
    if (this.isKw('VALUES', t)) return this.parseValues();
    if (this.isOp('(', t)) {
      this.advance();
      const q = this.parseQueryExpr();
      this.expectOp(')');
      return q;
    }
    return this.failExpected("SELECT, VALUES or '('");
  }

  protected parseValues(): QueryExpr {
    const start = this.advance(); // VALUES
    const rows: Expr[][] = [];
    do {
      const e = this.parseExpr();
      rows.push(e.kind === 'RowConstructor' ? [...e.items] : [e]);
    } while (this.acceptOp(','));
    return { kind: 'Values', rows, span: this.spanFrom(start) };
  }

  /** `/*+ a(...), b(...) *\/` if present here, else []. */
  protected parseHints(): Hint[] {
    const hints: Hint[] = [];
    while (this.tok.kind === 'hintStart') {
      this.advance();
      do hints.push(this.parseHint());
      while (this.acceptOp(','));
      if (this.peek(0).kind !== 'hintEnd') this.failExpected("',' or '*/' in the hint");
      this.advance();
    }
    return hints;
  }

  private parseHint(): Hint {
    const start = this.tok;
    if (start.kind !== 'word' && start.kind !== 'quoted') return this.failExpected('a hint name');
    this.advance();
    const name = start.kind === 'word' ? start.text.toUpperCase() : start.value;
    if (!this.acceptOp('(')) return { kind: 'Hint', name, span: this.spanFrom(start) };
    if (this.acceptOp(')')) return { kind: 'Hint', name, listArgs: [], listKind: 'identifier', span: this.spanFrom(start) };
    const isKv = this.isOp('=', this.peek());
    if (isKv) {
      const options: Record<string, string> = {};
      do {
        const k = this.tok;
        let key: string;
        if (k.kind === 'string') key = this.parseStringValue().value;
        else if (k.kind === 'word' || k.kind === 'quoted') key = this.parseObjectName('a hint option key').parts.map((p) => p.text).join('.');
        else return this.failExpected('a hint option key');
        this.expectOp('=');
        const v = this.tok;
        if (v.kind === 'string') options[key] = this.parseStringValue().value;
        else if (v.kind === 'number' || v.kind === 'word') options[key] = this.advance().text;
        else return this.failExpected('a string value for the hint option');
      } while (this.acceptOp(','));
      this.expectOp(')');
      return { kind: 'Hint', name, options, span: this.spanFrom(start) };
    }
    const listArgs: string[] = [];
    const listKind: 'identifier' | 'string' = this.tok.kind === 'string' ? 'string' : 'identifier';
    do {
      if (listKind === 'string') listArgs.push(this.parseStringValue().value);
      else listArgs.push(this.parseObjectName('a hint argument').parts.map((p) => p.text).join('.'));
    } while (this.acceptOp(','));
    this.expectOp(')');
    return { kind: 'Hint', name, listArgs, listKind, span: this.spanFrom(start) };
  }

  private parseSelect(): Select {
    const start = this.advance(); // SELECT
    const hints = this.parseHints();
    let distinct = false;
    if (this.acceptKw('DISTINCT')) distinct = true;
    else this.acceptKw('ALL');
    if (this.isKw('STREAM')) this.fail('SQL112', { what: 'SELECT STREAM' }, this.tokSpan(this.tok));
    const items: SelectItem[] = [this.parseSelectItem()];
    while (this.acceptOp(',')) items.push(this.parseSelectItem());
    const sel: Mutable<Select> = { kind: 'Select', hints, distinct, items, groupBy: [], windows: [], span: start };
    if (this.acceptKw('FROM')) sel.from = this.parseFrom();
    if (this.acceptKw('WHERE')) sel.where = this.parseExpr();
    if (this.isKw('GROUP')) {
      this.advance();
      this.expectKw('BY');
      const g: GroupingElement[] = [this.parseGroupingElement()];
      while (this.acceptOp(',')) g.push(this.parseGroupingElement());
      sel.groupBy = g;
    }
    if (this.acceptKw('HAVING')) sel.having = this.parseExpr();
    if (this.acceptKw('WINDOW')) {
      const ws: NamedWindow[] = [];
      do {
        const s = this.tok;
        const name = this.parseIdent('a window name');
        this.expectKw('AS');
        const spec = this.parseWindowSpecParens();
        ws.push({ kind: 'NamedWindow', name, spec, span: this.spanFrom(s) });
      } while (this.acceptOp(','));
      sel.windows = ws;
    }
    if (this.isKw('QUALIFY')) this.fail('SQL112', { what: 'QUALIFY' }, this.tokSpan(this.tok), 'filter the result of a subquery with WHERE');
    sel.span = this.spanFrom(start);
    return sel;
  }

  private parseSelectItem(): SelectItem {
    const start = this.tok;
    if (this.isOp('*')) {
      this.advance();
      return { kind: 'SelectStar', span: this.tokSpan(start) };
    }
    // t.* / db.t.*: names separated by dots, then '.' '*'
    if (start.kind === 'word' || start.kind === 'quoted') {
      let k = 1;
      while (this.isOp('.', this.peek(k)) && (this.peek(k + 1).kind === 'word' || this.peek(k + 1).kind === 'quoted')) k += 2;
      if (this.isOp('.', this.peek(k)) && this.isOp('*', this.peek(k + 1))) {
        const qualifier = this.parseObjectName('a table name');
        this.advance();
        this.advance();
        return { kind: 'SelectStar', qualifier, span: this.spanFrom(start) };
      }
    }
    const expr = this.parseExpr();
    const alias = this.parseOptionalAlias();
    const span = this.spanFrom(start);
    return alias ? { kind: 'SelectExpr', expr, alias, span } : { kind: 'SelectExpr', expr, span };
  }

  /** `AS name` or an implicit alias (a non-reserved word or quoted name). */
  private parseOptionalAlias(): Ident | undefined {
    if (this.acceptKw('AS')) return this.parseIdent('an alias');
    if (this.atIdent()) {
      const a = this.parseIdent();
      this.lastImplicitAlias = a;
      return a;
    }
    return undefined;
  }

  private parseGroupingElement(): GroupingElement {
    const start = this.tok;
    if (this.isKw('GROUPING') && this.isKwAt(1, 'SETS')) {
      this.advance();
      this.advance();
      this.expectOp('(');
      const sets: GroupingElement[] = [this.parseGroupingElement()];
      while (this.acceptOp(',')) sets.push(this.parseGroupingElement());
      this.expectOp(')');
      return { kind: 'GroupingSets', sets, span: this.spanFrom(start) };
    }
    if ((this.isKw('ROLLUP') || this.isKw('CUBE')) && this.isOp('(', this.peek())) {
      this.advance();
      this.advance();
      const items = this.parseExprList();
      this.expectOp(')');
      return { kind: start.value === 'ROLLUP' ? 'Rollup' : 'Cube', items, span: this.spanFrom(start) };
    }
    if (this.isOp('(') && this.isOp(')', this.peek())) {
      this.advance();
      this.advance();
      return { kind: 'EmptyGrouping', span: this.spanFrom(start) };
    }
    return this.parseExpr();
  }

  // ---- FROM ------------------------------------------------------------------------------------------------

  /** Comma-separated joined tables; the comma binds looser than JOIN. */
  protected parseFrom(): Relation {
    let rel = this.parseJoined();
    while (this.acceptOp(',')) {
      const right = this.parseJoined();
      rel = { kind: 'Join', joinType: 'COMMA', natural: false, left: rel, right, span: this.spanFrom(rel.span) };
    }
    return rel;
  }

  private parseJoined(): Relation {
    let left = this.parseRelationPrimary();
    for (;;) {
      const t = this.tok;
      let natural = false;
      let joinType: JoinType;
      let k = 0;
      let sawJoin = false;
      if (this.isKw('NATURAL', t)) {
        natural = true;
        k = 1;
      }
      const w = this.peek(k);
      if (this.isKw('JOIN', w)) { joinType = 'INNER'; k += 1; sawJoin = true; }
      else if (this.isKw('INNER', w)) { joinType = 'INNER'; k += 1; }
      else if (this.isKw('CROSS', w)) { joinType = 'CROSS'; k += 1; }
      else if (this.isKw('LEFT', w) || this.isKw('RIGHT', w) || this.isKw('FULL', w)) {
        joinType = w.value as JoinType;
        k += 1;
        if (this.isKw('OUTER', this.peek(k))) k += 1;
      } else if (natural) {
        return this.failExpected("'JOIN'");
      } else {
        return left;
      }
      for (let i = 0; i < k; i++) this.advance();
      if (!sawJoin) {
        if (this.isKw('APPLY')) this.fail('SQL112', { what: 'APPLY' }, this.tokSpan(this.tok), 'use CROSS JOIN LATERAL TABLE(...)');
        this.expectKw('JOIN');
      }
      const right = this.parseRelationPrimary();
      const j: Mutable<Join> = { kind: 'Join', joinType, natural, left, right, span: left.span };
      if (joinType !== 'CROSS' && !natural) {
        if (this.acceptKw('ON')) j.on = this.parseExpr();
        else if (this.isKw('USING')) {
          this.advance();
          j.using = this.parseIdentList();
        } else {
          this.failExpected("'ON' or 'USING'");
        }
      }
      j.span = this.spanFrom(left.span);
      left = j;
    }
  }

  private parseRelationPrimary(): Relation {
    const start = this.tok;
    if (this.isKw('LATERAL', start)) {
      this.advance();
      if (this.isKw('TABLE') && this.isOp('(', this.peek())) return this.parseTableFunction(start, true);
      if (this.isOp('(')) return this.parseDerived(start, true);
      return this.failExpected("TABLE(...) or '(' after LATERAL");
    }
    if (this.isKw('TABLE', start) && this.isOp('(', this.peek())) return this.parseTableFunction(start, false);
    if (this.isKw('UNNEST', start)) {
      this.advance();
      this.expectOp('(');
      const args = this.parseExprList();
      this.expectOp(')');
      let withOrdinality = false;
      if (this.isKw('WITH') && this.isKwAt(1, 'ORDINALITY')) {
        this.advance();
        this.advance();
        withOrdinality = true;
      }
      const u: Mutable<Unnest> = { kind: 'Unnest', args, withOrdinality, span: start };
      const alias = this.parseRelationAlias();
      if (alias) u.alias = alias;
      u.span = this.spanFrom(start);
      return u;
    }
    if (this.isKw('VALUES', start)) {
      const query = this.parseValues();
      const d: Mutable<DerivedTable> = { kind: 'DerivedTable', lateral: false, query, span: start };
      const alias = this.parseRelationAlias();
      if (alias) d.alias = alias;
      d.span = this.spanFrom(start);
      return d;
    }
    if (this.isOp('(', start)) {
      if (this.isQueryStartAt(1)) return this.parseDerived(start, false);
      // parenthesised join
      this.advance();
      const inner = this.parseFrom();
      this.expectOp(')');
      return inner;
    }
    if (this.isKw('MATCH_RECOGNIZE')) this.fail('SQL112', { what: 'MATCH_RECOGNIZE' }, this.tokSpan(start));
    const name = this.parseObjectName('a table name');
    const ref: Mutable<TableRef> = { kind: 'TableRef', name, hints: this.parseHints(), span: start };
    if (this.isKw('FOR') && this.isKwAt(1, 'SYSTEM_TIME')) {
      this.advance();
      this.advance();
      this.expectKw('AS');
      this.expectKw('OF');
      ref.forSystemTime = this.parseExpr();
    }
    if (this.isKw('MATCH_RECOGNIZE')) this.fail('SQL112', { what: 'MATCH_RECOGNIZE' }, this.tokSpan(this.tok));
    if (this.isKw('TABLESAMPLE')) this.fail('SQL112', { what: 'TABLESAMPLE' }, this.tokSpan(this.tok));
    const alias = this.parseRelationAlias();
    if (alias) ref.alias = alias;
    ref.span = this.spanFrom(start);
    return ref;
  }

  private parseDerived(start: Token, lateral: boolean): Relation {
    this.expectOp('(');
    const query = this.parseQueryExpr();
    this.expectOp(')');
    const d: Mutable<DerivedTable> = { kind: 'DerivedTable', lateral, query, span: start };
    const alias = this.parseRelationAlias();
    if (alias) d.alias = alias;
    d.span = this.spanFrom(start);
    return d;
  }

  /** At TABLE '(': `TABLE(fn(args)) [AS] alias`. */
  private parseTableFunction(start: Token, lateral: boolean): Relation {
    this.advance(); // TABLE
    this.expectOp('(');
    const fnStart = this.tok;
    const e = this.parsePrimary();
    if (e.kind !== 'FunctionCall' || e.niladic) {
      this.fail('SQL101', { expected: 'a function call inside TABLE(...)', found: this.describe(fnStart) }, e.span);
    }
    this.expectOp(')');
    const tf: Mutable<TableFunction> = { kind: 'TableFunction', lateral, call: e as FunctionCall, span: start };
    const alias = this.parseRelationAlias();
    if (alias) tf.alias = alias;
    tf.span = this.spanFrom(start);
    return tf;
  }

  /** `[AS] name [(c1, c2)]`. */
  private parseRelationAlias(): Alias | undefined {
    const start = this.tok;
    let name: Ident;
    if (this.acceptKw('AS')) name = this.parseIdent('an alias');
    else if (this.atIdent()) {
      name = this.parseIdent();
      this.lastImplicitAlias = name;
    } else return undefined;
    const a: Mutable<Alias> = { kind: 'Alias', name, span: start };
    if (this.isOp('(') && !this.isQueryStartAt(1)) a.columns = this.parseIdentList();
    a.span = this.spanFrom(start);
    return a;
  }
}
