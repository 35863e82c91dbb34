/** Shared helpers for the join operator tests: context with a settable clock, output probe, changelog materialization, rng. */
import assert from 'node:assert/strict';
import type { Batch, Row } from '../../../src/common/row.js';
import { ROW_KIND_SHORT, RowKind } from '../../../src/common/row.js';
import type { RowField, SqlType } from '../../../src/common/types.js';
import { T } from '../../../src/common/types.js';
import type { EvalContext } from '../../../src/functions/index.js';
import { Metrics } from '../../../src/engine/metrics.js';
import { Operator, type OperatorContext } from '../../../src/engine/operator.js';
import type { BExpr, CmpOp } from '../../../src/plan/bound-expr.js';

export const evalCtx: EvalContext = { timeZone: 'UTC', now: () => 0 };

export interface TestCtx extends OperatorContext { clock: number; bad: { row: Row; reason: string }[] }

export function makeCtx(): TestCtx {
  const c: TestCtx = {
    clock: 0,
    bad: [],
    metrics: new Metrics(),
    now: () => c.clock,
    badRow: (_id, row, reason) => { c.bad.push({ row, reason }); },
  };
  return c;
}

export interface Change { kind: RowKind; row: Row }

/** Collects everything emitted downstream, in order, and the forwarded watermarks. */
export class Probe extends Operator {
  log: Change[] = [];
  watermarks: number[] = [];
  constructor(ctx: OperatorContext) { super('probe', [], ctx); }
  process(b: Batch): void {
    for (let i = 0; i < b.rows.length; i++) this.log.push({ kind: b.kinds[i]!, row: b.rows[i]! });
  }
  protected override onWatermark(wm: number): void { this.watermarks.push(wm); }
  /** The log as `+I[1, a]` strings. */
  lines(): string[] { return this.log.map((c) => `${ROW_KIND_SHORT[c.kind]}${JSON.stringify(c.row)}`); }
  take(): string[] { const l = this.lines(); this.log = []; return l; }
}

export function attach(op: Operator, ctx: OperatorContext): Probe {
  const p = new Probe(ctx);
  op.outputs.push({ op: p, input: 0 });
  return p;
}

export const rowKey = (r: Row): string => JSON.stringify(r);

/** Applies a changelog to a multiset (row key -> count); fails on a retraction of a row that is not there. */
export function applyChanges(ms: Map<string, number>, changes: readonly Change[]): Map<string, number> {
  for (const c of changes) {
    const k = rowKey(c.row);
    if (c.kind === RowKind.Insert || c.kind === RowKind.UpdateAfter) ms.set(k, (ms.get(k) ?? 0) + 1);
    else {
      const n = ms.get(k) ?? 0;
      assert.ok(n > 0, `retraction ${ROW_KIND_SHORT[c.kind]}${k} of a row not in the materialized result`);
      if (n === 1) ms.delete(k); else ms.set(k, n - 1);
    }
  }
  return ms;
}

export function multiset(rows: readonly Row[]): Map<string, number> {
  const ms = new Map<string, number>();
  for (const r of rows) { const k = rowKey(r); ms.set(k, (ms.get(k) ?? 0) + 1); }
  return ms;
}

export function sorted(ms: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [k, n] of ms) for (let i = 0; i < n; i++) out.push(k);
  return out.sort();
}

export function assertSameMultiset(actual: Map<string, number>, expected: Map<string, number>, msg: string): void {
  assert.deepEqual(sorted(actual), sorted(expected), msg);
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): { next(): number; int(n: number): number; pick<X>(xs: readonly X[]): X; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
  };
}

export const fields = (...types: [string, SqlType][]): RowField[] => types.map(([name, type]) => ({ name, type }));
export const intCol = (index: number): BExpr => ({ kind: 'col', index, type: T.int() });
export const cmp = (op: CmpOp, a: BExpr, b: BExpr): BExpr => ({ kind: 'cmp', op, args: [a, b], type: T.boolean() });

/** SQL three-valued comparison as the oracle sees it: NULL operands never satisfy it. */
export function cmpTrue(op: CmpOp, a: unknown, b: unknown): boolean {
  if (a === null || b === null) return false;
  const x = a as number, y = b as number;
  switch (op) {
    case '=': return x === y;
    case '<>': return x !== y;
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    case '>=': return x >= y;
  }
}

/** Equi-join key equality: all key values non-NULL and equal. */
export function keysMatch(l: Row, lk: readonly number[], r: Row, rk: readonly number[]): boolean {
  for (let j = 0; j < lk.length; j++) {
    const a = l[lk[j]!], b = r[rk[j]!];
    if (a === null || b === null || a !== b) return false;
  }
  return true;
}

export const nulls = (n: number): null[] => new Array<null>(n).fill(null);

/** A batch of one input. */
export function batch(changes: readonly Change[]): Batch {
  return { rows: changes.map((c) => c.row), kinds: changes.map((c) => c.kind) };
}
export const ins = (...rows: Row[]): Batch => ({ rows, kinds: rows.map(() => RowKind.Insert) });
