import { useState } from 'react';
import { api, money, perHour, type Image, type InstanceType, type KeyPair } from '../api';
import { navigate } from '../router';
import { ErrorBox, Loading, download, useLoad } from '../ui';
import { MAX_ROOT_GIB, minRootGib, rootGibValid } from '../lib/disk';
import type { Group } from './InstanceSettings';

const STEPS = ['Image', 'Type', 'Key pair', 'Security groups', 'Details', 'Review'];

export function LaunchWizard() {
  const { data, error } = useLoad(async () => {
    const [images, types, keys, groups] = await Promise.all([
      api<Image[]>('GET', '/images'),
      api<InstanceType[]>('GET', '/instance-types'),
      api<KeyPair[]>('GET', '/key-pairs'),
      api<Group[]>('GET', '/security-groups'),
    ]);
    return { images, types, keys, groups };
  }, []);
  const [step, setStep] = useState(0);
  const [imageId, setImageId] = useState('');
  const [type, setType] = useState('');
  const [keyName, setKeyName] = useState('');
  const [newKey, setNewKey] = useState('');
  const [keys, setKeys] = useState<KeyPair[] | null>(null);
  const [name, setName] = useState('');
  const [userData, setUserData] = useState('');
  const [count, setCount] = useState(1);
  // Empty: the image's own size.
  const [rootGib, setRootGib] = useState('');
  // Chosen group IDs; none chosen means the account's default group, as the API does.
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="the catalogue" />;
  const keyList = keys ?? data.keys;
  const chosenType = data.types.find((t) => t.name === type);
  const chosenImage = data.images.find((i) => i.imageId === imageId);
  const imageGib = minRootGib(chosenImage?.virtualSizeBytes);
  const rootValid = rootGibValid(rootGib, imageGib);
  const canNext = [imageId !== '', type !== '', true, true, count >= 1 && count <= 100 && rootValid, true][step];
  const chosenGroups = data.groups.filter((g) => groupIds.includes(g.groupId));
  const toggleGroup = (id: string) => setGroupIds(groupIds.includes(id) ? groupIds.filter((g) => g !== id) : [...groupIds, id]);

  const createKey = async () => {
    setFailure(null);
    try {
      const k = await api<{ keyName: string; keyMaterial: string }>('POST', '/key-pairs', { keyName: newKey, keyType: 'ed25519' });
      download(k.keyName + '.pem', k.keyMaterial);
      setKeys(await api<KeyPair[]>('GET', '/key-pairs'));
      setKeyName(k.keyName);
      setNewKey('');
    } catch (e) {
      setFailure(e as Error);
    }
  };
  const launch = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const body: Record<string, unknown> = { imageId, instanceType: type, count };
      if (keyName) body.keyName = keyName;
      if (groupIds.length > 0) body.securityGroupIds = groupIds;
      if (name) body.name = name;
      if (userData) body.userData = btoa(unescape(encodeURIComponent(userData)));
      if (rootGib.trim() !== '') body.rootDiskGib = Number(rootGib);
      const r = await api<{ instances: { instanceId: string }[] }>('POST', '/instances', body);
      navigate(r.instances.length === 1 ? '/instances/' + r.instances[0].instanceId : '/instances');
    } catch (e) {
      setFailure(e as Error);
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Launch instances</h1>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? 'step' : undefined} className={i === step ? 'current' : i < step ? 'done' : ''}>{s}</li>
        ))}
      </ol>
      <section className="step" aria-label={STEPS[step]}>
        {step === 0 && (
          <fieldset>
            <legend>Choose an image</legend>
            {data.images.map((im) => (
              <label key={im.imageId} className="choice">
                <input type="radio" name="image" value={im.imageId} checked={imageId === im.imageId} onChange={() => setImageId(im.imageId)} />
                <strong>{im.name}</strong> <span className="muted">{im.imageId} · {im.format} · {im.architecture}</span>
                <div className="muted">{im.description}</div>
              </label>
            ))}
          </fieldset>
        )}
        {step === 1 && (
          <fieldset>
            <legend>Choose an instance type</legend>
            <table className="list">
              <thead><tr><th></th><th>Type</th><th>vCPUs</th><th>Memory</th><th>Price</th></tr></thead>
              <tbody>
                {data.types.map((t) => (
                  <tr key={t.name}>
                    <td><input type="radio" name="type" aria-label={t.name} checked={type === t.name} onChange={() => setType(t.name)} /></td>
                    <td>{t.name}</td><td>{t.vcpus}</td><td>{t.memoryMib} MiB</td><td>{perHour(t.priceMicrosPerHour)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </fieldset>
        )}
        {step === 2 && (
          <fieldset>
            <legend>Key pair for SSH</legend>
            <label>
              Key pair
              <select value={keyName} onChange={(e) => setKeyName(e.target.value)}>
                <option value="">none</option>
                {keyList.map((k) => <option key={k.keyName} value={k.keyName}>{k.keyName}</option>)}
              </select>
            </label>
            <div className="row">
              <label>
                New key pair name <input value={newKey} onChange={(e) => setNewKey(e.target.value)} />
              </label>
              <button onClick={createKey} disabled={!newKey}>Create and download</button>
            </div>
            <p className="muted">The private key is downloaded once, now; Nubo does not keep it.</p>
          </fieldset>
        )}
        {step === 3 && (
          <fieldset>
            <legend>Security groups (inbound firewall rules)</legend>
            {data.groups.length === 0 && <p className="muted">The account has no security groups yet.</p>}
            {data.groups.map((g) => (
              <label key={g.groupId} className="choice">
                <input type="checkbox" name="group" value={g.groupId} checked={groupIds.includes(g.groupId)} onChange={() => toggleGroup(g.groupId)} />
                <strong>{g.groupName}</strong> <span className="muted">{g.groupId} · {g.ingress.length} inbound rule{g.ingress.length === 1 ? '' : 's'}</span>
                <div className="muted">{g.description}</div>
              </label>
            ))}
            <p className="muted">With none chosen, the instances get the account's default group.</p>
          </fieldset>
        )}
        {step === 4 && (
          <fieldset>
            <legend>Details</legend>
            <label>Name <input value={name} onChange={(e) => setName(e.target.value)} /></label>
            <label>Count <input type="number" min={1} max={100} value={count} onChange={(e) => setCount(Number(e.target.value))} /></label>
            <label>
              Root disk size (GiB)
              <input type="number" min={imageGib} max={MAX_ROOT_GIB} value={rootGib} placeholder={`the image's size`}
                aria-invalid={!rootValid} onChange={(e) => setRootGib(e.target.value)} />
            </label>
            {!rootValid && <p className="error" role="alert">The root disk must be {imageGib} to {MAX_ROOT_GIB} GiB.</p>}
            <label>
              User data (a script run at first boot)
              <textarea rows={6} value={userData} onChange={(e) => setUserData(e.target.value)} placeholder={'#!/bin/sh\necho hello'} />
            </label>
          </fieldset>
        )}
        {step === 5 && (
          <dl className="summary">
            <dt>Image</dt><dd>{data.images.find((i) => i.imageId === imageId)?.name} ({imageId})</dd>
            <dt>Type</dt><dd>{type} ({chosenType?.vcpus} vCPU, {chosenType?.memoryMib} MiB)</dd>
            <dt>Key pair</dt><dd>{keyName || 'none'}</dd>
            <dt>Security groups</dt>
            <dd data-testid="summary-groups">{chosenGroups.length === 0 ? 'default (none chosen)' : chosenGroups.map((g) => `${g.groupName} (${g.groupId})`).join(', ')}</dd>
            <dt>Name</dt><dd>{name || '—'}</dd>
            <dt>Count</dt><dd>{count}</dd>
            <dt>Root disk</dt><dd data-testid="summary-root">{rootGib === '' ? "the image's size" : rootGib + ' GiB'}</dd>
            <dt>User data</dt><dd>{userData ? userData.length + ' characters' : 'none'}</dd>
            <dt>Estimated cost</dt>
            <dd>
              {perHour((chosenType?.priceMicrosPerHour ?? 0) * count)}, about {money((chosenType?.priceMicrosPerHour ?? 0) * count * 730)} a month
            </dd>
          </dl>
        )}
      </section>
      <ErrorBox error={failure} />
      <div className="row">
        <button disabled={step === 0} onClick={() => setStep(step - 1)}>Back</button>
        {step < STEPS.length - 1 ? (
          <button className="primary" disabled={!canNext} onClick={() => setStep(step + 1)}>Next</button>
        ) : (
          <button className="primary" disabled={busy} onClick={launch}>{busy ? 'Launching…' : 'Launch'}</button>
        )}
      </div>
    </>
  );
}
