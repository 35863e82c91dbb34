/**
 * Persistence of the data dictionary. Two implementations share one contract (tests/catalog/store-contract.ts):
 * the embedded store (LMDB in the data directory, the default) and PostgreSQL (`FRESHET_CATALOG_URL`).
 *
 * Versioning is compare-and-set: `put(def, expected)` stores `def` (whose version must be expected + 1) only when
 * the current version is `expected` (0 = the source must not exist), and appends it to the history; otherwise it
 * throws a VersionConflict error. Statistics are merged atomically on the store side of the read-modify-write, so
 * concurrent reporters never lose counts.
 */
import { FreshetError, diag } from '../../common/diagnostics.js';
import { DictionaryErrors as E } from './dictionary-error-codes.js';
import type { SourceDefinition, SourceStats, StatsDelta } from './source-model.js';

export interface DictionaryStore {
  readonly kind: 'embedded' | 'postgres';
  get(name: string): Promise<SourceDefinition | undefined>;
  /** Every current definition, sorted by name. */
  list(): Promise<SourceDefinition[]>;
  put(def: SourceDefinition, expectedVersion: number): Promise<void>;
  /** Every saved version of a source, oldest first ([] when unknown). */
  history(name: string): Promise<SourceDefinition[]>;
  /** Removes the source with its history, statistics and lineage; false when it did not exist. */
  delete(name: string): Promise<boolean>;
  getStats(name: string): Promise<SourceStats | undefined>;
  /** Merges a delta into the stored statistics (mergeStats) atomically; returns the result. */
  updateStats(name: string, delta: StatsDelta, now: number): Promise<SourceStats>;
  /** Features (or other consumers) that read the source. */
  getLineage(name: string): Promise<string[]>;
  setLineage(name: string, features: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export function versionConflict(name: string, expected: number, actual: number): FreshetError {
  return new FreshetError(diag(E.VersionConflict,
    expected === 0 ? `source '${name}' exists already (version ${actual})` : `source '${name}' is at version ${actual}, not ${expected}`,
    undefined, expected === 0 ? 'update it with PUT, or choose another name' : 'reload the source and apply the change again'));
}
