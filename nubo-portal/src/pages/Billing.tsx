// Usage and invoices: this month's draft, the cost per day, every invoice with its downloads, the budget and the quotas.
import { Fragment, useState, type FormEvent } from 'react';
import { api } from '../api';
import { Link } from '../router';
import { quantity } from '../lib/format';
import { paginate, query, search } from '../lib/paging';
import type { UsageGroup } from '../lib/chart';
import { CostChart } from './CostChart';
import { Bar, Empty, ErrorBox, Loading, Pager, StateBadge, useAction, useLoad, when } from '../ui';

export interface InvoiceSummary {
  invoiceId: string; accountId: string; month: string; status: string; currency: string; issuer: string; asOf: string;
  totalMinor: number; total: string; forecastMinor?: number; forecast?: string; lineCount: number;
}
export interface InvoiceLine {
  line: number; usageType: string; resourceId: string; accountId: string; sku: string; quantity: number; unit: string;
  unitPriceMicros: number; priceUnit: string; amountMinor: number; amount: string;
}
export interface Invoice extends InvoiceSummary { lines: InvoiceLine[] }
export interface Quota { resource: string; limit: number | null; used: number }
interface Usage { from: string; to: string; currency: string; usage: UsageGroup[] }

/** Invoices of the caller, or (operators, partners) of another account. */
export function invoices(account?: string) {
  return api<InvoiceSummary[]>('GET', '/billing/invoices' + query({ account }));
}

export function Billing({ accountId }: { accountId: string }) {
  return (
    <>
      <h1>Usage and invoices</h1>
      <section className="cards">
        <Draft />
        <Quotas accountId={accountId} />
      </section>
      <DailyCost />
      <InvoiceList />
      <Budget />
    </>
  );
}

function Draft({ account }: { account?: string }) {
  const { data, error } = useLoad(() => invoices(account), [account]);
  const draft = data?.find((i) => i.status === 'draft');
  return (
    <div className="card" aria-label="This month">
      <h2>This month</h2>
      <ErrorBox error={error} />
      {!data && !error ? <Loading what="the draft invoice" /> : draft ? (
        <>
          <p>Total to date <span className="big" data-testid="draft-total">{draft.total} {draft.currency}</span></p>
          {draft.forecast && <p>Forecast for the month: <strong data-testid="draft-forecast">{draft.forecast} {draft.currency}</strong></p>}
          <p className="muted">Draft {draft.month}, as of {when(draft.asOf)} · <Link to={'/billing/invoices/' + draft.invoiceId}>{draft.lineCount} lines</Link></p>
        </>
      ) : data ? <Empty>No draft invoice yet.</Empty> : null}
    </div>
  );
}

function Quotas({ accountId }: { accountId: string }) {
  const { data, error } = useLoad(() => api<Quota[]>('GET', `/accounts/${accountId}/quotas`), [accountId]);
  return (
    <div className="card" aria-label="Quotas">
      <h2>Quotas</h2>
      <ErrorBox error={error} />
      {!data && !error ? <Loading what="quotas" /> : (data ?? []).map((q) => q.limit == null
        ? <p key={q.resource}>{q.resource}: {q.used} used, no limit</p>
        : <Bar key={q.resource} label={q.resource} used={q.used} total={q.limit} unit="" />)}
    </div>
  );
}

function monthStart(d = new Date()): string {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString().slice(0, 10);
}
function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

export function DailyCost({ account }: { account?: string }) {
  const [from, setFrom] = useState(monthStart());
  const [to, setTo] = useState(tomorrow());
  const { data, error, loading } = useLoad(() => api<Usage>('GET', '/billing/usage' + query({ groupBy: 'day', from, to, account })), [from, to, account]);
  return (
    <section className="card" aria-label="Cost per day">
      <h2>Cost per day</h2>
      <div className="filters">
        <label>From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
        <label>To (exclusive) <input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
      </div>
      <ErrorBox error={error} />
      {loading && !data ? <Loading what="usage" /> : data && <CostChart usage={data.usage} from={data.from} to={data.to} />}
    </section>
  );
}

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function InvoiceDownloads({ id }: { id: string }) {
  const { failure, run } = useAction();
  return (
    <span className="row">
      <a className="button" href={`/api/v1/billing/invoices/${id}/csv`} download={id + '.csv'}>CSV</a>
      <button onClick={() => run(async () => download(id + '.json', 'application/json', JSON.stringify(await api('GET', '/billing/invoices/' + id), null, 2)))}>JSON</button>
      <ErrorBox error={failure} />
    </span>
  );
}

export function InvoiceList({ account }: { account?: string }) {
  const { data, error, loading } = useLoad(() => invoices(account), [account]);
  const [page, setPage] = useState(0);
  const shown = paginate(data ?? [], page, 12);
  return (
    <section aria-label="Invoices">
      <h2>Invoices</h2>
      <ErrorBox error={error} />
      {loading && !data ? <Loading what="invoices" /> : !data ? null : data.length === 0 ? <Empty>No invoices yet.</Empty> : (
        <>
          <div className="table-wrap">
            <table className="list" tabIndex={0} aria-label="Invoices">
              <thead><tr><th>Month</th><th>Status</th><th>Total</th><th>Forecast</th><th>Lines</th><th>Download</th></tr></thead>
              <tbody>
                {shown.items.map((i) => (
                  <tr key={i.invoiceId} data-invoice={i.invoiceId}>
                    <td><Link to={'/billing/invoices/' + i.invoiceId}>{i.month}</Link></td>
                    <td><StateBadge state={i.status} /></td>
                    <td>{i.total} {i.currency}</td>
                    <td>{i.forecast ? `${i.forecast} ${i.currency}` : ''}</td>
                    <td>{i.lineCount}</td>
                    <td><InvoiceDownloads id={i.invoiceId} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager {...shown} onPage={setPage} />
        </>
      )}
    </section>
  );
}

export function InvoicePage({ id }: { id: string }) {
  const { data, error } = useLoad(() => api<Invoice>('GET', '/billing/invoices/' + id), [id]);
  const [text, setText] = useState('');
  const [type, setType] = useState('');
  const [page, setPage] = useState(0);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="the invoice" />;
  const byType = new Map<string, number>();
  data.lines.forEach((l) => byType.set(l.usageType, (byType.get(l.usageType) ?? 0) + l.amountMinor));
  const lines = search(data.lines.filter((l) => !type || l.usageType === type), text, (l) => [l.resourceId, l.sku, l.accountId]);
  const shown = paginate(lines, page, 50);
  const fmt = (minor: number) => (data.currency === 'USD' ? '$' : '') + (minor / 100).toFixed(2) + (data.currency === 'USD' ? '' : ' ' + data.currency);
  return (
    <>
      <p><Link to="/billing">← Usage and invoices</Link></p>
      <div className="title-row">
        <h1>Invoice {data.month}</h1>
        <StateBadge state={data.status} />
        <InvoiceDownloads id={data.invoiceId} />
      </div>
      <dl className="summary">
        <dt>Invoice</dt><dd>{data.invoiceId}</dd>
        <dt>Issuer</dt><dd>{data.issuer}</dd>
        <dt>Total{data.status === 'draft' ? ' to date' : ''}</dt><dd><strong>{data.total} {data.currency}</strong></dd>
        {data.forecast && <><dt>Forecast</dt><dd>{data.forecast} {data.currency}</dd></>}
        <dt>As of</dt><dd>{when(data.asOf)}</dd>
        {[...byType.entries()].map(([t, m]) => <Fragment key={t}><dt>{t}</dt><dd>{fmt(m)}</dd></Fragment>)}
      </dl>
      <div className="filters">
        <label>Search <input type="search" value={text} onChange={(e) => { setText(e.target.value); setPage(0); }} placeholder="resource or sku" /></label>
        <label>
          Type
          <select value={type} onChange={(e) => { setType(e.target.value); setPage(0); }}>
            <option value="">any</option>
            {[...byType.keys()].map((t) => <option key={t}>{t}</option>)}
          </select>
        </label>
      </div>
      {shown.total === 0 ? <Empty>No lines.</Empty> : (
        <div className="table-wrap">
          <table className="list" tabIndex={0} aria-label="Invoice lines">
            <thead><tr><th>#</th><th>Type</th><th>Resource</th><th>Sku</th><th>Quantity</th><th>Unit price</th><th>Amount</th></tr></thead>
            <tbody>
              {shown.items.map((l) => (
                <tr key={l.line}>
                  <td>{l.line}</td><td>{l.usageType}</td><td>{l.resourceId}</td><td>{l.sku}</td><td>{quantity(l.quantity, l.unit)}</td>
                  <td>${(l.unitPriceMicros / 1_000_000).toFixed(6)}/{l.priceUnit}</td><td>{l.amount} {data.currency}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager {...shown} onPage={setPage} />
    </>
  );
}

interface BudgetStatus {
  budget: { amount: string; amountMinor: number; thresholds: number[]; webhookUrl: string | null } | null;
  month: string; currency: string; total: string; totalMinor: number;
  alerts: { threshold: number; crossedAt: string }[];
  webhookCalls: { id: number; state: string; attempts: number; lastError: string | null; createdAt: string }[];
}

function Budget() {
  const { data, error, setData } = useLoad(() => api<BudgetStatus>('GET', '/billing/budget'), []);
  const [amount, setAmount] = useState('');
  const [thresholds, setThresholds] = useState('50, 80, 100');
  const [webhook, setWebhook] = useState('');
  const { failure, busy, run } = useAction();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const list = thresholds.split(/[ ,]+/).filter(Boolean).map(Number);
    const r = await run(() => api<BudgetStatus>('PUT', '/billing/budget', { amount, thresholds: list, webhookUrl: webhook || undefined }));
    if (r) setData(r);
  };
  const remove = async () => {
    if (await run(() => api('DELETE', '/billing/budget'))) setData((d) => (d ? { ...d, budget: null } : d));
  };
  const b = data?.budget;
  return (
    <section className="card" aria-label="Budget">
      <h2>Monthly budget</h2>
      <ErrorBox error={error} />
      {b ? (
        <>
          <Bar label="Budget spent" text={`Spent ${data!.total} of ${b.amount} ${data!.currency} this month`} used={data!.totalMinor} total={b.amountMinor} unit="" />
          <p data-testid="budget-current">Budget {b.amount} {data!.currency}; alerts at {b.thresholds.join('%, ')}%{b.webhookUrl ? `; webhook ${b.webhookUrl}` : ''}.</p>
          {data!.alerts.length > 0 && <p>Crossed: {data!.alerts.map((a) => `${a.threshold}% on ${when(a.crossedAt)}`).join('; ')}</p>}
          {data!.webhookCalls.length > 0 && (
            <ul>{data!.webhookCalls.map((w) => <li key={w.id}>{when(w.createdAt)}: {w.state} after {w.attempts} attempt(s){w.lastError ? ` (${w.lastError})` : ''}</li>)}</ul>
          )}
        </>
      ) : data ? <p className="muted">No budget set. This month so far: {data.total} {data.currency}.</p> : null}
      <form className="row" onSubmit={save} aria-label="Set the budget">
        <label>Amount per month <input required inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} placeholder="250" /></label>
        <label>Alert thresholds (%) <input value={thresholds} onChange={(e) => setThresholds(e.target.value)} /></label>
        <label>Webhook URL (optional) <input type="text" value={webhook} onChange={(e) => setWebhook(e.target.value)} placeholder="https://example.com/hook" /></label>
        <button className="primary" disabled={busy}>Save budget</button>
        {b && <button type="button" onClick={remove} disabled={busy}>Remove budget</button>}
      </form>
      <ErrorBox error={failure} />
    </section>
  );
}
