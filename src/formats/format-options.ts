/**
 * The options of Freshet's formats, with Flink's names (`json.*`, `csv.*`), defaults and value rules, and their
 * validation. Validation returns problems as data; the connector turns them into positioned Diagnostics.
 */
import type { RowField, SqlType } from '../common/types.js';
import { typeToString } from '../common/types.js';

export const FORMAT_NAMES = ['json', 'csv'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export const isFormatName = (s: string): s is FormatName => (FORMAT_NAMES as readonly string[]).includes(s);

export interface FormatOptionSpec {
  description: string;
  default?: string;
  /** How the value is checked: a boolean, one of `values`, a single character (Java escapes allowed), or any string. */
  kind: 'boolean' | 'enum' | 'char' | 'string';
  values?: readonly string[];
}

export const JSON_OPTIONS: Readonly<Record<string, FormatOptionSpec>> = {
  'json.fail-on-missing-field': {
    kind: 'boolean', default: 'false',
    description: 'Fail when a declared field is absent from a JSON object (otherwise the column is NULL).',
  },
  'json.ignore-parse-errors': {
    kind: 'boolean', default: 'false',
    description: 'Skip (count and report) rows that are not valid JSON, and set fields that cannot be converted to NULL, instead of failing the job.',
  },
  'json.timestamp-format.standard': {
    kind: 'enum', values: ['SQL', 'ISO-8601'], default: 'SQL',
    description: "Timestamp text: SQL 'yyyy-MM-dd HH:mm:ss[.SSS]' or ISO-8601 'yyyy-MM-ddTHH:mm:ss[.SSS]'; TIMESTAMP_LTZ adds a trailing 'Z'.",
  },
  'json.map-null-key.mode': {
    kind: 'enum', values: ['FAIL', 'DROP', 'LITERAL'], default: 'FAIL',
    description: "Writing a MAP with a NULL key: FAIL, DROP the entry, or write 'json.map-null-key.literal' as the key.",
  },
  'json.map-null-key.literal': {
    kind: 'string', default: 'null',
    description: "Key text written for a NULL map key when 'json.map-null-key.mode' is LITERAL.",
  },
  'json.encode.decimal-as-plain-number': {
    kind: 'boolean', default: 'false',
    description: 'Write DECIMAL values in plain notation, never scientific (1E-8).',
  },
  'json.encode.ignore-null-fields': {
    kind: 'boolean', default: 'false',
    description: 'Leave NULL fields out of written JSON objects.',
  },
  'json.decode.json-parser.enabled': {
    kind: 'boolean', default: 'true',
    description: "Accepted for compatibility with Flink (selects Flink's parser implementation); no effect in Freshet.",
  },
};

export const CSV_OPTIONS: Readonly<Record<string, FormatOptionSpec>> = {
  'csv.field-delimiter': {
    kind: 'char', default: ',',
    description: "Field delimiter, one character; Java escapes such as '\\t' are allowed.",
  },
  'csv.disable-quote-character': {
    kind: 'boolean', default: 'false',
    description: "Disable quoting of values; 'csv.quote-character' must not be set then.",
  },
  'csv.quote-character': {
    kind: 'char', default: '"',
    description: 'Quote character enclosing values that contain delimiters, quotes or line breaks.',
  },
  'csv.allow-comments': {
    kind: 'boolean', default: 'false',
    description: "Skip lines starting with '#'.",
  },
  'csv.ignore-parse-errors': {
    kind: 'boolean', default: 'false',
    description: 'Skip (count and report) malformed rows and set fields that cannot be converted to NULL, instead of failing the job.',
  },
  'csv.array-element-delimiter': {
    kind: 'string', default: ';',
    description: 'Separator of ARRAY elements and nested ROW fields inside one value.',
  },
  'csv.escape-character': {
    kind: 'char',
    description: 'Escape character inside values (disabled by default).',
  },
  'csv.null-literal': {
    kind: 'string',
    description: "Text read and written as NULL (disabled by default; '' makes empty fields NULL).",
  },
  'csv.write-bigdecimal-in-scientific-notation': {
    kind: 'boolean', default: 'true',
    description: 'Write DECIMAL values as Java BigDecimal.toString does (scientific for tiny values); false writes plain notation.',
  },
};

export function formatOptionSpecs(format: FormatName): Readonly<Record<string, FormatOptionSpec>> {
  return format === 'json' ? JSON_OPTIONS : CSV_OPTIONS;
}

/** A problem found in format options or in the schema for a format; the connector assigns the code and position. */
export interface FormatProblem {
  kind: 'bad-value' | 'conflict' | 'unsupported-type';
  /** The option key concerned (for bad values and conflicts), positions the diagnostic. */
  key?: string;
  message: string;
  hint?: string;
}

/** Flink reads boolean options case-insensitively. */
export function parseBooleanOption(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  const l = v.trim().toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : dflt;
}

/** Java-style unescaping Flink applies to single-character CSV options (`\t`, `\u0001`, `\\`). */
export function unescapeJava(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|[tnrbf0'"\\])/g, (_m, e: string) => {
    switch (e[0]) {
      case 'u': return String.fromCharCode(parseInt(e.slice(1), 16));
      case 't': return '\t';
      case 'n': return '\n';
      case 'r': return '\r';
      case 'b': return '\b';
      case 'f': return '\f';
      case '0': return '\0';
      default: return e;
    }
  });
}

/** Checks values, conflicts, and whether each column type can be read/written by the format. */
export function validateFormatOptions(
  format: FormatName,
  fields: readonly RowField[],
  options: Record<string, string>,
): FormatProblem[] {
  const problems: FormatProblem[] = [];
  const specs = formatOptionSpecs(format);
  for (const [key, spec] of Object.entries(specs)) {
    const v = options[key];
    if (v === undefined) continue;
    if (spec.kind === 'boolean' && !/^(true|false)$/i.test(v.trim())) {
      problems.push({ kind: 'bad-value', key, message: `option '${key}' must be 'true' or 'false', got '${v}'` });
    } else if (spec.kind === 'enum' && !spec.values!.includes(v)) {
      problems.push({
        kind: 'bad-value', key,
        message: `unsupported value '${v}' for option '${key}'`,
        hint: `supported values are ${spec.values!.map((x) => `'${x}'`).join(', ')}`,
      });
    } else if (spec.kind === 'char' && unescapeJava(v).length !== 1) {
      problems.push({ kind: 'bad-value', key, message: `option '${key}' must be a single character, got '${v}'` });
    }
  }
  if (format === 'json') {
    if (parseBooleanOption(options['json.fail-on-missing-field'], false) && parseBooleanOption(options['json.ignore-parse-errors'], false)) {
      problems.push({
        kind: 'conflict', key: 'json.ignore-parse-errors',
        message: "'json.fail-on-missing-field' and 'json.ignore-parse-errors' must not both be true",
      });
    }
    for (const f of fields) checkJsonType(f.type, f.name, problems);
  } else {
    if (parseBooleanOption(options['csv.disable-quote-character'], false) && options['csv.quote-character'] !== undefined) {
      problems.push({
        kind: 'conflict', key: 'csv.quote-character',
        message: "'csv.quote-character' must not be set when 'csv.disable-quote-character' is true",
      });
    }
    if (options['csv.array-element-delimiter'] === '') {
      problems.push({ kind: 'bad-value', key: 'csv.array-element-delimiter', message: "option 'csv.array-element-delimiter' must not be empty" });
    }
    for (const f of fields) checkCsvType(f.type, f.name, 0, problems);
  }
  return problems;
}

function checkJsonType(t: SqlType, path: string, out: FormatProblem[]): void {
  switch (t.kind) {
    case 'MAP':
      if (t.element!.kind !== 'VARCHAR' && t.element!.kind !== 'CHAR') {
        out.push({
          kind: 'unsupported-type',
          message: `column '${path}' has type ${typeToString(t, false)}: the json format supports only string keys in MAP`,
          hint: 'declare the key as STRING',
        });
      }
      checkJsonType(t.value!, `${path}.value`, out);
      return;
    case 'ARRAY': checkJsonType(t.element!, `${path}[]`, out); return;
    case 'ROW': for (const f of t.fields ?? []) checkJsonType(f.type, `${path}.${f.name}`, out); return;
    default: return;
  }
}

/** Flink's CSV format: no MAP; ARRAY and ROW only at the top level, holding scalars. */
function checkCsvType(t: SqlType, path: string, depth: number, out: FormatProblem[]): void {
  if (t.kind === 'MAP') {
    out.push({ kind: 'unsupported-type', message: `column '${path}' has type ${typeToString(t, false)}: the csv format does not support MAP`, hint: "use the 'json' format" });
  } else if (t.kind === 'ARRAY' || t.kind === 'ROW') {
    if (depth > 0) {
      out.push({ kind: 'unsupported-type', message: `column '${path}' nests ${t.kind} inside ARRAY or ROW, which the csv format does not support`, hint: "use the 'json' format" });
      return;
    }
    if (t.kind === 'ARRAY') checkCsvType(t.element!, `${path}[]`, depth + 1, out);
    else for (const f of t.fields ?? []) checkCsvType(f.type, `${path}.${f.name}`, depth + 1, out);
  } else if (t.kind === 'TIME' && (t.precision ?? 0) > 3) {
    out.push({ kind: 'unsupported-type', message: `column '${path}' has type ${typeToString(t, false)}: the csv format supports TIME precision 0 to 3` });
  }
}
