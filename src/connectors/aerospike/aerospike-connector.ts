/**
 * The `aerospike` connector: an online feature table in Aerospike (layout in ../stores/aerospike-kv-store.ts),
 * written by an upsert sink with per-key versions and read by lookup joins. The client library is an optional
 * dependency, loaded when a job opens the table.
 *
 *   'connector' = 'aerospike', 'hosts' = 'h1:3000,h2:3000', 'namespace' = 'features', 'set' = '...' (default the
 *   table name), 'username' / 'password', 'table' = 'user_features'
 */
import type { Diagnostic } from '../../common/diagnostics.js';
import type { TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { optionDiag } from '../option-validation.js';
import { AerospikeKvStore } from '../stores/aerospike-kv-store.js';
import { createKvConnector, storeTableName } from '../stores/kv-connector.js';

const HOST_PORT = /^[^\s,:]+(:\d{1,5})?$/;

function validateStore(ctx: TableContext, out: Diagnostic[]): void {
  const hosts = ctx.options['hosts'];
  if (hosts !== undefined && !hosts.split(',').every((h) => HOST_PORT.test(h.trim()))) {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'hosts', `option 'hosts' must be 'host[:port][,host[:port]...]', got '${hosts}'`));
  }
  const set = ctx.options['set'] ?? storeTableName(ctx);
  if (new TextEncoder().encode(set).length > 63) out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, ctx.options['set'] !== undefined ? 'set' : 'table', `Aerospike set names are at most 63 bytes; '${set}' is longer`, "set 'set' to a shorter name"));
  const ns = ctx.options['namespace'];
  if (ns !== undefined && ns.trim() === '') out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'namespace', "option 'namespace' must not be empty"));
  if ((ctx.options['username'] === undefined) !== (ctx.options['password'] === undefined)) {
    out.push(optionDiag(ctx, ConnectorErrors.ConflictingOptions, ctx.options['username'] === undefined ? 'password' : 'username', "options 'username' and 'password' go together"));
  }
}

export const aerospikeConnector = createKvConnector({
  identifier: 'aerospike',
  options: {
    hosts: { default: '127.0.0.1:3000', description: 'Seed nodes, host[:port] separated by commas.' },
    namespace: { required: true, description: 'Aerospike namespace holding the feature tables.' },
    set: { description: 'Set of this table; default the table name.' },
    username: { description: 'User (security-enabled clusters).' },
    password: { description: 'Password (secret: keep it in the data dictionary connection secrets, not in scripts).' },
  },
  validateStore,
  createStore(ctx) {
    const o = ctx.options;
    return new AerospikeKvStore({
      namespace: o['namespace']!,
      ...(o['hosts'] !== undefined ? { hosts: o['hosts'] } : {}),
      ...(o['set'] !== undefined ? { set: o['set'] } : {}),
      ...(o['username'] !== undefined ? { user: o['username'] } : {}),
      ...(o['password'] !== undefined ? { password: o['password'] } : {}),
    });
  },
});
