package io.nubo.store;

import io.nubo.core.model.Event;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

import java.time.Instant;
import java.util.List;

/** The append-only event log. */
public final class Events {
    private final Handle h;

    Events(Handle h) {
        this.h = h;
    }

    public void append(Instant at, String accountId, String resourceId, String type, String from, String to, String cause) {
        h.createUpdate("""
                INSERT INTO events (at, account_id, resource_id, type, from_state, to_state, cause)
                VALUES (:at, :a, :r, :t, :f, :to, :c)""")
                .bind("at", Rows.utc(at)).bind("a", accountId).bind("r", resourceId).bind("t", type)
                .bind("f", from).bind("to", to).bind("c", cause).execute();
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
