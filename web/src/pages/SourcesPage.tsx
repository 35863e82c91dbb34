// Data sources: the registered sources with live statistics, and registration from an uploaded sample file
// (JSON lines or a JSON array) with the inferred schema shown for editing before it is saved.
import { useState } from 'react';
import { api, errorText, type SourceDef, type SourceStats, type TypeSchema } from '../api.js';
import { SchemaEditor, usePoll } from '../components.js';

interface Inferred { schema?: TypeSchema; types?: Record<string, TypeSchema>; discriminator?: { path: string }; warnings: { message: string }[]; ddl: string; samplesRead: number }

function Register({ onSaved }: { onSaved: () => void }) {
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('');
  const [disc, setDisc] = useState('');
  const [inf, setInf] = useState<Inferred | null>(null);
  const [err, setErr] = useState('');
  const [owner, setOwner] = useState('');
  const infer = async (): Promise<void> => {
    setErr('');
    try {
      setInf(await api<Inferred>('POST', '/api/sources/infer', { samples: text, options: { ...(disc ? { discriminator: disc } : {}), name: name || 'source' } }));
    } catch (e) { setErr(errorText(e)); setInf(null); }
  };
  const save = async (): Promise<void> => {
    setErr('');
    try {
      const samples = text.trim().startsWith('[') ? (JSON.parse(text) as unknown[]).map((x) => JSON.stringify(x)) : text.split(/\r?\n/).filter((l) => l.trim());
      await api('POST', '/api/sources', {
        name, samples: samples.slice(0, 50), ...(owner ? { owner } : {}),
        ...(inf?.types ? { types: inf.types, discriminator: inf.discriminator } : { schema: inf?.schema }),
      });
      setInf(null); setText(''); setName(''); setFileName('');
      onSaved();
    } catch (e) { setErr(errorText(e)); }
  };
  return (
    <div className="card">
      <h2>Register a source</h2>
      <div className="row">
        <div><label>Name</label><input aria-label="source name" value={name} onChange={(e) => setName(e.target.value)} placeholder="orders" /></div>
        <div><label>Owner</label><input aria-label="source owner" value={owner} onChange={(e) => setOwner(e.target.value)} /></div>
        <div><label>Type discriminator (multi-type topics)</label><input aria-label="discriminator" value={disc} onChange={(e) => setDisc(e.target.value)} placeholder="$.type" /></div>
      </div>
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
        <button onClick={() => void save()} disabled={!inf || !name}>Register</button>
      </div>
      {err && <p className="error" data-testid="register-error">{err}</p>}
      {inf && (
        <>
          <p className="muted">Read {inf.samplesRead} samples. {inf.warnings.map((w) => w.message).join(' ')}</p>
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
      const r = await api<{ sources: SourceDef[] }>('GET', '/api/sources');
      setSources(r.sources);
      const st: Record<string, SourceStats> = {};
      await Promise.all(r.sources.map(async (s) => { st[s.name] = await api<SourceStats>('GET', `/api/sources/${s.name}/stats`); }));
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
