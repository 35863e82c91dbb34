/**
 * The catalog of diagnostics produced by the SQL front end (lexer, parser, type conversion). Codes are stable:
 * tests, docs and the editor refer to them. Each entry has a message template with `{name}` placeholders and a
 * default hint; `sqlDiag` fills the template and builds the Diagnostic.
 */

import { diag, type Diagnostic, type Span, type Severity } from '../common/diagnostics.js';

export interface SqlErrorEntry {
  /** Short name of the error class, for docs. */
  readonly title: string;
  /** Message template; `{x}` is replaced by params.x. */
  readonly message: string;
  /** Default hint; an empty string means no hint unless the caller gives one. */
  readonly hint: string;
}

export const SQL_ERROR_CODES = {
  SQL101: {
    title: 'unexpected token',
    message: 'expected {expected} but found {found}',
    hint: '',
  },
  SQL102: {
    title: 'unterminated string literal',
    message: 'string literal is not terminated',
    hint: "close it with a single quote; write '' for a quote inside the string",
  },
  SQL103: {
    title: 'unterminated comment',
    message: '{what} is not terminated',
    hint: "close it with '*/'",
  },
  SQL104: {
    title: 'invalid number',
    message: "invalid numeric literal '{text}'",
    hint: 'numbers look like 42, 1.5, .5 or 1.5E-3',
  },
  SQL105: {
    title: 'unterminated quoted identifier',
    message: 'quoted identifier is not terminated',
    hint: 'close it with a backtick; write `` for a backtick inside the name',
  },
  SQL106: {
    title: 'unexpected character',
    message: "unexpected character '{char}'",
    hint: '',
  },
  SQL107: {
    title: 'invalid identifier',
    message: '{detail}',
    hint: 'Flink SQL quotes identifiers with backticks, e.g. `my column`; strings use single quotes',
  },
  SQL108: {
    title: 'invalid binary literal',
    message: "invalid binary literal X'{text}'",
    hint: "a binary literal has an even number of hex digits, e.g. X'0AFF'",
  },
  SQL110: {
    title: 'unknown statement',
    message: 'expected a statement but found {found}',
    hint: 'statements start with SELECT, WITH, VALUES, INSERT, CREATE, DROP, SET, RESET, EXPLAIN, EXECUTE, BEGIN, SHOW, DESCRIBE or USE',
  },
  SQL111: {
    title: 'expected an expression',
    message: 'expected an expression but found {found}',
    hint: '',
  },
  SQL112: {
    title: 'unsupported syntax',
    message: '{what} is not supported',
    hint: '',
  },
  SQL113: {
    title: 'unknown data type',
    message: 'unknown data type {found}',
    hint: '',
  },
  SQL114: {
    title: 'invalid type parameter',
    message: '{detail}',
    hint: '',
  },
  SQL115: {
    title: 'invalid interval qualifier',
    message: 'invalid interval qualifier {detail}',
    hint: 'valid ranges are YEAR TO MONTH, DAY TO HOUR|MINUTE|SECOND, HOUR TO MINUTE|SECOND, MINUTE TO SECOND',
  },
  SQL116: {
    title: 'misplaced hint',
    message: 'a hint is not allowed here',
    hint: 'query hints go right after SELECT, table hints (OPTIONS) right after a table name',
  },
  SQL117: {
    title: 'enforced primary key',
    message: 'primary keys must be declared NOT ENFORCED',
    hint: 'Flink does not check primary keys; write PRIMARY KEY (...) NOT ENFORCED',
  },
  SQL118: {
    title: 'duplicate clause',
    message: '{what} is declared more than once',
    hint: '',
  },
  SQL119: {
    title: 'invalid statement set',
    message: 'a statement set may only contain INSERT statements, found {found}',
    hint: '',
  },
  SQL120: {
    title: 'unsupported data type',
    message: '{detail}',
    hint: '',
  },
  SQL122: {
    title: 'invalid SET statement',
    message: '{detail}',
    hint: "write SET 'key' = 'value' with both sides quoted",
  },
  SQL123: {
    title: 'invalid MAP constructor',
    message: 'MAP[...] needs an even number of arguments (key, value pairs), found {count}',
    hint: '',
  },
  SQL125: {
    title: 'reserved keyword used as a name',
    message: "'{word}' is a reserved keyword and cannot be used as {what} without quoting",
    hint: 'quote it with backticks: `{word}`',
  },
  SQL126: {
    title: 'missing semicolon',
    message: 'expected \';\' between statements but found {found}',
    hint: 'separate statements with a semicolon',
  },
} as const satisfies Record<string, SqlErrorEntry>;

export type SqlErrorCode = keyof typeof SQL_ERROR_CODES;

/** Replaces `{name}` placeholders with params[name] (missing params stay visible as `{name}`). */
export function fillTemplate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/**
 * Builds a Diagnostic from the catalog. `hint` overrides the catalog hint (pass '' to drop it); template params
 * are also applied to the hint.
 */
export function sqlDiag(
  code: SqlErrorCode,
  params: Record<string, string | number>,
  span?: Span,
  hint?: string,
  severity: Severity = 'error',
): Diagnostic {
  const e: SqlErrorEntry = SQL_ERROR_CODES[code];
  const h = hint ?? e.hint;
  return diag(code, fillTemplate(e.message, params), span, h ? fillTemplate(h, params) : undefined, severity);
}
