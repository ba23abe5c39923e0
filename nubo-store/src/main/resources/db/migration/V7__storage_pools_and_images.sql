-- Storage pools, image import and image sharing.

-- A pool is a directory that holds disk files: a host's own 'local' pool, or a 'shared' pool that
-- every host mounts (an NFS export in production). total_bytes is the size of the file system
-- under it when last measured; used_bytes is what Nubo's own files there take.
CREATE TABLE storage_pools (
    id           text PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    kind         text NOT NULL CHECK (kind IN ('local', 'shared')),
    path         text NOT NULL,
    host_id      text REFERENCES hosts(id),
    total_bytes  bigint NOT NULL CHECK (total_bytes >= 0),
    used_bytes   bigint NOT NULL DEFAULT 0 CHECK (used_bytes >= 0),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- A local pool belongs to exactly one host; a shared one to none.
    CHECK ((kind = 'local') = (host_id IS NOT NULL))
);
CREATE UNIQUE INDEX storage_pools_one_local_per_host ON storage_pools(host_id) WHERE kind = 'local';

-- Which host reaches which pool, and where the pool is mounted on it.
CREATE TABLE storage_pool_hosts (
    pool_id  text NOT NULL REFERENCES storage_pools(id),
    host_id  text NOT NULL REFERENCES hosts(id),
    path     text NOT NULL,
    PRIMARY KEY (pool_id, host_id)
);
CREATE INDEX storage_pool_hosts_host ON storage_pool_hosts(host_id);

-- Images now have a life: 'pending' while imported (with progress), then 'available' or 'failed'
-- (with the reason), and 'deregistered'. An imported image's file lives on a pool.
ALTER TABLE images
    ADD COLUMN state_reason        text,
    ADD COLUMN progress            integer NOT NULL DEFAULT 100 CHECK (progress BETWEEN 0 AND 100),
    ADD COLUMN pool_id             text REFERENCES storage_pools(id),
    ADD COLUMN size_bytes          bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    ADD COLUMN virtual_size_bytes  bigint NOT NULL DEFAULT 0 CHECK (virtual_size_bytes >= 0);
CREATE INDEX images_owner ON images(owner_id, name);

-- The work queue of imports: one row per pending image, claimed by a server with a lease, so
-- that an import whose server died is taken over (and retried or failed) by another one.
-- source is a URL, a path on the server, or the staged upload; it is never shown or logged.
CREATE TABLE image_imports (
    image_id          text PRIMARY KEY REFERENCES images(id),
    source_kind       text NOT NULL CHECK (source_kind IN ('url', 'path', 'upload')),
    source            text NOT NULL,
    target_format     text,
    attempts          integer NOT NULL DEFAULT 0,
    last_error        text,
    lease_owner       text,
    lease_expires_at  timestamptz,
    created_at        timestamptz NOT NULL
);
CREATE INDEX image_imports_claimable ON image_imports(lease_expires_at NULLS FIRST);

-- Launch permissions: the accounts an image is shared with (EC2's userId launch permission).
-- Public images are images.is_public (EC2's group 'all'). Account IDs are not checked against
-- accounts, as EC2 does not: sharing with an account says nothing about whether it exists.
CREATE TABLE image_launch_permissions (
    image_id    text NOT NULL REFERENCES images(id),
    account_id  text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (image_id, account_id)
);
CREATE INDEX image_launch_permissions_account ON image_launch_permissions(account_id);
