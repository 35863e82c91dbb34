// One job: state, throughput (chart), watermark, checkpoints, errors, the latest feature values per entity key and
// recent changes; start/stop/restart; the job's JSON configuration.
import { useState } from 'react';
import { client, ok, errorText, type JobEvent, type JobMetrics as Metrics, type JobResults as Results, type JobSpec, type JobStatus } from '../api.js';
import { ResultTable, StateBadge, usePoll } from '../components.js';
import { ThroughputChart } from '../chart.js';

export function JobDetail({ name }: { name: string }) {
  const [job, setJob] = useState<{ job: JobSpec; status: JobStatus } | null>(null);
  const [res, setRes] = useState<Results | null>(null);
  const [m, setM] = useState<Metrics | null>(null);
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [hist, setHist] = useState<{ versions: JobSpec[]; events: JobEvent[] } | null>(null);
  const load = async (): Promise<void> => {
    try {
      const path = { name };
      setJob(await ok(client.GET('/api/jobs/{name}', { params: { path } })));
      setRes(await ok(client.GET('/api/jobs/{name}/results', { params: { path, query: { limit: '50' } } })));
      setM(await ok(client.GET('/api/jobs/{name}/metrics', { params: { path } })));
      setHist(await ok(client.GET('/api/jobs/{name}/history', { params: { path } })));
      setErr('');
    } catch (e) { setErr(errorText(e)); }
  };
  usePoll(load, 1500, [name]);
  const act = async (a: 'start' | 'stop' | 'restart'): Promise<void> => {
    setBusy(true);
    const path = { name };
    try {
      if (a === 'start') await ok(client.POST('/api/jobs/{name}/start', { params: { path } }));
      else if (a === 'stop') await ok(client.POST('/api/jobs/{name}/stop', { params: { path } }));
      else await ok(client.POST('/api/jobs/{name}/restart', { params: { path } }));
      await load();
    } catch (e) { setErr(errorText(e)); }
    setBusy(false);
  };
  if (!job) return <p>{err || 'Loading…'}</p>;
  const s = job.status;
  const series = m?.series ?? [];
  return (
    <>
      <h1>Job {name} <StateBadge state={s.state} /> <span className="muted">v{s.version}</span></h1>
      {err && <p className="error">{err}</p>}
      <div className="card">
        <button onClick={() => void act('start')} disabled={busy || s.state === 'running'}>Start</button>
        <button className="secondary" onClick={() => void act('stop')} disabled={busy || s.state !== 'running'}>Stop</button>
        <button className="secondary" onClick={() => void act('restart')} disabled={busy}>Restart</button>
        <a className="button secondary" href={`#/features/edit/${name}`} data-testid="edit-job">Edit (new version)</a>
        <a className="button secondary" href={`#/features/${name}`}>Versions &amp; lineage</a>
        <a className="button secondary" href={`#/monitoring/${encodeURIComponent(name)}`} data-testid="job-monitoring">Monitoring</a>
        <div style={{ marginTop: 12 }}>
          <span className="stat"><b data-testid="rows-per-sec">{s.rowsPerSec}</b>rows/s in</span>
          <span className="stat"><b>{s.rowsIn}</b>rows read</span>
          <span className="stat"><b data-testid="changes">{s.changes}</b>changes out</span>
          <span className="stat"><b>{s.results}</b>entity keys</span>
          <span className="stat"><b data-testid="watermark">{s.watermark ?? '-'}</b>watermark</span>
          <span className="stat"><b>{s.checkpoints}</b>checkpoints{s.lastCheckpointAt ? ` (last ${s.lastCheckpointAt.slice(11, 19)})` : ''}</span>
        </div>
        {s.restoredFrom && <p className="muted">Restored from checkpoint {s.restoredFrom}.</p>}
        {s.errors.length > 0 && <ul className="diags">{s.errors.map((e, i) => <li key={i}>{e.code}: {e.message}</li>)}</ul>}
      </div>
      <ThroughputChart t={series.map((p) => p.t / 1000)} rows={series.map((p) => p.rowsPerSec)} changes={series.map((p) => p.changesPerSec)} />
      <h2>Feature values (latest per {job.job.entityKey.join(', ')})</h2>
      {res && <ResultTable columns={res.columns} rows={res.rows} testId="job-results" />}
      <h2>Recent changes</h2>
      {res && <ResultTable columns={[{ name: 'at', type: 'time' }, { name: 'op', type: '' }, ...res.columns]} rows={res.recent.slice(0, 15).map((c) => [c.at.slice(11, 23), c.op, ...c.row])} />}
      <h2>Checkpoints</h2>
      <p className="muted">{m?.checkpoints.map((c) => `${c.file} (${c.bytes} B, ${c.at.slice(11, 19)})`).join(' · ') || 'none yet'}</p>
      <h2>History</h2>
      <table data-testid="job-history">
        <thead><tr><th>At</th><th>Event</th><th>Version</th><th>Checkpoint restored</th><th>Note</th></tr></thead>
        <tbody>
          {[...(hist?.events ?? [])].reverse().slice(0, 30).map((e, i) => (
            <tr key={i}><td>{e.at.replace('T', ' ').slice(0, 19)}</td><td>{e.kind}</td><td>v{e.version}</td><td>{e.restoredFrom ?? ''}</td><td className="muted">{e.note ?? ''}</td></tr>
          ))}
          {(hist?.events.length ?? 0) === 0 && <tr><td colSpan={5} className="muted">versions: {hist?.versions.map((v) => `v${v.version} (${v.updatedAt.slice(0, 19)})`).join(', ')}</td></tr>}
        </tbody>
      </table>
      <h2>Job configuration</h2>
      <pre>{JSON.stringify(job.job, null, 2)}</pre>
    </>
  );
}
