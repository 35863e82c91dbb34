/**
 * The `embedded-log` connector: reads a topic of Freshet's embedded durable log (see embedded-log.ts), with Kafka's
 * option names where they mean the same thing. Source only: events enter the log through the REST API
 * (`POST /api/sources/{name}/events`) or `freshet produce`.
 *
 * Options: `topic` (required), `path` (the log directory; default `<data dir>/log`, the data dir being
 * `$FRESHET_DATA_DIR` or `.freshet`; relative paths resolve against the script directory), `format` (json),
 * `scan.startup.mode` (earliest-offset | latest-offset), `scan.bounded.mode` (unbounded | latest-offset),
 * `freshet.discriminator` + `freshet.discriminator.value` (multi-type topics).
 */
import path from 'node:path';
import type { Diagnostic } from '../../common/diagnostics.js';
import { FreshetError } from '../../common/diagnostics.js';
import { dataDir, logDirOf } from '../../catalog/dictionary/data-dir.js';
import { parseDiscriminator } from '../../catalog/dictionary/discriminator.js';
import type { ConnectorFactory, TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { checkFormat, checkOptionKeys, optionDiag } from '../option-validation.js';
import { EmbeddedLogSource } from './embedded-log-source.js';
import { validTopicName } from './log-format.js';

const OPTIONS: ConnectorFactory['options'] = {
  topic: { required: true, description: 'The topic to read.' },
  path: { description: "Directory of the embedded log; default '<data dir>/log' ($FRESHET_DATA_DIR or .freshet)." },
  format: { required: true, description: "Message format: 'json'." },
  'scan.startup.mode': { default: 'earliest-offset', description: "Where a new job starts: 'earliest-offset' or 'latest-offset'." },
  'scan.bounded.mode': { default: 'unbounded', description: "'latest-offset' stops at the end of each partition as of the job's start; 'unbounded' never ends." },
  'freshet.discriminator': { description: "Multi-type topics: '$.path' into the message or 'header:<name>' holding the type." },
  'freshet.discriminator.value': { description: 'Multi-type topics: the type value whose messages this table reads.' },
};

export function logRoot(ctx: TableContext): string {
  const p = ctx.options['path'];
  return p === undefined || p === '' ? logDirOf(dataDir()) : path.resolve(ctx.baseDir, p.startsWith('file://') ? p.slice(7) : p);
}

function validate(ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (role === 'sink') {
    out.push(optionDiag(ctx, ConnectorErrors.UnsupportedRole, 'connector', "the 'embedded-log' connector can only be read",
      'append events with POST /api/sources/{name}/events or freshet produce'));
  }
  const fmt = checkFormat(ctx);
  out.push(...fmt.diagnostics);
  out.push(...checkOptionKeys(embeddedLogConnector, ctx, { extraKeys: fmt.keys }));
  if (ctx.options['format'] !== undefined && ctx.options['format'] !== 'json' && fmt.format !== undefined) {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'format', `the embedded log holds JSON messages; format '${ctx.options['format']}' is not supported`, "use 'format' = 'json'"));
  }
  const topic = ctx.options['topic'];
  if (topic !== undefined && !validTopicName(topic)) {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'topic', `invalid topic name '${topic}'`, 'use letters, digits, ., _ and -'));
  }
  const enumOpt = (key: string, values: string[]): void => {
    const v = ctx.options[key];
    if (v !== undefined && !values.includes(v)) {
      out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, key, `option '${key}' must be one of ${values.map((x) => `'${x}'`).join(', ')}, got '${v}'`));
    }
  };
  enumOpt('scan.startup.mode', ['earliest-offset', 'latest-offset']);
  enumOpt('scan.bounded.mode', ['unbounded', 'latest-offset']);
  const d = ctx.options['freshet.discriminator'];
  const dv = ctx.options['freshet.discriminator.value'];
  if (d !== undefined) {
    const p = parseDiscriminator(d);
    if (typeof p === 'string') out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'freshet.discriminator', p));
  }
  if ((d === undefined) !== (dv === undefined)) {
    out.push(optionDiag(ctx, ConnectorErrors.ConflictingOptions, d === undefined ? 'freshet.discriminator.value' : 'freshet.discriminator',
      "options 'freshet.discriminator' and 'freshet.discriminator.value' go together"));
  }
  return out;
}

export const embeddedLogConnector: ConnectorFactory = {
  identifier: 'embedded-log',
  options: OPTIONS,
  validate,
  createSource(ctx) {
    const errors = validate(ctx, 'source').filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new FreshetError(errors);
    return new EmbeddedLogSource(ctx, logRoot(ctx));
  },
};
