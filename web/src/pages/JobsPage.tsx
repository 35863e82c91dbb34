// Jobs: every deployed feature job with its state, throughput and watermark; below them the jobs of the platform's
// Flink cluster when it has one (FlinkJobsTable).
import { useState } from 'react';
import { client, ok, errorText, type JobSpec, type JobStatus } from '../api.js';
import { StateBadge, usePoll } from '../components.js';
import { FlinkJobsTable } from './FlinkJobsTable.js';

export function JobsPage() {
  const [jobs, setJobs] = useState<{ spec: JobSpec; status: JobStatus }[]>([]);
  const [err, setErr] = useState('');
  usePoll(async () => {
    try { setJobs((await ok(client.GET('/api/jobs'))).jobs); setErr(''); } catch (e) { setErr(errorText(e)); }
  }, 2000);
  return (
    <>
      <h1>Jobs</h1>
      {err && <p className="error">{err}</p>}
      <div className="card">
        <table data-testid="jobs-table">
          <thead><tr><th>Job</th><th>State</th><th>Version</th><th>Sources</th><th className="num">Rows/s</th><th className="num">Rows in</th><th className="num">Keys</th><th>Watermark</th><th className="num">Checkpoints</th><th>Owner</th></tr></thead>
          <tbody>
            {jobs.map(({ spec, status }) => (
              <tr key={spec.name}>
                <td><a href={`#/jobs/${spec.name}`}>{spec.name}</a></td><td><StateBadge state={status.state} /></td><td>v{spec.version}</td><td>{spec.sources.join(', ')}</td>
                <td className="num">{status.rowsPerSec}</td><td className="num">{status.rowsIn}</td><td className="num">{status.results}</td><td>{status.watermark ?? '-'}</td><td className="num">{status.checkpoints}</td><td>{spec.owner}</td>
              </tr>
            ))}
            {jobs.length === 0 && <tr><td colSpan={10} className="muted">No jobs yet: <a href="#/features/new">build a feature</a>.</td></tr>}
          </tbody>
        </table>
      </div>
      <FlinkJobsTable />
    </>
  );
}
