/**
 * Row pairing shared by the join operators: evaluates the residual join condition over the concatenated row
 * left ++ right (compiled once; evaluated in a reused scratch row so a non-matching pair allocates nothing) and builds
 * output rows, which are always new arrays: joined (left ++ right) or null-padded on one side.
 */
import type { Row } from '../../../common/row.js';
import type { EvalContext } from '../../../functions/index.js';
import type { BExpr } from '../../../plan/bound-expr.js';
import { compileExpr, type RowFn } from '../../codegen.js';
import type { OperatorContext } from '../../operator.js';

export class JoinRows {
  private readonly cond: RowFn | undefined;
  private readonly scratch: unknown[];

  constructor(readonly leftWidth: number, readonly rightWidth: number, condition: BExpr | undefined,
    evalCtx: EvalContext, private readonly ctx: OperatorContext, private readonly opId: string) {
    this.cond = condition === undefined ? undefined : compileExpr(condition, evalCtx);
    this.scratch = new Array<unknown>(leftWidth + rightWidth).fill(null);
  }

  /**
   * True when the residual condition is exactly `true` for the pair (NULL and false do not match). An expression
   * error reports the pair as a bad row and counts as no match, deterministically, so a later retraction of either
   * row finds the same (non-)match.
   */
  matches(left: Row, right: Row): boolean {
    const cond = this.cond;
    if (cond === undefined) return true;
    const s = this.scratch;
    const lw = this.leftWidth;
    for (let i = 0; i < lw; i++) s[i] = left[i];
    for (let i = 0; i < this.rightWidth; i++) s[lw + i] = right[i];
    try {
      return cond(s) === true;
    } catch (err) {
      this.ctx.badRow(this.opId, this.joined(left, right), `join condition failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  joined(left: Row, right: Row): Row {
    const lw = this.leftWidth;
    const out = new Array<unknown>(lw + this.rightWidth);
    for (let i = 0; i < lw; i++) out[i] = left[i];
    for (let i = 0; i < this.rightWidth; i++) out[lw + i] = right[i];
    return out;
  }

  /** left ++ NULLs: a left row without a match. */
  withNullRight(left: Row): Row {
    const lw = this.leftWidth;
    const out = new Array<unknown>(lw + this.rightWidth);
    for (let i = 0; i < lw; i++) out[i] = left[i];
    for (let i = lw; i < out.length; i++) out[i] = null;
    return out;
  }

  /** NULLs ++ right: a right row without a match. */
  withNullLeft(right: Row): Row {
    const lw = this.leftWidth;
    const out = new Array<unknown>(lw + this.rightWidth);
    for (let i = 0; i < lw; i++) out[i] = null;
    for (let i = 0; i < this.rightWidth; i++) out[lw + i] = right[i];
    return out;
  }
}

/** Whether the left / right side of a join type is preserved (null-padded when unmatched). */
export const leftIsOuter = (t: string): boolean => t === 'LEFT' || t === 'FULL';
export const rightIsOuter = (t: string): boolean => t === 'RIGHT' || t === 'FULL';
