/**
 * The embedded DuckDB the offline path runs on: one in-memory instance per process (created on first use), with
 * helpers to quote SQL literals and identifiers. Only built-in extensions are used (parquet, json); nothing is
 * downloaded.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | undefined;

/** A new connection to the process's DuckDB instance (close it with `closeSync()` when done). */
export async function duckConnect(): Promise<DuckDBConnection> {
  instance ??= DuckDBInstance.create(':memory:', { threads: '2' });
  return (await instance).connect();
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A quoted SQL identifier (each dot-separated part quoted when `qualified`). */
export function sqlIdent(s: string, qualified = false): string {
  const q = (p: string): string => `"${p.replace(/"/g, '""')}"`;
  return qualified ? s.split('.').map(q).join('.') : q(s);
}
