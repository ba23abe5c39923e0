import { useState } from 'react';
import { api, type Instance } from '../api';
import { Link, navigate } from '../router';
import { useEvents } from '../live';
import { Empty, ErrorBox, Loading, StateBadge, useLoad, when } from '../ui';

const PAGE = 25;

export function InstanceList() {
  const [tokens, setTokens] = useState<(string | null)[]>([null]);
  const [state, setState] = useState('');
  const [search, setSearch] = useState('');
  const token = tokens[tokens.length - 1];
  const { data, error, loading, setData } = useLoad(
    () => api<{ instances: Instance[]; nextToken: string | null }>('GET', `/instances?limit=${PAGE}` + (state ? `&state=${state}` : '') + (token ? `&nextToken=${encodeURIComponent(token)}` : '')),
    [state, token],
  );
  // Live: an instance's event fetches that instance again and updates its row; a new one is added at the top.
  useEvents(async (e) => {
    if (!e.type.startsWith('instance.') || !data) return;
    try {
      const fresh = await api<Instance>('GET', '/instances/' + e.resourceId);
      setData((d) => {
        if (!d) return d;
        const known = d.instances.some((i) => i.instanceId === fresh.instanceId);
        const instances = known ? d.instances.map((i) => (i.instanceId === fresh.instanceId ? fresh : i)) : tokens.length === 1 && !state ? [fresh, ...d.instances] : d.instances;
        return { ...d, instances };
      });
    } catch {
      /* gone or not ours */
    }
  });
  const shown = (data?.instances ?? []).filter(
    (i) => !search || i.instanceId.includes(search) || (i.name ?? '').toLowerCase().includes(search.toLowerCase()),
  );
  return (
    <>
      <div className="title-row">
        <h1>Instances</h1>
        <button className="primary" onClick={() => navigate('/instances/new')}>Launch instances</button>
      </div>
      <div className="filters">
        <label>
          Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="ID or name" />
        </label>
        <label>
          State
          <select value={state} onChange={(e) => { setState(e.target.value); setTokens([null]); }}>
            <option value="">any</option>
            {['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
      </div>
      <ErrorBox error={error} />
      {loading && !data ? (
        <Loading what="instances" />
      ) : shown.length === 0 ? (
        <Empty>No instances here. <Link to="/instances/new">Launch one</Link>.</Empty>
      ) : (
        <table className="list" tabIndex={0} aria-label="Instances">
          <thead>
            <tr><th>ID</th><th>Name</th><th>State</th><th>Type</th><th>SSH</th><th>Launched</th></tr>
          </thead>
          <tbody>
            {shown.map((i) => (
              <tr key={i.instanceId} data-instance={i.instanceId}>
                <td><Link to={'/instances/' + i.instanceId}>{i.instanceId}</Link></td>
                <td>{i.name ?? ''}</td>
                <td><StateBadge state={i.state.name} /></td>
                <td>{i.instanceType}</td>
                <td>{i.ssh ? `${i.ssh.host}:${i.ssh.port}` : ''}</td>
                <td>{when(i.launchTime)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>Previous</button>
        <button disabled={!data?.nextToken} onClick={() => data?.nextToken && setTokens([...tokens, data.nextToken])}>Next</button>
      </div>
    </>
  );
}
