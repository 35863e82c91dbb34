/**
 * Tiled feature tables on Flink (docs/flink.md "Tiles on Flink"). The embedded engine writes a sliding-window feature
 * table (docs/serving.md) with its TileSinkOperator; the Flink template job has the same writer in Java
 * (dev.freshet.flink.tiles). This module plans the script as the embedded engine does, finds the tiled INSERTs and
 * rewrites each into an append-only Flink INSERT that projects exactly what the writer consumes — the key parts, the
 * event time, each aggregate call's argument and FILTER flag — into a table of the feature table's connector (`redis`
 * or `aerospike`) declared with the option `freshet.tiles`: the JSON the Java writer needs to write byte-identical
 * tile records, versions and meta (the template's RedisTileStore / AerospikeTileStore).
 *
 * The OVER form projects from the query's FROM and WHERE; the HOP form from the table the HOP call windows (and the
 * WHERE, which must not read the window columns): the writer assigns rows to slices itself, as the embedded one does.
 * What the Java writer does not implement is refused here with FLINK703 (never silently different): DISTINCT, the
 * variance family, multi-argument COUNT, DECIMAL and non-numeric MIN/MAX/SUM/AVG arguments, offline fusion boundaries.
 */
import { diag, type Diagnostic } from '../common/diagnostics.js';
import { typeToString, withNullable, type SqlType } from '../common/types.js';
import type { Expr, FunctionCall, Insert, ObjectName, QueryExpr, Select, Statement, WindowSpec } from '../sql/index.js';
import { printExpr, printRelation, someExpr } from '../sql/index.js';
import type { TileSinkSpec } from '../plan/rules/tile-features.js';
import { compileSql } from '../runtime/sql-session.js';
import { FlinkErrors } from './flink-error-codes.js';

/** The redis / aerospike table option that switches the sink to tile mode; its value is FlinkTileConfig as JSON. */
export const TILES_OPTION = 'freshet.tiles';

/** Aggregates the Java tile writer implements, with the argument types it accepts. */
const NUMERIC = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE']);
const FUNCTIONS = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX']);

/** What the Java writer (dev.freshet.flink.tiles.TileConfig) reads from `freshet.tiles`. */
export interface FlinkTileConfig {
  /** The tile layout exactly as the embedded engine uses it (spec.table = the store table). */
  spec: TileSinkSpec;
  /** The meta `tiles` document text, byte for byte what the embedded writer stores. */
  layout: string;
  /** Projected row: key parts first (spec.keyColumns order), then the event time, then the calls' columns. */
  keyCount: number;
  timeColumn: number;
  calls: FlinkTileCall[];
}

export interface FlinkTileCall {
  /** COUNT, SUM, AVG, MIN, MAX. */
  fn: string;
  /** Argument type kind (TINYINT ... DOUBLE); COUNT_FLAG for COUNT(x) (the projected `x IS NOT NULL`); absent for COUNT(*). */
  kind?: string;
  /** Column of the argument in the projected row; -1 for COUNT(*). */
  arg: number;
  /** Column of the FILTER flag (BOOLEAN, true = the row counts); -1 without FILTER. */
  filter: number;
}

/** The rewrite of one tiled INSERT. */
export interface TiledInsertPlan {
  /** SQL name of the feature table (the INSERT target). */
  table: string;
  /** The Flink table the projection is written to (declared by the spec builder with the feature table's options). */
  flinkTable: string;
  /** Column definitions of flinkTable, e.g. `` `k0` STRING, `ts` TIMESTAMP(3) ``. */
  columns: string;
  /** The projection INSERT (Flink SQL). */
  insertSql: string;
  /** Value of the TILES_OPTION. */
  config: FlinkTileConfig;
}

export interface TiledPlanResult {
  /** By lower-cased INSERT target name (last name part). */
  plans: Map<string, TiledInsertPlan>;
  diagnostics: Diagnostic[];
}

const quoteId = (s: string): string => `\`${s.replace(/`/g, '``')}\``;
const sqlType = (t: SqlType): string => typeToString(withNullable(t, true), false);

/**
 * Plans the script as the embedded engine would and rewrites every tiled INSERT for Flink; a script that does not
 * plan here (e.g. it reads dictionary tables) gives no plans (the other checks report it).
 */
export function planTiledInserts(text: string, statements: readonly Statement[], baseDir: string): TiledPlanResult {
  const plans = new Map<string, TiledInsertPlan>();
  const diagnostics: Diagnostic[] = [];
  const compiled = compileSql(text, { baseDir });
  if (compiled.diagnostics.some((d) => d.severity === 'error') || compiled.program === undefined) return { plans, diagnostics };
  const inserts: Insert[] = [];
  for (const s of statements) {
    if (s.kind === 'Insert') inserts.push(s);
    else if (s.kind === 'StatementSet') inserts.push(...s.inserts);
  }
  for (const op of compiled.program.operators) {
    if (op.kind !== 'tileSink') continue;
    const name = op.table.name;
    const ins = inserts.find((st) => st.target.parts[st.target.parts.length - 1]?.text.toLowerCase() === name.toLowerCase());
    const fail = (why: string, hint = 'run this feature on the embedded engine (freshet sql, the platform)'): void => {
      diagnostics.push(diag(FlinkErrors.UnsupportedStatement,
        `feature table '${name}' is a tiled sliding-window feature (served fresh at read time); on the Flink engine ${why}`, ins?.span, hint));
    };
    if (!ins) { fail('its INSERT was not found'); continue; }
    const storeTable = op.table.options['table']?.trim() || name;
    const r = rewrite(ins, { ...op.spec, table: storeTable });
    if (typeof r === 'string') { fail(r); continue; }
    plans.set(name.toLowerCase(), { ...r, table: name });
  }
  return { plans, diagnostics };
}

/** The projection INSERT and writer config of one tiled INSERT, or why it cannot run on Flink. */
function rewrite(ins: Insert, spec: TileSinkSpec): Omit<TiledInsertPlan, 'table'> | string {
  for (const c of spec.calls) {
    if (!FUNCTIONS.has(c.name)) return `aggregate ${c.name} is not tiled yet (COUNT, SUM, AVG, MIN, MAX are)`;
    if (c.distinct) return `${c.id}: DISTINCT aggregates are not tiled yet`;
    if (c.args.length > 1) return `${c.id}: COUNT of several arguments is not tiled yet`;
    if (c.name !== 'COUNT' && !NUMERIC.has(c.argTypes[0]!.kind)) {
      return `${c.id}: ${c.name} over ${c.argTypes[0]!.kind} is not tiled yet (numeric TINYINT..DOUBLE arguments are; DECIMAL is not)`;
    }
  }
  const sel = selectOf(ins.query, spec.source === 'hop');
  if (sel === undefined || sel.items.some((i) => i.kind !== 'SelectExpr')) return 'the INSERT must be a plain SELECT ... FROM ... [WHERE ...] with the OVER aggregates';
  const items = sel.items.map((i) => (i.kind === 'SelectExpr' ? i.expr : undefined)!);
  // Sink column i of the feature table is select item colItem[i].
  const names = spec.columns.map((c) => c.name.toLowerCase());
  let colItem: number[];
  if (ins.columns && ins.columns.length > 0) {
    const listed = ins.columns.map((c) => c.text.toLowerCase());
    colItem = names.map((n) => listed.indexOf(n));
  } else {
    colItem = names.map((_, i) => i);
  }
  if (colItem.some((i) => i >= items.length)) return 'the SELECT does not produce every column of the table';
  const keyExprs: (Expr | undefined)[] = spec.keyColumns.map(() => undefined);
  const keyTypes: SqlType[] = spec.keyColumns.map(() => ({ kind: 'VARCHAR', nullable: true }) as SqlType);
  const callExprs: (FunctionCall | undefined)[] = spec.calls.map(() => undefined);
  let window: WindowSpec | undefined;
  for (let i = 0; i < spec.columns.length; i++) {
    const col = spec.columns[i]!;
    const item = colItem[i]! >= 0 ? items[colItem[i]!] : undefined;
    if (col.kind === 'key') {
      if (item === undefined) return `key column '${col.name}' is not written`;
      keyExprs[col.part] = item;
      keyTypes[col.part] = col.type;
    } else if (col.kind === 'feature') {
      const call = unwrapCall(item);
      if (spec.source === 'over') {
        if (call === undefined || call.over === undefined) return `column '${col.name}' must be an aggregate OVER a window in the INSERT's SELECT`;
        const w = resolveWindow(call.over, sel);
        if (w === undefined) return `column '${col.name}': its window is not found`;
        window ??= w;
      } else if (call === undefined || call.over !== undefined) {
        return `column '${col.name}' must be an aggregate of the HOP window in the INSERT's SELECT`;
      }
      const c = spec.features[col.feature]!.call;
      callExprs[c] ??= call;
    }
  }
  if (keyExprs.some((k) => k === undefined) || callExprs.some((c) => c === undefined)) {
    return 'the SELECT does not show every key column and aggregate directly';
  }
  let timeText: string;
  let from: string;
  if (spec.source === 'over') {
    const timeExpr = window?.orderBy[0]?.expr;
    if (timeExpr === undefined) return 'the window has no ORDER BY time column';
    timeText = printExpr(timeExpr);
    from = sel.from === undefined ? '' : ` FROM ${printRelation(sel.from)}`;
  } else {
    const hop = hopSource(sel);
    if (typeof hop === 'string') return hop;
    timeText = quoteId(hop.timeColumn);
    from = ` FROM ${hop.table.parts.map((p) => quoteId(p.text)).join('.')}`;
    const windowCols = new Set(['window_start', 'window_end', 'window_time']);
    const readsWindow = (e: Expr): boolean => someExpr(e, (x) => x.kind === 'ColumnRef' && windowCols.has(x.names[x.names.length - 1]!.text.toLowerCase()));
    if (sel.where !== undefined && readsWindow(sel.where)) return 'a WHERE on the window columns is not tiled yet';
    for (const c of callExprs) {
      if (c!.args.some(readsWindow) || (c!.filter !== undefined && readsWindow(c!.filter))) return `${printExpr(c!)}: aggregates of the window columns are not tiled`;
    }
  }
  const proj: string[] = [];
  const cols: string[] = [];
  const add = (expr: string, name: string, type: string): number => {
    proj.push(`CAST(${expr} AS ${type}) AS ${quoteId(name)}`);
    cols.push(`${quoteId(name)} ${type}`);
    return cols.length - 1;
  };
  keyExprs.forEach((e, p) => add(printExpr(e!), `k${p}`, sqlType(keyTypes[p]!)));
  const timeType = spec.columns.find((c) => c.kind === 'lastEventTime' || c.kind === 'windowEnd' || c.kind === 'windowStart' || c.kind === 'windowTime')?.type;
  const timeColumn = add(timeText, 'ts', timeType?.kind === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ(3)' : 'TIMESTAMP(3)');
  const calls: FlinkTileCall[] = spec.calls.map((c, ci) => {
    const fc = callExprs[ci]!;
    let arg = -1;
    let kind: string | undefined;
    if (c.args.length === 1) {
      const a = fc.args[0]!;
      if (c.name === 'COUNT') arg = add(`(${printExpr(a)}) IS NOT NULL`, `a${ci}`, 'BOOLEAN');
      else { kind = c.argTypes[0]!.kind; arg = add(printExpr(a), `a${ci}`, sqlType(c.argTypes[0]!)); }
    }
    const filter = fc.filter === undefined ? -1 : add(`(${printExpr(fc.filter)}) IS TRUE`, `f${ci}`, 'BOOLEAN');
    return { fn: c.name, ...(kind !== undefined ? { kind } : {}), arg, filter };
  });
  // COUNT(x) counts rows whose x is not NULL: the projected flag is NULL-free, and the writer adds when it is true.
  for (const c of calls) if (c.fn === 'COUNT' && c.arg >= 0) c.kind = 'COUNT_FLAG';
  const flinkTable = `__freshet_tiles_${spec.table}`;
  const where = sel.where === undefined ? '' : ` WHERE ${printExpr(sel.where)}`;
  const insertSql = `INSERT INTO ${quoteId(flinkTable)}\nSELECT ${proj.join(', ')}${from}${where}`;
  const layout = JSON.stringify({ format: 1, spec });
  return { flinkTable, columns: cols.join(', '), insertSql, config: { spec, layout, keyCount: keyExprs.length, timeColumn, calls } };
}

/** The plain SELECT of the INSERT (with GROUP BY for the HOP form, without for OVER). */
function selectOf(q: QueryExpr, grouped: boolean): Select | undefined {
  if (q.kind === 'Select') return (q.groupBy.length > 0) === grouped && q.having === undefined && !q.distinct ? q : undefined;
  if (q.kind === 'Query' && q.with === undefined && q.orderBy.length === 0 && q.limit === undefined && q.offset === undefined && q.fetch === undefined) {
    return selectOf(q.body, grouped);
  }
  return undefined;
}

/** The windowed table and time column of `FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), slide, size))` (positional or named). */
function hopSource(sel: Select): { table: ObjectName; timeColumn: string } | string {
  const rel = sel.from;
  if (rel === undefined || rel.kind !== 'TableFunction') return 'the HOP form must read FROM TABLE(HOP(TABLE <table>, DESCRIPTOR(<time>), ...)) directly';
  const args = rel.call.args.map((a) => (a.kind === 'NamedArg' ? { name: a.name.text.toUpperCase(), value: a.value } : { name: '', value: a }));
  const pick = (i: number, name: string): Expr | undefined => (args.find((a) => a.name === name) ?? (args[i]?.name === '' ? args[i] : undefined))?.value;
  const data = pick(0, 'DATA'), time = pick(1, 'TIMECOL');
  if (data?.kind !== 'TableArg' || data.partitionBy.length > 0) return 'the HOP call must window a table or view by name (TABLE <name>)';
  if (time?.kind !== 'Descriptor' || time.columns.length !== 1) return 'the HOP call needs DESCRIPTOR(<time column>)';
  return { table: data.name, timeColumn: time.columns[0]!.text };
}

/** The aggregate call under optional CASTs and parentheses. */
function unwrapCall(e: Expr | undefined): FunctionCall | undefined {
  let x = e;
  for (;;) {
    if (x === undefined) return undefined;
    if (x.kind === 'FunctionCall') return x;
    if (x.kind === 'Cast') { x = x.operand; continue; }
    if ((x as { kind: string }).kind === 'Paren') { x = (x as unknown as { expr: Expr }).expr; continue; }
    return undefined;
  }
}

/** The window spec of an OVER clause, following WINDOW references and bases. */
function resolveWindow(over: NonNullable<FunctionCall['over']>, sel: Select): WindowSpec | undefined {
  let spec: WindowSpec | undefined;
  if (over.kind === 'WindowRef') spec = sel.windows.find((w) => w.name.text.toLowerCase() === over.name.text.toLowerCase())?.spec;
  else spec = over;
  for (let i = 0; spec !== undefined && spec.orderBy.length === 0 && spec.base !== undefined && i < 10; i++) {
    const base = spec.base;
    spec = sel.windows.find((w) => w.name.text.toLowerCase() === base.text.toLowerCase())?.spec;
  }
  return spec;
}

/** SQL text of a string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
