// A partner's pages: its customer accounts (create, list, disable), each customer's usage and invoices, and its price book.
// The API scopes every call: a partner reaches only its own customers (another account is NotFound).
import { useState, type FormEvent } from 'react';
import { api, type Account } from '../api';
import { Link } from '../router';
import { money } from '../lib/format';
import { paginate, search } from '../lib/paging';
import { ConfirmButton, Empty, ErrorBox, Loading, Pager, StateBadge, useAction, useLoad, when } from '../ui';
import { DailyCost, InvoiceList } from './Billing';

export function Customers() {
  const { data, error, loading, reload } = useLoad(() => api<Account[]>('GET', '/partner/customers'), []);
  const [name, setName] = useState('');
  const [quota, setQuota] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [page, setPage] = useState(0);
  const { failure, busy, run } = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const r = await run(() => api<{ account: Account; accessKey: { accessKeyId: string; secretAccessKey: string } }>('POST', '/partner/customers',
      { name, instanceQuota: quota ? Number(quota) : undefined }));
    if (r) {
      setCreated(`${r.account.accountId} (${r.account.name}): access key ${r.accessKey.accessKeyId} / ${r.accessKey.secretAccessKey} (shown once)`);
      setName('');
      reload();
    }
  };
  const shown = paginate(search(data ?? [], text, (a) => [a.accountId, a.name]), page, 20);
  return (
    <>
      <h1>Customers</h1>
      <form className="card row" onSubmit={create} aria-label="Create a customer">
        <label>Customer name <input required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>Instance quota (optional) <input type="number" min={0} value={quota} onChange={(e) => setQuota(e.target.value)} /></label>
        <button className="primary" disabled={busy}>Create customer</button>
      </form>
      {created && <pre className="code" aria-label="New customer's key">{created}</pre>}
      <ErrorBox error={failure ?? error} />
      <div className="filters">
        <label>Search <input type="search" value={text} onChange={(e) => { setText(e.target.value); setPage(0); }} placeholder="ID or name" /></label>
      </div>
      {loading && !data ? <Loading what="customers" /> : !data ? null : shown.total === 0 ? <Empty>{text ? 'No customer matches.' : 'No customers yet.'}</Empty> : (
        <>
          <div className="table-wrap">
            <table className="list" tabIndex={0} aria-label="Customers">
              <thead><tr><th>ID</th><th>Name</th><th>Status</th><th>Created</th><th>Actions</th></tr></thead>
              <tbody>
                {shown.items.map((a) => (
                  <tr key={a.accountId} data-account={a.accountId}>
                    <td><Link to={'/partner/customers/' + a.accountId}>{a.accountId}</Link></td>
                    <td>{a.name}</td>
                    <td><StateBadge state={a.enabled ? 'enabled' : 'disabled'} /></td>
                    <td>{when(a.createdAt)}</td>
                    <td className="row">
                      <Link to={'/partner/customers/' + a.accountId}>Usage</Link>
                      {a.enabled ? (
                        <ConfirmButton label="Disable" danger question={`Disable ${a.name}? Its keys and sessions stop working.`}
                          onConfirm={() => run(() => api('POST', `/partner/customers/${a.accountId}/disable`, {})).then(reload)} />
                      ) : (
                        <button onClick={() => run(() => api('POST', `/partner/customers/${a.accountId}/enable`, {})).then(reload)}>Enable</button>
                      )}
                    </td>
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

export function CustomerUsage({ id }: { id: string }) {
  const { data, error } = useLoad(() => api<Account>('GET', '/accounts/' + id), [id]);
  if (error) return <><h1>No such customer</h1><ErrorBox error={error} /></>;
  if (!data) return <Loading what="the customer" />;
  return (
    <>
      <p><Link to="/partner/customers">← Customers</Link></p>
      <h1>{data.name} <span className="muted">({data.accountId})</span></h1>
      <DailyCost account={id} />
      <InvoiceList account={id} />
    </>
  );
}

interface PriceView { usageType: string; sku: string; effectiveFrom: string; microsPerUnit: number; priceUnit: string }
interface Book { currency: string; prices: PriceView[]; markups: { effectiveFrom: string; percent: string }[]; customerPrices: PriceView[] }

export function PriceBook() {
  const { data, error, reload } = useLoad(() => api<Book>('GET', '/partner/prices'), []);
  const [percent, setPercent] = useState('');
  const [type, setType] = useState('instance');
  const [sku, setSku] = useState('');
  const [price, setPrice] = useState('');
  const { failure, busy, run } = useAction();
  const markup = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api('POST', '/partner/markups', { percent }))) reload();
  };
  const explicit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api('POST', '/partner/prices', { usageType: type, sku, price }))) reload();
  };
  const current = data?.markups[data.markups.length - 1];
  return (
    <>
      <h1>Price book</h1>
      <ErrorBox error={error ?? failure} />
      <section className="cards">
        <form className="card" onSubmit={markup} aria-label="Set the markup">
          <h2>Markup on the hoster's prices</h2>
          <p>Now: <strong data-testid="markup">{current ? current.percent + '%' : 'none'}</strong></p>
          <div className="row">
            <label>Markup (%) <input required inputMode="decimal" value={percent} onChange={(e) => setPercent(e.target.value)} placeholder="20" /></label>
            <button className="primary" disabled={busy}>Set markup</button>
          </div>
        </form>
        <form className="card" onSubmit={explicit} aria-label="Set a price">
          <h2>An explicit price</h2>
          <p className="muted">Replaces hoster price plus markup for one sku, from now on.</p>
          <div className="row">
            <label>
              Usage type
              <select value={type} onChange={(e) => setType(e.target.value)}>{['instance', 'volume', 'snapshot', 'image'].map((t) => <option key={t}>{t}</option>)}</select>
            </label>
            <label>Sku <input required value={sku} onChange={(e) => setSku(e.target.value)} placeholder="t3.micro or gp3" /></label>
            <label>Price <input required inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} placeholder="0.0125" /></label>
            <button className="primary" disabled={busy}>Set price</button>
          </div>
        </form>
      </section>
      {!data ? <Loading what="the price book" /> : <Prices title="What your customers pay" prices={data.customerPrices} />}
      {data && data.prices.length > 0 && <Prices title="Your explicit prices" prices={data.prices} />}
    </>
  );
}

export function Prices({ title, prices }: { title: string; prices: PriceView[] }) {
  const [text, setText] = useState('');
  const [page, setPage] = useState(0);
  const shown = paginate(search(prices, text, (p) => [p.sku, p.usageType]), page, 25);
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <div className="filters"><label>Search <input type="search" value={text} onChange={(e) => { setText(e.target.value); setPage(0); }} placeholder="sku or type" /></label></div>
      {shown.total === 0 ? <Empty>No prices.</Empty> : (
        <div className="table-wrap">
          <table className="list" tabIndex={0} aria-label={title}>
            <thead><tr><th>Type</th><th>Sku</th><th>Price</th><th>From</th></tr></thead>
            <tbody>
              {shown.items.map((p) => (
                <tr key={p.usageType + p.sku + p.effectiveFrom} data-sku={p.sku}>
                  <td>{p.usageType}</td><td>{p.sku}</td><td>{money(p.microsPerUnit, 6)}/{p.priceUnit}</td><td>{when(p.effectiveFrom)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager {...shown} onPage={setPage} />
    </section>
  );
}
