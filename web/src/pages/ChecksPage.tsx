// Offline checks of the published feature tables (docs/offline.md): per table the newest check (mismatch, missing
// and extra rates against the table's alert threshold, relative-error percentiles per column, the worst keys), the
// fusion boundary between offline and streaming data, the check history and the correction audit, from
// GET /api/features/{table}/checks. An editor runs a check, a correction or a backfill from here as a background task
// (POST /api/offline/features/{table}/..., progress from GET /api/offline/features/{table}/tasks) and sets the check
// policy (alert threshold, automatic correction); the CLI runs the same work (`freshet check`, `freshet correct`).
import { useCallback, useState } from 'react';
import { client, ok, errorText, type FeatureTable, type Schemas } from '../api.js';
import { usePoll } from '../components.js';

type FeatureChecks = Schemas['FeatureChecks'];
type CheckResult = Schemas['CheckResult'];
type CorrectionAudit = Schemas['CorrectionAudit'];
type OfflineTask = Schemas['OfflineTask'];
type CheckPolicy = Schemas['CheckPolicy'];

const time = (t: number | null | undefined): string => (t === null || t === undefined ? '—' : new Date(t).toISOString().replace('T', ' ').replace('Z', ' UTC'));
const pct = (x: number): string => `${(x * 100).toPrecision(3)}%`;
const rel = (x: number): string => (x === 0 ? '0' : x.toPrecision(3));
const value = (v: unknown): string => (v === null || v === undefined ? 'NULL' : typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(12))) : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** A rate with its threshold; red when above it. */
function Rate({ label, rate, threshold, testId }: { label: string; rate: number; threshold: number; testId: string }) {
  return (
    <span className="stat" data-testid={testId}>
      <b className={rate > threshold ? 'error' : 'ok'}>{pct(rate)}</b>{label}
    </span>
  );
}

function LastCheck({ c }: { c: CheckResult }) {
  return (
    <div className="card" data-testid="last-check">
      <h2>
        Last check <span className="muted">as of {time(c.at)} · ran {time(c.checkedAt)} in {c.durationMs} ms</span>{' '}
        <span className={`badge ${c.alert ? 'state-failed' : 'state-running'}`} data-testid="check-alert">{c.alert ? 'above threshold' : 'within threshold'}</span>
      </h2>
      <p>
        <Rate label="mismatch" rate={c.mismatchRate} threshold={c.threshold} testId="mismatch-rate" />
        <Rate label="missing" rate={c.missingRate} threshold={c.threshold} testId="missing-rate" />
        <Rate label="extra" rate={c.extraRate} threshold={c.threshold} testId="extra-rate" />
        <span className="stat" data-testid="threshold"><b>{pct(c.threshold)}</b>alert threshold</span>
        <span className="stat"><b>{c.keys}</b>keys checked</span>
        <span className="stat"><b>{c.mismatches} / {c.missing} / {c.extra}</b>mismatched / missing / extra</span>
        <span className="stat"><b>{c.offlineEvents}</b>offline events</span>
      </p>
      {c.incomplete.length > 0 && <p className="warn">Serving's answer for this time was incomplete ({c.incomplete.join(', ')}): the comparison may be off.</p>}
      <h2>Relative error per column</h2>
      <table data-testid="check-columns">
        <thead><tr><th>Column</th><th>Compared</th><th>Mismatches</th><th>Mismatch rate</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>mean</th></tr></thead>
        <tbody>
          {c.columns.map((col) => (
            <tr key={col.name}>
              <td><code>{col.name}</code></td><td className="num">{col.compared}</td><td className="num">{col.mismatches}</td><td className="num">{pct(col.mismatchRate)}</td>
              <td className="num">{rel(col.relError.p50)}</td><td className="num">{rel(col.relError.p90)}</td><td className="num">{rel(col.relError.p99)}</td>
              <td className="num">{rel(col.relError.max)}</td><td className="num">{rel(col.relError.mean)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Worst keys</h2>
      <table data-testid="worst-keys">
        <thead><tr><th>Key</th><th>Column</th><th>Served</th><th>Offline truth</th><th>Relative error</th></tr></thead>
        <tbody>
          {c.worstKeys.map((d, i) => (
            <tr key={i}><td><code>{d.key}</code></td><td>{d.column}</td><td className="num">{value(d.served)}</td><td className="num">{value(d.truth)}</td><td className="num">{rel(d.relError)}</td></tr>
          ))}
          {c.worstKeys.length === 0 && <tr><td colSpan={5} className="muted">No differences.</td></tr>}
        </tbody>
      </table>
      {c.affected.length > 0 && <p className="muted" data-testid="affected-keys">Affected keys ({c.affected.length}): {c.affected.slice(0, 40).join(', ')}{c.affected.length > 40 ? ', …' : ''}</p>}
    </div>
  );
}

function Fusion({ f }: { f: FeatureChecks['fusion'] }) {
  return (
    <div className="card" data-testid="fusion">
      <h2>Fusion boundary</h2>
      {f === null ? <p className="muted">No offline layer: every value is served from the stream (run a backfill above, or <code>freshet backfill</code>).</p> : (
        <table className="kv">
          <tbody>
            <tr><td>Boundary</td><td data-testid="fusion-boundary"><b>{time(f.boundary)}</b> — events before it are served from offline data, later ones from the stream</td></tr>
            <tr><td>Offline data from</td><td>{f.from === null ? 'the whole offline history' : time(f.from)}</td></tr>
            <tr><td>Set by</td><td>{f.reason} · generation {f.generation} · built {time(f.builtAt)} from {f.events} offline events</td></tr>
            <tr><td>Offline layer</td><td><code>{f.offlineTable}</code></td></tr>
          </tbody>
        </table>
      )}
    </div>
  );
}

function Audit({ audit }: { audit: CorrectionAudit[] }) {
  return (
    <div className="card" data-testid="correction-audit">
      <h2>Corrections</h2>
      {audit.length === 0 && <p className="muted">No corrections yet.</p>}
      {[...audit].reverse().map((a) => (
        <details key={a.id} open={a === audit[audit.length - 1]}>
          <summary>
            {time(a.at)} · {a.trigger === 'policy' ? 'by policy after a check' : a.reason} · by {a.by} · as of {time(a.checkedAt)} · boundary {a.boundaryBefore === null ? 'none' : time(a.boundaryBefore)} → {time(a.boundaryAfter)} · {a.keysChanged} keys changed
          </summary>
          <table>
            <thead><tr><th>Key</th><th>Column</th><th>Served before</th><th>After</th></tr></thead>
            <tbody>
              {a.changes.slice(0, 50).map((c, i) => <tr key={i}><td><code>{c.key}</code></td><td>{c.column}</td><td className="num">{value(c.old)}</td><td className="num">{value(c.new)}</td></tr>)}
              {a.changes.length > 50 && <tr><td colSpan={4} className="muted">… {a.changes.length - 50} more</td></tr>}
            </tbody>
          </table>
        </details>
      ))}
    </div>
  );
}

function History({ checks }: { checks: CheckResult[] }) {
  return (
    <div className="card">
      <h2>Check history</h2>
      <table data-testid="check-history">
        <thead><tr><th>As of</th><th>Ran</th><th>Keys</th><th>Mismatch</th><th>Missing</th><th>Extra</th><th>Threshold</th><th /></tr></thead>
        <tbody>
          {[...checks].reverse().map((c) => (
            <tr key={c.id}>
              <td>{time(c.at)}</td><td>{time(c.checkedAt)}</td><td className="num">{c.keys}</td><td className="num">{pct(c.mismatchRate)}</td>
              <td className="num">{pct(c.missingRate)}</td><td className="num">{pct(c.extraRate)}</td><td className="num">{pct(c.threshold)}</td>
              <td>{c.alert ? <span className="badge state-failed">alert</span> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `datetime-local` input text (read as UTC) → epoch ms; empty → undefined. */
const fromInput = (text: string): number | undefined => (text.trim() === '' ? undefined : Date.parse(`${text}Z`));

const TASK_LABEL: Record<OfflineTask['kind'], string> = { check: 'Check', correct: 'Correction', backfill: 'Backfill' };

/** The newest task of the table: what runs now (with a progress bar) or how the last one ended. */
function TaskStatus({ task }: { task: OfflineTask }) {
  const { read, total } = task.progress;
  const frac = total > 0 ? Math.min(1, read / total) : 0;
  return (
    <div data-testid="offline-task" data-state={task.state} data-kind={task.kind}>
      <p>
        <b>{TASK_LABEL[task.kind]}</b> <span className={`badge state-${task.state === 'succeeded' ? 'running' : task.state === 'failed' ? 'failed' : 'starting'}`} data-testid="task-state">{task.state}</span>{' '}
        <span className="muted">{task.phase} · started {time(task.startedAt)} by {task.by}{task.finishedAt !== null ? ` · ended ${time(task.finishedAt)}` : ''}</span>
      </p>
      {task.state === 'running' && (
        <p data-testid="task-progress">
          <progress max={1} value={frac} /> {total > 0 ? `${read} / ${total} offline events (${Math.round(frac * 100)}%)` : 'starting…'}
        </p>
      )}
      {task.error && <p className="error" data-testid="task-error">{task.error.code}: {task.error.message}{task.error.hint ? ` (${task.error.hint})` : ''}</p>}
    </div>
  );
}

/** Run a check / correction / backfill (editor role), follow its progress, set the check policy. */
function OfflineWork({ table, policy, onDone }: { table: string; policy: CheckPolicy; onDone: () => void }) {
  const [task, setTask] = useState<OfflineTask | null>(null);
  const [err, setErr] = useState('');
  const [at, setAt] = useState('');
  const [boundary, setBoundary] = useState('');
  const [reason, setReason] = useState('');
  const [threshold, setThreshold] = useState(String(policy.threshold * 100));
  const [autoCorrect, setAutoCorrect] = useState(policy.autoCorrect);
  const [saved, setSaved] = useState('');
  const running = task?.state === 'running';
  usePoll(async () => {
    const list = await ok(client.GET('/api/offline/features/{table}/tasks', { params: { path: { table } } }));
    const newest = list[0] ?? null;
    if (task?.state === 'running' && newest !== null && newest.state !== 'running') onDone();
    setTask(newest);
  }, running ? 500 : 5000, [table, running]);
  const start = useCallback(async (kind: OfflineTask['kind']) => {
    setErr('');
    try {
      const path = { table };
      const t = kind === 'check'
        ? await ok(client.POST('/api/offline/features/{table}/check', { params: { path }, body: { ...(fromInput(at) !== undefined ? { at: fromInput(at) } : {}) } }))
        : kind === 'correct'
          ? await ok(client.POST('/api/offline/features/{table}/correct', { params: { path }, body: { ...(fromInput(at) !== undefined ? { at: fromInput(at) } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) } }))
          : await ok(client.POST('/api/offline/features/{table}/backfill', { params: { path }, body: { ...(fromInput(boundary) !== undefined ? { to: fromInput(boundary) } : {}) } }));
      setTask(t);
    } catch (e) { setErr(errorText(e)); }
  }, [table, at, boundary, reason]);
  const savePolicy = async (): Promise<void> => {
    setErr(''); setSaved('');
    try {
      const p = await ok(client.PUT('/api/offline/features/{table}/policy', { params: { path: { table } }, body: { threshold: Number(threshold) / 100, autoCorrect } }));
      setSaved(`saved: alert above ${pct(p.threshold)}${p.autoCorrect ? ', correct automatically' : ', alert only'}`);
      onDone();
    } catch (e) { setErr(errorText(e)); }
  };
  return (
    <div className="card" data-testid="offline-work">
      <h2>Run offline work <span className="muted">with the sources' offline twins from the data dictionary</span></h2>
      <p>
        <label>As of (UTC) <input type="datetime-local" step="0.001" value={at} onChange={(e) => setAt(e.target.value)} data-testid="check-at" /></label>{' '}
        <span className="muted">empty: the stream's watermark (check) or the last check's time (correction)</span>
      </p>
      <p>
        <button disabled={running} onClick={() => void start('check')} data-testid="run-check">Run check</button>{' '}
        <input placeholder="reason for the correction" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="correct-reason" />{' '}
        <button disabled={running} onClick={() => void start('correct')} data-testid="run-correct">Correct</button>
      </p>
      <p>
        <label>Boundary (UTC) <input type="datetime-local" step="0.001" value={boundary} onChange={(e) => setBoundary(e.target.value)} data-testid="backfill-to" /></label>{' '}
        <button className="secondary" disabled={running} onClick={() => void start('backfill')} data-testid="run-backfill">Backfill</button>{' '}
        <span className="muted">empty: the stream's watermark, floored to the coarsest tile size</span>
      </p>
      {err && <p className="error" data-testid="offline-error">{err}</p>}
      {task && <TaskStatus task={task} />}
      <h2>Check policy</h2>
      <p data-testid="policy-form">
        <label>Alert above <input type="number" min={0} max={100} step="any" value={threshold} onChange={(e) => setThreshold(e.target.value)} data-testid="policy-threshold" style={{ width: '6em' }} /> %</label>{' '}
        <label><input type="checkbox" checked={autoCorrect} onChange={(e) => setAutoCorrect(e.target.checked)} data-testid="policy-autocorrect" /> correct the affected keys automatically after a check that alerts</label>{' '}
        <button className="secondary" onClick={() => void savePolicy()} data-testid="policy-save">Save policy</button>{' '}
        {saved && <span className="ok" data-testid="policy-saved">{saved}</span>}
      </p>
    </div>
  );
}

function TableChecks({ table }: { table: string }) {
  const [data, setData] = useState<FeatureChecks | null>(null);
  const [err, setErr] = useState('');
  const load = useCallback(async () => {
    try {
      setData(await ok(client.GET('/api/features/{table}/checks', { params: { path: { table } } })));
      setErr('');
    } catch (e) { setErr(errorText(e)); }
  }, [table]);
  usePoll(load, 10_000, [table]);
  const last = data?.checks[data.checks.length - 1];
  return (
    <>
      <h2>{table} <span className="muted">{data ? `alert threshold ${pct(data.policy.threshold)}${data.policy.autoCorrect ? ' · corrects automatically' : ''}` : ''}</span></h2>
      {err && <p className="error">{err}</p>}
      {data && (
        <>
          <OfflineWork table={table} policy={data.policy} onDone={() => void load()} />
          {last ? <LastCheck c={last} /> : <div className="card"><p className="muted">Never checked: run a check above, or <code>freshet check {table} -f job.sql --at T</code>.</p></div>}
          <Fusion f={data.fusion} />
          {data.checks.length > 1 && <History checks={data.checks} />}
          <Audit audit={data.audit} />
        </>
      )}
    </>
  );
}

/** The feature tables (to choose one) and the selected table's checks. */
export function ChecksPage({ table }: { table?: string }) {
  const [tables, setTables] = useState<FeatureTable[]>([]);
  const [err, setErr] = useState('');
  usePoll(async () => {
    try { setTables((await ok(client.GET('/api/features'))).features); setErr(''); } catch (e) { setErr(errorText(e)); }
  }, 10_000);
  return (
    <>
      <h1>Feature checks</h1>
      {err && <p className="error">{err}</p>}
      <div className="card">
        <p className="muted">Online values compared with a recomputation from offline data (mismatch, missing and extra keys), the boundary between offline and streaming data, and the corrections made.</p>
        <p data-testid="check-tables">
          {tables.map((t) => <a key={t.table} className={`button${t.table === table ? '' : ' secondary'}`} href={`#/checks/${encodeURIComponent(t.table)}`}>{t.table}</a>)}
          {tables.length === 0 && <span className="muted">No published feature tables.</span>}
        </p>
      </div>
      {table && <TableChecks key={table} table={table} />}
    </>
  );
}
