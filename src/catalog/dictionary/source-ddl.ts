/**
 * The Flink SQL CREATE TABLE text of dictionary sources. Epoch-number and offset-text timestamps become a physical
 * column plus a computed TIMESTAMP_LTZ(3) column (`ts_ltz AS TO_TIMESTAMP_LTZ(ts, 3)`), so the event-time column is
 * usable in windows and watermarks; text timestamps in the table's standard are read natively by the JSON format
 * (`json.timestamp-format.standard`). Each type of a multi-type source is its own table `<source>.<type>` whose
 * connector options select its messages (`freshet.discriminator` / `freshet.discriminator.value`). A schema's
 * `procTimeColumn` adds `<name> AS PROCTIME()` (the probe-side time of lookup joins).
 */
import { DEFAULT_WATERMARK_DELAY_MS, topicOf, type FieldSpec, type SourceDefinition, type TypeSchema, REDACTED } from './source-model.js';

export const quoteIdent = (s: string): string => '`' + s.replace(/`/g, '``') + '`';
export const quoteString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** `INTERVAL '5' SECOND`, `INTERVAL '0.25' SECOND`. */
export function intervalSeconds(ms: number): string {
  const text = ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3).replace(/0+$/, '');
  return `INTERVAL ${quoteString(text)} SECOND`;
}

/** The computed expression of a field that needs one (epoch numbers, text parsed by pattern), else undefined. */
export function computedTimeExpr(f: FieldSpec): string | undefined {
  const col = quoteIdent(f.name);
  switch (f.timestampFormat) {
    case 'epoch-millis': return `TO_TIMESTAMP_LTZ(${col}, 3)`;
    case 'epoch-seconds': return `TO_TIMESTAMP_LTZ(${col}, 0)`;
    case undefined: return undefined;
    default:
      if (!f.timestampPattern || !/^(STRING|VARCHAR)/.test(f.type)) return undefined;
      // Text with a zone (Z or an offset) is an instant; without one it is a wall-clock TIMESTAMP(3).
      return f.timestampFormat === 'sql' || f.timestampFormat === 'iso'
        ? `TO_TIMESTAMP(${col}, ${quoteString(f.timestampPattern)})`
        : `TO_TIMESTAMP_LTZ(${col}, ${quoteString(f.timestampPattern)})`;
  }
}

/** One CREATE TABLE statement for a schema under a (possibly qualified) name. */
export function typeSchemaDdl(nameParts: readonly string[], schema: TypeSchema, withOptions: Record<string, string>): string {
  const lines: string[] = [];
  for (const f of schema.fields) {
    let l = `  ${quoteIdent(f.name)} ${f.type}${f.nullable ? '' : ' NOT NULL'}`;
    if (f.description) l += ` COMMENT ${quoteString(f.description)}`;
    lines.push(l);
  }
  for (const f of schema.fields) {
    const expr = computedTimeExpr(f);
    if (expr) lines.push(`  ${quoteIdent(f.timeColumn ?? `${f.name}_ltz`)} AS ${expr}`);
  }
  // After the physical and computed time columns, before the watermark (the order Flink's DESCRIBE shows).
  if (schema.procTimeColumn) lines.push(`  ${quoteIdent(schema.procTimeColumn)} AS PROCTIME()`);
  if (schema.eventTimeColumn) {
    const c = quoteIdent(schema.eventTimeColumn);
    lines.push(`  WATERMARK FOR ${c} AS ${c} - ${intervalSeconds(schema.watermarkDelayMs ?? DEFAULT_WATERMARK_DELAY_MS)}`);
  }
  const opts = { ...withOptions };
  if (schema.timestampStandard === 'ISO-8601') opts['json.timestamp-format.standard'] = 'ISO-8601';
  const withText = Object.entries(opts).map(([k, v]) => `  ${quoteString(k)} = ${quoteString(v)}`).join(',\n');
  const comment = schema.description ? `\nCOMMENT ${quoteString(schema.description)}` : '';
  return `CREATE TABLE ${nameParts.map(quoteIdent).join('.')} (\n${lines.join(',\n')}\n)${comment} WITH (\n${withText}\n)`;
}

export interface DdlOptions {
  /** Root directory of the embedded log (the `path` option); required for embedded-log sources to be runnable. */
  logDir?: string;
  /** Options added to (or overriding) every generated table, e.g. `{'scan.bounded.mode': 'latest-offset'}`. */
  extraOptions?: Record<string, string>;
  /** Replace secret values by REDACTED (for display). */
  redactSecrets?: boolean;
}

/** The connector options of a source's tables (before per-type discriminator options). */
export function connectorOptions(def: SourceDefinition, opts: DdlOptions = {}): Record<string, string> {
  const o: Record<string, string> = {};
  const c = def.connection;
  if (def.kind === 'kafka') {
    o['connector'] = 'kafka';
    o['topic'] = topicOf(def);
    if (c.bootstrapServers) o['properties.bootstrap.servers'] = c.bootstrapServers;
    for (const [k, v] of Object.entries(c.properties ?? {})) o[`properties.${k}`] = v;
    for (const [k, v] of Object.entries(c.secrets ?? {})) o[`properties.${k}`] = opts.redactSecrets ? REDACTED : v;
  } else {
    o['connector'] = 'embedded-log';
    o['topic'] = topicOf(def);
    if (opts.logDir !== undefined) o['path'] = opts.logDir;
  }
  o['scan.startup.mode'] = c.startupMode ?? 'earliest-offset';
  o['format'] = 'json';
  if (def.format.ignoreParseErrors ?? true) o['json.ignore-parse-errors'] = 'true';
  return { ...o, ...(opts.extraOptions ?? {}) };
}

export interface TableDdl { table: string; nameParts: string[]; ddl: string }

/** The CREATE TABLE statements of a source: one table, or one per type of a multi-type source. */
export function sourceTablesDdl(def: SourceDefinition, opts: DdlOptions = {}): TableDdl[] {
  const base = connectorOptions(def, opts);
  if (def.types && def.discriminator) {
    return Object.entries(def.types).map(([type, schema]) => ({
      table: `${def.name}.${type}`,
      nameParts: [def.name, type],
      ddl: typeSchemaDdl([def.name, type], schema, {
        ...base, 'freshet.discriminator': def.discriminator!.path, 'freshet.discriminator.value': type,
      }),
    }));
  }
  return [{ table: def.name, nameParts: [def.name], ddl: typeSchemaDdl([def.name], def.schema ?? { fields: [] }, base) }];
}
