-- Accounts (tenants). The operator's account has role 'admin'.
CREATE TABLE accounts (
    id              text PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    role            text NOT NULL CHECK (role IN ('admin', 'member')),
    enabled         boolean NOT NULL DEFAULT true,
    instance_quota  integer NOT NULL CHECK (instance_quota >= 0),
    created_at      timestamptz NOT NULL
);

-- Access keys. The secret is AES-GCM encrypted with a key kept in the data dir, never stored in plain text.
CREATE TABLE access_keys (
    id              text PRIMARY KEY,
    account_id      text NOT NULL REFERENCES accounts(id),
    secret_sealed   bytea NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);
CREATE INDEX access_keys_account ON access_keys(account_id);

CREATE TABLE instance_types (
    name                   text PRIMARY KEY,
    vcpus                  integer NOT NULL CHECK (vcpus > 0),
    memory_mib             integer NOT NULL CHECK (memory_mib > 0),
    price_micros_per_hour  bigint NOT NULL CHECK (price_micros_per_hour >= 0)
);

CREATE TABLE images (
    id            text PRIMARY KEY,
    name          text NOT NULL,
    description   text NOT NULL DEFAULT '',
    owner_id      text REFERENCES accounts(id),
    is_public     boolean NOT NULL,
    state         text NOT NULL,
    format        text NOT NULL,
    location      text NOT NULL,
    architecture  text NOT NULL DEFAULT 'x86_64',
    created_at    timestamptz NOT NULL
);

CREATE TABLE hosts (
    id                    text PRIMARY KEY,
    name                  text NOT NULL UNIQUE,
    state                 text NOT NULL,
    driver                text NOT NULL,
    accelerator           text NOT NULL,
    zone                  text NOT NULL,
    vcpus                 integer NOT NULL,
    memory_mib            integer NOT NULL,
    disk_gib              integer NOT NULL,
    -- Overcommit: the scheduler may allocate vcpus * cpu_ratio and memory_mib * memory_ratio.
    cpu_ratio             real NOT NULL DEFAULT 4.0 CHECK (cpu_ratio > 0),
    memory_ratio          real NOT NULL DEFAULT 1.0 CHECK (memory_ratio > 0),
    allocated_vcpus       integer NOT NULL DEFAULT 0 CHECK (allocated_vcpus >= 0),
    allocated_memory_mib  integer NOT NULL DEFAULT 0 CHECK (allocated_memory_mib >= 0),
    last_heartbeat        timestamptz NOT NULL,
    lease_expires_at      timestamptz NOT NULL,
    created_at            timestamptz NOT NULL
);

-- Each change to what a host should run takes a new value from this sequence, so the
-- largest value among a host's instances is the version of its desired state.
CREATE SEQUENCE desired_seq;

CREATE TABLE instances (
    id                 text PRIMARY KEY,
    account_id         text NOT NULL REFERENCES accounts(id),
    reservation_id     text NOT NULL,
    image_id           text NOT NULL REFERENCES images(id),
    instance_type      text NOT NULL,
    vcpus              integer NOT NULL,
    memory_mib         integer NOT NULL,
    state              text NOT NULL,
    task               text NOT NULL,
    host_id            text REFERENCES hosts(id),
    name               text,
    key_name           text,
    user_data          text,
    state_reason       text,
    launch_time        timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    terminated_at      timestamptz,
    reboot_generation  bigint NOT NULL DEFAULT 0,
    force_stop         boolean NOT NULL DEFAULT false,
    desired_seq        bigint NOT NULL DEFAULT nextval('desired_seq')
);
CREATE INDEX instances_account ON instances(account_id, launch_time, id);
CREATE INDEX instances_host ON instances(host_id, desired_seq);
CREATE INDEX instances_unscheduled ON instances(launch_time) WHERE host_id IS NULL AND state = 'pending';

-- The event log: every state transition, appended in the transaction that makes it.
CREATE TABLE events (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL,
    account_id   text,
    resource_id  text NOT NULL,
    type         text NOT NULL,
    from_state   text,
    to_state     text,
    cause        text NOT NULL
);
CREATE INDEX events_resource ON events(resource_id, id);
CREATE INDEX events_account ON events(account_id, id);

INSERT INTO instance_types (name, vcpus, memory_mib, price_micros_per_hour) VALUES
    ('t3.nano',     2,   512,    5200),
    ('t3.micro',    2,  1024,   10400),
    ('t3.small',    2,  2048,   20800),
    ('t3.medium',   2,  4096,   41600),
    ('t3.large',    2,  8192,   83200),
    ('t3.xlarge',   4, 16384,  166400),
    ('m5.large',    2,  8192,   96000),
    ('m5.xlarge',   4, 16384,  192000),
    ('m5.2xlarge',  8, 32768,  384000),
    ('m5.4xlarge', 16, 65536,  768000);
