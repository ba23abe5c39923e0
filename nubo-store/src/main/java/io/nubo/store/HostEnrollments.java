package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Join tokens and host credentials (see V12); only digests of their secrets are stored. */
public final class HostEnrollments {
    private final Handle h;

    HostEnrollments(Handle h) {
        this.h = h;
    }

    /** A join token as stored. */
    public record JoinToken(String id, byte[] secretSha256, String createdBy, Instant createdAt, Instant expiresAt, Instant revokedAt) {
        public boolean usableAt(Instant now) {
            return revokedAt == null && now.isBefore(expiresAt);
        }
    }

    /** A host credential as stored. */
    public record Credential(String id, String hostId, byte[] secretSha256, Instant revokedAt) {
    }

    public void insertToken(String id, byte[] secretSha256, String createdBy, Instant at, Instant expiresAt) {
        h.createUpdate("""
                INSERT INTO join_tokens (id, secret_sha256, created_by, created_at, expires_at) VALUES (:id, :s, :by, :at, :exp)""")
                .bind("id", id).bind("s", secretSha256).bind("by", createdBy).bind("at", Rows.utc(at)).bind("exp", Rows.utc(expiresAt))
                .execute();
    }

    public Optional<JoinToken> findToken(String id) {
        return h.createQuery("SELECT * FROM join_tokens WHERE id = :id").bind("id", id).map((rs, ctx) -> token(rs)).findOne();
    }

    public List<JoinToken> tokens() {
        return h.createQuery("SELECT * FROM join_tokens ORDER BY created_at, id").map((rs, ctx) -> token(rs)).list();
    }

    /** Revokes a token; returns whether it existed and was not revoked yet. */
    public boolean revokeToken(String id, Instant at) {
        return h.createUpdate("UPDATE join_tokens SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL")
                .bind("id", id).bind("at", Rows.utc(at)).execute() == 1;
    }

    public void insertCredential(String id, String hostId, byte[] secretSha256, String joinTokenId, Instant at) {
        h.createUpdate("""
                INSERT INTO host_credentials (id, host_id, secret_sha256, join_token_id, created_at) VALUES (:id, :h, :s, :t, :at)""")
                .bind("id", id).bind("h", hostId).bind("s", secretSha256).bind("t", joinTokenId).bind("at", Rows.utc(at)).execute();
    }

    public Optional<Credential> findCredential(String id) {
        return h.createQuery("SELECT id, host_id, secret_sha256, revoked_at FROM host_credentials WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new Credential(rs.getString("id"), rs.getString("host_id"), rs.getBytes("secret_sha256"),
                        Rows.instant(rs, "revoked_at"))).findOne();
    }

    /** Revokes every credential of a host; returns how many. */
    public int revokeCredentials(String hostId, Instant at) {
        return h.createUpdate("UPDATE host_credentials SET revoked_at = :at WHERE host_id = :h AND revoked_at IS NULL")
                .bind("h", hostId).bind("at", Rows.utc(at)).execute();
    }

    private static JoinToken token(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new JoinToken(rs.getString("id"), rs.getBytes("secret_sha256"), rs.getString("created_by"), Rows.instant(rs, "created_at"),
                Rows.instant(rs, "expires_at"), Rows.instant(rs, "revoked_at"));
    }
}
