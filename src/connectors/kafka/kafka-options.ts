/**
 * Options of the `kafka` and `upsert-kafka` connectors (Flink's names) and their validation into a KafkaTableConfig.
 * One function, `parseKafkaOptions`, both validates (every problem as a positioned Diagnostic) and builds the
 * config, so what validation accepts is exactly what the source and sink run with.
 *
 * Formats: the value format is `format` or its alias `value.format` (options `json.*` / `value.json.*`); the key
 * format is `key.format` (options `key.json.*`) with the key columns in `key.fields` (kafka) or the PRIMARY KEY
 * (upsert-kafka). Column names in the key format drop `key.fields-prefix`.
 */
import type { Diagnostic } from '../../common/diagnostics.js';
import type { RowField } from '../../common/types.js';
import {
  FORMAT_NAMES, formatOptionSpecs, isFormatName, validateFormatOptions, type FormatName,
} from '../../formats/index.js';
import type { ConnectorFactory, SinkContext, TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { checkOptionKeys, optionDiag, parseMemorySize } from '../option-validation.js';

export type StartupMode = 'earliest-offset' | 'latest-offset' | 'group-offsets' | 'timestamp' | 'specific-offsets';
export type BoundedMode = 'unbounded' | 'latest-offset' | 'group-offsets' | 'timestamp' | 'specific-offsets';
export type DeliveryGuarantee = 'at-least-once' | 'exactly-once' | 'none';

const STARTUP_MODES: readonly StartupMode[] = ['earliest-offset', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'];
const BOUNDED_MODES: readonly BoundedMode[] = ['unbounded', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'];
const DELIVERY: readonly DeliveryGuarantee[] = ['at-least-once', 'exactly-once', 'none'];

export interface OffsetSpec<M> {
  mode: M;
  timestampMs?: number;
  /** partition -> offset, for specific-offsets. */
  offsets?: Map<number, number>;
}

export interface KafkaTableConfig {
  topic: string;
  /** librdkafka configuration from `properties.*` (prefix removed). */
  client: Record<string, string>;
  valueFormat: FormatName;
  /** The value format's options keyed as the format reads them (`json.ignore-parse-errors`, ...). */
  valueOptions: Record<string, string>;
  /** Physical column indices carried in the message value. */
  valueFields: number[];
  keyFormat?: FormatName;
  keyOptions: Record<string, string>;
  /** Physical column indices carried in the message key (empty without a key format). */
  keyFields: number[];
  /** The key columns as the key format sees them (names without `key.fields-prefix`). */
  keyFormatFields: RowField[];
  startup: OffsetSpec<StartupMode>;
  bounded: OffsetSpec<BoundedMode>;
  /** Multi-type topics: a JSON path into the value, or a message header (`header:<name>`), and the table's type. */
  discriminator?: { kind: 'json'; path: string[]; value: string } | { kind: 'header'; name: string; value: string };
  maxRecordBytes: number;
  delivery: DeliveryGuarantee;
  transactionalIdPrefix?: string;
}

export const KAFKA_OPTIONS: ConnectorFactory['options'] = {
  topic: { required: true, description: 'The topic to read from or write to (one topic).' },
  'properties.bootstrap.servers': { required: true, description: 'Comma-separated host:port list of Kafka brokers.' },
  'properties.group.id': { description: 'Consumer group of the source: used for group-offsets and to report progress (offsets are committed after checkpoints, for monitoring only).' },
  format: { description: "Value format: 'json' or 'csv' (or use 'value.format')." },
  'value.format': { description: "Value format, alias of 'format'." },
  'key.format': { description: "Format of the message key: 'json' or 'csv'; requires 'key.fields'." },
  'key.fields': { description: "Columns carried in the message key, separated by ';'." },
  'key.fields-prefix': { description: 'Prefix of the key columns that the key format does not see (avoids name clashes with value columns).' },
  'value.fields-include': { default: 'ALL', description: "ALL: the value holds every column; EXCEPT_KEY: the value leaves the key columns out." },
  'scan.startup.mode': { default: 'group-offsets', description: 'Where reading starts: earliest-offset, latest-offset, group-offsets, timestamp or specific-offsets.' },
  'scan.startup.specific-offsets': { description: "Start offsets for specific-offsets, e.g. 'partition:0,offset:42;partition:1,offset:300'." },
  'scan.startup.timestamp-millis': { description: 'Start at the first record at or after this epoch-millisecond timestamp (timestamp mode).' },
  'scan.bounded.mode': { default: 'unbounded', description: 'Where a bounded read ends: unbounded, latest-offset (the end when the job starts), group-offsets, timestamp or specific-offsets.' },
  'scan.bounded.specific-offsets': { description: "End offsets (exclusive) for specific-offsets, e.g. 'partition:0,offset:42'." },
  'scan.bounded.timestamp-millis': { description: 'End before the first record at or after this epoch-millisecond timestamp.' },
  'scan.topic-partition-discovery.interval': { description: 'Accepted for compatibility; partitions are listed when the source opens.' },
  'scan.parallelism': { description: 'Accepted for compatibility; the embedded engine reads with one reader.' },
  'sink.partitioner': { default: 'default', description: "'default' (by key hash, else the client's sticky partitioner), 'round-robin' or 'fixed' (all to partition 0)." },
  'sink.delivery-guarantee': { default: 'at-least-once', description: 'none, at-least-once (wait for acknowledgements at checkpoints) or exactly-once (one Kafka transaction per checkpoint).' },
  'sink.transactional-id-prefix': { description: 'Prefix of the transactional id of the exactly-once sink; must be unique per job writing to the cluster.' },
  'sink.parallelism': { description: 'Accepted for compatibility; the embedded engine writes with one writer.' },
  'freshet.discriminator': { description: "Multi-type topics: the JSON path (e.g. '$.type') of a field telling message types apart, or 'header:<name>' for a message header holding the type." },
  'freshet.discriminator.value': { description: "Only messages whose discriminator equals this text are rows of the table; others are skipped and counted." },
  'freshet.max-record-bytes': { default: '16mb', description: 'Messages larger than this are bad records (reported, or fail the job unless ignore-parse-errors is on).' },
};

export const UPSERT_KAFKA_OPTIONS: ConnectorFactory['options'] = {
  topic: KAFKA_OPTIONS['topic']!,
  'properties.bootstrap.servers': KAFKA_OPTIONS['properties.bootstrap.servers']!,
  'key.format': { required: true, description: "Format of the key (the PRIMARY KEY columns): 'json' or 'csv'." },
  'value.format': { required: true, description: "Format of the value: 'json' or 'csv'." },
  'key.fields-prefix': KAFKA_OPTIONS['key.fields-prefix']!,
  'value.fields-include': KAFKA_OPTIONS['value.fields-include']!,
  'sink.delivery-guarantee': KAFKA_OPTIONS['sink.delivery-guarantee']!,
  'sink.transactional-id-prefix': KAFKA_OPTIONS['sink.transactional-id-prefix']!,
  'sink.parallelism': KAFKA_OPTIONS['sink.parallelism']!,
  'sink.buffer-flush.max-rows': { description: 'Accepted for compatibility; rows are sent as they come and acknowledged at checkpoints.' },
  'sink.buffer-flush.interval': { description: 'Accepted for compatibility; rows are sent as they come and acknowledged at checkpoints.' },
};

const UNSUPPORTED = ['topic-pattern', 'scan.startup.specific-offsets.file', 'sink.semantic', 'scan.watermark.idle-timeout'];

function formatKeys(prefix: string): string[] {
  return FORMAT_NAMES.flatMap((f) => Object.keys(formatOptionSpecs(f)).map((k) => prefix + k));
}

/** The options of one format, renamed from `<prefix><format>.x` to `<format>.x`. */
function formatOptionsOf(options: Record<string, string>, prefix: string, format: FormatName): Record<string, string> {
  const out: Record<string, string> = {};
  const p = `${prefix}${format}.`;
  for (const [k, v] of Object.entries(options)) if (k.startsWith(p)) out[k.slice(prefix.length)] = v;
  return out;
}

/** `partition:0,offset:42;partition:1,offset:300` (Flink's syntax), or undefined when malformed. */
export function parseSpecificOffsets(text: string): Map<number, number> | undefined {
  const out = new Map<number, number>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const m = /^\s*partition\s*:\s*(\d+)\s*,\s*offset\s*:\s*(\d+)\s*$/.exec(part);
    if (!m) return undefined;
    out.set(Number(m[1]), Number(m[2]));
  }
  return out.size > 0 ? out : undefined;
}

/** `$.a.b` -> ['a', 'b']; undefined when not a simple dotted path. */
export function parseJsonPath(text: string): string[] | undefined {
  const m = /^\$((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)$/.exec(text.trim());
  return m ? m[1]!.slice(1).split('.') : undefined;
}

function enumOption<T extends string>(ctx: TableContext, key: string, values: readonly T[], dflt: T, out: Diagnostic[]): T {
  const v = ctx.options[key];
  if (v === undefined) return dflt;
  const l = v.trim().toLowerCase() as T;
  if (values.includes(l)) return l;
  out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, key, `unsupported value '${v}' for option '${key}'`,
    `supported values are ${values.map((x) => `'${x}'`).join(', ')}`));
  return dflt;
}

function offsetSpec<M extends string>(ctx: TableContext, base: 'scan.startup' | 'scan.bounded', modes: readonly M[], dflt: M, out: Diagnostic[]): OffsetSpec<M> {
  const mode = enumOption(ctx, `${base}.mode`, modes, dflt, out);
  const spec: OffsetSpec<M> = { mode };
  const tsKey = `${base}.timestamp-millis`, offKey = `${base}.specific-offsets`;
  const ts = ctx.options[tsKey];
  if (mode === 'timestamp') {
    if (ts === undefined) {
      out.push(optionDiag(ctx, ConnectorErrors.MissingOption, `${base}.mode`, `'${tsKey}' is required in 'timestamp' mode but missing`));
    } else if (!/^\s*\d+\s*$/.test(ts)) {
      out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, tsKey, `option '${tsKey}' must be epoch milliseconds, got '${ts}'`));
    } else spec.timestampMs = Number(ts);
  }
  const so = ctx.options[offKey];
  if (mode === 'specific-offsets') {
    if (so === undefined) {
      out.push(optionDiag(ctx, ConnectorErrors.MissingOption, `${base}.mode`, `'${offKey}' is required in 'specific-offsets' mode but missing`));
    } else {
      const parsed = parseSpecificOffsets(so);
      if (!parsed) {
        out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, offKey, `option '${offKey}' is malformed: '${so}'`,
          "write 'partition:0,offset:42;partition:1,offset:300'"));
      } else spec.offsets = parsed;
    }
  }
  return spec;
}

/** Validates a kafka or upsert-kafka table and builds its config; `config` is undefined when there are errors. */
export function parseKafkaOptions(factory: ConnectorFactory, ctx: TableContext, role: 'source' | 'sink'): { config?: KafkaTableConfig; diagnostics: Diagnostic[] } {
  const out: Diagnostic[] = [];
  const o = ctx.options;
  const upsert = factory.identifier === 'upsert-kafka';
  const fields = ctx.physicalFields;

  for (const k of UNSUPPORTED) {
    if (o[k] !== undefined) {
      out.push(optionDiag(ctx, ConnectorErrors.UnsupportedOption, k, `option '${k}' of Flink's ${factory.identifier} connector is not supported by Freshet yet`,
        k === 'topic-pattern' ? "name one topic with 'topic'" : 'remove it'));
    }
  }
  const extraKeys = [...formatKeys(''), ...formatKeys('value.'), ...formatKeys('key.')];
  const withoutUnsupported = { ...o };
  for (const k of UNSUPPORTED) delete withoutUnsupported[k];
  out.push(...checkOptionKeys(factory, { ...ctx, options: withoutUnsupported }, { extraKeys, prefixes: ['properties.'] }));

  const topic = o['topic']?.trim() ?? '';
  if (o['topic'] !== undefined && (topic === '' || topic.includes(';') || topic.includes(','))) {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'topic', topic === '' ? "option 'topic' must not be empty" : `option 'topic' must name one topic, got '${o['topic']}'`,
      topic === '' ? undefined : 'Freshet reads and writes one topic per table; declare one table per topic'));
  }

  // Value format.
  let valueFormat: FormatName | undefined;
  let valuePrefix = '';
  const fmtKey = o['format'] !== undefined ? 'format' : 'value.format';
  if (o['format'] !== undefined && o['value.format'] !== undefined) {
    out.push(optionDiag(ctx, ConnectorErrors.ConflictingOptions, 'value.format', "set either 'format' or 'value.format', not both"));
  } else if (o[fmtKey] === undefined) {
    if (!upsert) out.push(optionDiag(ctx, ConnectorErrors.MissingOption, 'connector', `connector '${factory.identifier}' requires option 'format' (or 'value.format')`, "add 'format' = 'json'"));
  } else if (!isFormatName(o[fmtKey]!)) {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, fmtKey, `unknown format '${o[fmtKey]}'`, `supported formats: ${FORMAT_NAMES.join(', ')}`));
  } else {
    valueFormat = o[fmtKey] as FormatName;
    valuePrefix = fmtKey === 'format' ? '' : 'value.';
  }

  // Key columns: key.fields (kafka) or the primary key (upsert-kafka).
  const names = fields.map((f) => f.name);
  let keyFields: number[] = [];
  if (upsert) {
    keyFields = [...((ctx as Partial<SinkContext>).primaryKey ?? [])];
    if (role === 'sink' && keyFields.length === 0) {
      out.push(optionDiag(ctx, ConnectorErrors.MissingOption, 'connector', `table '${ctx.tableName}' uses the upsert-kafka connector, which requires a PRIMARY KEY`,
        'declare PRIMARY KEY (...) NOT ENFORCED on the key columns'));
    }
    if (o['key.fields'] !== undefined) {
      out.push(optionDiag(ctx, ConnectorErrors.UnknownOption, 'key.fields', "upsert-kafka takes its key columns from the PRIMARY KEY, not 'key.fields'"));
    }
  } else if (o['key.fields'] !== undefined) {
    for (const name of o['key.fields'].split(';').map((s) => s.trim()).filter(Boolean)) {
      const i = names.indexOf(name);
      if (i < 0) out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'key.fields', `'key.fields' names column '${name}', which the table does not have`));
      else keyFields.push(i);
    }
  }
  let keyFormat: FormatName | undefined;
  const kf = o['key.format'];
  if (kf !== undefined) {
    if (!isFormatName(kf)) out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'key.format', `unknown format '${kf}'`, `supported formats: ${FORMAT_NAMES.join(', ')}`));
    else keyFormat = kf;
    if (!upsert && o['key.fields'] === undefined) {
      out.push(optionDiag(ctx, ConnectorErrors.MissingOption, 'key.format', "'key.format' needs 'key.fields', the columns carried in the key"));
    }
  } else if (!upsert && o['key.fields'] !== undefined) {
    out.push(optionDiag(ctx, ConnectorErrors.MissingOption, 'key.fields', "'key.fields' needs 'key.format', the format of the key"));
  }
  const prefix = o['key.fields-prefix'] ?? '';
  const keyFormatFields: RowField[] = [];
  for (const i of keyFields) {
    const f = fields[i]!;
    if (!f.name.startsWith(prefix)) {
      out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'key.fields-prefix', `key column '${f.name}' does not start with 'key.fields-prefix' '${prefix}'`));
    }
    keyFormatFields.push({ ...f, name: f.name.slice(prefix.length) });
  }
  const include = enumOption(ctx, 'value.fields-include', ['all', 'except_key'] as const, 'all', out);
  if (include === 'except_key' && keyFields.length === 0 && o['value.fields-include'] !== undefined && !upsert) {
    out.push(optionDiag(ctx, ConnectorErrors.ConflictingOptions, 'value.fields-include', "'value.fields-include' = 'EXCEPT_KEY' needs key columns ('key.fields')"));
  }
  const valueFields = fields.map((_f, i) => i).filter((i) => include === 'all' || !keyFields.includes(i));

  const valueOptions = valueFormat ? formatOptionsOf(o, valuePrefix, valueFormat) : {};
  if (valueFormat) {
    for (const p of validateFormatOptions(valueFormat, valueFields.map((i) => fields[i]!), valueOptions)) {
      const code = p.kind === 'conflict' ? ConnectorErrors.ConflictingOptions : p.kind === 'unsupported-type' ? ConnectorErrors.UnsupportedType : ConnectorErrors.BadOptionValue;
      const key = p.key ? valuePrefix + p.key : fmtKey;
      out.push(optionDiag(ctx, code, key, p.message.replaceAll(`'${p.key}'`, `'${key}'`), p.hint));
    }
  }
  const keyOptions = keyFormat ? formatOptionsOf(o, 'key.', keyFormat) : {};
  if (keyFormat) {
    for (const p of validateFormatOptions(keyFormat, keyFormatFields, keyOptions)) {
      const code = p.kind === 'conflict' ? ConnectorErrors.ConflictingOptions : p.kind === 'unsupported-type' ? ConnectorErrors.UnsupportedType : ConnectorErrors.BadOptionValue;
      const key = p.key ? `key.${p.key}` : 'key.format';
      out.push(optionDiag(ctx, code, key, p.message, p.hint));
    }
  }

  // Start and end of a read.
  const startup = offsetSpec(ctx, 'scan.startup', STARTUP_MODES, 'group-offsets', out);
  const bounded = offsetSpec(ctx, 'scan.bounded', BOUNDED_MODES, 'unbounded', out);
  if (role === 'source' && upsert) {
    out.push(optionDiag(ctx, ConnectorErrors.UnsupportedRole, 'connector', "reading an 'upsert-kafka' table is not supported by Freshet yet",
      "read the topic with the 'kafka' connector, or write to it only"));
  }

  // Freshet's discriminator for multi-type topics.
  let discriminator: KafkaTableConfig['discriminator'];
  const dPath = o['freshet.discriminator'], dValue = o['freshet.discriminator.value'];
  if (dPath !== undefined || dValue !== undefined) {
    const header = dPath?.trim().startsWith('header:') ? dPath.trim().slice('header:'.length).trim() : undefined;
    const path = dPath === undefined || header !== undefined ? undefined : parseJsonPath(dPath);
    if (dPath === undefined || dValue === undefined) {
      out.push(optionDiag(ctx, ConnectorErrors.MissingOption, dPath === undefined ? 'freshet.discriminator.value' : 'freshet.discriminator',
        "'freshet.discriminator' and 'freshet.discriminator.value' go together"));
    } else if (header !== undefined) {
      if (header.length === 0) {
        out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'freshet.discriminator', "a header discriminator needs a name: 'header:<name>'"));
      } else discriminator = { kind: 'header', name: header, value: dValue };
    } else if (!path) {
      out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'freshet.discriminator',
        `option 'freshet.discriminator' must be a JSON path like '$.type' or a header like 'header:type', got '${dPath}'`));
    } else if (valueFormat !== undefined && valueFormat !== 'json') {
      out.push(optionDiag(ctx, ConnectorErrors.ConflictingOptions, 'freshet.discriminator', "a JSON-path 'freshet.discriminator' needs the 'json' value format"));
    } else discriminator = { kind: 'json', path, value: dValue };
  }
  let maxRecordBytes = 16 * 1024 * 1024;
  const mrb = o['freshet.max-record-bytes'];
  if (mrb !== undefined) {
    const n = parseMemorySize(mrb);
    if (n === undefined || n <= 0) out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'freshet.max-record-bytes', `option 'freshet.max-record-bytes' must be a size such as '1mb', got '${mrb}'`));
    else maxRecordBytes = n;
  }

  // Sink.
  const delivery = enumOption(ctx, 'sink.delivery-guarantee', DELIVERY, 'at-least-once', out);
  const txPrefix = o['sink.transactional-id-prefix'];
  if (role === 'sink' && delivery === 'exactly-once' && (txPrefix === undefined || txPrefix.trim() === '')) {
    out.push(optionDiag(ctx, ConnectorErrors.MissingOption, 'sink.delivery-guarantee', "'sink.delivery-guarantee' = 'exactly-once' requires 'sink.transactional-id-prefix'",
      'choose a prefix unique to this job, e.g. the job name'));
  }
  const partitioner = o['sink.partitioner'];
  if (partitioner !== undefined && !['default', 'fixed', 'round-robin'].includes(partitioner)) {
    out.push(optionDiag(ctx, ConnectorErrors.UnsupportedOption, 'sink.partitioner', `custom partitioner '${partitioner}' is not supported`, "use 'default', 'fixed' or 'round-robin'"));
  }
  if (role === 'sink' && !upsert && (ctx as Partial<SinkContext>).updating) {
    out.push(optionDiag(ctx, ConnectorErrors.UpdatingInput, 'connector',
      `table '${ctx.tableName}' uses the kafka connector, which is append-only, but the query writing to it produces updates`,
      "use the 'upsert-kafka' connector with a PRIMARY KEY, or write an append-only query"));
  }

  if (out.some((d) => d.severity === 'error') || valueFormat === undefined) return { diagnostics: out };
  return {
    diagnostics: out,
    config: {
      topic, client: clientPropertiesOf(o), valueFormat, valueOptions, valueFields,
      ...(keyFormat ? { keyFormat } : {}), keyOptions, keyFields, keyFormatFields,
      startup, bounded, ...(discriminator ? { discriminator } : {}), maxRecordBytes, delivery,
      ...(txPrefix !== undefined ? { transactionalIdPrefix: txPrefix.trim() } : {}),
    },
  };
}

function clientPropertiesOf(options: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) if (k.startsWith('properties.')) out[k.slice('properties.'.length)] = v;
  return out;
}
