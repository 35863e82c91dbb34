/**
 * Statement parsing (DDL, SET/RESET, INSERT, EXPLAIN, statement sets, SHOW/DESCRIBE/USE) and the script loop with
 * error recovery: a syntax error abandons the statement, is recorded, and parsing resumes after the next ';' (inside
 * a statement set, after the next ';' of the failing INSERT), so one pass reports every broken statement.
 */

import { suggest, type Diagnostic } from '../common/diagnostics.js';
import type {
  ColumnDef, CreateTable, CreateView, ExplainDetail, Ident, Insert, LikeClause, LikeFeature, LikeStrategy,
  PrimaryKey, Statement, StatementSet, StringValue, TableOption, Watermark, ObjectName, DropObjectType, Expr,
  CreateFunction, CreateDatabase,
} from './ast.js';
import type { Token } from './lexer.js';
import { STATEMENT_KEYWORDS } from './keywords.js';
import { ParseFailure } from './parser-base.js';
import { QueryParser } from './query-parser.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const EXPLAIN_DETAILS: ReadonlySet<string> = new Set(['ESTIMATED_COST', 'CHANGELOG_MODE', 'JSON_EXECUTION_PLAN', 'PLAN_ADVICE']);
const LIKE_FEATURES: ReadonlySet<string> = new Set(['ALL', 'CONSTRAINTS', 'GENERATED', 'METADATA', 'OPTIONS', 'PARTITIONS', 'WATERMARKS']);

export interface ScriptParseResult {
  readonly statements: Statement[];
  readonly diagnostics: Diagnostic[];
}

export class StatementParser extends QueryParser {
  /** Diagnostics of the lexer; a parse error inside a statement that already has one is not reported twice. */
  lexDiagnostics: readonly Diagnostic[] = [];

  // ---- script ----------------------------------------------------------------------------------------------

  parseScript(): ScriptParseResult {
    const statements: Statement[] = [];
    for (;;) {
      while (this.acceptOp(';'));
      if (this.atEof()) break;
      const start = this.tok;
      try {
        if (this.isKw('BEGIN') && this.isKwAt(1, 'STATEMENT') && this.isKwAt(2, 'SET')) {
          statements.push(this.parseBeginStatementSet());
        } else {
          const stmt = this.parseStatement();
          this.expectStatementEnd();
          statements.push(stmt);
        }
      } catch (e) {
        if (!(e instanceof ParseFailure)) throw e;
        this.recordFailure(e, start);
        this.skipPastSemicolon();
      }
    }
    return { statements, diagnostics: this.diagnostics };
  }

  /** Records a statement's fatal error unless the lexer already reported a problem between `start` and it. */
  /** For single-item parses: only an optional ';' may follow. */
  finish(): void {
    this.acceptOp(';');
    if (!this.atEof()) this.failExpected('end of input');
  }

  private recordFailure(f: ParseFailure, start: Token): void {
    const at = f.diagnostic.span?.end ?? this.tok.end;
    const lexed = this.lexDiagnostics.some((d) => d.span !== undefined && d.span.start >= start.start && d.span.start <= at);
    if (!lexed) this.diagnostics.push(f.diagnostic);
  }

  private skipPastSemicolon(): void {
    while (!this.atEof() && !this.isOp(';')) this.advance();
    this.acceptOp(';');
  }

  /** After a statement: ';' or end of input. */
  protected expectStatementEnd(): void {
    const t = this.tok;
    if (t.kind === 'eof' || this.isOp(';', t)) return;
    if (t.kind === 'word' && STATEMENT_KEYWORDS.includes(t.value) && t.value !== 'SET') {
      this.fail('SQL126', { found: this.describe(t) }, this.tokSpan(t));
    }
    this.failExpected("';' or end of input");
  }

  /** `BEGIN STATEMENT SET; INSERT ...; ...; END` (SQL client form). */
  private parseBeginStatementSet(): StatementSet {
    const start = this.tok;
    this.advance();
    this.advance();
    this.advance();
    this.expectOp(';');
    const inserts: Insert[] = [];
    for (;;) {
      while (this.acceptOp(';'));
      if (this.isKw('END')) {
        this.advance();
        break;
      }
      if (this.atEof()) this.failExpected("'END' closing BEGIN STATEMENT SET");
      const s = this.tok;
      try {
        const stmt = this.parseStatement();
        this.expectStatementEnd();
        if (stmt.kind === 'Insert') inserts.push(stmt);
        else this.report('SQL119', { found: stmt.kind }, stmt.span);
      } catch (e) {
        if (!(e instanceof ParseFailure)) throw e;
        this.recordFailure(e, s);
        this.skipPastSemicolon();
      }
    }
    const span = this.spanFrom(start);
    this.expectStatementEnd();
    return { kind: 'StatementSet', syntax: 'BEGIN', inserts, span };
  }

  // ---- statements ------------------------------------------------------------------------------------------

  parseStatement(): Statement {
    const t = this.tok;
    if (this.isOp('(', t)) return this.parseQueryStatement();
    if (t.kind !== 'word') return this.fail('SQL110', { found: this.describe(t) }, this.tokSpan(t), '');
    switch (t.value) {
      case 'SELECT':
      case 'WITH':
      case 'VALUES':
        return this.parseQueryStatement();
      case 'CREATE':
        return this.parseCreate();
      case 'DROP':
        return this.parseDrop();
      case 'SET':
        return this.parseSet();
      case 'RESET': {
        this.advance();
        if (this.tok.kind === 'string') return { kind: 'Reset', key: this.parseStringValue(), span: this.spanFrom(t) };
        if (this.tok.kind === 'word') this.fail('SQL122', { detail: 'the key of RESET must be a quoted string' }, this.tokSpan(this.tok), "write RESET 'key'");
        return { kind: 'Reset', span: this.spanFrom(t) };
      }
      case 'INSERT':
        return this.parseInsert();
      case 'EXPLAIN':
        return this.parseExplain();
      case 'EXECUTE': {
        this.advance();
        if (this.isKw('INSERT')) return this.parseInsert();
        this.expectKw('STATEMENT');
        this.expectKw('SET');
        return this.parseStatementSetBlock(t, 'EXECUTE');
      }
      case 'BEGIN':
        this.advance();
        this.expectKw('STATEMENT');
        this.expectKw('SET');
        return this.fail('SQL112', { what: 'BEGIN STATEMENT SET outside a script' }, this.spanFrom(t),
          'use EXECUTE STATEMENT SET BEGIN ... END');
      case 'SHOW':
        return this.parseShow();
      case 'DESCRIBE':
      case 'DESC': {
        this.advance();
        const extended = this.acceptKw('EXTENDED');
        const name = this.parseObjectName('a table name');
        return { kind: 'Describe', extended, name, span: this.spanFrom(t) };
      }
      case 'USE': {
        this.advance();
        const catalog = this.acceptKw('CATALOG');
        if (this.isKw('MODULES')) this.fail('SQL112', { what: 'USE MODULES' }, this.tokSpan(this.tok));
        const name = this.parseObjectName(catalog ? 'a catalog name' : 'a database name');
        return { kind: 'Use', catalog, name, span: this.spanFrom(t) };
      }
      case 'ALTER':
      case 'ANALYZE':
      case 'LOAD':
      case 'UNLOAD':
      case 'ADD':
      case 'REMOVE':
      case 'UPDATE':
      case 'DELETE':
      case 'TRUNCATE':
      case 'CALL':
        return this.fail('SQL112', { what: `${t.value} statements` }, this.tokSpan(t), '');
      default: {
        const s = suggest(t.text, STATEMENT_KEYWORDS);
        return this.fail('SQL110', { found: this.describe(t) }, this.tokSpan(t), s ? `did you mean ${s}?` : undefined);
      }
    }
  }

  private parseQueryStatement(): Statement {
    const start = this.tok;
    const query = this.parseQueryExpr();
    return { kind: 'QueryStatement', query, span: this.spanFrom(start) };
  }

  /** At BEGIN (after [EXECUTE] STATEMENT SET): `BEGIN insert; ... END`. */
  private parseStatementSetBlock(start: Token, syntax: 'EXECUTE' | 'BEGIN'): StatementSet {
    this.expectKw('BEGIN');
    const inserts: Insert[] = [];
    for (;;) {
      while (this.acceptOp(';'));
      if (this.acceptKw('END')) break;
      if (this.atEof()) this.failExpected("'END' closing the statement set");
      const s = this.tok;
      try {
        if (!this.isKw('INSERT')) this.fail('SQL119', { found: this.describe(s) }, this.tokSpan(s));
        inserts.push(this.parseInsert());
        if (!this.isKw('END')) this.expectOp(';');
      } catch (e) {
        if (!(e instanceof ParseFailure)) throw e;
        this.recordFailure(e, s);
        this.skipPastSemicolon();
      }
    }
    return { kind: 'StatementSet', syntax, inserts, span: this.spanFrom(start) };
  }

  private parseExplain(): Statement {
    const start = this.advance(); // EXPLAIN
    const details: ExplainDetail[] = [];
    let planFor = false;
    if (this.isKw('PLAN') && this.isKwAt(1, 'FOR')) {
      this.advance();
      this.advance();
      planFor = true;
    } else {
      const parens = this.isOp('(') && this.peek().kind === 'word' && EXPLAIN_DETAILS.has(this.peek().value);
      if (parens) this.advance();
      while (this.tok.kind === 'word' && EXPLAIN_DETAILS.has(this.tok.value)) {
        details.push(this.advance().value as ExplainDetail);
        if (!this.acceptOp(',')) break;
      }
      if (parens) this.expectOp(')');
    }
    let statement: Statement;
    if (this.isKw('STATEMENT') && this.isKwAt(1, 'SET')) {
      const s = this.tok;
      this.advance();
      this.advance();
      statement = this.parseStatementSetBlock(s, 'EXECUTE');
    } else {
      const s = this.tok;
      statement = this.parseStatement();
      if (statement.kind !== 'QueryStatement' && statement.kind !== 'Insert' && statement.kind !== 'StatementSet') {
        this.fail('SQL101', { expected: 'a query, INSERT or statement set to explain', found: this.describe(s) }, this.tokSpan(s));
      }
    }
    return { kind: 'Explain', details, planFor, statement, span: this.spanFrom(start) };
  }

  private parseShow(): Statement {
    const start = this.advance(); // SHOW
    if (this.isKw('CREATE')) {
      this.advance();
      const what = this.tok;
      if (!this.isKw('TABLE') && !this.isKw('VIEW') && !this.isKw('CATALOG')) this.failExpected('TABLE, VIEW or CATALOG');
      this.advance();
      const name = this.parseObjectName();
      return { kind: 'Show', what: `CREATE ${what.value}`, name, span: this.spanFrom(start) };
    }
    if (this.isKw('COLUMNS') && (this.isKwAt(1, 'FROM') || this.isKwAt(1, 'IN'))) {
      this.advance();
      this.advance();
      const name = this.parseObjectName('a table name');
      return { kind: 'Show', what: 'COLUMNS', name, span: this.spanFrom(start) };
    }
    const words: string[] = [];
    while (this.tok.kind === 'word') words.push(this.advance().value);
    if (words.length === 0) this.failExpected('what to show, e.g. TABLES');
    return { kind: 'Show', what: words.join(' '), span: this.spanFrom(start) };
  }

  private parseSet(): Statement {
    const start = this.advance(); // SET
    if (this.atEof() || this.isOp(';')) return { kind: 'Set', span: this.spanFrom(start) };
    if (this.tok.kind !== 'string') {
      const t = this.tok;
      this.fail('SQL122', { detail: 'the key of SET must be a quoted string' }, this.tokSpan(t));
    }
    const key = this.parseStringValue();
    this.expectOp('=');
    if (this.tok.kind !== 'string') {
      const t = this.tok;
      if (t.kind === 'eof' || this.isOp(';', t)) this.failExpected('a quoted value');
      this.fail('SQL122', { detail: 'the value of SET must be a quoted string' }, this.tokSpan(t),
        `write SET '${key.value}' = '${t.kind === 'word' || t.kind === 'number' ? t.text : 'value'}'`);
    }
    const value = this.parseStringValue();
    return { kind: 'Set', key, value, span: this.spanFrom(start) };
  }

  private parseInsert(): Insert {
    const start = this.advance(); // INSERT
    let overwrite = false;
    if (this.acceptKw('OVERWRITE')) overwrite = true;
    else this.expectKw('INTO');
    const target = this.parseObjectName('a table name');
    const hints = this.parseHints();
    const partition: { column: Ident; value: Expr }[] = [];
    if (this.isKw('PARTITION')) {
      this.advance();
      this.expectOp('(');
      do {
        const column = this.parseIdent('a partition column');
        this.expectOp('=');
        partition.push({ column, value: this.parseExpr() });
      } while (this.acceptOp(','));
      this.expectOp(')');
    }
    const node: Mutable<Insert> = { kind: 'Insert', overwrite, target, hints, partition, query: undefined as never, span: start };
    if (this.isOp('(') && !this.isQueryStartAt(1)) node.columns = this.parseIdentList();
    if (!(this.isKw('SELECT') || this.isKw('WITH') || this.isKw('VALUES') || this.isOp('('))) {
      this.failExpected('a query (SELECT, WITH, VALUES)');
    }
    node.query = this.parseQueryExpr();
    node.span = this.spanFrom(start);
    return node;
  }

  // ---- DDL -------------------------------------------------------------------------------------------------

  private parseIfNotExists(): boolean {
    return this.acceptKws('IF', 'NOT', 'EXISTS');
  }

  private parseCreate(): Statement {
    const start = this.advance(); // CREATE
    if (this.isKw('OR') && this.isKwAt(1, 'REPLACE')) this.fail('SQL112', { what: 'CREATE OR REPLACE' }, this.spanFrom(this.tok));
    const temporary = this.acceptKw('TEMPORARY');
    const system = temporary && this.acceptKw('SYSTEM');
    const t = this.tok;
    if (this.isKw('TABLE', t) && !system) return this.parseCreateTable(start, temporary);
    if (this.isKw('VIEW', t) && !system) return this.parseCreateView(start, temporary);
    if (this.isKw('FUNCTION', t)) return this.parseCreateFunction(start, temporary, system);
    if (this.isKw('DATABASE', t) && !temporary) {
      this.advance();
      const ifNotExists = this.parseIfNotExists();
      const name = this.parseObjectName('a database name');
      const node: Mutable<CreateDatabase> = { kind: 'CreateDatabase', ifNotExists, name, options: [], span: start };
      if (this.acceptKw('COMMENT')) node.comment = this.parseStringValue();
      if (this.acceptKw('WITH')) node.options = this.parseOptions();
      node.span = this.spanFrom(start);
      return node;
    }
    if (this.isKw('CATALOG', t) && !temporary) {
      this.advance();
      const ifNotExists = this.parseIfNotExists();
      const name = this.parseIdent('a catalog name');
      this.expectKw('WITH');
      const options = this.parseOptions();
      return { kind: 'CreateCatalog', ifNotExists, name, options, span: this.spanFrom(start) };
    }
    return this.failExpected(temporary ? 'TABLE, VIEW or FUNCTION' : 'TABLE, VIEW, FUNCTION, DATABASE or CATALOG');
  }

  private parseCreateFunction(start: Token, temporary: boolean, system: boolean): Statement {
    this.advance(); // FUNCTION
    const ifNotExists = this.parseIfNotExists();
    const name = this.parseObjectName('a function name');
    this.expectKw('AS');
    const className = this.parseStringValue('the implementation class name as a string');
    const node: Mutable<CreateFunction> = { kind: 'CreateFunction', temporary, system, ifNotExists, name, className, span: start };
    if (this.acceptKw('LANGUAGE')) {
      const l = this.tok;
      if (!this.isKw('JAVA') && !this.isKw('SCALA') && !this.isKw('PYTHON')) this.failExpected('JAVA, SCALA or PYTHON');
      this.advance();
      node.language = l.value as 'JAVA';
    }
    if (this.isKw('USING')) this.fail('SQL112', { what: 'CREATE FUNCTION ... USING JAR' }, this.tokSpan(this.tok));
    node.span = this.spanFrom(start);
    return node;
  }

  private parseCreateView(start: Token, temporary: boolean): Statement {
    this.advance(); // VIEW
    const ifNotExists = this.parseIfNotExists();
    const name = this.parseObjectName('a view name');
    const node: Mutable<CreateView> = { kind: 'CreateView', temporary, ifNotExists, name, query: undefined as never, span: start };
    if (this.isOp('(')) node.columns = this.parseIdentList();
    if (this.acceptKw('COMMENT')) node.comment = this.parseStringValue();
    this.expectKw('AS');
    node.query = this.parseQueryExpr();
    node.span = this.spanFrom(start);
    return node;
  }

  private parseCreateTable(start: Token, temporary: boolean): Statement {
    this.advance(); // TABLE
    const ifNotExists = this.parseIfNotExists();
    const name = this.parseObjectName('a table name');
    const node: Mutable<CreateTable> = {
      kind: 'CreateTable', temporary, ifNotExists, name, columns: [], partitionedBy: [], options: [], span: start,
    };
    if (this.isOp('(')) this.parseTableElements(node);
    if (this.acceptKw('COMMENT')) node.comment = this.parseStringValue();
    if (this.isKw('DISTRIBUTED')) this.fail('SQL112', { what: 'DISTRIBUTED BY' }, this.tokSpan(this.tok));
    if (this.isKw('PARTITIONED')) {
      this.advance();
      this.expectKw('BY');
      node.partitionedBy = this.parseIdentList();
    }
    if (this.acceptKw('WITH')) node.options = this.parseOptions();
    if (this.isKw('LIKE')) node.like = this.parseLikeClause();
    if (this.acceptKw('AS')) {
      node.asQuery = this.parseQueryExpr();
    }
    if (node.columns.length === 0 && !node.like && !node.asQuery) {
      // Flink requires a column list unless the table is derived (LIKE / AS).
      if (!this.isOp('(')) this.report('SQL101', { expected: "a column list '('", found: this.describe(this.tok) }, name.span);
    }
    node.span = this.spanFrom(start);
    return node;
  }

  private parseTableElements(node: Mutable<CreateTable>): void {
    this.expectOp('(');
    const columns: ColumnDef[] = [];
    do {
      const t = this.tok;
      if (this.isKw('CONSTRAINT') || (this.isKw('PRIMARY') && this.isKwAt(1, 'KEY'))) {
        const pk = this.parsePrimaryKey(undefined);
        if (node.primaryKey) this.report('SQL118', { what: 'PRIMARY KEY' }, pk.span);
        else node.primaryKey = pk;
      } else if (this.isKw('WATERMARK') && this.isKwAt(1, 'FOR')) {
        const wm = this.parseWatermark();
        if (node.watermark) this.report('SQL118', { what: 'WATERMARK' }, wm.span, 'Flink supports one watermark per table');
        else node.watermark = wm;
      } else if (this.isKw('UNIQUE') || this.isKw('FOREIGN') || this.isKw('CHECK')) {
        this.fail('SQL112', { what: `${t.value} constraints` }, this.tokSpan(t), 'Flink supports only PRIMARY KEY ... NOT ENFORCED');
      } else {
        columns.push(this.parseColumnDef(node));
      }
    } while (this.acceptOp(','));
    this.expectOp(')');
    node.columns = columns;
  }

  private parseColumnDef(node: Mutable<CreateTable>): ColumnDef {
    const start = this.tok;
    const name = this.parseIdent('a column name');
    if (this.acceptKw('AS')) {
      const expr = this.parseExpr();
      let comment: StringValue | undefined;
      if (this.acceptKw('COMMENT')) comment = this.parseStringValue();
      const span = this.spanFrom(start);
      return comment ? { kind: 'ComputedColumn', name, expr, comment, span } : { kind: 'ComputedColumn', name, expr, span };
    }
    if (this.tok.kind !== 'word') this.failExpected('a data type or AS');
    const type = this.parseType();
    let metadata = false;
    let from: StringValue | undefined;
    let virtual = false;
    if (this.acceptKw('METADATA')) {
      metadata = true;
      if (this.acceptKw('FROM')) from = this.parseStringValue('a metadata key string');
      virtual = this.acceptKw('VIRTUAL');
    }
    let comment: StringValue | undefined;
    for (;;) {
      if (this.isKw('CONSTRAINT') || (this.isKw('PRIMARY') && this.isKwAt(1, 'KEY'))) {
        const pk = this.parsePrimaryKey(name);
        if (node.primaryKey) this.report('SQL118', { what: 'PRIMARY KEY' }, pk.span);
        else node.primaryKey = pk;
      } else if (!comment && this.acceptKw('COMMENT')) {
        comment = this.parseStringValue();
      } else {
        break;
      }
    }
    const span = this.spanFrom(start);
    if (metadata) {
      const m: Mutable<ColumnDef & { kind: 'MetadataColumn' }> = { kind: 'MetadataColumn', name, type, virtual, span };
      if (from) m.from = from;
      if (comment) m.comment = comment;
      return m;
    }
    return comment ? { kind: 'PhysicalColumn', name, type, comment, span } : { kind: 'PhysicalColumn', name, type, span };
  }

  /** `[CONSTRAINT n] PRIMARY KEY (cols) NOT ENFORCED`; with `inlineColumn` the column list is that column. */
  private parsePrimaryKey(inlineColumn: Ident | undefined): PrimaryKey {
    const start = this.tok;
    let constraintName: Ident | undefined;
    if (this.acceptKw('CONSTRAINT')) constraintName = this.parseIdent('a constraint name');
    this.expectKw('PRIMARY');
    this.expectKw('KEY');
    const columns = inlineColumn ? [inlineColumn] : this.parseIdentList();
    let enforced = true;
    if (this.acceptKws('NOT', 'ENFORCED')) enforced = false;
    else this.acceptKw('ENFORCED');
    const span = this.spanFrom(start);
    if (enforced) this.report('SQL117', {}, span);
    const pk: Mutable<PrimaryKey> = { kind: 'PrimaryKey', columns, inline: inlineColumn !== undefined, enforced, span };
    if (constraintName) pk.constraintName = constraintName;
    return pk;
  }

  private parseWatermark(): Watermark {
    const start = this.advance(); // WATERMARK
    this.expectKw('FOR');
    const column: ObjectName = this.parseObjectName('the rowtime column');
    this.expectKw('AS');
    const expr = this.parseExpr();
    return { kind: 'Watermark', column, expr, span: this.spanFrom(start) };
  }

  /** `('k' = 'v', ...)` after WITH. */
  protected parseOptions(): TableOption[] {
    this.expectOp('(');
    const out: TableOption[] = [];
    if (this.acceptOp(')')) return out;
    do {
      const s = this.tok;
      if (s.kind !== 'string') {
        if (s.kind === 'word' || s.kind === 'quoted') {
          this.fail('SQL101', { expected: 'an option key as a quoted string', found: this.describe(s) }, this.tokSpan(s),
            `quote option keys: '${s.kind === 'word' ? s.text : s.value}' = '...'`);
        }
        this.failExpected('an option key string');
      }
      const key = this.parseStringValue();
      this.expectOp('=');
      const v = this.tok;
      if (v.kind !== 'string') {
        if (v.kind === 'number' || v.kind === 'word') {
          this.fail('SQL101', { expected: 'an option value as a quoted string', found: this.describe(v) }, this.tokSpan(v),
            `quote option values: '${key.value}' = '${v.text}'`);
        }
        this.failExpected('an option value string');
      }
      const value = this.parseStringValue();
      out.push({ kind: 'TableOption', key, value, span: this.spanFrom(s) });
    } while (this.acceptOp(','));
    this.expectOp(')');
    return out;
  }

  private parseLikeClause(): LikeClause {
    const start = this.advance(); // LIKE
    const name = this.parseObjectName('a table name');
    const options: { strategy: LikeStrategy; feature: LikeFeature }[] = [];
    if (this.isOp('(')) {
      this.advance();
      while (!this.isOp(')')) {
        const st = this.tok;
        if (!this.isKw('INCLUDING') && !this.isKw('EXCLUDING') && !this.isKw('OVERWRITING')) {
          this.failExpected("INCLUDING, EXCLUDING, OVERWRITING or ')'");
        }
        this.advance();
        const f = this.tok;
        if (f.kind !== 'word' || !LIKE_FEATURES.has(f.value)) {
          this.failExpected('ALL, CONSTRAINTS, GENERATED, METADATA, OPTIONS, PARTITIONS or WATERMARKS');
        }
        this.advance();
        options.push({ strategy: st.value as LikeStrategy, feature: f.value as LikeFeature });
        this.acceptOp(',');
      }
      this.advance();
    }
    return { kind: 'LikeClause', name, options, span: this.spanFrom(start) };
  }

  private parseDrop(): Statement {
    const start = this.advance(); // DROP
    const temporary = this.acceptKw('TEMPORARY');
    const system = temporary && this.acceptKw('SYSTEM');
    const t = this.tok;
    const kinds: readonly DropObjectType[] = ['TABLE', 'VIEW', 'FUNCTION', 'DATABASE', 'CATALOG'];
    if (t.kind !== 'word' || !kinds.includes(t.value as DropObjectType)) {
      return this.failExpected('TABLE, VIEW, FUNCTION, DATABASE or CATALOG');
    }
    this.advance();
    const ifExists = this.acceptKws('IF', 'EXISTS');
    const name = this.parseObjectName();
    if (this.isKw('RESTRICT') || this.isKw('CASCADE')) this.advance();
    return { kind: 'Drop', objectType: t.value as DropObjectType, temporary, system, ifExists, name, span: this.spanFrom(start) };
  }
}
