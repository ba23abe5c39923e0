-- Live migrations (issue 6). A row is the whole protocol between the two agents: the source and
-- destination agents see it in their desired state and move it on with their reports, so every
-- step is a committed row and a server restart loses nothing. An instance has at most one
-- unfinished migration; a migration that fails leaves the instance where it was.
CREATE TABLE migrations (
    id                  text PRIMARY KEY,
    instance_id         text NOT NULL REFERENCES instances(id),
    source_host_id      text NOT NULL REFERENCES hosts(id),
    -- Null when no host could take the instance (a drain records that as a failed migration).
    destination_host_id text REFERENCES hosts(id),
    state               text NOT NULL CHECK (state IN ('preparing', 'migrating', 'completed', 'failed')),
    -- Where the destination's QEMU waits for the memory stream and (when disks are mirrored) its NBD export.
    incoming_host       text,
    incoming_port       integer,
    nbd_port            integer,
    -- The source's last reading: the phase (mirroring, memory), bytes left and done, the downtime limit
    -- in force, QEMU's downtime once done, and the total time.
    phase               text,
    remaining_bytes     bigint,
    transferred_bytes   bigint,
    downtime_limit_ms   integer,
    downtime_ms         integer,
    total_ms            integer,
    reason              text,
    -- When the last progress event was written (a reading arrives every half second; an event every two).
    progress_event_at   timestamptz,
    requested_by        text NOT NULL,
    -- The drain this migration belongs to, if any.
    drain_of            text REFERENCES hosts(id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    finished_at         timestamptz
);
CREATE UNIQUE INDEX migrations_one_active ON migrations(instance_id) WHERE state IN ('preparing', 'migrating');
CREATE INDEX migrations_source ON migrations(source_host_id, created_at);
CREATE INDEX migrations_destination ON migrations(destination_host_id, created_at);

-- When a drain started; the instances it could not move since then are the failed migrations it made.
ALTER TABLE hosts ADD COLUMN drain_started_at timestamptz;
