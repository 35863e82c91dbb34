// The feature catalog: every feature job with its current version, entity key, outputs and state, the feature
// tables published to online stores; for a selected feature its lineage drawn as a small graph (sources → feature
// job → outputs: store table, changed-keys topic, embedded output → jobs that read the table) and its versions
// (each version's JSON spec and the difference between any two), with links to edit it and to look up a key.
import { useEffect, useState } from 'react';
import { client, ok, errorText, type FeatureTable, type JobSpec, type JobStatus } from '../api.js';
import { StateBadge, usePoll } from '../components.js';
import { DiffView, canonicalJson } from '../diff.js';

interface Node { id: string; label: string; kind: 'source' | 'job' | 'store' | 'topic' | 'embedded' | 'consumer'; col: number; href?: string }
interface Edge { from: string; to: string }

/** Lineage of one job: its sources, itself, its outputs and the jobs reading its published tables. */
export function lineageOf(spec: JobSpec, tables: FeatureTable[]): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const jobId = `job:${spec.name}`;
  for (const s of spec.sources) {
    const published = tables.find((t) => t.table === s);
    nodes.push({ id: `src:${s}`, label: s, kind: published ? 'store' : 'source', col: 0, href: published ? `#/features/${published.job}` : `#/sources/${s.split('.')[0]}` });
    edges.push({ from: `src:${s}`, to: jobId });
  }
  nodes.push({ id: jobId, label: `${spec.name} v${spec.version}`, kind: 'job', col: 1, href: `#/jobs/${spec.name}` });
  for (const o of spec.outputs) {
    const id = `out:${o.table}`;
    if (o.kind === 'store') {
      nodes.push({ id, label: `${o.table} (${o.store ?? 'store'})`, kind: 'store', col: 2, href: `#/lookup/${o.table}` });
      edges.push({ from: jobId, to: id });
      const topic = o.options?.['changed-keys.topic'];
      if (topic) {
        nodes.push({ id: `topic:${topic}`, label: `${topic} (changed keys, ${o.options?.['changed-keys.delivery-guarantee'] ?? 'at-least-once'})`, kind: 'topic', col: 2 });
        edges.push({ from: jobId, to: `topic:${topic}` });
      }
      for (const c of tables.find((t) => t.table === o.table)?.lineage.consumers ?? []) {
        if (!nodes.some((n) => n.id === `consumer:${c}`)) nodes.push({ id: `consumer:${c}`, label: c, kind: 'consumer', col: 3, href: `#/features/${c}` });
        edges.push({ from: id, to: `consumer:${c}` });
      }
    } else {
      nodes.push({ id, label: `${o.table} (embedded)`, kind: 'embedded', col: 2, href: `#/lookup/${spec.name}` });
      edges.push({ from: jobId, to: id });
    }
  }
  return { nodes, edges };
}

const COLORS: Record<Node['kind'], string> = { source: '#e8f1fa', job: '#fff4e5', store: '#e7f6ec', topic: '#f3e8fa', embedded: '#f2f2f2', consumer: '#fff4e5' };

/** The lineage as an SVG graph: one column per stage, nodes as linked boxes, edges as curves. */
function LineageGraph({ nodes, edges }: { nodes: Node[]; edges: Edge[] }) {
  const W = 210, H = 34, GX = 60, GY = 14;
  const cols = Math.max(...nodes.map((n) => n.col)) + 1;
  const perCol = new Map<number, Node[]>();
  for (const n of nodes) perCol.set(n.col, [...(perCol.get(n.col) ?? []), n]);
  const rows = Math.max(...[...perCol.values()].map((c) => c.length));
  const height = rows * (H + GY) + GY;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [c, ns] of perCol) {
    const top = (height - ns.length * (H + GY) + GY) / 2;
    ns.forEach((n, i) => pos.set(n.id, { x: c * (W + GX) + 4, y: top + i * (H + GY) }));
  }
  return (
    <svg className="lineage" data-testid="lineage-graph" width={cols * (W + GX)} height={height} role="img" aria-label="lineage graph">
      {edges.map((e, i) => {
        const a = pos.get(e.from)!, b = pos.get(e.to)!;
        const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
        return <path key={i} d={`M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`} fill="none" stroke="#8aa1b5" strokeWidth={1.5} markerEnd="url(#arrow)" />;
      })}
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#8aa1b5" /></marker></defs>
      {nodes.map((n) => {
        const p = pos.get(n.id)!;
        const box = (
          <g data-node={n.kind}>
            <rect x={p.x} y={p.y} width={W} height={H} rx={5} fill={COLORS[n.kind]} stroke="#9db3c6" />
            <text x={p.x + 8} y={p.y + 14} fontSize={10} fill="#5b6b7a">{n.kind === 'consumer' ? 'reads it: job' : n.kind === 'embedded' ? 'embedded output' : n.kind === 'topic' ? 'Kafka topic' : n.kind === 'store' && n.col === 0 ? 'feature table' : n.kind === 'store' ? 'online store table' : n.kind}</text>
            <text x={p.x + 8} y={p.y + 27} fontSize={12} fill="#13263a">{n.label.length > 32 ? `${n.label.slice(0, 31)}…` : n.label}</text>
          </g>
        );
        return n.href ? <a key={n.id} href={n.href}>{box}</a> : <g key={n.id}>{box}</g>;
      })}
    </svg>
  );
}

function FeatureDetail({ spec, tables }: { spec: JobSpec; tables: FeatureTable[] }) {
  const [versions, setVersions] = useState<JobSpec[]>([]);
  const [a, setA] = useState(0);
  const [b, setB] = useState(0);
  const [err, setErr] = useState('');
  useEffect(() => {
    void ok(client.GET('/api/jobs/{name}/versions', { params: { path: { name: spec.name } } })).then((r) => {
      setVersions(r.versions);
      const last = r.versions[r.versions.length - 1]?.version ?? 1;
      setB(last); setA(Math.max(1, last - 1));
    }, (e: unknown) => setErr(errorText(e)));
  }, [spec.name, spec.version]);
  const g = lineageOf(spec, tables);
  const va = versions.find((v) => v.version === a), vb = versions.find((v) => v.version === b);
  const text = (v: JobSpec | undefined): string => {
    if (!v) return '';
    const { createdAt: _c, updatedAt: _u, version: _v, ...rest } = v;
    return canonicalJson(rest);
  };
  const store = spec.outputs.find((o) => o.kind === 'store');
  return (
    <div className="card" data-testid="feature-detail">
      <h2>{spec.name} <span className="muted">v{spec.version} · owner {spec.owner} · entity key {spec.entityKey.join(', ')}</span></h2>
      {spec.description && <p>{spec.description}</p>}
      <p>
        <a className="button" href={`#/features/edit/${spec.name}`}>Edit (new version)</a>
        <a className="button secondary" href={`#/jobs/${spec.name}`}>Job</a>
        <a className="button secondary" href={`#/lookup/${store ? store.table : spec.name}`} data-testid="lookup-link">Look up a key</a>
        {store && <a className="button secondary" href={`#/checks/${encodeURIComponent(store.table)}`} data-testid="checks-link">Offline checks</a>}
      </p>
      <h2>Lineage</h2>
      <LineageGraph nodes={g.nodes} edges={g.edges} />
      <h2>Versions</h2>
      {err && <p className="error">{err}</p>}
      <table data-testid="feature-versions">
        <thead><tr><th>Version</th><th>Saved</th><th>Result columns</th><th>Outputs</th></tr></thead>
        <tbody>
          {[...versions].reverse().map((v) => (
            <tr key={v.version}>
              <td>v{v.version}</td><td>{v.updatedAt.replace('T', ' ').slice(0, 19)}</td>
              <td className="muted">{(v.columns ?? []).map((c) => `${c.name} ${c.type}`).join(', ')}</td>
              <td>{v.outputs.map((o) => `${o.table} (${o.kind === 'store' ? o.store : 'embedded'})`).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {versions.length > 1 && (
        <div className="row" style={{ marginTop: 8 }}>
          <div><label>Compare</label><select aria-label="diff from version" value={a} onChange={(e) => setA(Number(e.target.value))}>{versions.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}</select></div>
          <div><label>with</label><select aria-label="diff to version" value={b} onChange={(e) => setB(Number(e.target.value))}>{versions.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}</select></div>
        </div>
      )}
      {versions.length > 1 ? <DiffView before={text(va)} after={text(vb)} testId="version-diff" /> : <pre data-testid="version-spec">{text(vb)}</pre>}
    </div>
  );
}

export function FeaturesPage({ selected }: { selected?: string }) {
  const [jobs, setJobs] = useState<{ spec: JobSpec; status: JobStatus }[]>([]);
  const [tables, setTables] = useState<FeatureTable[]>([]);
  const [err, setErr] = useState('');
  usePoll(async () => {
    try {
      const [j, f] = await Promise.all([ok(client.GET('/api/jobs')), ok(client.GET('/api/features'))]);
      setJobs(j.jobs); setTables(f.features); setErr('');
    } catch (e) { setErr(errorText(e)); }
  }, 5000);
  const sel = jobs.find((j) => j.spec.name === selected);
  return (
    <>
      <h1>Features</h1>
      {err && <p className="error">{err}</p>}
      <div className="card">
        <table data-testid="features-table">
          <thead><tr><th>Feature</th><th>Version</th><th>State</th><th>Entity key</th><th>Columns</th><th>Outputs</th><th>Sources</th><th>Owner</th><th>Tags</th></tr></thead>
          <tbody>
            {jobs.map(({ spec, status }) => (
              <tr key={spec.name} className={spec.name === selected ? 'selected' : ''}>
                <td><a href={`#/features/${spec.name}`}>{spec.name}</a></td><td>v{spec.version}</td><td><StateBadge state={status.state} /></td>
                <td>{spec.entityKey.join(', ')}</td><td className="muted">{(spec.columns ?? []).map((c) => c.name).join(', ')}</td>
                <td>{spec.outputs.map((o) => (o.kind === 'store' ? `${o.table} → ${o.store}` : `${o.table} (embedded)`)).join(', ')}</td>
                <td>{spec.sources.join(', ')}</td><td>{spec.owner}</td><td>{spec.tags.join(', ')}</td>
              </tr>
            ))}
            {jobs.length === 0 && <tr><td colSpan={9} className="muted">No features yet: <a href="#/features/new">build one</a>.</td></tr>}
          </tbody>
        </table>
      </div>
      {sel && <FeatureDetail spec={sel.spec} tables={tables} />}
      {selected && !sel && jobs.length > 0 && <p className="error">No feature '{selected}'.</p>}
    </>
  );
}
