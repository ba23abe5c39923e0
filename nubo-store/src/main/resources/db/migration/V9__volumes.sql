-- Volumes (EBS): raw disk files on a storage pool, named after their ID, and their attachments.

-- size_gib is the volume's size; when it grows, the file is extended by whoever holds it next
-- (the agent of the VM it is attached to, or the volume controller for an unattached one).
-- A multi-attach volume is io1 or io2 (as on EC2) and lives on the shared pool.
-- The modification_* columns describe the last ModifyVolume (EC2's VolumeModification).
CREATE TABLE volumes (
    id                         text PRIMARY KEY,
    account_id                 text NOT NULL REFERENCES accounts(id),
    availability_zone          text NOT NULL,
    size_gib                   integer NOT NULL CHECK (size_gib > 0),
    volume_type                text NOT NULL CHECK (volume_type IN ('gp2', 'gp3', 'io1', 'io2', 'standard')),
    iops                       integer,
    throughput                 integer,
    multi_attach               boolean NOT NULL DEFAULT false,
    pool_id                    text NOT NULL REFERENCES storage_pools(id),
    format                     text NOT NULL DEFAULT 'raw' CHECK (format IN ('raw', 'qcow2')),
    state                      text NOT NULL CHECK (state IN ('creating', 'available', 'in-use', 'deleting', 'deleted', 'error')),
    state_reason               text,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
    modification_state         text CHECK (modification_state IN ('modifying', 'optimizing', 'completed', 'failed')),
    original_size_gib          integer,
    original_volume_type       text,
    modification_started_at    timestamptz,
    modification_ended_at      timestamptz,
    CHECK (NOT multi_attach OR volume_type IN ('io1', 'io2'))
);
CREATE INDEX volumes_account ON volumes(account_id, id);
-- The volume controller's work: files to create, files to delete, files to grow.
CREATE INDEX volumes_work ON volumes(id) WHERE state IN ('creating', 'deleting') OR modification_state = 'modifying';

-- A volume attached to an instance. A detached attachment is deleted (the event log keeps it).
-- A volume that is not multi-attach has at most one attachment; the service checks that under
-- the volume's row lock. seen_bytes is the size the instance's host last reported for the disk:
-- a volume's growth is complete once every attachment has seen the new size.
CREATE TABLE volume_attachments (
    volume_id              text NOT NULL REFERENCES volumes(id),
    instance_id            text NOT NULL REFERENCES instances(id),
    device                 text NOT NULL,
    state                  text NOT NULL CHECK (state IN ('attaching', 'attached', 'detaching')),
    delete_on_termination  boolean NOT NULL DEFAULT false,
    force_detach           boolean NOT NULL DEFAULT false,
    seen_bytes             bigint,
    attached_at            timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    PRIMARY KEY (volume_id, instance_id),
    UNIQUE (instance_id, device)
);
CREATE INDEX volume_attachments_instance ON volume_attachments(instance_id);
