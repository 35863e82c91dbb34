/**
 * The Flink SQL front end: lexer, parser (AST with spans), printer, expression traversal, type conversion and the
 * SQL1xx diagnostic catalog. Later layers import from here.
 */

export type * from './ast.js';
export { lex, type Token, type TokenKind, type LexResult } from './lexer.js';
export {
  parseScript, parseStatement, parseQuery, parseExpression, parseDataType, type ParseResult, type ScriptParseResult,
} from './parser.js';
export {
  SqlPrinter, printStatement, printScript, printQuery, printExpr, printType, printRelation, exprPrecedence,
} from './printer.js';
export { exprChildren, exprSubqueries, walkExpr, someExpr, windowSpecExprs } from './visitor.js';
export { typeNodeToSqlType, type TypeConversion } from './type-node-to-sql-type.js';
export { SQL_ERROR_CODES, sqlDiag, fillTemplate, type SqlErrorCode, type SqlErrorEntry } from './sql-error-codes.js';
export { RESERVED, QUOTE_KEYWORDS } from './keywords.js';
