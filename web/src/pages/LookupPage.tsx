// Feature lookup: a key's current feature values. Feature tables published to an online store are read through
// the serving API (GET /api/features/{table}?key=...) with their freshness metadata (read time, watermark, lag,
// stale flag, per-key version and write time); a job without a store output answers from its embedded output
// (the latest row per entity key kept by the platform).
import { useEffect, useState } from 'react';
import { client, ok, errorText, type Column, type FeatureAnswer, type FeatureTable, type JobSpec } from '../api.js';
import { ResultTable } from '../components.js';

const iso = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 23));

export function LookupPage({ initial }: { initial?: string }) {
  const [tables, setTables] = useState<FeatureTable[]>([]);
  const [jobs, setJobs] = useState<JobSpec[]>([]);
  const [target, setTarget] = useState(initial ?? '');
  const [key, setKey] = useState('');
  const [answer, setAnswer] = useState<FeatureAnswer | null>(null);
  const [embedded, setEmbedded] = useState<{ columns: Column[]; rows: unknown[][] } | null>(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    void (async () => {
      try {
        const [f, j] = await Promise.all([ok(client.GET('/api/features')), ok(client.GET('/api/jobs'))]);
        setTables(f.features);
        setJobs(j.jobs.map((x) => x.spec));
        setTarget((t) => t || f.features[0]?.table || j.jobs[0]?.spec.name || '');
      } catch (e) { setErr(errorText(e)); }
    })();
  }, []);
  const published = tables.find((t) => t.table === target);
  const look = async (): Promise<void> => {
    setErr(''); setAnswer(null); setEmbedded(null);
    try {
      if (published) {
        setAnswer(await ok(client.GET('/api/features/{table}', { params: { path: { table: target }, query: { key } } })));
        return;
      }
      const r = await ok(client.GET('/api/jobs/{name}/results', { params: { path: { name: target }, query: { limit: '10000' } } }));
      const idx = r.entityKey.map((k) => r.columns.findIndex((c) => c.name === k));
      const want = key.split('|').map((s) => s.trim());
      setEmbedded({ columns: r.columns, rows: r.rows.filter((row) => idx.every((i, n) => String(row[i]) === want[n])) });
    } catch (e) { setErr(errorText(e)); }
  };
  const servedJobs = new Set(tables.map((t) => t.job));
  return (
    <>
      <h1>Feature lookup</h1>
      <div className="card">
        <p className="muted" data-testid="serving-status">
          {tables.length > 0
            ? `Online serving: ${tables.length} feature table(s) published to online stores (${[...new Set(tables.map((t) => t.store))].join(', ')}); values come with freshness metadata.`
            : 'Online serving: no feature table is published to an online store yet; values come from the jobs\u2019 embedded outputs.'}
        </p>
        <div className="row">
          <div>
            <label>Feature table</label>
            <select aria-label="feature" value={target} onChange={(e) => setTarget(e.target.value)}>
              {tables.map((t) => <option key={`t-${t.table}`} value={t.table}>{t.table} ({t.store})</option>)}
              {jobs.filter((j) => !servedJobs.has(j.name)).map((j) => <option key={`j-${j.name}`} value={j.name}>{j.name} (embedded output)</option>)}
            </select>
          </div>
          <div>
            <label>Entity key value{published && published.entityKey.length > 1 ? ` (${published.entityKey.join(' | ')})` : ''}</label>
            <input aria-label="entity key value" value={key} onChange={(e) => setKey(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') void look(); }} />
          </div>
        </div>
        <div style={{ marginTop: 10 }}><button onClick={() => void look()} disabled={!target || !key.trim()}>Look up</button></div>
        {err && <p className="error">{err}</p>}
      </div>
      {answer && (
        <div className="card" data-testid="lookup-answer">
          <p>
            <span className="stat"><b>{iso(answer.asOf)}</b>read at</span>
            <span className="stat"><b>{iso(answer.watermark)}</b>watermark</span>
            <span className="stat"><b>{answer.lagMs === null ? '-' : `${answer.lagMs} ms`}</b>lag</span>
            <span className="stat"><b data-testid="lookup-stale">{answer.stale ? 'stale' : 'fresh'}</b>freshness</span>
            {answer.tiled && <span className="stat"><b>{iso(answer.windowEnd)}</b>window end</span>}
          </p>
          {answer.incomplete.length > 0 && <p className="warn">Possibly incomplete: {answer.incomplete.join(', ')}</p>}
          {answer.results.map((r) => (
            <div key={r.key}>
              <h2>{r.key} {r.found ? '' : <span className="muted">(not found)</span>}</h2>
              <ResultTable testId="lookup-values" columns={Object.keys(r.values).map((n) => ({ name: n, type: '' }))} rows={r.found ? [Object.values(r.values)] : []} />
              <p className="muted">
                {r.version !== undefined ? `version ${r.version} · ` : ''}{r.writtenAt ? `written ${iso(r.writtenAt)} · ` : ''}last event {iso(r.lastEventTime)}
              </p>
            </div>
          ))}
        </div>
      )}
      {embedded && <ResultTable columns={embedded.columns} rows={embedded.rows} testId="lookup-values" />}
    </>
  );
}
