// One job: state, throughput (chart), watermark, checkpoints, errors, the latest feature values per entity key and
// recent changes; start/stop/restart; the job's JSON configuration.
import { useState } from 'react';
import { api, errorText, type Column, type JobSpec, type JobStatus } from '../api.js';
import { ResultTable, StateBadge, usePoll } from '../components.js';
import { ThroughputChart } from '../chart.js';

interface Results { columns: Column[]; entityKey: string[]; rows: unknown[][]; updatedAt: string[]; recent: { at: string; op: string; row: unknown[] }[] }
interface Metrics { series: { t: number; rowsPerSec: number; changesPerSec: number; watermark: number | null }[]; checkpoints: { file: string; at: string; bytes: number }[] }

export function JobDetail({ name }: { name: string }) {
  const [job, setJob] = useState<{ job: JobSpec; status: JobStatus } | null>(null);
  const [res, setRes] = useState<Results | null>(null);
  const [m, setM] = useState<Metrics | null>(null);
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const load = async (): Promise<void> => {
    try {
      setJob(await api('GET', `/api/jobs/${name}`));
      setRes(await api('GET', `/api/jobs/${name}/results?limit=50`));
      setM(await api('GET', `/api/jobs/${name}/metrics`));
      setErr('');
    } catch (e) { setErr(errorText(e)); }
  };
  usePoll(load, 1500, [name]);
  const act = async (a: string): Promise<void> => {
    setBusy(true);
    try { await api('POST', `/api/jobs/${name}/${a}`); await load(); } catch (e) { setErr(errorText(e)); }
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
      <h2>Job configuration</h2>
      <pre>{JSON.stringify(job.job, null, 2)}</pre>
    </>
  );
}
