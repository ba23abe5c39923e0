// Images: the ones the tenant may launch, imports from a URL, and uploads of a disk file with a progress bar.
import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, csrf, type Image } from '../api';
import { ConfirmButton, Empty, ErrorBox, Loading, StateBadge, useLoad, when } from '../ui';
import { ImageSharing } from './ImageSharing';

const FORMATS = [['', 'keep its format'], ['qcow2', 'convert to qcow2'], ['raw', 'convert to raw']];

function size(bytes?: number): string {
  if (!bytes) return '';
  return bytes >= 1 << 30 ? (bytes / (1 << 30)).toFixed(1) + ' GiB' : (bytes / (1 << 20)).toFixed(0) + ' MiB';
}

async function sha256Hex(file: File): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** PUTs the file as the request body; XMLHttpRequest because fetch reports no upload progress. */
function upload(file: File, query: string, onProgress: (fraction: number) => void): Promise<Image> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', '/api/v1/images/upload?' + query);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('X-CSRF-Token', csrf());
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const json = xhr.responseText ? JSON.parse(xhr.responseText) : {};
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as Image);
      else reject(new ApiError(xhr.status, json.code ?? 'Error', json.detail ?? xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NetworkError', 'The upload was interrupted'));
    xhr.send(file);
  });
}

export function Images({ accountId, operator }: { accountId: string; operator: boolean }) {
  const { data, error, reload } = useLoad(() => api<Image[]>('GET', '/images'), []);
  const [sharing, setSharing] = useState<string | null>(null);
  const pending = (data ?? []).some((i) => i.state === 'pending');
  useEffect(() => {
    // An import reports its progress on the image; look again while one is under way.
    if (!pending) return;
    const t = window.setInterval(reload, 2000);
    return () => window.clearInterval(t);
  }, [pending, reload]);
  return (
    <>
      <h1>Images</h1>
      <ImportForm done={reload} />
      <ErrorBox error={error} />
      {!data ? <Loading what="images" /> : data.length === 0 ? <Empty>No images.</Empty> : (
        <table className="list" tabIndex={0} aria-label="Images">
          <thead><tr><th>ID</th><th>Name</th><th>State</th><th>Format</th><th>Size</th><th>Visibility</th><th>Created</th><th></th></tr></thead>
          <tbody>
            {data.map((i) => (
              <Fragment key={i.imageId}>
              <tr data-image={i.imageId}>
                <td>{i.imageId}</td><td>{i.name}</td>
                <td>
                  <StateBadge state={i.state} />
                  {i.state === 'pending' && <progress max={100} value={i.progress ?? 0} aria-label={'Import of ' + i.name}>{i.progress}%</progress>}
                  {i.stateReason && <div className="muted">{i.stateReason}</div>}
                </td>
                <td>{i.format}</td><td>{size(i.virtualSizeBytes)}</td><td>{i.isPublic ? 'public' : 'private'}</td>
                <td>{i.creationDate ? when(i.creationDate) : ''}</td>
                <td className="row">{i.ownerId === accountId && (
                  <>
                  <button aria-expanded={sharing === i.imageId} onClick={() => setSharing(sharing === i.imageId ? null : i.imageId)}>
                    {operator ? 'Publish / share' : 'Share'}
                  </button>
                  <ConfirmButton label="Deregister" danger question={`Deregister ${i.name}? Instances made from it keep running.`}
                    onConfirm={async () => { await api('DELETE', '/images/' + i.imageId); reload(); }} />
                  </>
                )}</td>
              </tr>
              {sharing === i.imageId && (
                <tr className="panel-row"><td colSpan={8}><ImageSharing imageId={i.imageId} name={i.name} operator={operator} changed={reload} /></td></tr>
              )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function ImportForm({ done }: { done: () => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState('');
  const [sent, setSent] = useState<number | null>(null);
  const [resets, setResets] = useState(0); // a file input cannot be cleared through its value: remount it
  const [failure, setFailure] = useState<Error | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    try {
      if (file) {
        setSent(0);
        const q = new URLSearchParams({ name, sha256: await sha256Hex(file) });
        if (format) q.set('format', format);
        await upload(file, q.toString(), setSent);
      } else {
        await api('POST', '/images/import', { name, url, ...(format ? { format } : {}) });
      }
      setName('');
      setUrl('');
      setFile(null);
      setResets((n) => n + 1);
      done();
    } catch (err) {
      setFailure(err as Error);
    } finally {
      setSent(null);
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Import an image">
      <h2>Import an image</h2>
      <p className="muted">qcow2, raw, VHD, VHDX or VMDK; the format is read from the file itself. Give a URL, or upload a file.</p>
      <div className="row">
        <label>Name <input required minLength={3} value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>URL <input type="url" value={url} disabled={file !== null} onChange={(e) => setUrl(e.target.value)} placeholder="https://..." /></label>
        <label>or file <input key={resets} type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} /></label>
        <label>Format <select value={format} onChange={(e) => setFormat(e.target.value)}>
          {FORMATS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select></label>
        <button className="primary" disabled={sent !== null || (!file && !url)}>{file ? 'Upload' : 'Import'}</button>
      </div>
      {sent !== null && <progress max={1} value={sent} aria-label="Upload">{Math.round(sent * 100)}%</progress>}
      <ErrorBox error={failure} />
    </form>
  );
}
