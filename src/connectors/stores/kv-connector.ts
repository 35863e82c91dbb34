/**
 * Builds the SQL connector of an online store (`redis`, `embedded-kv`, `aerospike`): an upsert sink (kv-sink.ts) and
 * a lookup source (kv-lookup.ts) over a KvStore, with validation shared by the three. Not a scan source: a feature
 * table is read by key (lookup joins, serving), never scanned.
 *
 * Shared options: `table` (the logical feature table name in the store; default the SQL table name) and the
 * changed-keys topic (`changed-keys.*`, changed-keys.ts: announce every change on a Kafka topic). A sink needs a
 * PRIMARY KEY (the entity key).
 */
import { FreshetError, type Diagnostic } from '../../common/diagnostics.js';
import type { KvStore } from '../../engine/kv-store-api.js';
import type { ConnectorFactory, LookupContext, SinkContext, TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { checkOptionKeys, optionDiag } from '../option-validation.js';
import { CHANGED_KEYS_OPTIONS, CHANGED_KEYS_PROPERTIES, ChangedKeysPublisher, parseChangedKeysOptions } from './changed-keys.js';
import { KvLookup } from './kv-lookup.js';
import { KvSink } from './kv-sink.js';

export const TABLE_OPTION: ConnectorFactory['options'] = {
  table: { description: 'Name of the feature table in the store (keys are fs:<table>:<key>); default: the SQL table name.' },
};

export interface KvConnectorSpec {
  identifier: string;
  /** Store-specific options (the shared `table` option is added). */
  options: ConnectorFactory['options'];
  /** Store-specific value checks. */
  validateStore(ctx: TableContext, out: Diagnostic[]): void;
  /** A store for a validated table (not opened). */
  createStore(ctx: TableContext): KvStore;
}

/** The logical table name in the store. */
export function storeTableName(ctx: TableContext): string {
  const t = ctx.options['table'];
  return t === undefined || t.trim() === '' ? ctx.tableName : t;
}

export function createKvConnector(spec: KvConnectorSpec): ConnectorFactory {
  const options = { ...spec.options, ...TABLE_OPTION, ...CHANGED_KEYS_OPTIONS };
  const validate = (ctx: TableContext, role: 'source' | 'sink'): Diagnostic[] => {
    const out: Diagnostic[] = [];
    out.push(...checkOptionKeys(factory, ctx));
    if (role === 'source') {
      out.push(optionDiag(ctx, ConnectorErrors.UnsupportedRole, 'connector',
        `connector '${spec.identifier}' holds an online feature table: it can be written (INSERT INTO) and looked up, not scanned`,
        'read it with a lookup join: JOIN t FOR SYSTEM_TIME AS OF s.proc_time ON s.key = t.key'));
    }
    const t = ctx.options['table'];
    if (t !== undefined && t.trim() === '') out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'table', "option 'table' must not be empty"));
    else if (t !== undefined && /[\s:]/.test(t)) {
      out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'table', `option 'table' must not contain ':' or white space, got '${t}'`));
    }
    const pk = (ctx as Partial<SinkContext>).primaryKey;
    if (role === 'sink' && pk !== undefined && pk.length === 0) {
      out.push(optionDiag(ctx, ConnectorErrors.MissingOption, 'connector',
        `table '${ctx.tableName}' uses connector '${spec.identifier}', an upsert sink keyed by entity, but declares no PRIMARY KEY`,
        'add PRIMARY KEY (<entity key columns>) NOT ENFORCED to the table'));
    }
    parseChangedKeysOptions(ctx, out);
    spec.validateStore(ctx, out);
    return out;
  };
  const requireValid = (ctx: TableContext, role: 'source' | 'sink'): void => {
    const errors = validate(ctx, role).filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new FreshetError(errors);
  };
  const factory: ConnectorFactory = {
    identifier: spec.identifier,
    options,
    optionPrefixes: [CHANGED_KEYS_PROPERTIES],
    validate,
    createSink(ctx: SinkContext) {
      requireValid(ctx, 'sink');
      const table = storeTableName(ctx);
      const ck = parseChangedKeysOptions(ctx, []);
      return new KvSink(ctx, spec.createStore(ctx), table, ck ? new ChangedKeysPublisher(ck, `table '${ctx.tableName}'`, table) : undefined);
    },
    createLookup(ctx: LookupContext) {
      // Validated as a sink would be (every option applies), minus the PRIMARY KEY check the lookup context lacks.
      const errors = validate(ctx, 'sink').filter((d) => d.severity === 'error');
      if (errors.length > 0) throw new FreshetError(errors);
      return new KvLookup(ctx, spec.createStore(ctx), storeTableName(ctx));
    },
    /** The store itself (not opened), for tiled feature tables and serving; its table name is storeTableName(ctx). */
    createStore(ctx: TableContext) {
      const errors = validate(ctx, 'sink').filter((d) => d.severity === 'error');
      if (errors.length > 0) throw new FreshetError(errors);
      return spec.createStore(ctx);
    },
  };
  return factory;
}
