package io.nubo.store.portal;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.Optional;

/** Portal sessions, keyed by the SHA-256 of their token. Not thread-safe (bound to one handle). */
public final class Sessions {
    private final Handle h;

    public Sessions(Handle h) {
        this.h = h;
    }

    /** A live session: its user and CSRF token. */
    public record Row(String userId, String csrfToken, Instant expiresAt) {
        @Override
        public String toString() {
            return "Session[" + userId + ", expires " + expiresAt + "]";
        }
    }

    public void insert(byte[] tokenHash, String userId, String csrfToken, Instant now, Instant expiresAt) {
        h.createUpdate("INSERT INTO portal_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (:t, :u, :c, :now, :exp)")
                .bind("t", tokenHash).bind("u", userId).bind("c", csrfToken).bind("now", PortalRows.utc(now))
                .bind("exp", PortalRows.utc(expiresAt)).execute();
    }

    /** The session if it has not expired at {@code now}. */
    public Optional<Row> findLive(byte[] tokenHash, Instant now) {
        return h.createQuery("SELECT user_id, csrf_token, expires_at FROM portal_sessions WHERE token_hash = :t AND expires_at > :now")
                .bind("t", tokenHash).bind("now", PortalRows.utc(now))
                .map((rs, c) -> new Row(rs.getString("user_id"), rs.getString("csrf_token"), PortalRows.instant(rs, "expires_at")))
                .findOne();
    }

    public void delete(byte[] tokenHash) {
        h.createUpdate("DELETE FROM portal_sessions WHERE token_hash = :t").bind("t", tokenHash).execute();
    }

    public void deleteForUser(String userId) {
        h.createUpdate("DELETE FROM portal_sessions WHERE user_id = :u").bind("u", userId).execute();
    }

    public int deleteExpired(Instant now) {
        return h.createUpdate("DELETE FROM portal_sessions WHERE expires_at <= :now").bind("now", PortalRows.utc(now)).execute();
    }
}
