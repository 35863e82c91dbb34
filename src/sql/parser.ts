/**
 * Public entry points of the Flink SQL parser. All of them return diagnostics as data and never throw for bad
 * input: `parseScript` recovers per statement, the single-item helpers return `undefined` on a fatal error.
 */

import type { Diagnostic } from '../common/diagnostics.js';
import type { Expr, QueryExpr, Statement, TypeNode } from './ast.js';
import { lex } from './lexer.js';
import { ParseFailure } from './parser-base.js';
import { StatementParser, type ScriptParseResult } from './statement-parser.js';

export type { ScriptParseResult };

export interface ParseResult<T> {
  /** Undefined when a fatal syntax error stopped the parse. */
  readonly value: T | undefined;
  readonly diagnostics: Diagnostic[];
}

/** Parses a script of statements separated by ';'. Reports every statement's syntax error. */
export function parseScript(text: string): ScriptParseResult {
  const { tokens, diagnostics: lexDiags } = lex(text);
  const p = new StatementParser(text, tokens);
  p.lexDiagnostics = lexDiags;
  const r = p.parseScript();
  return { statements: r.statements, diagnostics: sortBySpan([...lexDiags, ...r.diagnostics]) };
}

/** Parses exactly one statement (a trailing ';' is allowed). */
export function parseStatement(text: string): ParseResult<Statement> {
  return parseSingle(text, (p) => p.parseStatement());
}

export function parseQuery(text: string): ParseResult<QueryExpr> {
  return parseSingle(text, (p) => p.parseQueryExpr());
}

export function parseExpression(text: string): ParseResult<Expr> {
  return parseSingle(text, (p) => p.parseExpr());
}

export function parseDataType(text: string): ParseResult<TypeNode> {
  return parseSingle(text, (p) => p.parseType());
}

function parseSingle<T>(text: string, f: (p: StatementParser) => T): ParseResult<T> {
  const { tokens, diagnostics: lexDiags } = lex(text);
  const p = new StatementParser(text, tokens);
  p.lexDiagnostics = lexDiags;
  let value: T | undefined;
  const diags: Diagnostic[] = [...lexDiags];
  try {
    value = f(p);
    p.finish();
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    value = undefined;
    if (lexDiags.length === 0) diags.push(e.diagnostic);
  }
  diags.push(...p.diagnostics);
  return { value, diagnostics: sortBySpan(diags) };
}

function sortBySpan(ds: Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.span?.start ?? Infinity) - (b.d.span?.start ?? Infinity) || a.i - b.i)
    .map((x) => x.d);
}
