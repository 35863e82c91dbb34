/**
 * The `filesystem` connector with Flink's options: `path` (a file or a directory) and `format` (json | csv) plus the
 * format's options. As a source it is bounded and reads every non-hidden file under the path; as a sink it is
 * append-only and writes part files into the directory, committed at checkpoints (see filesystem-sink.ts).
 *
 * Not supported yet (validation says so rather than ignoring them): partitioned tables, `source.monitor-interval`
 * (continuous reading), auto-compaction and partition commit.
 */
import type { Diagnostic } from '../../common/diagnostics.js';
import { FreshetError } from '../../common/diagnostics.js';
import type { FormatName } from '../../formats/index.js';
import type { ConnectorFactory, SinkContext, TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import {
  checkFormat, checkOptionKeys, optionDiag, parseDuration, parseMemorySize,
} from '../option-validation.js';
import { FilesystemSink } from './filesystem-sink.js';
import { FilesystemLookup } from './filesystem-lookup.js';
import { FilesystemSource } from './filesystem-source.js';

const OPTIONS: ConnectorFactory['options'] = {
  path: { required: true, description: 'A file or a directory; relative paths resolve against the script directory. Sources read every file under a directory except names starting with . or _.' },
  format: { required: true, description: "Record format: 'json' (one object per line) or 'csv'." },
  'sink.rolling-policy.file-size': { default: '128MB', description: 'Start a new part file after this size.' },
  'sink.rolling-policy.rollover-interval': { default: '30 min', description: 'Start a new part file when the current one is older than this.' },
  'sink.rolling-policy.check-interval': { default: '1 min', description: 'Accepted for compatibility; Freshet checks the rolling policy whenever rows arrive.' },
  'sink.rolling-policy.inactivity-interval': { description: 'Accepted for compatibility; part files are committed at every checkpoint.' },
  'sink.parallelism': { description: 'Accepted for compatibility; the embedded engine writes with one writer.' },
  'source.report-statistics': { default: 'NONE', description: 'Accepted for compatibility; no effect.' },
};

/** Flink filesystem options Freshet knows but cannot honour yet. */
const UNSUPPORTED = [
  'source.monitor-interval', 'source.path.regex-pattern', 'partition.default-name', 'auto-compaction', 'compaction.file-size',
  'sink.partition-commit.trigger', 'sink.partition-commit.delay', 'sink.partition-commit.policy.kind',
  'sink.partition-commit.policy.class', 'sink.partition-commit.success-file.name', 'sink.partition-commit.watermark-time-zone',
  'partition.time-extractor.kind', 'partition.time-extractor.timestamp-pattern', 'sink.shuffle-by-partition.enable',
];

function validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fmt = checkFormat(ctx);
  out.push(...fmt.diagnostics);
  const unsupported = UNSUPPORTED.filter((k) => ctx.options[k] !== undefined);
  for (const k of unsupported) {
    out.push(optionDiag(ctx, ConnectorErrors.UnsupportedOption, k,
      `option '${k}' of Flink's filesystem connector is not supported by Freshet yet`, 'remove it; Freshet reads the files once (bounded)'));
  }
  out.push(...checkOptionKeys(filesystemConnector, { ...ctx, options: without(ctx.options, unsupported) }, { extraKeys: fmt.keys }));
  if (ctx.options['path'] !== undefined && ctx.options['path'].trim() === '') {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'path', "option 'path' must not be empty"));
  }
  const size = ctx.options['sink.rolling-policy.file-size'];
  if (size !== undefined && (parseMemorySize(size) ?? 0) <= 0) {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'sink.rolling-policy.file-size',
      `option 'sink.rolling-policy.file-size' must be a size such as '128MB', got '${size}'`));
  }
  for (const k of ['sink.rolling-policy.rollover-interval', 'sink.rolling-policy.check-interval', 'sink.rolling-policy.inactivity-interval']) {
    const v = ctx.options[k];
    if (v !== undefined && parseDuration(v) === undefined) {
      out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, k, `option '${k}' must be a duration such as '30 min' or '10 s', got '${v}'`));
    }
  }
  if (role === 'sink' && (ctx as Partial<SinkContext>).updating) {
    out.push(optionDiag(ctx, ConnectorErrors.UpdatingInput, 'connector',
      `table '${ctx.tableName}' uses the filesystem connector, which is append-only, but the query writing to it produces updates`,
      'write an append-only query (e.g. a windowed aggregation instead of a running GROUP BY), or use a connector that accepts upserts'));
  }
  return out;
}

function without(o: Record<string, string>, keys: string[]): Record<string, string> {
  if (keys.length === 0) return o;
  const c = { ...o };
  for (const k of keys) delete c[k];
  return c;
}

function requireValid(ctx: TableContext, role: 'source' | 'sink'): FormatName {
  const errors = validate(ctx, role).filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new FreshetError(errors);
  return ctx.options['format'] as FormatName;
}

export const filesystemConnector: ConnectorFactory = {
  identifier: 'filesystem',
  options: OPTIONS,
  validate,
  createSource(ctx) {
    return new FilesystemSource(ctx, requireValid(ctx, 'source'));
  },
  /** Lookup joins: the files are read once at open and indexed by the lookup key (see filesystem-lookup.ts). */
  createLookup(ctx) {
    return new FilesystemLookup(ctx, requireValid(ctx, 'source'));
  },
  createSink(ctx) {
    const format = requireValid(ctx, 'sink');
    const size = ctx.options['sink.rolling-policy.file-size'];
    const interval = ctx.options['sink.rolling-policy.rollover-interval'];
    return new FilesystemSink(ctx, format, {
      ...(size !== undefined ? { fileSize: parseMemorySize(size)! } : {}),
      ...(interval !== undefined ? { rolloverMs: parseDuration(interval)! } : {}),
    });
  },
};
