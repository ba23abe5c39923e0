package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outbox of webhook calls. A sender claims due calls with a lease; when its server dies, the
 * lease runs out and another server claims them. A call is delivered, or retried later, or given up.
 */
public final class WebhookDeliveries {
    private final Handle h;

    WebhookDeliveries(Handle h) {
        this.h = h;
    }

    /** One call. {@code url} may carry a secret: never show it to anyone but its account, never log it. */
    public record Delivery(long id, String accountId, String url, String body, int attempts, Instant nextAttemptAt,
                           Optional<String> lastError, Optional<Instant> deliveredAt, Optional<Instant> failedAt, Instant createdAt) {
        @Override
        public String toString() {
            return "Delivery[" + id + " " + accountId + " attempt " + attempts + "]";
        }
    }

    public long insert(String accountId, String url, String body, Instant now) {
        return h.createQuery("""
                INSERT INTO webhook_deliveries (account_id, url, body, next_attempt_at, created_at)
                VALUES (:a, :url, :body, :now, :now) RETURNING id""")
                .bind("a", accountId).bind("url", url).bind("body", body).bind("now", Rows.utc(now)).mapTo(Long.class).one();
    }

    /**
     * Claims up to {@code limit} calls that are due and that nobody holds, for {@code owner} until
     * {@code leaseUntil}, counting the attempt. Concurrent claimers skip each other's rows.
     */
    public List<Delivery> claim(String owner, Instant now, Instant leaseUntil, int limit) {
        return h.createQuery("""
                UPDATE webhook_deliveries SET lease_owner = :o, lease_expires_at = :until, attempts = attempts + 1
                WHERE id IN (SELECT id FROM webhook_deliveries
                             WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= :now
                               AND (lease_expires_at IS NULL OR lease_expires_at < :now)
                             ORDER BY next_attempt_at, id LIMIT :limit FOR UPDATE SKIP LOCKED)
                RETURNING *""")
                .bind("o", owner).bind("until", Rows.utc(leaseUntil)).bind("now", Rows.utc(now)).bind("limit", limit)
                .map((rs, ctx) -> map(rs)).list();
    }

    /** Marks a call this owner holds as delivered; false when it lost the lease meanwhile. */
    public boolean delivered(long id, String owner, Instant at) {
        return h.createUpdate("""
                UPDATE webhook_deliveries SET delivered_at = :at, lease_owner = NULL, lease_expires_at = NULL, last_error = NULL
                WHERE id = :id AND lease_owner = :o AND delivered_at IS NULL""")
                .bind("at", Rows.utc(at)).bind("id", id).bind("o", owner).execute() == 1;
    }

    /** Gives a call back, to be tried again from {@code retryAt}. */
    public boolean retry(long id, String owner, String error, Instant retryAt) {
        return h.createUpdate("""
                UPDATE webhook_deliveries SET lease_owner = NULL, lease_expires_at = NULL, last_error = :e, next_attempt_at = :at
                WHERE id = :id AND lease_owner = :o AND delivered_at IS NULL""")
                .bind("e", error).bind("at", Rows.utc(retryAt)).bind("id", id).bind("o", owner).execute() == 1;
    }

    /** Gives a call up for good. */
    public boolean fail(long id, String owner, String error, Instant at) {
        return h.createUpdate("""
                UPDATE webhook_deliveries SET lease_owner = NULL, lease_expires_at = NULL, last_error = :e, failed_at = :at
                WHERE id = :id AND lease_owner = :o AND delivered_at IS NULL""")
                .bind("e", error).bind("at", Rows.utc(at)).bind("id", id).bind("o", owner).execute() == 1;
    }

    /** An account's calls, newest first. */
    public List<Delivery> forAccount(String accountId, int limit) {
        return h.createQuery("SELECT * FROM webhook_deliveries WHERE account_id = :a ORDER BY id DESC LIMIT :l")
                .bind("a", accountId).bind("l", limit).map((rs, ctx) -> map(rs)).list();
    }

    public Optional<Delivery> find(long id) {
        return h.createQuery("SELECT * FROM webhook_deliveries WHERE id = :id").bind("id", id).map((rs, ctx) -> map(rs)).findOne();
    }

    private static Delivery map(ResultSet rs) throws SQLException {
        return new Delivery(rs.getLong("id"), rs.getString("account_id"), rs.getString("url"), rs.getString("body"), rs.getInt("attempts"),
                Rows.instant(rs, "next_attempt_at"), Optional.ofNullable(rs.getString("last_error")),
                Optional.ofNullable(Rows.instant(rs, "delivered_at")), Optional.ofNullable(Rows.instant(rs, "failed_at")),
                Rows.instant(rs, "created_at"));
    }
}
