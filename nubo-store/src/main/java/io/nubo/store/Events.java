package io.nubo.store;

import io.nubo.core.model.Event;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

import java.time.Instant;
import java.util.List;

/** The append-only event log. */
public final class Events {
    private final Handle h;

    Events(Handle h) {
        this.h = h;
    }

    /** An event to append: everything but its ID, which the log assigns. */
    public record New(Instant at, String accountId, String resourceId, String type, String from, String to, String cause) {
    }

    public void append(Instant at, String accountId, String resourceId, String type, String from, String to, String cause) {
        appendAll(List.of(new New(at, accountId, resourceId, type, from, to, cause)));
    }

    /** Appends events in one batch (one round trip), in list order. */
    public void appendAll(List<New> events) {
        if (events.isEmpty()) {
            return;
        }
        PreparedBatch batch = h.prepareBatch("""
                INSERT INTO events (at, account_id, resource_id, type, from_state, to_state, cause)
                VALUES (:at, :a, :r, :t, :f, :to, :c)""");
        for (New e : events) {
            batch.bind("at", Rows.utc(e.at())).bind("a", e.accountId()).bind("r", e.resourceId()).bind("t", e.type())
                    .bind("f", e.from()).bind("to", e.to()).bind("c", e.cause()).add();
        }
        batch.execute();
    }

    /**
     * Events in ID order after {@code afterId}, newest last. {@code accountId} null means every
     * account (operators); {@code resourceId} null means every resource.
     */
    public List<Event> list(String accountId, String resourceId, long afterId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM events WHERE id > :after");
        if (accountId != null) {
            sql.append(" AND account_id = :a");
        }
        if (resourceId != null) {
            sql.append(" AND resource_id = :r");
        }
        sql.append(" ORDER BY id LIMIT :limit");
        Query q = h.createQuery(sql.toString()).bind("after", afterId).bind("limit", limit);
        if (accountId != null) {
            q.bind("a", accountId);
        }
        if (resourceId != null) {
            q.bind("r", resourceId);
        }
        return q.map((rs, ctx) -> new Event(rs.getLong("id"), Rows.instant(rs, "at"), rs.getString("account_id"),
                rs.getString("resource_id"), rs.getString("type"), rs.getString("from_state"), rs.getString("to_state"),
                rs.getString("cause"))).list();
    }
}
