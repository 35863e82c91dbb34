/**
 * Resolves a CREATE TABLE declaration to a typed TableDef: physical column types, computed columns bound over the
 * physical ones, the WATERMARK (its column becomes a rowtime attribute), PROCTIME() columns (proctime attributes),
 * the primary key (whose columns become NOT NULL) and the WITH options with their spans.
 */
import type * as A from '../sql/ast.js';
import type { RowField, SqlType } from '../common/types.js';
import { isTimestamp, typeToString, withNullable } from '../common/types.js';
import type { DiagnosticBag } from '../common/diagnostics.js';
import { suggest } from '../common/diagnostics.js';
import type { TableDef } from './logical-plan.js';
import type { BExpr } from './bound-expr.js';
import { Scope } from './scope.js';
import { ExprBinder } from './expr-binder.js';
import { PlanErrors as E } from './plan-error-codes.js';
import { typeNodeToSqlType } from '../sql/index.js';

export function bindCreateTable(ddl: A.CreateTable, name: string, baseDir: string, bag: DiagnosticBag): TableDef {
  const fields: RowField[] = [];
  const columns: TableDef['columns'] = [];
  const physicalFields: RowField[] = [];
  const seen = new Set<string>();
  for (const c of ddl.columns) {
    if (seen.has(c.name.text)) bag.error(E.DuplicateColumn, `duplicate column '${c.name.text}'`, c.name.span);
    seen.add(c.name.text);
  }
  // Pass 1: physical and metadata columns get their declared types.
  const declared: (SqlType | undefined)[] = ddl.columns.map((c) => {
    if (c.kind === 'ComputedColumn') return undefined;
    const r = typeNodeToSqlType(c.type);
    if (!r.ok) { bag.error(E.NotSupported, r.message, c.type.span); return { kind: 'NULL', nullable: true } as SqlType; }
    return r.type;
  });
  const baseScope = new Scope(ddl.columns.flatMap((c, i) => (declared[i] ? [{ name: c.name.text, type: declared[i]!, index: i }] : [])));
  const binder = new ExprBinder(baseScope, bag, { context: 'in a computed column' });
  ddl.columns.forEach((c, i) => {
    const desc = c.comment?.value;
    if (c.kind === 'PhysicalColumn') {
      columns.push({ kind: 'physical', physicalIndex: physicalFields.length });
      const f: RowField = desc ? { name: c.name.text, type: declared[i]!, description: desc } : { name: c.name.text, type: declared[i]! };
      physicalFields.push(f);
      fields.push({ ...f });
    } else if (c.kind === 'MetadataColumn') {
      bag.error(E.NotSupported, `metadata column '${c.name.text}' is not supported yet for connector '${optionValue(ddl, 'connector') ?? '?'}'`, c.span,
        'remove the METADATA column or compute the value from the payload');
      columns.push({ kind: 'metadata', key: c.from?.value ?? c.name.text, virtual: c.virtual });
      fields.push({ name: c.name.text, type: declared[i]! });
    } else {
      const expr = binder.bind(c.expr);
      columns.push({ kind: 'computed', expr });
      fields.push(desc ? { name: c.name.text, type: expr.type, description: desc } : { name: c.name.text, type: expr.type });
    }
  });

  let watermark: TableDef['watermark'];
  if (ddl.watermark) {
    const w = ddl.watermark;
    const colName = w.column.parts.map((p) => p.text).join('.');
    const idx = fields.findIndex((f) => f.name === colName);
    if (idx < 0) {
      const s = suggest(colName, fields.map((f) => f.name));
      bag.error(E.UnknownColumn, `unknown column '${colName}' in WATERMARK FOR`, w.column.span, s ? `did you mean '${s}'?` : undefined);
    } else {
      const t = fields[idx]!.type;
      if (!isTimestamp(t) || (t.precision ?? 3) > 3) {
        bag.error(E.NotTimeAttribute, `the rowtime column '${colName}' must be TIMESTAMP(p) or TIMESTAMP_LTZ(p) with p <= 3, but is ${typeToString(t)}`, w.column.span,
          "convert it in a computed column, e.g. ts AS TO_TIMESTAMP_LTZ(epoch_millis, 3)");
      } else {
        const allScope = new Scope(fields.map((f, i) => ({ name: f.name, type: f.type, index: i })));
        const expr: BExpr = new ExprBinder(allScope, bag, { context: 'in a WATERMARK expression' }).bind(w.expr);
        if (expr.type.kind !== 'NULL' && !isTimestamp(expr.type)) {
          bag.error(E.TypeMismatch, `the watermark expression must return ${typeToString(t, false)}, but returns ${typeToString(expr.type)}`, w.expr.span);
        }
        fields[idx] = { ...fields[idx]!, type: { ...t, timeAttr: 'rowtime' } };
        watermark = { column: idx, expr };
      }
    }
  }
  // PROCTIME() computed columns are processing-time attributes.
  columns.forEach((c, i) => {
    if (c.kind === 'computed' && c.expr.kind === 'call' && c.expr.fn === 'PROCTIME') fields[i] = { ...fields[i]!, type: { ...fields[i]!.type, timeAttr: 'proctime' } };
  });

  const primaryKey: number[] = [];
  if (ddl.primaryKey) {
    for (const col of ddl.primaryKey.columns) {
      const idx = fields.findIndex((f) => f.name === col.text);
      if (idx < 0) { bag.error(E.UnknownColumn, `unknown column '${col.text}' in PRIMARY KEY`, col.span); continue; }
      if (columns[idx]!.kind !== 'physical') { bag.error(E.BadOption, `primary key column '${col.text}' must be a physical column`, col.span); continue; }
      primaryKey.push(idx);
      fields[idx] = { ...fields[idx]!, type: withNullable(fields[idx]!.type, false) };
      const pi = (columns[idx] as { physicalIndex: number }).physicalIndex;
      physicalFields[pi] = { ...physicalFields[pi]!, type: withNullable(physicalFields[pi]!.type, false) };
    }
  }
  const options: Record<string, string> = {};
  const optionSpans: TableDef['optionSpans'] = {};
  for (const o of ddl.options) {
    if (o.key.value in options) bag.error(E.BadOption, `option '${o.key.value}' is given twice`, o.key.span);
    options[o.key.value] = o.value.value;
    optionSpans[o.key.value] = o.key.span;
  }
  if (!('connector' in options)) {
    bag.error(E.BadOption, `table '${name}' has no 'connector' option`, ddl.name.span, "add WITH ('connector' = 'filesystem' | 'datagen' | 'print' | 'blackhole', ...)");
  }
  const def: TableDef = { name, fields, columns, physicalFields, primaryKey, options, optionSpans, baseDir };
  if (watermark) def.watermark = watermark;
  if (ddl.comment) def.comment = ddl.comment.value;
  return def;
}

function optionValue(ddl: A.CreateTable, key: string): string | undefined {
  return ddl.options.find((o) => o.key.value === key)?.value.value;
}
