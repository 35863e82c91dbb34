/**
 * The `redis` connector: an online feature table in Redis (layout in ../stores/redis-kv-store.ts), written by an
 * upsert sink with per-key versions (exactly-once across restores) and read by lookup joins.
 *
 *   'connector' = 'redis', 'host' = '127.0.0.1', 'port' = '6379', 'password' = '...', 'database' = '0',
 *   'table' = 'user_features'
 */
import type { Diagnostic } from '../../common/diagnostics.js';
import type { TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { optionDiag, positiveInt } from '../option-validation.js';
import { createKvConnector } from '../stores/kv-connector.js';
import { RedisKvStore } from '../stores/redis-kv-store.js';

function validateStore(ctx: TableContext, out: Diagnostic[]): void {
  const port = positiveInt(ctx, 'port', out);
  if (port !== undefined && port > 65535) out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'port', `option 'port' must be at most 65535, got '${port}'`));
  positiveInt(ctx, 'database', out, true);
  const host = ctx.options['host'];
  if (host !== undefined && host.trim() === '') out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'host', "option 'host' must not be empty"));
  const t = ctx.options['connect-timeout'];
  if (t !== undefined) positiveInt(ctx, 'connect-timeout', out);
}

export const redisConnector = createKvConnector({
  identifier: 'redis',
  options: {
    host: { default: '127.0.0.1', description: 'Redis server host.' },
    port: { default: '6379', description: 'Redis server port.' },
    username: { description: 'ACL user name (Redis 6+); default the default user.' },
    password: { description: 'Password (secret: keep it in the data dictionary connection secrets, not in scripts).' },
    database: { default: '0', description: 'Database number (SELECT).' },
    'connect-timeout': { default: '5000', description: 'Milliseconds to wait for the connection.' },
  },
  validateStore,
  createStore(ctx) {
    const o = ctx.options;
    return new RedisKvStore({
      host: o['host'] ?? '127.0.0.1',
      port: o['port'] !== undefined ? Number(o['port']) : 6379,
      ...(o['username'] !== undefined ? { username: o['username'] } : {}),
      ...(o['password'] !== undefined ? { password: o['password'] } : {}),
      ...(o['database'] !== undefined ? { database: Number(o['database']) } : {}),
      ...(o['connect-timeout'] !== undefined ? { connectTimeoutMs: Number(o['connect-timeout']) } : {}),
    });
  },
});
