/** Prints the operator graph of a program: one operator per line with its inputs, output schema and changelog mode. */
import type { Program } from './program.js';
import { printExpr } from '../plan/print-expr.js';
import { describeAggs, describeWindow, schemaString } from '../plan/explain-logical.js';

export function explainProgram(p: Program): string {
  const byId = new Map(p.operators.map((o) => [o.id, o]));
  return p.operators.map((o) => {
    const inFields = o.inputs[0] ? byId.get(o.inputs[0])?.fields ?? [] : [];
    let detail = '';
    switch (o.kind) {
      case 'source': detail = `table=${o.table.name} connector=${o.table.options['connector'] ?? '?'}`; break;
      case 'calc': detail = [o.condition ? `where ${printExpr(o.condition, inFields)}` : '', o.projection ? `select ${o.projection.map((e, i) => `${printExpr(e, inFields)} AS ${o.fields[i]!.name}`).join(', ')}` : ''].filter(Boolean).join(' '); break;
      case 'groupAggregate': detail = `keys=[${o.groupKeys.map((k) => inFields[k]?.name).join(', ')}] aggs=[${describeAggs(o.aggs, inFields)}]`; break;
      case 'windowTvf': detail = describeWindow(o.window, inFields); break;
      case 'windowAggregate': detail = `${describeWindow(o.window, inFields)} keys=[${o.groupKeys.map((k) => inFields[k]?.name).join(', ')}] aggs=[${describeAggs(o.aggs, inFields)}]`; break;
      case 'overAggregate': detail = `partition=[${o.over.partitionKeys.map((k) => inFields[k]?.name).join(', ')}] ${o.over.mode} aggs=[${describeAggs(o.aggs, inFields)}]`; break;
      case 'sink': detail = `table=${o.table.name} connector=${o.table.options['connector'] ?? '?'}${o.upsertKeys.length ? ` upsert-key=[${o.upsertKeys.map((k) => o.fields[k]?.name).join(', ')}]` : ''}`; break;
      case 'collect': detail = o.name; break;
      default: break;
    }
    const mode = o.updating ? 'changelog' : 'append';
    return `${o.id}${o.inputs.length ? ` <- ${o.inputs.join(', ')}` : ''} [${mode}] ${detail}\n    (${schemaString(o.fields)})`;
  }).join('\n');
}
