package io.nubo.store.portal;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.Optional;

/** Failed log-ins in a row, per lower-cased e-mail. Not thread-safe (bound to one handle). */
public final class LoginThrottle {
    private final Handle h;

    public LoginThrottle(Handle h) {
        this.h = h;
    }

    public record Row(int failures, Instant blockedUntil) {
    }

    /** Locks the e-mail's row (creating it at zero failures) and returns it. */
    public Row lock(String email, Instant now) {
        h.createUpdate("INSERT INTO login_throttle (email, failures, last_failure_at) VALUES (:e, 0, :now) ON CONFLICT (email) DO NOTHING")
                .bind("e", email).bind("now", PortalRows.utc(now)).execute();
        return h.createQuery("SELECT failures, blocked_until FROM login_throttle WHERE email = :e FOR UPDATE").bind("e", email)
                .map((rs, c) -> new Row(rs.getInt("failures"), PortalRows.instant(rs, "blocked_until"))).one();
    }

    public Optional<Row> find(String email) {
        return h.createQuery("SELECT failures, blocked_until FROM login_throttle WHERE email = :e").bind("e", email)
                .map((rs, c) -> new Row(rs.getInt("failures"), PortalRows.instant(rs, "blocked_until"))).findOne();
    }

    public void recordFailure(String email, int failures, Instant now, Instant blockedUntil) {
        h.createUpdate("UPDATE login_throttle SET failures = :f, last_failure_at = :now, blocked_until = :b WHERE email = :e")
                .bind("f", failures).bind("now", PortalRows.utc(now)).bind("b", PortalRows.utc(blockedUntil)).bind("e", email).execute();
    }

    public void clear(String email) {
        h.createUpdate("DELETE FROM login_throttle WHERE email = :e").bind("e", email).execute();
    }
}
