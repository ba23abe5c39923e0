// Small shared pieces: loading/error states, confirmations, state badges, capacity bars.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError } from './api';
import { newestOnly } from './lib/newest';

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [ticket] = useState(newestOnly);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const reload = useCallback(() => {
    const current = ticket();
    setLoading(true);
    return load()
      .then((d) => {
        if (!current()) return;
        setData(d);
        setError(null);
      })
      .catch((e) => current() && setError(e))
      .finally(() => current() && setLoading(false));
  }, deps);
  useEffect(() => {
    reload();
  }, [reload]);
  return { data, error, loading, reload, setData };
}

export function ErrorBox({ error }: { error: Error | null }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : 'Error';
  return (
    <div className="error" role="alert">
      <strong>{code}</strong>: {error.message}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted" aria-busy="true">Loading {what}…</p>;
}

export function StateBadge({ state }: { state: string }) {
  return <span className={'badge state-' + state} data-state={state}>{state}</span>;
}

export function Bar({ label, used, total, unit, text }: { label: string; used: number; total: number; unit: string; text?: string }) {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return (
    <div className="bar-row">
      <div className="bar-label">
        {text ?? `${label}: ${used} / ${total} ${unit}`} ({pct}%)
      </div>
      <div className="bar" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={used} aria-valuetext={text}>
        <div className={'bar-fill' + (pct > 85 ? ' hot' : '')} style={{ width: pct + '%' }} />
      </div>
    </div>
  );
}

/** A button that asks before it acts (destructive actions). */
export function ConfirmButton({ label, question, onConfirm, danger, disabled }: {
  label: string; question: string; onConfirm: () => Promise<unknown> | void; danger?: boolean; disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button className={danger ? 'danger' : ''} disabled={disabled || busy} onClick={() => setOpen(true)}>{label}</button>
      {open && (
        <div className="modal-backdrop">
          <div className="modal" role="alertdialog" aria-modal="true" aria-label={label}
            onKeyDown={(e) => { if (e.key === 'Escape') setOpen(false); }}>
            <p>{question}</p>
            <div className="row">
              <button onClick={() => setOpen(false)} autoFocus>Cancel</button>
              <button
                className={danger ? 'danger' : 'primary'}
                onClick={async () => {
                  setBusy(true);
                  setOpen(false);
                  try {
                    await onConfirm();
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                Yes, {label.toLowerCase()}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** Saves text as a file in the browser (a new private key). */
export function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-pem-file' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Previous/next over a paged list, with where we are; buttons are real buttons (keyboard, labels). */
export function Pager({ page, pages, from, to, total, onPage }: {
  page: number; pages: number; from: number; to: number; total: number; onPage: (p: number) => void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button disabled={page === 0} onClick={() => onPage(page - 1)}>Previous</button>
      <span className="muted" aria-live="polite">{total === 0 ? 'none' : `${from}–${to} of ${total}`} · page {page + 1} of {pages}</span>
      <button disabled={page >= pages - 1} onClick={() => onPage(page + 1)}>Next</button>
    </nav>
  );
}

/**
 * Runs an action and keeps its failure (shown with the API's code) and whether it is running;
 * the action's result is returned, or undefined when it failed.
 */
export function useAction() {
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setFailure(null);
    setBusy(true);
    try {
      return await f();
    } catch (e) {
      setFailure(e as Error);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { failure, busy, run, setFailure };
}
