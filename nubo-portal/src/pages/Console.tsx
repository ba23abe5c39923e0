// The VM's screen and keyboard in the browser: noVNC over the server's WebSocket relay. This
// module (and noVNC with it) is loaded only when a console is opened.
import { useEffect, useRef, useState } from 'react';
import RFB from '@novnc/novnc';
import { api } from '../api';
import { Link } from '../router';
import { ErrorBox } from '../ui';

export default function Console({ id }: { id: string }) {
  const screen = useRef<HTMLDivElement>(null);
  const rfb = useRef<RFB | null>(null);
  const [status, setStatus] = useState('connecting');
  const [error, setError] = useState<Error | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let cancelled = false;
    setStatus('connecting');
    api<{ path: string }>('POST', `/instances/${id}/console-ticket`, {})
      .then((t) => {
        if (cancelled || !screen.current) return;
        const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + t.path;
        const r = new RFB(screen.current, url, {});
        r.scaleViewport = true;
        r.focusOnClick = true;
        r.addEventListener('connect', () => {
          setStatus('connected');
          r.focus();
        });
        r.addEventListener('disconnect', () => setStatus('disconnected'));
        rfb.current = r;
      })
      .catch((e) => {
        setError(e);
        setStatus('failed');
      });
    return () => {
      cancelled = true;
      rfb.current?.disconnect();
      rfb.current = null;
    };
  }, [id, attempt]);
  return (
    <>
      <p><Link to={'/instances/' + id}>← {id}</Link></p>
      <div className="title-row">
        <h1>Console of {id}</h1>
        <span className="badge" data-console-status={status} role="status">{status}</span>
        <button onClick={() => rfb.current?.sendCtrlAltDel()} disabled={status !== 'connected'}>Send Ctrl-Alt-Del</button>
        {status === 'disconnected' && <button onClick={() => setAttempt(attempt + 1)}>Reconnect</button>}
      </div>
      <ErrorBox error={error} />
      <div className="vnc" ref={screen} aria-label="VM screen" />
      <p className="muted">Click the screen to type. The session closes after you leave this page.</p>
    </>
  );
}
