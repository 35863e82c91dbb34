// Small shared UI pieces: result tables, state badges, the schema editor used by source registration and editing,
// and a polling hook.
import { useEffect, useRef } from 'react';
import type { Column, FieldSpec, TypeSchema } from './api.js';

export function usePoll(fn: () => Promise<void> | void, ms: number, deps: unknown[] = []): void {
  const f = useRef(fn);
  f.current = fn;
  useEffect(() => {
    let alive = true;
    const run = async (): Promise<void> => { try { await f.current(); } catch { /* shown by the page */ } };
    void run();
    const t = setInterval(() => { if (alive) void run(); }, ms);
    return () => { alive = false; clearInterval(t); };
  }, deps);
}

// Doubles print with 12 significant digits, so sums like 191.85000000000002 read as 191.85.
const cell = (v: unknown): string => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v)
  : typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(12))) : String(v));

export function ResultTable({ columns, rows, testId }: { columns: Column[]; rows: unknown[][]; testId?: string }) {
  return (
    <table data-testid={testId}>
      <thead><tr>{columns.map((c) => <th key={c.name} title={c.type}>{c.name}<div className="muted">{c.type}</div></th>)}</tr></thead>
      <tbody>
        {rows.map((r, i) => <tr key={i}>{r.map((v, j) => <td key={j} className={typeof v === 'number' ? 'num' : ''}>{cell(v)}</td>)}</tr>)}
        {rows.length === 0 && <tr><td colSpan={Math.max(1, columns.length)} className="muted">no rows</td></tr>}
      </tbody>
    </table>
  );
}

export const StateBadge = ({ state }: { state: string }) => <span className={`badge state-${state}`} data-testid="job-state">{state}</span>;

const TIME_TYPES = /^(TIMESTAMP|TIMESTAMP_LTZ)/;

/**
 * Editable schema of one type: field types, nullability, descriptions, event-time column, watermark delay and the
 * processing-time column (`<name> AS PROCTIME()`; emptied, the source has none).
 */
export function SchemaEditor({ schema, onChange, title }: { schema: TypeSchema; onChange: (s: TypeSchema) => void; title?: string }) {
  const timeCols: string[] = [];
  for (const f of schema.fields) {
    if (TIME_TYPES.test(f.type)) timeCols.push(f.name);
    if (f.timeColumn) timeCols.push(f.timeColumn);
  }
  const setField = (i: number, patch: Partial<FieldSpec>): void => onChange({ ...schema, fields: schema.fields.map((f, k) => (k === i ? { ...f, ...patch } : f)) });
  return (
    <div className="card">
      {title && <h2>{title}</h2>}
      <table>
        <thead><tr><th>Field</th><th>Type</th><th>Nullable</th><th>Time format</th><th>Description</th></tr></thead>
        <tbody>
          {schema.fields.map((f, i) => (
            <tr key={f.name}>
              <td><code>{f.name}</code></td>
              <td><input aria-label={`type of ${f.name}`} value={f.type} onChange={(e) => setField(i, { type: e.target.value })} /></td>
              <td><input type="checkbox" aria-label={`${f.name} nullable`} checked={f.nullable} onChange={(e) => setField(i, { nullable: e.target.checked })} /></td>
              <td className="muted">{f.timestampFormat ?? ''}{f.timeColumn ? ` → ${f.timeColumn}` : ''}</td>
              <td><input aria-label={`description of ${f.name}`} value={f.description ?? ''} placeholder="what it means" onChange={(e) => {
                const { description: _d, ...rest } = f;
                onChange({ ...schema, fields: schema.fields.map((x, k) => (k === i ? (e.target.value ? { ...rest, description: e.target.value } : rest) : x)) });
              }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <div>
          <label>Event time column</label>
          <select aria-label="event time column" value={schema.eventTimeColumn ?? ''} onChange={(e) => {
            const s: TypeSchema = { ...schema };
            if (e.target.value) s.eventTimeColumn = e.target.value; else delete s.eventTimeColumn;
            onChange(s);
          }}>
            <option value="">(none: processing time only)</option>
            {timeCols.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </div>
        <div>
          <label>Watermark delay (ms)</label>
          <input type="number" aria-label="watermark delay" min={0} value={schema.watermarkDelayMs ?? 5000} disabled={!schema.eventTimeColumn}
            onChange={(e) => onChange({ ...schema, watermarkDelayMs: Math.max(0, Number(e.target.value) || 0) })} />
        </div>
        <div>
          <label>Processing time column</label>
          <input aria-label="processing time column" title="<name> AS PROCTIME(): the time lookup joins read feature tables at; empty for none"
            value={schema.procTimeColumn ?? ''} placeholder="(none)" onChange={(e) => {
            const s: TypeSchema = { ...schema };
            const v = e.target.value.trim();
            if (v) s.procTimeColumn = v; else delete s.procTimeColumn;
            onChange(s);
          }} />
        </div>
      </div>
    </div>
  );
}
