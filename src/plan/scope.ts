/**
 * Name resolution scope of a relation: its visible columns with their qualifiers (table name or alias). Column
 * references resolve to positions in the relation's row. Flink identifiers are case-sensitive; a near miss gets a
 * "did you mean" hint. A relation may have several columns of the same name (a derived table selecting `a, 1 AS a`):
 * as in Flink, such a name is then ambiguous wherever it is referenced, even qualified.
 */
import type { SqlType } from '../common/types.js';

export interface ScopeField {
  name: string;
  /** Table name or alias the column is visible under. */
  qualifier?: string;
  type: SqlType;
  /** Position in the relation's row. */
  index: number;
  /**
   * The FROM item the column belongs to (a number unique within a binder): tells two columns of one relation from
   * columns of two relations that share a qualifier (or have none, as unaliased derived tables).
   */
  origin?: number;
}

/** True when two scope columns come from the same FROM item. */
export function sameRelation(a: ScopeField, b: ScopeField): boolean {
  return a.qualifier === b.qualifier && a.origin === b.origin;
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
