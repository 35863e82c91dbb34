/** Renders bound expressions for EXPLAIN: columns as their names (or $index), calls in SQL-like form. */
import type { BExpr } from './bound-expr.js';
import type { RowField } from '../common/types.js';
import { typeToString } from '../common/types.js';

export function printExpr(e: BExpr, fields: readonly RowField[] = []): string {
  const p = (x: BExpr): string => printExpr(x, fields);
  switch (e.kind) {
    case 'col': return fields[e.index]?.name ?? e.name ?? `$${e.index}`;
    case 'lit': {
      if (e.value === null) return 'NULL';
      if (typeof e.value === 'string') return `'${e.value.replace(/'/g, "''")}'`;
      if (e.value instanceof Uint8Array) return "X'..'";
      if (e.type.kind === 'INTERVAL_DAY_TIME') return `INTERVAL '${Number(e.value) / 1000}' SECOND`;
      if (e.type.kind === 'INT' || e.type.kind === 'DOUBLE' || e.type.kind === 'BOOLEAN' || e.type.kind === 'DECIMAL') return String(e.value);
      return `${String(e.value)}:${typeToString(e.type, false)}`;
    }
    case 'call': return `${e.fn}(${e.args.map(p).join(', ')})`;
    case 'arith': return `(${p(e.args[0])} ${e.op} ${p(e.args[1])})`;
    case 'neg': return `-${p(e.arg)}`;
    case 'cmp': return `(${p(e.args[0])} ${e.op} ${p(e.args[1])})`;
    case 'distinctFrom': return `(${p(e.args[0])} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${p(e.args[1])})`;
    case 'and': case 'or': return `(${e.args.map(p).join(` ${e.kind.toUpperCase()} `)})`;
    case 'not': return `NOT ${p(e.arg)}`;
    case 'isNull': return `${p(e.arg)} IS ${e.negated ? 'NOT ' : ''}NULL`;
    case 'isBool': return `${p(e.arg)} IS ${e.negated ? 'NOT ' : ''}${e.value ? 'TRUE' : 'FALSE'}`;
    case 'case': return `CASE ${e.whens.map(([c, v]) => `WHEN ${p(c)} THEN ${p(v)}`).join(' ')} ELSE ${p(e.else)} END`;
    case 'cast': return `${e.try ? 'TRY_CAST' : 'CAST'}(${p(e.arg)} AS ${typeToString(e.type, false)})`;
    case 'in': return `${p(e.arg)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(p).join(', ')})`;
    case 'like': return `${p(e.arg)} ${e.negated ? 'NOT ' : ''}${e.similar ? 'SIMILAR TO' : 'LIKE'} ${p(e.pattern)}`;
    case 'field': return `${p(e.arg)}.${e.arg.type.fields?.[e.index]?.name ?? e.index}`;
    case 'item': return `${p(e.arg)}[${p(e.key)}]`;
    case 'array': return `ARRAY[${e.args.map(p).join(', ')}]`;
    case 'map': return `MAP[${e.args.map(p).join(', ')}]`;
    case 'row': return `ROW(${e.args.map(p).join(', ')})`;
  }
}
