/**
 * Reading and validating the `datagen` connector's options (Flink's names): table-level `rows-per-second`,
 * `number-of-rows`, and per column `fields.<column>.<option>` with kind, min, max, max-past, length, var-len,
 * start, end, null-rate. Freshet adds `freshet.seed` and `freshet.base-time` for reproducible data.
 * Every problem becomes a positioned Diagnostic; the parsed configuration is used by the generators.
 */
import { suggest, type Diagnostic } from '../../common/diagnostics.js';
import { parseTimestampText } from '../../common/time.js';
import { STRING_MAX, typeToString, type SqlType } from '../../common/types.js';
import type { TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { optionDiag, parseDuration } from '../option-validation.js';

export interface FieldSpec {
  kind: 'random' | 'sequence';
  min?: number;
  max?: number;
  maxPastMs: number;
  length?: number;
  varLen: boolean;
  start?: number;
  end?: number;
  nullRate: number;
}

export interface DatagenConfig {
  rowsPerSecond: number;
  numberOfRows?: number;
  seed?: number;
  baseTime?: number;
  /** One spec per physical column, in column order. */
  fields: FieldSpec[];
}

export const FIELD_OPTIONS = ['kind', 'min', 'max', 'max-past', 'length', 'var-len', 'start', 'end', 'null-rate'] as const;
type FieldOption = (typeof FIELD_OPTIONS)[number];

export const defaultFieldSpec = (): FieldSpec => ({ kind: 'random', maxPastMs: 0, varLen: false, nullRate: 0 });

const NUMERIC = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL']);
const INTEGRAL = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT']);

/** Options that apply to a column of this type with this generator kind. */
export function applicableOptions(t: SqlType, kind: 'random' | 'sequence'): FieldOption[] {
  const base: FieldOption[] = ['kind', 'null-rate'];
  if (kind === 'sequence') return [...base, 'start', 'end'];
  switch (t.kind) {
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT': case 'DOUBLE': case 'DECIMAL':
      return [...base, 'min', 'max'];
    case 'CHAR': case 'VARCHAR': case 'BYTES':
      return [...base, 'length', 'var-len'];
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ':
      return [...base, 'max-past'];
    case 'ARRAY': case 'MAP':
      return [...base, 'length'];
    default:
      return base;
  }
}

/** Whether datagen can generate this type at all (recursively). */
export function generatable(t: SqlType): boolean {
  switch (t.kind) {
    case 'INTERVAL_DAY_TIME': case 'INTERVAL_YEAR_MONTH': return false;
    case 'ARRAY': return generatable(t.element!);
    case 'MAP': return generatable(t.element!) && generatable(t.value!);
    case 'ROW': return (t.fields ?? []).every((f) => generatable(f.type));
    default: return true;
  }
}

/** The range of values a column's type can hold, as the default random range (Flink's defaults). */
export function typeRange(t: SqlType): [number, number] {
  switch (t.kind) {
    case 'TINYINT': return [-128, 127];
    case 'SMALLINT': return [-32768, 32767];
    case 'INT': return [-2147483648, 2147483647];
    case 'BIGINT': return [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    // Flink's defaults are Float/Double.MIN_VALUE (the smallest positive value) to MAX_VALUE.
    case 'FLOAT': return [1.401298464324817e-45, 3.4028234663852886e38];
    case 'DOUBLE': return [Number.MIN_VALUE, Number.MAX_VALUE];
    case 'DECIMAL': {
      const p = t.precision ?? 10, s = t.scale ?? 0;
      return [0, Number((10 ** (p - s) - 10 ** -s).toFixed(s))];
    }
    default: return [0, 0];
  }
}

export function parseDatagenOptions(ctx: TableContext): { config: DatagenConfig; diagnostics: Diagnostic[] } {
  const out: Diagnostic[] = [];
  const o = ctx.options;
  const fields = ctx.physicalFields;
  const config: DatagenConfig = { rowsPerSecond: 10000, fields: fields.map(defaultFieldSpec) };
  const bad = (key: string, message: string, hint?: string): void => {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, key, message, hint));
  };

  const rps = o['rows-per-second'];
  if (rps !== undefined) {
    const n = Number(rps.trim());
    if (!/^\s*\d+\s*$/.test(rps) || !(n > 0) || !Number.isSafeInteger(n)) {
      bad('rows-per-second', `option 'rows-per-second' must be a positive integer, got '${rps}'`);
    } else config.rowsPerSecond = n;
  }
  const nor = o['number-of-rows'];
  if (nor !== undefined) {
    const n = Number(nor.trim());
    if (!/^\s*\d+\s*$/.test(nor) || !Number.isSafeInteger(n)) {
      bad('number-of-rows', `option 'number-of-rows' must be a non-negative integer, got '${nor}'`);
    } else config.numberOfRows = n;
  }
  const seed = o['freshet.seed'];
  if (seed !== undefined) {
    const n = Number(seed.trim());
    if (!/^\s*-?\d+\s*$/.test(seed) || !Number.isSafeInteger(n)) bad('freshet.seed', `option 'freshet.seed' must be an integer, got '${seed}'`);
    else config.seed = n;
  }
  const base = o['freshet.base-time'];
  if (base !== undefined) {
    const t = /^\s*-?\d+\s*$/.test(base) ? Number(base) : parseTimestampText(base)?.millis;
    if (t === undefined || !Number.isSafeInteger(t)) {
      bad('freshet.base-time', `option 'freshet.base-time' must be a timestamp such as '2024-01-01 00:00:00' or epoch milliseconds, got '${base}'`);
    } else config.baseTime = t;
  }

  // Per-column options, grouped by column. The column name is everything between 'fields.' and the last '.'.
  const byField = new Map<number, Map<FieldOption, string>>();
  const names = fields.map((f) => f.name);
  for (const key of Object.keys(o)) {
    if (!key.startsWith('fields.')) continue;
    const rest = key.slice('fields.'.length);
    const dot = rest.lastIndexOf('.');
    const name = dot === -1 ? rest : rest.slice(0, dot);
    const opt = dot === -1 ? '' : rest.slice(dot + 1);
    const idx = names.indexOf(name);
    if (idx === -1) {
      const near = suggest(name, names);
      out.push(optionDiag(ctx, ConnectorErrors.UnknownField, key, `option '${key}' names column '${name}', which table '${ctx.tableName}' does not have`,
        near ? `did you mean 'fields.${near}.${opt}'?` : `columns: ${names.join(', ')}`));
      continue;
    }
    if (!(FIELD_OPTIONS as readonly string[]).includes(opt)) {
      const near = suggest(opt, FIELD_OPTIONS);
      out.push(optionDiag(ctx, ConnectorErrors.UnknownOption, key, `unknown datagen option '${key}'`,
        near ? `did you mean 'fields.${name}.${near}'?` : `per-column options: ${FIELD_OPTIONS.join(', ')}`));
      continue;
    }
    let m = byField.get(idx);
    if (!m) byField.set(idx, (m = new Map()));
    m.set(opt as FieldOption, o[key]!);
  }

  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const t = f.type;
    const spec = config.fields[i]!;
    const key = (opt: string): string => `fields.${f.name}.${opt}`;
    if (!generatable(t)) {
      out.push(optionDiag(ctx, ConnectorErrors.UnsupportedType, 'connector',
        `column '${f.name}' has type ${typeToString(t, false)}, which the datagen connector cannot generate`,
        'declare it as a computed column instead'));
      continue;
    }
    const opts = byField.get(i) ?? new Map<FieldOption, string>();
    const kind = opts.get('kind');
    if (kind !== undefined) {
      if (kind !== 'random' && kind !== 'sequence') {
        bad(key('kind'), `option '${key('kind')}' must be 'random' or 'sequence', got '${kind}'`);
      } else if (kind === 'sequence' && !(NUMERIC.has(t.kind) || t.kind === 'CHAR' || t.kind === 'VARCHAR')) {
        out.push(optionDiag(ctx, ConnectorErrors.UnsupportedType, key('kind'),
          `column '${f.name}' of type ${typeToString(t, false)} cannot use the sequence generator`, 'sequences are for numeric and string columns'));
      } else spec.kind = kind;
    }
    const allowed = applicableOptions(t, spec.kind);
    for (const opt of opts.keys()) {
      if (!allowed.includes(opt)) {
        out.push(optionDiag(ctx, ConnectorErrors.UnknownOption, key(opt),
          `option '${key(opt)}' does not apply to column '${f.name}' (${typeToString(t, false)}, ${spec.kind} generator)`,
          `options for this column: ${allowed.map((a) => key(a)).join(', ')}`));
      }
    }
    const num = (opt: FieldOption): number | undefined => {
      const v = opts.get(opt);
      if (v === undefined || !allowed.includes(opt)) return undefined;
      const n = Number(v.trim());
      if (v.trim() === '' || !Number.isFinite(n)) { bad(key(opt), `option '${key(opt)}' must be a number, got '${v}'`); return undefined; }
      if (INTEGRAL.has(t.kind) && !Number.isInteger(n)) { bad(key(opt), `option '${key(opt)}' must be an integer for ${t.kind} column '${f.name}', got '${v}'`); return undefined; }
      if (INTEGRAL.has(t.kind) || t.kind === 'DECIMAL') {
        const [lo, hi] = typeRange(t);
        const limit = t.kind === 'DECIMAL' ? [-hi, hi] : [lo, hi];
        if (n < limit[0]! || n > limit[1]!) { bad(key(opt), `option '${key(opt)}' = ${v} is out of range of ${typeToString(t, false)}`); return undefined; }
      }
      return n;
    };
    const min = num('min'), max = num('max');
    if (min !== undefined) spec.min = min;
    if (max !== undefined) spec.max = max;
    if (min !== undefined && max !== undefined && min > max) bad(key('min'), `option '${key('min')}' (${min}) is greater than '${key('max')}' (${max})`);
    if (spec.kind === 'sequence') {
      const start = num('start'), end = num('end');
      for (const [opt, v] of [['start', start], ['end', end]] as const) {
        if (opts.get(opt) === undefined) {
          out.push(optionDiag(ctx, ConnectorErrors.MissingOption, key('kind'), `column '${f.name}' uses the sequence generator and needs option '${key(opt)}'`,
            `add '${key('start')}' and '${key('end')}'`));
        } else if (v !== undefined) spec[opt] = v;
      }
      if (start !== undefined && end !== undefined && start > end) bad(key('start'), `option '${key('start')}' (${start}) is greater than '${key('end')}' (${end})`);
    }
    const len = opts.get('length');
    if (len !== undefined && allowed.includes('length')) {
      const n = Number(len.trim());
      if (!/^\s*\d+\s*$/.test(len) || !Number.isSafeInteger(n)) bad(key('length'), `option '${key('length')}' must be a non-negative integer, got '${len}'`);
      else if ((t.kind === 'CHAR' || t.kind === 'VARCHAR') && n > (t.precision ?? STRING_MAX)) {
        bad(key('length'), `option '${key('length')}' (${n}) exceeds the length of column '${f.name}' (${typeToString(t, false)})`);
      } else spec.length = n;
    }
    const varLen = opts.get('var-len');
    if (varLen !== undefined && allowed.includes('var-len')) {
      const l = varLen.trim().toLowerCase();
      if (l === 'true' || l === 'false') spec.varLen = l === 'true';
      else bad(key('var-len'), `option '${key('var-len')}' must be 'true' or 'false', got '${varLen}'`);
    }
    const past = opts.get('max-past');
    if (past !== undefined && allowed.includes('max-past')) {
      const ms = parseDuration(past);
      if (ms === undefined) bad(key('max-past'), `option '${key('max-past')}' must be a duration such as '10 min' or '30 s', got '${past}'`);
      else spec.maxPastMs = ms;
    }
    const nr = opts.get('null-rate');
    if (nr !== undefined) {
      const r = Number(nr.trim());
      if (nr.trim() === '' || !(r >= 0 && r <= 1)) bad(key('null-rate'), `option '${key('null-rate')}' must be a number from 0 to 1, got '${nr}'`);
      else if (r > 0 && !t.nullable) bad(key('null-rate'), `column '${f.name}' is NOT NULL, so '${key('null-rate')}' must be 0`);
      else spec.nullRate = r;
    }
  }
  return { config, diagnostics: out };
}
