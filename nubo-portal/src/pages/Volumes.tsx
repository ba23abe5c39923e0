// Volumes: the list (live from the event log), create, attach/detach, grow and delete.
import { useState, type FormEvent } from 'react';
import { api, type Instance, type Volume, type Zone } from '../api';
import { useEvents } from '../live';
import { Link } from '../router';
import { paginate, query, search } from '../lib/paging';
import { ConfirmButton, Empty, ErrorBox, Loading, Pager, StateBadge, useAction, useLoad, when } from '../ui';
import { Snapshots } from './Snapshots';

const TYPES = ['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard'];
const MULTI_ATTACH_TYPES = ['io1', 'io2'];
const PAGE = 20;

export function Volumes() {
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const [page, setPage] = useState(0);
  // The API pages with tokens; the portal reads every page (at most a few hundred volumes) so search spans all of them.
  const { data, error, loading, reload } = useLoad(async () => {
    const all: Volume[] = [];
    let token: string | null = null;
    do {
      const r: { volumes: Volume[]; nextToken: string | null } = await api('GET', '/volumes' + query({ limit: 500, status, nextToken: token }));
      all.push(...r.volumes);
      token = r.nextToken;
    } while (token);
    return all;
  }, [status]);
  useEvents((e) => {
    if (e.type.startsWith('volume.')) reload();
  });
  const found = search(data ?? [], text, (v) => [v.volumeId, v.tags.Name, v.volumeType, ...v.attachments.map((a) => a.instanceId)]);
  const shown = paginate(found, page, PAGE);
  return (
    <>
      <h1>Volumes</h1>
      <CreateVolume done={reload} />
      <div className="filters">
        <label>Search <input type="search" value={text} onChange={(e) => { setText(e.target.value); setPage(0); }} placeholder="ID, name, type or instance" /></label>
        <label>
          State
          <select value={status} onChange={(e) => { setStatus(e.target.value); setPage(0); }}>
            <option value="">any</option>
            {['creating', 'available', 'in-use', 'deleting', 'error'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
      </div>
      <ErrorBox error={error} />
      {loading && !data ? <Loading what="volumes" /> : error && !data ? null : shown.total === 0 ? (
        <Empty>{text || status ? 'No volume matches.' : 'No volumes yet. Create one above.'}</Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table className="list" tabIndex={0} aria-label="Volumes">
              <thead><tr><th>ID</th><th>State</th><th>Size</th><th>Type</th><th>Zone</th><th>Attached to</th><th>Created</th><th>Actions</th></tr></thead>
              <tbody>
                {shown.items.map((v) => <VolumeRow key={v.volumeId} v={v} done={reload} />)}
              </tbody>
            </table>
          </div>
          <Pager {...shown} onPage={setPage} />
        </>
      )}
      <Snapshots volumes={(data ?? []).filter((v) => v.state === 'available' || v.state === 'in-use').map((v) => ({ volumeId: v.volumeId, name: v.tags.Name }))}
        onVolumeCreated={reload} />
    </>
  );
}

function CreateVolume({ done }: { done: () => void }) {
  const zones = useLoad(() => api<Zone[]>('GET', '/availability-zones'), []);
  const [size, setSize] = useState('8');
  const [type, setType] = useState('gp3');
  const [zone, setZone] = useState('');
  const [iops, setIops] = useState('');
  const [multi, setMulti] = useState(false);
  const [name, setName] = useState('');
  const { failure, busy, run } = useAction();
  const canMulti = MULTI_ATTACH_TYPES.includes(type);
  const needsIops = type === 'io1' || type === 'io2';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await run(() => api('POST', '/volumes', {
      sizeGib: Number(size), volumeType: type, availabilityZone: zone || zones.data?.[0]?.zoneName,
      iops: iops ? Number(iops) : undefined, multiAttach: canMulti && multi ? true : undefined,
      tags: name ? { Name: name } : undefined,
    }));
    if (ok) {
      setName('');
      done();
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Create a volume">
      <h2>Create a volume</h2>
      <div className="row">
        <label>Size (GiB) <input type="number" min={1} required value={size} onChange={(e) => setSize(e.target.value)} /></label>
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value)}>{TYPES.map((t) => <option key={t}>{t}</option>)}</select>
        </label>
        <label>
          Zone
          <select value={zone} onChange={(e) => setZone(e.target.value)}>
            {(zones.data ?? []).map((z) => <option key={z.zoneName} value={z.zoneName}>{z.zoneName}</option>)}
          </select>
        </label>
        {(needsIops || type === 'gp3') && (
          <label>IOPS{needsIops ? '' : ' (optional)'} <input type="number" min={100} required={needsIops} value={iops} onChange={(e) => setIops(e.target.value)} /></label>
        )}
        <label className="check"><input type="checkbox" checked={canMulti && multi} disabled={!canMulti} onChange={(e) => setMulti(e.target.checked)} /> Multi-attach (io1, io2)</label>
        <label>Name (optional) <input value={name} onChange={(e) => setName(e.target.value)} /></label>
        <button className="primary" disabled={busy}>Create volume</button>
      </div>
      <ErrorBox error={failure ?? zones.error} />
    </form>
  );
}

function VolumeRow({ v, done }: { v: Volume; done: () => void }) {
  const [panel, setPanel] = useState<'' | 'attach' | 'detach' | 'grow'>('');
  const { failure, run } = useAction();
  const live = v.attachments.filter((a) => a.state !== 'detached');
  // A root volume goes with its instance: it is neither detached nor grown on its own (the server refuses both).
  const isRoot = live.some((a) => a.device === '/dev/vda');
  const toggle = (p: typeof panel) => setPanel(panel === p ? '' : p);
  const finish = () => {
    setPanel('');
    done();
  };
  return (
    <>
      <tr data-volume={v.volumeId}>
        <td>{v.volumeId}{v.tags.Name ? <div className="muted">{v.tags.Name}</div> : null}{v.snapshotId ? <div className="muted">from {v.snapshotId}</div> : null}</td>
        <td>
          <StateBadge state={v.state} />
          {v.modification && v.modification.state !== 'completed' && (
            <div className="muted">{v.modification.state}: {v.modification.originalSizeGib} → {v.modification.targetSizeGib} GiB</div>
          )}
          {v.stateReason && <div className="muted">{v.stateReason}</div>}
        </td>
        <td>{v.sizeGib} GiB</td>
        <td>{v.volumeType}{v.iops ? ` (${v.iops} IOPS)` : ''}{v.multiAttach ? ', multi-attach' : ''}</td>
        <td>{v.availabilityZone}</td>
        <td>
          {live.length === 0 ? <span className="muted">none</span> : live.map((a) => (
            <div key={a.instanceId}><Link to={'/instances/' + a.instanceId}>{a.instanceId}</Link> {a.device}{isRoot ? ' (root)' : ''} <StateBadge state={a.state} /></div>
          ))}
        </td>
        <td>{when(v.createTime)}</td>
        <td className="row">
          <button aria-expanded={panel === 'attach'} disabled={v.state !== 'available' && !(v.multiAttach && v.state === 'in-use')}
            onClick={() => toggle('attach')}>Attach</button>
          <button aria-expanded={panel === 'detach'} disabled={live.length === 0 || isRoot} onClick={() => toggle('detach')}>Detach</button>
          <button aria-expanded={panel === 'grow'} disabled={isRoot || (v.state !== 'available' && v.state !== 'in-use')} onClick={() => toggle('grow')}>Grow</button>
          <ConfirmButton label="Delete" danger disabled={v.state !== 'available' && v.state !== 'error'}
            question={`Delete ${v.volumeId}? Its data is gone for good.`}
            onConfirm={() => run(() => api('DELETE', '/volumes/' + v.volumeId)).then(done)} />
        </td>
      </tr>
      {(panel || failure) && (
        <tr className="panel-row">
          <td colSpan={8}>
            {panel === 'attach' && <AttachForm v={v} done={finish} />}
            {panel === 'detach' && <DetachForm v={v} done={finish} />}
            {panel === 'grow' && <GrowForm v={v} done={finish} />}
            <ErrorBox error={failure} />
          </td>
        </tr>
      )}
    </>
  );
}

function AttachForm({ v, done }: { v: Volume; done: () => void }) {
  const instances = useLoad(() => api<{ instances: Instance[] }>('GET', '/instances?limit=1000&state=running&state=stopped').then((r) => r.instances), []);
  const [instanceId, setInstanceId] = useState('');
  const [device, setDevice] = useState('/dev/sdf');
  const { failure, busy, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api('POST', `/volumes/${v.volumeId}/attach`, { instanceId, device }))) done();
  };
  return (
    <form className="row" onSubmit={submit} aria-label={'Attach ' + v.volumeId}>
      <label>
        Instance
        <select required value={instanceId} onChange={(e) => setInstanceId(e.target.value)}>
          <option value="">choose…</option>
          {(instances.data ?? []).map((i) => <option key={i.instanceId} value={i.instanceId}>{i.instanceId}{i.name ? ` (${i.name})` : ''} · {i.state.name}</option>)}
        </select>
      </label>
      <label>Device <input required value={device} onChange={(e) => setDevice(e.target.value)} pattern="/dev/(sd|xvd)[f-p][1-6]?" title="/dev/sdf to /dev/sdp" /></label>
      <button className="primary" disabled={busy}>Attach volume</button>
      {instances.loading && <Loading what="instances" />}
      <ErrorBox error={failure ?? instances.error} />
    </form>
  );
}

function DetachForm({ v, done }: { v: Volume; done: () => void }) {
  const live = v.attachments.filter((a) => a.state !== 'detached');
  const [instanceId, setInstanceId] = useState(live[0]?.instanceId ?? '');
  const [force, setForce] = useState(false);
  const { failure, busy, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api('POST', `/volumes/${v.volumeId}/detach`, { instanceId, force }))) done();
  };
  return (
    <form className="row" onSubmit={submit} aria-label={'Detach ' + v.volumeId}>
      <label>
        From
        <select value={instanceId} onChange={(e) => setInstanceId(e.target.value)}>
          {live.map((a) => <option key={a.instanceId} value={a.instanceId}>{a.instanceId} ({a.device})</option>)}
        </select>
      </label>
      <label className="check"><input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force (do not wait for the guest; it may lose unwritten data)</label>
      <button className="primary" disabled={busy}>Detach volume</button>
      <ErrorBox error={failure} />
    </form>
  );
}

function GrowForm({ v, done }: { v: Volume; done: () => void }) {
  const [size, setSize] = useState(String(v.sizeGib + 1));
  const { failure, busy, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api('POST', `/volumes/${v.volumeId}/modify`, { sizeGib: Number(size) }))) done();
  };
  return (
    <form className="row" onSubmit={submit} aria-label={'Grow ' + v.volumeId}>
      <label>New size (GiB) <input type="number" required value={size} onChange={(e) => setSize(e.target.value)} /></label>
      <span className="muted">Volumes only grow; an attached volume grows online.</span>
      <button className="primary" disabled={busy}>Grow volume</button>
      <ErrorBox error={failure} />
    </form>
  );
}
