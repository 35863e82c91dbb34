// Alerts: pending and firing alerts, the history of firing/resolved events, the rules (built-in ones can be tuned or
// disabled, user rules added on any metric) and the webhooks notifications go to (URLs are secrets: write-only).
import { useState } from 'react';
import { errorText } from '../api.js';
import { usePoll } from '../components.js';
import { api, type AlertEvent, type AlertInstance, type AlertRule, type MetricInfo, type Webhook } from '../monitoring-api.js';

const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const labelText = (l: Record<string, string>): string => Object.entries(l).map(([k, v]) => `${k}=${v}`).join(' ');

export function AlertsPage() {
  const [alerts, setAlerts] = useState<AlertInstance[]>([]);
  const [events, setEvents] = useState<AlertEvent[]>([]);
  const [rules, setRules] = useState<AlertRule[]>([]);
  const [hooks, setHooks] = useState<Webhook[]>([]);
  const [metrics, setMetrics] = useState<MetricInfo[]>([]);
  const [err, setErr] = useState('');
  const load = async (): Promise<void> => {
    try {
      setAlerts((await api<{ alerts: AlertInstance[] }>('GET', '/api/alerts')).alerts);
      setEvents((await api<{ events: AlertEvent[] }>('GET', '/api/alerts/history?limit=50')).events);
      setRules((await api<{ rules: AlertRule[] }>('GET', '/api/alerts/rules')).rules);
      setHooks((await api<{ webhooks: Webhook[] }>('GET', '/api/alerts/webhooks')).webhooks);
      if (metrics.length === 0) setMetrics((await api<{ metrics: MetricInfo[] }>('GET', '/api/metrics')).metrics);
      setErr('');
    } catch (e) { setErr(errorText(e)); }
  };
  usePoll(load, 3000);
  const run = async (f: () => Promise<unknown>): Promise<void> => { try { await f(); await load(); } catch (e) { setErr(errorText(e)); } };
  return (
    <>
      <h1>Alerts</h1>
      {err && <p className="error" data-testid="alerts-error">{err}</p>}
      <h2>Active</h2>
      <table data-testid="alerts-active">
        <thead><tr><th>State</th><th>Severity</th><th>Rule</th><th>Labels</th><th>Summary</th><th>Since</th></tr></thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.fingerprint}><td><span className={`badge ${a.state === 'firing' ? 'state-failed' : 'state-starting'}`}>{a.state}</span></td><td>{a.severity}</td><td>{a.ruleName}</td><td className="muted">{labelText(a.labels)}</td><td>{a.summary}</td><td>{when(a.firedAt ?? a.since)}</td></tr>
          ))}
          {alerts.length === 0 && <tr><td colSpan={6} className="muted">nothing pending or firing</td></tr>}
        </tbody>
      </table>
      <h2>History</h2>
      <table data-testid="alerts-history">
        <thead><tr><th>At</th><th>Event</th><th>Rule</th><th>Labels</th><th>Summary</th></tr></thead>
        <tbody>
          {events.map((e, i) => <tr key={i}><td>{when(e.at)}</td><td>{e.kind}</td><td>{e.ruleName}</td><td className="muted">{labelText(e.labels)}</td><td>{e.summary}</td></tr>)}
          {events.length === 0 && <tr><td colSpan={5} className="muted">no alert has fired yet</td></tr>}
        </tbody>
      </table>
      <h2>Rules</h2>
      <table data-testid="alerts-rules">
        <thead><tr><th>Rule</th><th>Condition</th><th>For</th><th>Severity</th><th>Enabled</th><th></th></tr></thead>
        <tbody>
          {rules.map((r) => <RuleRow key={r.id} rule={r} onSave={(x) => run(() => api('PUT', `/api/alerts/rules/${encodeURIComponent(r.id)}`, x))} onDelete={() => run(() => api('DELETE', `/api/alerts/rules/${encodeURIComponent(r.id)}`))} />)}
        </tbody>
      </table>
      <NewRule metrics={metrics} onCreate={(r) => run(() => api('POST', '/api/alerts/rules', r))} />
      <h2>Webhooks</h2>
      <table data-testid="alerts-webhooks">
        <thead><tr><th>Id</th><th>Name</th><th>Kind</th><th>URL</th><th>Min severity</th><th>Repeat (s)</th><th></th></tr></thead>
        <tbody>
          {hooks.map((h) => <tr key={h.id}><td>{h.id}</td><td>{h.name}</td><td>{h.kind}</td><td className="muted">{h.url}</td><td>{h.minSeverity ?? 'info'}</td><td>{h.repeatIntervalSec ?? 14400}</td><td><button className="secondary" onClick={() => void run(() => api('DELETE', `/api/alerts/webhooks/${encodeURIComponent(h.id)}`))}>Delete</button></td></tr>)}
          {hooks.length === 0 && <tr><td colSpan={7} className="muted">no webhook: alerts are only listed here</td></tr>}
        </tbody>
      </table>
      <NewWebhook onCreate={(h) => run(() => api('POST', '/api/alerts/webhooks', h))} />
    </>
  );
}

function condition(r: AlertRule): string {
  const over = r.reduce === 'last' ? r.metric : `${r.reduce}(${r.metric}[${r.windowSec ?? 300}s])`;
  const match = r.match ? `{${labelText(r.match)}}` : '';
  // A numeric threshold is the editable field next to this text.
  return `${over}${match} ${r.op}${r.thresholdMetric ? ` ${r.thresholdMetric.metric}${r.thresholdMetric.match ? `{${labelText(r.thresholdMetric.match)}}` : ''}` : ''}`;
}

function RuleRow({ rule, onSave, onDelete }: { rule: AlertRule; onSave: (r: AlertRule) => Promise<void>; onDelete: () => Promise<void> }) {
  const [threshold, setThreshold] = useState(String(rule.threshold));
  const [forSec, setForSec] = useState(String(rule.forSec));
  const dirty = threshold !== String(rule.threshold) || forSec !== String(rule.forSec);
  return (
    <tr data-testid={`rule-${rule.id}`}>
      <td>{rule.name}{rule.builtin && <span className="muted"> (built-in)</span>}</td>
      <td><code>{condition(rule)}</code>{!rule.thresholdMetric && <input aria-label={`threshold of ${rule.id}`} style={{ width: 90, marginLeft: 6 }} value={threshold} onChange={(e) => setThreshold(e.target.value)} />}</td>
      <td><input aria-label={`for of ${rule.id}`} style={{ width: 60 }} value={forSec} onChange={(e) => setForSec(e.target.value)} /> s</td>
      <td>{rule.severity}</td>
      <td><input type="checkbox" aria-label={`${rule.id} enabled`} checked={rule.enabled} onChange={(e) => void onSave({ ...rule, enabled: e.target.checked })} /></td>
      <td>
        <button disabled={!dirty} onClick={() => void onSave({ ...rule, threshold: Number(threshold), forSec: Number(forSec) })}>Save</button>
        {!rule.builtin && <button className="secondary" onClick={() => void onDelete()}>Delete</button>}
      </td>
    </tr>
  );
}

function NewRule({ metrics, onCreate }: { metrics: MetricInfo[]; onCreate: (r: Record<string, unknown>) => Promise<void> }) {
  const [r, setR] = useState({ name: '', metric: 'freshet_job_records_in_total', reduce: 'rate', windowSec: '300', op: '<', threshold: '1', forSec: '300', severity: 'warning', job: '' });
  const set = (k: keyof typeof r) => (e: { target: { value: string } }) => setR({ ...r, [k]: e.target.value });
  return (
    <form className="card" data-testid="new-rule" onSubmit={(e) => {
      e.preventDefault();
      void onCreate({
        name: r.name, metric: r.metric, reduce: r.reduce, op: r.op, threshold: Number(r.threshold), forSec: Number(r.forSec), severity: r.severity,
        ...(r.reduce !== 'last' ? { windowSec: Number(r.windowSec) } : {}), ...(r.job ? { match: { job: r.job } } : {}),
      });
    }}>
      <b>New rule</b>{' '}
      <input aria-label="rule name" placeholder="name" value={r.name} onChange={set('name')} />{' '}
      <select aria-label="rule metric" value={r.metric} onChange={set('metric')}>{metrics.map((m) => <option key={m.name} value={m.name} title={m.help}>{m.name}</option>)}</select>{' '}
      <select aria-label="rule reduce" value={r.reduce} onChange={set('reduce')}>{['last', 'rate', 'increase', 'avg', 'max', 'min'].map((x) => <option key={x}>{x}</option>)}</select>{' '}
      {r.reduce !== 'last' && <><input aria-label="rule window" style={{ width: 60 }} value={r.windowSec} onChange={set('windowSec')} /> s window{' '}</>}
      <select aria-label="rule op" value={r.op} onChange={set('op')}>{['>', '>=', '<', '<=', '==', '!='].map((x) => <option key={x}>{x}</option>)}</select>{' '}
      <input aria-label="rule threshold" style={{ width: 80 }} value={r.threshold} onChange={set('threshold')} />{' '}
      for <input aria-label="rule for" style={{ width: 60 }} value={r.forSec} onChange={set('forSec')} /> s{' '}
      <select aria-label="rule severity" value={r.severity} onChange={set('severity')}>{['info', 'warning', 'critical'].map((x) => <option key={x}>{x}</option>)}</select>{' '}
      <input aria-label="rule job" placeholder="job (all)" style={{ width: 100 }} value={r.job} onChange={set('job')} />{' '}
      <button type="submit">Add rule</button>
    </form>
  );
}

function NewWebhook({ onCreate }: { onCreate: (h: Record<string, unknown>) => Promise<void> }) {
  const [h, setH] = useState({ id: '', url: '', kind: 'json', minSeverity: 'info', repeatIntervalSec: '14400' });
  const set = (k: keyof typeof h) => (e: { target: { value: string } }) => setH({ ...h, [k]: e.target.value });
  return (
    <form className="card" data-testid="new-webhook" onSubmit={(e) => {
      e.preventDefault();
      void onCreate({ ...(h.id ? { id: h.id } : {}), url: h.url, kind: h.kind, minSeverity: h.minSeverity, repeatIntervalSec: Number(h.repeatIntervalSec) }).then(() => setH({ ...h, id: '', url: '' }));
    }}>
      <b>New webhook</b>{' '}
      <input aria-label="webhook id" placeholder="id" style={{ width: 100 }} value={h.id} onChange={set('id')} />{' '}
      <input aria-label="webhook url" placeholder="https://…" style={{ width: 320 }} value={h.url} onChange={set('url')} />{' '}
      <select aria-label="webhook kind" value={h.kind} onChange={set('kind')}><option value="json">generic JSON</option><option value="slack">Slack-compatible</option></select>{' '}
      <select aria-label="webhook severity" value={h.minSeverity} onChange={set('minSeverity')}>{['info', 'warning', 'critical'].map((x) => <option key={x}>{x}</option>)}</select>{' '}
      repeat <input aria-label="webhook repeat" style={{ width: 70 }} value={h.repeatIntervalSec} onChange={set('repeatIntervalSec')} /> s{' '}
      <button type="submit">Add webhook</button>
    </form>
  );
}
