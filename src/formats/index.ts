/** Public surface of Freshet's formats (Flink's `json` and `csv`), used by the connectors. */
export { createDecoder, type FormatContext, type RowDecoder } from './create-decoder.js';
export { createEncoder, type RowEncoder } from './create-encoder.js';
export { DecodeError } from './decode-error.js';
export {
  CSV_OPTIONS, FORMAT_NAMES, JSON_OPTIONS, formatOptionSpecs, isFormatName, validateFormatOptions,
  type FormatName, type FormatOptionSpec, type FormatProblem,
} from './format-options.js';
