-- The scheduler's remaining filters (issue 6): a host's guest architecture, an instance type's
-- required accelerator, and root disks claimed from the pool they live on.

-- Every driver ran x86_64 guests before hosts reported their architecture.
ALTER TABLE hosts ADD COLUMN architecture text NOT NULL DEFAULT 'x86_64';

-- NULL: any host's accelerator will do.
ALTER TABLE instance_types ADD COLUMN requires_accelerator text;

-- A root disk's claim on a pool's space: its share of storage_pools.used_bytes, which is the one
-- ledger of a pool's space (volumes, snapshots and images count there too). The row says which
-- pool and how much, so that a terminate or a migration gives back exactly what was taken.
CREATE TABLE instance_root_disks (
    instance_id  text PRIMARY KEY REFERENCES instances(id),
    pool_id      text NOT NULL REFERENCES storage_pools(id),
    bytes        bigint NOT NULL CHECK (bytes >= 0)
);
CREATE INDEX instance_root_disks_pool ON instance_root_disks(pool_id);

-- Hosts whose agent never announced a local pool (remote agents) get one of the disk they reported.
INSERT INTO storage_pools (id, name, kind, path, host_id, total_bytes, created_at, updated_at)
SELECT 'pool-' || substr(md5(h.id), 1, 17), 'local-' || h.name, 'local', '', h.id, h.disk_gib::bigint << 30, now(), now()
FROM hosts h
WHERE h.state <> 'removed' AND NOT EXISTS (SELECT 1 FROM storage_pools p WHERE p.kind = 'local' AND p.host_id = h.id)
  AND NOT EXISTS (SELECT 1 FROM storage_pools p WHERE p.name = 'local-' || h.name);

-- The root disks of instances placed before this claim what they take: HA ones on the shared pool,
-- the others on their host's local pool.
INSERT INTO instance_root_disks (instance_id, pool_id, bytes)
SELECT i.id, p.id, coalesce(i.root_size_gib::bigint << 30, img.virtual_size_bytes)
FROM instances i
JOIN images img ON img.id = i.image_id
JOIN storage_pools p ON (i.ha AND p.kind = 'shared' AND p.name = 'shared') OR (NOT i.ha AND p.kind = 'local' AND p.host_id = i.host_id)
WHERE i.host_id IS NOT NULL AND i.state <> 'terminated';

UPDATE storage_pools p SET used_bytes = used_bytes + d.bytes
FROM (SELECT pool_id, sum(bytes) AS bytes FROM instance_root_disks GROUP BY pool_id) d
WHERE d.pool_id = p.id;
