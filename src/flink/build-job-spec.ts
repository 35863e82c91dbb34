/**
 * Turns a Freshet SQL script into a Flink job spec: SET statements become the spec's config, DDL and INSERTs are
 * re-printed with the SQL printer (so the text Flink parses is normalised and free of Freshet-only options), and
 * features that exist only on the embedded engine are rejected with positioned diagnostics rather than silently
 * changing the job's meaning on Flink.
 */
import { isAbsolute, resolve } from 'node:path';
import { diag, type Diagnostic, type Span } from '../common/diagnostics.js';
import { parseScript, printStatement } from '../sql/index.js';
import type { CreateTable, Insert, Statement, TableOption } from '../sql/index.js';
import { FlinkErrors } from './flink-error-codes.js';
import { JOB_SPEC_VERSION, type JobSpec, type JobStatement } from './job-spec.js';

/** Connectors of Freshet's Flink cluster (scripts/flink/pom.xml) and of Flink's own distribution. */
export const FLINK_CONNECTORS: readonly string[] = ['filesystem', 'kafka', 'upsert-kafka', 'datagen', 'print', 'blackhole'];

/** Connectors that exist only in Freshet's embedded engine. */
const FRESHET_ONLY_CONNECTORS: Readonly<Record<string, string>> = {
  'embedded-log': "use 'kafka' (or 'upsert-kafka') for streams on the Flink engine",
  'embedded-kv': 'the Flink engine writes online features through its own sinks',
  synthetic: "use 'datagen' for generated data on the Flink engine",
};

/** Freshet-only options whose meaning would change if dropped; all other `freshet.*` keys are dropped with a warning. */
const EARLY_FIRE_COUNT = 'freshet.exec.emit.early-fire.count';
const DISCRIMINATOR_KEYS = new Set(['freshet.discriminator', 'freshet.discriminator.value']);

export interface BuildJobSpecOptions {
  /** The Flink job's name. */
  name: string;
  /** Relative filesystem `path` options resolve against this directory (the script's), as on the embedded engine. */
  baseDir?: string;
  /** Options applied before the script's SET statements (e.g. a default checkpoint interval). */
  config?: Readonly<Record<string, string>>;
  /** Connectors the target cluster provides beyond FLINK_CONNECTORS. */
  extraConnectors?: readonly string[];
  /** Provenance copied into the spec's `meta`. */
  meta?: Readonly<Record<string, string>>;
}

export interface BuildJobSpecResult {
  /** Present when there are no errors. */
  spec?: JobSpec;
  /** For each of spec.statements, the span of the script statement it was printed from. */
  spans?: Span[];
  /** Errors and warnings (dropped options, skipped SELECTs), in script order. */
  diagnostics: Diagnostic[];
}

/** Parses the script and builds the spec; parse errors are reported as they are. */
export function buildJobSpecFromScript(text: string, opts: BuildJobSpecOptions): BuildJobSpecResult {
  const parsed = parseScript(text);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: [...parsed.diagnostics] };
  const r = buildJobSpec(parsed.statements, opts);
  return { ...r, diagnostics: [...parsed.diagnostics, ...r.diagnostics] };
}

/** Builds the spec from parsed statements (see the module comment). */
export function buildJobSpec(statements: readonly Statement[], opts: BuildJobSpecOptions): BuildJobSpecResult {
  const b = new SpecBuilder(opts);
  for (const s of statements) b.statement(s);
  return b.finish();
}

class SpecBuilder {
  private readonly config: Record<string, string>;
  private readonly out: JobStatement[] = [];
  private readonly spans: Span[] = [];
  private readonly diags: Diagnostic[] = [];
  private readonly connectors: Set<string>;

  constructor(private readonly opts: BuildJobSpecOptions) {
    this.config = { ...(opts.config ?? {}) };
    this.connectors = new Set([...FLINK_CONNECTORS, ...(opts.extraConnectors ?? [])]);
  }

  statement(s: Statement): void {
    switch (s.kind) {
      case 'Set':
        if (s.key === undefined || s.value === undefined) return; // bare SET lists the settings: nothing to run
        if (s.key.value === EARLY_FIRE_COUNT) {
          this.diags.push(diag(FlinkErrors.FreshetOnlyOption,
            `count-triggered early firing ('${EARLY_FIRE_COUNT}') is not supported on the Flink engine`, s.key.span,
            "use Flink's time-triggered early firing: 'table.exec.emit.early-fire.enabled' = 'true' with 'table.exec.emit.early-fire.delay'"));
        } else if (s.key.value.startsWith('freshet.')) {
          this.warnDropped(`option '${s.key.value}' is Freshet-only and is left out of the Flink job`, s.key.span);
        } else {
          this.config[s.key.value] = s.value.value;
        }
        return;
      case 'Reset':
        if (s.key === undefined) {
          for (const k of Object.keys(this.config)) delete this.config[k];
          Object.assign(this.config, this.opts.config ?? {});
        } else {
          delete this.config[s.key.value];
        }
        return;
      case 'CreateTable':
        this.createTable(s);
        return;
      case 'CreateView':
      case 'CreateFunction':
      case 'CreateDatabase':
      case 'CreateCatalog':
      case 'Drop':
      case 'Use':
        this.push('ddl', printStatement(s), s.span);
        return;
      case 'Insert':
        this.insert(s);
        return;
      case 'StatementSet':
        for (const ins of s.inserts) this.insert(ins);
        return;
      case 'QueryStatement':
        this.warnDropped('SELECT is left out of the Flink job: results of a Flink job go to sinks (use INSERT INTO)', s.span);
        return;
      case 'Explain':
      case 'Show':
      case 'Describe':
        this.warnDropped(`${s.kind.toUpperCase()} is left out of the Flink job`, s.span);
        return;
    }
  }

  private createTable(s: CreateTable): void {
    if (s.asQuery) {
      this.diags.push(diag(FlinkErrors.UnsupportedStatement, `CREATE TABLE ... AS SELECT ('${nameOf(s)}') is not supported on the Flink engine yet`,
        s.span, 'declare the table with CREATE TABLE and fill it with INSERT INTO'));
      return;
    }
    const connector = s.options.find((o) => o.key.value === 'connector');
    if (connector) {
      const id = connector.value.value;
      const freshetOnly = FRESHET_ONLY_CONNECTORS[id];
      if (freshetOnly !== undefined) {
        this.diags.push(diag(FlinkErrors.UnsupportedConnector,
          `table '${nameOf(s)}': connector '${id}' is Freshet-only: not supported on the Flink engine`, connector.value.span, freshetOnly));
        return;
      }
      if (!this.connectors.has(id)) {
        this.diags.push(diag(FlinkErrors.UnsupportedConnector,
          `table '${nameOf(s)}': connector '${id}' is not supported on the Flink engine`, connector.value.span,
          `connectors on Freshet's Flink cluster: ${[...this.connectors].sort().join(', ')}`));
        return;
      }
    }
    const kept: TableOption[] = [];
    for (const o of s.options) {
      const key = o.key.value;
      if (DISCRIMINATOR_KEYS.has(key)) {
        this.diags.push(diag(FlinkErrors.UnsupportedStatement,
          `table '${nameOf(s)}': multi-type topics ('${key}') are not supported on the Flink engine yet`, o.key.span,
          'read a topic that holds one message type, or run the script on the embedded engine'));
        return;
      }
      if (key.startsWith('freshet.')) {
        this.warnDropped(`table '${nameOf(s)}': option '${key}' is Freshet-only and is left out of the Flink job`, o.key.span);
        continue;
      }
      kept.push(connector?.value.value === 'filesystem' && key === 'path' ? this.absolutePath(o) : o);
    }
    this.push('ddl', printStatement({ ...s, options: kept }), s.span);
  }

  /** Flink's TaskManagers do not run in the script's directory: relative local paths become absolute. */
  private absolutePath(o: TableOption): TableOption {
    const p = o.value.value;
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(p) || isAbsolute(p)) return o; // a URI (file:, s3:, ...) or already absolute
    return { ...o, value: { ...o.value, value: resolve(this.opts.baseDir ?? '.', p) } };
  }

  private insert(s: Insert): void {
    let hints = s.hints;
    for (const h of s.hints) {
      const keys = Object.keys(h.options ?? {}).filter((k) => k.startsWith('freshet.'));
      if (keys.length === 0) continue;
      this.warnDropped(`hint option(s) ${keys.map((k) => `'${k}'`).join(', ')} are Freshet-only and are left out of the Flink job`, h.span);
      const options = Object.fromEntries(Object.entries(h.options!).filter(([k]) => !k.startsWith('freshet.')));
      hints = hints.map((x) => (x === h ? { ...h, options } : x));
    }
    this.push('insert', printStatement(hints === s.hints ? s : { ...s, hints }), s.span);
  }

  private push(kind: JobStatement['kind'], sql: string, span: Span): void {
    this.out.push({ kind, sql });
    this.spans.push(span);
  }

  private warnDropped(message: string, span: Span | undefined): void {
    this.diags.push(diag(FlinkErrors.Dropped, message, span, undefined, 'warning'));
  }

  finish(): BuildJobSpecResult {
    if (this.diags.some((d) => d.severity === 'error')) return { diagnostics: this.diags };
    if (!this.out.some((s) => s.kind === 'insert')) {
      this.diags.push(diag(FlinkErrors.NoInsert, 'the script has no INSERT INTO, so a Flink job would write nothing', undefined,
        'write the features to a sink table with INSERT INTO'));
      return { diagnostics: this.diags };
    }
    const spec: JobSpec = {
      version: JOB_SPEC_VERSION,
      name: this.opts.name,
      config: this.config,
      statements: this.out,
      ...(this.opts.meta ? { meta: { ...this.opts.meta } } : {}),
    };
    return { spec, spans: this.spans, diagnostics: this.diags };
  }
}

function nameOf(s: CreateTable): string {
  return s.name.parts.map((p) => p.text).join('.');
}
