/**
 * The `embedded-kv` connector: an online feature table in Freshet's embedded LMDB store (the zero-setup default; see
 * ../stores/embedded-kv-store.ts), written by an upsert sink with per-key versions and read by lookup joins.
 *
 *   'connector' = 'embedded-kv', 'path' = '...' (default <data dir>/kv), 'table' = 'user_features'
 */
import path from 'node:path';
import type { Diagnostic } from '../../common/diagnostics.js';
import type { TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { optionDiag } from '../option-validation.js';
import { createKvConnector } from '../stores/kv-connector.js';
import { EmbeddedKvStore, defaultKvPath } from '../stores/embedded-kv-store.js';

/** The store directory of a table: `path` resolved against the script directory, or `<data dir>/kv`. */
export function embeddedKvPath(ctx: TableContext): string {
  const p = ctx.options['path'];
  if (p === undefined || p === '') return defaultKvPath();
  return path.resolve(ctx.baseDir, p.startsWith('file://') ? p.slice(7) : p);
}

function validateStore(ctx: TableContext, out: Diagnostic[]): void {
  const p = ctx.options['path'];
  if (p !== undefined && p.trim() === '') out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'path', "option 'path' must not be empty"));
}

export const embeddedKvConnector = createKvConnector({
  identifier: 'embedded-kv',
  options: {
    path: { description: "Directory of the embedded store; default '<data dir>/kv' ($FRESHET_DATA_DIR or .freshet). Relative paths resolve against the script directory." },
  },
  validateStore,
  createStore: (ctx) => new EmbeddedKvStore({ path: embeddedKvPath(ctx) }),
});
