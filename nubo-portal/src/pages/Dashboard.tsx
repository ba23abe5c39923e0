import { api, perHour, money, type Account, type Instance, type InstanceType, type Session } from '../api';
import { Link } from '../router';
import { useEvents } from '../live';
import { Bar, ErrorBox, Loading, StateBadge, useLoad } from '../ui';
import { invoices, type Quota } from './Billing';

export function Dashboard({ session }: { session: Session }) {
  const { data, error, reload } = useLoad(async () => {
    const [list, types, account, bills, quotas] = await Promise.all([
      api<{ instances: Instance[] }>('GET', '/instances?limit=1000'),
      api<InstanceType[]>('GET', '/instance-types'),
      api<Account>('GET', '/accounts/' + session.user.accountId),
      invoices().catch(() => []),
      api<Quota[]>('GET', `/accounts/${session.user.accountId}/quotas`).catch(() => [] as Quota[]),
    ]);
    return { instances: list.instances, types, account, draft: bills.find((b) => b.status === 'draft'), quotas };
  }, []);
  useEvents((e) => {
    if (e.type.startsWith('instance.')) reload();
  });
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="the dashboard" />;
  const live = data.instances.filter((i) => i.state.name !== 'terminated');
  const byState = new Map<string, number>();
  data.instances.forEach((i) => byState.set(i.state.name, (byState.get(i.state.name) ?? 0) + 1));
  const price = new Map(data.types.map((t) => [t.name, t.priceMicrosPerHour]));
  const running = data.instances.filter((i) => i.state.name === 'running' || i.state.name === 'pending');
  const rate = running.reduce((s, i) => s + (price.get(i.instanceType) ?? 0), 0);
  const now = new Date();
  const monthEnd = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  const hoursLeft = (monthEnd.getTime() - now.getTime()) / 3_600_000;
  return (
    <>
      <h1>Dashboard</h1>
      <section className="cards">
        <div className="card">
          <h2>Instances</h2>
          <ul className="plain">
            {['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'].map((s) => (
              <li key={s}>
                <StateBadge state={s} /> {byState.get(s) ?? 0}
              </li>
            ))}
          </ul>
          <Link to="/instances/new" className="button primary">Launch instances</Link>
        </div>
        <div className="card">
          <h2>Use against quota</h2>
          {data.quotas.length === 0 ? <Bar label="Instances" used={live.length} total={data.account.instanceQuota} unit="" /> : data.quotas.map((q) =>
            q.limit == null ? <p key={q.resource}>{q.resource}: {q.used} (no limit)</p> : <Bar key={q.resource} label={q.resource} used={q.used} total={q.limit} unit="" />)}
          <p className="muted">
            {live.reduce((s, i) => s + i.vcpus, 0)} vCPUs and {live.reduce((s, i) => s + i.memoryMib, 0)} MiB in use.
          </p>
        </div>
        <div className="card">
          <h2>Cost</h2>
          <p>
            Running now: <strong>{perHour(rate)}</strong>
          </p>
          <p>
            Forecast for the rest of this month at this rate: <strong>{money(rate * hoursLeft)}</strong>
          </p>
          {data.draft && (
            <>
              <p>This month to date: <strong data-testid="dashboard-cost">{data.draft.total} {data.draft.currency}</strong></p>
              {data.draft.forecast && <p>Forecast for the month (billing): <strong>{data.draft.forecast} {data.draft.currency}</strong></p>}
            </>
          )}
          <Link to="/billing">Usage and invoices</Link>
        </div>
      </section>
    </>
  );
}
