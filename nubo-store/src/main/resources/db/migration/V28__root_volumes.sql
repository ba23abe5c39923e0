-- An instance's root disk is an EBS-style volume too (issue 5): it has a vol- ID, shows in
-- DescribeVolumes and in the instance's block device mapping, and is metered as a volume. Its
-- claim on pool space (instance_root_disks) names the volume, which is in-use while the claim
-- lasts and deleted with it. The file stays the instance's (its qcow2 overlay, which the agent
-- keeps and removes), so the root is not a volume_attachments row: nothing hot-plugs it.
ALTER TABLE instance_root_disks ADD COLUMN volume_id text UNIQUE REFERENCES volumes(id);
ALTER TABLE instance_root_disks ADD COLUMN attached_at timestamptz;
-- DeleteOnTermination=false: when the instance is terminated, its host copies the root disk whole
-- onto the shared pool as the volume's file, and the volume lives on as an available volume.
ALTER TABLE instance_root_disks ADD COLUMN delete_on_termination boolean NOT NULL DEFAULT true;
-- What the launch asked for, until a placement claims the disk.
ALTER TABLE instances ADD COLUMN root_delete_on_termination boolean NOT NULL DEFAULT true;

-- The root disks of instances placed before this get their volumes now.
CREATE TEMPORARY TABLE new_roots ON COMMIT DROP AS
SELECT r.instance_id, 'vol-' || substr(md5(random()::text || r.instance_id), 1, 17) AS volume_id, i.account_id,
       i.availability_zone, greatest(1, ((r.bytes + (1::bigint << 30) - 1) >> 30))::integer AS size_gib, r.pool_id, now() AS at
FROM instance_root_disks r JOIN instances i ON i.id = r.instance_id
WHERE r.volume_id IS NULL;

INSERT INTO volumes (id, account_id, availability_zone, size_gib, volume_type, iops, throughput, multi_attach, pool_id, format, state,
                     created_at, updated_at)
SELECT volume_id, account_id, availability_zone, size_gib, 'gp3', 3000, 125, false, pool_id, 'qcow2', 'in-use', at, at FROM new_roots;

UPDATE instance_root_disks r SET volume_id = n.volume_id, attached_at = n.at FROM new_roots n WHERE n.instance_id = r.instance_id;

INSERT INTO events (at, account_id, resource_id, type, from_state, to_state, cause)
SELECT at, account_id, volume_id, 'volume.state', NULL, 'in-use', size_gib || ' GiB gp3 root device of ' || instance_id FROM new_roots;
