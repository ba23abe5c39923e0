package io.nubo.store;

import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeState;
import io.nubo.core.model.VolumeType;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Volumes. Queries that serve callers are scoped by account; a deleted volume is no caller's any more. */
public final class Volumes {
    private final Handle h;

    Volumes(Handle h) {
        this.h = h;
    }

    public void insert(Volume v) {
        h.createUpdate("""
                INSERT INTO volumes (id, account_id, availability_zone, size_gib, volume_type, iops, throughput, multi_attach, pool_id,
                                     format, state, state_reason, created_at, updated_at)
                VALUES (:id, :a, :zone, :size, :type, :iops, :tp, :multi, :pool, :format, :state, :reason, :now, :now)""")
                .bind("id", v.id()).bind("a", v.accountId()).bind("zone", v.zone()).bind("size", v.sizeGib())
                .bind("type", v.type().apiName()).bind("iops", v.iops()).bind("tp", v.throughput()).bind("multi", v.multiAttach())
                .bind("pool", v.poolId()).bind("format", v.format()).bind("state", v.state().apiName()).bind("reason", v.stateReason())
                .bind("now", Rows.utc(v.createdAt())).execute();
    }

    /** Writes a changed volume: everything but its identity, owner, pool and format. */
    public void update(Volume v) {
        Volume.Modification m = v.modification();
        h.createUpdate("""
                UPDATE volumes SET size_gib = :size, volume_type = :type, iops = :iops, throughput = :tp, state = :state,
                       state_reason = :reason, updated_at = :now, modification_state = :ms, original_size_gib = :osize,
                       original_volume_type = :otype, modification_started_at = :mstart, modification_ended_at = :mend
                WHERE id = :id""")
                .bind("id", v.id()).bind("size", v.sizeGib()).bind("type", v.type().apiName()).bind("iops", v.iops())
                .bind("tp", v.throughput()).bind("state", v.state().apiName()).bind("reason", v.stateReason())
                .bind("now", Rows.utc(v.updatedAt())).bind("ms", m == null ? null : m.state())
                .bind("osize", m == null ? null : m.originalSizeGib()).bind("otype", m == null ? null : m.originalType().apiName())
                .bind("mstart", m == null ? null : Rows.utc(m.startedAt())).bind("mend", m == null ? null : Rows.utc(m.endedAt()))
                .execute();
    }

    /** Moves a volume's file to another pool (a kept root volume, copied to the shared pool). */
    public void moveToPool(String volumeId, String poolId) {
        h.createUpdate("UPDATE volumes SET pool_id = :p WHERE id = :id").bind("id", volumeId).bind("p", poolId).execute();
    }

    /** Records the snapshot a new volume is made from. */
    public void setSnapshot(String volumeId, String snapshotId) {
        h.createUpdate("UPDATE volumes SET snapshot_id = :s WHERE id = :id").bind("id", volumeId).bind("s", snapshotId).execute();
    }

    /** The snapshots these volumes were made from, by volume ID (volumes made from none are left out). */
    public java.util.Map<String, String> snapshotsOf(Collection<String> ids) {
        if (ids.isEmpty()) {
            return java.util.Map.of();
        }
        return h.createQuery("SELECT id, snapshot_id FROM volumes WHERE id = ANY(:ids) AND snapshot_id IS NOT NULL")
                .bindArray("ids", String.class, ids).map((rs, ctx) -> java.util.Map.entry(rs.getString(1), rs.getString(2)))
                .stream().collect(java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue));
    }

    /** What an account's volumes that are not deleted, root volumes aside, hold: their number and GiB. */
    public record InUse(long count, long gib) {
    }

    public InUse inUse(String accountId) {
        // Root volumes are left out: an instance's disk counts against the instance quotas, so that a launch never fails on volumes.
        return h.createQuery("""
                SELECT count(*), coalesce(sum(size_gib), 0) FROM volumes v WHERE account_id = :a AND state <> 'deleted'
                AND NOT EXISTS (SELECT 1 FROM instance_root_disks r WHERE r.volume_id = v.id)""")
                .bind("a", accountId).map((rs, ctx) -> new InUse(rs.getLong(1), rs.getLong(2))).one();
    }

    /** The account's volume, unless deleted. */
    public Optional<Volume> find(String id, String accountId) {
        return h.createQuery("SELECT * FROM volumes WHERE id = :id AND account_id = :a AND state <> 'deleted'")
                .bind("id", id).bind("a", accountId).map(Volumes::map).findOne();
    }

    /** Locks the volume's row for a change. Not scoped: callers check ownership. */
    public Optional<Volume> lock(String id) {
        return h.createQuery("SELECT * FROM volumes WHERE id = :id FOR UPDATE").bind("id", id).map(Volumes::map).findOne();
    }

    /** Locks these volumes, in ID order (so that two transactions never wait on each other in a cycle). */
    public List<Volume> lockAll(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT * FROM volumes WHERE id = ANY(:ids) ORDER BY id FOR UPDATE")
                .bindArray("ids", String.class, ids).map(Volumes::map).list();
    }

    public Optional<Volume> findAny(String id) {
        return h.createQuery("SELECT * FROM volumes WHERE id = :id").bind("id", id).map(Volumes::map).findOne();
    }

    /** These volumes, whoever owns them: for the agents' desired state. */
    public List<Volume> byIds(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT * FROM volumes WHERE id = ANY(:ids)").bindArray("ids", String.class, ids).map(Volumes::map).list();
    }

    /** The account's volumes that are not deleted, in ID order. */
    public List<Volume> list(String accountId) {
        return h.createQuery("SELECT * FROM volumes WHERE account_id = :a AND state <> 'deleted' ORDER BY id")
                .bind("a", accountId).map(Volumes::map).list();
    }

    /** Of these IDs, those that name volumes of the account that are not deleted. */
    public List<Volume> listByIds(String accountId, Collection<String> ids) {
        return h.createQuery("SELECT * FROM volumes WHERE account_id = :a AND id = ANY(:ids) AND state <> 'deleted' ORDER BY id")
                .bind("a", accountId).bindArray("ids", String.class, ids).map(Volumes::map).list();
    }

    /**
     * Claims volumes the controller has work on (files to create, delete or grow), skipping rows
     * another server holds. The claim lasts until the caller's transaction ends.
     */
    public List<Volume> claimWork(int limit) {
        return h.createQuery("""
                SELECT * FROM volumes WHERE state IN ('creating', 'deleting') OR modification_state = 'modifying'
                ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED""")
                .bind("limit", limit).map(Volumes::map).list();
    }

    /** Every volume on a pool that still has a file or will have one (for the sweeper). */
    public List<Volume> onPool(String poolId) {
        return h.createQuery("SELECT * FROM volumes WHERE pool_id = :p AND state <> 'deleted' ORDER BY id")
                .bind("p", poolId).map(Volumes::map).list();
    }

    static Volume map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        String ms = rs.getString("modification_state");
        Volume.Modification m = ms == null ? null : new Volume.Modification(ms, rs.getInt("original_size_gib"), rs.getInt("size_gib"),
                type(rs.getString("original_volume_type")), type(rs.getString("volume_type")),
                Rows.instant(rs, "modification_started_at"), Rows.instant(rs, "modification_ended_at"));
        return new Volume(rs.getString("id"), rs.getString("account_id"), rs.getString("availability_zone"), rs.getInt("size_gib"),
                type(rs.getString("volume_type")), (Integer) rs.getObject("iops"), (Integer) rs.getObject("throughput"),
                rs.getBoolean("multi_attach"), rs.getString("pool_id"), rs.getString("format"),
                VolumeState.fromApiName(rs.getString("state")), rs.getString("state_reason"), Rows.instant(rs, "created_at"),
                Rows.instant(rs, "updated_at"), m);
    }

    private static VolumeType type(String name) {
        return VolumeType.fromApiName(name).orElseThrow(() -> new IllegalStateException("unknown volume type in the database: " + name));
    }

    /** For tests and metrics: how many volumes are in each state. */
    public java.util.Map<String, Long> countByState() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        h.createQuery("SELECT state, count(*) AS n FROM volumes GROUP BY state")
                .map((rs, ctx) -> java.util.Map.entry(rs.getString("state"), rs.getLong("n"))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
