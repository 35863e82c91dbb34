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
import type { TableDdl } from '../catalog/dictionary/source-ddl.js';
import { FlinkErrors } from './flink-error-codes.js';
import { TILES_OPTION, planTiledInserts, sqlString, type TiledInsertPlan } from './tiled-insert.js';
import { headerDiscriminatorName, headerSplitOptions, headerSplitStatements } from './header-discriminator.js';
import { JOB_SPEC_VERSION, secretPlaceholder, type JobCapability, type JobSpec, type JobStatement } from './job-spec.js';

/**
 * Connectors of Freshet's Flink cluster (scripts/flink/pom.xml), of Flink's own distribution, and of the template jar
 * itself (`redis` and `aerospike`: flink/src/main/java/dev/freshet/flink/{redis,aerospike}, the same store layouts as
 * the embedded engine's).
 */
export const FLINK_CONNECTORS: readonly string[] = ['filesystem', 'kafka', 'upsert-kafka', 'datagen', 'print', 'blackhole', 'redis', 'aerospike'];

/** Connectors implemented by the template jar: a spec using one `requires` it, so an older jar refuses the spec. */
const TEMPLATE_CONNECTORS: Readonly<Record<string, JobCapability>> = { redis: 'redis', aerospike: 'aerospike' };

/**
 * Option keys whose values are secrets: they leave the SQL text and travel in the spec's `secrets` (job-spec.ts), so
 * printed specs, `freshet explain --engine flink` and Flink's logs of the SQL never show them.
 */
export function isSecretOption(key: string): boolean {
  return /(^|[.-])(password|secret|token)($|[.-])/i.test(key) || /sasl\.jaas\.config$/i.test(key) || /(^|\.)ssl\.key(store)?\.password$/i.test(key);
}

/**
 * Options of a tiled feature table carried to its Flink tile table (the connection of a `redis` or `aerospike` table,
 * and `sink.parallelism`, the tile writer's parallelism; the layout is in `freshet.tiles`).
 */
const TILE_TABLE_OPTIONS = new Set(['connector', 'host', 'port', 'username', 'password', 'database', 'connect-timeout', 'hosts', 'namespace', 'set', 'sink.parallelism']);

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
  /**
   * Data dictionary tables (dictionary-tables.ts): those the script references without declaring them are declared
   * first in the spec (with a CREATE DATABASE for their source's name), as the embedded engine's catalog has them.
   */
  dictionaryTables?: readonly TableDdl[];
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
  // Tiled feature tables (sliding windows served fresh at read time, docs/serving.md) are found by planning the script
  // as the embedded engine would, and rewritten for the template's tile writer (tiled-insert.ts).
  const tiled = planTiledInserts(text, parsed.statements, opts.baseDir ?? '.');
  const r = buildJobSpec(parsed.statements, opts, tiled.plans);
  if (tiled.diagnostics.length > 0) return { diagnostics: [...parsed.diagnostics, ...r.diagnostics, ...tiled.diagnostics] };
  return { ...r, diagnostics: [...parsed.diagnostics, ...r.diagnostics] };
}

/** Builds the spec from parsed statements (see the module comment). */
export function buildJobSpec(statements: readonly Statement[], opts: BuildJobSpecOptions,
  tiles: ReadonlyMap<string, TiledInsertPlan> = new Map()): BuildJobSpecResult {
  const b = new SpecBuilder(opts, tiles);
  for (const s of dictionaryStatements(statements, opts.dictionaryTables ?? [])) b.statement(s);
  for (const s of statements) b.statement(s);
  return b.finish();
}

class SpecBuilder {
  private readonly config: Record<string, string>;
  private readonly out: JobStatement[] = [];
  private readonly spans: Span[] = [];
  private readonly diags: Diagnostic[] = [];
  private readonly connectors: Set<string>;
  private readonly secrets: Record<string, string> = {};
  private readonly requires = new Set<JobCapability>();

  /** Kept (secret-substituted) options of tiled feature tables, by lower-cased name: the tile table is declared with them. */
  private readonly tileOptions = new Map<string, TableOption[]>();

  /** Tables of one type of a multi-type topic split by a Kafka header: declared as a hidden table and a view. */
  private readonly headerSplits = new Map<CreateTable, { header: string; value: string }>();

  constructor(private readonly opts: BuildJobSpecOptions, private readonly tiles: ReadonlyMap<string, TiledInsertPlan>) {
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
    const template = connector ? TEMPLATE_CONNECTORS[connector.value.value] : undefined;
    if (template !== undefined) {
      this.requires.add(template);
      if (!s.primaryKey) {
        this.diags.push(diag(FlinkErrors.UnsupportedStatement,
          `table '${nameOf(s)}' uses connector '${connector!.value.value}', an upsert sink keyed by entity, but declares no PRIMARY KEY`,
          s.span, 'add PRIMARY KEY (<entity key columns>) NOT ENFORCED to the table'));
        return;
      }
    }
    const multi = this.multiType(s);
    if (multi === false) return;
    const kept: TableOption[] = [];
    for (const o of multi ?? s.options) {
      const key = o.key.value;
      // The template's store connectors announce changes on the changed-keys topic (the same options and messages
      // as the embedded engine; exactly-once through Flink's KafkaSink transactions).
      if (template !== undefined && key.startsWith('changed-keys.')) this.requires.add('changed-keys');
      if (isSecretOption(key)) {
        const name = `s${Object.keys(this.secrets).length}`;
        this.secrets[name] = o.value.value;
        this.requires.add('secrets');
        kept.push({ ...o, value: { ...o.value, value: secretPlaceholder(name) } });
        continue;
      }
      if (DISCRIMINATOR_KEYS.has(key)) continue; // became the freshet-json format's options (multiType below)
      if (key.startsWith('freshet.')) {
        this.warnDropped(`table '${nameOf(s)}': option '${key}' is Freshet-only and is left out of the Flink job`, o.key.span);
        continue;
      }
      kept.push(connector?.value.value === 'filesystem' && key === 'path' ? this.absolutePath(o) : o);
    }
    const tiledName = s.name.parts[s.name.parts.length - 1]!.text.toLowerCase();
    if (template !== undefined && this.tiles.has(tiledName)) this.tileOptions.set(tiledName, kept);
    const split = this.headerSplits.get(s);
    if (split) for (const sql of headerSplitStatements(s, kept, split.header, split.value)) this.push('ddl', sql, s.span);
    else this.push('ddl', printStatement({ ...s, options: kept }), s.span);
  }

  /**
   * A table of one type of a multi-type topic (`freshet.discriminator` + `freshet.discriminator.value`) reads with the
   * template's `freshet-json` format, which decodes the messages of its type with Flink's JSON format and skips the
   * others: `format` becomes `freshet-json`, `json.*` options move under `freshet-json.`, and the discriminator options
   * become `freshet-json.discriminator[.value]`. Returns the rewritten options, undefined when the table is not
   * multi-type, or false after reporting why it cannot run on Flink (header discriminators, other formats).
   */
  private multiType(s: CreateTable): TableOption[] | undefined | false {
    const find = (k: string): TableOption | undefined => s.options.find((o) => o.key.value === k);
    const path = find('freshet.discriminator'), value = find('freshet.discriminator.value');
    if (!path && !value) return undefined;
    const fail = (o: TableOption, message: string, hint: string): false => {
      this.diags.push(diag(FlinkErrors.UnsupportedStatement, `table '${nameOf(s)}': ${message}`, o.key.span, hint));
      return false;
    };
    if (!path || !value) return fail((path ?? value)!, "a multi-type table needs both 'freshet.discriminator' and 'freshet.discriminator.value'", 'set both options');
    const header = headerDiscriminatorName(path.value.value);
    if (header !== undefined) {
      // header:<name>: a hidden table with the headers metadata column and a view selecting the type (header-discriminator.ts).
      if (header === '') return fail(path, "a header discriminator needs a name: 'header:<name>'", "e.g. 'header:type'");
      if (find('connector')?.value.value !== 'kafka') return fail(path, "header discriminators need the 'kafka' connector on the Flink engine", "use 'connector' = 'kafka'");
      if (find('format')?.value.value !== 'json') {
        return fail(find('format') ?? path, `multi-type topics need 'format' = 'json' on the Flink engine (got '${find('format')?.value.value ?? ''}')`, 'use the JSON format');
      }
      this.headerSplits.set(s, { header, value: value.value.value });
      return headerSplitOptions(s.options);
    }
    if (!/^\$\.[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/.test(path.value.value.trim())) {
      return fail(path, `discriminator '${path.value.value}' is not supported on the Flink engine yet (only JSON paths such as '$.type' are)`,
        'put the type in the message body, or run the script on the embedded engine');
    }
    const format = find('format');
    if (format?.value.value !== 'json') {
      return fail(format ?? path, `multi-type topics need 'format' = 'json' on the Flink engine (got '${format?.value.value ?? ''}')`, "use the JSON format");
    }
    this.requires.add('multi-type');
    const opt = (o: TableOption, key: string, v = o.value.value): TableOption => ({ ...o, key: { ...o.key, value: key }, value: { ...o.value, value: v } });
    const out: TableOption[] = [];
    for (const o of s.options) {
      const k = o.key.value;
      if (o === format) out.push(opt(o, 'format', 'freshet-json'));
      else if (k.startsWith('json.')) out.push(opt(o, `freshet-json.${k.slice('json.'.length)}`));
      else if (o === path) out.push(opt(o, 'freshet-json.discriminator', o.value.value.trim()));
      else if (o === value) out.push(opt(o, 'freshet-json.discriminator.value'));
      else out.push(o);
    }
    return out;
  }

  /** Flink's TaskManagers do not run in the script's directory: relative local paths become absolute. */
  private absolutePath(o: TableOption): TableOption {
    const p = o.value.value;
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(p) || isAbsolute(p)) return o; // a URI (file:, s3:, ...) or already absolute
    return { ...o, value: { ...o.value, value: resolve(this.opts.baseDir ?? '.', p) } };
  }

  private insert(s: Insert): void {
    const tiled = this.tiles.get(s.target.parts[s.target.parts.length - 1]!.text.toLowerCase());
    if (tiled !== undefined) {
      this.tiledInsert(s, tiled);
      return;
    }
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

  /**
   * A tiled INSERT: the projection the tile writer consumes goes to a table of the template's `redis` or `aerospike`
   * connector (the feature table's) in tile mode (same connection options as the feature table, the `freshet.tiles`
   * config); the feature table itself stays declared (it may be read by lookups).
   */
  private tiledInsert(s: Insert, plan: TiledInsertPlan): void {
    const kept = this.tileOptions.get(plan.table.toLowerCase());
    if (kept === undefined) {
      this.diags.push(diag(FlinkErrors.UnsupportedStatement,
        `feature table '${plan.table}' is a tiled sliding-window feature; on the Flink engine tiles are written to 'redis' and 'aerospike' tables only`, s.span,
        "use 'connector' = 'redis' or 'aerospike' for this table, or run it on the embedded engine"));
      return;
    }
    this.requires.add('tiles');
    const options = kept.filter((o) => TILE_TABLE_OPTIONS.has(o.key.value)).map((o) => `${sqlString(o.key.value)} = ${sqlString(o.value.value)}`);
    options.push(`'table' = ${sqlString(plan.config.spec.table)}`, `${sqlString(TILES_OPTION)} = ${sqlString(JSON.stringify(plan.config))}`);
    this.push('ddl', `CREATE TABLE \`${plan.flinkTable.replace(/`/g, '``')}\` (${plan.columns}) WITH (${options.join(', ')})`, s.span);
    this.push('insert', plan.insertSql, s.span);
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
      ...(this.requires.size > 0 ? { requires: [...this.requires].sort() } : {}),
      ...(Object.keys(this.secrets).length > 0 ? { secrets: { ...this.secrets } } : {}),
      ...(this.opts.meta ? { meta: { ...this.opts.meta } } : {}),
    };
    return { spec, spans: this.spans, diagnostics: this.diags };
  }
}

/**
 * The parsed DDL of the dictionary tables the script references and does not declare itself, each source's
 * `CREATE DATABASE IF NOT EXISTS` first (a dictionary table `src.type` is table `type` of database `src` on Flink).
 */
function dictionaryStatements(statements: readonly Statement[], tables: readonly TableDdl[]): Statement[] {
  if (tables.length === 0) return [];
  const declared = new Set<string>();
  const referenced = new Set<string>();
  for (const s of statements) {
    if ((s.kind === 'CreateTable' || s.kind === 'CreateView') && 'name' in s) declared.add(s.name.parts.map((p) => p.text).join('.'));
  }
  collectNames(statements, referenced);
  const out: Statement[] = [];
  const databases = new Set<string>();
  for (const t of tables) {
    const name = t.nameParts.join('.');
    if (!referenced.has(name) || declared.has(name)) continue;
    const text = [
      ...(t.nameParts.length > 1 && !databases.has(t.nameParts[0]!) ? [`CREATE DATABASE IF NOT EXISTS \`${t.nameParts[0]!.replace(/`/g, '``')}\``] : []),
      t.ddl,
    ].join(';\n');
    if (t.nameParts.length > 1) databases.add(t.nameParts[0]!);
    // Flink's errors in these statements are located at the script's first statement (the DDL is not in the script).
    const anchor = statements[0]?.span;
    for (const st of parseScript(text).statements) out.push(anchor ? { ...st, span: anchor } : st);
  }
  return out;
}

/** Every object name (table, view references) anywhere in the statements, dotted. */
function collectNames(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const x of node) collectNames(x, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as { kind?: unknown; parts?: unknown };
  if (o.kind === 'ObjectName' && Array.isArray(o.parts)) out.add((o.parts as { text: string }[]).map((p) => p.text).join('.'));
  for (const v of Object.values(node)) if (v !== null && typeof v === 'object') collectNames(v, out);
}

function nameOf(s: CreateTable): string {
  return s.name.parts.map((p) => p.text).join('.');
}
