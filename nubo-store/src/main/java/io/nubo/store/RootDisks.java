package io.nubo.store;

import org.jdbi.v3.core.Handle;

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
    }

    /** Records these claims and adds them to their pools' use. */
    public void claimAll(List<Claim> claims) {
        if (claims.isEmpty()) {
            return;
        }
        var batch = h.prepareBatch("INSERT INTO instance_root_disks (instance_id, pool_id, bytes) VALUES (:i, :p, :b)");
        Map<String, Long> byPool = new HashMap<>();
        for (Claim c : claims) {
            batch.bind("i", c.instanceId()).bind("p", c.poolId()).bind("b", c.bytes()).add();
            byPool.merge(c.poolId(), c.bytes(), Long::sum);
        }
        batch.execute();
        addUsedAll(byPool);
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

    /** Drops the claims of these instances (terminated) and gives their space back to their pools. */
    public void releaseAll(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return;
        }
        Map<String, Long> byPool = new HashMap<>();
        h.createQuery("DELETE FROM instance_root_disks WHERE instance_id IN (<ids>) RETURNING pool_id, bytes")
                .bindList("ids", List.copyOf(instanceIds))
                .map((rs, ctx) -> Map.entry(rs.getString("pool_id"), rs.getLong("bytes"))).list()
                .forEach(e -> byPool.merge(e.getKey(), e.getValue(), Long::sum));
        byPool.replaceAll((pool, bytes) -> -bytes);
        addUsedAll(byPool);
    }

    /**
     * Moves a claim to the pool its disk was copied to, whose space the copy had reserved with
     * {@link #addUsed}, and gives the old pool its space back.
     */
    public void moveToReserved(String instanceId, String toPoolId) {
        of(instanceId).filter(c -> !c.poolId().equals(toPoolId)).ifPresent(c -> {
            h.createUpdate("UPDATE instance_root_disks SET pool_id = :p WHERE instance_id = :i").bind("p", toPoolId).bind("i", instanceId).execute();
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
