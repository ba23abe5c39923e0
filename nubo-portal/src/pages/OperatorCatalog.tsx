// The operator's catalogue and overview: instance types with their prices, the price book, every
// instance of every account, and capacity and revenue at a glance.
import { useState, type FormEvent } from 'react';
import { api, type Account, type Host, type Instance, type InstanceType } from '../api';
import { useEvents } from '../live';
import { Link } from '../router';
import { money, perHour } from '../lib/format';
import { paginate, search } from '../lib/paging';
import { Bar, Empty, ErrorBox, Loading, Pager, StateBadge, useAction, useLoad, when } from '../ui';
import { invoices, type InvoiceSummary } from './Billing';
import { Prices } from './Partner';
import { MigrateButton } from './Migration';

export function PricesAdmin() {
  const types = useLoad(() => api<InstanceType[]>('GET', '/instance-types'), []);
  const book = useLoad(() => api<{ usageType: string; sku: string; effectiveFrom: string; microsPerUnit: number; priceUnit: string }[]>('GET', '/billing/prices'), []);
  return (
    <>
      <h1>Instance types and prices</h1>
      <ErrorBox error={types.error ?? book.error} />
      {!types.data ? <Loading what="instance types" /> : (
        <div className="table-wrap">
          <table className="list" tabIndex={0} aria-label="Instance types">
            <thead><tr><th>Name</th><th>vCPUs</th><th>Memory (MiB)</th><th>Price per hour</th><th>Change</th></tr></thead>
            <tbody>
              {types.data.map((t) => <TypeRow key={t.name} t={t} done={() => { types.reload(); book.reload(); }} />)}
            </tbody>
          </table>
        </div>
      )}
      <NewType done={types.reload} />
      <SetPrice done={book.reload} />
      {book.data && <Prices title="Price book" prices={book.data} />}
    </>
  );
}

function TypeRow({ t, done }: { t: InstanceType; done: () => void }) {
  const [price, setPrice] = useState('');
  const { failure, busy, run } = useAction();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const micros = Math.round(Number(price) * 1_000_000);
    if (await run(() => api('PUT', '/instance-types/' + encodeURIComponent(t.name), { vcpus: t.vcpus, memoryMib: t.memoryMib, priceMicrosPerHour: micros }))) {
      setPrice('');
      done();
    }
  };
  return (
    <tr data-type={t.name}>
      <td>{t.name}</td><td>{t.vcpus}</td><td>{t.memoryMib}</td><td>{perHour(t.priceMicrosPerHour)}</td>
      <td>
        <form className="row" onSubmit={save} aria-label={'Price of ' + t.name}>
          <label>New price ($/h) for {t.name} <input required inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} placeholder={(t.priceMicrosPerHour / 1e6).toString()} /></label>
          <button disabled={busy}>Save</button>
        </form>
        <ErrorBox error={failure} />
      </td>
    </tr>
  );
}

function NewType({ done }: { done: () => void }) {
  const [name, setName] = useState('');
  const [vcpus, setVcpus] = useState('1');
  const [mem, setMem] = useState('512');
  const [price, setPrice] = useState('');
  const { failure, busy, run } = useAction();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api('PUT', '/instance-types/' + encodeURIComponent(name), { vcpus: Number(vcpus), memoryMib: Number(mem), priceMicrosPerHour: Math.round(Number(price) * 1e6) }))) {
      setName('');
      done();
    }
  };
  return (
    <form className="card row" onSubmit={save} aria-label="Add an instance type">
      <label>Type name <input required value={name} onChange={(e) => setName(e.target.value)} placeholder="m5.large" /></label>
      <label>vCPUs <input type="number" required value={vcpus} onChange={(e) => setVcpus(e.target.value)} /></label>
      <label>Memory (MiB) <input type="number" required value={mem} onChange={(e) => setMem(e.target.value)} /></label>
      <label>Price ($/h) <input required inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} /></label>
      <button className="primary" disabled={busy}>Add type</button>
      <ErrorBox error={failure} />
    </form>
  );
}

function SetPrice({ done }: { done: () => void }) {
  const [type, setType] = useState('volume');
  const [sku, setSku] = useState('');
  const [price, setPrice] = useState('');
  const { failure, busy, run } = useAction();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api('POST', '/billing/prices', { usageType: type, sku, price }))) {
      setPrice('');
      done();
    }
  };
  return (
    <form className="card row" onSubmit={save} aria-label="Set a price">
      <label>
        Usage type
        <select value={type} onChange={(e) => setType(e.target.value)}>{['instance', 'volume', 'snapshot', 'image'].map((t) => <option key={t}>{t}</option>)}</select>
      </label>
      <label>Sku <input required value={sku} onChange={(e) => setSku(e.target.value)} placeholder="gp3" /></label>
      <label>Price per unit <input required inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} placeholder="0.08" /></label>
      <button className="primary" disabled={busy}>Set price from now</button>
      <ErrorBox error={failure} />
    </form>
  );
}

export function AllInstances() {
  const { data, error, loading, reload } = useLoad(() => api<{ instances: Instance[] }>('GET', '/operator/instances').then((r) => r.instances), []);
  useEvents((e) => {
    if (e.type.startsWith('instance.')) reload();
  });
  // The hosts, for the migration dialog's destinations and the host names; the list works without them.
  const hosts = useLoad(() => api<Host[]>('GET', '/hosts'), []);
  const [text, setText] = useState('');
  const [state, setState] = useState('');
  const [page, setPage] = useState(0);
  const found = search((data ?? []).filter((i) => !state || i.state.name === state), text, (i) => [i.instanceId, i.ownerId, i.name, i.hostId, i.instanceType]);
  const shown = paginate(found, page, 25);
  return (
    <>
      <h1>All instances</h1>
      <div className="filters">
        <label>Search <input type="search" value={text} onChange={(e) => { setText(e.target.value); setPage(0); }} placeholder="ID, account, host, type" /></label>
        <label>
          State
          <select value={state} onChange={(e) => { setState(e.target.value); setPage(0); }}>
            <option value="">any</option>
            {['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
      </div>
      <ErrorBox error={error ?? hosts.error} />
      {loading && !data ? <Loading what="instances" /> : !data ? null : shown.total === 0 ? <Empty>No instances.</Empty> : (
        <>
          <div className="table-wrap">
            <table className="list" tabIndex={0} aria-label="All instances">
              <thead><tr><th>ID</th><th>Account</th><th>Name</th><th>State</th><th>Type</th><th>Host</th><th>Launched</th><th></th></tr></thead>
              <tbody>
                {shown.items.map((i) => (
                  <tr key={i.instanceId} data-instance={i.instanceId}>
                    <td>{i.instanceId}</td><td>{i.ownerId}</td><td>{i.name ?? ''}</td><td><StateBadge state={i.state.name} /></td>
                    <td>{i.instanceType}</td><td>{hosts.data?.find((h) => h.hostId === i.hostId)?.name ?? i.hostId ?? ''}</td><td>{when(i.launchTime)}</td>
                    <td>{i.state.name === 'running' && hosts.data && <MigrateButton instance={i} hosts={hosts.data} done={reload} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager {...shown} onPage={setPage} />
        </>
      )}
    </>
  );
}

/** Capacity of every host together, and this month's revenue so far (the accounts' drafts) with the top accounts. */
export function Overview() {
  const { data, error } = useLoad(async () => {
    const [hosts, accounts] = await Promise.all([api<Host[]>('GET', '/hosts'), api<Account[]>('GET', '/accounts')]);
    // One request per account; an installation with thousands of accounts wants a revenue route (see docs/portal.md).
    const drafts = await Promise.all(accounts.slice(0, 200).map((a) =>
      invoices(a.accountId).then((l) => ({ account: a, draft: l.find((i) => i.status === 'draft') as InvoiceSummary | undefined })).catch(() => ({ account: a, draft: undefined }))));
    return { hosts, accounts, drafts };
  }, []);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="the overview" />;
  const up = data.hosts.filter((h) => h.state === 'up');
  const sum = (f: (h: Host) => number) => data.hosts.reduce((s, h) => s + f(h), 0);
  // The hoster's revenue is what it issues: a partner's customers are billed by the partner, whose own
  // invoice from the hoster already holds their usage (docs/billing.md), so they are not counted twice.
  const issued = data.drafts.filter((d) => d.draft?.issuer === 'hoster');
  const revenue = issued.reduce((s, d) => s + (d.draft?.totalMinor ?? 0), 0);
  const forecast = issued.reduce((s, d) => s + (d.draft?.forecastMinor ?? d.draft?.totalMinor ?? 0), 0);
  const top = [...issued].filter((d) => d.draft!.totalMinor > 0).sort((a, b) => (b.draft!.totalMinor - a.draft!.totalMinor)).slice(0, 10);
  return (
    <>
      <h1>At a glance</h1>
      <section className="cards">
        <div className="card" aria-label="Capacity">
          <h2>Capacity</h2>
          <p>{data.hosts.length} {data.hosts.length === 1 ? 'host' : 'hosts'}, {up.length} up</p>
          <Bar label="vCPUs allocated (all hosts)" used={sum((h) => h.allocated.vcpus)} total={sum((h) => Math.floor(h.capacity.vcpus * h.cpuRatio))} unit="" />
          <Bar label="Memory allocated (all hosts)" used={sum((h) => h.allocated.memoryMib)} total={sum((h) => Math.floor(h.capacity.memoryMib * h.memoryRatio))} unit="MiB" />
          <Link to="/admin/hosts">Hosts</Link>
        </div>
        <div className="card" aria-label="Revenue">
          <h2>Revenue this month</h2>
          <p>To date <span className="big" data-testid="revenue">{money(revenue * 10_000)}</span></p>
          <p>Forecast: <strong>{money(forecast * 10_000)}</strong></p>
          <p className="muted">Invoices the hoster issues, for {issued.length} of {data.accounts.length} accounts (partners' customers are billed by their partner){data.accounts.length > 200 ? '; the first 200 accounts counted' : ''}.</p>
        </div>
      </section>
      <h2>Top accounts this month</h2>
      {top.length === 0 ? <Empty>No usage this month yet.</Empty> : (
        <table className="list" tabIndex={0} aria-label="Top accounts">
          <thead><tr><th>Account</th><th>Name</th><th>To date</th><th>Forecast</th></tr></thead>
          <tbody>
            {top.map((d) => <tr key={d.account.accountId}><td>{d.account.accountId}</td><td>{d.account.name}</td><td>{d.draft!.total} {d.draft!.currency}</td><td>{d.draft!.forecast ? `${d.draft!.forecast} ${d.draft!.currency}` : ''}</td></tr>)}
          </tbody>
        </table>
      )}
    </>
  );
}
