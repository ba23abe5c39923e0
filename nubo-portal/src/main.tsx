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
import { Volumes } from './pages/Volumes';
import { SecurityGroupsPage } from './pages/SecurityGroupsPage';
import { Billing, InvoicePage } from './pages/Billing';
import { Customers, CustomerUsage, PriceBook } from './pages/Partner';
import { AllInstances, Overview, PricesAdmin } from './pages/OperatorCatalog';

// noVNC is loaded only when a console is opened.
const Console = lazy(() => import('./pages/Console'));

function Page({ session, partner }: { session: Session; partner: boolean }) {
  const path = usePath();
  let m;
  if (path === '/') return <Dashboard session={session} />;
  if (path === '/instances') return <InstanceList />;
  if (path === '/instances/new') return <LaunchWizard />;
  if ((m = match('/instances/:id/console', path))) return <Suspense fallback={<p>Loading the console…</p>}><Console id={m.id} /></Suspense>;
  if ((m = match('/instances/:id', path))) return <InstanceDetail id={m.id} />;
  if (path === '/images') return <Images accountId={session.user.accountId} operator={session.operator} />;
  if (path === '/volumes') return <Volumes />;
  if (path === '/billing') return <Billing accountId={session.user.accountId} />;
  if ((m = match('/billing/invoices/:id', path))) return <InvoicePage id={m.id} />;
  if (path === '/security-groups') return <SecurityGroupsPage />;
  if (path === '/key-pairs') return <KeyPairs />;
  if (path === '/access-keys') return <AccessKeys session={session} />;
  if (path === '/users') return <Users accountId={session.user.accountId} />;
  if (partner) {
    if (path === '/partner/customers') return <Customers />;
    if ((m = match('/partner/customers/:id', path))) return <CustomerUsage id={m.id} />;
    if (path === '/partner/prices') return <PriceBook />;
  }
  if (session.operator) {
    if (path === '/admin') return <Overview />;
    if (path === '/admin/instances') return <AllInstances />;
    if (path === '/admin/prices') return <PricesAdmin />;
    if (path === '/admin/hosts') return <Hosts />;
    if (path === '/admin/accounts') return <Accounts />;
    if ((m = match('/admin/accounts/:id/users', path))) return <Users accountId={m.id} />;
    if (path === '/admin/events') return <AllEvents />;
  }
  return <p role="alert">There is no page at {path}. <Link to="/">Go to the dashboard</Link>.</p>;
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [partner, setPartner] = useState(false);
  // The account's role decides the partner pages; the API checks it again on every call.
  useEffect(() => {
    if (session) api<{ role: string }>('GET', '/accounts/' + session.user.accountId).then((a) => setPartner(a.role === 'partner')).catch(() => setPartner(false));
  }, [session]);
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
          <Link to="/volumes">Volumes</Link>
          <Link to="/images">Images</Link>
          <Link to="/billing">Billing</Link>
          <Link to="/security-groups">Security groups</Link>
          <Link to="/key-pairs">Key pairs</Link>
          <Link to="/access-keys">Access keys</Link>
          <Link to="/users">Users</Link>
          {partner && (
            <>
              <span className="sep" aria-hidden="true">|</span>
              <Link to="/partner/customers">Customers</Link>
              <Link to="/partner/prices">Price book</Link>
            </>
          )}
          {session.operator && (
            <>
              <span className="sep" aria-hidden="true">|</span>
              <Link to="/admin">Overview</Link>
              <Link to="/admin/hosts">Hosts</Link>
              <Link to="/admin/instances">All instances</Link>
              <Link to="/admin/prices">Prices</Link>
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
        <Page session={session} partner={partner} />
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
