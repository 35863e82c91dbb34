// Freshet's web UI: data sources, the four-step feature editor, jobs, feature lookup. Hash routes keep the server
// side to one static index.html.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { client, ok, clearToken, getToken, setToken, takeTokenFromUrl, errorText } from './api.js';
import { SourcesPage } from './pages/SourcesPage.js';
import { SourceDetail } from './pages/SourceDetail.js';
import { FeatureEditor } from './pages/FeatureEditor.js';
import { JobsPage } from './pages/JobsPage.js';
import { JobDetail } from './pages/JobDetail.js';
import { LookupPage } from './pages/LookupPage.js';
import { FeaturesPage } from './pages/FeaturesPage.js';
import { MonitoringPage } from './pages/MonitoringPage.js';
import { AlertsPage } from './pages/AlertsPage.js';
import { ChecksPage } from './pages/ChecksPage.js';

function useHash(): string {
  const [h, setH] = useState(location.hash || '#/sources');
  useEffect(() => {
    const on = (): void => setH(location.hash || '#/sources');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return h;
}

function Login({ onDone }: { onDone: () => void }) {
  const [t, setT] = useState('');
  const [err, setErr] = useState('');
  return (
    <div className="login card">
      <h2>Freshet</h2>
      <p>Enter an API token (printed by <code>freshet start</code>).</p>
      <form onSubmit={(e) => { e.preventDefault(); setToken(t.trim()); ok(client.GET('/api/whoami')).then(onDone, (x: unknown) => { clearToken(); setErr(errorText(x)); }); }}>
        <input aria-label="API token" value={t} onChange={(e) => setT(e.target.value)} placeholder="token" />
        <button type="submit">Sign in</button>
      </form>
      {err && <p className="error">{err}</p>}
    </div>
  );
}

function App() {
  takeTokenFromUrl();
  const hash = useHash();
  const [role, setRole] = useState<string | null>(null);
  const [checked, setChecked] = useState(false);
  const check = (): void => {
    if (!getToken()) { setChecked(true); return; }
    ok(client.GET('/api/whoami')).then((r) => { setRole(r.role); setChecked(true); }, () => { clearToken(); setChecked(true); });
  };
  useEffect(check, []);
  if (!checked) return null;
  if (!role) return <Login onDone={check} />;
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  let page;
  switch (parts[0]) {
    case 'sources': page = parts[1] ? <SourceDetail name={parts[1]} /> : <SourcesPage />; break;
    case 'features': page = parts[1] === 'new' ? <FeatureEditor /> : parts[1] === 'edit' && parts[2] ? <FeatureEditor key={parts[2]} editJob={parts[2]} /> : <FeaturesPage selected={parts[1]} />; break;
    case 'jobs': page = parts[1] ? <JobDetail name={parts[1]} /> : <JobsPage />; break;
    case 'lookup': page = <LookupPage key={parts[1] ?? ''} {...(parts[1] ? { initial: parts[1] } : {})} />; break;
    case 'monitoring': page = <MonitoringPage key={parts[1] ?? ''} {...(parts[1] ? { job: parts[1] } : {})} />; break;
    case 'alerts': page = <AlertsPage />; break;
    case 'checks': page = <ChecksPage {...(parts[1] ? { table: parts[1] } : {})} />; break;
    default: page = <SourcesPage />;
  }
  // '#/features' is the catalog; '#/features/new' (the editor) is its own entry.
  const nav = (href: string, label: string) => <a href={href} className={hash.startsWith(href) && !(href === '#/features' && hash.startsWith('#/features/new')) ? 'active' : ''}>{label}</a>;
  return (
    <>
      <header>
        <span className="brand">Freshet</span>
        <nav>{nav('#/sources', 'Data sources')}{nav('#/features/new', 'New feature')}{nav('#/features', 'Features')}{nav('#/jobs', 'Jobs')}{nav('#/lookup', 'Feature lookup')}{nav('#/monitoring', 'Monitoring')}{nav('#/alerts', 'Alerts')}{nav('#/checks', 'Checks')}</nav>
        <span className="role">role: {role} · <a href="/api/docs" target="_blank" rel="noreferrer">API docs</a></span>
      </header>
      <main>{page}</main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
