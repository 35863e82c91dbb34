/**
 * Name resolution scope of a relation: its visible columns with their qualifiers (table name or alias). Column
 * references resolve to positions in the relation's row. Flink identifiers are case-sensitive; a near miss gets a
 * "did you mean" hint.
 */
import type { SqlType } from '../common/types.js';

export interface ScopeField {
  name: string;
  /** Table name or alias the column is visible under. */
  qualifier?: string;
  type: SqlType;
  /** Position in the relation's row. */
  index: number;
}

export class Scope {
  /** Set when the relation failed to bind: lookups then fail silently instead of piling up follow-on errors. */
  poisoned = false;
  constructor(readonly fields: ScopeField[]) {}

  static of(names: string[], types: SqlType[], qualifier?: string): Scope {
    return new Scope(names.map((name, index) => (qualifier === undefined ? { name, type: types[index]!, index } : { name, qualifier, type: types[index]!, index })));
  }

  byName(name: string, qualifier?: string): ScopeField[] {
    return this.fields.filter((f) => f.name === name && (qualifier === undefined || f.qualifier === qualifier));
  }

  hasQualifier(q: string): boolean {
    return this.fields.some((f) => f.qualifier === q);
  }

  names(): string[] {
    return this.fields.map((f) => f.name);
  }
}
