// Monitoring: every job's latest figures (records in/out per second, latency p99, watermark delay, Kafka lag, state
// size, dead letters, restarts, firing alerts) and feature-serving QPS/latency; one job's live charts at
// #/monitoring/<job>. Figures come from /api/metrics/* (collected every few seconds, last hour kept); Prometheus
// scrapes the same at /metrics.
import { useState } from 'react';
import { errorText } from '../api.js';
import { usePoll } from '../components.js';
import { MetricChart } from '../metric-chart.js';
import { api, type AlertInstance, type Chart, type JobOverview } from '../monitoring-api.js';

const num = (v: number | undefined, digits = 1): string => (v === undefined || !Number.isFinite(v) ? '-' : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(Number(v.toFixed(digits))));
const secs = (v: number | undefined): string => (v === undefined ? '-' : v < 1 ? `${(v * 1000).toFixed(1)} ms` : v < 120 ? `${v.toFixed(2)} s` : v < 7200 ? `${(v / 60).toFixed(1)} min` : v < 172_800 ? `${(v / 3600).toFixed(1)} h` : `${(v / 86_400).toFixed(1)} d`);
const bytes = (v: number | undefined): string => (v === undefined ? '-' : v < 1024 ? `${v} B` : v < 1024 ** 2 ? `${(v / 1024).toFixed(1)} KiB` : `${(v / 1024 ** 2).toFixed(1)} MiB`);

export function MonitoringPage({ job }: { job?: string }) {
  return job ? <JobMonitoring job={job} /> : <Overview />;
}

function Overview() {
  const [data, setData] = useState<{ jobs: JobOverview[]; serving: { table: string; qps: number; p99: number | null }[] } | null>(null);
  const [err, setErr] = useState('');
  usePoll(async () => {
    try { setData(await api('GET', '/api/metrics/overview')); setErr(''); } catch (e) { setErr(errorText(e)); }
  }, 2000);
  return (
    <>
      <h1>Monitoring</h1>
      <p className="muted">Live figures of every job on this instance (collected every few seconds, last hour kept). Prometheus: <code>GET /metrics</code>. Alerts: <a href="#/alerts">Alerts</a>.</p>
      {err && <p className="error">{err}</p>}
      <table data-testid="monitoring-jobs">
        <thead><tr><th>Job</th><th>State</th><th>In/s</th><th>Out/s</th><th>Records in</th><th>p99 arrival→store</th><th>p99 event→store</th><th>Watermark delay</th><th>Kafka lag</th><th>State size</th><th>Dead letters</th><th>Late</th><th>Restarts</th><th>Alerts</th></tr></thead>
        <tbody>
          {data?.jobs.map((j) => (
            <tr key={j.job}>
              <td><a href={`#/monitoring/${encodeURIComponent(j.job)}`}>{j.job}</a></td>
              <td><span className={`badge state-${j.failed ? 'failed' : j.up ? 'running' : 'stopped'}`}>{j.failed ? 'failed' : j.up ? 'up' : 'down'}</span></td>
              <td className="num">{num(j.recordsInPerSec)}</td><td className="num">{num(j.recordsOutPerSec)}</td><td className="num">{num(j.recordsIn, 0)}</td>
              <td className="num">{secs(j.arrivalP99)}</td><td className="num">{secs(j.eventP99)}</td><td className="num">{secs(j.watermarkDelay)}</td>
              <td className="num">{num(j.lag, 0)}</td><td className="num">{bytes(j.stateBytes)}</td><td className="num">{num(j.deadLetters, 0)}</td>
              <td className="num">{num(j.late, 0)}</td><td className="num">{num(j.restarts, 0)}</td>
              <td className="num">{j.alertsFiring > 0 ? <a className="error" href="#/alerts">{j.alertsFiring} firing</a> : '0'}</td>
            </tr>
          ))}
          {data && data.jobs.length === 0 && <tr><td colSpan={14} className="muted">no job has run on this instance yet</td></tr>}
        </tbody>
      </table>
      <h2>Feature serving</h2>
      <table data-testid="monitoring-serving">
        <thead><tr><th>Table</th><th>Requests/s (last minute)</th><th>p99 latency</th></tr></thead>
        <tbody>
          {data?.serving.map((s) => <tr key={s.table}><td>{s.table}</td><td className="num">{num(s.qps, 2)}</td><td className="num">{secs(s.p99 ?? undefined)}</td></tr>)}
          {data && data.serving.length === 0 && <tr><td colSpan={3} className="muted">no serving requests yet</td></tr>}
        </tbody>
      </table>
    </>
  );
}

function JobMonitoring({ job }: { job: string }) {
  const [data, setData] = useState<{ charts: Chart[]; alerts: AlertInstance[] } | null>(null);
  const [err, setErr] = useState('');
  const [minutes, setMinutes] = useState(10);
  usePoll(async () => {
    try { setData(await api('GET', `/api/metrics/jobs/${encodeURIComponent(job)}?since=${minutes * 60}`)); setErr(''); } catch (e) { setErr(errorText(e)); }
  }, 2000, [job, minutes]);
  return (
    <>
      <h1>Monitoring: {job} <a className="muted" href={`#/jobs/${encodeURIComponent(job)}`}>job page</a></h1>
      {err && <p className="error">{err}</p>}
      <p>
        <label>Window </label>
        <select aria-label="chart window" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {[5, 10, 30, 60].map((m) => <option key={m} value={m}>{m} min</option>)}
        </select>
      </p>
      {data && data.alerts.length > 0 && (
        <div className="card" data-testid="job-alerts">
          {data.alerts.map((a) => <p key={a.fingerprint} className={a.state === 'firing' ? 'error' : 'muted'}>{a.state.toUpperCase()} [{a.severity}] {a.ruleName}: {a.summary}</p>)}
        </div>
      )}
      <div className="chart-grid" data-testid="job-charts">
        {data?.charts.map((c) => <MetricChart key={c.id} title={c.title} unit={c.unit} series={c.series} minutes={minutes} testId={`chart-${c.id}`} />)}
      </div>
    </>
  );
}
