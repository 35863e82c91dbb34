/** Entry point of the writing side of Freshet's formats: a row to one record's text (no line separator). */
import type { Row } from '../common/row.js';
import type { RowField } from '../common/types.js';
import { createCsvEncoder } from './csv-encoder.js';
import type { FormatName } from './format-options.js';
import { createJsonEncoder } from './json-encoder.js';

export type RowEncoder = (row: Row) => string;

export function createEncoder(format: FormatName, fields: readonly RowField[], options: Record<string, string>): RowEncoder {
  return format === 'json' ? createJsonEncoder(fields, options) : createCsvEncoder(fields, options);
}
