// One source: schema (editable: types, nullability, event time, watermark), generated DDL, live samples, rate,
// parse errors, dead letters, schema drift and the features reading it.
import { useState } from 'react';
import { api, errorText, type SourceDef, type SourceStats, type TypeSchema } from '../api.js';
import { SchemaEditor, usePoll } from '../components.js';

export function SourceDetail({ name }: { name: string }) {
  const [src, setSrc] = useState<{ source: SourceDef; ddl: string; lineage: string[] } | null>(null);
  const [draft, setDraft] = useState<SourceDef | null>(null);
  const [stats, setStats] = useState<SourceStats | null>(null);
  const [samples, setSamples] = useState<{ value: unknown; offset?: number; partition?: number }[]>([]);
  const [msg, setMsg] = useState('');
  const load = async (): Promise<void> => {
    const s = await api<{ source: SourceDef; ddl: string; lineage: string[] }>('GET', `/api/sources/${name}`);
    setSrc(s);
    setStats(await api<SourceStats>('GET', `/api/sources/${name}/stats`));
    setSamples((await api<{ samples: { value: unknown }[] }>('GET', `/api/sources/${name}/samples?limit=10`)).samples);
  };
  usePoll(load, 2000, [name]);
  if (!src) return <p>Loading…</p>;
  const d = draft ?? src.source;
  const save = async (): Promise<void> => {
    try {
      await api('PUT', `/api/sources/${name}`, { version: src.source.version, ...(d.types ? { types: d.types } : { schema: d.schema }) });
      setDraft(null); setMsg('Saved a new version.'); await load();
    } catch (e) { setMsg(errorText(e)); }
  };
  const edit = (s: TypeSchema, type?: string): void => setDraft(type ? { ...d, types: { ...d.types, [type]: s } } : { ...d, schema: s });
  return (
    <>
      <h1>Source {name} <span className="muted">v{src.source.version} · {src.source.kind}{src.source.discriminator ? ` · types by ${src.source.discriminator.path}` : ''}</span></h1>
      <div className="card">
        <span className="stat"><b data-testid="source-messages">{stats?.messages ?? 0}</b>messages</span>
        <span className="stat"><b>{stats?.messageRate ?? 0}</b>messages/s</span>
        <span className="stat"><b>{stats?.parseErrors ?? 0}</b>parse errors</span>
        <span className="stat"><b>{stats?.deadLetters ?? 0}</b>dead letters</span>
        <span className="stat"><b>{src.lineage.length}</b>features: {src.lineage.map((f) => <a key={f} href={`#/jobs/${f}`}>{f} </a>)}</span>
        {stats && Object.keys(stats.unknownFields).length > 0 && <p className="muted">Unknown fields (drift): {Object.entries(stats.unknownFields).map(([k, v]) => `${k} ×${v}`).join(', ')}</p>}
        {stats && Object.keys(stats.unknownTypes).length > 0 && <p className="muted">Unregistered types: {Object.entries(stats.unknownTypes).map(([k, v]) => `${k} ×${v}`).join(', ')}</p>}
      </div>
      {d.schema && <SchemaEditor schema={d.schema} onChange={(s) => edit(s)} title="Schema" />}
      {d.types && Object.entries(d.types).map(([t, s]) => <SchemaEditor key={t} schema={s} onChange={(ns) => edit(ns, t)} title={`Type '${t}' (table ${name}.${t})`} />)}
      <button onClick={() => void save()} disabled={!draft}>Save schema</button>
      {draft && <button className="secondary" onClick={() => setDraft(null)}>Discard</button>}
      {msg && <span className="muted"> {msg}</span>}
      <h2>Live samples</h2>
      <pre data-testid="live-samples">{samples.map((s) => (typeof s.value === 'string' ? s.value : JSON.stringify(s.value))).join('\n') || '(no messages yet)'}</pre>
      <h2>Dead letters</h2>
      <pre>{stats?.deadLetterSamples.map((x) => `${x.at} ${x.reason}\n  ${x.raw}`).join('\n') || '(none)'}</pre>
      <h2>Flink SQL</h2>
      <pre>{src.ddl}</pre>
    </>
  );
}
