/** Prints a logical plan as an indented tree, one operator per line, in the style of Flink's EXPLAIN. */
import type { LogicalNode, AggCallDesc, WindowSpec } from './logical-plan.js';
import { inputsOf } from './logical-plan.js';
import { printExpr } from './print-expr.js';
import type { RowField } from '../common/types.js';
import { typeToString } from '../common/types.js';

const dur = (ms: number): string => {
  for (const [u, m] of [['DAY', 86400000], ['HOUR', 3600000], ['MINUTE', 60000], ['SECOND', 1000]] as const) {
    if (ms % m === 0 && ms !== 0) return `INTERVAL '${ms / m}' ${u}`;
  }
  return `${ms} ms`;
};

export function describeWindow(w: WindowSpec, fields: readonly RowField[]): string {
  const t = fields[w.timeCol]?.name ?? `$${w.timeCol}`;
  const off = w.offset ? `, offset=[${dur(w.offset)}]` : '';
  if (w.kind === 'HOP') return `HOP(time_col=[${t}], slide=[${dur(w.slide!)}], size=[${dur(w.size)}]${off})`;
  if (w.kind === 'CUMULATE') return `CUMULATE(time_col=[${t}], step=[${dur(w.step!)}], size=[${dur(w.size)}]${off})`;
  return `${w.kind}(time_col=[${t}], size=[${dur(w.size)}]${off})`;
}

export function describeAggs(aggs: AggCallDesc[], fields: readonly RowField[]): string {
  return aggs.map((a) => {
    const args = a.args.map((i) => fields[i]?.name ?? `$${i}`).join(', ');
    const filter = a.filterArg !== undefined ? ` FILTER ${fields[a.filterArg]?.name ?? `$${a.filterArg}`}` : '';
    return `${a.name}(${a.distinct ? 'DISTINCT ' : ''}${args || (a.name === 'COUNT' ? '*' : '')})${filter}`;
  }).join(', ');
}

function line(n: LogicalNode): string {
  const inFields = inputsOf(n)[0]?.fields ?? [];
  const mode = n.updating ? ' [updating]' : '';
  switch (n.kind) {
    case 'scan': return `TableSourceScan(table=[${n.table.name}], fields=[${n.fields.map((f) => f.name).join(', ')}]${n.table.watermark ? `, watermark=[${printExpr(n.table.watermark.expr, n.table.fields)}]` : ''})`;
    case 'values': return `Values(rows=[${n.rows.length}])`;
    case 'project': return `Project(${n.exprs.map((e, i) => `${n.fields[i]!.name}=[${printExpr(e, inFields)}]`).join(', ')})${mode}`;
    case 'filter': return `Filter(condition=[${printExpr(n.condition, inFields)}])${mode}`;
    case 'aggregate': return `GroupAggregate(groupBy=[${n.groupKeys.map((k) => inFields[k]?.name ?? `$${k}`).join(', ')}], select=[${describeAggs(n.aggs, inFields)}])${mode}`;
    case 'windowTvf': return `WindowTableFunction(window=[${describeWindow(n.window, inFields)}])`;
    case 'windowAggregate': return `WindowAggregate(groupBy=[${n.groupKeys.map((k) => inFields[k]?.name ?? `$${k}`).join(', ')}], window=[${describeWindow(n.window, inFields)}], select=[${describeAggs(n.aggs, inFields)}])`;
    case 'overAggregate': {
      const o = n.over;
      const frame = o.lower.kind === 'unbounded' ? 'UNBOUNDED PRECEDING' : o.lower.kind === 'current' ? 'CURRENT ROW'
        : o.mode === 'RANGE' ? `${dur(o.lower.range!)} PRECEDING` : `${o.lower.rows} PRECEDING`;
      return `OverAggregate(partitionBy=[${o.partitionKeys.map((k) => inFields[k]?.name ?? `$${k}`).join(', ')}], orderBy=[${inFields[o.orderKey]?.name}], ${o.mode} BETWEEN ${frame} AND CURRENT ROW, select=[${describeAggs(n.aggs, inFields)}])`;
    }
    case 'union': return `Union(all=[true])${mode}`;
    case 'join': {
      const lf = n.left.fields, rf = n.right.fields;
      const both = [...lf, ...rf];
      const keys = n.leftKeys.map((k, i) => `${lf[k]?.name}=${rf[n.rightKeys[i]!]?.name}`).join(', ');
      const st = n.strategy;
      const kind = st.kind === 'regular' ? 'Join' : st.kind === 'interval' ? 'IntervalJoin' : st.kind === 'temporal' ? 'TemporalJoin' : 'WindowJoin';
      const extra = st.kind === 'interval' ? `, between=[${rf[st.rightTime]?.name} + ${st.lowerMs} ms, ${rf[st.rightTime]?.name} + ${st.upperMs} ms]` : '';
      return `${kind}(joinType=[${n.joinType}], keys=[${keys}]${n.condition ? `, where=[${printExpr(n.condition, both)}]` : ''}${extra})${mode}`;
    }
    case 'lookupJoin': return `LookupJoin(table=[${n.table.name}], joinType=[${n.joinType}], keys=[${n.leftKeys.map((k, i) => `${inFields[k]?.name}=${n.table.fields[n.lookupKeys[i]!]?.name}`).join(', ')}])${mode}`;
    case 'rank': {
      const kind = n.variant === 'dedup' ? 'Deduplicate' : n.variant === 'window' ? 'WindowRank' : 'Rank';
      return `${kind}(partitionBy=[${n.partitionKeys.map((k) => inFields[k]?.name).join(', ')}], orderBy=[${n.orderKeys.map((o) => `${inFields[o.index]?.name}${o.desc ? ' DESC' : ''}`).join(', ')}], rank=[${n.rankStart}..${n.rankEnd}])${mode}`;
    }
    case 'unnest': return `Unnest(${printExpr(n.expr, inFields)}${n.withOrdinality ? ' WITH ORDINALITY' : ''}${n.left ? ', left' : ''})${mode}`;
    case 'sink': return `Sink(table=[${n.table.name}])`;
  }
}

export function explainLogical(n: LogicalNode, indent = ''): string {
  const kids = inputsOf(n);
  const own = `${indent}${line(n)}`;
  const childIndent = indent.replace(/\+- $/, '   ').replace(/:- $/, ':  ');
  return [own, ...kids.map((k, i) => explainLogical(k, `${childIndent}${i === kids.length - 1 ? '+- ' : ':- '}`))].join('\n');
}

export function schemaString(fields: readonly RowField[]): string {
  return fields.map((f) => `${f.name} ${typeToString(f.type)}`).join(', ');
}
