// Snapshots of volumes: the list (live from the event log), create from a volume, delete, and a new volume from a snapshot.
import { useState, type FormEvent } from 'react';
import { api, ApiError, type Zone } from '../api';
import { useEvents } from '../live';
import { paginate, query, search } from '../lib/paging';
import { ConfirmButton, Empty, ErrorBox, Loading, Pager, StateBadge, useAction, useLoad, when } from '../ui';

export interface Snapshot {
  snapshotId: string; ownerId: string; volumeId: string; volumeSizeGib: number; state: string; stateReason: string | null;
  progress: string | null; description: string | null; startTime: string; tags: Record<string, string>;
}

export function Snapshots({ volumes, onVolumeCreated }: { volumes: { volumeId: string; name?: string }[]; onVolumeCreated: () => void }) {
  const [text, setText] = useState('');
  const [page, setPage] = useState(0);
  const { data, error, loading, reload } = useLoad(async () => {
    const all: Snapshot[] = [];
    let token: string | null = null;
    try {
      do {
        const r: { snapshots: Snapshot[]; nextToken: string | null } = await api('GET', '/snapshots' + query({ limit: 1000, nextToken: token }));
        all.push(...r.snapshots);
        token = r.nextToken;
      } while (token);
    } catch (e) {
      // A server without snapshot routes answers the route itself with 404 (an unknown snapshot is a 400 with its own code).
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
    return all;
  }, []);
  useEvents((e) => {
    if (e.type.startsWith('snapshot.')) reload();
  });
  const shown = paginate(search(data ?? [], text, (s) => [s.snapshotId, s.volumeId, s.description, s.tags.Name]), page, 20);
  if (data === null && !loading && !error) {
    return <section aria-label="Snapshots"><h2>Snapshots</h2><p className="muted">This server does not offer snapshots yet.</p></section>;
  }
  return (
    <section aria-label="Snapshots">
      <h2>Snapshots</h2>
      <CreateSnapshot volumes={volumes} done={reload} />
      <div className="filters">
        <label>Search snapshots <input type="search" value={text} onChange={(e) => { setText(e.target.value); setPage(0); }} placeholder="ID, volume or description" /></label>
      </div>
      <ErrorBox error={error} />
      {loading && !data ? <Loading what="snapshots" /> : !data ? null : shown.total === 0 ? <Empty>{text ? 'No snapshot matches.' : 'No snapshots yet.'}</Empty> : (
        <>
          <div className="table-wrap">
            <table className="list" tabIndex={0} aria-label="Snapshots">
              <thead><tr><th>ID</th><th>State</th><th>Volume</th><th>Size</th><th>Description</th><th>Started</th><th>Actions</th></tr></thead>
              <tbody>{shown.items.map((s) => <SnapshotRow key={s.snapshotId} s={s} done={reload} onVolumeCreated={onVolumeCreated} />)}</tbody>
            </table>
          </div>
          <Pager {...shown} onPage={setPage} />
        </>
      )}
    </section>
  );
}

function CreateSnapshot({ volumes, done }: { volumes: { volumeId: string; name?: string }[]; done: () => void }) {
  const [volumeId, setVolumeId] = useState('');
  const [description, setDescription] = useState('');
  const { failure, busy, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api('POST', '/snapshots', { volumeId, description: description || undefined }))) {
      setDescription('');
      done();
    }
  };
  return (
    <form className="card row" onSubmit={submit} aria-label="Create a snapshot">
      <label>
        Volume to snapshot
        <select required value={volumeId} onChange={(e) => setVolumeId(e.target.value)}>
          <option value="">choose…</option>
          {volumes.map((v) => <option key={v.volumeId} value={v.volumeId}>{v.volumeId}{v.name ? ` (${v.name})` : ''}</option>)}
        </select>
      </label>
      <label>Description (optional) <input value={description} onChange={(e) => setDescription(e.target.value)} /></label>
      <button className="primary" disabled={busy}>Create snapshot</button>
      <ErrorBox error={failure} />
    </form>
  );
}

function SnapshotRow({ s, done, onVolumeCreated }: { s: Snapshot; done: () => void; onVolumeCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const { failure, run } = useAction();
  return (
    <>
      <tr data-snapshot={s.snapshotId}>
        <td>{s.snapshotId}</td>
        <td><StateBadge state={s.state} />{s.state === 'pending' && s.progress ? <div className="muted">{s.progress}</div> : null}{s.stateReason ? <div className="muted">{s.stateReason}</div> : null}</td>
        <td>{s.volumeId}</td>
        <td>{s.volumeSizeGib} GiB</td>
        <td>{s.description ?? ''}</td>
        <td>{when(s.startTime)}</td>
        <td className="row">
          <button aria-expanded={open} disabled={s.state !== 'completed'} onClick={() => setOpen(!open)}>Create volume</button>
          <ConfirmButton label="Delete snapshot" danger question={`Delete ${s.snapshotId}? Volumes made from it keep their data.`}
            onConfirm={() => run(() => api('DELETE', '/snapshots/' + s.snapshotId)).then(done)} />
        </td>
      </tr>
      {(open || failure) && (
        <tr className="panel-row">
          <td colSpan={7}>
            {open && <VolumeFromSnapshot s={s} done={() => { setOpen(false); onVolumeCreated(); }} />}
            <ErrorBox error={failure} />
          </td>
        </tr>
      )}
    </>
  );
}

function VolumeFromSnapshot({ s, done }: { s: Snapshot; done: () => void }) {
  const zones = useLoad(() => api<Zone[]>('GET', '/availability-zones'), []);
  const [size, setSize] = useState(String(s.volumeSizeGib));
  const [type, setType] = useState('gp3');
  const { failure, busy, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await run(() => api('POST', '/volumes', { snapshotId: s.snapshotId, sizeGib: Number(size), volumeType: type, availabilityZone: zones.data?.[0]?.zoneName }));
    if (ok) done();
  };
  return (
    <form className="row" onSubmit={submit} aria-label={'Volume from ' + s.snapshotId}>
      <label>Size (GiB, at least {s.volumeSizeGib}) <input type="number" required value={size} onChange={(e) => setSize(e.target.value)} /></label>
      <label>
        Type
        <select value={type} onChange={(e) => setType(e.target.value)}>{['gp3', 'gp2', 'st1', 'sc1', 'standard'].map((t) => <option key={t}>{t}</option>)}</select>
      </label>
      <button className="primary" disabled={busy}>Create the volume</button>
      <ErrorBox error={failure ?? zones.error} />
    </form>
  );
}
