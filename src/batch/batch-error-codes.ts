/** Stable diagnostic codes of the offline path (backfill, checks, corrections, training sets). */
export const BatchErrors = {
  /** The offline twin cannot be read (missing files, unknown table, unsupported column type). */
  OfflineUnreadable: 'OFF001',
  /** An offline twin option is missing or malformed. */
  BadTwin: 'OFF002',
  /** The named feature table is not a tiled feature written by the script. */
  NotTiled: 'OFF003',
  /** A source feeding the feature has no offline twin. */
  NoTwin: 'OFF004',
  /** The fusion boundary is not aligned to the coarsest tile size (and is not the stream's own boundary). */
  UnalignedBoundary: 'OFF005',
  /** A time range or request table is malformed (from after to, missing columns, ...). */
  BadRequest: 'OFF006',
  /** A correction cannot cover the checked time: the stream has not closed the positions yet. */
  NotClosed: 'OFF007',
  /** The feature table already has a running offline task (backfill, check or correction). */
  TaskBusy: 'OFF008',
  /** An offline task failed with an unexpected error (not a diagnostic of its own). */
  TaskFailed: 'OFF009',
  /** The platform cannot build the feature's offline inputs (its job, its script, its sources' twins). */
  NoOfflineSetup: 'OFF010',
} as const;
