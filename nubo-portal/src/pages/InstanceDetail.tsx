import { useState } from 'react';
import { api, ApiError, type Instance, type NubEvent } from '../api';
import { Link, navigate } from '../router';
import { useEvents } from '../live';
import { ConfirmButton, ErrorBox, Loading, StateBadge, useLoad, when } from '../ui';
import { Resize, SecurityGroups, Tags } from './InstanceSettings';

export function InstanceDetail({ id }: { id: string }) {
  const { data, error, setData } = useLoad(async () => {
    const [instance, events] = await Promise.all([
      api<Instance>('GET', '/instances/' + id),
      api<{ events: NubEvent[] }>('GET', `/instances/${id}/events?limit=1000`),
    ]);
    return { instance, events: events.events };
  }, [id]);
  const [console, setConsole] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  useEvents(async (e) => {
    if (e.resourceId !== id) return;
    const instance = await api<Instance>('GET', '/instances/' + id);
    setData((d) => (d ? { instance, events: d.events.some((x) => x.id === e.id) ? d.events : [...d.events, e] } : d));
  });
  if (error) return <>{error instanceof ApiError && error.code.endsWith('NotFound') ? <h1>No such instance</h1> : null}<ErrorBox error={error} /></>;
  if (!data) return <Loading what="the instance" />;
  const i = data.instance;
  const s = i.state.name;
  const act = (what: string) => async () => {
    setFailure(null);
    try {
      const instance = await api<Instance>('POST', `/instances/${id}/${what}`, {});
      setData((d) => (d ? { ...d, instance } : d));
    } catch (e) {
      setFailure(e as Error);
    }
  };
  const loadConsole = async () => setConsole((await api<{ output: string }>('GET', `/instances/${id}/console`)).output);
  return (
    <>
      <p><Link to="/instances">← Instances</Link></p>
      <div className="title-row">
        <h1>{i.name ? `${i.name} (${i.instanceId})` : i.instanceId}</h1>
        <StateBadge state={s} />
      </div>
      {i.stateReason && <p className="muted">Reason: {i.stateReason}</p>}
      <div className="row actions">
        <button disabled={s !== 'stopped'} onClick={act('start')}>Start</button>
        <ConfirmButton label="Stop" question={`Stop ${i.instanceId}? Its guest is shut down.`} disabled={s !== 'running'} onConfirm={act('stop')} />
        <ConfirmButton label="Reboot" question={`Reboot ${i.instanceId}?`} disabled={s !== 'running'} onConfirm={act('reboot')} />
        <ConfirmButton label="Terminate" danger question={`Terminate ${i.instanceId}? Its disk is deleted; this cannot be undone.`}
          disabled={s === 'terminated' || s === 'shutting-down'} onConfirm={act('terminate')} />
        <button disabled={s !== 'running'} onClick={() => navigate(`/instances/${id}/console`)}>Open console</button>
      </div>
      <ErrorBox error={failure} />
      <section className="cards">
        <div className="card">
          <h2>Details</h2>
          <dl className="summary">
            <dt>Type</dt><dd>{i.instanceType} ({i.vcpus} vCPU, {i.memoryMib} MiB)</dd>
            <dt>Image</dt><dd>{i.imageId}</dd>
            <dt>Root disk</dt><dd>{i.rootDiskGib ? i.rootDiskGib + ' GiB' : "the image's size"}</dd>
            <dt>Key pair</dt><dd>{i.keyName ?? 'none'}</dd>
            <dt>Launched</dt><dd>{when(i.launchTime)}</dd>
            <dt>Task</dt><dd>{i.task}</dd>
          </dl>
        </div>
        <div className="card">
          <h2>SSH</h2>
          {i.ssh ? (
            <pre className="code" aria-label="SSH command">ssh -i {i.keyName ?? 'your-key'}.pem -p {i.ssh.port} root@{i.ssh.host}</pre>
          ) : (
            <p className="muted">Not reachable yet.</p>
          )}
        </div>
      </section>
      <section className="cards">
        <Resize instance={i} done={(instance) => setData((d) => (d ? { ...d, instance } : d))} />
        <Tags id={id} />
      </section>
      <SecurityGroups id={id} terminated={i.state.name === 'terminated'} />
      <h2>History</h2>
      <ol className="timeline" aria-label="State history">
        {data.events.map((e) => (
          <li key={e.id}>
            <time>{when(e.at)}</time> {e.from ? <StateBadge state={e.from} /> : null} {e.from ? '→' : ''} {e.to ? <StateBadge state={e.to} /> : e.type}
            <span className="muted"> {e.cause}</span>
          </li>
        ))}
      </ol>
      <h2>Console log</h2>
      <button onClick={loadConsole}>{console === null ? 'Show the console log' : 'Refresh'}</button>
      {console !== null && <pre className="console-log" aria-label="Console log">{console || '(empty)'}</pre>}
    </>
  );
}
