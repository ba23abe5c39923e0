package io.nubo.store.portal;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.Optional;

/** One-time console tickets, keyed by the SHA-256 of the ticket. Not thread-safe (bound to one handle). */
public final class ConsoleTickets {
    private final Handle h;

    public ConsoleTickets(Handle h) {
        this.h = h;
    }

    private record Ticket(String accountId, String instanceId, Instant expiresAt) {
    }

    public void insert(byte[] ticketHash, String accountId, String instanceId, Instant expiresAt) {
        h.createUpdate("INSERT INTO console_tickets (ticket_hash, account_id, instance_id, expires_at) VALUES (:t, :a, :i, :exp)")
                .bind("t", ticketHash).bind("a", accountId).bind("i", instanceId).bind("exp", PortalRows.utc(expiresAt)).execute();
    }

    /**
     * Deletes the ticket and returns its account if it was for {@code instanceId} and had not
     * expired at {@code now}. A ticket is consumed by any attempt, so it works at most once.
     */
    public Optional<String> redeem(byte[] ticketHash, String instanceId, Instant now) {
        return h.createQuery("DELETE FROM console_tickets WHERE ticket_hash = :t RETURNING account_id, instance_id, expires_at")
                .bind("t", ticketHash)
                .map((rs, c) -> new Ticket(rs.getString("account_id"), rs.getString("instance_id"), PortalRows.instant(rs, "expires_at")))
                .findOne()
                .filter(t -> t.instanceId().equals(instanceId) && t.expiresAt().isAfter(now))
                .map(Ticket::accountId);
    }

    public int deleteExpired(Instant now) {
        return h.createUpdate("DELETE FROM console_tickets WHERE expires_at <= :now").bind("now", PortalRows.utc(now)).execute();
    }
}
