import { StrictMode, Suspense, lazy, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { api, setCsrf, whenSignedOut, type Session } from './api';
import { Link, RouterProvider, match, navigate, usePath } from './router';
import { LiveProvider } from './live';
import { Login } from './pages/Login';
import { Dashboard } from './pages/Dashboard';
import { InstanceList } from './pages/Instances';
import { LaunchWizard } from './pages/Launch';
import { InstanceDetail } from './pages/InstanceDetail';
import { KeyPairs } from './pages/KeyPairs';
import { AccessKeys } from './pages/AccessKeys';
import { Users } from './pages/Users';
import { Hosts, Accounts, AllEvents } from './pages/Operator';
import { Images } from './pages/Images';

// noVNC is loaded only when a console is opened.
const Console = lazy(() => import('./pages/Console'));

function Page({ session }: { session: Session }) {
  const path = usePath();
  let m;
  if (path === '/') return <Dashboard session={session} />;
  if (path === '/instances') return <InstanceList />;
  if (path === '/instances/new') return <LaunchWizard />;
  if ((m = match('/instances/:id/console', path))) return <Suspense fallback={<p>Loading the console…</p>}><Console id={m.id} /></Suspense>;
  if ((m = match('/instances/:id', path))) return <InstanceDetail id={m.id} />;
  if (path === '/images') return <Images accountId={session.user.accountId} />;
  if (path === '/key-pairs') return <KeyPairs />;
  if (path === '/access-keys') return <AccessKeys session={session} />;
  if (path === '/users') return <Users accountId={session.user.accountId} />;
  if (session.operator) {
    if (path === '/admin/hosts') return <Hosts />;
    if (path === '/admin/accounts') return <Accounts />;
    if ((m = match('/admin/accounts/:id/users', path))) return <Users accountId={m.id} />;
    if (path === '/admin/events') return <AllEvents />;
  }
  return <p role="alert">There is no page at {path}. <Link to="/">Go to the dashboard</Link>.</p>;
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    api<Session>('GET', '/portal/session')
      .then((s) => {
        setCsrf(s.csrfToken);
        setSession(s);
      })
      .catch(() => setSession(null));
  }, []);
  if (session === undefined) return <p className="muted">Loading…</p>;
  if (session === null)
    return (
      <Login
        onSignedIn={(s) => {
          setCsrf(s.csrfToken);
          setSession(s);
        }}
      />
    );
  const signOut = async () => {
    await api('DELETE', '/portal/session');
    setSession(null);
    navigate('/', true);
  };
  return (
    <LiveProvider>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">Nubo</span>
        <nav aria-label="Main">
          <Link to="/">Dashboard</Link>
          <Link to="/instances">Instances</Link>
          <Link to="/images">Images</Link>
          <Link to="/key-pairs">Key pairs</Link>
          <Link to="/access-keys">Access keys</Link>
          <Link to="/users">Users</Link>
          {session.operator && (
            <>
              <span className="sep" aria-hidden="true">|</span>
              <Link to="/admin/hosts">Hosts</Link>
              <Link to="/admin/accounts">Accounts</Link>
              <Link to="/admin/events">Events</Link>
            </>
          )}
        </nav>
        <span className="who">
          {session.user.email} · {session.accountName}
          <button onClick={signOut}>Sign out</button>
        </span>
      </header>
      <main id="main">
        <Page session={session} />
      </main>
    </LiveProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider>
      <App />
    </RouterProvider>
  </StrictMode>,
);
