/**
 * Prints the AST back to canonical Flink SQL: keywords upper case, identifiers backtick-quoted when they are
 * keywords or not plain `[A-Za-z_][A-Za-z0-9_]*`, parentheses exactly where precedence needs them, top-level query
 * clauses on their own lines. Invariant (tested): parse(print(ast)) equals ast up to spans and identifier quoting,
 * and printing is idempotent.
 *
 * SqlPrinter is a class with one method per construct so dialects (the Flink SQL compiler) can override details.
 */

import type {
  Alias, ColumnDef, CreateTable, Expr, FrameBound, FunctionCall, GroupingElement, Hint, Ident, Insert,
  IntervalQualifier, JsonBehavior, ObjectName, OrderItem, QueryExpr, Relation, SelectItem, Statement, StringValue,
  TableOption, TypeNode, WindowSpec, WindowRef, Select, Query,
} from './ast.js';
import { BP } from './expr-parser.js';
import { QUOTE_KEYWORDS } from './keywords.js';

const SIMPLE_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

const BINARY_PREC: Readonly<Record<string, number>> = {
  OR: BP.OR, AND: BP.AND, '=': BP.COMPARE, '<>': BP.COMPARE, '<': BP.COMPARE, '<=': BP.COMPARE, '>': BP.COMPARE,
  '>=': BP.COMPARE, '+': BP.ADD, '-': BP.ADD, '*': BP.MUL, '/': BP.MUL, '%': BP.MUL, '||': BP.MUL,
};

/** Binding strength of an expression's top operator (BP values; primaries are POSTFIX). */
export function exprPrecedence(e: Expr): number {
  switch (e.kind) {
    case 'Binary': return BINARY_PREC[e.op]!;
    case 'Unary': return e.op === 'NOT' ? BP.NOT : BP.UNARY;
    case 'IsPredicate': return BP.IS;
    case 'IsDistinctFrom':
    case 'QuantifiedComparison': return BP.COMPARE;
    case 'Between':
    case 'Like':
    case 'InList':
    case 'InSubquery': return BP.BETWEEN;
    case 'NamedArg':
    case 'TableArg': return 0;
    default: return BP.POSTFIX;
  }
}

export class SqlPrinter {
  /** Indentation unit for multi-line output. */
  protected readonly indentUnit: string = '  ';

  // ---- names -----------------------------------------------------------------------------------------------

  /** True if an identifier must be backtick-quoted. */
  needsQuote(text: string): boolean {
    return !SIMPLE_IDENT.test(text) || QUOTE_KEYWORDS.has(text.toUpperCase());
  }

  quoteIdent(text: string): string {
    return '`' + text.replace(/`/g, '``') + '`';
  }

  ident(i: Ident): string {
    return this.needsQuote(i.text) ? this.quoteIdent(i.text) : i.text;
  }

  name(n: ObjectName): string {
    return n.parts.map((p) => this.ident(p)).join('.');
  }

  /** Function names may be keywords (COUNT, LEFT); quote only non-simple ones. */
  functionName(n: ObjectName): string {
    return n.parts.map((p) => (SIMPLE_IDENT.test(p.text) ? p.text : this.quoteIdent(p.text))).join('.');
  }

  string(value: string): string {
    return "'" + value.replace(/'/g, "''") + "'";
  }

  stringValue(v: StringValue): string {
    return this.string(v.value);
  }

  identList(ids: readonly Ident[]): string {
    return '(' + ids.map((i) => this.ident(i)).join(', ') + ')';
  }

  hints(hs: readonly Hint[]): string {
    if (hs.length === 0) return '';
    return '/*+ ' + hs.map((h) => this.hint(h)).join(', ') + ' */';
  }

  hint(h: Hint): string {
    if (h.options) {
      return `${h.name}(${Object.entries(h.options).map(([k, v]) => `${this.string(k)} = ${this.string(v)}`).join(', ')})`;
    }
    if (h.listArgs) {
      const args = h.listArgs.map((a) =>
        h.listKind === 'string' ? this.string(a) : /^[A-Za-z_][A-Za-z0-9_.]*$/.test(a) && !QUOTE_KEYWORDS.has(a.toUpperCase()) ? a : this.quoteIdent(a));
      return `${h.name}(${args.join(', ')})`;
    }
    return h.name;
  }

  // ---- statements ------------------------------------------------------------------------------------------

  script(statements: readonly Statement[]): string {
    return statements.map((s) => this.statement(s) + ';').join('\n\n') + (statements.length ? '\n' : '');
  }

  statement(s: Statement, indent = ''): string {
    switch (s.kind) {
      case 'CreateTable': return this.createTable(s, indent);
      case 'CreateView': {
        let out = `CREATE ${s.temporary ? 'TEMPORARY ' : ''}VIEW ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${this.name(s.name)}`;
        if (s.columns) out += ' ' + this.identList(s.columns);
        if (s.comment) out += ` COMMENT ${this.stringValue(s.comment)}`;
        return `${out} AS\n${indent}${this.query(s.query, indent)}`;
      }
      case 'CreateFunction': {
        const tmp = s.temporary ? (s.system ? 'TEMPORARY SYSTEM ' : 'TEMPORARY ') : '';
        let out = `CREATE ${tmp}FUNCTION ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${this.name(s.name)} AS ${this.stringValue(s.className)}`;
        if (s.language) out += ` LANGUAGE ${s.language}`;
        return out;
      }
      case 'CreateDatabase': {
        let out = `CREATE DATABASE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${this.name(s.name)}`;
        if (s.comment) out += ` COMMENT ${this.stringValue(s.comment)}`;
        if (s.options.length) out += ` WITH ${this.options(s.options, indent)}`;
        return out;
      }
      case 'CreateCatalog':
        return `CREATE CATALOG ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${this.ident(s.name)} WITH ${this.options(s.options, indent)}`;
      case 'Drop': {
        const tmp = s.temporary ? (s.system ? 'TEMPORARY SYSTEM ' : 'TEMPORARY ') : '';
        return `DROP ${tmp}${s.objectType} ${s.ifExists ? 'IF EXISTS ' : ''}${this.name(s.name)}`;
      }
      case 'Set':
        return s.key && s.value ? `SET ${this.stringValue(s.key)} = ${this.stringValue(s.value)}` : 'SET';
      case 'Reset':
        return s.key ? `RESET ${this.stringValue(s.key)}` : 'RESET';
      case 'Insert': return this.insert(s, indent);
      case 'QueryStatement': return this.query(s.query, indent);
      case 'Explain': {
        let out = 'EXPLAIN ';
        if (s.planFor) out += 'PLAN FOR ';
        else if (s.details.length) out += s.details.join(', ') + ' ';
        if (s.statement.kind === 'StatementSet') {
          return out + 'STATEMENT SET\n' + this.statementSetBody(s.statement.inserts, indent);
        }
        return out + this.statement(s.statement, indent);
      }
      case 'StatementSet':
        if (s.syntax === 'BEGIN') {
          return `BEGIN STATEMENT SET;\n${s.inserts.map((i) => indent + this.insert(i, indent) + ';\n').join('')}${indent}END`;
        }
        return 'EXECUTE STATEMENT SET\n' + this.statementSetBody(s.inserts, indent);
      case 'Show':
        if (s.what === 'COLUMNS' && s.name) return `SHOW COLUMNS FROM ${this.name(s.name)}`;
        return `SHOW ${s.what}${s.name ? ' ' + this.name(s.name) : ''}`;
      case 'Describe':
        return `DESCRIBE ${s.extended ? 'EXTENDED ' : ''}${this.name(s.name)}`;
      case 'Use':
        return `USE ${s.catalog ? 'CATALOG ' : ''}${this.name(s.name)}`;
      default: {
        const never: never = s;
        throw new Error(`unhandled statement ${(never as Statement).kind}`);
      }
    }
  }

  protected statementSetBody(inserts: readonly Insert[], indent: string): string {
    const inner = indent + this.indentUnit;
    return `${indent}BEGIN\n${inserts.map((i) => inner + this.insert(i, inner) + ';\n').join('')}${indent}END`;
  }

  insert(s: Insert, indent = ''): string {
    let out = `INSERT ${s.overwrite ? 'OVERWRITE' : 'INTO'} ${this.name(s.target)}`;
    if (s.hints.length) out += ' ' + this.hints(s.hints);
    if (s.partition.length) {
      out += ` PARTITION (${s.partition.map((p) => `${this.ident(p.column)} = ${this.expr(p.value)}`).join(', ')})`;
    }
    if (s.columns) out += ' ' + this.identList(s.columns);
    return `${out}\n${indent}${this.query(s.query, indent)}`;
  }

  createTable(s: CreateTable, indent = ''): string {
    const inner = indent + this.indentUnit;
    let out = `CREATE ${s.temporary ? 'TEMPORARY ' : ''}TABLE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${this.name(s.name)}`;
    const pk = s.primaryKey;
    const inlinePkColumn = pk?.inline ? pk.columns[0]?.text : undefined;
    let inlineDone = false;
    const elems: string[] = [];
    for (const c of s.columns) {
      let text = this.columnDef(c);
      if (pk && inlinePkColumn !== undefined && !inlineDone && c.name.text === inlinePkColumn && c.kind !== 'ComputedColumn') {
        inlineDone = true;
        const pkText = `${pk.constraintName ? `CONSTRAINT ${this.ident(pk.constraintName)} ` : ''}PRIMARY KEY${pk.enforced ? '' : ' NOT ENFORCED'}`;
        text = c.comment ? text.replace(/ COMMENT '(?:[^']|'')*'$/, '') + ` ${pkText} COMMENT ${this.stringValue(c.comment)}` : `${text} ${pkText}`;
      }
      elems.push(text);
    }
    if (s.watermark) elems.push(`WATERMARK FOR ${this.name(s.watermark.column)} AS ${this.expr(s.watermark.expr)}`);
    if (pk && !inlineDone) {
      elems.push(`${pk.constraintName ? `CONSTRAINT ${this.ident(pk.constraintName)} ` : ''}PRIMARY KEY ${this.identList(pk.columns)}${pk.enforced ? '' : ' NOT ENFORCED'}`);
    }
    if (elems.length) out += ` (\n${elems.map((e) => inner + e).join(',\n')}\n${indent})`;
    if (s.comment) out += ` COMMENT ${this.stringValue(s.comment)}`;
    if (s.partitionedBy.length) out += ` PARTITIONED BY ${this.identList(s.partitionedBy)}`;
    if (s.options.length) out += ` WITH ${this.options(s.options, indent)}`;
    if (s.like) {
      out += ` LIKE ${this.name(s.like.name)}`;
      if (s.like.options.length) out += ` (${s.like.options.map((o) => `${o.strategy} ${o.feature}`).join(' ')})`;
    }
    if (s.asQuery) out += ` AS\n${indent}${this.query(s.asQuery, indent)}`;
    return out;
  }

  columnDef(c: ColumnDef): string {
    let out: string;
    switch (c.kind) {
      case 'PhysicalColumn':
        out = `${this.ident(c.name)} ${this.type(c.type)}`;
        break;
      case 'ComputedColumn':
        out = `${this.ident(c.name)} AS ${this.expr(c.expr)}`;
        break;
      case 'MetadataColumn':
        out = `${this.ident(c.name)} ${this.type(c.type)} METADATA`;
        if (c.from) out += ` FROM ${this.stringValue(c.from)}`;
        if (c.virtual) out += ' VIRTUAL';
        break;
    }
    if (c.comment) out += ` COMMENT ${this.stringValue(c.comment)}`;
    return out;
  }

  options(opts: readonly TableOption[], indent = ''): string {
    if (opts.length === 0) return '()';
    const inner = indent + this.indentUnit;
    return `(\n${opts.map((o) => `${inner}${this.stringValue(o.key)} = ${this.stringValue(o.value)}`).join(',\n')}\n${indent})`;
  }

  // ---- queries ---------------------------------------------------------------------------------------------

  /** A query; top-level clauses start new lines indented by `indent`. */
  query(q: QueryExpr, indent = ''): string {
    switch (q.kind) {
      case 'Select': return this.select(q, indent);
      case 'Values':
        return 'VALUES ' + q.rows.map((r) => '(' + r.map((e) => this.expr(e)).join(', ') + ')').join(', ');
      case 'SetOperation': {
        const prec = q.op === 'INTERSECT' ? 2 : 1;
        const l = this.setOperand(q.left, prec, indent);
        const r = this.setOperand(q.right, prec + 1, indent);
        return `${l}\n${indent}${q.op}${q.all ? ' ALL' : ''}\n${indent}${r}`;
      }
      case 'Query': return this.queryWithClauses(q, indent);
      default: {
        const never: never = q;
        throw new Error(`unhandled query ${(never as QueryExpr).kind}`);
      }
    }
  }

  protected setOperand(q: QueryExpr, minPrec: number, indent: string): string {
    const prec = q.kind === 'SetOperation' ? (q.op === 'INTERSECT' ? 2 : 1) : 3;
    if (q.kind === 'Query' || prec < minPrec) return this.parenQuery(q, indent);
    return this.query(q, indent);
  }

  /** `(\n  query\n)` at the given indentation. */
  parenQuery(q: QueryExpr, indent: string): string {
    const inner = indent + this.indentUnit;
    return `(\n${inner}${this.query(q, inner)}\n${indent})`;
  }

  protected queryWithClauses(q: Query, indent: string): string {
    const parts: string[] = [];
    if (q.with) {
      parts.push('WITH ' + q.with.ctes.map((c) =>
        `${this.ident(c.name)}${c.columns ? ' ' + this.identList(c.columns) : ''} AS ${this.parenQuery(c.query, indent)}`).join(`,\n${indent}`));
    }
    parts.push(q.body.kind === 'Query' ? this.parenQuery(q.body, indent) : this.query(q.body, indent));
    if (q.orderBy.length) parts.push('ORDER BY ' + this.orderItems(q.orderBy));
    if (q.limit) parts.push('LIMIT ' + this.expr(q.limit));
    if (q.offset) parts.push('OFFSET ' + this.expr(q.offset) + ' ROWS');
    if (q.fetch) parts.push('FETCH FIRST ' + this.expr(q.fetch) + ' ROWS ONLY');
    return parts.join('\n' + indent);
  }

  select(s: Select, indent = ''): string {
    const parts: string[] = [];
    let head = 'SELECT ';
    if (s.hints.length) head += this.hints(s.hints) + ' ';
    if (s.distinct) head += 'DISTINCT ';
    parts.push(head + s.items.map((i) => this.selectItem(i, indent)).join(', '));
    if (s.from) parts.push('FROM ' + this.relation(s.from, indent));
    if (s.where) parts.push('WHERE ' + this.expr(s.where, 0, indent));
    if (s.groupBy.length) parts.push('GROUP BY ' + s.groupBy.map((g) => this.groupingElement(g)).join(', '));
    if (s.having) parts.push('HAVING ' + this.expr(s.having, 0, indent));
    if (s.windows.length) {
      parts.push('WINDOW ' + s.windows.map((w) => `${this.ident(w.name)} AS ${this.windowSpec(w.spec)}`).join(', '));
    }
    return parts.join('\n' + indent);
  }

  selectItem(i: SelectItem, indent = ''): string {
    if (i.kind === 'SelectStar') return i.qualifier ? `${this.name(i.qualifier)}.*` : '*';
    const e = this.expr(i.expr, 0, indent);
    return i.alias ? `${e} AS ${this.ident(i.alias)}` : e;
  }

  groupingElement(g: GroupingElement): string {
    switch (g.kind) {
      case 'GroupingSets': return `GROUPING SETS (${g.sets.map((x) => this.groupingElement(x)).join(', ')})`;
      case 'Rollup': return `ROLLUP(${g.items.map((x) => this.expr(x)).join(', ')})`;
      case 'Cube': return `CUBE(${g.items.map((x) => this.expr(x)).join(', ')})`;
      case 'EmptyGrouping': return '()';
      default: return this.expr(g);
    }
  }

  orderItem(o: OrderItem): string {
    let out = this.expr(o.expr);
    if (o.direction) out += ' ' + o.direction;
    if (o.nulls) out += ' NULLS ' + o.nulls;
    return out;
  }

  orderItems(items: readonly OrderItem[]): string {
    return items.map((o) => this.orderItem(o)).join(', ');
  }

  // ---- relations -------------------------------------------------------------------------------------------

  relation(r: Relation, indent = ''): string {
    switch (r.kind) {
      case 'TableRef': {
        let out = this.name(r.name);
        if (r.hints.length) out += ' ' + this.hints(r.hints);
        if (r.forSystemTime) out += ' FOR SYSTEM_TIME AS OF ' + this.expr(r.forSystemTime);
        return out + this.alias(r.alias);
      }
      case 'DerivedTable':
        return (r.lateral ? 'LATERAL ' : '') + this.parenQuery(r.query, indent) + this.alias(r.alias);
      case 'TableFunction':
        return `${r.lateral ? 'LATERAL ' : ''}TABLE(${this.expr(r.call)})${this.alias(r.alias)}`;
      case 'Unnest':
        return `UNNEST(${r.args.map((a) => this.expr(a)).join(', ')})${r.withOrdinality ? ' WITH ORDINALITY' : ''}${this.alias(r.alias)}`;
      case 'Join': {
        const leftNeedsParens = r.left.kind === 'Join' && r.left.joinType === 'COMMA' && r.joinType !== 'COMMA';
        const l = leftNeedsParens ? `(${this.relation(r.left, indent)})` : this.relation(r.left, indent);
        const rightNeedsParens = r.right.kind === 'Join' && (r.joinType !== 'COMMA' || r.right.joinType === 'COMMA');
        const rt = rightNeedsParens ? `(${this.relation(r.right, indent)})` : this.relation(r.right, indent);
        if (r.joinType === 'COMMA') return `${l},\n${indent}${this.indentUnit}${rt}`;
        const kw = (r.natural ? 'NATURAL ' : '') + (r.joinType === 'INNER' ? 'JOIN' : `${r.joinType} JOIN`);
        let out = `${l}\n${indent}${kw} ${rt}`;
        if (r.on) out += ' ON ' + this.expr(r.on, 0, indent);
        if (r.using) out += ' USING ' + this.identList(r.using);
        return out;
      }
      default: {
        const never: never = r;
        throw new Error(`unhandled relation ${(never as Relation).kind}`);
      }
    }
  }

  alias(a: Alias | undefined): string {
    if (!a) return '';
    return ` AS ${this.ident(a.name)}${a.columns ? ' ' + this.identList(a.columns) : ''}`;
  }

  // ---- expressions -----------------------------------------------------------------------------------------

  /** Prints `e`, parenthesised if its precedence is below `minPrec`. */
  expr(e: Expr, minPrec = 0, indent = ''): string {
    const s = this.exprInner(e, indent);
    return exprPrecedence(e) < minPrec ? `(${s})` : s;
  }

  protected exprInner(e: Expr, indent: string): string {
    switch (e.kind) {
      case 'NumericLiteral': return e.text;
      case 'StringLiteral': return this.string(e.value);
      case 'BinaryLiteral': return `X'${e.hex}'`;
      case 'BooleanLiteral': return e.value === null ? 'UNKNOWN' : e.value ? 'TRUE' : 'FALSE';
      case 'NullLiteral': return 'NULL';
      case 'TypedLiteral': return `${e.type} ${this.string(e.value)}`;
      case 'IntervalLiteral': return `INTERVAL ${e.sign < 0 ? '-' : ''}${this.string(e.value)} ${this.intervalQualifier(e.qualifier)}`;
      case 'ColumnRef': return e.names.map((n) => this.ident(n)).join('.');
      case 'Unary': {
        if (e.op === 'NOT') return `NOT ${this.expr(e.operand, BP.NOT, indent)}`;
        const inner = e.operand.kind === 'Unary' && e.operand.op !== 'NOT'
          ? `(${this.exprInner(e.operand, indent)})`
          : this.expr(e.operand, BP.UNARY, indent);
        return e.op + inner;
      }
      case 'Binary': {
        const p = BINARY_PREC[e.op]!;
        return `${this.expr(e.left, p, indent)} ${e.op} ${this.expr(e.right, p + 1, indent)}`;
      }
      case 'IsPredicate':
        return `${this.expr(e.operand, BP.IS, indent)} IS ${e.negated ? 'NOT ' : ''}${e.test}`;
      case 'IsDistinctFrom':
        return `${this.expr(e.left, BP.COMPARE, indent)} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${this.expr(e.right, BP.COMPARE + 1, indent)}`;
      case 'Between':
        return `${this.expr(e.operand, BP.BETWEEN, indent)} ${e.negated ? 'NOT ' : ''}BETWEEN ${e.symmetric ? 'SYMMETRIC ' : ''}${this.expr(e.low, BP.BETWEEN + 1, indent)} AND ${this.expr(e.high, BP.BETWEEN + 1, indent)}`;
      case 'Like': {
        let out = `${this.expr(e.operand, BP.BETWEEN, indent)} ${e.negated ? 'NOT ' : ''}${e.op} ${this.expr(e.pattern, BP.BETWEEN + 1, indent)}`;
        if (e.escape) out += ` ESCAPE ${this.expr(e.escape, BP.BETWEEN + 1, indent)}`;
        return out;
      }
      case 'InList':
        return `${this.expr(e.operand, BP.BETWEEN, indent)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map((x) => this.expr(x, 0, indent)).join(', ')})`;
      case 'InSubquery':
        return `${this.expr(e.operand, BP.BETWEEN, indent)} ${e.negated ? 'NOT ' : ''}IN ${this.parenQuery(e.query, indent)}`;
      case 'QuantifiedComparison':
        return `${this.expr(e.left, BP.COMPARE, indent)} ${e.op} ${e.quantifier} ${this.parenQuery(e.query, indent)}`;
      case 'Exists': return `EXISTS ${this.parenQuery(e.query, indent)}`;
      case 'ScalarSubquery': return this.parenQuery(e.query, indent);
      case 'FunctionCall': return this.functionCall(e, indent);
      case 'NamedArg': return `${this.ident(e.name)} => ${this.expr(e.value, 0, indent)}`;
      case 'TableArg': {
        let out = `TABLE ${this.name(e.name)}`;
        if (e.partitionBy.length === 1) out += ` PARTITION BY ${this.expr(e.partitionBy[0]!, BP.POSTFIX, indent)}`;
        else if (e.partitionBy.length > 1) out += ` PARTITION BY (${e.partitionBy.map((x) => this.expr(x, 0, indent)).join(', ')})`;
        if (e.orderBy.length === 1) out += ` ORDER BY ${this.orderItem(e.orderBy[0]!)}`;
        else if (e.orderBy.length > 1) out += ` ORDER BY (${this.orderItems(e.orderBy)})`;
        return out;
      }
      case 'Descriptor': return `DESCRIPTOR${this.identList(e.columns)}`;
      case 'Cast': return `${e.try ? 'TRY_CAST' : 'CAST'}(${this.expr(e.operand, 0, indent)} AS ${this.type(e.type)})`;
      case 'Case': {
        let out = 'CASE';
        if (e.operand) out += ' ' + this.expr(e.operand, 0, indent);
        for (const w of e.whens) out += ` WHEN ${this.expr(w.when, 0, indent)} THEN ${this.expr(w.then, 0, indent)}`;
        if (e.else) out += ` ELSE ${this.expr(e.else, 0, indent)}`;
        return out + ' END';
      }
      case 'Extract': return `EXTRACT(${e.unit} FROM ${this.expr(e.operand, 0, indent)})`;
      case 'FloorCeil': return `${e.fn}(${this.expr(e.operand, 0, indent)} TO ${e.unit})`;
      case 'Trim': {
        if (!e.side && !e.chars) return `TRIM(${this.expr(e.operand, 0, indent)})`;
        const side = e.side ? e.side + ' ' : '';
        const chars = e.chars ? this.expr(e.chars, 0, indent) + ' ' : '';
        return `TRIM(${side}${chars}FROM ${this.expr(e.operand, 0, indent)})`;
      }
      case 'Substring':
        return `SUBSTRING(${this.expr(e.operand, 0, indent)} FROM ${this.expr(e.start, 0, indent)}${e.length ? ` FOR ${this.expr(e.length, 0, indent)}` : ''})`;
      case 'Position':
        return `POSITION(${this.expr(e.needle, BP.BETWEEN + 1, indent)} IN ${this.expr(e.haystack, 0, indent)}${e.from ? ` FROM ${this.expr(e.from, 0, indent)}` : ''})`;
      case 'Overlay':
        return `OVERLAY(${this.expr(e.operand, 0, indent)} PLACING ${this.expr(e.placing, 0, indent)} FROM ${this.expr(e.start, 0, indent)}${e.length ? ` FOR ${this.expr(e.length, 0, indent)}` : ''})`;
      case 'TimestampAdd':
        return `TIMESTAMPADD(${e.unit}, ${this.expr(e.count, 0, indent)}, ${this.expr(e.timestamp, 0, indent)})`;
      case 'TimestampDiff':
        return `TIMESTAMPDIFF(${e.unit}, ${this.expr(e.start, 0, indent)}, ${this.expr(e.end, 0, indent)})`;
      case 'JsonValue': {
        let out = `JSON_VALUE(${this.expr(e.operand, 0, indent)}, ${this.expr(e.path, 0, indent)}`;
        if (e.returning) out += ` RETURNING ${this.type(e.returning)}`;
        if (e.onEmpty) out += ` ${this.jsonBehavior(e.onEmpty)} ON EMPTY`;
        if (e.onError) out += ` ${this.jsonBehavior(e.onError)} ON ERROR`;
        return out + ')';
      }
      case 'JsonQuery': {
        let out = `JSON_QUERY(${this.expr(e.operand, 0, indent)}, ${this.expr(e.path, 0, indent)}`;
        if (e.returning) out += ` RETURNING ${this.type(e.returning)}`;
        if (e.wrapper !== 'WITHOUT') out += ` WITH ${e.wrapper} ARRAY WRAPPER`;
        if (e.onEmpty) out += ` ${e.onEmpty} ON EMPTY`;
        if (e.onError) out += ` ${e.onError} ON ERROR`;
        return out + ')';
      }
      case 'JsonExists':
        return `JSON_EXISTS(${this.expr(e.operand, 0, indent)}, ${this.expr(e.path, 0, indent)}${e.onError ? ` ${e.onError} ON ERROR` : ''})`;
      case 'JsonObject': {
        const entries = e.entries.map((en) => `KEY ${this.expr(en.key, 0, indent)} VALUE ${this.expr(en.value, 0, indent)}`);
        if (e.onNull) entries.push(`${e.onNull} ON NULL`);
        return `JSON_OBJECT(${joinJsonArgs(entries, e.onNull !== undefined)})`;
      }
      case 'JsonArray': {
        const items = e.items.map((x) => this.expr(x, 0, indent));
        if (e.onNull) items.push(`${e.onNull} ON NULL`);
        return `JSON_ARRAY(${joinJsonArgs(items, e.onNull !== undefined)})`;
      }
      case 'ArrayConstructor': return `ARRAY[${e.items.map((x) => this.expr(x, 0, indent)).join(', ')}]`;
      case 'MapConstructor':
        return `MAP[${e.entries.map((en) => `${this.expr(en.key, 0, indent)}, ${this.expr(en.value, 0, indent)}`).join(', ')}]`;
      case 'RowConstructor':
        return `${e.explicit || e.items.length < 2 ? 'ROW' : ''}(${e.items.map((x) => this.expr(x, 0, indent)).join(', ')})`;
      case 'Subscript': return `${this.expr(e.operand, BP.POSTFIX, indent)}[${this.expr(e.index, 0, indent)}]`;
      case 'FieldAccess': {
        // `(a).b`: without the parentheses the field would re-parse as part of the column name.
        const op = e.operand.kind === 'ColumnRef' || (e.operand.kind === 'FunctionCall' && e.operand.niladic)
          ? `(${this.exprInner(e.operand, indent)})`
          : this.expr(e.operand, BP.POSTFIX, indent);
        return `${op}.${this.ident(e.field)}`;
      }
      default: {
        const never: never = e;
        throw new Error(`unhandled expression ${(never as Expr).kind}`);
      }
    }
  }

  functionCall(e: FunctionCall, indent = ''): string {
    const name = this.functionName(e.name);
    if (e.niladic) return name;
    let args: string;
    if (e.star) args = '*';
    else args = e.args.map((a) => this.expr(a, 0, indent)).join(', ');
    const q = e.distinct ? 'DISTINCT ' : e.all ? 'ALL ' : '';
    let out = `${name}(${q}${args})`;
    if (e.withinGroup) out += ` WITHIN GROUP (ORDER BY ${this.orderItems(e.withinGroup)})`;
    if (e.filter) out += ` FILTER (WHERE ${this.expr(e.filter, 0, indent)})`;
    if (e.over) out += ` OVER ${this.windowSpec(e.over)}`;
    return out;
  }

  jsonBehavior(b: JsonBehavior): string {
    return b.behavior === 'DEFAULT' ? `DEFAULT ${this.expr(b.default!)}` : b.behavior;
  }

  windowSpec(w: WindowSpec | WindowRef): string {
    if (w.kind === 'WindowRef') return this.ident(w.name);
    const parts: string[] = [];
    if (w.base) parts.push(this.ident(w.base));
    if (w.partitionBy.length) parts.push('PARTITION BY ' + w.partitionBy.map((x) => this.expr(x)).join(', '));
    if (w.orderBy.length) parts.push('ORDER BY ' + this.orderItems(w.orderBy));
    if (w.frame) {
      const f = w.frame;
      parts.push(f.end
        ? `${f.unit} BETWEEN ${this.frameBound(f.start)} AND ${this.frameBound(f.end)}`
        : `${f.unit} ${this.frameBound(f.start)}`);
    }
    return `(${parts.join(' ')})`;
  }

  frameBound(b: FrameBound): string {
    if (b.offset) return `${this.expr(b.offset, BP.BETWEEN + 1)} ${b.bound}`;
    return b.bound;
  }

  // ---- types -----------------------------------------------------------------------------------------------

  type(t: TypeNode): string {
    let out: string;
    switch (t.kind) {
      case 'ScalarType':
        out = t.name;
        if (t.precision !== undefined) out += t.scale !== undefined ? `(${t.precision}, ${t.scale})` : `(${t.precision})`;
        if (t.withLocalTimeZone) out += ' WITH LOCAL TIME ZONE';
        break;
      case 'IntervalType': out = `INTERVAL ${this.intervalQualifier(t.qualifier)}`; break;
      case 'ArrayType': out = `ARRAY<${this.type(t.element)}>`; break;
      case 'MultisetType': out = `MULTISET<${this.type(t.element)}>`; break;
      case 'MapType': out = `MAP<${this.type(t.key)}, ${this.type(t.value)}>`; break;
      case 'RowType':
        out = `ROW<${t.fields.map((f) => `${this.ident(f.name)} ${this.type(f.type)}${f.comment ? ` COMMENT ${this.stringValue(f.comment)}` : ''}`).join(', ')}>`;
        break;
      default: {
        const never: never = t;
        throw new Error(`unhandled type ${(never as TypeNode).kind}`);
      }
    }
    if (t.nullable === false) out += ' NOT NULL';
    else if (t.nullable === true) out += ' NULL';
    return out;
  }

  intervalQualifier(q: IntervalQualifier): string {
    let out: string = q.start;
    if (q.startPrecision !== undefined) {
      out += q.end === undefined && q.fractionalPrecision !== undefined
        ? `(${q.startPrecision}, ${q.fractionalPrecision})`
        : `(${q.startPrecision})`;
    }
    if (q.end) {
      out += ` TO ${q.end}`;
      if (q.fractionalPrecision !== undefined) out += `(${q.fractionalPrecision})`;
    }
    return out;
  }
}

function joinJsonArgs(parts: string[], lastIsOnNull: boolean): string {
  if (!lastIsOnNull || parts.length < 2) return parts.join(', ');
  return parts.slice(0, -1).join(', ') + ' ' + parts[parts.length - 1];
}

const defaultPrinter = new SqlPrinter();

export const printStatement = (s: Statement): string => defaultPrinter.statement(s);
export const printScript = (ss: readonly Statement[]): string => defaultPrinter.script(ss);
export const printQuery = (q: QueryExpr): string => defaultPrinter.query(q);
export const printExpr = (e: Expr): string => defaultPrinter.expr(e);
export const printType = (t: TypeNode): string => defaultPrinter.type(t);
export const printRelation = (r: Relation): string => defaultPrinter.relation(r);
