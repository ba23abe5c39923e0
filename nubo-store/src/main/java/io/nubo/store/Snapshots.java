package io.nubo.store;

import io.nubo.core.model.Snapshot;
import io.nubo.core.model.SnapshotState;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Snapshots. Queries that serve callers are scoped by account and see only pending, completed and error snapshots. */
public final class Snapshots {
    private static final String VISIBLE = "state IN ('pending', 'completed', 'error')";

    private final Handle h;

    Snapshots(Handle h) {
        this.h = h;
    }

    public void insert(Snapshot x) {
        h.createUpdate("""
                INSERT INTO snapshots (id, account_id, volume_id, volume_size_gib, pool_id, description, state, state_reason, progress,
                                       copier, source_snapshot_id, started_at, updated_at)
                VALUES (:id, :a, :vol, :size, :pool, :d, :state, :reason, :progress, :copier, :source, :now, :now)""")
                .bind("id", x.id()).bind("a", x.accountId()).bind("vol", x.volumeId()).bind("size", x.volumeSizeGib())
                .bind("pool", x.poolId()).bind("d", x.description()).bind("state", x.state().apiName()).bind("reason", x.stateReason())
                .bind("progress", x.progress()).bind("copier", x.copier()).bind("source", x.sourceSnapshotId())
                .bind("now", Rows.utc(x.startedAt())).execute();
    }

    /** Writes a snapshot's state, reason and progress. */
    public void update(Snapshot x) {
        h.createUpdate("UPDATE snapshots SET state = :state, state_reason = :reason, progress = :progress, updated_at = :now WHERE id = :id")
                .bind("id", x.id()).bind("state", x.state().apiName()).bind("reason", x.stateReason()).bind("progress", x.progress())
                .bind("now", Rows.utc(x.updatedAt())).execute();
    }

    /** The account's snapshot, if callers may see it. */
    public Optional<Snapshot> find(String id, String accountId) {
        return h.createQuery("SELECT * FROM snapshots WHERE id = :id AND account_id = :a AND " + VISIBLE)
                .bind("id", id).bind("a", accountId).map(Snapshots::map).findOne();
    }

    public Optional<Snapshot> findAny(String id) {
        return h.createQuery("SELECT * FROM snapshots WHERE id = :id").bind("id", id).map(Snapshots::map).findOne();
    }

    /** Locks the snapshot's row for a change. Not scoped: callers check ownership. */
    public Optional<Snapshot> lock(String id) {
        return h.createQuery("SELECT * FROM snapshots WHERE id = :id FOR UPDATE").bind("id", id).map(Snapshots::map).findOne();
    }

    /** The account's visible snapshots, in ID order. */
    public List<Snapshot> list(String accountId) {
        return h.createQuery("SELECT * FROM snapshots WHERE account_id = :a AND " + VISIBLE + " ORDER BY id")
                .bind("a", accountId).map(Snapshots::map).list();
    }

    /** Of these IDs, those that name visible snapshots of the account. */
    public List<Snapshot> listByIds(String accountId, Collection<String> ids) {
        return h.createQuery("SELECT * FROM snapshots WHERE account_id = :a AND id = ANY(:ids) AND " + VISIBLE + " ORDER BY id")
                .bind("a", accountId).bindArray("ids", String.class, ids).map(Snapshots::map).list();
    }

    /** The pending snapshots these instances' hosts take, for the agents' desired state. */
    public List<Snapshot> pendingFor(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT * FROM snapshots WHERE state = 'pending' AND copier = ANY(:ids) ORDER BY id")
                .bindArray("ids", String.class, instanceIds).map(Snapshots::map).list();
    }

    /** Pending snapshots of this volume (any copier). */
    public List<Snapshot> pendingOfVolume(String volumeId) {
        return h.createQuery("SELECT * FROM snapshots WHERE state = 'pending' AND volume_id = :v ORDER BY id")
                .bind("v", volumeId).map(Snapshots::map).list();
    }

    /**
     * Claims snapshots the controller has work on (copies of unheld volumes, files to delete),
     * skipping rows another server holds. The claim lasts until the caller's transaction ends.
     */
    public List<Snapshot> claimWork(int limit) {
        return h.createQuery("""
                SELECT * FROM snapshots WHERE (state = 'pending' AND copier IS NULL) OR state = 'deleting'
                ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED""")
                .bind("limit", limit).map(Snapshots::map).list();
    }

    /** Every snapshot on a pool that has or will have a file (for the sweeper). */
    public List<Snapshot> onPool(String poolId) {
        return h.createQuery("SELECT * FROM snapshots WHERE pool_id = :p AND state <> 'deleted' ORDER BY id")
                .bind("p", poolId).map(Snapshots::map).list();
    }

    /** Volumes still being made from this snapshot (their file is copied from it). */
    public long volumesBeingMadeFrom(String snapshotId) {
        return h.createQuery("SELECT count(*) FROM volumes WHERE snapshot_id = :s AND state = 'creating'")
                .bind("s", snapshotId).mapTo(Long.class).one();
    }

    /** What an account's snapshots that exist hold: their number and the GiB of their volumes. */
    public record InUse(long count, long gib) {
    }

    public InUse inUse(String accountId) {
        return h.createQuery("""
                SELECT count(*), coalesce(sum(volume_size_gib), 0) FROM snapshots
                WHERE account_id = :a AND state IN ('pending', 'completed', 'error')""")
                .bind("a", accountId).map((rs, ctx) -> new InUse(rs.getLong(1), rs.getLong(2))).one();
    }

    static Snapshot map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Snapshot(rs.getString("id"), rs.getString("account_id"), rs.getString("volume_id"), rs.getInt("volume_size_gib"),
                rs.getString("pool_id"), rs.getString("description"), SnapshotState.fromApiName(rs.getString("state")),
                rs.getString("state_reason"), rs.getInt("progress"), rs.getString("copier"), rs.getString("source_snapshot_id"),
                Rows.instant(rs, "started_at"), Rows.instant(rs, "updated_at"));
    }
}
