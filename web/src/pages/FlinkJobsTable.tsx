// The jobs of the platform's Apache Flink cluster (freshet start --flink), shown on the jobs page under the embedded
// jobs: state, start time, duration, records read, checkpoints, a link to the job in Flink's web UI, and for editors
// stop-with-savepoint and cancel. Nothing is shown when the platform has no Flink cluster.
import { useState } from 'react';
import { client, ok, errorText, type FlinkJobList } from '../api.js';
import { usePoll } from '../components.js';

const LIVE = new Set(['INITIALIZING', 'CREATED', 'RUNNING', 'RESTARTING', 'RECONCILING']);

/** Flink's job states mapped onto the badge colours of the embedded jobs. */
const badgeClass = (state: string): string =>
  state === 'RUNNING' ? 'state-running' : state === 'FAILED' || state === 'FAILING' ? 'state-failed'
    : state === 'FINISHED' || state === 'CANCELED' || state === 'SUSPENDED' ? 'state-finished' : 'state-starting';

const duration = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
};

export function FlinkJobsTable() {
  const [list, setList] = useState<FlinkJobList | null>(null);
  const [err, setErr] = useState('');
  const [note, setNote] = useState('');
  const [role, setRole] = useState('viewer');
  const [busy, setBusy] = useState('');
  const load = async (): Promise<void> => {
    try { setList(await ok(client.GET('/api/flink/jobs', { params: { query: { limit: '50' } } }))); setErr(''); } catch (e) {
      // No stale rows under an error: what the cluster runs is unknown until it answers again.
      setList((l) => (l ? { ...l, jobs: [] } : l));
      setErr(errorText(e));
    }
  };
  usePoll(load, 3000);
  usePoll(async () => { setRole((await ok(client.GET('/api/whoami'))).role); }, 60_000);
  // Nothing until the first answer, and nothing at all when the platform has no Flink cluster.
  if ((!list && !err) || (list && !list.configured)) return null;
  const act = async (id: string, a: 'stop' | 'cancel'): Promise<void> => {
    if (a === 'cancel' && !confirm(`Cancel Flink job ${id} without a savepoint?`)) return;
    setBusy(id);
    try {
      const path = { id };
      if (a === 'stop') setNote(`Stopped ${id}; savepoint ${(await ok(client.POST('/api/flink/jobs/{id}/stop', { params: { path }, body: {} }))).savepoint}`);
      else setNote(`Canceled ${id} (${(await ok(client.POST('/api/flink/jobs/{id}/cancel', { params: { path } }))).state})`);
      await load();
    } catch (e) { setErr(errorText(e)); }
    setBusy('');
  };
  const editor = role === 'editor' || role === 'admin';
  return (
    <>
      <h2>Flink jobs {list?.webUrl && <a className="muted" href={list.webUrl} target="_blank" rel="noreferrer" style={{ fontSize: 13 }}>{list.webUrl}</a>}</h2>
      {err && <p className="error" data-testid="flink-error">Flink cluster unavailable: {err}</p>}
      {note && <p className="muted" data-testid="flink-note">{note}</p>}
      <div className="card">
        <table data-testid="flink-jobs-table">
          <thead><tr><th>Job</th><th>State</th><th>Started</th><th>Duration</th><th className="num">Records in</th><th className="num">Records out</th><th className="num">Checkpoints</th><th>Last checkpoint</th><th>Job id</th>{editor && <th />}</tr></thead>
          <tbody>
            {(list?.jobs ?? []).map((j) => (
              <tr key={j.id}>
                <td><a href={j.webUrl} target="_blank" rel="noreferrer" title="open in Flink's web UI">{j.name}</a></td>
                <td><span className={`badge ${badgeClass(j.state)}`} data-testid="flink-job-state">{j.state}</span></td>
                <td>{new Date(j.startTime).toISOString().replace('T', ' ').slice(0, 19)}</td>
                <td>{duration(j.durationMs)}</td>
                <td className="num">{j.recordsIn}</td><td className="num">{j.recordsOut}</td>
                <td className="num">{j.checkpoints.completed}{j.checkpoints.failed > 0 ? ` (${j.checkpoints.failed} failed)` : ''}</td>
                <td>{j.checkpoints.lastAt !== null ? new Date(j.checkpoints.lastAt).toISOString().slice(11, 19) : '-'}</td>
                <td><code className="muted" title={j.id}>{j.id.slice(0, 8)}</code></td>
                {editor && <td style={{ whiteSpace: 'nowrap' }}>{j.state === 'RUNNING' && <>
                  <button className="secondary" disabled={busy !== ''} onClick={() => void act(j.id, 'stop')} title="stop with a savepoint">Stop</button>
                  <button className="secondary" disabled={busy !== ''} onClick={() => void act(j.id, 'cancel')}>Cancel</button>
                </>}{LIVE.has(j.state) && j.state !== 'RUNNING' ? <span className="muted">…</span> : null}</td>}
              </tr>
            ))}
            {list && list.jobs.length === 0 && !err && <tr><td colSpan={editor ? 10 : 9} className="muted">The Flink cluster at {list.url} has no jobs: deploy one with <code>freshet flink deploy -f script.sql</code>.</td></tr>}
          </tbody>
        </table>
      </div>
    </>
  );
}
