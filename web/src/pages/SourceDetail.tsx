// One source: schema (editable: types, nullability, event time, watermark), generated DDL, live samples, rate,
// parse errors, dead letters, schema drift and the features reading it.
import { useState } from 'react';
import { client, ok, dictionaryBody, errorText, type Schemas, type SourceDef, type SourceStats, type TypeSchema } from '../api.js';
import { SchemaEditor, usePoll } from '../components.js';
import { LineChart } from '../chart.js';
import { headersText } from './SourcesPage.js';

/** One poll of the source's statistics: time (s), messages/s, parse errors/s and dead letters/s since the last. */
interface RatePoint { t: number; rate: number; errors: number; dead: number }
const POINTS = 150;

export function SourceDetail({ name }: { name: string }) {
  const [src, setSrc] = useState<{ source: SourceDef; ddl: string; lineage: string[] } | null>(null);
  const [draft, setDraft] = useState<SourceDef | null>(null);
  const [stats, setStats] = useState<SourceStats | null>(null);
  const [samples, setSamples] = useState<Schemas['LogSample'][]>([]);
  const [live, setLive] = useState(false);
  const [rates, setRates] = useState<{ points: RatePoint[]; last?: { t: number; parseErrors: number; deadLetters: number } }>({ points: [] });
  const [msg, setMsg] = useState('');
  const load = async (): Promise<void> => {
    const path = { name };
    setSrc(await ok(client.GET('/api/sources/{name}', { params: { path } })));
    const st = await ok(client.GET('/api/sources/{name}/stats', { params: { path } }));
    setStats(st);
    const t = Date.now() / 1000;
    setRates((r) => {
      const dt = r.last ? Math.max(0.001, t - r.last.t) : 1;
      const p: RatePoint = { t, rate: st.messageRate, errors: r.last ? Math.max(0, st.parseErrors - r.last.parseErrors) / dt : 0, dead: r.last ? Math.max(0, st.deadLetters - r.last.deadLetters) / dt : 0 };
      return { points: [...r.points, p].slice(-POINTS), last: { t, parseErrors: st.parseErrors, deadLetters: st.deadLetters } };
    });
    const sm = await ok(client.GET('/api/sources/{name}/samples', { params: { path, query: { limit: '10' } } }));
    setSamples(sm.samples);
    setLive(sm.live);
  };
  usePoll(load, 2000, [name]);
  if (!src) return <p>Loading…</p>;
  const d = draft ?? src.source;
  const save = async (): Promise<void> => {
    try {
      await ok(client.PUT('/api/sources/{name}', { params: { path: { name } }, body: dictionaryBody({ version: src.source.version, ...(d.types ? { types: d.types } : { schema: d.schema }) }) }));
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
        <span className="stat"><b data-testid="source-parse-errors">{stats?.parseErrors ?? 0}</b>parse errors</span>
        <span className="stat"><b data-testid="source-dead-letters">{stats?.deadLetters ?? 0}</b>dead letters</span>
        {stats?.lastMessageAt && <span className="stat"><b>{stats.lastMessageAt.slice(11, 19)}</b>last message</span>}
        <span className="stat"><b>{src.lineage.length}</b>features: {src.lineage.map((f) => <a key={f} href={`#/jobs/${f}`}>{f} </a>)}</span>
        {stats && Object.keys(stats.unknownFields).length > 0 && <p className="warn" data-testid="schema-drift">Schema drift — fields not in the schema: {Object.entries(stats.unknownFields).map(([k, v]) => `${k} ×${v}`).join(', ')}. Add them to the schema below to read them.</p>}
        {stats && Object.keys(stats.unknownTypes).length > 0 && <p className="muted">Unregistered types: {Object.entries(stats.unknownTypes).map(([k, v]) => `${k} ×${v}`).join(', ')}</p>}
      </div>
      <LineChart testId="source-rate-chart" t={rates.points.map((p) => p.t)} series={[
        { label: 'messages/s', values: rates.points.map((p) => p.rate), color: '#1f6fb2' },
        { label: 'parse errors/s', values: rates.points.map((p) => p.errors), color: '#b3261e' },
        { label: 'dead letters/s', values: rates.points.map((p) => p.dead), color: '#d9822b' },
      ]} />
      {d.schema && <SchemaEditor schema={d.schema} onChange={(s) => edit(s)} title="Schema" />}
      {d.types && Object.entries(d.types).map(([t, s]) => <SchemaEditor key={t} schema={s} onChange={(ns) => edit(ns, t)} title={`Type '${t}' (table ${name}.${t})`} />)}
      <button onClick={() => void save()} disabled={!draft}>Save schema</button>
      {draft && <button className="secondary" onClick={() => setDraft(null)}>Discard</button>}
      {msg && <span className="muted"> {msg}</span>}
      <h2>{live ? 'Live samples (newest first)' : 'Stored samples'}</h2>
      <pre data-testid="live-samples">{samples.map((s) => `${s.partition !== undefined ? `p${s.partition}@${s.offset} ${s.timestamp ? new Date(s.timestamp).toISOString().slice(11, 23) : ''}  ` : ''}${headersText(s.headers)}${typeof s.value === 'string' ? s.value : JSON.stringify(s.value)}`).join('\n') || '(no messages yet)'}</pre>
      <h2>Dead letters</h2>
      <pre data-testid="dead-letter-samples">{stats?.deadLetterSamples.map((x) => `${x.at} ${x.where ? `${x.where} ` : ''}${x.reason}\n  ${x.raw}`).join('\n') || '(none)'}</pre>
      <h2>Flink SQL</h2>
      <pre>{src.ddl}</pre>
    </>
  );
}
