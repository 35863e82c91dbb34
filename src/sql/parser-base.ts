/**
 * Token cursor shared by the parser layers (types → expressions → queries → statements): lookahead, keyword and
 * operator matching, identifiers and names, spans and error reporting.
 *
 * Fatal syntax errors are thrown as ParseFailure (an internal control-flow object carrying a Diagnostic); the
 * statement loop catches it, records the diagnostic and resynchronises at the next ';'. Non-fatal problems (the
 * statement still has a meaningful tree) are pushed to `diagnostics` directly.
 */

import { suggest, type Diagnostic, type Span } from '../common/diagnostics.js';
import type { Ident, ObjectName, StringValue } from './ast.js';
import { CLAUSE_KEYWORDS, RESERVED } from './keywords.js';
import type { Token } from './lexer.js';
import { sqlDiag, type SqlErrorCode } from './sql-error-codes.js';

/** Thrown to abandon the current statement; never escapes the public parse functions. */
export class ParseFailure {
  constructor(readonly diagnostic: Diagnostic) {}
}

export class ParserBase {
  protected pos = 0;
  /** End offset of the last consumed token (spans end here). */
  protected prevEnd = 0;
  /** Non-fatal diagnostics found so far. */
  readonly diagnostics: Diagnostic[] = [];
  /** The last alias taken without AS; a misspelled keyword often ends up here (`SELECT a FORM t`). */
  protected lastImplicitAlias: Ident | undefined;

  constructor(
    protected readonly text: string,
    protected readonly tokens: readonly Token[],
  ) {}

  // ---- cursor ----------------------------------------------------------------------------------------------

  protected get tok(): Token {
    return this.tokens[this.pos]!;
  }

  protected peek(k = 1): Token {
    const i = this.pos + k;
    return this.tokens[i < this.tokens.length ? i : this.tokens.length - 1]!;
  }

  protected advance(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    this.prevEnd = t.end;
    return t;
  }

  protected atEof(): boolean {
    return this.tok.kind === 'eof';
  }

  protected isKw(kw: string, t: Token = this.tok): boolean {
    return t.kind === 'word' && t.value === kw;
  }

  protected isKwAt(k: number, kw: string): boolean {
    return this.isKw(kw, this.peek(k));
  }

  protected acceptKw(kw: string): boolean {
    if (this.isKw(kw)) {
      this.advance();
      return true;
    }
    return false;
  }

  /** Accepts a sequence of keywords only if all of them are next. */
  protected acceptKws(...kws: string[]): boolean {
    for (let k = 0; k < kws.length; k++) if (!this.isKw(kws[k]!, this.peek(k))) return false;
    for (let k = 0; k < kws.length; k++) this.advance();
    return true;
  }

  protected expectKw(kw: string): Token {
    if (this.isKw(kw)) return this.advance();
    const t = this.tok;
    const hint = t.kind === 'word' && suggest(t.text, [kw]) ? `did you mean ${kw}?` : undefined;
    return this.failExpected(`'${kw}'`, hint);
  }

  protected isOp(op: string, t: Token = this.tok): boolean {
    return t.kind === 'op' && t.value === op;
  }

  protected acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.advance();
      return true;
    }
    return false;
  }

  protected expectOp(op: string): Token {
    if (this.isOp(op)) return this.advance();
    return this.failExpected(`'${op}'`);
  }

  // ---- spans -----------------------------------------------------------------------------------------------

  protected tokSpan(t: Token): Span {
    return { start: t.start, end: t.end, line: t.line, column: t.column };
  }

  /** From the start of `from` (a token or a span) to the end of the last consumed token. */
  protected spanFrom(from: Token | Span): Span {
    return { start: from.start, end: Math.max(this.prevEnd, from.start), line: from.line, column: from.column };
  }

  // ---- errors ----------------------------------------------------------------------------------------------

  /** Human description of a token for messages: `'FROM'`, `string 'abc'`, `end of input`. */
  protected describe(t: Token): string {
    switch (t.kind) {
      case 'eof': return 'end of input';
      case 'string': return `string '${abbreviate(t.value)}'`;
      case 'binary': return `binary literal ${abbreviate(t.text)}`;
      case 'quoted': return `\`${abbreviate(t.value)}\``;
      case 'hintStart': return "hint '/*+'";
      case 'hintEnd': return "'*/'";
      default: return `'${abbreviate(t.text)}'`;
    }
  }

  protected fail(code: SqlErrorCode, params: Record<string, string | number>, span: Span, hint?: string): never {
    throw new ParseFailure(sqlDiag(code, params, span, hint));
  }

  /** `expected {what} but found {current token}`; a hint where a hint is not allowed gets its own error. */
  protected failExpected(what: string, hint?: string): never {
    const t = this.tok;
    if (t.kind === 'hintStart') this.fail('SQL116', {}, this.tokSpan(t));
    this.fail('SQL101', { expected: what, found: this.describe(t) }, this.tokSpan(t), hint ?? this.aliasHint(t));
  }

  /** Records a non-fatal diagnostic. */
  protected report(code: SqlErrorCode, params: Record<string, string | number>, span: Span, hint?: string): void {
    this.diagnostics.push(sqlDiag(code, params, span, hint));
  }

  /**
   * When the token before `t` was taken as an implicit alias and looks like a misspelled clause keyword, the
   * real mistake is that word: hint at it.
   */
  protected aliasHint(t: Token): string | undefined {
    const a = this.lastImplicitAlias;
    if (!a || a.quoted || a.span.end > t.start) return undefined;
    // only if nothing but whitespace/comments separates the alias from the offending token
    const prev = this.tokens[this.pos - 1];
    if (!prev || prev.end !== a.span.end) return undefined;
    if (a.text.length < 4) return undefined; // short aliases are near every keyword
    const s = suggest(a.text, CLAUSE_KEYWORDS);
    return s ? `'${a.text}' was read as an alias; did you mean ${s}?` : undefined;
  }

  // ---- identifiers -----------------------------------------------------------------------------------------

  /** True if the current token can be an unquoted-or-quoted name (not a reserved word). */
  protected atIdent(t: Token = this.tok): boolean {
    return t.kind === 'quoted' || (t.kind === 'word' && !RESERVED.has(t.value));
  }

  protected identFrom(t: Token): Ident {
    return { kind: 'Ident', text: t.kind === 'quoted' ? t.value : t.text, quoted: t.kind === 'quoted', span: this.tokSpan(t) };
  }

  /** A name; `what` appears in messages ("a column name"). */
  protected parseIdent(what = 'an identifier'): Ident {
    const t = this.tok;
    if (this.atIdent(t)) return this.identFrom(this.advance());
    if (t.kind === 'word') this.fail('SQL125', { word: t.text, what }, this.tokSpan(t));
    return this.failExpected(what);
  }

  /** After a dot any word is a name part (`app_events.order`). */
  protected parseIdentAfterDot(): Ident {
    const t = this.tok;
    if (t.kind === 'word' || t.kind === 'quoted') return this.identFrom(this.advance());
    return this.failExpected('a name after \'.\'');
  }

  protected parseObjectName(what = 'a name'): ObjectName {
    const start = this.tok;
    const parts = [this.parseIdent(what)];
    while (this.isOp('.') && (this.peek().kind === 'word' || this.peek().kind === 'quoted')) {
      this.advance();
      parts.push(this.parseIdentAfterDot());
    }
    return { kind: 'ObjectName', parts, span: this.spanFrom(start) };
  }

  /** `(a, b, c)` list of simple names. */
  protected parseIdentList(what = 'a column name'): Ident[] {
    this.expectOp('(');
    const out: Ident[] = [];
    do out.push(this.parseIdent(what));
    while (this.acceptOp(','));
    this.expectOp(')');
    return out;
  }

  /** A string literal (adjacent literals concatenated) with its span. */
  protected parseStringValue(what = 'a string literal'): StringValue {
    const t = this.tok;
    if (t.kind !== 'string') return this.failExpected(what);
    let value = this.advance().value;
    while (this.tok.kind === 'string') value += this.advance().value;
    return { kind: 'StringValue', value, span: this.spanFrom(t) };
  }

  /** Unsigned integer literal (type lengths, precisions). */
  protected parseUnsignedInt(what = 'an integer'): number {
    const t = this.tok;
    if (t.kind !== 'number' || t.numberKind !== 'integer') return this.failExpected(what);
    this.advance();
    return Number(t.value);
  }
}

function abbreviate(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}
