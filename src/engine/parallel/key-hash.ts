/**
 * Key-hash routing for the parallel engine: which of P instances of a keyed operator owns a row. The hash is taken
 * over the same key encoding the operators use for their state (`makeKeyFn`, or `makeJoinKeyFns` for the two sides
 * of a join), so rows an operator would group together always reach the same instance, and both sides of a join
 * route equal keys alike. Invariant: the hash depends only on the key value (never on object identity, the thread or
 * the process), so routing is identical across workers, runs and restores.
 */
import type { Row } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { ProgramOp } from '../../program/program.js';
import { makeKeyFn, type KeyFn } from '../keys.js';
import { makeJoinKeyFns } from '../operators/join/join-keys.js';

/** 32-bit FNV-1a over UTF-16 code units. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3's 32-bit finalizer: spreads consecutive integers over all buckets. */
function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Stable hash of a key as produced by a KeyFn (a primitive or a string). Numbers that are equal as Map keys hash
 * equally (0 and -0; NaN with NaN).
 */
export function hashKey(k: unknown): number {
  switch (typeof k) {
    case 'string': return hashString(k);
    case 'number':
      if (Number.isInteger(k) && k >= -0x80000000 && k <= 0x7fffffff) return mix32(k | 0);
      return hashString(String(k));
    case 'boolean': return k ? 0x9e3779b9 : 0x7f4a7c15;
    case 'bigint': return hashString(String(k));
    default:
      return k === null || k === undefined ? 0 : hashString(String(k));
  }
}

/** Index of the owning instance among `p` for a row, given the key function of its input. */
export function ownerOf(keyFn: KeyFn, row: Row, p: number): number {
  return hashKey(keyFn(row)) % p;
}

/**
 * Routing key columns of a keyed operator, per input; undefined for operators that keep no keyed state (they
 * run wherever their input runs). An empty list means the operator is keyed on nothing (a global aggregate, an
 * unpartitioned Top-N, a join without equi-keys) and can only run as one instance.
 */
export function routingKeys(p: ProgramOp): number[][] | undefined {
  switch (p.kind) {
    case 'groupAggregate': case 'windowAggregate': return [p.groupKeys];
    case 'sessionWindowAggregate': {
      const cols = [...p.groupKeys];
      for (const k of p.window.partitionKeys ?? []) if (!cols.includes(k)) cols.push(k);
      return [cols];
    }
    case 'overAggregate': return [p.over.partitionKeys];
    case 'rank': case 'windowRank': return [p.partitionKeys];
    case 'deduplicate': return [p.keys];
    case 'join': case 'intervalJoin': case 'temporalJoin': case 'windowJoin': return [p.leftKeys, p.rightKeys];
    default: return undefined;
  }
}

/** The key function routing rows of input `input` of keyed operator `p` (inputs produce `inFields`). */
export function routingKeyFn(p: ProgramOp, input: number, inFields: RowField[][]): KeyFn {
  switch (p.kind) {
    case 'join': case 'intervalJoin': case 'temporalJoin': case 'windowJoin':
      return makeJoinKeyFns(p.leftKeys, p.rightKeys, inFields[0] ?? [], inFields[1] ?? [])[input]!;
    default: {
      const keys = routingKeys(p)?.[0];
      if (!keys) throw new Error(`internal: operator ${p.id} is not keyed`);
      return makeKeyFn(keys, inFields[input] ?? []);
    }
  }
}
