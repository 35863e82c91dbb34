// Offline checks of the published feature tables (docs/offline.md): per table the newest check (mismatch, missing
// and extra rates against the table's alert threshold, relative-error percentiles per column, the worst keys), the
// fusion boundary between offline and streaming data, the check history and the correction audit, from
// GET /api/features/{table}/checks. Checks and corrections run from the CLI (`freshet check`, `freshet correct`).
import { useState } from 'react';
import { client, ok, errorText, type FeatureTable, type Schemas } from '../api.js';
import { usePoll } from '../components.js';

type FeatureChecks = Schemas['FeatureChecks'];
type CheckResult = Schemas['CheckResult'];
type CorrectionAudit = Schemas['CorrectionAudit'];

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
      {f === null ? <p className="muted">No offline layer: every value is served from the stream (run <code>freshet backfill</code>).</p> : (
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
            {time(a.at)} · {a.reason} · by {a.by} · as of {time(a.checkedAt)} · boundary {a.boundaryBefore === null ? 'none' : time(a.boundaryBefore)} → {time(a.boundaryAfter)} · {a.keysChanged} keys changed
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

function TableChecks({ table }: { table: string }) {
  const [data, setData] = useState<FeatureChecks | null>(null);
  const [err, setErr] = useState('');
  usePoll(async () => {
    try {
      setData(await ok(client.GET('/api/features/{table}/checks', { params: { path: { table } } })));
      setErr('');
    } catch (e) { setErr(errorText(e)); }
  }, 10_000, [table]);
  const last = data?.checks[data.checks.length - 1];
  return (
    <>
      <h2>{table} <span className="muted">{data ? `alert threshold ${pct(data.policy.threshold)}${data.policy.autoCorrect ? ' · corrects automatically' : ''}` : ''}</span></h2>
      {err && <p className="error">{err}</p>}
      {data && (
        <>
          {last ? <LastCheck c={last} /> : <div className="card"><p className="muted">Never checked: run <code>freshet check {table} -f job.sql --offline ... --at T</code>.</p></div>}
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
