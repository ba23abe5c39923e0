package io.nubo.store;

import io.nubo.core.agent.DesiredMigration;
import io.nubo.core.agent.MigrationProgress;
import io.nubo.core.model.Migration;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Live migrations (V16): one row per attempt, moved on by the two agents' updates. */
public final class Migrations {
    private final Handle h;

    Migrations(Handle h) {
        this.h = h;
    }

    public void insert(Migration m) {
        h.createUpdate("""
                INSERT INTO migrations (id, instance_id, source_host_id, destination_host_id, state, reason, requested_by, drain_of,
                                        created_at, updated_at, finished_at)
                VALUES (:id, :instance, :source, :dest, :state, :reason, :by, :drain, :created, :created, :finished)""")
                .bind("id", m.id()).bind("instance", m.instanceId()).bind("source", m.sourceHostId())
                .bind("dest", m.destinationHostId()).bind("state", m.state().apiName()).bind("reason", m.reason())
                .bind("by", m.requestedBy()).bind("drain", m.drainOf()).bind("created", Rows.utc(m.createdAt()))
                .bind("finished", Rows.utc(m.finishedAt())).execute();
    }

    public Optional<Migration> find(String id) {
        return h.createQuery("SELECT * FROM migrations WHERE id = :id").bind("id", id).map(Migrations::map).findOne();
    }

    /** Locks one migration for this transaction. */
    public Optional<Migration> lock(String id) {
        return h.createQuery("SELECT * FROM migrations WHERE id = :id FOR UPDATE").bind("id", id).map(Migrations::map).findOne();
    }

    /** The latest migration of an instance, finished or not. */
    public Optional<Migration> latestOf(String instanceId) {
        return h.createQuery("SELECT * FROM migrations WHERE instance_id = :i ORDER BY created_at DESC, id DESC LIMIT 1")
                .bind("i", instanceId).map(Migrations::map).findOne();
    }

    /** The unfinished migrations a host takes part in, and those that ended after {@code endedAfter}. */
    public List<Migration> ofHost(String hostId, Instant endedAfter) {
        return h.createQuery("""
                SELECT * FROM migrations
                WHERE (source_host_id = :h OR destination_host_id = :h)
                  AND (state IN ('preparing', 'migrating') OR finished_at > :after)
                ORDER BY created_at, id""")
                .bind("h", hostId).bind("after", Rows.utc(endedAfter)).map(Migrations::map).list();
    }

    /** Unfinished migrations not updated since {@code before}, locked, skipping those another server holds. */
    public List<Migration> claimStale(Instant before) {
        return h.createQuery("""
                SELECT * FROM migrations WHERE state IN ('preparing', 'migrating') AND updated_at < :before
                ORDER BY updated_at LIMIT 100 FOR UPDATE SKIP LOCKED""")
                .bind("before", Rows.utc(before)).map(Migrations::map).list();
    }

    /** Unfinished migrations, locked, skipping those another server holds. */
    public List<Migration> claimActive() {
        return h.createQuery("SELECT * FROM migrations WHERE state IN ('preparing', 'migrating') ORDER BY created_at LIMIT 500 FOR UPDATE SKIP LOCKED")
                .map(Migrations::map).list();
    }

    /** The migrations a drain of {@code hostId} made since {@code since}. */
    public List<Migration> ofDrain(String hostId, Instant since) {
        return h.createQuery("SELECT * FROM migrations WHERE drain_of = :h AND created_at >= :since ORDER BY created_at, id")
                .bind("h", hostId).bind("since", Rows.utc(since)).map(Migrations::map).list();
    }

    /** Records the destination's endpoints and moves the migration on to {@code migrating}. */
    public void ready(String id, String host, int port, Integer nbdPort, Instant now) {
        h.createUpdate("""
                UPDATE migrations SET state = 'migrating', incoming_host = :host, incoming_port = :port, nbd_port = :nbd,
                                      updated_at = :now WHERE id = :id""")
                .bind("id", id).bind("host", host).bind("port", port).bind("nbd", nbdPort).bind("now", Rows.utc(now)).execute();
    }

    /** Stores the source's latest reading (null: only the time of the last word). */
    public void progress(String id, MigrationProgress p, Instant now) {
        if (p == null) {
            h.createUpdate("UPDATE migrations SET updated_at = :now WHERE id = :id").bind("id", id).bind("now", Rows.utc(now)).execute();
            return;
        }
        h.createUpdate("""
                UPDATE migrations SET phase = :phase, remaining_bytes = :rem, transferred_bytes = :sent, downtime_limit_ms = :limit,
                                      downtime_ms = coalesce(:down, downtime_ms), total_ms = :total, updated_at = :now
                WHERE id = :id""")
                .bind("id", id).bind("phase", p.phase()).bind("rem", p.remainingBytes()).bind("sent", p.transferredBytes())
                .bind("limit", p.downtimeLimitMs()).bind("down", p.downtimeMs()).bind("total", p.totalMs())
                .bind("now", Rows.utc(now)).execute();
    }

    /** True, and marked, when no progress event was written for this migration since {@code cutoff}. */
    public boolean progressEventDue(String id, Instant now, Instant cutoff) {
        return h.createUpdate("UPDATE migrations SET progress_event_at = :now WHERE id = :id"
                        + " AND (progress_event_at IS NULL OR progress_event_at < :cutoff)")
                .bind("id", id).bind("now", Rows.utc(now)).bind("cutoff", Rows.utc(cutoff)).execute() == 1;
    }

    /** Ends a migration: {@code completed} or {@code failed}, with the reason of a failure. */
    public void finish(String id, DesiredMigration.State state, String reason, Instant now) {
        h.createUpdate("UPDATE migrations SET state = :s, reason = :r, updated_at = :now, finished_at = :now WHERE id = :id")
                .bind("id", id).bind("s", state.apiName()).bind("r", reason).bind("now", Rows.utc(now)).execute();
    }

    static Migration map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Migration(rs.getString("id"), rs.getString("instance_id"), rs.getString("source_host_id"),
                rs.getString("destination_host_id"), DesiredMigration.State.fromApiName(rs.getString("state")),
                rs.getString("incoming_host"), (Integer) rs.getObject("incoming_port"), (Integer) rs.getObject("nbd_port"),
                rs.getString("phase"), (Long) rs.getObject("remaining_bytes"), (Long) rs.getObject("transferred_bytes"),
                (Integer) rs.getObject("downtime_limit_ms"), (Integer) rs.getObject("downtime_ms"), (Integer) rs.getObject("total_ms"),
                rs.getString("reason"), rs.getString("requested_by"), rs.getString("drain_of"), Rows.instant(rs, "created_at"),
                Rows.instant(rs, "updated_at"), Rows.instant(rs, "finished_at"));
    }
}
