import { useState } from 'react';
import { api, type KeyPair } from '../api';
import { ConfirmButton, Empty, ErrorBox, Loading, download, useLoad, when } from '../ui';

export function KeyPairs() {
  const { data, error, reload } = useLoad(() => api<KeyPair[]>('GET', '/key-pairs'), []);
  const [name, setName] = useState('');
  const [failure, setFailure] = useState<Error | null>(null);
  const create = async () => {
    setFailure(null);
    try {
      const k = await api<{ keyName: string; keyMaterial: string }>('POST', '/key-pairs', { keyName: name, keyType: 'ed25519' });
      download(k.keyName + '.pem', k.keyMaterial);
      setName('');
      reload();
    } catch (e) {
      setFailure(e as Error);
    }
  };
  return (
    <>
      <h1>Key pairs</h1>
      <div className="row">
        <label>New key pair <input value={name} onChange={(e) => setName(e.target.value)} /></label>
        <button className="primary" disabled={!name} onClick={create}>Create and download</button>
      </div>
      <ErrorBox error={failure ?? error} />
      {!data ? <Loading what="key pairs" /> : data.length === 0 ? <Empty>No key pairs yet.</Empty> : (
        <table className="list" tabIndex={0} aria-label="Key pairs">
          <thead><tr><th>Name</th><th>Type</th><th>Fingerprint</th><th>Created</th><th></th></tr></thead>
          <tbody>
            {data.map((k) => (
              <tr key={k.keyName}>
                <td>{k.keyName}</td><td>{k.keyType}</td><td><code>{k.keyFingerprint}</code></td><td>{when(k.createTime)}</td>
                <td><ConfirmButton label="Delete" danger question={`Delete the key pair ${k.keyName}?`}
                  onConfirm={async () => { await api('DELETE', '/key-pairs/' + encodeURIComponent(k.keyName)); reload(); }} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
