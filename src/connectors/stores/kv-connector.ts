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
import { granularitiesFor, parseDurationMs } from '../../plan/rules/tile-features.js';
import { KvSink } from './kv-sink.js';

export const TABLE_OPTION: ConnectorFactory['options'] = {
  table: { description: 'Name of the feature table in the store (keys are fs:<table>:<key>); default: the SQL table name.' },
};

/** Options of tiled feature tables (sliding windows served fresh at read time; docs/serving.md). */
export const TILE_OPTIONS: ConnectorFactory['options'] = {
  'tile.granularities': { description: "Tile sizes, finest first, at most 3, each a multiple of the previous, e.g. '1 min, 1 h, 1 d' (default from the windows)." },
  'tile.retention': { default: '1 h', description: 'Reads at t >= the job clock minus this are complete; older tiles are expired from the store.' },
  'tile.exact': { default: 'true', description: "OVER features: 'true' serves exactly (t - w, t]; 'false' serves at the finest tile's precision with smaller records." },
  'tile.edge-entries': { default: '256', description: 'Most distinct event times stored per finest slice for exact reads; beyond it they are bucketed.' },
  'sink.buffer-flush.max-rows': { default: '0', description: 'Tiled tables: write once this many rows arrived (and at checkpoints and the end); 0 = after every batch. For bulk loads.' },
  'sink.parallelism': { description: 'Writers on Apache Flink (tiled tables: the tile writer\'s parallelism); the embedded engine writes with one writer.' },
};

/** What is wrong with the value of tile option `key` (TILE_OPTIONS), or undefined when it is fine or not a tile option. */
export function tileOptionProblem(key: string, value: string): string | undefined {
  switch (key) {
    case 'tile.granularities': {
      // Against no window: only the sizes themselves are checked (the windows are known when an INSERT is planned).
      const r = granularitiesFor([], value, undefined);
      return typeof r === 'string' ? `${r} (e.g. '1 min, 1 h, 1 d')` : undefined;
    }
    case 'tile.retention': return (parseDurationMs(value) ?? 0) <= 0 ? `tile.retention: cannot read '${value}' as a duration (e.g. '2 h')` : undefined;
    case 'tile.exact': return ['true', 'false'].includes(value.trim().toLowerCase()) ? undefined : `tile.exact must be 'true' or 'false', got '${value}'`;
    case 'tile.edge-entries': return /^[1-9]\d*$/.test(value.trim()) ? undefined : `tile.edge-entries must be a positive integer, got '${value}'`;
    case 'sink.buffer-flush.max-rows': return /^\d+$/.test(value.trim()) ? undefined : `sink.buffer-flush.max-rows must be a non-negative integer, got '${value}'`;
    case 'sink.parallelism': return /^[1-9]\d*$/.test(value.trim()) ? undefined : `sink.parallelism must be a positive integer, got '${value}'`;
    default: return undefined;
  }
}

function validateTileOptions(ctx: TableContext, out: Diagnostic[]): void {
  for (const key of Object.keys(TILE_OPTIONS)) {
    const v = ctx.options[key];
    const problem = v === undefined ? undefined : tileOptionProblem(key, v);
    if (problem !== undefined) out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, key, problem));
  }
}

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
  const options = { ...spec.options, ...TABLE_OPTION, ...TILE_OPTIONS, ...CHANGED_KEYS_OPTIONS };
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
    validateTileOptions(ctx, out);
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
