/**
 * The session catalog: tables and views declared by DDL (and, later, registered in the data dictionary). It stores
 * declarations as written (the CREATE TABLE / CREATE VIEW syntax trees and the directory relative paths resolve
 * against); the binder resolves them to typed tables when a query references them, like Flink's unresolved
 * CatalogTable. Names are case-sensitive, as in Flink; `default_catalog.default_database.` prefixes are accepted.
 */
import type { CreateTable, QueryExpr, ObjectName } from '../sql/ast.js';

export interface TableEntry { kind: 'table'; name: string; ddl: CreateTable; baseDir: string; temporary: boolean }
export interface ViewEntry { kind: 'view'; name: string; query: QueryExpr; columns?: string[]; temporary: boolean; text?: string }
export type CatalogEntry = TableEntry | ViewEntry;

export const DEFAULT_CATALOG = 'default_catalog';
export const DEFAULT_DATABASE = 'default_database';

/** Canonical lookup key of a possibly qualified object name. */
export function objectKey(name: ObjectName | readonly string[]): string {
  const parts = Array.isArray(name) ? [...(name as readonly string[])] : (name as ObjectName).parts.map((p) => p.text);
  if (parts.length === 3 && parts[0] === DEFAULT_CATALOG && parts[1] === DEFAULT_DATABASE) return parts[2]!;
  if (parts.length === 2 && parts[0] === DEFAULT_DATABASE) return parts[1]!;
  return parts.join('.');
}

export class Catalog {
  private readonly entries = new Map<string, CatalogEntry>();

  get(name: ObjectName | readonly string[]): CatalogEntry | undefined {
    return this.entries.get(objectKey(name));
  }

  has(name: ObjectName | readonly string[]): boolean {
    return this.entries.has(objectKey(name));
  }

  put(entry: CatalogEntry): void {
    this.entries.set(entry.name, entry);
  }

  drop(name: ObjectName | readonly string[]): boolean {
    return this.entries.delete(objectKey(name));
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Views and tables whose names are close to `name`, for "did you mean" hints. */
  all(): CatalogEntry[] {
    return [...this.entries.values()];
  }
}
