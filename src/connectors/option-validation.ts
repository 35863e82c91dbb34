/**
 * Validation shared by every connector: required options, unknown keys (with a "did you mean" hint drawn from the
 * connector's and the format's options), and format option values, each as a Diagnostic positioned on the option in
 * the WITH clause when spans are known.
 */
import { diag, suggest, type Diagnostic, type Span } from '../common/diagnostics.js';
import {
  FORMAT_NAMES, formatOptionSpecs, isFormatName, validateFormatOptions, type FormatName,
} from '../formats/index.js';
import type { ConnectorFactory, TableContext } from './connector.js';
import { ConnectorErrors } from './connector-error-codes.js';

/** The span of an option key, falling back to the `connector` option so the message still points at the table. */
export function spanOf(ctx: TableContext, key: string): Span | undefined {
  return ctx.optionSpans?.[key] ?? ctx.optionSpans?.['connector'];
}

export function optionDiag(ctx: TableContext, code: string, key: string, message: string, hint?: string): Diagnostic {
  return diag(code, `table '${ctx.tableName}': ${message}`, spanOf(ctx, key), hint);
}

export interface OptionCheck {
  /** Extra accepted keys beyond factory.options (e.g. the chosen format's options). */
  extraKeys?: readonly string[];
  /** Keys under these prefixes are checked by the connector itself. */
  prefixes?: readonly string[];
}

/** Missing required options and unknown keys. `connector` itself is always accepted. */
export function checkOptionKeys(factory: ConnectorFactory, ctx: TableContext, check: OptionCheck = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [key, spec] of Object.entries(factory.options)) {
    if (spec.required && ctx.options[key] === undefined) {
      out.push(diag(ConnectorErrors.MissingOption,
        `table '${ctx.tableName}': connector '${factory.identifier}' requires option '${key}'`,
        ctx.optionSpans?.['connector'], `add '${key}' = '...' to the WITH clause: ${spec.description}`));
    }
  }
  const known = new Set<string>(['connector', ...Object.keys(factory.options), ...(check.extraKeys ?? [])]);
  const prefixes = check.prefixes ?? factory.optionPrefixes ?? [];
  for (const key of Object.keys(ctx.options)) {
    if (known.has(key) || prefixes.some((p) => key.startsWith(p))) continue;
    const near = suggest(key, known);
    out.push(optionDiag(ctx, ConnectorErrors.UnknownOption, key,
      `unknown option '${key}' for connector '${factory.identifier}'`,
      near ? `did you mean '${near}'?` : `supported options: ${[...known].sort().join(', ')}`));
  }
  return out;
}

/** Validates the `format` option and the chosen format's options; returns the format when it is valid. */
export function checkFormat(ctx: TableContext): { format?: FormatName; keys: string[]; diagnostics: Diagnostic[] } {
  const out: Diagnostic[] = [];
  const v = ctx.options['format'];
  if (v === undefined) return { keys: [], diagnostics: out };
  if (!isFormatName(v)) {
    const near = suggest(v, FORMAT_NAMES);
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'format', `unknown format '${v}'`,
      near ? `did you mean '${near}'? supported formats: ${FORMAT_NAMES.join(', ')}` : `supported formats: ${FORMAT_NAMES.join(', ')}`));
    // Accept every format's keys so that one typo does not also report every format option as unknown.
    const keys = FORMAT_NAMES.flatMap((f) => Object.keys(formatOptionSpecs(f)));
    return { keys, diagnostics: out };
  }
  for (const p of validateFormatOptions(v, ctx.physicalFields, ctx.options)) {
    const code = p.kind === 'conflict' ? ConnectorErrors.ConflictingOptions
      : p.kind === 'unsupported-type' ? ConnectorErrors.UnsupportedType : ConnectorErrors.BadOptionValue;
    out.push(optionDiag(ctx, code, p.key ?? 'format', p.message, p.hint));
  }
  return { format: v, keys: Object.keys(formatOptionSpecs(v)), diagnostics: out };
}

/** A positive integer option, or a diagnostic. */
export function positiveInt(ctx: TableContext, key: string, out: Diagnostic[], allowZero = false): number | undefined {
  const v = ctx.options[key];
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || (!allowZero && n === 0)) {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, key,
      `option '${key}' must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${v}'`));
    return undefined;
  }
  return n;
}

/** A boolean option ('true'/'false', any case, as Flink reads them), or a diagnostic. */
export function booleanOption(ctx: TableContext, key: string, dflt: boolean, out: Diagnostic[]): boolean {
  const v = ctx.options[key];
  if (v === undefined) return dflt;
  const l = v.trim().toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, key, `option '${key}' must be 'true' or 'false', got '${v}'`));
  return dflt;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  min: 60_000, m: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** Flink's Duration option syntax: `10 s`, `5min`, `100ms`, `1 h`; a bare number is milliseconds. Undefined if bad. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const f = unit === '' ? 1 : DURATION_UNITS[unit];
  return f === undefined ? undefined : Number(m[1]) * f;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, bytes: 1, k: 1024, kb: 1024, kibibytes: 1024, m: 1024 ** 2, mb: 1024 ** 2, mebibytes: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gibibytes: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4,
};

/** Flink's MemorySize syntax: `128mb`, `1 gb`, `512kb`, a bare number is bytes. Undefined if bad. */
export function parseMemorySize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const f = SIZE_UNITS[m[2]!.toLowerCase()];
  return f === undefined ? undefined : Number(m[1]) * f;
}

/** A role the connector cannot play. */
export function roleDiag(ctx: TableContext, identifier: string, role: 'source' | 'sink'): Diagnostic {
  return optionDiag(ctx, ConnectorErrors.UnsupportedRole, 'connector',
    role === 'sink' ? `connector '${identifier}' can only be read, not written (INSERT INTO)` : `connector '${identifier}' can only be written, not read`,
    role === 'sink' ? "write to 'print', 'blackhole' or 'filesystem' instead" : "read from 'datagen' or 'filesystem' instead");
}
