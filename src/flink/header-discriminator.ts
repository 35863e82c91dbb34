/**
 * Header discriminators of multi-type topics on Flink (`'freshet.discriminator' = 'header:<name>'`): Flink's formats
 * never see Kafka headers, but the Kafka connector exposes them as a metadata column. So a type table becomes two
 * statements: a hidden table over the whole topic with the table's columns plus
 * `__freshet_headers MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL`, and a view under the table's own name
 * that keeps the messages whose header holds the type (the UTF-8 bytes of `freshet.discriminator.value`, compared
 * as bytes, as the embedded engine compares the header text). Time attributes (a WATERMARK, PROCTIME()) are declared
 * on the hidden table and pass through the view.
 *
 * Messages of other types are decoded with the table's schema before the filter drops them, so the hidden table
 * sets `json.ignore-parse-errors` (a field that does not fit becomes NULL) and another type's body never fails the
 * job. Invariant: the view has exactly the table's columns, in order.
 */
import { parseScript, printStatement } from '../sql/index.js';
import type { CreateTable, Ident, MetadataColumn, TableOption } from '../sql/index.js';

/** The metadata column holding the headers on the hidden table. */
export const HEADERS_COLUMN = '__freshet_headers';
/** Prefix of the hidden table's name (the last part of the table's name follows). */
export const HIDDEN_PREFIX = '__freshet_all_';

/** The header name of a `header:<name>` discriminator, or undefined for other discriminators. */
export function headerDiscriminatorName(discriminator: string): string | undefined {
  const t = discriminator.trim();
  if (!t.startsWith('header:')) return undefined;
  return t.slice('header:'.length).trim();
}

/** The table's options for the hidden table: `json.ignore-parse-errors` forced on (see the file comment). */
export function headerSplitOptions(options: readonly TableOption[]): TableOption[] {
  const out: TableOption[] = [];
  let set = false;
  for (const o of options) {
    if (o.key.value === 'json.ignore-parse-errors') {
      out.push({ ...o, value: { ...o.value, value: 'true' } });
      set = true;
    } else out.push(o);
  }
  if (!set) out.push(templateOption());
  return out;
}

/** The hidden table's DDL and the view's, from the table with its rewritten (kept) options. */
export function headerSplitStatements(s: CreateTable, kept: readonly TableOption[], header: string, value: string): [string, string] {
  const last = s.name.parts[s.name.parts.length - 1]!;
  const hiddenIdent: Ident = { ...last, text: `${HIDDEN_PREFIX}${last.text}`, quoted: true };
  const hiddenName = { ...s.name, parts: [...s.name.parts.slice(0, -1), hiddenIdent] };
  const hidden: CreateTable = { ...s, name: hiddenName, columns: [...s.columns, headersColumn()], options: [...kept] };
  const cols = s.columns.map((c) => quoteIdent(c.name.text)).join(', ');
  const hex = Buffer.from(value, 'utf8').toString('hex');
  const view = `CREATE ${s.temporary ? 'TEMPORARY ' : ''}VIEW ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${printName(s.name.parts)} AS SELECT ${cols} `
    + `FROM ${printName(hiddenName.parts)} WHERE ${quoteIdent(HEADERS_COLUMN)}[${sqlString(header)}] = X'${hex}'`;
  return [printStatement(hidden), view];
}

function printName(parts: readonly Ident[]): string {
  return parts.map((p) => quoteIdent(p.text)).join('.');
}

function quoteIdent(text: string): string {
  return `\`${text.replace(/`/g, '``')}\``;
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

let template: CreateTable | undefined;

/** AST nodes taken from a parsed template statement (the parser builds well-formed nodes with spans). */
function templateTable(): CreateTable {
  template ??= parseScript(`CREATE TABLE t (\`${HEADERS_COLUMN}\` MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL) `
    + "WITH ('json.ignore-parse-errors' = 'true')").statements[0] as CreateTable;
  return template;
}

function headersColumn(): MetadataColumn {
  return templateTable().columns[0] as MetadataColumn;
}

function templateOption(): TableOption {
  return templateTable().options[0]!;
}
