import { useState, type FormEvent } from 'react';
import { api, ApiError, type Session } from '../api';
import { ErrorBox } from '../ui';

export function Login({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      onSignedIn(await api<Session>('POST', '/portal/session', { email, password }));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? new ApiError(401, err.code, 'The e-mail or password is not correct') : (err as Error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <h1>Sign in to Nubo</h1>
      <form onSubmit={submit}>
        <label>
          E-mail
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <ErrorBox error={error} />
        <button className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
