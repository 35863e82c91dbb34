// Feature lookup: read a feature's current value for an entity key from the running job's embedded output.
// Online stores and the serving API are not configured in the embedded platform yet: the page says so.
import { useEffect, useState } from 'react';
import { api, errorText, type Column, type JobSpec, type JobStatus } from '../api.js';
import { ResultTable } from '../components.js';

export function LookupPage() {
  const [jobs, setJobs] = useState<JobSpec[]>([]);
  const [job, setJob] = useState('');
  const [key, setKey] = useState('');
  const [out, setOut] = useState<{ columns: Column[]; rows: unknown[][] } | null>(null);
  const [err, setErr] = useState('');
  useEffect(() => { void api<{ jobs: { spec: JobSpec; status: JobStatus }[] }>('GET', '/api/jobs').then((r) => { setJobs(r.jobs.map((j) => j.spec)); setJob(r.jobs[0]?.spec.name ?? ''); }); }, []);
  const look = async (): Promise<void> => {
    try {
      const r = await api<{ columns: Column[]; entityKey: string[]; rows: unknown[][] }>('GET', `/api/jobs/${job}/results?limit=10000`);
      const idx = r.entityKey.map((k) => r.columns.findIndex((c) => c.name === k));
      const want = key.split(',').map((s) => s.trim());
      setOut({ columns: r.columns, rows: r.rows.filter((row) => idx.every((i, n) => String(row[i]) === want[n])) });
      setErr('');
    } catch (e) { setErr(errorText(e)); }
  };
  return (
    <>
      <h1>Feature lookup</h1>
      <div className="card">
        <p className="muted" data-testid="serving-status">Online serving: serving not configured (no online store is attached to this platform). Values below come from the jobs' embedded outputs.</p>
        <div className="row">
          <div><label>Feature</label><select aria-label="feature" value={job} onChange={(e) => setJob(e.target.value)}>{jobs.map((j) => <option key={j.name}>{j.name}</option>)}</select></div>
          <div><label>Entity key value</label><input aria-label="entity key value" value={key} onChange={(e) => setKey(e.target.value)} /></div>
        </div>
        <div style={{ marginTop: 10 }}><button onClick={() => void look()} disabled={!job}>Look up</button></div>
        {err && <p className="error">{err}</p>}
      </div>
      {out && <ResultTable columns={out.columns} rows={out.rows} />}
    </>
  );
}
