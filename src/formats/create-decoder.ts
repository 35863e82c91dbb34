/**
 * Entry point of the reading side of Freshet's formats: compiles a decoder for a table's physical columns and its
 * format options. The decoder turns one record's text into a row, returns null for a record that holds no row
 * (an empty line, a CSV comment), and throws DecodeError for bad input; the connector decides whether to skip
 * (`ignoreParseErrors`) or fail.
 */
import type { Row } from '../common/row.js';
import type { RowField } from '../common/types.js';
import { createCsvDecoder } from './csv-decoder.js';
import type { DecodeError } from './decode-error.js';
import { parseBooleanOption, type FormatName } from './format-options.js';
import { createJsonDecoder } from './json-decoder.js';

export interface FormatContext {
  /**
   * Called (with ignore-parse-errors on) for each value that could not be converted and was set to NULL, so the
   * connector can count and report it. Must be a stable function: it is captured once, not per record.
   */
  onFieldError?: (error: DecodeError) => void;
}

export interface RowDecoder {
  (text: string): Row | null;
  /** The format's ignore-parse-errors option: skip and count bad records instead of failing. */
  readonly ignoreParseErrors: boolean;
  /** True when the record continues on the next line (a CSV quoted value holding a line break). */
  continuesOnNextLine(text: string): boolean;
}

const never = (): boolean => false;

export function createDecoder(
  format: FormatName,
  fields: readonly RowField[],
  options: Record<string, string>,
  ctx: FormatContext = {},
): RowDecoder {
  if (format === 'json') {
    const fn = createJsonDecoder(fields, options, ctx);
    return Object.assign(fn, {
      ignoreParseErrors: parseBooleanOption(options['json.ignore-parse-errors'], false),
      continuesOnNextLine: never,
    });
  }
  const fn = createCsvDecoder(fields, options, ctx);
  return Object.assign((text: string) => fn(text), {
    ignoreParseErrors: parseBooleanOption(options['csv.ignore-parse-errors'], false),
    continuesOnNextLine: fn.endsInsideQuotes,
  });
}
