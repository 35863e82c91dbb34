// The feature editor in the seed's four steps: (1) basic information, (2) data source selection with a schema
// browser, (3) SQL with live positioned errors and a Preview, (4) outputs (online store table, changed-keys topic,
// delivery guarantee); then the generated JSON job spec for review and Deploy (POST /api/jobs writes it and starts
// the job). With `editJob` it edits an existing job: the steps start from its current spec, the review shows the
// difference to the running version and whether the new version can keep the job's state (resume from its
// checkpoint), and saving writes a new version (PUT /api/jobs/{name}, mode keep-state or fresh).
import { useEffect, useMemo, useState } from 'react';
import { client, ok, errorDetails, errorText, type Schemas, type CatalogTable, type JobSpec, type JobSpecInput, type OutputSpec, type PreviewResult, type UpgradeCheck } from '../api.js';
import { ResultTable } from '../components.js';
import { DiffView, canonicalJson } from '../diff.js';
import { SqlEditor, type SqlCheck } from '../sql-editor.js';

const STEPS = ['1. Basic information', '2. Data sources', '3. SQL', '4. Outputs', 'Review & deploy'];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REDACTED = '******';

type Store = 'none' | 'embedded-kv' | 'redis';
type Delivery = 'at-least-once' | 'exactly-once';

function template(t: CatalogTable | undefined, key: string): string {
  if (!t) return 'SELECT 1';
  const k = t.columns.some((c) => c.name === key) ? key : t.columns[0]?.name ?? 'id';
  return `SELECT ${k}, COUNT(*) AS events\nFROM ${t.table}\nGROUP BY ${k}`;
}

/** The outputs step's fields. */
interface OutputForm {
  table: string;
  store: Store;
  redisHost: string;
  redisPort: string;
  redisPassword: string;
  changedKeys: boolean;
  topic: string;
  servers: string;
  delivery: Delivery;
  /** Options and secrets of an edited output that the form does not manage (kept as they were). */
  otherOptions: Record<string, string>;
  otherSecrets: Record<string, string>;
}

/** Option keys the form sets; any other option of an edited output is kept unchanged. */
const MANAGED = new Set(['host', 'port', 'password', 'changed-keys.topic', 'changed-keys.bootstrap-servers', 'changed-keys.delivery-guarantee', 'changed-keys.transactional-id-prefix']);
const unmanaged = (m: Record<string, string> | undefined): Record<string, string> => Object.fromEntries(Object.entries(m ?? {}).filter(([k]) => !MANAGED.has(k)));

const emptyOutput: OutputForm = {
  table: '', store: 'none', redisHost: '127.0.0.1', redisPort: '6379', redisPassword: '', changedKeys: false, topic: '', servers: '127.0.0.1:9092', delivery: 'at-least-once',
  otherOptions: {}, otherSecrets: {},
};

/** The output the form edits: the first store output, else the first output. */
const editedOutput = (spec: JobSpec): OutputSpec | undefined => spec.outputs.find((x) => x.kind === 'store') ?? spec.outputs[0];

/** The form of a stored spec's edited output. */
function outputFormOf(spec: JobSpec): OutputForm {
  const o = editedOutput(spec);
  if (!o) return emptyOutput;
  const opt = { ...(o.options ?? {}), ...(o.secrets ?? {}) };
  return {
    table: o.table, store: o.kind === 'store' ? (o.store ?? 'embedded-kv') : 'none',
    redisHost: opt['host'] ?? emptyOutput.redisHost, redisPort: opt['port'] ?? emptyOutput.redisPort, redisPassword: o.secrets?.['password'] ?? '',
    changedKeys: opt['changed-keys.topic'] !== undefined, topic: opt['changed-keys.topic'] ?? '', servers: opt['changed-keys.bootstrap-servers'] ?? emptyOutput.servers,
    delivery: opt['changed-keys.delivery-guarantee'] === 'exactly-once' ? 'exactly-once' : 'at-least-once',
    otherOptions: unmanaged(o.options), otherSecrets: unmanaged(o.secrets),
  };
}

/**
 * The spec's outputs from the form: one embedded output, or one store output with its options; `others` (outputs
 * of an edited spec the form does not show) follow unchanged.
 */
function outputsOf(f: OutputForm, job: string, others: OutputSpec[] = []): OutputSpec[] {
  const table = f.table || job;
  if (f.store === 'none') return [{ table, kind: 'embedded' }, ...others];
  const options: Record<string, string> = { ...f.otherOptions };
  const secrets: Record<string, string> = { ...f.otherSecrets };
  if (f.store === 'redis') {
    options['host'] = f.redisHost;
    options['port'] = f.redisPort;
    if (f.redisPassword) secrets['password'] = f.redisPassword;
  }
  if (f.changedKeys) {
    options['changed-keys.topic'] = f.topic;
    options['changed-keys.bootstrap-servers'] = f.servers;
    options['changed-keys.delivery-guarantee'] = f.delivery;
    if (f.delivery === 'exactly-once') options['changed-keys.transactional-id-prefix'] = `freshet-${job}`;
  }
  return [{ table, kind: 'store', store: f.store, ...(Object.keys(options).length > 0 ? { options } : {}), ...(Object.keys(secrets).length > 0 ? { secrets } : {}) }, ...others];
}

/** The parts of a stored spec a client sends back (what the diff compares). */
const inputOf = (s: JobSpec): JobSpecInput => ({
  name: s.name, owner: s.owner, description: s.description, tags: s.tags, entityKey: s.entityKey, sources: s.sources, sql: s.sql, outputs: s.outputs, options: s.options,
});

export function FeatureEditor({ editJob }: { editJob?: string }) {
  const [step, setStep] = useState(0);
  const [current, setCurrent] = useState<JobSpec | null>(null);
  const [name, setName] = useState('');
  const [entityKey, setEntityKey] = useState('');
  const [owner, setOwner] = useState('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [tables, setTables] = useState<CatalogTable[]>([]);
  const [sources, setSources] = useState<string[]>([]);
  const [sqlText, setSqlText] = useState('');
  const [check, setCheck] = useState<SqlCheck | null>(null);
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [out, setOut] = useState<OutputForm>(emptyOutput);
  const [interval, setIntervalOpt] = useState('10s');
  const [extraOptions, setExtraOptions] = useState<Record<string, string>>({});
  const [upgrade, setUpgrade] = useState<UpgradeCheck | null>(null);
  const [stores, setStores] = useState<Schemas['OnlineStore'][]>([]);
  const [err, setErr] = useState('');
  const [deploying, setDeploying] = useState(false);

  useEffect(() => { void ok(client.GET('/api/catalog/tables')).then((r) => setTables(r.tables), (e: unknown) => setErr(errorText(e))); }, []);
  useEffect(() => { void ok(client.GET('/api/stores')).then((r) => setStores(r.stores), () => undefined); }, []);
  useEffect(() => {
    if (!editJob) return;
    void ok(client.GET('/api/jobs/{name}', { params: { path: { name: editJob } } })).then(({ job }) => {
      setCurrent(job);
      setName(job.name); setOwner(job.owner); setDescription(job.description); setTags(job.tags.join(', '));
      setEntityKey(job.entityKey.join(', ')); setSources(job.sources); setSqlText(job.sql); setOut(outputFormOf(job));
      const { 'execution.checkpointing.interval': ci, ...rest } = job.options;
      setIntervalOpt(ci ?? '10s'); setExtraOptions(rest);
    }, (e: unknown) => setErr(errorText(e)));
  }, [editJob]);

  const keys = entityKey.split(',').map((s) => s.trim()).filter(Boolean);
  const spec: JobSpecInput = useMemo(() => ({
    name, owner, description, tags: tags.split(',').map((s) => s.trim()).filter(Boolean), entityKey: keys, sources, sql: sqlText,
    outputs: outputsOf(out, name, current ? current.outputs.filter((o) => o !== editedOutput(current)) : []), options: { ...extraOptions, 'execution.checkpointing.interval': interval },
  }), [name, owner, description, tags, entityKey, sources, sqlText, out, interval, extraOptions, current]);

  // On the review step of an edit: can the new version keep the state?
  useEffect(() => {
    if (step !== 4 || !editJob) return;
    setUpgrade(null);
    void ok(client.POST('/api/jobs/{name}/upgrade-check', { params: { path: { name: editJob } }, body: spec })).then(setUpgrade, (e: unknown) => setErr(errorText(e) + errorDetails(e)));
  }, [step, editJob, spec]);

  const stepError = (): string => {
    if (step === 0) {
      if (!IDENT.test(name)) return 'Name: letters, digits and _ (not starting with a digit)';
      if (keys.length === 0) return 'Entity key: at least one column';
      if (!owner.trim()) return 'Owner is required';
    }
    if (step === 1 && sources.length === 0) return 'Select at least one source';
    if (step === 2 && (!sqlText.trim() || (check && !check.ok))) return 'Fix the SQL errors first';
    if (step === 3) {
      if (out.table && !IDENT.test(out.table)) return 'Output table: letters, digits and _';
      if (out.store === 'redis' && (!out.redisHost.trim() || !/^\d+$/.test(out.redisPort))) return 'Redis: host and a numeric port';
      if (out.changedKeys && (!out.topic.trim() || !out.servers.trim())) return 'Changed-keys topic: topic name and Kafka bootstrap servers';
    }
    return '';
  };
  const next = (): void => {
    const e = stepError();
    setErr(e);
    if (e) return;
    if (step === 1 && !sqlText) setSqlText(template(tables.find((t) => t.table === sources[0]), keys[0] ?? ''));
    setStep(step + 1);
  };
  const runPreview = async (): Promise<void> => {
    setPreviewing(true); setErr('');
    try { setPreview(await ok(client.POST('/api/sql/preview', { body: { sql: sqlText, limit: 50, timeoutMs: 5000 } }))); } catch (e) { setErr(errorText(e)); }
    setPreviewing(false);
  };
  const deploy = async (mode?: 'keep-state' | 'fresh'): Promise<void> => {
    setDeploying(true); setErr('');
    try {
      if (editJob && current) {
        await ok(client.PUT('/api/jobs/{name}', { params: { path: { name: editJob }, query: { expectedVersion: String(current.version), mode: mode ?? 'fresh' } }, body: spec }));
      } else {
        await ok(client.POST('/api/jobs', { body: spec }));
      }
      location.hash = `#/jobs/${name}`;
    } catch (e) {
      setErr(errorText(e) + errorDetails(e));
    }
    setDeploying(false);
  };
  // The store choices: no store, the platform's embedded store, each Redis server feature tables already use
  // (`redis@host:port`), or another Redis server.
  const redisInUse = stores.filter((x) => x.store === 'redis').map((x) => `${x.connection['host'] ?? '127.0.0.1'}:${x.connection['port'] ?? '6379'}`);
  const choice = out.store === 'redis' && redisInUse.includes(`${out.redisHost}:${out.redisPort}`) ? `redis@${out.redisHost}:${out.redisPort}` : out.store;
  const choose = (v: string): void => {
    if (v.startsWith('redis@')) {
      const [host, port] = v.slice(6).split(':');
      setOut({ ...out, store: 'redis', redisHost: host ?? '', redisPort: port ?? '6379' });
    } else setOut({ ...out, store: v as Store });
  };
  const tablesAt = (st: string, conn?: string): string => {
    const e = stores.find((x) => x.store === st && (conn === undefined ? x.default : `${x.connection['host']}:${x.connection['port']}` === conn));
    return e && e.tables.length > 0 ? ` (has ${e.tables.join(', ')})` : '';
  };

  return (
    <>
      <h1>{editJob ? `Edit feature ${editJob}` : 'New feature'}{current && <span className="muted"> (v{current.version} → v{current.version + 1})</span>}</h1>
      <div className="steps">{STEPS.map((s, i) => <span key={s} className={i === step ? 'current' : i < step ? 'done' : ''}>{s}</span>)}</div>
      {step === 0 && (
        <div className="card">
          <div className="row">
            <div><label>Feature name</label><input aria-label="feature name" value={name} disabled={!!editJob} onChange={(e) => setName(e.target.value)} placeholder="orders_per_user" /></div>
            <div><label>Entity key (comma-separated result columns)</label><input aria-label="entity key" value={entityKey} onChange={(e) => setEntityKey(e.target.value)} placeholder="user_id" /></div>
            <div><label>Owner</label><input aria-label="owner" value={owner} onChange={(e) => setOwner(e.target.value)} placeholder="team-growth" /></div>
          </div>
          <label>Description</label>
          <textarea aria-label="description" rows={2} style={{ width: '100%' }} value={description} onChange={(e) => setDescription(e.target.value)} />
          <label>Tags (comma-separated)</label>
          <input aria-label="tags" value={tags} onChange={(e) => setTags(e.target.value)} />
        </div>
      )}
      {step === 1 && (
        <div className="row">
          <div className="card">
            <h2>Select sources</h2>
            {tables.map((t) => (
              <div key={t.table}>
                <input type="checkbox" id={`src-${t.table}`} aria-label={`use ${t.table}`} checked={sources.includes(t.table)}
                  onChange={(e) => setSources(e.target.checked ? [...sources, t.table] : sources.filter((s) => s !== t.table))} />
                <label className="inline" htmlFor={`src-${t.table}`}>{t.table}</label>
                <span className="muted">{t.columns.length} columns{t.eventTimeColumn ? `, event time ${t.eventTimeColumn}` : ''}</span>
              </div>
            ))}
            {tables.length === 0 && <p className="muted">No sources registered: <a href="#/sources">register one</a>.</p>}
          </div>
          <SchemaBrowser tables={tables.filter((t) => sources.length === 0 || sources.includes(t.table))} />
        </div>
      )}
      {step === 2 && (
        <div className="row">
          <div style={{ flex: '3 1 500px' }}>
            <SqlEditor value={sqlText} onChange={(v) => { setSqlText(v); }} tables={tables} onCheck={setCheck} />
            <ul className="diags" data-testid="sql-diagnostics">
              {check?.diagnostics.map((d, i) => <li key={i}>{d.span ? `${d.span.line}:${d.span.column} ` : ''}{d.code}: {d.message}{d.hint ? ` — ${d.hint}` : ''}</li>)}
            </ul>
            {check?.ok && <p className="ok" data-testid="sql-ok">SQL is valid. Result: {check.columns.map((c) => `${c.name} ${c.type}`).join(', ')}</p>}
            <button onClick={() => void runPreview()} disabled={previewing || !sqlText.trim()}>{previewing ? 'Running…' : 'Preview'}</button>
            {preview && (
              <div className="card" style={{ marginTop: 10 }}>
                {preview.diagnostics.filter((d) => d.severity === 'error').map((d, i) => <p key={i} className="error">{d.code}: {d.message}</p>)}
                <p className="muted">{preview.rows.length} rows in {preview.elapsedMs} ms{preview.truncated ? ' (truncated)' : ''}{preview.timedOut ? ' (timed out: partial)' : ''}</p>
                <ResultTable columns={preview.columns} rows={preview.rows} testId="preview-table" />
              </div>
            )}
          </div>
          <SchemaBrowser tables={tables.filter((t) => sources.includes(t.table))} />
        </div>
      )}
      {step === 3 && (
        <div className="card" data-testid="outputs-step">
          <h2>Online store table</h2>
          <div className="row">
            <div><label>Feature table</label><input aria-label="output table" value={out.table || name} onChange={(e) => setOut({ ...out, table: e.target.value })} /></div>
            <div>
              <label>Online store</label>
              <select aria-label="online store" value={choice} onChange={(e) => choose(e.target.value)}>
                <option value="none">none — embedded output only (latest row per entity key, kept by the platform)</option>
                <option value="embedded-kv">embedded-kv — the platform&apos;s online store (LMDB){tablesAt('embedded-kv')}</option>
                {redisInUse.map((c) => <option key={c} value={`redis@${c}`}>redis — {c}{tablesAt('redis', c)}</option>)}
                <option value="redis">redis — {redisInUse.length > 0 ? 'another' : 'a'} Redis server</option>
              </select>
            </div>
            <div><label>Checkpoint interval</label><input aria-label="checkpoint interval" value={interval} onChange={(e) => setIntervalOpt(e.target.value)} /></div>
          </div>
          {out.store === 'redis' && (
            <div className="row">
              <div><label>Redis host</label><input aria-label="redis host" value={out.redisHost} onChange={(e) => setOut({ ...out, redisHost: e.target.value })} /></div>
              <div><label>Redis port</label><input aria-label="redis port" value={out.redisPort} onChange={(e) => setOut({ ...out, redisPort: e.target.value })} /></div>
              <div><label>Redis password (stored as a secret, never shown again)</label><input type="password" aria-label="redis password" value={out.redisPassword} placeholder={out.redisPassword === REDACTED ? 'unchanged' : ''} onChange={(e) => setOut({ ...out, redisPassword: e.target.value })} /></div>
            </div>
          )}
          {out.store !== 'none' && (
            <>
              <h2>Changed-keys topic</h2>
              <label className="inline"><input type="checkbox" aria-label="announce changed keys" checked={out.changedKeys} onChange={(e) => setOut({ ...out, changedKeys: e.target.checked, topic: out.topic || `${out.table || name}_changes` })} /> Announce the key of every changed row on a Kafka topic</label>
              {out.changedKeys && (
                <div className="row">
                  <div><label>Topic</label><input aria-label="changed-keys topic" value={out.topic} onChange={(e) => setOut({ ...out, topic: e.target.value })} /></div>
                  <div><label>Kafka bootstrap servers</label><input aria-label="changed-keys bootstrap servers" value={out.servers} onChange={(e) => setOut({ ...out, servers: e.target.value })} /></div>
                  <div>
                    <label>Delivery guarantee</label>
                    <select aria-label="delivery guarantee" value={out.delivery} onChange={(e) => setOut({ ...out, delivery: e.target.value as Delivery })}>
                      <option value="at-least-once">at-least-once (after each store write; key@version dedup id)</option>
                      <option value="exactly-once">exactly-once (one Kafka transaction per checkpoint)</option>
                    </select>
                  </div>
                </div>
              )}
            </>
          )}
          {out.store === 'none' && <p className="muted">Choose an online store to serve the feature at /api/features/{'{table}'}, use it in lookup joins of other features, and announce changed keys.</p>}
        </div>
      )}
      {step === 4 && (
        <div className="card">
          <h2>Job configuration (JSON)</h2>
          <pre data-testid="job-spec-json">{JSON.stringify(spec, null, 2)}</pre>
          {current && (
            <>
              <h2>Changes against v{current.version}</h2>
              <DiffView before={canonicalJson(inputOf(current))} after={canonicalJson(spec)} testId="edit-diff" />
              {!upgrade && <p className="muted">Checking whether the job state can be kept…</p>}
              {upgrade && (upgrade.compatible
                ? <p className="ok" data-testid="upgrade-check">Compatible: v{upgrade.to} resumes from checkpoint {upgrade.checkpoint} and keeps the job state.</p>
                : <div className="warn" data-testid="upgrade-check">The job state cannot be kept: <ul>{upgrade.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>Save it with a fresh start (it recomputes from the sources).</div>)}
              <button onClick={() => void deploy('keep-state')} disabled={deploying || !upgrade?.compatible}>Save &amp; upgrade (keep state)</button>
              <button className="secondary" onClick={() => void deploy('fresh')} disabled={deploying}>Save &amp; start fresh</button>
            </>
          )}
          {!current && <button onClick={() => void deploy()} disabled={deploying}>{deploying ? 'Deploying…' : 'Deploy'}</button>}
        </div>
      )}
      {err && <p className="error" data-testid="editor-error">{err}</p>}
      <div style={{ marginTop: 12 }}>
        <button className="secondary" onClick={() => { setErr(''); setStep(Math.max(0, step - 1)); }} disabled={step === 0}>Back</button>
        {step < 4 && <button onClick={next}>Next</button>}
      </div>
    </>
  );
}

function SchemaBrowser({ tables }: { tables: CatalogTable[] }) {
  return (
    <div className="card schema-browser" data-testid="schema-browser">
      <h2>Schema browser</h2>
      {tables.map((t) => (
        <details key={t.table} open>
          <summary>{t.table}</summary>
          <table><tbody>{t.columns.map((c) => <tr key={c.name}><td><code>{c.name}</code></td><td className="muted">{c.type}{c.eventTime ? ` · event time, watermark ${t.watermarkDelayMs} ms` : ''}{c.computed ? ' · computed' : ''}</td></tr>)}</tbody></table>
        </details>
      ))}
    </div>
  );
}
