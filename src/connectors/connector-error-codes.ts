/**
 * Error codes of connectors. Stable: documented in docs/error-codes.md.
 *   CONN1xx  validation of a table's WITH options (reported before the job starts)
 *   CONN2xx  runtime: bad records, I/O, restore
 */
export const ConnectorErrors = {
  /** `connector` names no known connector. */
  UnknownConnector: 'CONN100',
  /** A required option is missing. */
  MissingOption: 'CONN101',
  /** An option key the connector (and its format) does not know. */
  UnknownOption: 'CONN102',
  /** An option value that is malformed or out of range. */
  BadOptionValue: 'CONN103',
  /** Options that contradict each other. */
  ConflictingOptions: 'CONN104',
  /** A column type the connector or format cannot read or write. */
  UnsupportedType: 'CONN105',
  /** The connector cannot be used in this role (e.g. datagen as a sink). */
  UnsupportedRole: 'CONN106',
  /** An append-only sink fed by an updating query. */
  UpdatingInput: 'CONN107',
  /** A Flink option Freshet recognises but does not support yet. */
  UnsupportedOption: 'CONN108',
  /** A datagen `fields.<name>.*` option for a column the table does not have. */
  UnknownField: 'CONN109',

  /** A record that cannot be decoded, with the format's ignore-parse-errors off. */
  BadRecord: 'CONN201',
  /** Reading or writing files failed. */
  IoError: 'CONN202',
  /** A checkpointed source position cannot be restored (the file it names is gone or shorter). */
  BadPosition: 'CONN203',
  /** A value a sink's format cannot write (e.g. a NULL MAP key with 'json.map-null-key.mode' FAIL). */
  CannotEncode: 'CONN210',
} as const;
