/**
 * Shared JSON schemas of the platform API's bodies and answers, registered once on the Fastify app
 * (`addApiSchemas`) and referenced by `$ref: '<Name>#'` from the routes. @fastify/swagger turns each into a named
 * OpenAPI component (`components.schemas.<Name>`), so the UI's generated client (web/src/generated/api-types.ts,
 * `npm run gen:api`) gets one TypeScript type per shape.
 *
 * Invariant: a response schema lists every property the handler returns. Fastify serializes answers with these
 * schemas, and an object schema without `additionalProperties: true` drops properties it does not list; objects
 * whose keys are data (options, counters by name) say `additionalProperties: {...}` instead. The shapes other parts
 * of Freshet extend (JobStatus, JobSpec, SourceDefinition) are open (`additionalProperties: true`): a new field
 * passes through untyped until it is listed here.
 */
import type { FastifyInstance } from 'fastify';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const strings = { type: 'array', items: str } as const;
const stringMap = { type: 'object', additionalProperties: str } as const;
const countMap = { type: 'object', additionalProperties: int } as const;
/** Any JSON value (a feature value: number, string, boolean, null, array or object). */
const anyValue = {} as const;
const nullable = <T extends object>(s: T): T & { nullable: true } => ({ ...s, nullable: true });
/** p50/p90/p99/max/mean of a distribution. */
const distribution = { type: 'object', required: ['p50', 'p90', 'p99', 'max', 'mean'], properties: { p50: num, p90: num, p99: num, max: num, mean: num } } as const;
const ref = (name: string): { $ref: string } => ({ $ref: `${name}#` });

export const apiSchemas = {
  Span: {
    type: 'object', required: ['start', 'end', 'line', 'column'],
    properties: { start: int, end: int, line: int, column: int },
    description: 'Position in the SQL text: offsets [start, end) and the 1-based line and column of start',
  },
  Diagnostic: {
    type: 'object', required: ['code', 'severity', 'message'],
    properties: { code: str, severity: { type: 'string', enum: ['error', 'warning'] }, message: str, hint: str, span: ref('Span') },
  },
  ErrorDetail: {
    type: 'object',
    properties: { code: str, message: str, field: str, hint: str, span: ref('Span'), reason: str, index: int },
  },
  Error: {
    type: 'object', required: ['error'],
    properties: {
      error: {
        type: 'object', required: ['code', 'message'],
        properties: { code: str, message: str, field: { type: 'string', description: 'The request field at fault, e.g. outputs[0].table' }, hint: str, details: { type: 'array', items: ref('ErrorDetail') } },
      },
    },
  },
  Column: { type: 'object', required: ['name', 'type'], properties: { name: str, type: str } },
  CatalogColumn: { type: 'object', required: ['name', 'type'], properties: { name: str, type: str, computed: bool, eventTime: bool } },
  CatalogTable: {
    type: 'object', required: ['table', 'source', 'columns'],
    properties: { table: str, source: str, type: str, columns: { type: 'array', items: ref('CatalogColumn') }, eventTimeColumn: str, watermarkDelayMs: int },
  },
  ValidateResult: {
    type: 'object', required: ['ok', 'diagnostics', 'columns', 'queries', 'updating'],
    properties: { ok: bool, diagnostics: { type: 'array', items: ref('Diagnostic') }, columns: { type: 'array', items: ref('Column') }, queries: int, updating: bool },
  },
  PreviewResult: {
    type: 'object', required: ['ok', 'diagnostics', 'columns', 'rows', 'truncated', 'timedOut', 'elapsedMs'],
    properties: {
      ok: bool, diagnostics: { type: 'array', items: ref('Diagnostic') }, columns: { type: 'array', items: ref('Column') },
      rows: { type: 'array', items: { type: 'array', items: anyValue } }, truncated: bool, timedOut: bool, elapsedMs: int,
    },
  },
  Output: {
    type: 'object', required: ['table', 'kind'],
    properties: {
      table: str, kind: { type: 'string', enum: ['embedded', 'store'] }, store: { type: 'string', enum: ['embedded-kv', 'redis'] },
      options: stringMap, secrets: { ...stringMap, description: 'Secret options; values are always masked' },
    },
  },
  JobSpec: {
    type: 'object',
    // Open, like JobStatus: a field added to stored specs must not vanish from answers before the schema lists it.
    additionalProperties: true,
    required: ['name', 'owner', 'description', 'tags', 'entityKey', 'sources', 'sql', 'outputs', 'options', 'version', 'createdAt', 'updatedAt'],
    properties: {
      name: str, owner: str, description: str, tags: strings, entityKey: strings, sources: strings, sql: str,
      outputs: { type: 'array', items: ref('Output') }, options: stringMap,
      columns: { type: 'array', items: ref('Column'), description: 'Result columns of the SQL at save time' },
      version: int, createdAt: str, updatedAt: str,
    },
  },
  JobStatus: {
    type: 'object',
    // Open: the job manager's status grows (supervision, HA); unknown fields pass through unserialized-by-schema.
    additionalProperties: true,
    required: ['name', 'version', 'state', 'rowsIn', 'changes', 'rowsPerSec', 'changesPerSec', 'watermark', 'checkpoints', 'errors', 'results'],
    properties: {
      restarts: { type: 'integer', description: 'Automatic restarts since the job was last started by a user' },
      nextAttemptAt: str, runningOn: str,
      name: str, version: int, state: { type: 'string', enum: ['starting', 'running', 'restarting', 'failed', 'stopped', 'finished'] },
      startedAt: str, stoppedAt: str, rowsIn: int, changes: int, rowsPerSec: num, changesPerSec: num,
      watermark: nullable(str), checkpoints: int, lastCheckpointAt: str, restoredFrom: str,
      errors: { type: 'array', items: ref('Diagnostic') }, results: int,
    },
  },
  JobWithStatus: { type: 'object', required: ['spec', 'status'], properties: { spec: ref('JobSpec'), status: ref('JobStatus') } },
  JobResults: {
    type: 'object', required: ['columns', 'entityKey', 'rows', 'updatedAt', 'recent'],
    properties: {
      columns: { type: 'array', items: ref('Column') }, entityKey: strings,
      rows: { type: 'array', items: { type: 'array', items: anyValue } }, updatedAt: { type: 'array', items: nullable(str) },
      recent: { type: 'array', items: { type: 'object', required: ['at', 'op', 'row'], properties: { at: str, op: str, row: { type: 'array', items: anyValue } } } },
    },
  },
  JobMetrics: {
    type: 'object', required: ['series', 'checkpoints'],
    properties: {
      series: { type: 'array', items: { type: 'object', required: ['t', 'rowsPerSec', 'changesPerSec', 'watermark'], properties: { t: num, rowsPerSec: num, changesPerSec: num, watermark: nullable(num) } } },
      checkpoints: { type: 'array', items: { type: 'object', required: ['file', 'at', 'bytes'], properties: { file: str, at: str, bytes: int } } },
    },
  },
  JobEvent: {
    type: 'object', required: ['at', 'kind', 'version'],
    properties: {
      at: str, kind: { type: 'string', enum: ['created', 'version', 'start', 'stop', 'restart', 'upgrade', 'fresh-start', 'failed', 'auto-restart', 'failover'] }, version: int,
      restoredFrom: str, note: str,
    },
    description: 'One entry of a job history: a saved version, a run started/stopped, a checkpoint restored',
  },
  UpgradeCheck: {
    type: 'object', required: ['compatible', 'reasons', 'from', 'to'],
    properties: {
      compatible: { type: 'boolean', description: 'The new version can resume from the current checkpoint' },
      reasons: { ...strings, description: 'Why the state cannot be kept (empty when compatible)' },
      from: int, to: int, checkpoint: str,
    },
  },
  FeatureTable: {
    type: 'object', required: ['table', 'store', 'connection', 'entityKey', 'columns', 'job', 'version', 'lineage'],
    properties: {
      table: str, store: { type: 'string', enum: ['embedded-kv', 'redis'] }, connection: { ...stringMap, description: 'Where the table lives (secrets masked)' },
      entityKey: strings, columns: { type: 'array', items: ref('Column') }, job: str, version: int, state: str,
      lineage: { type: 'object', required: ['sources', 'feature', 'consumers'], properties: { sources: strings, feature: str, consumers: strings } },
    },
  },
  OnlineStore: {
    type: 'object', required: ['store', 'default', 'connection', 'tables'],
    properties: {
      store: { type: 'string', enum: ['embedded-kv', 'redis'] }, default: { type: 'boolean', description: "The platform's own embedded store" },
      connection: { ...stringMap, description: 'Where it is (path, or host, port, database; secrets masked)' }, tables: { ...strings, description: 'Feature tables published there' },
    },
  },
  FeatureAnswer: {
    type: 'object', required: ['table', 'asOf', 'tiled', 'windowEnd', 'watermark', 'lagMs', 'stale', 'incomplete', 'results'],
    properties: {
      table: str, asOf: num, tiled: bool, windowEnd: nullable(num), precisionMs: nullable(num), watermark: nullable(num), lagMs: nullable(num), stale: bool, incomplete: strings,
      results: {
        type: 'array',
        items: {
          type: 'object', required: ['key', 'found', 'values', 'lastEventTime'],
          properties: { key: str, found: bool, values: { type: 'object', additionalProperties: anyValue }, lastEventTime: nullable(num), version: num, writtenAt: nullable(num) },
        },
      },
    },
  },
  // --- Apache Flink cluster (flink-routes.ts) -----------------------------------------------------------------
  FlinkJob: {
    type: 'object', required: ['id', 'name', 'state', 'startTime', 'endTime', 'durationMs', 'recordsIn', 'recordsOut', 'checkpoints', 'webUrl'],
    description: "A job of the platform's Flink cluster, as Flink's REST API reports it",
    properties: {
      id: str, name: str,
      state: { type: 'string', enum: ['INITIALIZING', 'CREATED', 'RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED', 'FINISHED', 'RESTARTING', 'SUSPENDED', 'RECONCILING'] },
      startTime: { type: 'number', description: 'Epoch ms' }, endTime: { ...nullable(num), description: 'Epoch ms; null while running' }, durationMs: num,
      recordsIn: { type: 'number', description: "Records the job's source tasks read" },
      recordsOut: { type: 'number', description: "Records the job's tasks sent to other tasks (not what sinks write elsewhere)" },
      checkpoints: {
        type: 'object', required: ['completed', 'failed', 'inProgress', 'lastAt'],
        properties: { completed: int, failed: int, inProgress: int, lastAt: { ...nullable(num), description: 'When the newest completed checkpoint was acknowledged (epoch ms)' }, lastPath: str },
      },
      webUrl: { type: 'string', description: "The job's page in Flink's web UI" },
    },
  },
  FlinkJobDetail: {
    type: 'object', required: ['id', 'name', 'state', 'startTime', 'endTime', 'durationMs', 'recordsIn', 'recordsOut', 'checkpoints', 'webUrl', 'vertices'],
    properties: {
      id: str, name: str, state: str, startTime: num, endTime: nullable(num), durationMs: num, recordsIn: num, recordsOut: num,
      checkpoints: {
        type: 'object', required: ['completed', 'failed', 'inProgress', 'lastAt'],
        properties: { completed: int, failed: int, inProgress: int, lastAt: nullable(num), lastPath: str },
      },
      webUrl: str,
      vertices: {
        type: 'array', description: 'Operator chains (tasks) with their counters',
        items: { type: 'object', required: ['id', 'name', 'status', 'parallelism', 'readRecords', 'writeRecords'], properties: { id: str, name: str, status: str, parallelism: int, readRecords: num, writeRecords: num } },
      },
      restoredFrom: { type: 'string', description: 'The savepoint or checkpoint the job was restored from' },
      exception: { type: 'string', description: "Root cause of the job's newest exception" },
    },
  },
  FlinkJobList: {
    type: 'object', required: ['configured', 'jobs'],
    properties: {
      configured: { type: 'boolean', description: 'The platform has a Flink cluster (freshet start --flink, FRESHET_FLINK_URL); false: jobs is empty' },
      url: { type: 'string', description: "The cluster's REST address" }, webUrl: { type: 'string', description: "Flink's web UI" },
      jobs: { type: 'array', items: ref('FlinkJob'), description: 'Newest first' },
    },
  },
  // --- data dictionary -----------------------------------------------------------------------------------------
  FieldSpec: {
    type: 'object', required: ['name', 'type', 'nullable'],
    properties: {
      name: str, type: str, nullable: bool, description: str, observedNonNull: bool,
      timestampFormat: { type: 'string', enum: ['sql', 'sql-z', 'iso', 'iso-z', 'iso-offset', 'epoch-seconds', 'epoch-millis'] },
      timeColumn: str, timestampPattern: str,
    },
  },
  TypeSchema: {
    type: 'object', required: ['fields'],
    properties: {
      fields: { type: 'array', items: ref('FieldSpec') }, eventTimeColumn: str, watermarkDelayMs: int,
      procTimeColumn: { type: 'string', description: 'A processing-time column `<name> AS PROCTIME()` (the probe-side time of lookup joins); absent: none' },
      timestampStandard: { type: 'string', enum: ['SQL', 'ISO-8601'] }, description: str,
    },
  },
  SourceDefinition: {
    type: 'object', additionalProperties: true, required: ['name', 'kind', 'connection', 'format', 'tags', 'samples', 'createdAt', 'updatedAt', 'version'],
    properties: {
      name: str, kind: { type: 'string', enum: ['kafka', 'embedded-log'] },
      connection: {
        type: 'object',
        properties: {
          bootstrapServers: str, topic: str, partitions: int, properties: stringMap, secrets: { ...stringMap, description: 'Always masked' },
          startupMode: { type: 'string', enum: ['earliest-offset', 'latest-offset'] },
        },
      },
      format: { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: ['json'] }, ignoreParseErrors: bool } },
      schema: ref('TypeSchema'), discriminator: { type: 'object', required: ['path'], properties: { path: str } },
      types: { type: 'object', additionalProperties: ref('TypeSchema') },
      owner: str, description: str, tags: strings, samples: strings, createdAt: str, updatedAt: str, version: int,
      offline: {
        type: 'object', required: ['format'], description: "The source's offline twin (its history) for backfills, checks and training sets",
        properties: {
          format: { type: 'string', enum: ['parquet', 'csv', 'json', 'duckdb', 'postgres'] }, path: str, table: str, url: str, timeColumn: str, partitionColumn: str,
        },
      },
    },
  },
  SourceStats: {
    type: 'object', required: ['messages', 'messageRate', 'parseErrors', 'unknownFields', 'unknownTypes', 'deadLetters', 'deadLetterSamples'],
    properties: {
      messages: int, messageRate: num, parseErrors: int,
      unknownFields: { ...countMap, description: 'Schema drift: unknown field path → times seen' },
      unknownTypes: { ...countMap, description: 'Discriminator values with no registered type → times seen' },
      deadLetters: int,
      deadLetterSamples: { type: 'array', items: ref('DeadLetter') },
      lastMessageAt: str, updatedAt: str, rateWindowStart: num, rateWindowCount: int,
    },
  },
  DeadLetter: { type: 'object', required: ['at', 'reason', 'raw'], properties: { at: str, reason: str, raw: str, where: str } },
  InferResult: {
    type: 'object', required: ['warnings', 'samplesRead', 'ddl'],
    properties: {
      schema: ref('TypeSchema'), types: { type: 'object', additionalProperties: ref('TypeSchema') },
      discriminator: { type: 'object', required: ['path'], properties: { path: str } },
      warnings: { type: 'array', items: ref('Warning') },
      ddl: str, samplesRead: int,
      samples: { type: 'array', items: ref('LogSample'), description: 'The messages read from a live Kafka topic (value text, partition, offset, timestamp, key, headers); absent for given samples' },
    },
  },
  Warning: {
    type: 'object', required: ['code', 'severity', 'message'],
    properties: { code: str, severity: { type: 'string', enum: ['error', 'warning'] }, message: str, hint: str, source: { type: 'string', description: 'The field concerned' } },
  },
  SaveSourceResult: {
    type: 'object', required: ['source', 'warnings'],
    properties: { source: ref('SourceDefinition'), warnings: { type: 'array', items: ref('Warning') }, tables: strings },
  },
  IngestResult: {
    type: 'object', required: ['appended', 'offsets', 'rejected', 'unknownTypes', 'unknownFields'],
    properties: {
      appended: int,
      offsets: { type: 'array', items: { type: 'object', properties: { partition: int, offset: num } } },
      rejected: { type: 'array', items: { type: 'object', required: ['index', 'reason'], properties: { index: int, reason: str } } },
      unknownTypes: countMap, unknownFields: countMap,
    },
  },
  LogSample: {
    type: 'object', required: ['value'],
    description: 'A message: from the embedded log (value is the JSON text, with partition, offset, append time) or a stored sample',
    properties: { value: anyValue, partition: int, offset: num, timestamp: num, key: nullable(str), headers: nullable(stringMap) },
  },
  // --- offline path: checks, fusion boundary, corrections (src/batch, docs/offline.md) -------------------------
  CheckColumn: {
    type: 'object', required: ['name', 'compared', 'mismatches', 'mismatchRate', 'relError'],
    properties: {
      name: str, compared: { type: 'integer', description: 'Keys found on both sides' }, mismatches: int, mismatchRate: num,
      relError: { ...distribution, description: 'Relative error |served − truth| / max(|truth|, 1) over the compared keys' },
    },
  },
  CheckKeyDiff: {
    type: 'object', required: ['key', 'column', 'served', 'truth', 'relError'],
    properties: { key: str, column: str, served: anyValue, truth: anyValue, relError: num },
  },
  CheckResult: {
    type: 'object',
    required: ['id', 'table', 'at', 'checkedAt', 'durationMs', 'keys', 'offlineFound', 'onlineFound', 'mismatches', 'missing', 'extra',
      'mismatchRate', 'missingRate', 'extraRate', 'threshold', 'alert', 'columns', 'worstKeys', 'affected', 'incomplete', 'offlineEvents'],
    description: 'One check: the feature recomputed from offline data as of `at` against what serving answered for `at`',
    properties: {
      id: str, table: str, at: { type: 'number', description: 'The checked time T (epoch ms)' }, checkedAt: { type: 'number', description: 'When the check ran (epoch ms)' },
      durationMs: num, keys: int, offlineFound: int, onlineFound: int, mismatches: int, missing: int, extra: int,
      mismatchRate: { type: 'number', description: 'mismatches / keys found on both sides' },
      missingRate: { type: 'number', description: 'missing / keys found offline' }, extraRate: { type: 'number', description: 'extra / keys found online' },
      threshold: num, alert: { type: 'boolean', description: 'A rate is above the threshold' },
      columns: { type: 'array', items: ref('CheckColumn') },
      worstKeys: { type: 'array', items: ref('CheckKeyDiff'), description: 'Largest relative error first' },
      affected: { ...strings, description: 'Keys that differ in any way (at most 1000)' },
      incomplete: { ...strings, description: "Serving's incomplete reasons for T" }, offlineEvents: int,
    },
  },
  CheckPolicy: {
    type: 'object', required: ['threshold', 'autoCorrect'],
    properties: { threshold: { type: 'number', description: 'Alert when a rate is above it' }, autoCorrect: bool },
  },
  CorrectionAudit: {
    type: 'object',
    required: ['id', 'table', 'at', 'reason', 'by', 'checkId', 'checkedAt', 'boundaryBefore', 'boundaryAfter', 'generation', 'keysChanged', 'changes'],
    description: 'A correction: the fusion boundary moved over closed positions, with the served values before and after',
    properties: {
      id: str, table: str, at: { type: 'number', description: 'When (epoch ms)' }, reason: str, by: str,
      trigger: { type: 'string', enum: ['manual', 'policy'], description: 'manual: on demand; policy: after a check that alerted on a table whose policy says autoCorrect' },
      checkId: nullable(str),
      checkedAt: { type: 'number', description: 'The corrected time T (epoch ms)' }, boundaryBefore: nullable(num), boundaryAfter: num,
      generation: int, keysChanged: int,
      changes: {
        type: 'array', description: 'Per changed key and column (at most 1000)',
        items: { type: 'object', required: ['key', 'column', 'old', 'new'], properties: { key: str, column: str, old: anyValue, new: anyValue } },
      },
    },
  },
  FeatureChecks: {
    type: 'object', required: ['table', 'last', 'policy', 'fusion', 'checks', 'audit'],
    properties: {
      table: str,
      last: nullable({
        type: 'object', required: ['table', 'at', 'checkedAt', 'mismatchRate', 'missingRate', 'extraRate', 'threshold', 'alert'],
        description: 'The newest check, for alerting (null: never checked)',
        properties: { table: str, at: num, checkedAt: num, mismatchRate: num, missingRate: num, extraRate: num, threshold: num, alert: bool },
      }),
      policy: ref('CheckPolicy'),
      fusion: nullable({
        type: 'object', required: ['format', 'offlineTable', 'boundary', 'from', 'generation', 'builtAt', 'events', 'reason'],
        description: 'The fusion boundary: events before it are served from the offline layer (null: stream only)',
        properties: {
          format: int, offlineTable: str, boundary: num, from: nullable(num), generation: int, builtAt: num, events: int,
          reason: { type: 'string', description: 'backfill, refresh or correction' },
        },
      }),
      checks: { type: 'array', items: ref('CheckResult'), description: 'Oldest first (the newest 50)' },
      audit: { type: 'array', items: ref('CorrectionAudit'), description: 'Oldest first (the newest 200)' },
    },
  },
  OfflineTask: {
    type: 'object', required: ['id', 'table', 'kind', 'state', 'by', 'startedAt', 'finishedAt', 'phase', 'progress', 'result', 'error'],
    description: 'A backfill, check or correction of a feature table running in the background (one per table at a time)',
    properties: {
      id: str, table: str, kind: { type: 'string', enum: ['backfill', 'check', 'correct'] },
      state: { type: 'string', enum: ['running', 'succeeded', 'failed'] }, by: { type: 'string', description: 'Who started it (token name)' },
      startedAt: { type: 'number', description: 'Epoch ms' }, finishedAt: nullable(num), phase: { type: 'string', description: 'What it does now' },
      progress: {
        type: 'object', required: ['read', 'total'], description: 'Offline events read in the current phase, of total',
        properties: { read: num, total: num },
      },
      result: { ...anyValue, description: 'backfill: the fusion record; check: {check, correction, correctionError}; correct: the audit record' },
      error: nullable({ type: 'object', required: ['code', 'message'], properties: { code: str, message: str, hint: str } }),
    },
  },
  OfflineBackfillRequest: {
    type: 'object', additionalProperties: false,
    properties: {
      from: { type: 'number', description: 'Earliest event time to backfill (epoch ms; default: all offline history)' },
      to: { type: 'number', description: "The boundary (epoch ms; default: the stream's watermark floored to the coarsest tile size)" },
      streamFrom: { type: 'number', description: "The stream's oldest event time (epoch ms); the boundary must not be before it" },
    },
  },
  OfflineCheckRequest: {
    type: 'object', additionalProperties: false,
    properties: { at: { type: 'number', description: "The time T to check (epoch ms; default: the stream's watermark)" } },
  },
  OfflineCorrectRequest: {
    type: 'object', additionalProperties: false,
    properties: {
      at: { type: 'number', description: "The time T to correct (epoch ms; default: the last check's time)" },
      reason: { type: 'string', maxLength: 1000, description: 'Why (kept in the audit)' },
    },
  },
  CheckPolicyUpdate: {
    type: 'object', additionalProperties: false,
    properties: {
      threshold: { type: 'number', minimum: 0, maximum: 1, description: 'Alert when a rate is above it' },
      autoCorrect: { type: 'boolean', description: 'Correct the affected keys right after a check that alerts' },
    },
  },
} as const;

export type ApiSchemaName = keyof typeof apiSchemas;

/** Registers every shared schema (`$id` = its name). Call before the routes that reference them. */
export function addApiSchemas(app: FastifyInstance): void {
  if (app.getSchema('Error')) return; // already registered (the dictionary routes and the platform share the app)
  for (const [name, schema] of Object.entries(apiSchemas)) app.addSchema({ $id: name, title: name, ...schema });
}

/** `{ $ref: 'Name#' }` of a shared schema. */
export const schemaRef = (name: ApiSchemaName): { $ref: string } => ref(name);

/** Error answers by status, each the `Error` schema. */
export const errorResponses = (...statuses: number[]): Record<number, { $ref: string }> =>
  Object.fromEntries(statuses.map((s) => [s, ref('Error')]));
