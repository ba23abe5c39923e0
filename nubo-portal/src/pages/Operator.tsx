// The operator's pages: hosts and their capacity, accounts, every instance, the event log.
import { Fragment, useState, type FormEvent } from 'react';
import { api, type Account, type Host, type Instance, type NubEvent } from '../api';
import { Link } from '../router';
import { useEvents } from '../live';
import { Bar, ConfirmButton, Empty, ErrorBox, Loading, Pager, StateBadge, useAction, useLoad, when } from '../ui';
import { paginate, search } from '../lib/paging';
import type { Quota } from './Billing';
import { DrainReportView, MigrateButton } from './Migration';

export function Hosts() {
  const { data, error, reload } = useLoad(async () => {
    const [hosts, all] = await Promise.all([api<Host[]>('GET', '/hosts'), api<{ instances: Instance[] }>('GET', '/operator/instances')]);
    return { hosts, instances: all.instances };
  }, []);
  // An operator's stream carries the hosts' events too (a drain ending in maintenance, a host joining or going down).
  useEvents((e) => {
    if (e.type.startsWith('instance.') || e.type.startsWith('host.')) reload();
  });
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="hosts" />;
  return (
    <>
      <h1>Hosts</h1>
      {data.hosts.length === 0 ? <Empty>No hosts have registered.</Empty> : data.hosts.map((h) => {
        const vms = data.instances.filter((i) => i.hostId === h.hostId && i.state.name !== 'terminated');
        return (
          <section className="card host" key={h.hostId} aria-label={'Host ' + h.name}>
            <h2>{h.name} <StateBadge state={h.state} /></h2>
            <p className="muted">{h.hostId} · {h.driver} · {h.accelerator} · zone {h.zone} · heartbeat {when(h.lastHeartbeat)}</p>
            <Bar label="vCPUs allocated" used={h.allocated.vcpus} total={Math.floor(h.capacity.vcpus * h.cpuRatio)} unit={`(${h.capacity.vcpus} physical × ${h.cpuRatio} overcommit)`} />
            <Bar label="Memory allocated" used={h.allocated.memoryMib} total={Math.floor(h.capacity.memoryMib * h.memoryRatio)} unit="MiB" />
            <p>{vms.length} VMs: {vms.map((v) => v.instanceId).join(', ') || 'none'}</p>
            <HostActions host={h} done={reload} />
            {(h.state === 'draining' || h.state === 'maintenance') && <DrainReportView hostId={h.hostId} hostState={h.state} hosts={data.hosts} />}
          </section>
        );
      })}
      <JoinToken />
      <h2>All instances</h2>
      <table className="list" tabIndex={0} aria-label="All instances">
        <thead><tr><th>ID</th><th>Account</th><th>State</th><th>Type</th><th>Host</th><th></th></tr></thead>
        <tbody>
          {data.instances.map((i) => (
            <tr key={i.instanceId} data-instance={i.instanceId}>
              <td>{i.instanceId}</td><td>{i.ownerId}</td><td><StateBadge state={i.state.name} /></td><td>{i.instanceType}</td>
              <td>{data.hosts.find((h) => h.hostId === i.hostId)?.name ?? i.hostId}</td>
              <td>{i.state.name === 'running' && <MigrateButton instance={i} hosts={data.hosts} done={reload} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

// Take a host out of service or put it back. A drain stops new placements and live-migrates its VMs away.
function HostActions({ host, done }: { host: Host; done: () => void }) {
  const [failure, setFailure] = useState<Error | null>(null);
  const act = async (verb: string) => {
    setFailure(null);
    try {
      await api('POST', `/hosts/${host.hostId}/${verb}`, {});
      done();
    } catch (err) {
      setFailure(err as Error);
    }
  };
  const outOfService = host.state === 'disabled' || host.state === 'maintenance' || host.state === 'draining';
  return (
    <div className="row">
      {outOfService ? (
        <button onClick={() => act('enable')}>Enable</button>
      ) : (
        <>
          <ConfirmButton label="Disable" question={`Disable ${host.name}? No new VMs will go there; its VMs keep running.`}
            onConfirm={() => act('disable')} />
          <ConfirmButton label="Drain" question={`Drain ${host.name}? No new VMs will go there, and its running VMs are live-migrated to other hosts.`}
            onConfirm={() => act('drain')} />
        </>
      )}
      <ErrorBox error={failure} />
    </div>
  );
}

// A join token for a new host, with the command to run there. Its secret is shown once.
function JoinToken() {
  const [token, setToken] = useState<{ id: string; token: string; expiresAt: string } | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const create = async () => {
    setFailure(null);
    try {
      setToken(await api('POST', '/host-join-tokens', { ttlSeconds: 86400 }));
    } catch (err) {
      setFailure(err as Error);
    }
  };
  return (
    <section className="card" aria-label="Add a host">
      <h2>Add a host</h2>
      <p className="muted">A join token lets one or more machines join as hosts for a day. It is shown once.</p>
      <button onClick={create}>Create a join token</button>
      <ErrorBox error={failure} />
      {token && (
        <pre className="code" aria-label="Join command">
          {`./nubo agent --server ${window.location.origin} --join-token ${token.token} --name <host-name>`}
          {`\n# token ${token.id}, valid until ${when(token.expiresAt)}`}
        </pre>
      )}
    </section>
  );
}

export function Accounts() {
  const { data, error, reload } = useLoad(() => api<Account[]>('GET', '/accounts'), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const [quotasOf, setQuotasOf] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [page, setPage] = useState(0);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    try {
      const r = await api<{ account: Account; accessKey: { accessKeyId: string; secretAccessKey: string } }>('POST', '/accounts', { name });
      setCreated(`${r.account.accountId}: access key ${r.accessKey.accessKeyId} / ${r.accessKey.secretAccessKey} (shown once)`);
      setName('');
      reload();
    } catch (err) {
      setFailure(err as Error);
    }
  };
  return (
    <>
      <h1>Accounts</h1>
      <form className="row" onSubmit={create}>
        <label>New account <input required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <button className="primary">Create</button>
      </form>
      {created && <pre className="code">{created}</pre>}
      <ErrorBox error={failure ?? error} />
      <div className="filters">
        <label>Search <input type="search" value={text} onChange={(e) => { setText(e.target.value); setPage(0); }} placeholder="ID, name or role" /></label>
      </div>
      {!data ? (error ? null : <Loading what="accounts" />) : (
        <>
        <div className="table-wrap">
        <table className="list" tabIndex={0} aria-label="Accounts">
          <thead><tr><th>ID</th><th>Name</th><th>Role</th><th>Status</th><th>Instance quota</th><th></th></tr></thead>
          <tbody>
            {paginate(search(data, text, (a) => [a.accountId, a.name, a.role, a.partnerId]), page, 25).items.map((a) => (
              <Fragment key={a.accountId}>
              <tr data-account={a.accountId}>
                <td>{a.accountId}</td><td>{a.name}{a.partnerId ? <div className="muted">customer of {a.partnerId}</div> : null}</td><td>{a.role}</td><td>{a.enabled ? 'enabled' : 'disabled'}</td><td>{a.instanceQuota}</td>
                <td className="row">
                  <Link to={`/admin/accounts/${a.accountId}/users`}>Users</Link>
                  <button aria-expanded={quotasOf === a.accountId} onClick={() => setQuotasOf(quotasOf === a.accountId ? null : a.accountId)}>Quotas</button>
                  {a.role === 'member' && (
                    <ConfirmButton label="Make partner" question={`Make ${a.name} a partner? It may then create and bill its own customers.`}
                      onConfirm={async () => { await api('POST', `/accounts/${a.accountId}/partner`, {}); reload(); }} />
                  )}
                  {a.enabled ? (
                    <ConfirmButton label="Disable" danger question={`Disable ${a.name}? Its keys and sessions stop working.`} disabled={a.role === 'admin'}
                      onConfirm={async () => { await api('POST', `/accounts/${a.accountId}/disable`, {}); reload(); }} />
                  ) : (
                    <button onClick={async () => { await api('POST', `/accounts/${a.accountId}/enable`, {}); reload(); }}>Enable</button>
                  )}
                </td>
              </tr>
              {quotasOf === a.accountId && <tr className="panel-row"><td colSpan={6}><QuotaEditor accountId={a.accountId} /></td></tr>}
              </Fragment>
            ))}
          </tbody>
        </table>
        </div>
        <Pager {...paginate(search(data, text, (a) => [a.accountId, a.name, a.role, a.partnerId]), page, 25)} onPage={setPage} />
        </>
      )}
    </>
  );
}

/** An account's quotas, used against limit, with a form to change the limits (the API allows below current use). */
function QuotaEditor({ accountId }: { accountId: string }) {
  const { data, error, setData } = useLoad(() => api<Quota[]>('GET', `/accounts/${accountId}/quotas`), [accountId]);
  const [values, setValues] = useState<Record<string, string>>({});
  const { failure, busy, run } = useAction();
  const names: Record<string, string> = { instances: 'instances', vcpus: 'vcpus', 'memory-mib': 'memoryMib', memoryMib: 'memoryMib' };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, number> = {};
    for (const [k, v] of Object.entries(values)) if (v !== '') body[names[k] ?? k] = Number(v);
    const r = await run(() => api<Quota[]>('PUT', `/accounts/${accountId}/quotas`, body));
    if (r) {
      setData(r);
      setValues({});
    }
  };
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="quotas" />;
  return (
    <form className="row" onSubmit={save} aria-label={'Quotas of ' + accountId}>
      {data.map((q) => (
        <label key={q.resource}>
          {q.resource} (uses {q.used}, limit {q.limit ?? 'none'})
          <input type="number" value={values[q.resource] ?? ''} placeholder={String(q.limit ?? '')} onChange={(e) => setValues({ ...values, [q.resource]: e.target.value })} />
        </label>
      ))}
      <button className="primary" disabled={busy}>Save quotas</button>
      <ErrorBox error={failure} />
    </form>
  );
}

export function AllEvents() {
  const [account, setAccount] = useState('');
  const [type, setType] = useState('');
  const { data, error, setData } = useLoad(
    () => api<{ events: NubEvent[] }>('GET', '/operator/events?limit=1000' + (account ? '&account=' + encodeURIComponent(account) : '')).then((r) => r.events.reverse()),
    [account],
  );
  useEvents((e) => {
    if (!account || e.accountId === account) setData((d) => (d ? [e, ...d] : d));
  });
  const shown = (data ?? []).filter((e) => !type || e.type.includes(type));
  return (
    <>
      <h1>Events</h1>
      <div className="filters">
        <label>Account <input value={account} onChange={(e) => setAccount(e.target.value)} placeholder="account ID" /></label>
        <label>Type contains <input value={type} onChange={(e) => setType(e.target.value)} placeholder="instance.state" /></label>
      </div>
      <ErrorBox error={error} />
      {!data ? <Loading what="events" /> : shown.length === 0 ? <Empty>No events.</Empty> : (
        <table className="list" tabIndex={0} aria-label="Events">
          <thead><tr><th>#</th><th>At</th><th>Account</th><th>Resource</th><th>Type</th><th>Change</th><th>Cause</th></tr></thead>
          <tbody>
            {shown.slice(0, 500).map((e) => (
              <tr key={e.id}><td>{e.id}</td><td>{when(e.at)}</td><td>{e.accountId}</td><td>{e.resourceId}</td><td>{e.type}</td><td>{e.from ?? ''} → {e.to ?? ''}</td><td>{e.cause}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
