package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Root disks' claims on pool space. Each claim is counted in its pool's {@code used_bytes} (the
 * one ledger of a pool's space) in the same statement set that records or drops it, so the two
 * never disagree. Callers hold the locks of the pools they change.
 */
public final class RootDisks {
    private final Handle h;

    RootDisks(Handle h) {
        this.h = h;
    }

    /** One instance's root disk: which pool holds it and how many bytes it may grow to. */
    public record Claim(String instanceId, String poolId, long bytes) {
        /** The size of the disk's volume: whole GiB, at least one. */
        public int sizeGib() {
            return (int) Math.max(1, (bytes + GIB - 1) / GIB);
        }
    }

    /**
     * A root disk's volume: the instance it is the root device of, its owner, zone and size, since
     * when, and whether it goes with its instance (DeleteOnTermination).
     */
    public record RootVolume(String volumeId, String instanceId, String accountId, String zone, int sizeGib, Instant attachedAt,
                             boolean deleteOnTermination) {
    }

    /** A root volume to make with its claim; it takes its instance's DeleteOnTermination. */
    public record NewVolume(String volumeId, String instanceId, String accountId, String zone, int sizeGib) {
    }

    /** A dropped claim's volume, and whether it was to go with its instance. */
    public record Released(String volumeId, boolean deleteOnTermination) {
    }

    private static final long GIB = 1L << 30;

    /**
     * Records these claims, each with its volume ({@code in-use}, gp3, the qcow2 on the claim's
     * pool), and adds them to their pools' use. {@code volumes} holds one volume per claim.
     */
    public void claimAll(List<Claim> claims, List<NewVolume> volumes, Instant at) {
        if (claims.isEmpty()) {
            return;
        }
        Map<String, Claim> byInstance = new HashMap<>();
        claims.forEach(c -> byInstance.put(c.instanceId(), c));
        // gp3 with its baseline IOPS and throughput, as CreateVolume gives a gp3 volume.
        var made = h.prepareBatch("""
                INSERT INTO volumes (id, account_id, availability_zone, size_gib, volume_type, iops, throughput, multi_attach, pool_id, format,
                                     state, created_at, updated_at)
                VALUES (:id, :a, :zone, :size, 'gp3', 3000, 125, false, :pool, 'qcow2', 'in-use', :at, :at)""");
        for (NewVolume v : volumes) {
            made.bind("id", v.volumeId()).bind("a", v.accountId()).bind("zone", v.zone()).bind("size", v.sizeGib())
                    .bind("pool", byInstance.get(v.instanceId()).poolId()).bind("at", Rows.utc(at)).add();
        }
        made.execute();
        Map<String, NewVolume> volumeOf = new HashMap<>();
        volumes.forEach(v -> volumeOf.put(v.instanceId(), v));
        var batch = h.prepareBatch("""
                INSERT INTO instance_root_disks (instance_id, pool_id, bytes, volume_id, attached_at, delete_on_termination)
                VALUES (:i, :p, :b, :v, :at, coalesce((SELECT root_delete_on_termination FROM instances WHERE id = :i), true))""");
        Map<String, Long> byPool = new HashMap<>();
        for (Claim c : claims) {
            NewVolume v = volumeOf.get(c.instanceId());
            batch.bind("i", c.instanceId()).bind("p", c.poolId()).bind("b", c.bytes()).bind("v", v.volumeId())
                    .bind("at", Rows.utc(at)).add();
            byPool.merge(c.poolId(), c.bytes(), Long::sum);
        }
        batch.execute();
        addUsedAll(byPool);
    }

    /** Whether the instance's root volume goes with it: on its claim if placed, and for the claim a placement will make. */
    public void setDeleteOnTermination(String instanceId, boolean deleteOnTermination) {
        h.createUpdate("UPDATE instance_root_disks SET delete_on_termination = :d WHERE instance_id = :i")
                .bind("d", deleteOnTermination).bind("i", instanceId).execute();
        h.createUpdate("UPDATE instances SET root_delete_on_termination = :d WHERE id = :i").bind("d", deleteOnTermination)
                .bind("i", instanceId).execute();
    }

    /** The root volumes of these instances (those placed with a claim), by instance ID. */
    public Map<String, RootVolume> volumesOfInstances(Collection<String> instanceIds) {
        return rootVolumes("r.instance_id", instanceIds, RootVolume::instanceId);
    }

    /** Of these volumes, those that are an instance's root device, by volume ID. */
    public Map<String, RootVolume> rootsAmong(Collection<String> volumeIds) {
        return rootVolumes("r.volume_id", volumeIds, RootVolume::volumeId);
    }

    private Map<String, RootVolume> rootVolumes(String column, Collection<String> ids, java.util.function.Function<RootVolume, String> key) {
        Map<String, RootVolume> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        h.createQuery("""
                SELECT r.volume_id, r.instance_id, v.account_id, v.availability_zone, v.size_gib, r.attached_at, r.delete_on_termination
                FROM instance_root_disks r JOIN volumes v ON v.id = r.volume_id
                WHERE\s""" + column + " IN (SELECT unnest(:ids))")
                .bindArray("ids", String.class, List.copyOf(ids))
                .map((rs, ctx) -> new RootVolume(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                        Rows.instant(rs, "attached_at"), rs.getBoolean("delete_on_termination")))
                .forEach(v -> out.put(key.apply(v), v));
        return out;
    }

    /** Changes several pools' use at once: one statement, however many pools a placement pass touched. */
    private void addUsedAll(Map<String, Long> byPool) {
        byPool.values().removeIf(d -> d == 0);
        if (byPool.isEmpty()) {
            return;
        }
        List<String> ids = List.copyOf(byPool.keySet());
        h.createUpdate("""
                UPDATE storage_pools p SET used_bytes = greatest(0, p.used_bytes + d.delta)
                FROM (SELECT unnest(:ids) AS id, unnest(:deltas) AS delta) d WHERE p.id = d.id""")
                .bindArray("ids", String.class, ids).bindArray("deltas", Long.class, ids.stream().map(byPool::get).toList())
                .execute();
    }

    public Optional<Claim> of(String instanceId) {
        return h.createQuery("SELECT * FROM instance_root_disks WHERE instance_id = :i").bind("i", instanceId)
                .map((rs, ctx) -> new Claim(rs.getString("instance_id"), rs.getString("pool_id"), rs.getLong("bytes"))).findOne();
    }

    /**
     * Drops the claims of these instances (terminated, or restarted elsewhere with a new disk) and
     * gives their space back to their pools. Returns the volumes of the dropped claims, whose
     * files went with their instances.
     */
    public List<Released> releaseAll(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return List.of();
        }
        Map<String, Long> byPool = new HashMap<>();
        List<Released> volumes = new java.util.ArrayList<>();
        h.createQuery("DELETE FROM instance_root_disks WHERE instance_id IN (<ids>) RETURNING pool_id, bytes, volume_id, delete_on_termination")
                .bindList("ids", List.copyOf(instanceIds))
                .map((rs, ctx) -> {
                    if (rs.getString("volume_id") != null) {
                        volumes.add(new Released(rs.getString("volume_id"), rs.getBoolean("delete_on_termination")));
                    }
                    return Map.entry(rs.getString("pool_id"), rs.getLong("bytes"));
                }).list()
                .forEach(e -> byPool.merge(e.getKey(), e.getValue(), Long::sum));
        byPool.replaceAll((pool, bytes) -> -bytes);
        addUsedAll(byPool);
        return volumes;
    }

    /**
     * Moves a claim to the pool its disk was copied to, whose space the copy had reserved with
     * {@link #addUsed}, and gives the old pool its space back.
     */
    public void moveToReserved(String instanceId, String toPoolId) {
        of(instanceId).filter(c -> !c.poolId().equals(toPoolId)).ifPresent(c -> {
            h.createUpdate("UPDATE instance_root_disks SET pool_id = :p WHERE instance_id = :i").bind("p", toPoolId).bind("i", instanceId).execute();
            h.createUpdate("UPDATE volumes SET pool_id = :p WHERE id = (SELECT volume_id FROM instance_root_disks WHERE instance_id = :i)")
                    .bind("p", toPoolId).bind("i", instanceId).execute();
            addUsed(c.poolId(), -c.bytes());
        });
    }

    /** Changes a pool's use by {@code delta} without a claim of its own (a migration's copy in flight). */
    public void addUsed(String poolId, long delta) {
        if (delta != 0) {
            h.createUpdate("UPDATE storage_pools SET used_bytes = greatest(0, used_bytes + :d) WHERE id = :id")
                    .bind("d", delta).bind("id", poolId).execute();
        }
    }
}
