import { useState, type FormEvent } from 'react';
import { api, type User } from '../api';
import { Empty, ErrorBox, Loading, useLoad, when } from '../ui';

export function Users({ accountId }: { accountId: string }) {
  const { data, error, reload } = useLoad(() => api<User[]>('GET', `/accounts/${accountId}/users`), [accountId]);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('member');
  const [failure, setFailure] = useState<Error | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    try {
      await api('POST', `/accounts/${accountId}/users`, { email, password, role });
      setEmail('');
      setPassword('');
      reload();
    } catch (err) {
      setFailure(err as Error);
    }
  };
  const toggle = async (u: User) => {
    setFailure(null);
    try {
      await api('POST', `/users/${u.userId}/${u.enabled ? 'disable' : 'enable'}`, {});
      reload();
    } catch (err) {
      setFailure(err as Error);
    }
  };
  return (
    <>
      <h1>Users of account {accountId}</h1>
      <form className="row" onSubmit={create}>
        <label>E-mail <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
        <label>Initial password <input type="password" required minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        <label>Role
          <select value={role} onChange={(e) => setRole(e.target.value)}><option>member</option><option>admin</option></select>
        </label>
        <button className="primary">Add user</button>
      </form>
      <ErrorBox error={failure ?? error} />
      {!data ? <Loading what="users" /> : data.length === 0 ? <Empty>No users.</Empty> : (
        <table className="list" tabIndex={0} aria-label="Users">
          <thead><tr><th>E-mail</th><th>Role</th><th>Status</th><th>Created</th><th></th></tr></thead>
          <tbody>
            {data.map((u) => (
              <tr key={u.userId}>
                <td>{u.email}</td><td>{u.role}</td><td>{u.enabled ? 'enabled' : 'disabled'}</td><td>{when(u.createdAt)}</td>
                <td><button onClick={() => toggle(u)}>{u.enabled ? 'Disable' : 'Enable'}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
