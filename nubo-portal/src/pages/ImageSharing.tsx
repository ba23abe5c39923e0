// Who may launch one of the caller's images: the accounts it is shared with, and (operator only) whether it is public.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ConfirmButton, ErrorBox, Loading, useAction, useLoad } from '../ui';

interface LaunchPermissions { imageId: string; isPublic: boolean; accountIds: string[] }

/** The sharing panel of an image the caller owns; the API refuses everything else, and its answer is shown as given. */
export function ImageSharing({ imageId, name, operator, changed }: { imageId: string; name: string; operator: boolean; changed: () => void }) {
  const { data, error, setData } = useLoad(() => api<LaunchPermissions>('GET', `/images/${imageId}/launch-permissions`), [imageId]);
  const [account, setAccount] = useState('');
  const { failure, busy, run } = useAction();
  const modify = async (body: { add?: string[]; remove?: string[]; isPublic?: boolean }) => {
    const r = await run(() => api<LaunchPermissions>('POST', `/images/${imageId}/launch-permissions`, body));
    if (r) {
      setData(r);
      changed();
    }
    return r;
  };
  const share = async (e: FormEvent) => {
    e.preventDefault();
    if (await modify({ add: [account.trim()] })) setAccount('');
  };
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="launch permissions" />;
  return (
    <section className="sharing" aria-label={'Sharing of ' + name}>
      {operator && (
        <p className="row">
          <span>{data.isPublic ? 'Public: every account may launch it.' : 'Private: only its owner and the accounts below.'}</span>
          {data.isPublic ? (
            <ConfirmButton label="Make private" question={`Make ${name} private? Other accounts can no longer launch it; their instances keep running.`}
              onConfirm={() => modify({ isPublic: false })} />
          ) : (
            <ConfirmButton label="Publish" question={`Publish ${name}? Every account will be able to launch it.`}
              onConfirm={() => modify({ isPublic: true })} />
          )}
        </p>
      )}
      {data.accountIds.length === 0 ? <p className="muted">Not shared with any account.</p> : (
        <ul aria-label={'Accounts that may launch ' + name}>
          {data.accountIds.map((a) => (
            <li key={a}>{a} <button disabled={busy} onClick={() => modify({ remove: [a] })} aria-label={'Stop sharing with ' + a}>Unshare</button></li>
          ))}
        </ul>
      )}
      <form className="row" onSubmit={share}>
        <label>Share with account <input required value={account} onChange={(e) => setAccount(e.target.value)} placeholder="account ID" /></label>
        <button disabled={busy}>Share</button>
      </form>
      <ErrorBox error={failure} />
    </section>
  );
}
