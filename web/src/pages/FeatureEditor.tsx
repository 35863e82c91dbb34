// The feature editor in the seed's four steps: (1) basic information, (2) data source selection with a schema
// browser, (3) SQL with live positioned errors and a Preview, (4) outputs; then the generated JSON job spec for
// review and Deploy (POST /api/jobs writes it and starts the job).
import { useEffect, useMemo, useState } from 'react';
import { api, errorText, ApiError, type CatalogTable, type PreviewResult } from '../api.js';
import { ResultTable } from '../components.js';
import { SqlEditor, type SqlCheck } from '../sql-editor.js';

const STEPS = ['1. Basic information', '2. Data sources', '3. SQL', '4. Outputs', 'Review & deploy'];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function template(t: CatalogTable | undefined, key: string): string {
  if (!t) return 'SELECT 1';
  const k = t.columns.some((c) => c.name === key) ? key : t.columns[0]?.name ?? 'id';
  const name = t.table.includes('.') ? t.table.split('.').map((p) => p).join('.') : t.table;
  return `SELECT ${k}, COUNT(*) AS events\nFROM ${name}\nGROUP BY ${k}`;
}

export function FeatureEditor() {
  const [step, setStep] = useState(0);
  const [name, setName] = useState('');
  const [entityKey, setEntityKey] = useState('');
  const [owner, setOwner] = useState('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [tables, setTables] = useState<CatalogTable[]>([]);
  const [sources, setSources] = useState<string[]>([]);
  const [sqlText, setSqlText] = useState('');
  const [check, setCheck] = useState<SqlCheck | null>(null);
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [outTable, setOutTable] = useState('');
  const [interval, setIntervalOpt] = useState('10s');
  const [err, setErr] = useState('');
  const [deploying, setDeploying] = useState(false);

  useEffect(() => { void api<{ tables: CatalogTable[] }>('GET', '/api/catalog/tables').then((r) => setTables(r.tables), (e: unknown) => setErr(errorText(e))); }, []);
  const keys = entityKey.split(',').map((s) => s.trim()).filter(Boolean);
  const spec = useMemo(() => ({
    name, owner, description, tags: tags.split(',').map((s) => s.trim()).filter(Boolean), entityKey: keys, sources, sql: sqlText,
    outputs: [{ table: outTable || name, kind: 'embedded' }], options: { 'execution.checkpointing.interval': interval },
  }), [name, owner, description, tags, entityKey, sources, sqlText, outTable, interval]);

  const stepError = (): string => {
    if (step === 0) {
      if (!IDENT.test(name)) return 'Name: letters, digits and _ (not starting with a digit)';
      if (keys.length === 0) return 'Entity key: at least one column';
      if (!owner.trim()) return 'Owner is required';
    }
    if (step === 1 && sources.length === 0) return 'Select at least one source';
    if (step === 2 && (!sqlText.trim() || (check && !check.ok))) return 'Fix the SQL errors first';
    return '';
  };
  const next = (): void => {
    const e = stepError();
    setErr(e);
    if (e) return;
    if (step === 1 && !sqlText) setSqlText(template(tables.find((t) => t.table === sources[0]), keys[0] ?? ''));
    setStep(step + 1);
  };
  const runPreview = async (): Promise<void> => {
    setPreviewing(true); setErr('');
    try { setPreview(await api<PreviewResult>('POST', '/api/sql/preview', { sql: sqlText, limit: 50, timeoutMs: 5000 })); } catch (e) { setErr(errorText(e)); }
    setPreviewing(false);
  };
  const deploy = async (): Promise<void> => {
    setDeploying(true); setErr('');
    try {
      await api('POST', '/api/jobs', spec);
      location.hash = `#/jobs/${name}`;
    } catch (e) {
      const det = e instanceof ApiError && e.body.details ? ' — ' + e.body.details.map((d) => d.message).join('; ') : '';
      setErr(errorText(e) + det);
    }
    setDeploying(false);
  };

  return (
    <>
      <h1>New feature</h1>
      <div className="steps">{STEPS.map((s, i) => <span key={s} className={i === step ? 'current' : i < step ? 'done' : ''}>{s}</span>)}</div>
      {step === 0 && (
        <div className="card">
          <div className="row">
            <div><label>Feature name</label><input aria-label="feature name" value={name} onChange={(e) => setName(e.target.value)} placeholder="orders_per_user" /></div>
            <div><label>Entity key (comma-separated result columns)</label><input aria-label="entity key" value={entityKey} onChange={(e) => setEntityKey(e.target.value)} placeholder="user_id" /></div>
            <div><label>Owner</label><input aria-label="owner" value={owner} onChange={(e) => setOwner(e.target.value)} placeholder="team-growth" /></div>
          </div>
          <label>Description</label>
          <textarea aria-label="description" rows={2} style={{ width: '100%' }} value={description} onChange={(e) => setDescription(e.target.value)} />
          <label>Tags (comma-separated)</label>
          <input aria-label="tags" value={tags} onChange={(e) => setTags(e.target.value)} />
        </div>
      )}
      {step === 1 && (
        <div className="row">
          <div className="card">
            <h2>Select sources</h2>
            {tables.map((t) => (
              <div key={t.table}>
                <input type="checkbox" id={`src-${t.table}`} aria-label={`use ${t.table}`} checked={sources.includes(t.table)}
                  onChange={(e) => setSources(e.target.checked ? [...sources, t.table] : sources.filter((s) => s !== t.table))} />
                <label className="inline" htmlFor={`src-${t.table}`}>{t.table}</label>
                <span className="muted">{t.columns.length} columns{t.eventTimeColumn ? `, event time ${t.eventTimeColumn}` : ''}</span>
              </div>
            ))}
            {tables.length === 0 && <p className="muted">No sources registered: <a href="#/sources">register one</a>.</p>}
          </div>
          <SchemaBrowser tables={tables.filter((t) => sources.length === 0 || sources.includes(t.table))} />
        </div>
      )}
      {step === 2 && (
        <div className="row">
          <div style={{ flex: '3 1 500px' }}>
            <SqlEditor value={sqlText} onChange={(v) => { setSqlText(v); }} tables={tables} onCheck={setCheck} />
            <ul className="diags" data-testid="sql-diagnostics">
              {check?.diagnostics.map((d, i) => <li key={i}>{d.span ? `${d.span.line}:${d.span.column} ` : ''}{d.code}: {d.message}{d.hint ? ` — ${d.hint}` : ''}</li>)}
            </ul>
            {check?.ok && <p className="ok" data-testid="sql-ok">SQL is valid. Result: {check.columns.map((c) => `${c.name} ${c.type}`).join(', ')}</p>}
            <button onClick={() => void runPreview()} disabled={previewing || !sqlText.trim()}>{previewing ? 'Running…' : 'Preview'}</button>
            {preview && (
              <div className="card" style={{ marginTop: 10 }}>
                {preview.diagnostics.filter((d) => d.severity === 'error').map((d, i) => <p key={i} className="error">{d.code}: {d.message}</p>)}
                <p className="muted">{preview.rows.length} rows in {preview.elapsedMs} ms{preview.truncated ? ' (truncated)' : ''}{preview.timedOut ? ' (timed out: partial)' : ''}</p>
                <ResultTable columns={preview.columns} rows={preview.rows} testId="preview-table" />
              </div>
            )}
          </div>
          <SchemaBrowser tables={tables.filter((t) => sources.includes(t.table))} />
        </div>
      )}
      {step === 3 && (
        <div className="card">
          <div className="row">
            <div><label>Output table</label><input aria-label="output table" value={outTable || name} onChange={(e) => setOutTable(e.target.value)} /></div>
            <div><label>Output kind</label><select aria-label="output kind" value="embedded" onChange={() => undefined}><option value="embedded">embedded (latest row per entity key, kept by the platform)</option></select></div>
            <div><label>Checkpoint interval</label><input aria-label="checkpoint interval" value={interval} onChange={(e) => setIntervalOpt(e.target.value)} /></div>
          </div>
        </div>
      )}
      {step === 4 && (
        <div className="card">
          <h2>Job configuration (JSON)</h2>
          <pre data-testid="job-spec-json">{JSON.stringify(spec, null, 2)}</pre>
          <button onClick={() => void deploy()} disabled={deploying}>{deploying ? 'Deploying…' : 'Deploy'}</button>
        </div>
      )}
      {err && <p className="error" data-testid="editor-error">{err}</p>}
      <div style={{ marginTop: 12 }}>
        <button className="secondary" onClick={() => { setErr(''); setStep(Math.max(0, step - 1)); }} disabled={step === 0}>Back</button>
        {step < 4 && <button onClick={next}>Next</button>}
      </div>
    </>
  );
}

function SchemaBrowser({ tables }: { tables: CatalogTable[] }) {
  return (
    <div className="card schema-browser" data-testid="schema-browser">
      <h2>Schema browser</h2>
      {tables.map((t) => (
        <details key={t.table} open>
          <summary>{t.table}</summary>
          <table><tbody>{t.columns.map((c) => <tr key={c.name}><td><code>{c.name}</code></td><td className="muted">{c.type}{c.eventTime ? ` · event time, watermark ${t.watermarkDelayMs} ms` : ''}{c.computed ? ' · computed' : ''}</td></tr>)}</tbody></table>
        </details>
      ))}
    </div>
  );
}
