/**
 * Pluggable connector interfaces, defined by the engine that drives them. A connector is a folder under
 * src/connectors/ exporting a ConnectorFactory. Its
 * options use Flink's names; `validate` reports every problem as a Diagnostic (positioned on the WITH clause when
 * the caller passes option spans), never by throwing.
 */
import type { Diagnostic, Span } from '../common/diagnostics.js';
import type { Row, Batch } from '../common/row.js';
import type { RowField } from '../common/types.js';
import type { KvStore } from './kv-store-api.js';

/** Serializable position of a source, stored in checkpoints. */
export type SourcePosition = unknown;

/** Reports bad input: counted per source, kept (dead-lettered) with the reason and raw text. */
export interface BadRecordReporter {
  /** `where` is e.g. `data/orders.json:17` or `partition 3 offset 1234`. */
  badRecord(reason: string, raw: string, where: string): void;
}

export interface TableContext {
  /** Table name as written in SQL, for messages. */
  tableName: string;
  /** Physical columns (computed and metadata columns excluded), in declaration order. */
  physicalFields: readonly RowField[];
  /** The WITH options, keys as written (Flink option keys are case-sensitive). */
  options: Record<string, string>;
  /** Spans of each option key in the SQL text, for positioned diagnostics. */
  optionSpans?: Record<string, Span>;
  /** Directory relative paths resolve against (the script's directory). */
  baseDir: string;
  reporter: BadRecordReporter;
}

export interface ScanSource {
  /** True when the source ends (file, datagen with number-of-rows). */
  readonly bounded: boolean;
  /** Opens the source at a checkpointed position, or at its start when position is undefined. */
  open(position?: SourcePosition): Promise<void>;
  /**
   * Returns up to `max` physical rows. Returns null once a bounded source is exhausted; an empty array when an
   * unbounded source has nothing right now. Batch boundaries must be deterministic given the position so that a
   * restored run replays identically.
   */
  poll(max: number): Promise<Row[] | null>;
  /** Position after the last row returned by poll. */
  position(): SourcePosition;
  close(): Promise<void>;
  /**
   * Partitioned sources (Kafka): after each poll, the partition of each returned row (parallel to the rows), so
   * watermarks are tracked per partition and the source watermark is their minimum, as Flink does per split.
   */
  lastPartitions?(): readonly number[] | undefined;
  /**
   * Partitioned sources: partitions known to have records still to deliver that have delivered none yet. The source's
   * watermark waits for them (its minimum over partitions would otherwise skip them).
   */
  heldPartitions?(): readonly number[];
}

export interface SinkWriter {
  open(): Promise<void>;
  write(batch: Batch): Promise<void> | void;
  /** Called at checkpoints and at the end; data must be durable when it resolves. */
  flush(): Promise<void>;
  /** State to store in a checkpoint after flush (e.g. committed file lengths). */
  snapshot?(): unknown;
  /** Called before open() when restoring: undo anything written after the checkpoint (exactly-once). */
  restore?(state: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface SinkContext extends TableContext {
  /** Indices of primary key columns in physicalFields, empty when none. */
  primaryKey: number[];
  /** True when the query feeding the sink produces updates (-U/+U/-D). */
  updating: boolean;
}

/** Looks rows up by key (lookup joins). Implementations may batch and cache; the engine adds its own cache. */
export interface LookupSource {
  open(): Promise<void>;
  /** Rows of the table whose `keyColumns` (physical indices given at creation) equal `key`. */
  lookup(key: Row): Promise<Row[]>;
  close(): Promise<void>;
}

export interface LookupContext extends TableContext {
  /** Physical column indices the lookup key binds, in key order. */
  keyColumns: number[];
}

export interface ConnectorFactory {
  /** The `connector` option value, e.g. 'filesystem'. */
  readonly identifier: string;
  /** Option keys this connector accepts: name -> short description (drives validation, docs and UI forms). */
  readonly options: Record<string, { description: string; required?: boolean; default?: string }>;
  /** Prefixes of free-form option families, e.g. 'fields.' for datagen, 'properties.' for kafka. */
  readonly optionPrefixes?: readonly string[];
  validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[];
  createSource?(ctx: TableContext): ScanSource;
  createSink?(ctx: SinkContext): SinkWriter;
  createLookup?(ctx: LookupContext): LookupSource;
  /** Online stores (redis, embedded-kv, aerospike): the store itself, for tiled feature tables and serving. */
  createStore?(ctx: TableContext): KvStore;
}
