/**
 * The data dictionary's model: a registered message source (a Kafka topic or an embedded-log topic), its schema
 * (one per message type for multi-type topics), ownership and documentation, and the live statistics the runtime
 * reports about it. Everything here is plain JSON so the same object is stored (embedded or PostgreSQL), served by
 * the REST API and rendered by the CLI.
 *
 * Invariants: `name` is a SQL identifier-like name ([A-Za-z_][A-Za-z0-9_]*); field types are Flink SQL type text
 * without NOT NULL (nullability is the separate `nullable` flag); secrets live only in `connection.secrets` and are
 * replaced by REDACTED in everything the APIs return (`redactSource`).
 */

export type SourceKind = 'kafka' | 'embedded-log';
export const SOURCE_KINDS: readonly SourceKind[] = ['kafka', 'embedded-log'];

/** How a field's value encodes a point in time (recorded by inference; drives the generated DDL). */
export type TimestampFormat =
  /** `yyyy-MM-dd HH:mm:ss[.SSS]` → TIMESTAMP(3) */
  | 'sql'
  /** `yyyy-MM-dd HH:mm:ss[.SSS]Z` → TIMESTAMP_LTZ(3) */
  | 'sql-z'
  /** `yyyy-MM-ddTHH:mm[:ss[.SSS]]` → TIMESTAMP(3) */
  | 'iso'
  /** `yyyy-MM-ddTHH:mm[:ss[.SSS]]Z` → TIMESTAMP_LTZ(3) */
  | 'iso-z'
  /** `yyyy-MM-ddTHH:mm:ss[.SSS]+01:00`: physical STRING, computed TIMESTAMP_LTZ(3) via TO_TIMESTAMP_LTZ(text, pattern) */
  | 'iso-offset'
  /** Epoch seconds number: physical BIGINT (or DOUBLE), computed TO_TIMESTAMP_LTZ(col, 0) */
  | 'epoch-seconds'
  /** Epoch milliseconds number: physical BIGINT, computed TO_TIMESTAMP_LTZ(col, 3) */
  | 'epoch-millis';

export const TIMESTAMP_FORMATS: readonly TimestampFormat[] = ['sql', 'sql-z', 'iso', 'iso-z', 'iso-offset', 'epoch-seconds', 'epoch-millis'];

export interface FieldSpec {
  name: string;
  /** Flink SQL type text without NOT NULL, e.g. `BIGINT`, `DECIMAL(10, 2)`, ``ROW<`id` INT, `tags` ARRAY<STRING>>``. */
  type: string;
  /** Default true: a message may omit the field or carry null. */
  nullable: boolean;
  description?: string;
  /** Inference saw the field present and non-null in every sample (a hint that NOT NULL would hold). */
  observedNonNull?: boolean;
  /** When the field holds a point in time, how it is written. */
  timestampFormat?: TimestampFormat;
  /**
   * For timestamp formats that need a computed column (epoch numbers, ISO text with offsets): the name of the
   * TIMESTAMP_LTZ(3) column computed from this field (default `<name>_ltz`).
   */
  timeColumn?: string;
  /** For 'iso-offset' (and text timestamps read by pattern): the java.time pattern used to parse the text. */
  timestampPattern?: string;
}

/** The schema of one message type (or of the whole source when it has one type). */
export interface TypeSchema {
  fields: FieldSpec[];
  /**
   * The event-time column: a physical field name of a timestamp type, or the `timeColumn` of an epoch/offset
   * field. Undefined: no watermark (processing-time only).
   */
  eventTimeColumn?: string;
  /** Watermark delay in milliseconds (default 5000): `WATERMARK FOR col AS col - INTERVAL 'd' SECOND`. */
  watermarkDelayMs?: number;
  /**
   * A processing-time attribute: the computed column `<name> AS PROCTIME()` (TIMESTAMP_LTZ(3)), the probe-side time
   * of lookup joins (`FOR SYSTEM_TIME AS OF s.proc_time`). Inference proposes `proc_time`; undefined: no such column
   * (sources stored before the field existed keep their columns unchanged).
   */
  procTimeColumn?: string;
  /** `json.timestamp-format.standard` of the table: how TIMESTAMP columns are written (default SQL). */
  timestampStandard?: 'SQL' | 'ISO-8601';
  description?: string;
}

export interface Discriminator {
  /** `$.type` (a JSON path into the message) or `header:<name>` (a message header). */
  path: string;
}

export interface ConnectionSpec {
  /** Kafka: `host:port[,host:port]`. Unused for the embedded log. */
  bootstrapServers?: string;
  /** Topic name; defaults to the source name. */
  topic?: string;
  /** Embedded log: partitions of the topic when it is created (default 1). */
  partitions?: number;
  /** Non-secret client properties, passed as `properties.<key>` (e.g. `security.protocol`, `sasl.mechanism`). */
  properties?: Record<string, string>;
  /** Secret client properties (e.g. `sasl.jaas.config`, `ssl.key.password`): stored, never returned by the APIs. */
  secrets?: Record<string, string>;
  /** `scan.startup.mode` for generated tables (default earliest-offset). */
  startupMode?: 'earliest-offset' | 'latest-offset';
}

export interface FormatSpec {
  /** Only JSON for now (one JSON object per message). */
  kind: 'json';
  /** Skip and count records that cannot be read instead of failing the job (default true for dictionary sources). */
  ignoreParseErrors?: boolean;
}

/**
 * The offline twin of a streaming source: where the source's history is kept (files written by a daily dump, or a
 * table), read by the offline path (src/batch) for backfills, checks and training sets. Its columns carry the source's
 * field names; `timeColumn` holds the event time (a timestamp, or epoch milliseconds).
 */
export interface OfflineTwin {
  /** parquet / csv / json (JSON lines): files or a folder of them (hive partitions `dt=2026-01-31/` allowed); duckdb: a table in a DuckDB file; postgres: a table. */
  format: 'parquet' | 'csv' | 'json' | 'duckdb' | 'postgres';
  /** Files: a path or glob (a folder means every file of the format under it); duckdb: the database file. */
  path?: string;
  /** duckdb / postgres: the table name (optionally schema-qualified). */
  table?: string;
  /** postgres: connection string (a secret part belongs in `connection.secrets` of the source, not here). */
  url?: string;
  /** Column holding the event time (default: the source's event-time column). */
  timeColumn?: string;
  /** Hive partition column holding the event date (`dt=2026-01-31`), used to prune whole folders. */
  partitionColumn?: string;
}

export interface SourceDefinition {
  name: string;
  kind: SourceKind;
  connection: ConnectionSpec;
  format: FormatSpec;
  /** The schema of a single-type source. Exactly one of `schema` and `types` is set. */
  schema?: TypeSchema;
  /** Multi-type topic: the discriminator and one schema per type value; each type is the SQL table `<name>.<type>`. */
  discriminator?: Discriminator;
  types?: Record<string, TypeSchema>;
  owner?: string;
  description?: string;
  tags: string[];
  /** Where the source's history is kept offline (fusion, checks, training sets); see OfflineTwin. */
  offline?: OfflineTwin;
  /** Raw sample messages (as text) the schema was inferred from, kept for documentation and re-inference. */
  samples: string[];
  createdAt: string;
  updatedAt: string;
  /** 1 for the first save; every save adds one and keeps the previous version in the history. */
  version: number;
}

/** Counters and samples the runtime and the ingest path report; not versioned. */
export interface SourceStats {
  messages: number;
  /** Messages per second over the last completed rate window. */
  messageRate: number;
  parseErrors: number;
  /** Unknown field path → times seen (schema drift). */
  unknownFields: Record<string, number>;
  /** Multi-type sources: discriminator values with no registered type → times seen. */
  unknownTypes: Record<string, number>;
  deadLetters: number;
  /** The most recent dead letters, newest last (at most DEAD_LETTER_SAMPLES). */
  deadLetterSamples: DeadLetterSample[];
  lastMessageAt?: string;
  updatedAt?: string;
  /** Rate bookkeeping: start of the current window (epoch ms) and messages counted in it. */
  rateWindowStart?: number;
  rateWindowCount?: number;
}

export interface DeadLetterSample { at: string; reason: string; raw: string; where?: string }

/** What the runtime (or the ingest path) reports; every field optional and additive. */
export interface StatsDelta {
  messages?: number;
  parseErrors?: number;
  unknownFields?: Record<string, number>;
  unknownTypes?: Record<string, number>;
  deadLetters?: { reason: string; raw: string; where?: string }[];
  /** A rate measured by the reporter (overrides the computed one). */
  messageRate?: number;
}

export const DEAD_LETTER_SAMPLES = 20;
export const RATE_WINDOW_MS = 10_000;
export const DEFAULT_WATERMARK_DELAY_MS = 5000;
/** The processing-time column inference proposes (suffixed `_1`, `_2`, ... when a column has that name). */
export const DEFAULT_PROC_TIME_COLUMN = 'proc_time';
export const REDACTED = '******';

export function emptyStats(): SourceStats {
  return { messages: 0, messageRate: 0, parseErrors: 0, unknownFields: {}, unknownTypes: {}, deadLetters: 0, deadLetterSamples: [] };
}

/** Adds a delta to stats (pure; `now` in epoch ms). Raw dead-letter text is cut to 2000 characters. */
export function mergeStats(prev: SourceStats | undefined, d: StatsDelta, now: number): SourceStats {
  const s: SourceStats = prev ? structuredClone(prev) : emptyStats();
  const iso = new Date(now).toISOString();
  const n = d.messages ?? 0;
  if (n > 0) {
    s.messages += n;
    s.lastMessageAt = iso;
    if (s.rateWindowStart === undefined) { s.rateWindowStart = now; s.rateWindowCount = 0; }
    s.rateWindowCount = (s.rateWindowCount ?? 0) + n;
    const elapsed = now - s.rateWindowStart;
    if (elapsed >= RATE_WINDOW_MS) {
      s.messageRate = Math.round((s.rateWindowCount / (elapsed / 1000)) * 100) / 100;
      s.rateWindowStart = now;
      s.rateWindowCount = 0;
    }
  }
  if (d.messageRate !== undefined) s.messageRate = d.messageRate;
  s.parseErrors += d.parseErrors ?? 0;
  for (const [k, v] of Object.entries(d.unknownFields ?? {})) s.unknownFields[k] = (s.unknownFields[k] ?? 0) + v;
  for (const [k, v] of Object.entries(d.unknownTypes ?? {})) s.unknownTypes[k] = (s.unknownTypes[k] ?? 0) + v;
  for (const dl of d.deadLetters ?? []) {
    s.deadLetters++;
    s.deadLetterSamples.push({ at: iso, reason: dl.reason, raw: dl.raw.length > 2000 ? dl.raw.slice(0, 2000) : dl.raw, ...(dl.where ? { where: dl.where } : {}) });
  }
  if (s.deadLetterSamples.length > DEAD_LETTER_SAMPLES) s.deadLetterSamples.splice(0, s.deadLetterSamples.length - DEAD_LETTER_SAMPLES);
  s.updatedAt = iso;
  return s;
}

/** A copy safe to return from an API: secret values replaced by REDACTED (keys kept, so users see what is set). */
export function redactSource(def: SourceDefinition): SourceDefinition {
  const secrets = def.connection.secrets;
  if (!secrets || Object.keys(secrets).length === 0) return def;
  const masked: Record<string, string> = {};
  for (const k of Object.keys(secrets)) masked[k] = REDACTED;
  return { ...def, connection: { ...def.connection, secrets: masked } };
}

/** The topic of a source (its name unless set). */
export function topicOf(def: Pick<SourceDefinition, 'name' | 'connection'>): string {
  return def.connection.topic ?? def.name;
}

/** SQL table names of a source: `name` for a single-type source, `name.type` per type of a multi-type one. */
export function tableNamesOf(def: Pick<SourceDefinition, 'name' | 'types'>): string[] {
  return def.types ? Object.keys(def.types).map((t) => `${def.name}.${t}`) : [def.name];
}
