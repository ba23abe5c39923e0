// The instance page's settings: its type (resize while stopped, with prices), its tags, and its security groups' inbound rules.
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, type Instance, type InstanceType } from '../api';
import { perHour } from '../lib/format';
import { sameGroups, toggleGroup } from '../lib/groups';
import { ConfirmButton, Empty, ErrorBox, Loading, useAction, useLoad } from '../ui';

export function Resize({ instance, done }: { instance: Instance; done: (i: Instance) => void }) {
  const types = useLoad(() => api<InstanceType[]>('GET', '/instance-types'), []);
  const [type, setType] = useState('');
  const { failure, busy, run } = useAction();
  const stopped = instance.state.name === 'stopped';
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const r = await run(() => api<Instance>('POST', `/instances/${instance.instanceId}/modify`, { instanceType: type }));
    if (r) {
      setType('');
      done(r);
    }
  };
  const current = types.data?.find((t) => t.name === instance.instanceType);
  return (
    <form className="card" onSubmit={save} aria-label="Resize">
      <h2>Instance type</h2>
      <p>{instance.instanceType}{current ? ` · ${current.vcpus} vCPU, ${current.memoryMib} MiB, ${perHour(current.priceMicrosPerHour)}` : ''}</p>
      {!stopped && <p className="muted">Stop the instance to change its type.</p>}
      <div className="row">
        <label>
          New type
          <select required value={type} disabled={!stopped} onChange={(e) => setType(e.target.value)}>
            <option value="">choose…</option>
            {(types.data ?? []).map((t) => (
              <option key={t.name} value={t.name} disabled={t.name === instance.instanceType}>
                {t.name} · {t.vcpus} vCPU · {t.memoryMib} MiB · {perHour(t.priceMicrosPerHour)}
              </option>
            ))}
          </select>
        </label>
        <button className="primary" disabled={!stopped || busy || !type}>Resize</button>
      </div>
      <ErrorBox error={failure ?? types.error} />
    </form>
  );
}

export function Tags({ id }: { id: string }) {
  const { data, error, setData } = useLoad(() => api<Record<string, string>>('GET', `/instances/${id}/tags`), [id]);
  const [rows, setRows] = useState<[string, string][] | null>(null);
  const { failure, busy, run } = useAction();
  const editing = rows ?? Object.entries(data ?? {});
  const set = (i: number, k: string, v: string) => setRows(editing.map((r, j) => (j === i ? [k, v] : r)));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const tags = Object.fromEntries(editing.filter(([k]) => k.trim() !== ''));
    const r = await run(() => api<Record<string, string>>('PUT', `/instances/${id}/tags`, { tags }));
    if (r) {
      setData(r);
      setRows(null);
    }
  };
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="tags" />;
  return (
    <form className="card" onSubmit={save} aria-label="Tags">
      <h2>Tags</h2>
      {editing.length === 0 && <p className="muted">No tags.</p>}
      {editing.map(([k, v], i) => (
        <div className="row" key={i}>
          <label>Key {i + 1} <input value={k} onChange={(e) => set(i, e.target.value, v)} /></label>
          <label>Value {i + 1} <input value={v} onChange={(e) => set(i, k, e.target.value)} /></label>
          <button type="button" aria-label={`Remove tag ${k || i + 1}`} onClick={() => setRows(editing.filter((_, j) => j !== i))}>Remove</button>
        </div>
      ))}
      <div className="row">
        <button type="button" onClick={() => setRows([...editing, ['', '']])}>Add tag</button>
        <button className="primary" disabled={busy || rows === null}>Save tags</button>
      </div>
      <ErrorBox error={failure} />
    </form>
  );
}

export interface Rule { protocol: string; fromPort: number | null; toPort: number | null; cidr: string; description: string | null }
export interface Group { groupId: string; groupName: string; description: string; ingress: Rule[] }

const ports = (r: Rule) => (r.protocol === '-1' ? 'all' : r.fromPort === r.toPort ? String(r.fromPort) : `${r.fromPort}–${r.toPort}`);

export function SecurityGroups({ id, terminated }: { id: string; terminated?: boolean }) {
  const { data, error, setData } = useLoad(() => api<Group[]>('GET', `/instances/${id}/security-groups`), [id]);
  const [editing, setEditing] = useState(false);
  const replace = (g: Group) => setData((d) => d?.map((x) => (x.groupId === g.groupId ? g : x)) ?? d);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="security groups" />;
  return (
    <section className="card" aria-label="Security groups">
      <div className="title-row">
        <h2>Security groups</h2>
        {!terminated && (
          <button aria-expanded={editing} aria-controls="edit-groups" onClick={() => setEditing(!editing)}>Edit groups</button>
        )}
      </div>
      {editing && (
        <EditGroups id={id} current={data.map((g) => g.groupId)} close={() => setEditing(false)}
          saved={(gs) => { setData(gs); setEditing(false); }} />
      )}
      {data.length === 0 ? <Empty>No security groups.</Empty> : data.map((g) => <GroupRules key={g.groupId} group={g} changed={replace} />)}
    </section>
  );
}

/**
 * Checkboxes of the account's groups, the instance's own checked; Save replaces the instance's set with the checked ones
 * (PUT /instances/{id}/security-groups). The API decides what is allowed (1 to 5 of the caller's groups) and says why not.
 */
function EditGroups({ id, current, saved, close }: { id: string; current: string[]; saved: (gs: Group[]) => void; close: () => void }) {
  const all = useLoad(() => api<Group[]>('GET', '/security-groups'), []);
  const [chosen, setChosen] = useState(current);
  const { failure, busy, run } = useAction();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const r = await run(() => api<Group[]>('PUT', `/instances/${id}/security-groups`, { securityGroupIds: chosen }));
    if (r) saved(r);
  };
  return (
    <form id="edit-groups" onSubmit={save} aria-label="Edit the instance's security groups"
      onKeyDown={(e) => { if (e.key === 'Escape') close(); }}>
      {all.error ? <ErrorBox error={all.error} /> : !all.data ? <Loading what="the account's security groups" /> : (
        <fieldset>
          <legend>The instance's groups (1 to 5); their rules apply together</legend>
          {all.data.map((g) => (
            <label key={g.groupId} className="check">
              <input type="checkbox" checked={chosen.includes(g.groupId)} onChange={(e) => setChosen(toggleGroup(chosen, g.groupId, e.target.checked))} />
              {g.groupName} ({g.groupId})
            </label>
          ))}
        </fieldset>
      )}
      <div className="row">
        <button className="primary" disabled={busy || sameGroups(chosen, current)}>{busy ? 'Saving…' : 'Save groups'}</button>
        <button type="button" onClick={close}>Cancel</button>
      </div>
      <ErrorBox error={failure} />
    </form>
  );
}

/** One group's inbound rules, each removable, and a form to add one; {@code changed} gets the group as the API returns it. */
export function GroupRules({ group: g, changed, actions }: { group: Group; changed: (g: Group) => void; actions?: ReactNode }) {
  const { failure, run } = useAction();
  const revoke = async (r: Rule) => {
    const out = await run(() => api<Group>('POST', `/security-groups/${g.groupId}/ingress/revoke`, { protocol: r.protocol, fromPort: r.fromPort, toPort: r.toPort, cidr: r.cidr }));
    if (out) changed(out);
  };
  return (
    <div data-group={g.groupId}>
      <div className="title-row"><h3>{g.groupName} <span className="muted">({g.groupId})</span></h3>{actions}</div>
      {g.description && <p className="muted">{g.description}</p>}
      <ErrorBox error={failure} />
      {g.ingress.length === 0 ? <p className="muted">No inbound rules: nothing may connect in.</p> : (
        <div className="table-wrap">
          <table className="list" tabIndex={0} aria-label={'Inbound rules of ' + g.groupName}>
            <thead><tr><th>Protocol</th><th>Ports</th><th>Source</th><th></th></tr></thead>
            <tbody>
              {g.ingress.map((r, i) => (
                <tr key={i}>
                  <td>{r.protocol === '-1' ? 'all' : r.protocol}</td><td>{ports(r)}</td><td>{r.cidr}</td>
                  <td>{!r.cidr.startsWith('group ') && (
                    <ConfirmButton label="Remove rule" question={`Remove the rule ${r.protocol} ${ports(r)} from ${r.cidr}?`} onConfirm={() => revoke(r)} />
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddRule group={g} done={changed} />
    </div>
  );
}

function AddRule({ group, done }: { group: Group; done: (g: Group) => void }) {
  const [protocol, setProtocol] = useState('tcp');
  const [port, setPort] = useState('22');
  const [cidr, setCidr] = useState('0.0.0.0/0');
  const { failure, busy, run } = useAction();
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const [from, to] = port.includes('-') ? port.split('-').map(Number) : [Number(port), Number(port)];
    const body = protocol === '-1' ? { protocol, cidr } : { protocol, fromPort: from, toPort: to, cidr };
    const out = await run(() => api<Group>('POST', `/security-groups/${group.groupId}/ingress`, body));
    if (out) done(out);
  };
  return (
    <form className="row" onSubmit={add} aria-label={'Add a rule to ' + group.groupName}>
      <label>
        Protocol
        <select value={protocol} onChange={(e) => setProtocol(e.target.value)}>
          <option value="tcp">tcp</option><option value="udp">udp</option><option value="icmp">icmp</option><option value="-1">all</option>
        </select>
      </label>
      <label>Port or range <input value={port} disabled={protocol === '-1'} onChange={(e) => setPort(e.target.value)} placeholder="22 or 8000-8100" /></label>
      <label>Source CIDR <input required value={cidr} onChange={(e) => setCidr(e.target.value)} /></label>
      <button disabled={busy}>Add rule</button>
      <ErrorBox error={failure} />
    </form>
  );
}
