/**
 * Lowers optimized logical plans to the program IR. Chains of projections and filters fuse into one `calc`
 * operator (expressions are composed by substitution, so the engine runs one compiled loop per chain).
 * Operators get stable ids `<n>:<Kind>` in creation order, which checkpoints use to find their state.
 */
import type { BExpr } from '../plan/bound-expr.js';
import { mapCols } from '../plan/bound-expr.js';
import type { LogicalNode, TableDef } from '../plan/logical-plan.js';
import type { Program, ProgramOp } from './program.js';
import type { TileSinkSpec } from '../plan/rules/tile-features.js';

/** Substitutes column references of `e` by the projection expressions they read. */
function inline(e: BExpr, projection: BExpr[]): BExpr {
  return mapCols(e, (c) => projection[c.index]!);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type CalcNode = Extract<LogicalNode, { kind: 'project' | 'filter' }>;

export class Lowering {
  readonly ops: ProgramOp[] = [];
  private n = 0;
  private readonly memo = new Map<LogicalNode, string>();

  private add(op: DistributiveOmit<ProgramOp, 'id'>, kind: string): string {
    const id = `${++this.n}:${kind}`;
    this.ops.push({ ...op, id } as unknown as ProgramOp);
    return id;
  }

  /** Returns the id of the operator producing `node`'s rows. */
  lower(node: LogicalNode): string {
    const hit = this.memo.get(node);
    if (hit) return hit;
    const id = this.lowerNode(node);
    this.memo.set(node, id);
    return id;
  }

  private lowerNode(node: LogicalNode): string {
    const base = { fields: node.fields, updating: node.updating };
    switch (node.kind) {
      case 'scan': return this.add({ kind: 'source', inputs: [], table: node.table, ...base }, 'Source');
      case 'values': return this.add({ kind: 'values', inputs: [], rows: node.rows as unknown[][], ...base }, 'Values');
      case 'project': case 'filter': {
        // Collect the chain down to the first non-calc node, composing condition and projection.
        let condition: BExpr | undefined;
        let projection: BExpr[] | null = null;
        let cur: LogicalNode = node;
        const chain: CalcNode[] = [];
        while (cur.kind === 'project' || cur.kind === 'filter') { chain.push(cur); cur = cur.input; }
        // Apply from the bottom up: each step's expressions are over the previous step's output.
        for (let i = chain.length - 1; i >= 0; i--) {
          const step = chain[i]!;
          if (step.kind === 'filter') {
            const c = projection ? inline(step.condition, projection) : step.condition;
            condition = condition ? { kind: 'and', args: [condition, c], type: c.type } : c;
          } else {
            projection = projection ? step.exprs.map((e) => inline(e, projection!)) : step.exprs;
          }
        }
        const input = this.lower(cur);
        if (projection && projection.length === cur.fields.length && projection.every((e, i) => e.kind === 'col' && e.index === i)) projection = null;
        if (!condition && !projection) return input;
        return this.add({ kind: 'calc', inputs: [input], ...(condition ? { condition } : {}), projection, ...base }, 'Calc');
      }
      case 'aggregate': return this.add({ kind: 'groupAggregate', inputs: [this.lower(node.input)], groupKeys: node.groupKeys, aggs: node.aggs, ...(node.ttlMs ? { stateTtlMs: node.ttlMs } : {}), ...base }, 'GroupAggregate');
      case 'windowTvf': return this.add({ kind: 'windowTvf', inputs: [this.lower(node.input)], window: node.window, ...base }, 'WindowTableFunction');
      case 'windowAggregate': {
        const ef = node.earlyFire ? { earlyFire: node.earlyFire } : {};
        if (node.window.kind === 'SESSION') {
          return this.add({ kind: 'sessionWindowAggregate', inputs: [this.lower(node.input)], window: node.window, groupKeys: node.groupKeys, aggs: node.aggs, ...ef, ...base }, 'SessionWindowAggregate');
        }
        return this.add({ kind: 'windowAggregate', inputs: [this.lower(node.input)], window: node.window, groupKeys: node.groupKeys, aggs: node.aggs, ...ef, ...base }, 'WindowAggregate');
      }
      case 'join': {
        const inputs = [this.lower(node.left), this.lower(node.right)];
        const cond = node.condition ? { condition: node.condition } : {};
        const st = node.strategy;
        switch (st.kind) {
          case 'regular': return this.add({ kind: 'join', inputs, joinType: node.joinType, leftKeys: node.leftKeys, rightKeys: node.rightKeys, ...cond, ...(st.ttl ? { ttl: st.ttl } : {}), ...base }, 'Join');
          case 'interval': return this.add({ kind: 'intervalJoin', inputs, joinType: node.joinType, leftKeys: node.leftKeys, rightKeys: node.rightKeys, leftTime: st.leftTime, rightTime: st.rightTime, lowerMs: st.lowerMs, upperMs: st.upperMs, ...cond, ...base }, 'IntervalJoin');
          case 'temporal': return this.add({ kind: 'temporalJoin', inputs, joinType: node.joinType as 'INNER' | 'LEFT', leftKeys: node.leftKeys, rightKeys: node.rightKeys, leftTime: st.leftTime, rightTime: st.rightTime, ...cond, ...base }, 'TemporalJoin');
          case 'window': return this.add({ kind: 'windowJoin', inputs, joinType: node.joinType, leftKeys: node.leftKeys, rightKeys: node.rightKeys, leftWindow: st.leftWindow, rightWindow: st.rightWindow, ...cond, ...base }, 'WindowJoin');
        }
        break;
      }
      case 'lookupJoin': return this.add({ kind: 'lookupJoin', inputs: [this.lower(node.input)], joinType: node.joinType, table: node.table, leftKeys: node.leftKeys, lookupKeys: node.lookupKeys, ...(node.condition ? { condition: node.condition } : {}), options: node.options, ...base }, 'LookupJoin');
      case 'rank': {
        const input = this.lower(node.input);
        if (node.variant === 'dedup' && node.dedup) {
          return this.add({ kind: 'deduplicate', inputs: [input], keys: node.partitionKeys, timeCol: node.dedup.timeCol, keepLast: node.dedup.keepLast, procTime: node.dedup.procTime, rankNumber: true, ...(node.ttlMs ? { ttl: { ms: node.ttlMs } } : {}), ...base }, 'Deduplicate');
        }
        if (node.variant === 'window' && node.window) {
          return this.add({ kind: 'windowRank', inputs: [input], windowStart: node.window.start, windowEnd: node.window.end, partitionKeys: node.partitionKeys, orderKeys: node.orderKeys, rankStart: node.rankStart, rankEnd: node.rankEnd, rankNumber: true, ...base }, 'WindowRank');
        }
        return this.add({ kind: 'rank', inputs: [input], partitionKeys: node.partitionKeys, orderKeys: node.orderKeys, rankStart: node.rankStart, rankEnd: node.rankEnd, rankNumber: true, inputUpdating: node.input.updating, ...(node.ttlMs ? { ttl: { ms: node.ttlMs } } : {}), ...base }, 'Rank');
      }
      case 'unnest': return this.add({ kind: 'unnest', inputs: [this.lower(node.input)], expr: node.expr, withOrdinality: node.withOrdinality, left: node.left, elementFields: node.elementFields, ...base }, 'Unnest');
      case 'overAggregate': return this.add({ kind: 'overAggregate', inputs: [this.lower(node.input)], over: node.over, aggs: node.aggs, ...base }, 'OverAggregate');
      case 'union': return this.add({ kind: 'union', inputs: node.inputs.map((i) => this.lower(i)), ...base }, 'Union');
      case 'sink': return this.add({ kind: 'sink', inputs: [this.lower(node.input)], table: node.table, upsertKeys: node.table.primaryKey, ...base }, 'Sink');
    }
    throw new Error(`internal: cannot lower ${(node as LogicalNode).kind}`);
  }

  sink(input: LogicalNode, table: TableDef): string {
    const id = this.lower(input);
    return this.add({ kind: 'sink', inputs: [id], table, upsertKeys: table.primaryKey.map((k) => (table.columns[k] as { physicalIndex: number }).physicalIndex), fields: table.physicalFields, updating: input.updating }, `Sink(${table.name})`);
  }

  /** A tiled feature table fed by `input` (the rows entering the OVER / HOP aggregation). */
  tileSink(input: LogicalNode, table: TableDef, spec: TileSinkSpec): string {
    const id = this.lower(input);
    return this.add({ kind: 'tileSink', inputs: [id], table, spec, fields: input.fields, updating: false }, `TileSink(${table.name})`);
  }

  collect(input: LogicalNode, name: string): string {
    const id = this.lower(input);
    return this.add({ kind: 'collect', inputs: [id], name, fields: input.fields, updating: input.updating }, 'Collect');
  }

  program(config: Record<string, string>): Program {
    return { version: 1, operators: this.ops, config };
  }
}
