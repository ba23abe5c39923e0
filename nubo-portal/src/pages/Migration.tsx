// The operator's live migration: move a running instance to a chosen host (or the scheduler's), and follow it to its end.
import { useEffect, useState } from 'react';
import { api, type Host, type Instance } from '../api';
import { Bar, Empty, ErrorBox, Loading, StateBadge, useAction, useLoad, when } from '../ui';
import { bytes } from '../lib/format';
import { useEvents } from '../live';

export interface Migration {
  migrationId: string; instanceId: string; sourceHostId: string; destinationHostId: string | null; state: string; phase: string | null;
  remainingBytes: number | null; transferredBytes: number | null; downtimeLimitMs: number | null; downtimeMs: number | null;
  totalMs: number | null; reason: string | null; requestedBy: string; createdAt: string; updatedAt: string; finishedAt: string | null;
}
interface DrainReport { hostId: string; startedAt: string; migrations: Migration[]; left: { instanceId: string; reason: string }[] }

const SCHEDULER = '';
const TYPED = '#typed';
const active = (m: Migration) => m.state === 'preparing' || m.state === 'migrating';

/** The "Migrate" button of a running instance: a dialog to choose the destination, confirm, then the migration's progress. */
export function MigrateButton({ instance, hosts, done }: { instance: Instance; hosts: Host[]; done: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)} disabled={instance.state.name !== 'running'}
        title={instance.state.name !== 'running' ? 'Only a running instance can be live-migrated' : undefined}>Migrate</button>
      {open && <MigrateDialog instance={instance} hosts={hosts} close={() => { setOpen(false); done(); }} />}
    </>
  );
}

function MigrateDialog({ instance, hosts, close }: { instance: Instance; hosts: Host[]; close: () => void }) {
  // Every host but the source is offered; the source itself is left out (the API refuses it anyway).
  const targets = hosts.filter((h) => h.hostId !== instance.hostId);
  const [target, setTarget] = useState(SCHEDULER);
  const [typed, setTyped] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [migration, setMigration] = useState<Migration | null>(null);
  const { failure, busy, run } = useAction();
  const toHost = target === TYPED ? typed.trim() : target;
  const targetName = toHost === SCHEDULER ? 'a host the scheduler chooses' : hosts.find((h) => h.hostId === toHost)?.name ?? toHost;
  const start = async () => {
    setConfirming(false);
    const m = await run(() => api<Migration>('POST', `/instances/${instance.instanceId}/migrate`, toHost === SCHEDULER ? {} : { toHost }));
    if (m) setMigration(m);
  };
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-label={'Migrate ' + instance.instanceId}
        onKeyDown={(e) => { if (e.key === 'Escape') close(); }}>
        <h2>Migrate {instance.instanceId}</h2>
        <p className="muted">Now on {hosts.find((h) => h.hostId === instance.hostId)?.name ?? instance.hostId ?? 'no host'}. The VM keeps running while its memory and disk are copied.</p>
        {!migration && (
          <>
            <label>
              Destination host
              <select value={target} onChange={(e) => setTarget(e.target.value)} autoFocus>
                <option value={SCHEDULER}>Let the scheduler choose</option>
                {targets.map((h) => (
                  <option key={h.hostId} value={h.hostId} disabled={h.state !== 'up'}>
                    {h.name} ({h.state}, {Math.floor(h.capacity.vcpus * h.cpuRatio) - h.allocated.vcpus} vCPUs free)
                  </option>
                ))}
                <option value={TYPED}>Another host, by ID or name…</option>
              </select>
            </label>
            {target === TYPED && (
              <label>Host ID or name <input value={typed} onChange={(e) => setTyped(e.target.value)} required /></label>
            )}
            {targets.length === 0 && <p className="muted">There is no other host; the scheduler will say so.</p>}
            {confirming ? (
              <div className="row" role="group" aria-label="Confirm the migration">
                <span>Move {instance.instanceId} to {targetName}?</span>
                <button className="primary" onClick={start}>Yes, migrate</button>
                <button onClick={() => setConfirming(false)}>No</button>
              </div>
            ) : (
              <div className="row">
                <button className="primary" disabled={busy || (target === TYPED && toHost === '')} onClick={() => setConfirming(true)}>{busy ? 'Starting…' : 'Migrate'}</button>
                <button onClick={close}>Cancel</button>
              </div>
            )}
            <ErrorBox error={failure} />
          </>
        )}
        {migration && (
          <>
            <MigrationProgress instanceId={instance.instanceId} first={migration} hosts={hosts} />
            <div className="row"><button onClick={close} autoFocus>Close</button></div>
          </>
        )}
      </div>
    </div>
  );
}

/** Follows a migration until it completes or fails, reading GET /instances/{id}/migration every half second while it runs. */
export function MigrationProgress({ instanceId, first, hosts }: { instanceId: string; first: Migration; hosts: Host[] }) {
  const [m, setM] = useState(first);
  const [failure, setFailure] = useState<Error | null>(null);
  useEffect(() => {
    if (!active(m)) return;
    // Polling, not the event stream: the migration's byte counts are not events, and this runs only while a dialog is open.
    const t = setTimeout(() => {
      api<Migration>('GET', `/instances/${instanceId}/migration`).then(setM, setFailure);
    }, 500);
    return () => clearTimeout(t);
  }, [m, instanceId]);
  const name = (id: string | null) => (id ? hosts.find((h) => h.hostId === id)?.name ?? id : 'none');
  const total = (m.transferredBytes ?? 0) + (m.remainingBytes ?? 0);
  return (
    <section aria-label="Migration progress" aria-live="polite" data-migration-state={m.state}>
      <p>
        <StateBadge state={m.state} /> {m.phase ? `phase ${m.phase}` : ''} · {name(m.sourceHostId)} → {name(m.destinationHostId)}
      </p>
      {total > 0 && (
        <Bar label="Copied" used={m.transferredBytes ?? 0} total={total} unit=""
          text={`Copied ${bytes(m.transferredBytes ?? 0)}, ${bytes(m.remainingBytes ?? 0)} left`} />
      )}
      {m.state === 'completed' && <p>Done in {m.totalMs} ms, with the VM paused for {m.downtimeMs} ms.</p>}
      {m.state === 'failed' && <div className="error" role="alert"><strong>MigrationFailed</strong>: {m.reason ?? 'no reason given'}</div>}
      <ErrorBox error={failure} />
    </section>
  );
}

/** What a host's current or last drain did: which instances moved, which could not and why. */
export function DrainReportView({ hostId, hostState, hosts }: { hostId: string; hostState: string; hosts: Host[] }) {
  const { data, error, reload } = useLoad(() => api<DrainReport>('GET', `/hosts/${hostId}/drain`), [hostId, hostState]);
  // Each move's outcome is an event on the source host (host.migration), and each moved instance's own; read the report again then.
  useEvents((e) => {
    if (e.resourceId === hostId || e.type === 'instance.migrated') reload();
  });
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="the drain" />;
  const name = (id: string | null) => (id ? hosts.find((h) => h.hostId === id)?.name ?? id : 'none');
  return (
    <section aria-label={'Drain of ' + hostId}>
      <p className="muted">Drain started {when(data.startedAt)}.</p>
      {data.migrations.length === 0 && data.left.length === 0 ? <Empty>The drain had nothing to move.</Empty> : (
        <table className="list" aria-label="Drained instances">
          <thead><tr><th>Instance</th><th>Outcome</th><th>To</th><th>Why</th></tr></thead>
          <tbody>
            {data.migrations.map((m) => (
              <tr key={m.migrationId}><td>{m.instanceId}</td><td><StateBadge state={m.state} /></td><td>{name(m.destinationHostId)}</td><td>{m.reason ?? ''}</td></tr>
            ))}
            {data.left.map((l) => (
              <tr key={'left-' + l.instanceId}><td>{l.instanceId}</td><td><StateBadge state="left" /></td><td>—</td><td>{l.reason}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
