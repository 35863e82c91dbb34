/**
 * Error codes of the Flink engine (spec building and deployment). Stable once released.
 *   FLINK70x  a script that cannot run on Apache Flink as written (reported before anything is deployed)
 *   FLINK75x  deployment: the cluster, the template jar, Flink's REST API, the job's state
 */
export const FlinkErrors = {
  /** A connector Freshet provides but the Flink cluster does not (embedded-log, embedded-kv, synthetic, ...). */
  UnsupportedConnector: 'FLINK701',
  /** A Freshet-only option with no Flink counterpart whose meaning cannot be dropped (early firing by count). */
  FreshetOnlyOption: 'FLINK702',
  /** A statement or feature the Flink engine does not run (yet): CTAS, multi-type topics, ... */
  UnsupportedStatement: 'FLINK703',
  /** The script writes nothing: a Flink job needs at least one INSERT INTO. */
  NoInsert: 'FLINK704',
  /** Warning: a Freshet-only option or statement that was left out of the Flink job. */
  Dropped: 'FLINK710',

  /** No Flink cluster answers at the configured REST address. */
  ClusterUnreachable: 'FLINK750',
  /** The template jar is not built (or not at the given path). */
  TemplateJarMissing: 'FLINK751',
  /** Flink's REST API answered with an error (the message carries Flink's own). */
  RestError: 'FLINK752',
  /** The job failed, or did not reach the expected state in time. */
  JobFailed: 'FLINK753',
  /** A savepoint could not be taken. */
  SavepointFailed: 'FLINK754',
} as const;
