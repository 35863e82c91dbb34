// Data sources: the registered sources with live statistics, and registration — of the embedded log or a Kafka
// topic — from an uploaded sample file (JSON lines or a JSON array) or, for Kafka, from messages sampled off the live
// topic, with the inferred schema shown for editing before it is saved. Kafka secret properties (SASL/SSL
// passwords) are sent once and never shown again.
import { useState } from 'react';
import { client, ok, dictionaryBody, errorText, type InferResult, type SourceDef, type SourceStats } from '../api.js';
import { SchemaEditor, usePoll } from '../components.js';

type Inferred = InferResult;
type Kind = 'embedded-log' | 'kafka';

/** `key=value` lines → a map (blank lines and `#` comments skipped). */
const propsOf = (text: string): Record<string, string> => Object.fromEntries(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && l.includes('='))
  .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]));

/** A sample's headers as `[name=value, ...] ` (empty when it has none). */
export const headersText = (h: Record<string, string> | null | undefined): string => {
  const e = Object.entries(h ?? {});
  return e.length > 0 ? `[${e.map(([k, v]) => `${k}=${v}`).join(', ')}] ` : '';
};

function Register({ onSaved }: { onSaved: () => void }) {
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('');
  const [disc, setDisc] = useState('');
  const [inf, setInf] = useState<Inferred | null>(null);
  const [err, setErr] = useState('');
  const [owner, setOwner] = useState('');
  const [kind, setKind] = useState<Kind>('embedded-log');
  const [servers, setServers] = useState('127.0.0.1:9092');
  const [topic, setTopic] = useState('');
  const [props, setProps] = useState('');
  const [secretProps, setSecretProps] = useState('');
  const infer = async (fromTopic = false): Promise<void> => {
    setErr('');
    const options = { ...(disc ? { discriminator: disc } : {}), name: name || 'source' };
    const kafka = { bootstrapServers: servers, topic: topic || name, count: 100, properties: { ...propsOf(props), ...propsOf(secretProps) } };
    try {
      setInf(await ok(client.POST('/api/sources/infer', { body: dictionaryBody(fromTopic ? { kafka, options } : { samples: text, options }) })));
    } catch (e) { setErr(errorText(e)); setInf(null); }
  };
  const save = async (): Promise<void> => {
    setErr('');
    try {
      // Stored samples: the uploaded file, else the messages sampled off the live topic.
      const samples = !text.trim() && inf?.samples ? inf.samples.map((m) => (typeof m.value === 'string' ? m.value : JSON.stringify(m.value)))
        : text.trim().startsWith('[') ? (JSON.parse(text) as unknown[]).map((x) => JSON.stringify(x)) : text.split(/\r?\n/).filter((l) => l.trim());
      const secrets = propsOf(secretProps);
      const connection = kind === 'kafka'
        ? { bootstrapServers: servers, topic: topic || name, properties: propsOf(props), ...(Object.keys(secrets).length > 0 ? { secrets } : {}) }
        : undefined;
      await ok(client.POST('/api/sources', { body: dictionaryBody({
        name, kind, ...(connection ? { connection } : {}), samples: samples.slice(0, 50), ...(owner ? { owner } : {}),
        ...(inf?.types ? { types: inf.types, discriminator: inf.discriminator } : { schema: inf?.schema }),
      }) }));
      setInf(null); setText(''); setName(''); setFileName(''); setSecretProps('');
      onSaved();
    } catch (e) { setErr(errorText(e)); }
  };
  return (
    <div className="card">
      <h2>Register a source</h2>
      <div className="row">
        <div><label>Name</label><input aria-label="source name" value={name} onChange={(e) => setName(e.target.value)} placeholder="orders" /></div>
        <div><label>Owner</label><input aria-label="source owner" value={owner} onChange={(e) => setOwner(e.target.value)} /></div>
        <div><label>Type discriminator (multi-type topics)</label><input aria-label="discriminator" value={disc} onChange={(e) => setDisc(e.target.value)} placeholder="$.type or header:kind" /></div>
        <div>
          <label>Where the events are</label>
          <select aria-label="source kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="embedded-log">embedded log (POST /api/sources/{'{name}'}/events)</option>
            <option value="kafka">Kafka topic</option>
          </select>
        </div>
      </div>
      {kind === 'kafka' && (
        <div className="row">
          <div><label>Bootstrap servers</label><input aria-label="kafka bootstrap servers" value={servers} onChange={(e) => setServers(e.target.value)} /></div>
          <div><label>Topic (default: the name)</label><input aria-label="kafka topic" value={topic} onChange={(e) => setTopic(e.target.value)} placeholder={name} /></div>
          <div><label>Client properties (key=value lines)</label><textarea aria-label="kafka properties" rows={2} value={props} onChange={(e) => setProps(e.target.value)} placeholder="security.protocol=SASL_SSL" /></div>
          <div><label>Secret properties (stored, never shown again)</label><textarea aria-label="kafka secret properties" rows={2} value={secretProps} onChange={(e) => setSecretProps(e.target.value)} placeholder="sasl.jaas.config=..." /></div>
        </div>
      )}
      <label>Sample file (JSON lines or a JSON array)</label>
      <input type="file" aria-label="sample file" accept=".json,.jsonl,.ndjson,.txt" onChange={async (e) => {
        const f = e.target.files?.[0];
        if (!f) return;
        setFileName(f.name);
        setText(await f.text());
        if (!name) setName(f.name.replace(/\..*$/, '').replace(/[^A-Za-z0-9_]/g, '_'));
      }} />
      {fileName && <span className="muted"> {fileName}: {text.split('\n').filter((l) => l.trim()).length} lines</span>}
      <div style={{ marginTop: 10 }}>
        <button onClick={() => void infer()} disabled={!text}>Infer schema</button>
        {kind === 'kafka' && <button className="secondary" onClick={() => void infer(true)} disabled={!servers || !(topic || name)}>Sample the live topic</button>}
        <button onClick={() => void save()} disabled={!inf || !name}>Register</button>
      </div>
      {err && <p className="error" data-testid="register-error">{err}</p>}
      {inf && (
        <>
          <p className="muted">Read {inf.samplesRead} samples. {inf.warnings.map((w) => w.message).join(' ')}</p>
          {inf.samples && inf.samples.length > 0 && (
            <pre data-testid="topic-samples">{inf.samples.slice(-10).map((m) => `p${m.partition}@${m.offset} ${m.key ? `key=${m.key} ` : ''}${headersText(m.headers)}${typeof m.value === 'string' ? m.value : JSON.stringify(m.value)}`).join('\n')}</pre>
          )}
          {inf.schema && <SchemaEditor schema={inf.schema} onChange={(s) => setInf({ ...inf, schema: s })} title="Inferred schema" />}
          {inf.types && Object.entries(inf.types).map(([t, s]) => (
            <SchemaEditor key={t} schema={s} title={`Type '${t}' (table ${name || 'source'}.${t})`} onChange={(ns) => setInf({ ...inf, types: { ...inf.types, [t]: ns } })} />
          ))}
        </>
      )}
    </div>
  );
}

export function SourcesPage() {
  const [sources, setSources] = useState<SourceDef[]>([]);
  const [stats, setStats] = useState<Record<string, SourceStats>>({});
  const [err, setErr] = useState('');
  const load = async (): Promise<void> => {
    try {
      const r = await ok(client.GET('/api/sources'));
      setSources(r.sources);
      const st: Record<string, SourceStats> = {};
      await Promise.all(r.sources.map(async (s) => { st[s.name] = await ok(client.GET('/api/sources/{name}/stats', { params: { path: { name: s.name } } })); }));
      setStats(st);
      setErr('');
    } catch (e) { setErr(errorText(e)); }
  };
  usePoll(load, 3000);
  return (
    <>
      <h1>Data sources</h1>
      {err && <p className="error">{err}</p>}
      <div className="card">
        <table data-testid="sources-table">
          <thead><tr><th>Name</th><th>Kind</th><th>Tables</th><th>Event time</th><th className="num">Messages</th><th className="num">Rate/s</th><th className="num">Parse errors</th><th className="num">Dead letters</th><th>Owner</th></tr></thead>
          <tbody>
            {sources.map((s) => {
              const st = stats[s.name];
              const tables = s.types ? Object.keys(s.types).map((t) => `${s.name}.${t}`) : [s.name];
              const et = s.types ? [...new Set(Object.values(s.types).map((t) => t.eventTimeColumn ?? '-'))].join(', ') : s.schema?.eventTimeColumn ?? '-';
              return (
                <tr key={s.name}>
                  <td><a href={`#/sources/${s.name}`}>{s.name}</a></td><td>{s.kind}</td><td>{tables.join(', ')}</td><td>{et}</td>
                  <td className="num">{st?.messages ?? 0}</td><td className="num">{st?.messageRate ?? 0}</td><td className="num">{st?.parseErrors ?? 0}</td><td className="num">{st?.deadLetters ?? 0}</td><td>{s.owner ?? ''}</td>
                </tr>
              );
            })}
            {sources.length === 0 && <tr><td colSpan={9} className="muted">No sources yet: register one below.</td></tr>}
          </tbody>
        </table>
      </div>
      <Register onSaved={() => void load()} />
    </>
  );
}
