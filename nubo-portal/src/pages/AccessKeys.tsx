import { useState } from 'react';
import { api, type AccessKey, type Session } from '../api';
import { ConfirmButton, Empty, ErrorBox, Loading, useLoad, when } from '../ui';

export function AccessKeys({ session }: { session: Session }) {
  const account = session.user.accountId;
  const { data, error, reload } = useLoad(() => api<AccessKey[]>('GET', `/accounts/${account}/access-keys`), [account]);
  const [fresh, setFresh] = useState<{ accessKeyId: string; secretAccessKey: string } | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const endpoint = location.origin;
  const create = async () => {
    setFailure(null);
    try {
      setFresh(await api('POST', `/accounts/${account}/access-keys`, {}));
      reload();
    } catch (e) {
      setFailure(e as Error);
    }
  };
  return (
    <>
      <h1>Access keys</h1>
      <p>For the <code>nubo</code> CLI, the AWS CLI and SDKs, and Terraform. Endpoint: <code>{endpoint}</code>, region <code>nubo-1</code>.</p>
      <button className="primary" onClick={create}>Create an access key</button>
      <ErrorBox error={failure ?? error} />
      {fresh && (
        <div className="card" role="region" aria-label="New access key">
          <p><strong>Copy the secret now: it is shown only once.</strong></p>
          <pre className="code" aria-label="aws configure snippet">{`aws configure set aws_access_key_id ${fresh.accessKeyId} --profile nubo
aws configure set aws_secret_access_key ${fresh.secretAccessKey} --profile nubo
aws configure set region nubo-1 --profile nubo
aws ec2 describe-instances --profile nubo --endpoint-url ${endpoint}`}</pre>
        </div>
      )}
      {!data ? <Loading what="access keys" /> : data.length === 0 ? <Empty>No access keys.</Empty> : (
        <table className="list" tabIndex={0} aria-label="Access keys">
          <thead><tr><th>Access key ID</th><th>Status</th><th>Created</th><th></th></tr></thead>
          <tbody>
            {data.map((k) => (
              <tr key={k.accessKeyId}>
                <td><code>{k.accessKeyId}</code></td><td>{k.status}</td><td>{when(k.createdAt)}</td>
                <td>{k.status === 'active' && <ConfirmButton label="Revoke" danger question={`Revoke ${k.accessKeyId}? Tools using it stop working at once.`}
                  onConfirm={async () => { await api('POST', `/access-keys/${k.accessKeyId}/revoke`, {}); reload(); }} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
