package io.nubo.store;

import io.nubo.core.model.AccessKey;
import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Access keys; secrets are stored sealed (encrypted), never in plain text. */
public final class AccessKeys {
    private final Handle h;

    AccessKeys(Handle h) {
        this.h = h;
    }

    /** An access key with its sealed secret, for authentication. */
    public record SealedKey(AccessKey key, byte[] sealedSecret) {
    }

    public void insert(AccessKey key, byte[] sealedSecret) {
        h.createUpdate("INSERT INTO access_keys (id, account_id, secret_sealed, active, created_at) VALUES (:id, :acct, :s, true, :at)")
                .bind("id", key.id()).bind("acct", key.accountId()).bind("s", sealedSecret).bind("at", Rows.utc(key.createdAt()))
                .execute();
    }

    public Optional<SealedKey> findSealed(String id) {
        return h.createQuery("SELECT id, account_id, active, created_at, secret_sealed FROM access_keys WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new SealedKey(map(rs), rs.getBytes("secret_sealed"))).findOne();
    }

    public Optional<AccessKey> find(String id) {
        return findSealed(id).map(SealedKey::key);
    }

    public List<AccessKey> listForAccount(String accountId) {
        return h.createQuery("SELECT id, account_id, active, created_at FROM access_keys WHERE account_id = :a ORDER BY created_at, id")
                .bind("a", accountId).map((rs, ctx) -> map(rs)).list();
    }

    public void revoke(String id, Instant at) {
        h.createUpdate("UPDATE access_keys SET active = false, revoked_at = :at WHERE id = :id AND active")
                .bind("id", id).bind("at", Rows.utc(at)).execute();
    }

    private static AccessKey map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new AccessKey(rs.getString("id"), rs.getString("account_id"), rs.getBoolean("active"), Rows.instant(rs, "created_at"));
    }
}
