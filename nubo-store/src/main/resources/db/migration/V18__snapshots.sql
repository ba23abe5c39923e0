-- Snapshots (EBS): point-in-time copies of volumes, raw files named after their ID under a pool's
-- snapshots/ directory, and the volumes made from them.

-- copier is who makes the file: the instance whose host runs a block job on the running VM, or
-- null for the volume controller, which copies the file of a volume no running VM holds.
-- deleting and deleted are hidden from callers: the controller removes the file, frees its bytes
-- on the pool and records deleted. The row stays for the event log.
CREATE TABLE snapshots (
    id                  text PRIMARY KEY,
    account_id          text NOT NULL REFERENCES accounts(id),
    volume_id           text NOT NULL,
    volume_size_gib     integer NOT NULL CHECK (volume_size_gib > 0),
    pool_id             text NOT NULL REFERENCES storage_pools(id),
    description         text NOT NULL DEFAULT '',
    state               text NOT NULL CHECK (state IN ('pending', 'completed', 'error', 'deleting', 'deleted')),
    state_reason        text,
    progress            integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    copier              text,
    source_snapshot_id  text,
    started_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX snapshots_account ON snapshots(account_id, id);
CREATE INDEX snapshots_copier ON snapshots(copier) WHERE state = 'pending' AND copier IS NOT NULL;
-- The controller's work: copies it makes itself and files to delete.
CREATE INDEX snapshots_work ON snapshots(id) WHERE (state = 'pending' AND copier IS NULL) OR state = 'deleting';

-- A volume made from a snapshot: its file starts as a copy of the snapshot's.
ALTER TABLE volumes ADD COLUMN snapshot_id text;
CREATE INDEX volumes_snapshot ON volumes(snapshot_id) WHERE snapshot_id IS NOT NULL;
