// An account's security groups: each with its inbound rules (add, remove), create a group, delete one no instance uses.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { paginate, search } from '../lib/paging';
import { ConfirmButton, Empty, ErrorBox, Loading, Pager, useAction, useLoad } from '../ui';
import { GroupRules, type Group } from './InstanceSettings';

export function SecurityGroupsPage() {
  const { data, error, loading, reload, setData } = useLoad(() => api<Group[]>('GET', '/security-groups'), []);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [text, setText] = useState('');
  const [page, setPage] = useState(0);
  const { failure, busy, run } = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api('POST', '/security-groups', { groupName: name, description }))) {
      setName('');
      setDescription('');
      reload();
    }
  };
  const replace = (g: Group) => setData((d) => d?.map((x) => (x.groupId === g.groupId ? g : x)) ?? d);
  const shown = paginate(search(data ?? [], text, (g) => [g.groupId, g.groupName, g.description, ...g.ingress.map((r) => r.cidr)]), page, 10);
  return (
    <>
      <h1>Security groups</h1>
      <form className="card row" onSubmit={create} aria-label="Create a security group">
        <label>Group name <input required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>Description <input required value={description} onChange={(e) => setDescription(e.target.value)} /></label>
        <button className="primary" disabled={busy}>Create group</button>
      </form>
      <ErrorBox error={failure ?? error} />
      <div className="filters">
        <label>Search <input type="search" value={text} onChange={(e) => { setText(e.target.value); setPage(0); }} placeholder="name, ID or CIDR" /></label>
      </div>
      {loading && !data ? <Loading what="security groups" /> : !data ? null : shown.total === 0 ? <Empty>No group matches.</Empty> : (
        <>
          {shown.items.map((g) => (
            <section className="card" key={g.groupId} aria-label={'Security group ' + g.groupName}>
              <GroupRules group={g} changed={replace} actions={g.groupName === 'default' ? null : (
                <ConfirmButton label="Delete group" danger question={`Delete the security group ${g.groupName}? A group an instance uses cannot be deleted.`}
                  onConfirm={() => run(() => api('DELETE', '/security-groups/' + g.groupId)).then(reload)} />
              )} />
            </section>
          ))}
          <Pager {...shown} onPage={setPage} />
        </>
      )}
    </>
  );
}
